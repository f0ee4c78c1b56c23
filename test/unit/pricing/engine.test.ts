import { describe, expect, it } from 'vitest';
import type { BillableService, ContractedPack, Pack } from '@consort/shared/catalog/model';
import type { Order } from '@consort/shared/orders/model';
import {
  lineProposalFromJSON,
  lineProposalToJSON,
  proposeLines,
  type EngineSettings,
  type LineProposal,
} from '@consort/shared/pricing/engine';
import { createMockContract, createMockDefinition, createMockOrder, createMockPack } from '../../fixtures/factories/billing';

// Every expected figure below is worked out by hand in the comments. Sizes follow the rule: whole months
// plus the remaining days ÷ the days in the month of the period's END (annual: ÷ the days of the end's year),
// rounded half-up to 2 decimals; money = price × size rounded half-up to cents.

interface Bill {
  definitions: BillableService[];
  orders: Order[];
  billUntil: string;
  today?: string;
  packs?: Pack[];
  contracts?: ContractedPack[];
  settings?: Partial<EngineSettings>;
  orderIds?: string[];
}

function bill(b: Bill) {
  const packsByAccount: Record<string, ContractedPack[]> = {};
  for (const c of b.contracts ?? []) (packsByAccount[c.accountId] ??= []).push(c);
  const result = proposeLines({
    settings: { currency: 'EUR', ...b.settings },
    definitions: b.definitions,
    packs: b.packs ?? [],
    packsByAccount,
    orders: b.orders,
    billUntil: b.billUntil,
    today: b.today ?? b.billUntil,
    ...(b.orderIds ? { orderIds: b.orderIds } : {}),
  });
  for (const p of result.proposals) {
    // Invariant: the total is exactly the subtotal plus the sub-lines, all in cents.
    expect(p.total.eq(p.discounts.reduce((sum, d) => sum.plus(d.amount), p.subtotal))).toBe(true);
    for (const amount of [p.subtotal, p.total, ...p.discounts.map((d) => d.amount)]) expect(amount.decimalPlaces()).toBeLessThanOrEqual(2);
    expect(lineProposalFromJSON(JSON.parse(JSON.stringify(lineProposalToJSON(p))))).toEqual(p);
  }
  return { ...result, lines: result.proposals.map(short) };
}

/** A compact, readable form of a proposal for assertions. */
function short(p: LineProposal) {
  const json = lineProposalToJSON(p);
  return {
    kind: json.kind,
    order: json.orderId,
    period: `${json.periodStart}..${json.periodEnd}`,
    size: json.size,
    quantity: json.quantity,
    subtotal: json.subtotal,
    discounts: json.discounts.map((d) => `${d.reason} ${d.amount}`),
    total: json.total,
  };
}

const line = (
  order: string,
  period: string,
  size: string,
  subtotal: string,
  total = subtotal,
  discounts: string[] = [],
  quantity = '1',
  kind = 'charge',
) => ({
  kind,
  order,
  period,
  size,
  quantity,
  subtotal,
  discounts,
  total,
});

// The thesis table (§1.3.3.2): Default 1–4 @15, 5–9 @10, 10+ @5; Organisation member (contracted) 1 @0, 2+ @10.
function thesisPacks(serviceId: string): Pack[] {
  return [
    createMockPack({
      id: 'pck_default',
      name: 'Default',
      isDefault: true,
      rates: [
        { billableServiceId: serviceId, from: 1, price: '15' },
        { billableServiceId: serviceId, from: 5, price: '10' },
        { billableServiceId: serviceId, from: 10, price: '5' },
      ],
      createdAt: '2024-01-01T00:00:00Z',
    }),
    createMockPack({
      id: 'pck_org',
      name: 'Organisation',
      isDefault: false,
      rates: [
        { billableServiceId: serviceId, from: 1, price: '0' },
        { billableServiceId: serviceId, from: 2, price: '10' },
      ],
      createdAt: '2024-01-02T00:00:00Z',
    }),
  ];
}

const mailbox = createMockDefinition({ id: 'bsv_mailbox', name: 'Mailbox', nominalPrice: '10.00' });

describe('billing periods and proration', () => {
  it('prorates the first period of a fixed billing point (prepay, monthly, day 1)', () => {
    // Registered 15 Mar 2024, billed the same day: prepay bills to the 1st of the next month, 1 Apr.
    // Size 15 Mar → 1 Apr = 0 months + 17 days ÷ 30 (April) = 0.5667 → 0.57; 10.00 × 0.57 = 5.70.
    const r = bill({ definitions: [mailbox], orders: [createMockOrder()], billUntil: '2024-03-15' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2024-04-01', '0.57', '5.70')]);
    expect(r.updates).toEqual([{ orderId: 'ord_1', billedOn: '2024-03-15', billedUntil: '2024-04-01' }]);
    expect(r.proposals[0]!.explanation).toBe(
      'Mailbox info@example.org: 1 × Mailbox: 1 × 10.00 at the list price = 10.00; this is the 1st, at 10.00 a month; 10.00 a month × 0.57 of a month (15 Mar – 1 Apr 2024) = 5.70.',
    );
    expect(r.proposals[0]).toMatchObject({
      currency: 'EUR',
      isFee: false,
      taxCategory: 'standard',
      serviceId: 'svc_1',
      billableServiceId: 'bsv_mailbox',
      description: 'Mailbox info@example.org',
    });
  });

  it('bills several periods at once up to the bill-until date, one proposal per period', () => {
    // Bill until 20 May: prepay point 1 Jun. Periods 15 Mar–1 Apr (0.57), Apr (1), May (1).
    const r = bill({ definitions: [mailbox], orders: [createMockOrder()], billUntil: '2024-05-20' });
    expect(r.lines).toEqual([
      line('ord_1', '2024-03-15..2024-04-01', '0.57', '5.70'),
      line('ord_1', '2024-04-01..2024-05-01', '1.00', '10.00'),
      line('ord_1', '2024-05-01..2024-06-01', '1.00', '10.00'),
    ]);
    expect(r.updates[0]!.billedUntil).toBe('2024-06-01');
    // Already billed: nothing more until the next period.
    const again = bill({
      definitions: [mailbox],
      orders: [createMockOrder({ billedUntil: '2024-06-01', billedOn: '2024-05-20' })],
      billUntil: '2024-05-31',
    });
    expect(again.lines).toEqual([]);
    expect(again.skipped).toEqual([{ orderId: 'ord_1', reason: 'up-to-date', explanation: 'Billed until 1 Jun 2024' }]);
  });

  it('uses the tenant fixed point or the definition’s, and the registration day for on-register', () => {
    // Fixed on the 10th (tenant setting): registered 15 Mar, prepay → 10 Apr. 15 Mar → 10 Apr = 26 days ÷ 30 = 0.8667 → 0.87.
    const tenantDay = bill({ definitions: [mailbox], orders: [createMockOrder()], billUntil: '2024-03-15', settings: { fixedDay: 10 } });
    expect(tenantDay.lines).toEqual([line('ord_1', '2024-03-15..2024-04-10', '0.87', '8.70')]);
    // On-register, registered on 31 Jan, billed until 1 Mar: prepay → the anchor day (31st, clamped) of April = 30 Apr.
    // Periods end on the 31st clamped, without drift: 29 Feb, 31 Mar, 30 Apr. Each is a whole period: 1.00
    // (the calendar rule alone would give 29 Feb → 31 Mar = 1 month + 2/31 = 1.06; see docs/decisions.md).
    const onRegister = { ...mailbox, billingPoint: 'on-register' as const };
    const r = bill({ definitions: [onRegister], orders: [createMockOrder({ registeredOn: '2024-01-31' })], billUntil: '2024-03-01' });
    expect(r.lines).toEqual([
      line('ord_1', '2024-01-31..2024-02-29', '1.00', '10.00'),
      line('ord_1', '2024-02-29..2024-03-31', '1.00', '10.00'),
      line('ord_1', '2024-03-31..2024-04-30', '1.00', '10.00'),
    ]);
  });

  it('bills quarterly and half-yearly periods anchored on the tenant month', () => {
    // Quarterly from January: registered 10 Feb → 1 Apr. 10 Feb + 1 month = 10 Mar, + 22 days → (1 + 22/30) ÷ 3
    // = 0.5778 → 0.58; 30.00 × 0.58 = 17.40.
    const quarterly = createMockDefinition({ id: 'bsv_q', name: 'Backup', billingPeriod: 'quarterly', nominalPrice: '30.00' });
    const order = createMockOrder({ billableServiceId: 'bsv_q', registeredOn: '2024-02-10' });
    expect(bill({ definitions: [quarterly], orders: [order], billUntil: '2024-02-10' }).lines).toEqual([
      line('ord_1', '2024-02-10..2024-04-01', '0.58', '17.40'),
    ]);
    // Quarters from February (tenant fixedMonth 2): → 1 May. 2 months (10 Apr) + 21 days ÷ 31 (May) = 2.6774 ÷ 3 = 0.8925 → 0.89.
    expect(bill({ definitions: [quarterly], orders: [order], billUntil: '2024-02-10', settings: { fixedMonth: 2 } }).lines).toEqual([
      line('ord_1', '2024-02-10..2024-05-01', '0.89', '26.70'),
    ]);
    // Half-yearly from January: registered 10 Feb → 1 Jul: 4 months (10 Jun) + 21 days ÷ 31 (July) = 4.6774 ÷ 6 = 0.7796 → 0.78.
    const half = { ...quarterly, billingPeriod: 'half-yearly' as const, nominalPrice: quarterly.nominalPrice.times(2) };
    expect(bill({ definitions: [half], orders: [order], billUntil: '2024-02-10' }).lines).toEqual([
      line('ord_1', '2024-02-10..2024-07-01', '0.78', '46.80'),
    ]);
  });

  it('prices an annual service by the month when the pricing period is monthly', () => {
    // Annual on 1 Jan, 5.00 a month: 15 Mar 2024 → 1 Jan 2025 = 9 months + 17 days ÷ 31 = 9.55 months → 47.75.
    const annual = createMockDefinition({
      id: 'bsv_a',
      name: 'Hosting',
      billingPeriod: 'annual',
      pricingPeriod: 'monthly',
      nominalPrice: '5.00',
    });
    const r = bill({ definitions: [annual], orders: [createMockOrder({ billableServiceId: 'bsv_a' })], billUntil: '2024-03-15' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2025-01-01', '9.55', '47.75')]);
    expect(r.proposals[0]!.explanation).toContain('5.00 a month × 9.55 months (15 Mar 2024 – 1 Jan 2025) = 47.75');
  });

  it('postpay bills only periods that have ended, by the bill-until date and by today', () => {
    // Postpay monthly on-register from 20 Jan. On 5 Mar the period 20 Feb – 20 Mar is still running: bill 20 Jan – 20 Feb.
    const postpay = { ...mailbox, paymentStyle: 'postpay' as const, billingPoint: 'on-register' as const, onCancel: 'discount' as const };
    const order = createMockOrder({ registeredOn: '2024-01-20' });
    expect(bill({ definitions: [postpay], orders: [order], billUntil: '2024-03-05' }).lines).toEqual([
      line('ord_1', '2024-01-20..2024-02-20', '1.00', '10.00'),
    ]);
    // A bill-until date in the future does not bill unused postpaid time: today caps it.
    expect(bill({ definitions: [postpay], orders: [order], billUntil: '2024-12-31', today: '2024-03-05' }).lines).toHaveLength(1);
  });
});

describe('on register', () => {
  const order = createMockOrder({ registeredOn: '2024-03-15' });

  it('full: the first partial period costs a whole period', () => {
    const full = { ...mailbox, onRegister: 'full' as const };
    const r = bill({ definitions: [full], orders: [order], billUntil: '2024-03-15' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2024-04-01', '1.00', '10.00')]);
    expect(r.proposals[0]!.explanation).toContain('registered on 15 Mar 2024; the first period is charged whole');
  });

  it('discount-to-billing-point: the whole period, minus the part before registration as a visible discount', () => {
    // Whole March = 1.00 → 10.00; 1 Mar – 15 Mar discounted: 1.00 − 0.57 = 0.43 → −4.30; total 5.70 (= prorate).
    const discount = { ...mailbox, onRegister: 'discount-to-billing-point' as const };
    const r = bill({ definitions: [discount], orders: [order], billUntil: '2024-03-15' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2024-04-01', '1.00', '10.00', '5.70', ['prorate -4.30'])]);
    expect(r.proposals[0]!.discounts[0]!.explanation).toBe(
      'Registered on 15 Mar 2024: 0.43 of a month before it (1 Mar – 15 Mar 2024) discounted, 10.00 × 0.43 = −4.30',
    );
  });

  it('thesis: a mail account ordered in February with an April billing point', () => {
    // Annual, fixed 1 April, 120.00 a year. Registered 10 Feb 2024 → billed to 1 Apr 2024.
    // Partial: 10 Feb → 1 Apr = 1 month (10 Mar) + 22 days → 1/12 + 22/366 = 0.0833 + 0.0601 = 0.1434 → 0.14.
    // Whole year 1 Apr 2023 → 1 Apr 2024 = 1.00 → 120.00; discount 0.86 × 120.00 = −103.20; total 16.80 (= 0.14 × 120).
    const annual = createMockDefinition({
      id: 'bsv_mail',
      name: 'Mail account',
      billingPeriod: 'annual',
      fixedMonth: 4,
      nominalPrice: '120.00',
      onRegister: 'discount-to-billing-point',
    });
    const r = bill({
      definitions: [annual],
      orders: [createMockOrder({ billableServiceId: 'bsv_mail', registeredOn: '2024-02-10' })],
      billUntil: '2024-02-10',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-02-10..2024-04-01', '1.00', '120.00', '16.80', ['prorate -103.20'])]);
  });

  it('registration on a boundary is a whole period under every policy', () => {
    for (const onRegister of ['prorate', 'full', 'discount-to-billing-point'] as const) {
      const r = bill({
        definitions: [{ ...mailbox, onRegister }],
        orders: [createMockOrder({ registeredOn: '2024-03-01' })],
        billUntil: '2024-03-01',
      });
      expect(r.lines).toEqual([line('ord_1', '2024-03-01..2024-04-01', '1.00', '10.00')]);
    }
  });
});

describe('concurrent orders: the nth service pays the nth price', () => {
  const nominal15 = { ...mailbox, nominalPrice: mailbox.nominalPrice.plus(5) }; // 15.00, the thesis's list price
  const packs = thesisPacks('bsv_mailbox');
  const contract = createMockContract({ packId: 'pck_org', startsOn: '2020-01-01' });
  const three = ['m1', 'm2', 'm3'].map((id) =>
    createMockOrder({ id, description: `${id}@example.org`, registeredOn: '2024-01-01', billedUntil: '2024-02-01' }),
  );

  it('prices positions by the progressive table with the Organisation pack', () => {
    // 3 mailboxes, February: progressive n=3 = 1 @0 (Organisation) + 2 @10 (Organisation) = 20.
    // m1 (1st) 0.00: list 15.00 − pack 15.00; m2 and m3 (2nd, 3rd) 10.00: list 15.00 − pack 5.00.
    const r = bill({ definitions: [nominal15], packs, contracts: [contract], orders: three, billUntil: '2024-02-01' });
    expect(r.lines).toEqual([
      line('m1', '2024-02-01..2024-03-01', '1.00', '15.00', '0.00', ['pack -15.00']),
      line('m2', '2024-02-01..2024-03-01', '1.00', '15.00', '10.00', ['pack -5.00']),
      line('m3', '2024-02-01..2024-03-01', '1.00', '15.00', '10.00', ['pack -5.00']),
    ]);
    expect(r.proposals[2]!.explanation).toBe(
      'Mailbox m3@example.org: 3 × Mailbox: 1 free in Organisation, 2 × 10.00 in Organisation = 20.00; this is the 3rd, at 10.00 a month; 10.00 a month × 1 month (1 Feb – 1 Mar 2024) = 10.00.',
    );
  });

  it('without the pack: the Default table; ignored orders take no position', () => {
    // Default alone, n=3: 3 @15 → each 15.00, no pack line (the pack price equals the list price).
    const r = bill({ definitions: [nominal15], packs, orders: three, billUntil: '2024-02-01' });
    expect(r.lines.map((l) => l.total)).toEqual(['15.00', '15.00', '15.00']);
    // With the Organisation pack and m1 ignored: m2 is 1st (free), m3 2nd (10.00).
    const ignored = bill({
      definitions: [nominal15],
      packs,
      contracts: [contract],
      orders: [{ ...three[0]!, ignored: true }, three[1]!, three[2]!],
      billUntil: '2024-02-01',
    });
    expect(ignored.lines.map((l) => [l.order, l.total])).toEqual([
      ['m2', '0.00'],
      ['m3', '10.00'],
    ]);
    expect(ignored.skipped).toEqual([{ orderId: 'm1', reason: 'ignored', explanation: 'The order is marked ignored' }]);
  });

  it('bills only the selected orders but counts all of them for positions', () => {
    const r = bill({ definitions: [nominal15], packs, contracts: [contract], orders: three, billUntil: '2024-02-01', orderIds: ['m3'] });
    expect(r.lines).toEqual([line('m3', '2024-02-01..2024-03-01', '1.00', '15.00', '10.00', ['pack -5.00'])]);
    expect(r.updates.map((u) => u.orderId)).toEqual(['m3']);
  });

  it('cuts a period where the set of active orders changes, weighing prices by days', () => {
    // Default pack: first mailbox free, then 10.00. m1 (1 Jan) cancelled 15 Feb (discount); m2 since 10 Jan.
    // m1, 1–15 Feb: point cut at the cancellation; 14 days ÷ 29 = 0.4828 → 0.48; 1st of 2 → free: 4.80 − 4.80 = 0.
    // m2, February: 1–15 Feb 2nd of 2 at 10.00 (14 days), 15 Feb – 1 Mar 1st of 1 at 0 (15 days):
    //   by days 10.00 × 14/29 = 4.8276 a month; × 1.00 → 4.83. List 10.00, pack −5.17.
    const firstFree = [
      createMockPack({
        rates: [
          { billableServiceId: 'bsv_mailbox', from: 1, price: '0' },
          { billableServiceId: 'bsv_mailbox', from: 2, price: '10' },
        ],
      }),
    ];
    const m1 = createMockOrder({ id: 'm1', registeredOn: '2024-01-01', billedUntil: '2024-02-01', cancelledOn: '2024-02-15' });
    const m2 = createMockOrder({ id: 'm2', registeredOn: '2024-01-10', billedUntil: '2024-02-01' });
    const r = bill({ definitions: [mailbox], packs: firstFree, orders: [m1, m2], billUntil: '2024-02-01' });
    expect(r.lines).toEqual([
      line('m1', '2024-02-01..2024-02-15', '0.48', '4.80', '0.00', ['pack -4.80']),
      line('m2', '2024-02-01..2024-03-01', '1.00', '10.00', '4.83', ['pack -5.17']),
    ]);
    expect(r.proposals[1]!.explanation).toContain(
      'the price changed during the period — 14 days 1 Feb – 15 Feb 2024: 2 × Mailbox: 1 free in Default, 1 × 10.00 in Default = 10.00; this is the 2nd, at 10.00; 15 days 15 Feb – 1 Mar 2024: 1 × Mailbox: 1 free in Default = 0.00; this is the 1st, at 0.00; by days, on average 4.83',
    );
  });

  it('applies a pack from the day its contract starts', () => {
    // One mailbox at 15.00 (Default 1 @15); Organisation contracted from 15 Feb: 1 @0.
    // 14 days at 15.00 + 15 days at 0 → 15.00 × 14/29 = 7.2414 → 7.24; pack −7.76.
    const late = createMockContract({ packId: 'pck_org', startsOn: '2024-02-15' });
    const r = bill({ definitions: [nominal15], packs, contracts: [late], orders: [three[0]!], billUntil: '2024-02-01' });
    expect(r.lines).toEqual([line('m1', '2024-02-01..2024-03-01', '1.00', '15.00', '7.24', ['pack -7.76'])]);
  });

  it('uses best and match prices for positions too', () => {
    // 10 mailboxes with Organisation: best n=10 = 1 @0 + 9 @5; match n=10 = 10 @5.
    const ten = Array.from({ length: 10 }, (_, i) =>
      createMockOrder({ id: `m${String(i + 1).padStart(2, '0')}`, registeredOn: '2024-01-01', billedUntil: '2024-02-01' }),
    );
    const best = bill({
      definitions: [{ ...nominal15, ratingAlgorithm: 'best' }],
      packs,
      contracts: [contract],
      orders: ten,
      billUntil: '2024-02-01',
    });
    expect(best.lines.map((l) => l.total)).toEqual(['0.00', ...Array(9).fill('5.00')]);
    const match = bill({
      definitions: [{ ...nominal15, ratingAlgorithm: 'match' }],
      packs,
      contracts: [contract],
      orders: ten,
      billUntil: '2024-02-01',
    });
    expect(match.lines.map((l) => l.total)).toEqual(Array(10).fill('5.00'));
    // Progressive n=10 = 1 @0 + 8 @10 + 1 @5 (issue table: 85).
    const progressive = bill({ definitions: [nominal15], packs, contracts: [contract], orders: ten, billUntil: '2024-02-01' });
    expect(progressive.lines.map((l) => l.total)).toEqual(['0.00', ...Array(8).fill('10.00'), '5.00']);
  });
});

describe('registration and renewal counts (domains)', () => {
  // Annual, on registration, prepaid; the price depends on how many domains were registered or renewed in the
  // 12 months up to the event, with the thesis packs (progressive) and the Organisation pack contracted.
  const domain = createMockDefinition({
    id: 'bsv_domain',
    name: 'Domain',
    serviceKind: 'domain',
    billingPeriod: 'annual',
    billingPoint: 'on-register',
    pricingPeriod: 'annual',
    metric: { type: 'count', mode: 'registered-and-renewed' },
    nominalPrice: '15.00',
  });
  const packs = thesisPacks('bsv_domain');
  const contracts = [createMockContract({ packId: 'pck_org' })];
  const d1 = createMockOrder({
    id: 'd1',
    billableServiceId: 'bsv_domain',
    description: 'one.org',
    registeredOn: '2023-06-10',
    billedUntil: '2024-06-10',
  });
  const d2 = createMockOrder({
    id: 'd2',
    billableServiceId: 'bsv_domain',
    description: 'two.org',
    registeredOn: '2024-01-20',
    billedUntil: '2025-01-20',
  });
  const d3 = createMockOrder({ id: 'd3', billableServiceId: 'bsv_domain', description: 'three.org', registeredOn: '2024-03-15' });

  it('prices a new registration by its rank among the events of the last 12 months', () => {
    // Window (15 Mar 2023, 15 Mar 2024]: d1 registered 10 Jun 2023, d2 20 Jan 2024, d3 15 Mar 2024 → n = 3, d3 3rd.
    // Progressive n=3: 1 @0 + 2 @10 → 10.00. Period 15 Mar 2024 → 15 Mar 2025 = 1 year.
    const r = bill({ definitions: [domain], packs, contracts, orders: [d1, d2, d3], billUntil: '2024-03-15' });
    expect(r.lines).toEqual([line('d3', '2024-03-15..2025-03-15', '1.00', '15.00', '10.00', ['pack -5.00'])]);
    expect(r.proposals[0]!.explanation).toContain(
      '3 registrations or renewals of Domain in the 12 months to 15 Mar 2024: 1 free in Organisation, 2 × 10.00 in Organisation = 20.00; this registration is the 3rd, at 10.00',
    );
  });

  it('prices a renewal the same way, by mode', () => {
    const d3billed = { ...d3, billedUntil: '2025-03-15' };
    const orders = [d1, d2, d3billed];
    // d1 renews on 10 Jun 2024. Window (10 Jun 2023, 10 Jun 2024]: d1's own registration is outside (exclusive);
    // d2 and d3 registrations + d1's renewal → n = 3, d1 3rd → 10.00.
    expect(bill({ definitions: [domain], packs, contracts, orders, billUntil: '2024-06-10' }).lines).toEqual([
      line('d1', '2024-06-10..2025-06-10', '1.00', '15.00', '10.00', ['pack -5.00']),
    ]);
    // Counting renewals only: no other renewal in the window → n = 1 → free (Organisation 1 @0).
    const renewed = { ...domain, metric: { type: 'count' as const, mode: 'renewed' as const } };
    expect(bill({ definitions: [renewed], packs, contracts, orders, billUntil: '2024-06-10' }).lines[0]!.total).toBe('0.00');
    // Counting registrations only: d2, d3 registrations + d1's own event → 3rd → 10.00.
    const registered = { ...domain, metric: { type: 'count' as const, mode: 'registered' as const } };
    expect(bill({ definitions: [registered], packs, contracts, orders, billUntil: '2024-06-10' }).lines[0]!.total).toBe('10.00');
  });
});

describe('metered services', () => {
  it('one-time jobs: the metric once, fractional units at the unit price', () => {
    // 3.5 hours × 40.00 = 140.00 (4 units rated = 160.00, less half of the last unit's 40.00).
    const job = createMockDefinition({
      id: 'bsv_job',
      name: 'Web development',
      billingPeriod: 'once',
      metric: { type: 'named', name: 'hours' },
      nominalPrice: '40.00',
    });
    const order = createMockOrder({
      billableServiceId: 'bsv_job',
      description: 'Shop redesign',
      registeredOn: '2024-03-15',
      metricHistory: [{ on: '2024-03-20', value: '3.5' }],
    });
    const r = bill({ definitions: [job], orders: [order], billUntil: '2024-03-31' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2024-03-15', '1.00', '140.00', '140.00', [], '3.5')]);
    expect(r.proposals[0]!.explanation).toBe(
      'Web development Shop redesign (15 Mar 2024): hours 3.5: 4 × 40.00 at the list price = 160.00 (the last unit counts as 0.5); 140.00.',
    );
    expect(r.updates).toEqual([{ orderId: 'ord_1', billedOn: '2024-03-31', billedUntil: '2024-03-15', billedMetric: '3.5' }]);
    expect(bill({ definitions: [job], orders: [{ ...order, billedUntil: '2024-03-15' }], billUntil: '2024-04-30' }).lines).toEqual([]);
  });

  it('one-time count services: a setup fee, once', () => {
    const setup = createMockDefinition({
      id: 'bsv_setup',
      name: 'Setup',
      billingPeriod: 'once',
      nominalPrice: '50.00',
      metric: { type: 'count', mode: 'registered' },
    });
    const r = bill({ definitions: [setup], orders: [createMockOrder({ billableServiceId: 'bsv_setup' })], billUntil: '2024-03-31' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2024-03-15', '1.00', '50.00')]);
  });

  it('current value (disk), postpay: one line per interval between changes', () => {
    // 1.00 per GB a month. 5 GB from 1 Mar, 8 GB from 11 Mar; billed on 1 Apr.
    // 1–11 Mar: 10 days ÷ 31 (March) = 0.3226 → 0.32; 5 × 1.00 × 0.32 = 1.60.
    // 11 Mar – 1 Apr: 21 days ÷ 30 (April) = 0.70; 8 × 0.70 = 5.60.
    const disk = createMockDefinition({
      id: 'bsv_disk',
      name: 'Disk',
      metric: { type: 'named', name: 'disk' },
      nominalPrice: '1.00',
      paymentStyle: 'postpay',
    });
    const order = createMockOrder({
      billableServiceId: 'bsv_disk',
      registeredOn: '2024-03-01',
      metricHistory: [
        { on: '2024-03-01', value: '5' },
        { on: '2024-03-11', value: '8' },
      ],
    });
    const r = bill({ definitions: [disk], orders: [order], billUntil: '2024-04-01' });
    expect(r.lines).toEqual([
      line('ord_1', '2024-03-01..2024-03-11', '0.32', '1.60', '1.60', [], '5'),
      line('ord_1', '2024-03-11..2024-04-01', '0.70', '5.60', '5.60', [], '8'),
    ]);
    expect(r.updates[0]).toMatchObject({ billedUntil: '2024-04-01', billedMetric: '8' });
  });

  it('current value (disk), prepay: billed ahead at today’s value, then only the excess is recharged', () => {
    const disk = createMockDefinition({ id: 'bsv_disk', name: 'Disk', metric: { type: 'named', name: 'disk' }, nominalPrice: '1.00' });
    const order = createMockOrder({
      billableServiceId: 'bsv_disk',
      registeredOn: '2024-03-01',
      metricHistory: [{ on: '2024-03-01', value: '5' }],
    });
    // 1 Mar: March prepaid at 5 GB: 5.00.
    const first = bill({ definitions: [disk], orders: [order], billUntil: '2024-03-01' });
    expect(first.lines).toEqual([line('ord_1', '2024-03-01..2024-04-01', '1.00', '5.00', '5.00', [], '5')]);
    expect(first.updates).toEqual([{ orderId: 'ord_1', billedOn: '2024-03-01', billedUntil: '2024-04-01', billedMetric: '5' }]);
    // 11 Mar: 8 GB. On 21 Mar: recharge 11 Mar – 1 Apr: 21 ÷ 30 = 0.70; 8 × 0.70 = 5.60, less 5 GB prepaid 5 × 0.70 = 3.50 → 2.10.
    const grown = {
      ...order,
      billedOn: '2024-03-01',
      billedUntil: '2024-04-01',
      billedMetric: '5',
      metricHistory: [...order.metricHistory, { on: '2024-03-11', value: '8' }],
    };
    const second = bill({ definitions: [disk], orders: [grown], billUntil: '2024-03-21' });
    expect(second.lines).toEqual([line('ord_1', '2024-03-11..2024-04-01', '0.70', '5.60', '2.10', ['prepaid -3.50'], '8', 'recharge')]);
    expect(second.updates).toEqual([{ orderId: 'ord_1', billedOn: '2024-03-21', billedUntil: '2024-04-01', billedMetric: '8' }]);
    // 1 Apr: nothing more to recharge since 21 Mar; April at 8 GB.
    const third = bill({ definitions: [disk], orders: [{ ...grown, billedOn: '2024-03-21', billedMetric: '8' }], billUntil: '2024-04-01' });
    expect(third.lines).toEqual([line('ord_1', '2024-04-01..2024-05-01', '1.00', '8.00', '8.00', [], '8')]);
    // A decrease is never refunded.
    const shrunk = { ...grown, metricHistory: [...order.metricHistory, { on: '2024-03-11', value: '2' }] };
    expect(bill({ definitions: [disk], orders: [shrunk], billUntil: '2024-03-21' }).lines).toEqual([]);
  });

  it('postpaid traffic summed per pricing slot, with a prepaid 50 GB allowance', () => {
    // Transit 50 GB pack (contracted): 1–50 free, then 0.10 a GB. Daily traffic: 2 GB/day 1–16 Mar (15 days),
    // 5 GB/day 16 Mar – 1 Apr (16 days) → 30 + 80 = 110 GB. List 110 × 0.10 = 11.00; 50 free + 60 × 0.10 = 6.00.
    const traffic = createMockDefinition({
      id: 'bsv_traffic',
      name: 'Traffic',
      metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' },
      paymentStyle: 'postpay',
      onCancel: 'nothing',
      nominalPrice: '0.10',
    });
    const transit = createMockPack({
      id: 'pck_transit',
      name: 'Transit 50 GB',
      isDefault: false,
      rates: [
        { billableServiceId: 'bsv_traffic', from: 1, price: '0' },
        { billableServiceId: 'bsv_traffic', from: 51, price: '0.10' },
      ],
    });
    const order = createMockOrder({
      billableServiceId: 'bsv_traffic',
      registeredOn: '2024-03-01',
      metricHistory: [
        { on: '2024-03-01', value: '2' },
        { on: '2024-03-16', value: '5' },
      ],
    });
    const r = bill({
      definitions: [traffic],
      packs: [transit],
      contracts: [createMockContract({ packId: 'pck_transit' })],
      orders: [order],
      billUntil: '2024-04-03',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-03-01..2024-04-01', '1.00', '11.00', '6.00', ['pack -5.00'], '110')]);
    expect(r.proposals[0]!.explanation).toBe(
      'Traffic info@example.org: sum of the daily traffic 1 Mar – 1 Apr 2024 — traffic 110: 50 free in Transit 50 GB, 60 × 0.10 in Transit 50 GB = 6.00; 6.00.',
    );
    // Without the pack: 11.00.
    expect(bill({ definitions: [traffic], orders: [order], billUntil: '2024-04-03' }).lines[0]!.total).toBe('11.00');
    // Not yet: on 31 Mar the March slot has not ended.
    expect(bill({ definitions: [traffic], orders: [order], billUntil: '2024-03-31' }).lines).toEqual([]);
  });

  it('pricing slots shorter than the billing period: one line per slot; empty slots give no line', () => {
    // Quarterly postpay from January, monthly slots; traffic 1 GB/day in January, 2 GB/day in February, 0 in March.
    // January 31 GB, February 29 × 2 = 58 GB, March 0 (no line). 0.10 a GB → 3.10 and 5.80.
    const traffic = createMockDefinition({
      id: 'bsv_traffic',
      name: 'Traffic',
      billingPeriod: 'quarterly',
      pricingPeriod: 'monthly',
      metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' },
      paymentStyle: 'postpay',
      nominalPrice: '0.10',
    });
    const order = createMockOrder({
      billableServiceId: 'bsv_traffic',
      registeredOn: '2024-01-01',
      metricHistory: [
        { on: '2024-01-01', value: '1' },
        { on: '2024-02-01', value: '2' },
        { on: '2024-03-01', value: '0' },
      ],
    });
    const r = bill({ definitions: [traffic], orders: [order], billUntil: '2024-04-02' });
    expect(r.lines).toEqual([
      line('ord_1', '2024-01-01..2024-02-01', '1.00', '3.10', '3.10', [], '31'),
      line('ord_1', '2024-02-01..2024-03-01', '1.00', '5.80', '5.80', [], '58'),
    ]);
    expect(r.updates[0]).toMatchObject({ billedUntil: '2024-04-01', billedMetric: '0' });
  });

  it('highest value during the period (peak disk), prorated', () => {
    // 3 GB, 8 GB from 10 Mar, 4 GB from 20 Mar → peak 8 GB × 1.00 × 1 month = 8.00.
    const peak = createMockDefinition({
      id: 'bsv_peak',
      name: 'Peak disk',
      metric: { type: 'named', name: 'disk', mode: 'max-during-period' },
      paymentStyle: 'postpay',
      nominalPrice: '1.00',
    });
    const order = createMockOrder({
      billableServiceId: 'bsv_peak',
      registeredOn: '2024-03-01',
      metricHistory: [
        { on: '2024-03-01', value: '3' },
        { on: '2024-03-10', value: '8' },
        { on: '2024-03-20', value: '4' },
      ],
    });
    expect(bill({ definitions: [peak], orders: [order], billUntil: '2024-04-01' }).lines).toEqual([
      line('ord_1', '2024-03-01..2024-04-01', '1.00', '8.00', '8.00', [], '8'),
    ]);
  });
});

describe('cancellation policies (prepaid monthly, 10.00, registered 1 Jan, cancelled 20 Mar)', () => {
  const base = { registeredOn: '2024-01-01', cancelledOn: '2024-03-20', cancelReason: 'deleted' as const };

  it('nothing: the period of the cancellation is billed whole, nothing after', () => {
    const nothing = { ...mailbox, onCancel: 'nothing' as const };
    expect(
      bill({ definitions: [nothing], orders: [createMockOrder({ ...base, billedUntil: '2024-03-01' })], billUntil: '2024-05-10' }).lines,
    ).toEqual([line('ord_1', '2024-03-01..2024-04-01', '1.00', '10.00')]);
    expect(
      bill({ definitions: [nothing], orders: [createMockOrder({ ...base, billedUntil: '2024-04-01' })], billUntil: '2024-05-10' }).lines,
    ).toEqual([]);
  });

  it('discount: billing stops at the cancellation; prepaid time is not given back', () => {
    // 1–20 Mar: 19 days ÷ 31 = 0.6129 → 0.61 → 6.10.
    expect(
      bill({ definitions: [mailbox], orders: [createMockOrder({ ...base, billedUntil: '2024-03-01' })], billUntil: '2024-03-25' }).lines,
    ).toEqual([line('ord_1', '2024-03-01..2024-03-20', '0.61', '6.10')]);
    expect(
      bill({ definitions: [mailbox], orders: [createMockOrder({ ...base, billedUntil: '2024-04-01' })], billUntil: '2024-04-25' }).lines,
    ).toEqual([]);
  });

  it('refund: a negative line for the prepaid days after the cancellation', () => {
    // Prepaid to 1 Apr; 20 Mar → 1 Apr = 12 days ÷ 30 (April) = 0.40 → −4.00. billedUntil goes back to 20 Mar.
    const refund = { ...mailbox, onCancel: 'refund' as const };
    const r = bill({
      definitions: [refund],
      orders: [createMockOrder({ ...base, billedUntil: '2024-04-01', billedOn: '2024-03-01' })],
      billUntil: '2024-03-25',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-03-20..2024-04-01', '0.40', '-4.00', '-4.00', [], '1', 'refund')]);
    expect(r.updates).toEqual([{ orderId: 'ord_1', billedOn: '2024-03-25', billedUntil: '2024-03-20' }]);
    expect(r.proposals[0]!.explanation).toBe(
      'Refund for Mailbox info@example.org (cancelled on 20 Mar 2024 with refund: unused prepaid time given back): 1 × Mailbox: 1 × 10.00 at the list price = 10.00; this is the 1st, at 10.00 a month; 10.00 × 0.40 of a month (20 Mar – 1 Apr 2024) = −4.00.',
    );
    // Prepaid two months ahead: one refund line per period. April: 1.00 → −10.00.
    const far = bill({ definitions: [refund], orders: [createMockOrder({ ...base, billedUntil: '2024-05-01' })], billUntil: '2024-03-25' });
    expect(far.lines.map((l) => [l.period, l.total])).toEqual([
      ['2024-03-20..2024-04-01', '-4.00'],
      ['2024-04-01..2024-05-01', '-10.00'],
    ]);
  });

  it('compensate: unused prepaid time of a cancelled order pays for a new one', () => {
    // g prepaid to 1 May, cancelled 20 Mar → credit 20 Mar – 1 May. r registered 25 Mar, billed to 1 May:
    //   25 Mar – 1 Apr: 7 ÷ 30 = 0.2333 → 0.23 → 2.30, compensated 25 Mar – 1 Apr 0.23 → −2.30 → 0.
    //   April: 10.00, compensated 1 Apr – 1 May (1 month) → −10.00 → 0. The credit is used up to 1 May.
    const compensate = { ...mailbox, onCancel: 'compensate' as const };
    const g = createMockOrder({ id: 'g', description: 'old@example.org', ...base, billedUntil: '2024-05-01' });
    const rcv = createMockOrder({ id: 'r', description: 'new@example.org', registeredOn: '2024-03-25' });
    const r = bill({ definitions: [compensate], orders: [g, rcv], billUntil: '2024-04-20' });
    expect(r.lines).toEqual([
      line('r', '2024-03-25..2024-04-01', '0.23', '2.30', '0.00', ['compensation -2.30']),
      line('r', '2024-04-01..2024-05-01', '1.00', '10.00', '0.00', ['compensation -10.00']),
    ]);
    expect(r.proposals[0]!.discounts[0]!.explanation).toBe(
      'Unused prepaid time of old@example.org, cancelled on 20 Mar 2024 (25 Mar – 1 Apr 2024): 10.00 × 0.23 of a month = −2.30',
    );
    expect(r.updates).toEqual([
      { orderId: 'g', billedOn: '2024-04-20', billedUntil: '2024-05-01', creditUsedUntil: '2024-05-01' },
      { orderId: 'r', billedOn: '2024-04-20', billedUntil: '2024-05-01' },
    ]);
    // A used credit is not used twice.
    const later = bill({
      definitions: [compensate],
      orders: [{ ...g, creditUsedUntil: '2024-05-01' }, createMockOrder({ id: 'r2', registeredOn: '2024-04-10' })],
      billUntil: '2024-04-20',
    });
    expect(later.lines).toEqual([line('r2', '2024-04-10..2024-05-01', '0.68', '6.80')]); // 21 days ÷ 31 (May) = 0.6774 → 0.68
  });
});

describe('trial, ignore period, ignored orders', () => {
  const order = createMockOrder({ registeredOn: '2024-03-15' });

  it('trial: nothing billed during it, nothing at all if cancelled in it, trial days discounted after', () => {
    const trial = { ...mailbox, trialPeriod: { count: 1, unit: 'months' as const } }; // trial until 15 Apr
    expect(bill({ definitions: [trial], orders: [order], billUntil: '2024-04-10' }).skipped).toEqual([
      { orderId: 'ord_1', reason: 'in-trial', explanation: 'In its free trial until 15 Apr 2024; billed after it' },
    ]);
    expect(
      bill({ definitions: [trial], orders: [{ ...order, cancelledOn: '2024-04-10' }], billUntil: '2024-05-10' }).skipped[0]!.reason,
    ).toBe('cancelled-in-grace');
    // On 15 Apr: 15 Mar – 1 Apr 0.57 → 5.70, all trial → 0; April 10.00, trial 1–15 Apr 14 ÷ 30 = 0.47 → −4.70 → 5.30.
    const r = bill({ definitions: [trial], orders: [order], billUntil: '2024-04-15' });
    expect(r.lines).toEqual([
      line('ord_1', '2024-03-15..2024-04-01', '0.57', '5.70', '0.00', ['trial -5.70']),
      line('ord_1', '2024-04-01..2024-05-01', '1.00', '10.00', '5.30', ['trial -4.70']),
    ]);
    expect(r.proposals[1]!.discounts[0]!.explanation).toBe(
      'Free trial until 15 Apr 2024 (1 Apr – 15 Apr 2024): 10.00 × 0.47 of a month = −4.70',
    );
  });

  it('ignore period: free if cancelled within it, otherwise billed from registration once it has passed', () => {
    const grace = { ...mailbox, ignorePeriod: { count: 10, unit: 'days' as const } }; // until 25 Mar
    expect(bill({ definitions: [grace], orders: [{ ...order, cancelledOn: '2024-03-20' }], billUntil: '2024-04-10' }).lines).toEqual([]);
    expect(bill({ definitions: [grace], orders: [order], billUntil: '2024-03-20' }).skipped[0]!.reason).toBe('in-ignore-period');
    expect(bill({ definitions: [grace], orders: [order], billUntil: '2024-03-25' }).lines).toEqual([
      line('ord_1', '2024-03-15..2024-04-01', '0.57', '5.70'),
    ]);
  });

  it('skips orders of unknown definitions and orders registered after the bill-until date', () => {
    const r = bill({
      definitions: [mailbox],
      orders: [createMockOrder({ id: 'x', billableServiceId: 'bsv_gone' }), createMockOrder({ id: 'y', registeredOn: '2024-04-01' })],
      billUntil: '2024-03-31',
    });
    expect(r.skipped.map((s) => [s.orderId, s.reason])).toEqual([
      ['x', 'unknown-definition'],
      ['y', 'not-registered'],
    ]);
  });
});

describe('deactivation', () => {
  // Deactivated 10–20 Mar: 10 days; 10 ÷ 31 (March) = 0.3226 → 0.32 → −3.20.
  const deactivated = { registeredOn: '2024-01-01', deactivations: [{ from: '2024-03-10', until: '2024-03-20' }] };

  it('discount, postpay: the deactivated days of the billed period', () => {
    const postpay = { ...mailbox, paymentStyle: 'postpay' as const, onDeactivation: 'discount' as const };
    const r = bill({
      definitions: [postpay],
      orders: [createMockOrder({ ...deactivated, billedUntil: '2024-03-01' })],
      billUntil: '2024-04-01',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-03-01..2024-04-01', '1.00', '10.00', '6.80', ['deactivation -3.20'])]);
  });

  it('discount, prepay: days deactivated after the last bill come off the next one', () => {
    const prepay = { ...mailbox, onDeactivation: 'discount' as const };
    const r = bill({
      definitions: [prepay],
      orders: [createMockOrder({ ...deactivated, billedOn: '2024-03-01', billedUntil: '2024-04-01' })],
      billUntil: '2024-04-01',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-04-01..2024-05-01', '1.00', '10.00', '6.80', ['deactivation -3.20'])]);
    expect(r.proposals[0]!.discounts[0]!.explanation).toBe(
      'Deactivated during the period billed before (10 Mar – 20 Mar 2024): 10.00 × 0.32 of a month = −3.20',
    );
    // Still deactivated on the billing day: only the days up to today are known and discounted (1–5 Apr: 4 ÷ 30 = 0.13).
    const open = bill({
      definitions: [prepay],
      orders: [
        createMockOrder({
          registeredOn: '2024-01-01',
          deactivations: [{ from: '2024-04-01' }],
          billedOn: '2024-03-01',
          billedUntil: '2024-04-01',
        }),
      ],
      billUntil: '2024-04-05',
    });
    expect(open.lines).toEqual([line('ord_1', '2024-04-01..2024-05-01', '1.00', '10.00', '8.70', ['deactivation -1.30'])]);
  });

  it('nothing: deactivated days are billed as usual', () => {
    const r = bill({
      definitions: [{ ...mailbox, paymentStyle: 'postpay' as const }],
      orders: [createMockOrder({ ...deactivated, billedUntil: '2024-03-01' })],
      billUntil: '2024-04-01',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-03-01..2024-04-01', '1.00', '10.00')]);
  });
});

describe('revoked cancellation', () => {
  // Cancellation scheduled for 20 Mar (discount): March was billed 1–20 Mar, billedUntil 20 Mar. Revoked on 25 Mar.
  // Next bill on 25 Mar: 20 Mar – 1 Apr = 12 ÷ 30 = 0.40 → 4.00.
  const order = createMockOrder({
    registeredOn: '2024-01-01',
    billedOn: '2024-03-01',
    billedUntil: '2024-03-20',
    revokedCancellation: { cancelledOn: '2024-03-20', revokedOn: '2024-03-25' },
  });

  it('recharges the discounted days when the definition says so', () => {
    const recharge = { ...mailbox, rechargeOnRevokedCancel: true };
    const r = bill({ definitions: [recharge], orders: [order], billUntil: '2024-03-25' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-20..2024-04-01', '0.40', '4.00')]);
    expect(r.proposals[0]!.explanation).toContain(
      'recharges the days discounted by the cancellation of 20 Mar 2024, revoked on 25 Mar 2024',
    );
  });

  it('keeps them free otherwise', () => {
    const r = bill({ definitions: [mailbox], orders: [order], billUntil: '2024-04-01' });
    expect(r.lines).toEqual([
      line('ord_1', '2024-03-20..2024-04-01', '0.40', '4.00', '0.00', ['revoked-cancellation -4.00']),
      line('ord_1', '2024-04-01..2024-05-01', '1.00', '10.00'),
    ]);
  });
});

describe('fees and tax categories', () => {
  it('carry the definition’s fee flag and tax category onto every line', () => {
    // Annual membership fee on 1 January, 60.00, registered 1 Jul 2024: 6 months → 0 + 6/12 + 0 = 0.50 → 30.00.
    const fee = createMockDefinition({
      id: 'bsv_fee',
      name: 'Membership',
      billingPeriod: 'annual',
      isFee: true,
      taxCategory: 'exempt',
      nominalPrice: '60.00',
    });
    const r = bill({
      definitions: [fee],
      orders: [createMockOrder({ billableServiceId: 'bsv_fee', description: 'Ada Lovelace', registeredOn: '2024-07-01' })],
      billUntil: '2024-07-01',
    });
    expect(r.lines).toEqual([line('ord_1', '2024-07-01..2025-01-01', '0.50', '30.00')]);
    expect(r.proposals[0]).toMatchObject({ isFee: true, taxCategory: 'exempt' });
  });
});

describe('packs over time and between accounts', () => {
  const traffic = createMockDefinition({
    id: 'bsv_traffic',
    name: 'Traffic',
    metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' },
    paymentStyle: 'postpay',
    onCancel: 'nothing',
    nominalPrice: '0.10',
  });
  const transit = createMockPack({
    id: 'pck_transit',
    name: 'Transit 50 GB',
    isDefault: false,
    allowMultiple: true,
    rates: [
      { billableServiceId: 'bsv_traffic', from: 1, price: '0' },
      { billableServiceId: 'bsv_traffic', from: 51, price: '0.10' },
    ],
  });
  // 4 GB a day in March: 31 × 4 = 124 GB.
  const order = createMockOrder({
    billableServiceId: 'bsv_traffic',
    registeredOn: '2024-03-01',
    metricHistory: [{ on: '2024-03-01', value: '4' }],
  });

  it('adds the allowances of a pack contracted several times', () => {
    // Two contractions: the free band is 50 × 2 = 100 GB wide → 24 × 0.10 = 2.40 (list 12.40, pack −10.00).
    const twice = [createMockContract({ id: 'c1', packId: 'pck_transit' }), createMockContract({ id: 'c2', packId: 'pck_transit' })];
    expect(bill({ definitions: [traffic], packs: [transit], contracts: twice, orders: [order], billUntil: '2024-04-01' }).lines).toEqual([
      line('ord_1', '2024-03-01..2024-04-01', '1.00', '12.40', '2.40', ['pack -10.00'], '124'),
    ]);
    // Without allowMultiple only one counts: 74 × 0.10 = 7.40.
    const single = { ...transit, allowMultiple: false };
    expect(
      bill({ definitions: [traffic], packs: [single], contracts: twice, orders: [order], billUntil: '2024-04-01' }).lines[0]!.total,
    ).toBe('7.40');
  });

  it('uses a pack only while its contract runs (a usage slot takes the packs of its first day)', () => {
    const ended = [createMockContract({ packId: 'pck_transit', startsOn: '2024-01-01', endsOn: '2024-03-01' })];
    expect(
      bill({ definitions: [traffic], packs: [transit], contracts: ended, orders: [order], billUntil: '2024-04-01' }).lines[0]!.total,
    ).toBe('12.40');
  });

  it('keeps accounts apart: positions and packs are per account', () => {
    const packs = thesisPacks('bsv_mailbox');
    const nominal15 = { ...mailbox, nominalPrice: mailbox.nominalPrice.plus(5) };
    const a = createMockOrder({ id: 'a1', accountId: 'acc_a', registeredOn: '2024-01-01', billedUntil: '2024-02-01' });
    const b1 = createMockOrder({ id: 'b1', accountId: 'acc_b', registeredOn: '2024-01-01', billedUntil: '2024-02-01' });
    const b2 = createMockOrder({ id: 'b2', accountId: 'acc_b', registeredOn: '2024-01-02', billedUntil: '2024-02-01' });
    // acc_a has the Organisation pack: its only mailbox is free. acc_b has none: 15.00 each.
    const r = bill({
      definitions: [nominal15],
      packs,
      contracts: [createMockContract({ accountId: 'acc_a', packId: 'pck_org' })],
      orders: [b2, a, b1],
      billUntil: '2024-02-01',
    });
    expect(r.lines.map((l) => [l.order, l.total])).toEqual([
      ['a1', '0.00'],
      ['b1', '15.00'],
      ['b2', '15.00'],
    ]);
    expect(r.proposals.map((p) => p.accountId)).toEqual(['acc_a', 'acc_b', 'acc_b']);
  });
});

describe('discounts never take a line below zero', () => {
  it('limits a deactivation discount inside a free trial', () => {
    // Trial 10 days (to 25 Mar) and deactivated 20–31 Mar, postpay, billed 1 Apr for 15 Mar – 1 Apr (17 ÷ 30 = 0.57 → 5.70).
    // Trial 15–25 Mar: 10 ÷ 31 = 0.32 → −3.20. Deactivated 20 Mar – 1 Apr: 12 ÷ 30 = 0.40 → −4.00, limited to −2.50.
    const definition = {
      ...mailbox,
      paymentStyle: 'postpay' as const,
      onDeactivation: 'discount' as const,
      trialPeriod: { count: 10, unit: 'days' as const },
    };
    const order = createMockOrder({ registeredOn: '2024-03-15', deactivations: [{ from: '2024-03-20' }] });
    const r = bill({ definitions: [definition], orders: [order], billUntil: '2024-04-01' });
    expect(r.lines).toEqual([line('ord_1', '2024-03-15..2024-04-01', '0.57', '5.70', '0.00', ['trial -3.20', 'deactivation -2.50'])]);
    expect(r.proposals[0]!.discounts[1]!.explanation).toBe(
      'Deactivated (20 Mar – 1 Apr 2024): 10.00 × 0.40 of a month = −4.00, limited to −2.50',
    );
    expect(r.proposals[0]!.explanation).toMatch(/ Total 0\.00\.$/);
  });
});

describe('billing state: every period exactly once', () => {
  function apply(
    orders: Order[],
    updates: { orderId: string; billedOn: string; billedUntil: string; billedMetric?: string; creditUsedUntil?: string }[],
  ) {
    return orders.map((o) => {
      const u = updates.find((x) => x.orderId === o.id);
      if (!u) return o;
      const { orderId: _id, ...fields } = u;
      return { ...o, ...fields };
    });
  }
  const total = (lines: { total: string }[]) => lines.reduce((sum, l) => sum + Math.round(Number(l.total) * 100), 0) / 100;

  const definitions = [
    { ...mailbox, onCancel: 'compensate' as const },
    createMockDefinition({ id: 'bsv_refund', name: 'Backup', onCancel: 'refund', nominalPrice: '7.00' }),
    createMockDefinition({ id: 'bsv_disk', name: 'Disk', metric: { type: 'named', name: 'disk' }, nominalPrice: '1.00' }),
    createMockDefinition({
      id: 'bsv_traffic',
      name: 'Traffic',
      metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' },
      paymentStyle: 'postpay',
      onCancel: 'nothing',
      nominalPrice: '0.10',
    }),
    createMockDefinition({
      id: 'bsv_domain',
      name: 'Domain',
      billingPeriod: 'annual',
      billingPoint: 'on-register',
      metric: { type: 'count', mode: 'registered-and-renewed' },
      nominalPrice: '15.00',
    }),
  ];
  const orders = [
    createMockOrder({ id: 'm1', registeredOn: '2024-01-10' }),
    createMockOrder({ id: 'm2', registeredOn: '2024-02-20', cancelledOn: '2024-04-05' }),
    createMockOrder({ id: 'm3', registeredOn: '2024-04-10' }),
    createMockOrder({ id: 'b1', billableServiceId: 'bsv_refund', registeredOn: '2024-01-31' }),
    createMockOrder({
      id: 'k1',
      billableServiceId: 'bsv_disk',
      registeredOn: '2024-01-01',
      metricHistory: [
        { on: '2024-01-01', value: '3' },
        { on: '2024-02-14', value: '6' },
      ],
    }),
    createMockOrder({
      id: 't1',
      billableServiceId: 'bsv_traffic',
      registeredOn: '2024-01-05',
      metricHistory: [{ on: '2024-01-05', value: '1.5' }],
    }),
    createMockOrder({ id: 'd1', billableServiceId: 'bsv_domain', registeredOn: '2023-02-28' }),
  ];

  it('a second run on the same day proposes nothing', () => {
    const first = bill({ definitions, orders, billUntil: '2024-06-15' });
    expect(first.lines.length).toBeGreaterThan(10);
    const second = bill({ definitions, orders: apply(orders, first.updates), billUntil: '2024-06-15' });
    expect(second.lines).toEqual([]);
    expect(second.updates).toEqual([]);
  });

  it('billing month by month charges the same as billing once, for services whose state did not change in between', () => {
    // Counted mailboxes without cancellations and the domain: the monthly runs and one run to 15 June add up alike.
    const stable = definitions.filter((d) => d.id === 'bsv_mailbox' || d.id === 'bsv_domain');
    const steady = orders.filter((o) => o.id === 'm1' || o.id === 'm3' || o.id === 'd1');
    let current = steady;
    const monthly: { total: string }[] = [];
    for (const day of ['2024-01-15', '2024-02-15', '2024-03-15', '2024-04-15', '2024-05-15', '2024-06-15']) {
      const run = bill({ definitions: stable, orders: current, billUntil: day });
      monthly.push(...run.lines);
      current = apply(current, run.updates);
    }
    const once = bill({ definitions: stable, orders: steady, billUntil: '2024-06-15' });
    expect(total(monthly)).toBe(total(once.lines));
    expect(apply(steady, once.updates).map((o) => o.billedUntil)).toEqual(current.map((o) => o.billedUntil));
  });

  it('refunds once, then the order is settled', () => {
    const b1 = createMockOrder({ id: 'b1', billableServiceId: 'bsv_refund', registeredOn: '2024-01-31' });
    const paid = apply([b1], bill({ definitions, orders: [b1], billUntil: '2024-03-01' }).updates);
    expect(paid[0]!.billedUntil).toBe('2024-04-01');
    const cancelled = [{ ...paid[0]!, cancelledOn: '2024-03-11' }];
    const refund = bill({ definitions, orders: cancelled, billUntil: '2024-03-15' });
    // 11 Mar → 1 Apr = 21 days ÷ 30 = 0.70; 7.00 × 0.70 = −4.90.
    expect(refund.lines).toEqual([line('b1', '2024-03-11..2024-04-01', '0.70', '-4.90', '-4.90', [], '1', 'refund')]);
    expect(bill({ definitions, orders: apply(cancelled, refund.updates), billUntil: '2024-05-15' }).lines).toEqual([]);
  });
});
