import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Locale } from '@consort/shared/core/schemas';
import { formatDate, formatMoney, formatNumber, formatRate, toWinAnsi } from '@consort/shared/documents/format';
import { documentMessages, documentTitle, fill } from '@consort/shared/documents/messages';
import { renderToBuffer } from '@react-pdf/renderer';
import {
  BillDocument,
  certainlyFitsOnePage,
  mayNeedSeveralPages,
  renderBillPdf,
  variableHeightEstimate,
} from '@consort/shared/documents/pdf';
import { BillRenderModel } from '@consort/shared/documents/render-model';
import {
  createAmendmentModel,
  createFeeModel,
  createInvoiceModel,
  createReverseChargeUsdModel,
} from '../../fixtures/factories/render-models';
import { requireTool } from '../../setup/require-tool';

// Bill PDFs carry every field RD 1619/2012 art. 6 requires (checked on the text pdftotext extracts, as a
// reader or an auditor's tool would see it) and render byte-identically from the same model.

const hasPdftotext = requireTool('pdftotext', 'poppler-utils');
const dir = mkdtempSync(join(tmpdir(), 'consort-pdf-'));
const LOCALES: Locale[] = ['es', 'ca', 'en'];

function pdfText(bytes: Uint8Array, name: string): string {
  const file = join(dir, `${name}.pdf`);
  writeFileSync(file, bytes);
  // Reading order, whitespace collapsed: a value wrapped onto two lines still reads as one string.
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-']).toString('utf8').replace(/\s+/g, ' ');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** As printed: whitespace collapsed, characters outside the standard font reduced (format.ts toWinAnsi). */
const printed = (s: string) => toWinAnsi(s).replace(/\s+/g, ' ');

/** Every string a compliant bill of this model must show (art. 6.1 a–n, 10.1, 15 and the model's mentions). */
function requiredStrings(m: BillRenderModel): string[] {
  const msg = documentMessages(m.locale);
  const money = (v: string) => formatMoney(v, m.currency, m.locale);
  const out = [
    documentTitle(m.document.type, m.locale),
    m.document.number ?? '',
    m.document.series,
    formatDate(m.document.issueDate, m.locale),
    m.tenant.legalName,
    m.tenant.taxId,
    ...m.tenant.addressLines,
    m.customer.name,
    ...(m.customer.taxId ? [m.customer.taxId] : []),
    ...m.customer.addressLines,
    ...m.lines.flatMap((l) => [
      l.description,
      formatNumber(l.quantity, m.locale),
      money(l.unitPrice),
      money(l.total),
      ...l.discounts.flatMap((d) => [d.explanation, money(d.amount)]),
    ]),
    ...m.taxes.flatMap((t) => [formatRate(t.rate, m.locale), money(t.base), money(t.amount)]),
    money(m.totals.base),
    money(m.totals.tax),
    money(m.totals.total),
    ...m.legalMentions,
  ];
  if (m.document.operationDate && m.document.operationDate !== m.document.issueDate) {
    out.push(msg.operationDate, formatDate(m.document.operationDate, m.locale));
  }
  if (m.document.dueDate) out.push(formatDate(m.document.dueDate, m.locale));
  if (m.amends) {
    const template = m.document.type === 'fee-amendment' ? msg.amendsFee : msg.amends;
    out.push(
      fill(template, { number: m.amends.number, date: formatDate(m.amends.date, m.locale) }),
      m.amends.cause,
      msg.mode[m.amends.mode],
    );
  }
  if (m.totalsInEur) out.push(formatMoney(m.totalsInEur.tax, 'EUR', m.locale), formatNumber(m.totalsInEur.rate, m.locale));
  if (m.paymentInstructions?.iban) out.push(m.paymentInstructions.iban);
  return out.filter(Boolean).map(printed);
}

const cases: [string, (locale: Locale) => BillRenderModel][] = [
  ['invoice', createInvoiceModel],
  ['amendment', createAmendmentModel],
  ['membership fee', createFeeModel],
];

describe.skipIf(!hasPdftotext)('bill PDFs (pdftotext)', () => {
  for (const [name, build] of cases) {
    for (const locale of LOCALES) {
      it(`a ${name} in ${locale} shows every required field`, async () => {
        const model = build(locale);
        const text = pdfText(await renderBillPdf(model), `${name}-${locale}`);
        const missing = requiredStrings(model).filter((s) => !text.includes(s));
        expect(missing, text).toEqual([]);
      });
    }
  }

  it('labels the fields in the model’s language', async () => {
    const es = pdfText(await renderBillPdf(createInvoiceModel('es')), 'labels-es');
    const ca = pdfText(await renderBillPdf(createInvoiceModel('ca')), 'labels-ca');
    const en = pdfText(await renderBillPdf(createInvoiceModel('en')), 'labels-en');
    expect(es).toContain('Fecha de expedición 31/03/2025');
    expect(es).toContain('Base imponible');
    expect(es).toContain('80,45 €');
    expect(ca).toContain("Data d'expedició 31/03/2025");
    expect(ca).toContain('Base imposable');
    expect(en).toContain('Issue date 31 Mar 2025');
    expect(en).toContain('€80.45');
  });

  it('prints reverse charge, the category per tax subtotal and the VAT in EUR of a USD invoice', async () => {
    const model = createReverseChargeUsdModel('es');
    const text = pdfText(await renderBillPdf(model), 'usd-es');
    expect(requiredStrings(model).filter((s) => !text.includes(s))).toEqual([]);
    expect(text).toContain('Inversión del sujeto pasivo');
    expect(text).toContain('Importes en EUR (tipo de cambio 0,9254 EUR por USD)');
    expect(text).toContain('Cuota de IVA en EUR'); // its amount is in requiredStrings (columns reorder in the text)
    expect(text).toContain('1.250,00 $');
  });

  it('prints characters outside the standard font as their base letter, never as wrong glyphs', async () => {
    const text = pdfText(await renderBillPdf(createReverseChargeUsdModel('en')), 'winansi');
    expect(text).toContain('Großhandel Lódz GmbH'); // Ł has no decomposition (fallback table), ź decomposes to z
  });

  it('marks a bill without a number as a draft and a quote by its reference', async () => {
    const draft = createInvoiceModel('es');
    draft.document = { ...draft.document, number: null, reference: 'bil_01JDRAFT' };
    expect(pdfText(await renderBillPdf(draft), 'draft')).toContain('Borrador');
    const quote = createInvoiceModel('ca');
    quote.document = {
      type: 'quote',
      number: null,
      series: 'P',
      reference: 'bil_01JQUOTE',
      issueDate: '2025-03-01',
      validUntil: '2025-03-31',
    };
    const text = pdfText(await renderBillPdf(quote), 'quote');
    expect(text).toContain('Pressupost');
    expect(text).toContain('Referència bil_01JQUOTE');
    expect(text).toContain('Vàlid fins al 31/03/2025');
    expect(text).not.toContain('Esborrany');
  });

  it('continues long bills on further pages with the column headings and page numbers', async () => {
    const model = createInvoiceModel('en');
    const line = model.lines[1]!;
    model.lines = Array.from({ length: 120 }, (_, i) => ({ ...line, description: `Mailbox user${i + 1}@pangea.example` }));
    const pdf = await renderBillPdf(model);
    const file = join(dir, 'long.pdf');
    writeFileSync(file, pdf);
    const info = execFileSync('pdfinfo', [file]).toString();
    const pages = Number(/Pages:\s+(\d+)/.exec(info)?.[1]);
    expect(pages).toBeGreaterThan(1);
    const text = pdfText(pdf, 'long');
    expect(text).toContain(`Page ${pages} of ${pages}`);
    // The column headings repeat on every page the table reaches (the totals may start a page of their own).
    expect(text.split('Description Qty Unit price VAT Amount').length - 1).toBeGreaterThanOrEqual(pages - 1);
    expect(text.split('Description Qty Unit price VAT Amount').length - 1).toBeGreaterThan(1);
    expect(text).toContain('Mailbox user120@pangea.example');
  });

  it('numbers every bill that runs past one page, and skips pagination only for bills that fit one', async () => {
    const pagesOf = async (model: BillRenderModel) => {
      // Paginated layout forced: the page count the model really needs.
      const file = join(dir, 'pages.pdf');
      writeFileSync(file, await renderToBuffer(BillDocument(model, { paginate: true }) as Parameters<typeof renderToBuffer>[0]));
      return Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file]).toString())?.[1]);
    };
    const short = await renderBillPdf(createInvoiceModel('en'));
    expect(pdfText(short, 'short')).not.toContain('Page 1');
    const heavyLine = {
      ...createInvoiceModel().lines[2]!,
      description: 'Long description '.repeat(29),
      discounts: [{ explanation: 'Long discount reason '.repeat(9), amount: '1.00' }],
    };
    let fast = 0;
    for (const build of [createInvoiceModel, createReverseChargeUsdModel]) {
      for (const line of [createInvoiceModel().lines[0]!, heavyLine]) {
        for (const n of [1, 3, 6, 10, 14, 20]) {
          for (const heavy of [false, true]) {
            const model = build('es');
            model.lines = Array.from({ length: n }, () => structuredClone(line));
            if (heavy) {
              model.notes = 'Note '.repeat(120);
              model.customer.addressLines = ['1', '2', '3', '4', '5', '6'];
              model.customer.name = 'Customer with a very long legal name '.repeat(5).trim();
            }
            const pages = await pagesOf(model);
            const label = `${build.name} ${n} lines, heavy ${heavy}: ${pages} page(s), estimate ${variableHeightEstimate(model)}`;
            if (pages > 1) expect(mayNeedSeveralPages(model), label).toBe(true);
            if (certainlyFitsOnePage(model)) {
              fast++;
              expect(pages, label).toBe(1);
            }
          }
        }
      }
    }
    expect(fast).toBeGreaterThan(4); // the sweep does exercise the unpaginated path
    const numbered = createInvoiceModel('es');
    numbered.lines = Array.from({ length: 30 }, () => structuredClone(createInvoiceModel().lines[0]!));
    expect(pdfText(await renderBillPdf(numbered), 'numbered')).toMatch(/Página 1 de \d/);
  });

  it('writes fixed metadata: dates from the issue date, a constant producer', async () => {
    const file = join(dir, 'meta.pdf');
    writeFileSync(file, await renderBillPdf(createInvoiceModel('es')));
    const info = execFileSync('pdfinfo', ['-isodates', file]).toString();
    expect(info).toMatch(/Producer:\s+Consort/);
    expect(info).toMatch(/Creator:\s+Consort/);
    expect(info).toMatch(/CreationDate:\s+2025-03-31T00:00:00/);
    expect(info).toMatch(/Title:\s+Factura F2025\/000123/);
  });
});

describe('bill PDFs (bytes)', () => {
  it('renders the same model to identical bytes, twice and across a pause', async () => {
    for (const model of [createInvoiceModel('es'), createAmendmentModel('ca'), createFeeModel('en'), createReverseChargeUsdModel('en')]) {
      const first = await renderBillPdf(model);
      await new Promise((resolve) => setTimeout(resolve, 1100)); // past a second boundary: no clock in the output
      const second = await renderBillPdf(structuredClone(model));
      expect(first.subarray(0, 5).toString()).toBe('%PDF-');
      expect(sha256(second)).toBe(sha256(first));
    }
  });

  it('renders different bytes for a different model', async () => {
    const a = await renderBillPdf(createInvoiceModel('es'));
    const b = await renderBillPdf(createInvoiceModel('ca'));
    expect(sha256(a)).not.toBe(sha256(b));
  });

  it('refuses a model that breaks the contract', async () => {
    const amendment = createAmendmentModel('es');
    delete amendment.amends;
    await expect(renderBillPdf(amendment)).rejects.toThrow(/must reference the bill it corrects/);
    const usd = createReverseChargeUsdModel('es');
    delete usd.totalsInEur;
    expect(BillRenderModel.safeParse(usd).success).toBe(false);
    const quote = createInvoiceModel('es');
    quote.document = { ...quote.document, type: 'quote' };
    expect(BillRenderModel.safeParse(quote).success).toBe(false);
  });
});
