import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@consort/shared/core/actor';
import { fixedClock } from '@consort/shared/core/clock';
import { newId } from '@consort/shared/core/ids';
import { BILLS_PER_BLOCK, closePageBills } from '@consort/shared/bills/billing-run-close';
import type { Bill } from '@consort/shared/bills/model';
import { formatNumber, seriesCode } from '@consort/shared/bills/numbering';
import { buildRenderModel } from '@consort/shared/bills/render';
import { billSettingsOf, closeBill, closedForm, tenantOrThrow } from '@consort/shared/bills/use-cases';
import type { Order } from '@consort/shared/orders/model';
import type { Store } from '@consort/shared/ports/store';
import type { LocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// A billing run closes a page's bills in numbered blocks (shared/src/bills/billing-run-close.ts): one transaction per
// ≤ 32 bills of a series moves the counter by the block's size and issues every bill of the block. These tests race
// two pages and single closes, let "another process" take numbers and close a bill of a block in the middle of it,
// and crash the closing between blocks and right after a block's transaction — then resume: every series stays
// gapless, every bill holds exactly one number, and the number claims match the bills.

const clock = fixedClock('2026-06-15T10:00:00Z');
let stack: LocalStack;
let owner: ApiClient;
let tenantId: string;
let hostingId: string;
let actor: Actor;

async function openInvoices(n: number): Promise<string[]> {
  const accountIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await owner.post('/v1/accounts', {
      name: `Member ${i}`,
      email: `member${i}-${Math.random().toString(36).slice(2, 8)}@example.org`,
      country: 'ES',
      address: 'C/ Nou 5',
      city: 'Girona',
      postcode: '17001',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    accountIds.push(res.body.id as string);
  }
  const orders: Order[] = accountIds.map((accountId) => ({
    tenantId,
    id: newId('order', clock),
    accountId,
    serviceId: `svc_close_${accountId}`,
    billableServiceId: hostingId,
    description: `Hosting of ${accountId}`,
    registeredOn: '2026-06-01',
    ignored: false,
    deactivations: [],
    metricHistory: [],
  }));
  await stack.deps.store.orders.putMany(orders);
  const billed = await owner.post('/v1/billing/run', { accountIds, billUntil: '2026-06-15' });
  expect(billed.status, JSON.stringify(billed.body)).toBe(200);
  const ids = (billed.body.bills as { billId: string }[]).map((b) => b.billId);
  expect(ids).toHaveLength(n);
  return ids;
}

/** The invoice series of 2026: claims in number order, checked against the bills they name. */
async function assertGapless(billIds: readonly string[]) {
  const claims: { sequence: number; number: string; billId: string }[] = [];
  let cursor: string | undefined;
  do {
    const page = await stack.deps.store.bills.listNumbers(tenantId, 'invoice', 2026, { limit: 100, cursor });
    claims.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  expect(claims.map((c) => c.sequence)).toEqual(claims.map((_, i) => i + 1));
  expect(await stack.deps.store.bills.lastSequence(tenantId, 'invoice', 2026)).toBe(claims.length);
  expect(new Set(claims.map((c) => c.billId)).size).toBe(claims.length);
  const bills = await stack.deps.store.bills.getMany(tenantId, billIds);
  const claimOf = new Map(claims.map((c) => [c.billId, c]));
  for (const bill of bills) {
    expect(bill.state, bill.id).toBe('closed');
    expect(claimOf.get(bill.id), bill.id).toMatchObject({ sequence: bill.sequence, number: bill.number });
  }
  return claims;
}

/** What another process's `closeBill` does for one bill, bypassing this process's per-series queue. */
async function closeElsewhere(billId: string) {
  const bill = (await stack.deps.store.bills.get(tenantId, billId))!;
  const tenant = await tenantOrThrow(stack.deps, tenantId);
  const settings = await billSettingsOf(stack.deps, tenantId);
  const account = (await stack.deps.store.accounts.get(tenantId, bill.accountId))!;
  const context = { tenant, settings, account };
  const base = await closedForm(stack.deps, actor, bill, context, { reason: 'elsewhere' });
  const last = await stack.deps.store.bills.lastSequence(tenantId, 'invoice', 2026);
  const numbered: Bill = {
    ...base,
    series: seriesCode(settings.series.invoice, 2026),
    sequence: last + 1,
    number: formatNumber(settings.series.invoice, 2026, last + 1),
  };
  const issued = { ...numbered, renderModel: buildRenderModel(numbered, context) };
  expect(await stack.deps.store.bills.issue(issued, bill.version, { type: 'invoice', year: 2026, expectedLast: last })).toBe('issued');
}

/** Replace `issueMany` for one test; `restore` puts the real one back. */
function interceptIssueMany(wrap: (real: Store['bills']['issueMany'], call: number) => Store['bills']['issueMany']) {
  const bills = stack.deps.store.bills;
  const real = bills.issueMany.bind(bills);
  let calls = 0;
  bills.issueMany = (...args) => wrap(real, ++calls)(...args);
  return { restore: () => (bills.issueMany = real), calls: () => calls };
}

beforeAll(async () => {
  stack = await startTestStack({ clock });
  const signup = await signupTenant(stack.apiUrl, 'Blocks');
  const key = await signup.client.post('/v1/api-keys', { name: 'blocks', role: 'owner' });
  owner = apiClient(stack.apiUrl, key.body.secret);
  tenantId = signup.tenant.id;
  actor = { type: 'system', tenantId, reason: 'billing run test' };
  const settings = await owner.patch('/v1/billing/settings', {
    issuer: { legalName: 'Blocks Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] },
  });
  expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  const hosting = await owner.post('/v1/billable-services', { name: 'Hosting', serviceKind: 'domain', nominalPrice: '10.00' });
  expect(hosting.status, JSON.stringify(hosting.body)).toBe(201);
  hostingId = hosting.body.id;
});

afterAll(async () => {
  await stack?.stop();
});

describe('closing a billing run page in numbered blocks', () => {
  it('two pages and single closes at once, another process taking numbers and closing a bill mid-block: gapless', async () => {
    const ids = await openInvoices(90);
    const pageA = ids.slice(0, 40);
    const pageB = ids.slice(40, 80);
    const singles = ids.slice(80);
    // Before the first block of page A is written, another process issues a bill of that very block (taking the
    // next number): the block's transaction fails on the counter, then on that bill, and the rest is renumbered.
    const stolen = [...pageA].sort()[3]!;
    const hook = interceptIssueMany((real, call) => async (...args) => {
      if (call === 1) await closeElsewhere(stolen);
      return real(...args);
    });
    try {
      const [a, b] = await Promise.all([
        closePageBills(stack.deps, actor, pageA, 'page A'),
        closePageBills(stack.deps, actor, pageB, 'page B'),
        ...singles.map((id) => closeBill(stack.deps, actor, id, { reason: 'single' })),
      ]);
      expect(a.errors).toEqual([]);
      expect(b.errors).toEqual([]);
      expect(a.single).toEqual([stolen]);
      expect([...a.issued].sort()).toEqual(pageA.filter((id) => id !== stolen).sort());
      expect([...b.issued].sort()).toEqual([...pageB].sort());
      // 40 + 40 bills in blocks of ≤ 32 is 4 blocks; the first was tried three times (counter, then the stolen bill).
      expect(hook.calls()).toBe(6);
    } finally {
      hook.restore();
    }
    const claims = await assertGapless(ids);
    expect(claims).toHaveLength(90);
    // Within a block numbers follow bill ids: page B's bills went in two blocks (32 + 8), each in id order.
    const bBills = (await stack.deps.store.bills.getMany(tenantId, pageB)).sort((x, y) => x.sequence! - y.sequence!);
    const firstBlock = bBills.slice(0, BILLS_PER_BLOCK);
    expect(firstBlock.map((x) => x.id)).toEqual([...firstBlock.map((x) => x.id)].sort());
  });

  it('a crash between blocks and one right after a block was written: resuming the page stays gapless', async () => {
    const before = await stack.deps.store.bills.lastSequence(tenantId, 'invoice', 2026);
    const page = await openInvoices(70); // three blocks: 32 + 32 + 6
    // First attempt: block 1 is written, then the process dies before block 2.
    let hook = interceptIssueMany((real, call) => async (...args) => {
      if (call === 2) throw new Error('process killed');
      return real(...args);
    });
    await expect(closePageBills(stack.deps, actor, page, 'crash 1')).rejects.toThrow('process killed');
    hook.restore();
    let bills = await stack.deps.store.bills.getMany(tenantId, page);
    const issued = bills.filter((x) => x.state === 'closed');
    expect(issued).toHaveLength(BILLS_PER_BLOCK);
    expect(issued.map((x) => x.sequence).sort((x, y) => x! - y!)).toEqual(Array.from({ length: 32 }, (_, i) => before + i + 1));

    // Second attempt: the next block's transaction commits, then the process dies before it hears back.
    hook = interceptIssueMany((real, call) => async (...args) => {
      await real(...args);
      if (call === 1) throw new Error('process killed after the write');
      return { result: 'issued' };
    });
    await expect(closePageBills(stack.deps, actor, page, 'crash 2')).rejects.toThrow('process killed after the write');
    hook.restore();
    bills = await stack.deps.store.bills.getMany(tenantId, page);
    expect(bills.filter((x) => x.state === 'closed')).toHaveLength(2 * BILLS_PER_BLOCK);

    // The resumed page issues the rest; bills issued earlier keep their numbers.
    const numbersBefore = new Map(bills.filter((x) => x.state === 'closed').map((x) => [x.id, x.number]));
    const resumed = await closePageBills(stack.deps, actor, page, 'resumed');
    expect(resumed.errors).toEqual([]);
    expect(resumed.issued.size).toBe(70);
    bills = await stack.deps.store.bills.getMany(tenantId, page);
    for (const [id, number] of numbersBefore) expect(bills.find((x) => x.id === id)!.number).toBe(number);
    const claims = await assertGapless([...page]);
    expect(claims).toHaveLength(before + 70);
  });
});

describe('due days by payment method', () => {
  /** Count the payment-source reads `fn` makes (the one per-account query closing may need). */
  async function sourceReads(fn: () => Promise<unknown>): Promise<number> {
    const payments = stack.deps.store.payments;
    const real = payments.listSources.bind(payments);
    let reads = 0;
    payments.listSources = (...args) => {
      reads += 1;
      return real(...args);
    };
    try {
      await fn();
    } finally {
      payments.listSources = real;
    }
    return reads;
  }

  it('reads each account’s payment sources only when some method has due days of its own', async () => {
    // No method with its own days: every bill is due after the series' days, and no account's sources are read.
    const plain = await openInvoices(3);
    expect(await sourceReads(() => closePageBills(stack.deps, actor, plain, 'plain'))).toBe(0);
    const single = await openInvoices(1);
    expect(await sourceReads(() => closeBill(stack.deps, actor, single[0]!))).toBe(0);
    const closed = await stack.deps.store.bills.getMany(tenantId, [...plain, ...single]);
    const series = (await billSettingsOf(stack.deps, tenantId)).series.invoice.dueDays;
    for (const bill of closed) expect((Date.parse(bill.dueOn!) - Date.parse(bill.issuedOn!)) / 86_400_000, bill.id).toBe(series);

    // Transfers get 45 days: each account's default method is read (one query per account), and transfers are due later.
    expect((await owner.patch('/v1/payments/settings', { dueDays: { transfer: 45 } })).status).toBe(200);
    try {
      const ids = await openInvoices(2);
      const accounts = (await stack.deps.store.bills.getMany(tenantId, ids)).map((b) => b.accountId);
      const source = await owner.post(`/v1/accounts/${accounts[0]}/payment-sources`, { method: 'transfer', label: 'Bank transfer' });
      expect(source.status, JSON.stringify(source.body)).toBe(201);
      expect(await sourceReads(() => closePageBills(stack.deps, actor, ids, 'by method'))).toBe(2);
      const [byTransfer, plainOne] = await stack.deps.store.bills.getMany(tenantId, ids);
      const days = (b: Bill) => (Date.parse(b.dueOn!) - Date.parse(b.issuedOn!)) / 86_400_000;
      const dueDays = new Map([
        [byTransfer!.accountId, days(byTransfer!)],
        [plainOne!.accountId, days(plainOne!)],
      ]);
      expect(dueDays.get(accounts[0]!)).toBe(45);
      expect(dueDays.get(accounts[1]!)).toBe(series);
    } finally {
      expect((await owner.patch('/v1/payments/settings', { dueDays: {} })).status).toBe(200);
    }
  });
});
