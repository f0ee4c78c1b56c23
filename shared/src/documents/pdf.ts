import { Document, Font, Image, Page, renderToBuffer, StyleSheet, Text, View } from '@react-pdf/renderer';
import { createElement as h, type ReactElement, type ReactNode } from 'react';
import { countryName, formatDate, formatMoney, formatNumber, formatPeriod, formatRate, toWinAnsi } from './format';
import { documentMessages, fill, type DocumentMessages } from './messages';
import { BillRenderModel, type RenderLine, type RenderTaxSubtotal, type TaxCategory } from './render-model';

// React elements are built with createElement (`h`) rather than JSX: shared/ is compiled by tsc,
// tsx, vitest and esbuild (Lambda bundles) with the root tsconfig, which has no JSX setting, and
// web/ has its own. docs/decisions.md "Bill PDFs".

// Words are never hyphenated: an invoice number or NIF split across lines is a different string to
// a reader (and to pdftotext in the tests). Global, but nothing else in the process renders PDFs.
Font.registerHyphenationCallback((word) => [word]);

/** Producer and creator written into every PDF's info dictionary (constant, for byte-identical output). */
export const PDF_PRODUCER = 'Consort';

const INK = '#1f2933';
const MUTED = '#616e7c';
const RULE = '#cbd2d9';
const ACCENT_BG = '#f0f4f8';

const s = StyleSheet.create({
  page: { paddingTop: 36, paddingBottom: 56, paddingHorizontal: 40, fontFamily: 'Helvetica', fontSize: 9, color: INK },
  // lineHeight lives here, not on the page (there it pushes the absolute footer off the sheet), next to
  // the fontSize it multiplies: react-pdf resolves a unitless lineHeight where it is declared and
  // children inherit the result in points, so larger text below sets its own.
  body: { fontSize: 9, lineHeight: 1.3 },
  header: { flexDirection: 'row', justifyContent: 'space-between', marginBottom: 18 },
  issuer: { width: '55%' },
  logo: { maxWidth: 140, maxHeight: 48, marginBottom: 6, objectFit: 'contain' },
  brand: { fontFamily: 'Helvetica-Bold', fontSize: 14, lineHeight: 1.2, marginBottom: 2 },
  muted: { color: MUTED },
  docBox: { width: '40%', alignItems: 'flex-end' },
  title: { fontFamily: 'Helvetica-Bold', fontSize: 18, lineHeight: 1.2, marginBottom: 6, textAlign: 'right' },
  draft: { fontFamily: 'Helvetica-Bold', color: '#b42318', marginBottom: 6, textAlign: 'right' },
  kv: { flexDirection: 'row', justifyContent: 'flex-end' },
  kvLabel: { color: MUTED, marginRight: 6 },
  kvValue: { fontFamily: 'Helvetica-Bold', minWidth: 70, textAlign: 'right' },
  parties: { flexDirection: 'row', justifyContent: 'space-between', marginBottom: 14 },
  party: { width: '48%', padding: 8, backgroundColor: ACCENT_BG },
  partyLabel: { fontSize: 7.5, lineHeight: 1.3, color: MUTED, textTransform: 'uppercase', marginBottom: 3 },
  partyName: { fontFamily: 'Helvetica-Bold', marginBottom: 1 },
  amends: { borderLeftWidth: 2, borderLeftColor: INK, paddingLeft: 8, marginBottom: 14 },
  bold: { fontFamily: 'Helvetica-Bold' },
  table: { marginBottom: 12 },
  headRow: { flexDirection: 'row', borderBottomWidth: 1, borderBottomColor: INK, paddingBottom: 3, marginBottom: 2 },
  headCell: { fontFamily: 'Helvetica-Bold', fontSize: 8, lineHeight: 1.3 },
  row: { flexDirection: 'row', borderBottomWidth: 0.5, borderBottomColor: RULE, paddingVertical: 4 },
  cDesc: { width: '46%', paddingRight: 6 },
  cQty: { width: '9%', textAlign: 'right' },
  cUnit: { width: '16%', textAlign: 'right' },
  cTax: { width: '11%', textAlign: 'right' },
  cAmount: { width: '18%', textAlign: 'right' },
  sub: { fontSize: 8, lineHeight: 1.3, color: MUTED },
  summary: { flexDirection: 'row', justifyContent: 'space-between', marginBottom: 12 },
  taxTable: { width: '52%' },
  tTax: { width: '40%' },
  tBase: { width: '30%', textAlign: 'right' },
  tAmount: { width: '30%', textAlign: 'right' },
  totals: { width: '40%' },
  totalRow: { flexDirection: 'row', justifyContent: 'space-between', paddingVertical: 2 },
  grandTotal: {
    flexDirection: 'row',
    justifyContent: 'space-between',
    borderTopWidth: 1,
    borderTopColor: INK,
    marginTop: 3,
    paddingTop: 4,
    fontFamily: 'Helvetica-Bold',
    fontSize: 11,
    lineHeight: 1.3,
  },
  block: { marginBottom: 10 },
  blockTitle: { fontFamily: 'Helvetica-Bold', marginBottom: 2 },
  mention: { marginBottom: 2 },
  footer: {
    position: 'absolute',
    bottom: 24,
    left: 40,
    right: 40,
    flexDirection: 'row',
    justifyContent: 'space-between',
    fontSize: 7.5,
    color: MUTED,
    borderTopWidth: 0.5,
    borderTopColor: RULE,
    paddingTop: 4,
  },
});

type Style = (typeof s)[keyof typeof s];

/** Text through the WinAnsi filter (standard fonts); every string on the page goes through here. */
function txt(content: string, style?: Style | Style[], extra: Record<string, unknown> = {}): ReactElement {
  return h(Text, { style, ...extra }, toWinAnsi(content));
}

function view(style: Style | Style[] | undefined, ...children: ReactNode[]): ReactElement {
  return h(View, { style }, ...children);
}

interface Ctx {
  m: BillRenderModel;
  msg: DocumentMessages;
  money: (value: string) => string;
  date: (value: string) => string;
  taxLabel: string;
}

function keyValue(label: string, value: string): ReactElement {
  return view(s.kv, txt(label, s.kvLabel), txt(value, s.kvValue));
}

/** Branding and the document's identification; the issuer's legal data is in the parties row below. */
function header({ msg, date, m }: Ctx): ReactElement {
  const t = m.tenant;
  const d = m.document;
  const rows: ReactElement[] = [];
  if (d.number !== null) rows.push(keyValue(msg.number, d.number));
  else if (d.reference) rows.push(keyValue(msg.reference, d.reference));
  if (d.series) rows.push(keyValue(msg.series, d.series));
  rows.push(keyValue(msg.issueDate, date(d.issueDate)));
  if (d.operationDate && d.operationDate !== d.issueDate) rows.push(keyValue(msg.operationDate, date(d.operationDate)));
  if (d.dueDate) rows.push(keyValue(msg.dueDate, date(d.dueDate)));
  if (d.validUntil) rows.push(keyValue(msg.validUntil, date(d.validUntil)));
  const contact = [t.email, t.phone, t.website].filter(Boolean).join(' · ');
  return view(
    s.header,
    view(s.issuer, t.logo ? h(Image, { src: t.logo, style: s.logo }) : null, txt(t.name, s.brand), contact ? txt(contact, s.muted) : null),
    view(s.docBox, txt(msg.title[d.type], s.title), d.number === null && d.type !== 'quote' ? txt(msg.draft, s.draft) : null, ...rows),
  );
}

function parties({ m, msg }: Ctx): ReactElement {
  const c = m.customer;
  const t = m.tenant;
  return view(
    s.parties,
    view(
      s.party,
      txt(msg.issuer, s.partyLabel),
      txt(t.legalName, s.partyName),
      txt(`${msg.taxId}: ${t.taxId}`),
      ...t.addressLines.map((line) => txt(line)),
      txt(countryName(t.country, m.locale)),
    ),
    view(
      s.party,
      txt(msg.customer, s.partyLabel),
      txt(c.name, s.partyName),
      c.taxId ? txt(`${msg.taxId}: ${c.taxId}`) : null,
      ...c.addressLines.map((line) => txt(line)),
      txt(countryName(c.country, m.locale)),
      c.reference ? txt(`${msg.customerReference}: ${c.reference}`, s.muted) : null,
    ),
  );
}

function amends({ m, msg, date }: Ctx): ReactElement | null {
  const a = m.amends;
  if (!a) return null;
  const template = m.document.type === 'fee-amendment' ? msg.amendsFee : msg.amends;
  return view(
    s.amends,
    txt(fill(template, { number: a.number, date: date(a.date) }), s.bold),
    txt(`${msg.cause}: ${a.cause}`),
    txt(msg.mode[a.mode]),
  );
}

/** What the tax column says for a line or a subtotal: the rate, and the category when it is not plain S. */
function taxText(rate: string, category: TaxCategory | undefined, { m, msg }: Ctx, withCategory: boolean): string {
  const printed = formatRate(rate, m.locale);
  const label = category ? msg.category[category] : '';
  return withCategory && label ? `${printed} · ${label}` : printed;
}

function lineRow(line: RenderLine, ctx: Ctx, index: number): ReactElement {
  const { m, msg, money } = ctx;
  const period = formatPeriod(line.periodStart, line.periodEnd, m.locale);
  return h(
    View,
    { key: index, style: s.row, wrap: false },
    view(
      s.cDesc,
      txt(line.description),
      period ? txt(`${msg.period}: ${period}`, s.sub) : null,
      ...line.discounts.map((d) => txt(`${msg.discount}: ${d.explanation} (-${money(d.amount)})`, s.sub)),
    ),
    txt(formatNumber(line.quantity, m.locale), s.cQty),
    txt(money(line.unitPrice), s.cUnit),
    txt(taxText(line.taxRate, line.taxCategory, ctx, false), s.cTax),
    txt(money(line.total), s.cAmount),
  );
}

function linesTable(ctx: Ctx): ReactElement {
  const { m, msg } = ctx;
  return view(
    s.table,
    h(
      View,
      { style: s.headRow, fixed: true },
      txt(msg.description, [s.headCell, s.cDesc]),
      txt(msg.quantity, [s.headCell, s.cQty]),
      txt(msg.unitPrice, [s.headCell, s.cUnit]),
      txt(ctx.taxLabel, [s.headCell, s.cTax]),
      txt(msg.amount, [s.headCell, s.cAmount]),
    ),
    ...m.lines.map((line, i) => lineRow(line, ctx, i)),
  );
}

function taxRow(tax: RenderTaxSubtotal, ctx: Ctx, index: number): ReactElement {
  const category = tax.category ?? (Number(tax.rate) > 0 ? 'S' : undefined);
  return h(
    View,
    { key: index, style: s.row, wrap: false },
    txt(`${ctx.taxLabel} ${taxText(tax.rate, category, ctx, true)}`, s.tTax),
    txt(ctx.money(tax.base), s.tBase),
    txt(ctx.money(tax.amount), s.tAmount),
  );
}

function summary(ctx: Ctx): ReactElement {
  const { m, msg, money, taxLabel } = ctx;
  return h(
    View,
    { style: s.summary, wrap: false },
    view(
      s.taxTable,
      txt(msg.taxBreakdown, s.blockTitle),
      view(
        s.headRow,
        txt(msg.rate, [s.headCell, s.tTax]),
        txt(msg.base, [s.headCell, s.tBase]),
        txt(msg.taxAmount, [s.headCell, s.tAmount]),
      ),
      ...m.taxes.map((tax, i) => taxRow(tax, ctx, i)),
    ),
    view(
      s.totals,
      view(s.totalRow, txt(msg.subtotal), txt(money(m.totals.base))),
      view(s.totalRow, txt(fill(msg.totalTax, { tax: taxLabel })), txt(money(m.totals.tax))),
      view(s.grandTotal, txt(msg.total), txt(money(m.totals.total))),
    ),
  );
}

function inEur({ m, msg, taxLabel }: Ctx): ReactElement | null {
  const eur = m.totalsInEur;
  if (!eur) return null;
  const euros = (value: string) => formatMoney(value, 'EUR', m.locale);
  return h(
    View,
    { style: s.block, wrap: false },
    txt(fill(msg.inEur, { rate: formatNumber(eur.rate, m.locale), currency: m.currency }), s.blockTitle),
    eur.base ? view(s.totalRow, txt(msg.baseInEur), txt(euros(eur.base))) : null,
    view(s.totalRow, txt(fill(msg.taxInEur, { tax: taxLabel })), txt(euros(eur.tax))),
    eur.total ? view(s.totalRow, txt(msg.totalInEur), txt(euros(eur.total))) : null,
  );
}

function closing({ m, msg }: Ctx): ReactElement[] {
  const out: ReactElement[] = [];
  const p = m.paymentInstructions;
  if (p && (p.method || p.iban || p.text)) {
    out.push(
      h(
        View,
        { key: 'payment', style: s.block, wrap: false },
        txt(msg.payment, s.blockTitle),
        p.method ? txt(p.method) : null,
        p.iban ? txt(`${msg.iban}: ${p.iban}${p.bic ? ` · ${msg.bic}: ${p.bic}` : ''}`) : null,
        p.text ? txt(p.text) : null,
      ),
    );
  }
  if (m.notes) out.push(h(View, { key: 'notes', style: s.block }, txt(msg.notes, s.blockTitle), txt(m.notes)));
  if (m.legalMentions.length) {
    out.push(h(View, { key: 'legal', style: s.block }, ...m.legalMentions.map((mention, i) => txt(mention, s.mention, { key: i }))));
  }
  return out;
}

const TEXT_LINE_PT = 11.7;
const ROW_PADDING_PT = 8.5;
/** Above this estimate a bill may need a second page: it gets "Page x of y". */
const MAY_OVERFLOW_PT = 330;
/**
 * At or below this estimate a bill is laid out as a single page without pagination (react-pdf's
 * `wrap={false}` page: no split-and-relayout pass). Far below MAY_OVERFLOW_PT, because content
 * past the end of an unwrapped page would be cut off; test/integration/documents/pdf.test.ts sweeps
 * bill shapes to check that every bill on this path fits one page.
 */
const CERTAINLY_FITS_PT = 280;

/**
 * Height in points that a bill's variable content adds to the first page's fixed blocks (header,
 * parties, table heading, totals): lines with their periods and discounts, wrapped long texts,
 * extra address lines, tax rows, the amendment and EUR blocks, payment, notes and legal mentions.
 */
export function variableHeightEstimate(m: BillRenderModel): number {
  const wraps = (text: string | undefined, perLine: number) => (text ? Math.ceil(text.length / perLine) : 0);
  const lines = m.lines.reduce(
    (sum, l) =>
      sum +
      ROW_PADDING_PT +
      TEXT_LINE_PT *
        (Math.max(1, wraps(l.description, 55)) +
          (l.periodStart || l.periodEnd ? 1 : 0) +
          l.discounts.reduce((n, d) => n + wraps(`${d.explanation} (-0,00 €)`, 60), 0)),
    0,
  );
  const p = m.paymentInstructions;
  const payment = p ? 2 + (p.iban ? 1 : 0) + (p.method ? 1 : 0) + wraps(p.text, 110) : 0;
  const closing = payment + (m.notes ? 2 + wraps(m.notes, 110) : 0) + m.legalMentions.reduce((n, t) => n + wraps(t, 110), 0);
  const names = wraps(m.tenant.legalName, 50) + wraps(m.customer.name, 50) - 2;
  const addresses = Math.max(m.tenant.addressLines.length, m.customer.addressLines.length + (m.customer.reference ? 1 : 0)) - 3;
  const amends = m.amends ? 24 + TEXT_LINE_PT * wraps(`${m.amends.cause}: `, 110) : 0;
  const eur = m.totalsInEur ? 60 : 0;
  return lines + TEXT_LINE_PT * (closing + names + Math.max(0, addresses)) + amends + eur + Math.max(0, m.taxes.length - 2) * 20;
}

/**
 * Whether the bill may run past one page. "Page x of y" is a dynamic node: react-pdf lays the
 * document out a second time to fill it in, which doubles the rendering time, so one-page bills
 * (nearly all of them) go without it. The estimate errs towards numbering.
 */
export function mayNeedSeveralPages(m: BillRenderModel): boolean {
  return variableHeightEstimate(m) > MAY_OVERFLOW_PT;
}

/** Whether the bill certainly fits one page, so pagination can be skipped (see CERTAINLY_FITS_PT). */
export function certainlyFitsOnePage(m: BillRenderModel): boolean {
  return variableHeightEstimate(m) <= CERTAINLY_FITS_PT;
}

function footer({ m, msg }: Ctx): ReactElement {
  const t = m.tenant;
  const number = m.document.number ?? m.document.reference ?? '';
  return h(
    View,
    { style: s.footer, fixed: true },
    txt(`${t.legalName} · ${msg.taxId} ${t.taxId}${number ? ` · ${msg.title[m.document.type]} ${number}` : ''}`),
    mayNeedSeveralPages(m)
      ? h(Text, {
          render: ({ pageNumber, totalPages }: { pageNumber: number; totalPages: number }) =>
            fill(msg.page, { page: String(pageNumber), pages: String(totalPages) }),
        })
      : null,
  );
}

/**
 * The bill as a react-pdf element tree (exported for previews and tests; use renderBillPdf for bytes).
 * `paginate` forces the paginated layout even for bills that certainly fit one page.
 */
export function BillDocument(model: BillRenderModel, options: { paginate?: boolean } = {}): ReactElement {
  const msg = documentMessages(model.locale);
  const ctx: Ctx = {
    m: model,
    msg,
    money: (value) => formatMoney(value, model.currency, model.locale),
    date: (value) => formatDate(value, model.locale),
    taxLabel: model.taxLabel ?? msg.vat,
  };
  // Fixed metadata: the info dictionary's dates come from the issue date (midnight UTC), so the same
  // model gives the same bytes on any day and machine.
  const issued = new Date(`${model.document.issueDate}T00:00:00Z`);
  const title = [msg.title[model.document.type], model.document.number ?? model.document.reference].filter(Boolean).join(' ');
  return h(
    Document,
    {
      title: toWinAnsi(title),
      author: toWinAnsi(model.tenant.legalName),
      subject: toWinAnsi(title),
      creator: PDF_PRODUCER,
      producer: PDF_PRODUCER,
      language: model.locale,
      creationDate: issued,
      modificationDate: issued,
    },
    h(
      Page,
      { size: 'A4', style: s.page, wrap: options.paginate || !certainlyFitsOnePage(model) },
      view(s.body, header(ctx), parties(ctx), amends(ctx), linesTable(ctx), summary(ctx), inEur(ctx), ...closing(ctx)),
      footer(ctx),
    ),
  );
}

/**
 * Render a bill to PDF bytes. Deterministic: the same model gives byte-identical output (fixed
 * metadata, no fonts or images fetched, no clock read), which `regenerateBillPdf` relies on.
 *
 * @example
 * const pdf = await renderBillPdf(model); // Buffer starting with %PDF-
 */
export async function renderBillPdf(model: BillRenderModel): Promise<Buffer> {
  const parsed = BillRenderModel.parse(model);
  return renderToBuffer(BillDocument(parsed) as Parameters<typeof renderToBuffer>[0]);
}
