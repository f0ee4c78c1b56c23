import { z } from 'zod';
import type { Account } from '../accounts/model';
import type { BillableService, ContractedPack, Pack } from '../catalog/model';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { LocalDate } from '../core/dates';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import type { Order } from '../orders/model';
import { proposeLines, type LineProposal, type OrderBillingUpdate, type SkippedOrder } from '../pricing/engine';
import type { OrderBillingWrite } from '../ports/store';
import { DEFAULT_BILLING_SETTINGS, type Tenant } from '../tenancy/model';
import { lineFromProposal, priceBill } from './compute';
import type { Bill, BillingState, BillSettings, BillType, OrderEffect } from './model';
import { billBytes, billSettingsOf, MAX_BILL_BYTES, MAX_ORDERS_PER_WRITE, newOpenBill, pricingContext, tenantOrThrow } from './use-cases';

// Billing orders into bills (issue 4 item 4, the synchronous part): the engine proposes lines per account; they go on
// the account's open invoice (fees on its open fee bill), and each order's new billing position is written in the
// same transaction as the lines that account for it. Running it again bills nothing twice: the orders have moved on,
// and a concurrent run's writes fail their conditions and are retried from fresh data.

export const BillingRunInput = z
  .strictObject({
    accountIds: z.array(z.string().min(1).max(60)).min(1).max(1000).optional(),
    orderIds: z.array(z.string().min(1).max(60)).min(1).max(1000).optional(),
    serviceIds: z.array(z.string().min(1).max(60)).min(1).max(1000).optional(),
    /** Bill up to this day (several periods at once if due); today in the tenant's time zone by default. */
    billUntil: LocalDate.optional(),
  })
  .refine((i) => [i.accountIds, i.orderIds, i.serviceIds].filter(Boolean).length <= 1, {
    message: 'Select accounts, orders or services — one of them, or none for every account',
    path: ['accountIds'],
  });
export type BillingRunInput = z.input<typeof BillingRunInput>;

/** What a run did for one account. */
export interface AccountRunResult {
  accountId: string;
  bills: { billId: string; type: BillType; linesAdded: number; created: boolean }[];
  ordersBilled: number;
  skipped: SkippedOrder[];
  error?: { code: string; message: string };
}

const ATTEMPTS_PER_ACCOUNT = 4;

function stateOf(order: Order): BillingState {
  return Object.fromEntries(
    Object.entries({
      billedOn: order.billedOn,
      billedUntil: order.billedUntil,
      billedMetric: order.billedMetric,
      creditUsedUntil: order.creditUsedUntil,
    }).filter(([, v]) => v !== undefined),
  ) as BillingState;
}

function applyUpdate(before: BillingState, u: OrderBillingUpdate): BillingState {
  return {
    ...before,
    billedOn: u.billedOn,
    billedUntil: u.billedUntil,
    ...(u.billedMetric !== undefined ? { billedMetric: u.billedMetric } : {}),
    ...(u.creditUsedUntil !== undefined ? { creditUsedUntil: u.creditUsedUntil } : {}),
  };
}

async function allPages<T>(load: (cursor?: string) => Promise<{ items: T[]; nextCursor?: string }>): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await load(cursor);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

/** Which accounts to bill and, when orders or services were picked, which of their orders. */
async function selection(deps: CoreDeps, tenantId: string, input: z.output<typeof BillingRunInput>) {
  const picked = new Map<string, Set<string> | undefined>();
  if (input.orderIds) {
    for (const [i, id] of input.orderIds.entries()) {
      const order = await deps.store.orders.get(tenantId, id);
      if (!order) throw new ValidationError(`No order ${id}`, [{ path: ['orderIds', i], message: 'No such order' }]);
      picked.set(order.accountId, (picked.get(order.accountId) ?? new Set()).add(order.id));
    }
  } else if (input.serviceIds) {
    for (const id of input.serviceIds) {
      for (const order of await deps.store.orders.listByService(tenantId, id)) {
        picked.set(order.accountId, (picked.get(order.accountId) ?? new Set()).add(order.id));
      }
    }
  } else if (input.accountIds) {
    for (const [i, id] of input.accountIds.entries()) {
      if (!(await deps.store.accounts.get(tenantId, id)))
        throw new ValidationError(`No account ${id}`, [{ path: ['accountIds', i], message: 'No such account' }]);
      picked.set(id, undefined);
    }
  } else {
    const orders = await allPages((cursor) => deps.store.orders.list(tenantId, { limit: 200, cursor }));
    for (const id of new Set(orders.map((o) => o.accountId))) picked.set(id, undefined);
  }
  return picked;
}

/** What billing an account needs, loaded once per run (or per page of accounts of a long run). */
export interface RunContext {
  deps: CoreDeps;
  actor: Actor;
  tenant: Tenant;
  settings: BillSettings;
  definitions: readonly BillableService[];
  packs: readonly Pack[];
  billUntil: LocalDate;
  today: LocalDate;
  runAt: string;
}

/**
 * Bill the selected accounts, orders or services up to `billUntil`: create or append to each account's open bill of
 * the right type (fees apart), atomically with the orders' new billedUntil/billedOn. Accounts are independent: one
 * failing is reported and the others still bill. Idempotent — a second run finds nothing due.
 * @example await createBillsFromOrders(deps, actor, { accountIds: ['acc_…'], billUntil: '2026-12-31' })
 */
export async function createBillsFromOrders(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'bills:write');
  const data = parseInput(BillingRunInput, input ?? {});
  const [ctx, picked] = await Promise.all([billingContext(deps, actor, data.billUntil), selection(deps, actor.tenantId, data)]);
  const accounts: AccountRunResult[] = [];
  for (const [accountId, orderIds] of picked) accounts.push(await billAccount(ctx, accountId, orderIds));
  return {
    billUntil: ctx.billUntil,
    accounts,
    bills: accounts.flatMap((a) => a.bills),
    ordersBilled: accounts.reduce((n, a) => n + a.ordersBilled, 0),
    errors: accounts.filter((a) => a.error).map((a) => ({ accountId: a.accountId, ...a.error! })),
  };
}

/**
 * Load what billing accounts of the actor's tenant needs: the tenant, bill settings, catalog and packs. `runAt` marks
 * the order effects the run writes (a run resumed later keeps its first `runAt`).
 */
export async function billingContext(deps: CoreDeps, actor: Actor, billUntil?: LocalDate, runAt?: string): Promise<RunContext> {
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  const today = todayIn(deps.clock, tenant.timeZone);
  const [settings, definitions, packs] = await Promise.all([
    billSettingsOf(deps, tenant.id),
    deps.store.billableServices.list(tenant.id),
    deps.store.packs.list(tenant.id),
  ]);
  return {
    deps,
    actor,
    tenant,
    settings,
    definitions,
    packs,
    billUntil: billUntil ?? today,
    today,
    runAt: runAt ?? deps.clock.now().toISOString(),
  };
}

/** What a billing run read for a whole page of accounts at once (the account and its contracted packs). */
export interface PrefetchedAccount {
  account: Account | undefined;
  contracts: readonly ContractedPack[];
}

/**
 * Bill one account, retrying from fresh data when a concurrent run or edit moved a bill or an order meanwhile.
 * `prefetched` (a billing run's page read) serves the first attempt; retries read the account again.
 */
export async function billAccount(
  ctx: RunContext,
  accountId: string,
  orderIds: ReadonlySet<string> | undefined,
  prefetched?: PrefetchedAccount,
): Promise<AccountRunResult> {
  const result: AccountRunResult = { accountId, bills: [], ordersBilled: 0, skipped: [] };
  for (let attempt = 1; ; attempt += 1) {
    try {
      await billAccountOnce(ctx, accountId, orderIds, result, attempt === 1 ? prefetched : undefined);
      return mergeRecords(result);
    } catch (error) {
      if (error instanceof ConflictError && attempt < ATTEMPTS_PER_ACCOUNT) continue;
      const e = error as { code?: string; message?: string };
      const failure = { code: e.code ?? 'internal', message: e.code ? (e.message ?? '') : 'Unexpected error' };
      return { ...mergeRecords(result), error: failure };
    }
  }
}

/** One record per bill, however many attempts or chunks wrote to it. */
function mergeRecords(result: AccountRunResult): AccountRunResult {
  const byBill = new Map<string, AccountRunResult['bills'][number]>();
  for (const r of result.bills) {
    const seen = byBill.get(r.billId);
    byBill.set(r.billId, seen ? { ...seen, linesAdded: seen.linesAdded + r.linesAdded, created: seen.created || r.created } : { ...r });
  }
  return { ...result, bills: [...byBill.values()] };
}

async function billAccountOnce(
  ctx: RunContext,
  accountId: string,
  orderIds: ReadonlySet<string> | undefined,
  result: AccountRunResult,
  prefetched: PrefetchedAccount | undefined,
) {
  const { deps, tenant } = ctx;
  const account = prefetched ? prefetched.account : await deps.store.accounts.get(tenant.id, accountId);
  if (!account) throw new NotFoundError('Account', accountId);
  const orders = await allPages((cursor) => deps.store.orders.listByAccount(tenant.id, accountId, { limit: 200, cursor }));
  const contracts: readonly ContractedPack[] = prefetched
    ? prefetched.contracts
    : await deps.store.contractedPacks.list(tenant.id, accountId);
  const billing = tenant.settings.billing ?? DEFAULT_BILLING_SETTINGS;
  const proposed = proposeLines({
    settings: { currency: tenant.currency, fixedMonth: billing.fixedMonth, fixedDay: billing.fixedDay },
    definitions: ctx.definitions,
    packs: ctx.packs,
    packsByAccount: { [accountId]: contracts },
    orders,
    billUntil: ctx.billUntil,
    today: ctx.today,
    ...(orderIds ? { orderIds } : {}),
  });
  result.skipped = proposed.skipped;
  if (proposed.updates.length === 0 && proposed.proposals.length === 0) return;

  const byId = new Map(orders.map((o) => [o.id, o]));
  const isFee = new Map(ctx.definitions.map((d) => [d.id, d.isFee]));
  const typeOf = (orderId: string): BillType => (isFee.get(byId.get(orderId)?.billableServiceId ?? '') ? 'fee' : 'invoice');
  for (const type of ['invoice', 'fee'] as const) {
    const updates = proposed.updates.filter((u) => typeOf(u.orderId) === type);
    const proposals = proposed.proposals.filter((p) => (p.isFee ? 'fee' : 'invoice') === type);
    if (updates.length === 0 && proposals.length === 0) continue;
    await billType(ctx, account, type, byId, updates, proposals, result);
  }
}

/** One unit of work: an order's lines and its move, written together. */
interface OrderUnit {
  orderId: string;
  proposals: LineProposal[];
  write: OrderBillingWrite;
  effect: OrderEffect;
}

async function billType(
  ctx: RunContext,
  account: Account,
  type: BillType,
  orders: ReadonlyMap<string, Order>,
  updates: readonly OrderBillingUpdate[],
  proposals: readonly LineProposal[],
  result: AccountRunResult,
) {
  const { deps, actor, tenant } = ctx;
  const units: OrderUnit[] = updates.map((u) => {
    const before = stateOf(orders.get(u.orderId)!);
    const after = applyUpdate(before, u);
    return {
      orderId: u.orderId,
      proposals: proposals.filter((p) => p.orderId === u.orderId),
      write: { orderId: u.orderId, expected: before, next: after },
      effect: { orderId: u.orderId, runAt: ctx.runAt, before, after },
    };
  });
  // Lines of orders the engine did not move (none today) still get billed, without an order write.
  for (const p of proposals) {
    if (!units.some((u) => u.orderId === p.orderId)) throw new RangeError(`Proposal for order ${p.orderId} without its billing update`);
  }
  const withLines = units.filter((u) => u.proposals.length > 0);
  const withoutLines = units.filter((u) => u.proposals.length === 0);
  const pricing = pricingContext(tenant, ctx.settings, account);

  if (withLines.length === 0) {
    // Only positions move (periods with nothing used, credits): no bill for that, just the conditional order writes.
    for (let i = 0; i < withoutLines.length; i += MAX_ORDERS_PER_WRITE) {
      await deps.store.bills.write({ tenantId: tenant.id, orders: withoutLines.slice(i, i + MAX_ORDERS_PER_WRITE).map((u) => u.write) });
    }
    result.ordersBilled += withoutLines.length;
    return;
  }

  const open = await deps.store.bills.listOpen(tenant.id, account.id, type);
  let bill: Bill =
    open[open.length - 1] ??
    newOpenBill(deps, actor, { tenantId: tenant.id, accountId: account.id, type, currency: tenant.currency }, 'Billing run');
  let isNew = open.length === 0;
  let record = { billId: bill.id, type, linesAdded: 0, created: isNew };
  // Line-less moves ride on the bill too, so that deleting it also undoes them.
  const all = [...withoutLines, ...withLines];
  const queue: OrderUnit[][] = [];
  for (let i = 0; i < all.length; i += MAX_ORDERS_PER_WRITE) queue.push(all.slice(i, i + MAX_ORDERS_PER_WRITE));

  for (const units of queue) {
    const lines = units.flatMap((u) =>
      u.proposals.map((p) => lineFromProposal(p, newId('billLine', deps.clock), u.write.expected.billedUntil)),
    );
    let next: Bill = priceBill(
      { ...bill, lines: [...bill.lines, ...lines], effects: [...bill.effects, ...units.map((u) => u.effect)] },
      pricing,
    );
    if (billBytes(next) > MAX_BILL_BYTES && bill.lines.length > 0) {
      // This bill is full: continue on a new open bill of the same account and type.
      if (record.linesAdded > 0 || record.created) result.bills.push(record);
      bill = newOpenBill(
        deps,
        actor,
        { tenantId: tenant.id, accountId: account.id, type, currency: tenant.currency },
        'Billing run (previous bill full)',
      );
      isNew = true;
      record = { billId: bill.id, type, linesAdded: 0, created: true };
      next = priceBill({ ...bill, lines, effects: units.map((u) => u.effect) }, pricing);
    }
    next = { ...next, version: isNew ? 0 : bill.version + 1, updatedAt: deps.clock.now().toISOString() };
    await deps.store.bills.write({
      tenantId: tenant.id,
      put: [{ bill: next, expectedVersion: isNew ? null : bill.version }],
      orders: units.map((u) => u.write),
    });
    bill = next;
    isNew = false;
    record.linesAdded += lines.length;
    result.ordersBilled += units.length;
  }
  result.bills.push(record);
}
