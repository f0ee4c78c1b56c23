import { describe, expect, it } from 'vitest';
import { amendmentLines, isTooLateToAmend, priceBill, type PricingContext } from '@consort/shared/bills/compute';
import { DEFAULT_BILL_SETTINGS, type Bill, type BillLine, type BillSettings } from '@consort/shared/bills/model';
import { fiscalYearOf, formatNumber, parseNumber } from '@consort/shared/bills/numbering';
import { buildRenderModel, issueIssues, type RenderContext } from '@consort/shared/bills/render';
import { taxRulesFor } from '@consort/shared/bills/tax/index';
import { fixedClock } from '@consort/shared/core/clock';
import { Money } from '@consort/shared/core/money';
import { todayIn } from '@consort/shared/core/today';
import { BillRenderModel } from '@consort/shared/documents/render-model';

// Amendments, numbering and the frozen render model: pure functions, no store.

const settings: BillSettings = {
  ...DEFAULT_BILL_SETTINGS,
  issuer: {
    legalName: 'Pangea Associació',
    taxId: 'G12345678',
    addressLines: ['C/ Major 1', '08001 Barcelona'],
    email: 'bills@pangea.example',
    logo: null,
  },
};

const account: RenderContext['account'] = {
  id: 'acc_1',
  name: 'Maria Puig',
  email: 'maria@example.org',
  address: 'C/ Nou 5',
  city: 'Girona',
  postcode: '17001',
  country: 'ES',
  type: 'individual',
};
const ctx: RenderContext = { tenant: { name: 'Pangea', country: 'ES', locale: 'ca' }, settings, account };
const pricing: PricingContext = { rules: taxRulesFor('ES'), feeMode: 'receipt', customer: account, locale: 'ca' };

let n = 0;
const ids = () => `bln_${++n}`;

function line(id: string, total: string, overrides: Partial<BillLine> = {}): BillLine {
  return {
    id,
    kind: 'charge',
    orderId: `ord_${id}`,
    description: `Hosting ${id}`,
    periodStart: '2026-01-01',
    periodEnd: '2026-02-01',
    quantity: new Money(2),
    unitPrice: new Money(total).dividedBy(2),
    subtotal: new Money(total),
    discounts: [],
    total: new Money(total),
    taxCategory: 'standard',
    tax: { code: 'S', rate: new Money(21) },
    previousBilledUntil: '2026-01-01',
    ...overrides,
  };
}

function issuedInvoice(): Bill {
  const bill: Bill = {
    tenantId: 'tnt_1',
    id: 'bil_orig',
    accountId: 'acc_1',
    type: 'invoice',
    state: 'sent',
    currency: 'EUR',
    fiscalYear: 2026,
    series: 'I2026',
    sequence: 7,
    number: 'I2026-0007',
    issuedOn: '2026-02-03',
    dueOn: '2026-03-05',
    lines: [line('a', '100.00'), line('b', '20.00', { taxCategory: 'reduced', tax: { code: 'S', rate: new Money(10) } })],
    effects: [],
    totals: { base: new Money(0), tax: new Money(0), total: new Money(0), taxes: [] },
    audit: [],
    version: 3,
    createdAt: '2026-02-01T09:00:00.000Z',
    updatedAt: '2026-02-03T09:00:00.000Z',
  };
  return priceBill(bill, pricing);
}

describe('amendment lines', () => {
  const original = issuedInvoice();

  it('automatic by differences: every line negated, pointing at the line it corrects, no order attached', () => {
    const lines = amendmentLines(original, 'differences', undefined, ids);
    expect(lines.map((l) => [l.amendsLineId, l.kind, l.quantity.toFixed(), l.total.toFixed(2), l.tax.rate.toFixed()])).toEqual([
      ['a', 'amendment', '-2', '-100.00', '21'],
      ['b', 'amendment', '-2', '-20.00', '10'],
    ]);
    expect(lines.every((l) => l.orderId === undefined && l.previousBilledUntil === undefined)).toBe(true);
    const totals = priceBill({ type: 'amendment', lines, totals: original.totals }, pricing).totals;
    expect(totals.total.eq(original.totals.total.negated())).toBe(true);
  });

  it('automatic by substitution: every line restated at zero', () => {
    const lines = amendmentLines(original, 'substitution', undefined, ids);
    expect(lines.map((l) => [l.amendsLineId, l.total.toFixed(2)])).toEqual([
      ['a', '0.00'],
      ['b', '0.00'],
    ]);
  });

  it('manual by differences: one line per corrected line with correct − issued; unchanged lines left out', () => {
    const lines = amendmentLines(
      original,
      'differences',
      [
        { lineId: 'a', total: new Money('80.00') },
        { lineId: 'b', total: new Money('20.00') },
      ],
      ids,
    );
    expect(lines.map((l) => [l.amendsLineId, l.total.toFixed(2), l.description])).toEqual([['a', '-20.00', 'Hosting a']]);
  });

  it('manual by substitution: the whole bill restated with the corrected amounts', () => {
    const lines = amendmentLines(original, 'substitution', [{ lineId: 'b', total: new Money('15.00') }], ids);
    expect(lines.map((l) => [l.amendsLineId, l.total.toFixed(2)])).toEqual([
      ['a', '100.00'],
      ['b', '15.00'],
    ]);
  });

  it('refuses lines that are not on the original', () => {
    expect(() => amendmentLines(original, 'differences', [{ lineId: 'zz', total: new Money(1) }], ids)).toThrow(RangeError);
  });

  it('stops 4 years after issue', () => {
    expect(isTooLateToAmend('2026-02-03', '2030-02-03')).toBe(false);
    expect(isTooLateToAmend('2026-02-03', '2030-02-04')).toBe(true);
  });

  it('puts the original’s number, date, cause and mode in the amendment’s document', () => {
    const amendment: Bill = priceBill(
      {
        ...original,
        id: 'bil_amend',
        type: 'amendment',
        state: 'closed',
        series: 'A2026',
        sequence: 1,
        number: 'A2026-0001',
        issuedOn: '2026-04-10',
        dueOn: '2026-05-10',
        lines: amendmentLines(original, 'differences', undefined, ids),
        amends: {
          billId: original.id,
          number: 'I2026-0007',
          issuedOn: '2026-02-03',
          cause: 'Duplicated charge',
          mode: 'differences',
          original: { base: original.totals.base, tax: original.totals.tax, total: original.totals.total },
        },
      },
      pricing,
    );
    const model = buildRenderModel(amendment, ctx);
    expect(model.amends).toEqual({ number: 'I2026-0007', date: '2026-02-03', cause: 'Duplicated charge', mode: 'differences' });
    expect(model.document).toMatchObject({ type: 'amendment', number: 'A2026-0001', series: 'A2026', issueDate: '2026-04-10' });
    expect(model.totals).toEqual({ base: '-120.00', tax: '-23.00', total: '-143.00' });
  });
});

describe('render model', () => {
  it('freezes issuer, customer, lines, taxes per rate and totals as strings', () => {
    const bill = issuedInvoice();
    const model = buildRenderModel(bill, ctx);
    expect(BillRenderModel.safeParse(model).success).toBe(true);
    expect(model.locale).toBe('ca');
    expect(model.tenant).toMatchObject({ name: 'Pangea', legalName: 'Pangea Associació', taxId: 'G12345678' });
    expect(model.customer).toMatchObject({ name: 'Maria Puig', addressLines: ['C/ Nou 5', '17001 Girona'], country: 'ES' });
    expect(model.document).toMatchObject({ type: 'invoice', number: 'I2026-0007', issueDate: '2026-02-03', dueDate: '2026-03-05' });
    expect(model.lines[0]).toMatchObject({ quantity: '2', unitPrice: '50', taxCategory: 'S', taxRate: '21', total: '100.00' });
    expect(model.taxes).toEqual([
      { rate: '21', base: '100.00', amount: '21.00', category: 'S' },
      { rate: '10', base: '20.00', amount: '2.00', category: 'S' },
    ]);
    expect(model.totals).toEqual({ base: '120.00', tax: '23.00', total: '143.00' });
  });

  it('gives quotes no number, only their reference', () => {
    const quote = { ...issuedInvoice(), type: 'quote' as const, number: undefined, sequence: undefined, series: undefined };
    const model = buildRenderModel(quote, ctx);
    expect(model.document).toMatchObject({ type: 'quote', number: null, reference: 'bil_orig', validUntil: '2026-03-05' });
  });

  it('marks fee receipts as not being invoices and shows no tax', () => {
    const fee = priceBill({ ...issuedInvoice(), type: 'fee' as const, number: 'F2026-0001' }, pricing);
    const model = buildRenderModel(fee, ctx);
    expect(model.taxes).toEqual([]);
    expect(model.totals.tax).toBe('0.00');
    expect(model.legalMentions).toEqual(['Rebut de quota de soci: aquest document no és una factura']);
  });

  it('lists what is missing before a bill can be issued, field by field', () => {
    const empty: RenderContext = {
      ...ctx,
      settings: DEFAULT_BILL_SETTINGS,
      account: { ...account, address: undefined, city: undefined, postcode: undefined, type: 'company' },
    };
    const issues = issueIssues({ type: 'invoice', lines: [], currency: 'USD' }, empty);
    expect(issues.map((i) => i.path.join('.'))).toEqual([
      'settings.issuer.legalName',
      'settings.issuer.taxId',
      'settings.issuer.addressLines',
      'lines',
      'account.address',
      'account.vatId',
      'exchangeRate',
    ]);
    expect(issueIssues(issuedInvoice(), ctx)).toEqual([]);
  });

  it('states the tax in EUR for non-EUR Spanish bills', () => {
    const bill = { ...issuedInvoice(), currency: 'USD', exchangeRate: '0.9' };
    expect(buildRenderModel(bill, ctx).totalsInEur).toEqual({ rate: '0.9', tax: '20.70', base: '108.00', total: '128.70' });
  });
});

describe('numbering', () => {
  it('formats and reads back numbers with the tenant’s prefixes', () => {
    expect(formatNumber({ prefix: 'I', digits: 4 }, 2026, 12)).toBe('I2026-0012');
    expect(formatNumber({ prefix: 'FAC/', digits: 2 }, 2026, 123)).toBe('FAC/2026-123');
    const series = {
      ...DEFAULT_BILL_SETTINGS.series,
      invoice: { prefix: 'F', digits: 4, dueDays: 30 },
      fee: { prefix: 'FA', digits: 4, dueDays: 0 },
    };
    expect(parseNumber('FA2026-0003', series)).toEqual([{ type: 'fee', year: 2026, sequence: 3 }]);
    expect(parseNumber('F2026-0003', series)).toEqual([{ type: 'invoice', year: 2026, sequence: 3 }]);
    expect(parseNumber('nonsense', series)).toEqual([]);
  });

  it('takes the fiscal year from the day in the tenant’s time zone', () => {
    const clock = fixedClock('2026-12-31T22:59:59Z');
    expect(fiscalYearOf(todayIn(clock, 'Europe/Madrid'))).toBe(2026);
    clock.set('2026-12-31T23:00:00Z');
    expect(fiscalYearOf(todayIn(clock, 'Europe/Madrid'))).toBe(2027);
    expect(fiscalYearOf(todayIn(clock, 'UTC'))).toBe(2026);
  });
});

describe('lines from the engine', () => {
  it('keeps repeating unit prices readable and stores them exactly enough', async () => {
    const { lineFromProposal } = await import('@consort/shared/bills/compute');
    const { Bill, billToJSON } = await import('@consort/shared/bills/model');
    const line = lineFromProposal(
      {
        kind: 'refund',
        orderId: 'ord_1',
        accountId: 'acc_1',
        serviceId: 'svc_1',
        billableServiceId: 'bsv_1',
        description: 'Refund',
        periodStart: '2026-01-01',
        periodEnd: '2026-02-01',
        size: new Money(1),
        quantity: new Money(3),
        unitPrice: new Money(10).dividedBy(3),
        subtotal: new Money('-10.00'),
        discounts: [],
        total: new Money('-10.00'),
        isFee: false,
        taxCategory: 'standard',
        currency: 'EUR',
        explanation: 'x'.repeat(5000),
      },
      'bln_1',
      '2026-02-01',
    );
    expect(line.unitPrice.toFixed()).toBe('3.333333333333');
    expect(line.explanation).toHaveLength(4000);
    const bill = issuedInvoiceWith(line);
    expect(Bill.parse(JSON.parse(JSON.stringify(billToJSON(bill)))).lines[0]!.unitPrice.toFixed()).toBe('3.333333333333');
  });
});

function issuedInvoiceWith(l: BillLine): Bill {
  return { ...priceBill({ ...issuedInvoiceBase(), lines: [l] }, pricing) };
}

function issuedInvoiceBase(): Bill {
  return {
    tenantId: 'tnt_1',
    id: 'bil_x',
    accountId: 'acc_1',
    type: 'invoice',
    state: 'open',
    currency: 'EUR',
    lines: [],
    effects: [],
    totals: { base: new Money(0), tax: new Money(0), total: new Money(0), taxes: [] },
    audit: [],
    version: 0,
    createdAt: '2026-02-01T09:00:00.000Z',
    updatedAt: '2026-02-01T09:00:00.000Z',
  };
}
