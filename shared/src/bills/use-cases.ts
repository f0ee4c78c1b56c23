import { z } from 'zod';
import type { Account } from '../accounts/model';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { addDays, LocalDate } from '../core/dates';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { Amount, formatAmount, Money } from '../core/money';
import { Label, PageQuery } from '../core/schemas';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import type { BillSummary, OrderBillingWrite } from '../ports/store';
import type { Tenant } from '../tenancy/model';
import { DEFAULT_PAYMENT_SETTINGS, defaultSource, dueDateFor, hasMethodDueDays } from '../payments/model';
import { amendmentLines, isTooLateToAmend, manualLine, priceBill, type PricingContext } from './compute';
import {
  assertEditable,
  auditEntry,
  availableActions,
  isAmendable,
  transition,
  type TransitionAction,
  type TransitionContext,
} from './lifecycle';
import {
  AMENDMENT_OF,
  amendsToJSON,
  dropUndefined,
  AmendmentMode,
  Bill,
  BillSettings,
  BillSettingsPatch,
  BillState,
  billToJSON,
  BillType,
  BILL_TYPES,
  CreateBillInput,
  DEFAULT_BILL_SETTINGS,
  isAmendmentType,
  ManualLineInput,
  totalsToJSON,
  type OrderEffect,
} from './model';
import { mailBill, type BillDocumentPorts } from './mail';
import { fiscalYearOf, formatNumber, isNumbered, parseNumber, seriesCode } from './numbering';
import { billLocale, buildRenderModel, issueIssues, type RenderContext } from './render';
import { serialized } from './serial';
import { taxRulesFor } from './tax';

// Bills over the Store port: create and edit open bills, close (number + freeze), the lifecycle actions, amendments,
// merging, quote conversion and the tenant's bill settings. Every use case takes its deps and the actor explicitly;
// issued bills are never rewritten — the store enforces it too (shared/src/adapters/dynamodb/bill-store.ts).

/** Bills keep well under DynamoDB's 400 KB item limit; a billing run starts another open bill past this. */
export const MAX_BILL_BYTES = 300_000;
/** Order writes per transaction (one slot stays for the bill). */
export const MAX_ORDERS_PER_WRITE = 98;

// -----------------------------------------------------------------------------------------------------------------
// Loading and context

export async function tenantOrThrow(deps: CoreDeps, tenantId: string): Promise<Tenant> {
  const tenant = await deps.store.tenants.get(tenantId);
  if (!tenant) throw new NotFoundError('Tenant');
  return tenant;
}

/** The tenant's bill settings, defaults filled in. */
export async function billSettingsOf(deps: CoreDeps, tenantId: string): Promise<BillSettings> {
  return (await deps.store.bills.getSettings(tenantId)) ?? DEFAULT_BILL_SETTINGS;
}

async function accountOrThrow(deps: CoreDeps, tenantId: string, accountId: string, path: string[] = ['accountId']): Promise<Account> {
  const account = await deps.store.accounts.get(tenantId, accountId);
  if (!account) {
    if (path.length) throw new ValidationError(`No account ${accountId}`, [{ path, message: 'No such account' }]);
    throw new NotFoundError('Account', accountId);
  }
  return account;
}

/**
 * A bill the actor may see: customers only their own account's issued bills (drafts are not documents yet). Another
 * tenant's id is simply not found.
 */
export async function billOrThrow(deps: CoreDeps, actor: Actor, billId: string): Promise<Bill> {
  const bill = await deps.store.bills.get(actor.tenantId, billId);
  if (!bill || (actor.type === 'customer' && (bill.accountId !== actor.accountId || bill.state === 'open'))) {
    throw new NotFoundError('Bill', billId);
  }
  return bill;
}

/** The account a bill is for; an open bill of a deleted account cannot be priced or issued (404). */
export async function accountOf(deps: CoreDeps, bill: Pick<Bill, 'tenantId' | 'accountId'>): Promise<Account> {
  return accountOrThrow(deps, bill.tenantId, bill.accountId, []);
}

export function pricingContext(tenant: Tenant, settings: BillSettings, account: Account): PricingContext {
  return {
    rules: taxRulesFor(tenant.country),
    feeMode: settings.feeMode,
    customer: { country: account.country, vatId: account.vatId, postcode: account.postcode, type: account.type },
    locale: billLocale({ tenant, account }),
  };
}

function audit(actor: Actor, deps: CoreDeps, reason?: string): TransitionContext {
  return { actor: describeActor(actor), at: deps.clock.now().toISOString(), ...(reason?.trim() ? { reason: reason.trim() } : {}) };
}

/** A bill as the API returns it: amounts as strings, what can be done with it, the frozen document when issued. */
export function billView(bill: Bill) {
  return { ...billToJSON(bill), ...(bill.renderModel ? { renderModel: bill.renderModel } : {}), actions: availableActions(bill) };
}

function summaryView(bill: BillSummary) {
  return dropUndefined({ ...bill, totals: totalsToJSON(bill.totals), amends: bill.amends ? amendsToJSON(bill.amends) : undefined });
}

/** Approximate stored size of a bill (JSON length): keeps a bill inside one item. */
export function billBytes(bill: Bill): number {
  return JSON.stringify(billToJSON(bill)).length;
}

/** A new, empty open bill. */
export function newOpenBill(
  deps: CoreDeps,
  actor: Actor,
  fields: Pick<Bill, 'tenantId' | 'accountId' | 'type' | 'currency'> & Partial<Pick<Bill, 'amends' | 'quoteOf' | 'notes'>>,
  reason?: string,
): Bill {
  const now = deps.clock.now().toISOString();
  return {
    ...fields,
    id: newId('bill', deps.clock),
    state: 'open',
    lines: [],
    effects: [],
    totals: { base: new Money(0), tax: new Money(0), total: new Money(0), taxes: [] },
    audit: [auditEntry('create', null, 'open', audit(actor, deps, reason))],
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
}

/** The billing position of an order before / after a set of effects on one bill. */
export function restoreWrite(effects: readonly OrderEffect[]): OrderBillingWrite {
  const sorted = [...effects].sort((a, b) => (a.runAt < b.runAt ? -1 : a.runAt > b.runAt ? 1 : 0));
  return { orderId: sorted[0]!.orderId, expected: sorted[sorted.length - 1]!.after, next: sorted[0]!.before };
}

/** Price an open bill for its account and bump its version. */
async function repriced(deps: CoreDeps, bill: Bill, context?: { tenant: Tenant; settings: BillSettings; account: Account }): Promise<Bill> {
  const tenant = context?.tenant ?? (await tenantOrThrow(deps, bill.tenantId));
  const settings = context?.settings ?? (await billSettingsOf(deps, bill.tenantId));
  const account = context?.account ?? (await accountOrThrow(deps, bill.tenantId, bill.accountId, []));
  return {
    ...priceBill(bill, pricingContext(tenant, settings, account)),
    version: bill.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
}

function assertFits(bill: Bill): void {
  if (billBytes(bill) > MAX_BILL_BYTES) {
    throw new ConflictError(`Bill ${bill.id} is full (${bill.lines.length} lines); put further lines on another bill`);
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Reading

const BillQuery = PageQuery.extend({
  state: BillState.optional(),
  type: BillType.optional(),
  accountId: z.string().max(60).optional(),
  from: LocalDate.optional(),
  to: LocalDate.optional(),
  /** Unpaid bills past their due date. */
  overdue: z.enum(['true', 'false']).optional(),
  /** An exact printed number, e.g. I2026-0012. */
  number: z.string().trim().max(60).optional(),
});

/** Bills by state, type, account, issue day, overdue, or one number. Customers see their own issued bills only. */
export async function listBills(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'bills:read');
  const q = parseInput(BillQuery, query ?? {});
  if (actor.type === 'customer') {
    if (q.state === 'open') return { items: [] };
    q.accountId = actor.accountId;
  }
  if (q.number) {
    const settings = await billSettingsOf(deps, actor.tenantId);
    const items: BillSummary[] = [];
    for (const candidate of parseNumber(q.number, settings.series)) {
      const id = await deps.store.bills.findByNumber(actor.tenantId, candidate.type, candidate.year, candidate.sequence);
      const bill = id ? await deps.store.bills.get(actor.tenantId, id) : undefined;
      if (bill && bill.number === q.number && (!q.accountId || bill.accountId === q.accountId)) {
        const { lines, effects: _e, audit: _a, renderModel: _m, ...rest } = bill;
        items.push({ ...rest, lineCount: lines.length });
      }
    }
    return { items: items.map(summaryView) };
  }
  const tenant = q.overdue === 'true' ? await tenantOrThrow(deps, actor.tenantId) : undefined;
  const page = await deps.store.bills.list(actor.tenantId, {
    limit: q.limit,
    cursor: q.cursor,
    accountId: q.accountId,
    state: q.state,
    type: q.type,
    from: q.from,
    to: q.to,
    dueBefore: tenant ? todayIn(deps.clock, tenant.timeZone) : undefined,
  });
  const items = actor.type === 'customer' ? page.items.filter((b) => b.state !== 'open') : page.items;
  return { items: items.map(summaryView), nextCursor: page.nextCursor };
}

export async function getBill(deps: CoreDeps, actor: Actor, billId: string) {
  authorize(actor, 'bills:read');
  return billView(await billOrThrow(deps, actor, billId));
}

const ExportQuery = PageQuery.extend({
  /** Fiscal year; the current one (tenant's time zone) by default. */
  year: z.coerce.number().int().min(2000).max(9999).optional(),
  type: BillType.optional(),
});

/**
 * Issued bills of a fiscal year in number order, one row each with the customer and amounts as issued (from the
 * frozen document): what the accountant's CSV is made of. Types come in a fixed order when none is given.
 */
export async function exportBills(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'bills:read');
  if (actor.type === 'customer') throw new NotFoundError('Export');
  const q = parseInput(ExportQuery, query ?? {});
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  const year = q.year ?? fiscalYearOf(todayIn(deps.clock, tenant.timeZone));
  const types = q.type ? [q.type] : BILL_TYPES.filter(isNumbered);
  // The cursor is `<type index>.<store cursor>`; the store checks its part stays in the caller's partition.
  let [typeIndex, inner] = [0, undefined as string | undefined];
  if (q.cursor) {
    const m = /^(\d)\.(.*)$/.exec(q.cursor);
    if (!m || Number(m[1]) >= types.length) throw new ValidationError('Invalid cursor', [{ path: ['cursor'], message: 'Invalid cursor' }]);
    typeIndex = Number(m[1]);
    inner = m[2] || undefined;
  }
  const rows = [];
  let nextCursor: string | undefined;
  while (typeIndex < types.length && rows.length < q.limit) {
    const type = types[typeIndex]!;
    const page = await deps.store.bills.listNumbers(actor.tenantId, type, year, { limit: q.limit - rows.length, cursor: inner });
    for (const entry of page.items) {
      const bill = await deps.store.bills.get(actor.tenantId, entry.billId);
      if (bill) rows.push(exportRow(bill));
    }
    if (page.nextCursor) {
      inner = page.nextCursor;
      nextCursor = `${typeIndex}.${inner}`;
      break;
    }
    typeIndex += 1;
    inner = undefined;
    nextCursor = typeIndex < types.length ? `${typeIndex}.` : undefined;
  }
  return { year, items: rows, ...(nextCursor ? { nextCursor } : {}) };
}

function exportRow(bill: Bill) {
  const m = bill.renderModel;
  return {
    type: bill.type,
    number: bill.number,
    issuedOn: bill.issuedOn,
    dueOn: bill.dueOn,
    state: bill.state,
    accountId: bill.accountId,
    customerName: m?.customer.name,
    customerTaxId: m?.customer.taxId,
    customerCountry: m?.customer.country,
    currency: bill.currency,
    base: formatAmount(bill.totals.base),
    tax: formatAmount(bill.totals.tax),
    total: formatAmount(bill.totals.total),
    taxes: bill.totals.taxes.map((t) => ({ code: t.code, rate: t.rate.toFixed(), base: formatAmount(t.base), tax: formatAmount(t.tax) })),
    amends: bill.amends?.number,
    billId: bill.id,
  };
}

// -----------------------------------------------------------------------------------------------------------------
// Open bills: create, lines, delete, merge

/** Open a bill by hand: invoice, fee or quote, optionally with lines. Amendments come from `amendBill`. */
export async function createBill(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'bills:write');
  const data = parseInput(CreateBillInput, input ?? {});
  if (isAmendmentType(data.type)) {
    throw new ValidationError('Amendments are issued from the bill they correct', [
      { path: ['type'], message: 'Use POST /v1/bills/{billId}/amend on the original bill' },
    ]);
  }
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  const account = await accountOrThrow(deps, actor.tenantId, data.accountId);
  const settings = await billSettingsOf(deps, actor.tenantId);
  const draft = newOpenBill(deps, actor, {
    tenantId: actor.tenantId,
    accountId: account.id,
    type: data.type,
    currency: tenant.currency,
    ...(data.notes ? { notes: data.notes } : {}),
  });
  const bill = priceBill(
    { ...draft, lines: data.lines.map((l) => manualLine(l, newId('billLine', deps.clock))) },
    pricingContext(tenant, settings, account),
  );
  assertFits(bill);
  await deps.store.bills.write({ tenantId: actor.tenantId, put: [{ bill, expectedVersion: null }] });
  return billView(bill);
}

/** Add a line typed by staff to an open bill. */
export async function addLine(deps: CoreDeps, actor: Actor, billId: string, input: unknown) {
  authorize(actor, 'bills:write');
  const bill = await billOrThrow(deps, actor, billId);
  assertEditable(bill, 'given new lines');
  const data = parseInput(ManualLineInput, input ?? {});
  const next = await repriced(deps, { ...bill, lines: [...bill.lines, manualLine(data, newId('billLine', deps.clock))] });
  assertFits(next);
  await deps.store.bills.write({ tenantId: actor.tenantId, put: [{ bill: next, expectedVersion: bill.version }] });
  return billView(next);
}

/** The lines and effects that travel together: every line of the same order (an order's billing is one chain). */
function unitOf(bill: Bill, lineId: string) {
  const line = bill.lines.find((l) => l.id === lineId);
  if (!line) throw new NotFoundError('Line', lineId);
  if (!line.orderId) return { lineIds: new Set([line.id]), orderId: undefined, effects: [] as OrderEffect[] };
  const orderId = line.orderId;
  return {
    lineIds: new Set(bill.lines.filter((l) => l.orderId === orderId).map((l) => l.id)),
    orderId,
    effects: bill.effects.filter((e) => e.orderId === orderId),
  };
}

/**
 * Remove a line from an open bill. A line that billed an order takes the order's other lines on this bill with it
 * and puts the order back where it stood before (its billedUntil/billedOn), so the next run bills it again.
 */
export async function deleteLine(deps: CoreDeps, actor: Actor, billId: string, lineId: string) {
  authorize(actor, 'bills:write');
  const bill = await billOrThrow(deps, actor, billId);
  assertEditable(bill, 'edited');
  const unit = unitOf(bill, lineId);
  const next = await repriced(deps, {
    ...bill,
    lines: bill.lines.filter((l) => !unit.lineIds.has(l.id)),
    effects: bill.effects.filter((e) => e.orderId !== unit.orderId || !unit.orderId),
  });
  await deps.store.bills.write({
    tenantId: actor.tenantId,
    put: [{ bill: next, expectedVersion: bill.version }],
    orders: unit.effects.length ? [restoreWrite(unit.effects)] : [],
  });
  return {
    ...billView(next),
    removedLineIds: [...unit.lineIds],
    restoredOrderIds: unit.orderId && unit.effects.length ? [unit.orderId] : [],
  };
}

const MoveLineInput = z.strictObject({ toBillId: z.string().min(1).max(60) });

/** Move a line (with the order's other lines and billing effects) to another open bill of the same account and type. */
export async function moveLine(deps: CoreDeps, actor: Actor, billId: string, lineId: string, input: unknown) {
  authorize(actor, 'bills:write');
  const from = await billOrThrow(deps, actor, billId);
  assertEditable(from, 'edited');
  const unit = unitOf(from, lineId);
  const { toBillId } = parseInput(MoveLineInput, input ?? {});
  if (toBillId === from.id) throw new ValidationError('The line is on that bill already', [{ path: ['toBillId'], message: 'Same bill' }]);
  const to = await deps.store.bills.get(actor.tenantId, toBillId);
  if (!to) throw new ValidationError(`No bill ${toBillId}`, [{ path: ['toBillId'], message: 'No such bill' }]);
  assertEditable(to, 'given new lines');
  if (to.accountId !== from.accountId || to.type !== from.type || to.currency !== from.currency) {
    throw new ValidationError('Lines move only between open bills of the same account, type and currency', [
      { path: ['toBillId'], message: 'Another account, type or currency' },
    ]);
  }
  const moved = from.lines.filter((l) => unit.lineIds.has(l.id));
  const nextFrom = await repriced(deps, {
    ...from,
    lines: from.lines.filter((l) => !unit.lineIds.has(l.id)),
    effects: from.effects.filter((e) => !unit.effects.includes(e)),
  });
  const nextTo = await repriced(deps, { ...to, lines: [...to.lines, ...moved], effects: [...to.effects, ...unit.effects] });
  assertFits(nextTo);
  await deps.store.bills.write({
    tenantId: actor.tenantId,
    put: [
      { bill: nextFrom, expectedVersion: from.version },
      { bill: nextTo, expectedVersion: to.version },
    ],
  });
  return { from: billView(nextFrom), to: billView(nextTo), movedLineIds: [...unit.lineIds] };
}

/**
 * Delete an open bill and put every order it billed back where it stood. An issued bill is never deleted (409):
 * discard or amend it. Bills that billed more orders than one transaction holds are emptied in steps, each step
 * consistent on its own (the orders it restores leave the bill in the same write).
 */
export async function deleteBill(deps: CoreDeps, actor: Actor, billId: string): Promise<void> {
  authorize(actor, 'bills:write');
  let bill = await billOrThrow(deps, actor, billId);
  assertEditable(bill, 'deleted');
  const byOrder = new Map<string, OrderEffect[]>();
  for (const e of bill.effects) byOrder.set(e.orderId, [...(byOrder.get(e.orderId) ?? []), e]);
  const orderIds = [...byOrder.keys()];
  while (orderIds.length > MAX_ORDERS_PER_WRITE) {
    const chunk = new Set(orderIds.splice(0, MAX_ORDERS_PER_WRITE));
    const next: Bill = {
      ...bill,
      lines: bill.lines.filter((l) => !l.orderId || !chunk.has(l.orderId)),
      effects: bill.effects.filter((e) => !chunk.has(e.orderId)),
      version: bill.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    await deps.store.bills.write({
      tenantId: actor.tenantId,
      put: [{ bill: next, expectedVersion: bill.version }],
      orders: [...chunk].map((id) => restoreWrite(byOrder.get(id)!)),
    });
    bill = next;
  }
  await deps.store.bills.write({
    tenantId: actor.tenantId,
    remove: [{ bill, expectedVersion: bill.version }],
    orders: orderIds.map((id) => restoreWrite(byOrder.get(id)!)),
  });
}

const MergeInput = z.strictObject({ billIds: z.array(z.string().min(1).max(60)).min(2, 'Merge at least two bills').max(50) });

/** Merge open bills of one account, type and currency into the oldest; the others disappear. */
export async function mergeBills(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'bills:write');
  const { billIds } = parseInput(MergeInput, input ?? {});
  const ids = [...new Set(billIds)].sort();
  if (ids.length < 2) throw new ValidationError('Merge at least two different bills', [{ path: ['billIds'], message: 'Repeated ids' }]);
  const bills: Bill[] = [];
  for (const [i, id] of ids.entries()) {
    const bill = await deps.store.bills.get(actor.tenantId, id);
    if (!bill) throw new NotFoundError('Bill', id);
    assertEditable(bill, 'merged');
    if (i > 0 && (bill.accountId !== bills[0]!.accountId || bill.type !== bills[0]!.type || bill.currency !== bills[0]!.currency)) {
      throw new ValidationError('Only open bills of the same account, type and currency merge', [
        { path: ['billIds', billIds.indexOf(id)], message: 'Another account, type or currency' },
      ]);
    }
    bills.push(bill);
  }
  const [target, ...rest] = bills as [Bill, ...Bill[]];
  const merged = await repriced(deps, {
    ...target,
    lines: bills.flatMap((b) => b.lines),
    effects: bills.flatMap((b) => b.effects),
    notes:
      bills
        .map((b) => b.notes)
        .filter(Boolean)
        .join('\n') || undefined,
    audit: [...target.audit, auditEntry('merge', 'open', 'open', audit(actor, deps, `Merged ${rest.map((b) => b.id).join(', ')}`))],
  });
  assertFits(merged);
  await deps.store.bills.write({
    tenantId: actor.tenantId,
    put: [{ bill: merged, expectedVersion: target.version }],
    remove: rest.map((b) => ({ bill: b, expectedVersion: b.version })),
  });
  return billView(merged);
}

// -----------------------------------------------------------------------------------------------------------------
// Closing: number, dates, frozen document

const CloseInput = z.strictObject({
  reason: z.string().trim().max(1000).optional(),
  /** EUR per unit of the bill's currency (non-EUR Spanish bills state their tax in EUR too). */
  exchangeRate: Amount.refine((s) => !s.startsWith('-') && Number(s) !== 0, 'Use a positive rate').optional(),
});

const MAX_ISSUE_ATTEMPTS = 40;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Close (issue) an open bill: the next number of its series (tenant, type, fiscal year) — quotes get none — the issue
 * and due dates in the tenant's time zone, the tax decided and frozen, and the render model frozen. The number and the
 * bill are written in one transaction, so a failed close never burns a number; a lost race re-reads the counter
 * and tries the next number.
 */
export async function closeBill(deps: CoreDeps, actor: Actor, billId: string, input?: unknown) {
  authorize(actor, 'bills:write');
  const data = parseInput(CloseInput, input ?? {});
  const bill = await billOrThrow(deps, actor, billId);
  transition(bill, 'close', audit(actor, deps, data.reason)); // 409 before anything is loaded when it cannot close
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  const settings = await billSettingsOf(deps, actor.tenantId);
  const account = await accountOrThrow(deps, actor.tenantId, bill.accountId, []);
  const context = { tenant, settings, account };
  const base = await closedForm(deps, actor, bill, context, data);
  if (!isNumbered(bill.type)) {
    const quote = { ...base, renderModel: buildRenderModel(base, context) };
    await deps.store.bills.issue(quote, bill.version);
    return billView(quote);
  }
  const year = base.fiscalYear!;
  const issued = await serialized(`${actor.tenantId}#${bill.type}#${year}`, () =>
    issueNumbered(deps, base, bill.version, year, context, settings.series[bill.type]),
  );
  return billView(issued);
}

/**
 * An open bill in its closed form, not yet numbered: transition audited, priced and taxed for its account, issue and
 * due dates in the tenant's time zone, `fiscalYear` set. ValidationError listing what is missing to issue it. Shared by
 * `closeBill` and the billing run's closing of many bills at once (billing-run-close.ts). `dueOn` may be given when
 * the caller already knows it (it loaded the payment sources of many accounts at once).
 */
export async function closedForm(
  deps: CoreDeps,
  actor: Actor,
  bill: Bill,
  context: RenderContext & { tenant: Tenant; account: Account },
  data: { reason?: string; exchangeRate?: string },
  dueOn?: (issuedOn: LocalDate, seriesDueDays: number) => LocalDate,
): Promise<Bill> {
  const closedState = transition(bill, 'close', audit(actor, deps, data.reason));
  const { tenant, settings, account } = context;
  const priced = priceBill(bill, pricingContext(tenant, settings, account));
  const issues = issueIssues(priced, context, data.exchangeRate);
  if (issues.length) throw new ValidationError(`Bill ${bill.id} cannot be issued yet`, issues);
  const issuedOn = todayIn(deps.clock, tenant.timeZone);
  const series = settings.series[bill.type];
  return {
    ...priced,
    state: closedState.state,
    audit: closedState.audit,
    issuedOn,
    ...(isNumbered(bill.type) ? { fiscalYear: fiscalYearOf(issuedOn) } : {}),
    dueOn:
      bill.type === 'quote'
        ? addDays(issuedOn, series.dueDays)
        : (dueOn?.(issuedOn, series.dueDays) ?? (await dueOnFor(deps, bill, issuedOn, series.dueDays))),
    ...(data.exchangeRate ? { exchangeRate: data.exchangeRate } : {}),
    version: bill.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
}

/** A payable bill's due day: the tenant's due days for the account's default payment method, else the series'. */
async function dueOnFor(deps: CoreDeps, bill: Bill, issuedOn: LocalDate, seriesDueDays: number): Promise<LocalDate> {
  const paymentSettings = (await deps.store.payments.getSettings(bill.tenantId)) ?? DEFAULT_PAYMENT_SETTINGS;
  // The account's default method matters only when some method has due days of its own.
  if (!hasMethodDueDays(paymentSettings)) return dueDateFor(issuedOn, seriesDueDays, undefined, paymentSettings);
  const method = defaultSource(await deps.store.payments.listSources(bill.tenantId, bill.accountId))?.method;
  return dueDateFor(issuedOn, seriesDueDays, method, paymentSettings);
}

/** Take the next number and write; on a lost race, re-read the counter and try again (with jittered back-off). */
async function issueNumbered(
  deps: CoreDeps,
  base: Bill,
  expectedVersion: number,
  year: number,
  context: RenderContext,
  series: BillSettings['series'][BillType],
): Promise<Bill> {
  for (let attempt = 0; attempt < MAX_ISSUE_ATTEMPTS; attempt += 1) {
    const last = await deps.store.bills.lastSequence(base.tenantId, base.type, year);
    const numbered: Bill = {
      ...base,
      fiscalYear: year,
      series: seriesCode(series, year),
      sequence: last + 1,
      number: formatNumber(series, year, last + 1),
    };
    const issued = { ...numbered, renderModel: buildRenderModel(numbered, context) };
    try {
      if ((await deps.store.bills.issue(issued, expectedVersion, { type: base.type, year, expectedLast: last })) === 'issued')
        return issued;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
    }
    await pause(Math.min(400, 5 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random()));
  }
  throw new TransientError('Too many bills are being closed in this series right now; try again');
}

// -----------------------------------------------------------------------------------------------------------------
// Lifecycle of issued bills

const ActionInput = z.strictObject({ reason: z.string().trim().max(1000).optional() });

/** Recipients of a bill: the account's billing contacts, or the account's own e-mail when it has none. */
async function billRecipients(deps: CoreDeps, bill: Bill): Promise<string[]> {
  const contacts = await deps.store.contacts.list(bill.tenantId, bill.accountId);
  const billing = contacts.filter((c) => c.usages.includes('billing')).map((c) => c.email);
  if (billing.length) return [...new Set(billing)];
  const account = await deps.store.accounts.get(bill.tenantId, bill.accountId);
  return account ? [account.email] : [];
}

/**
 * Apply a lifecycle action to an issued bill (send, mark-paid, mark-returned, mark-irrecoverable, discard,
 * undo-discard): only the state and the audit trail change.
 */
export async function actOnBill(
  deps: CoreDeps & BillDocumentPorts,
  actor: Actor,
  billId: string,
  action: Exclude<TransitionAction, 'close' | 'convert'>,
  input?: unknown,
) {
  authorize(actor, 'bills:write');
  const bill = await billOrThrow(deps, actor, billId);
  const { reason } = parseInput(ActionInput, input ?? {});
  let next: Bill = {
    ...transition(bill, action, audit(actor, deps, reason)),
    version: bill.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  if (action === 'send') {
    // The e-mail goes first: if it fails nothing is recorded, and sending again is the retry.
    const to = await billRecipients(deps, bill);
    if (to.length === 0) {
      throw new ValidationError('The account has no e-mail to send the bill to', [{ path: ['account', 'email'], message: 'Required' }]);
    }
    const [tenant, settings] = await Promise.all([tenantOrThrow(deps, actor.tenantId), billSettingsOf(deps, actor.tenantId)]);
    const mailed = await mailBill(deps, tenant, settings, bill, to);
    if (mailed) {
      const pdf = { key: mailed.key, sha256: mailed.sha256, renderedAt: bill.pdf?.renderedAt ?? deps.clock.now().toISOString() };
      if (!bill.pdf) await deps.store.bills.setPdf(actor.tenantId, bill.id, pdf);
      const [last, ...earlier] = [...next.audit].reverse();
      const noted = { ...last!, reason: [last!.reason, `e-mail ${mailed.messageId}`].filter(Boolean).join('; ') };
      next = { ...next, pdf, audit: [...earlier.reverse(), noted] };
    }
    next = { ...next, sentTo: to };
  }
  await deps.store.bills.transition(next, bill.version);
  return billView(next);
}

const AmendInput = z.strictObject({
  /** Why the bill is corrected (printed on the amendment; RD 1619/2012 art. 15). */
  cause: Label(500),
  mode: AmendmentMode.default('differences'),
  /**
   * Manual amendment: the correct base of each corrected line. Left out: automatic amendment of the whole amount
   * (thesis §5.7.2).
   */
  lines: z
    .array(z.strictObject({ lineId: z.string().min(1).max(60), total: Amount.transform((s) => new Money(s)) }))
    .min(1, 'Correct at least one line, or leave lines out to amend the whole bill')
    .max(2000)
    .optional(),
  notes: z.string().trim().max(2000).optional(),
});

/**
 * Amend an issued invoice or fee: a new open amendment (own series) that references the original's number, date,
 * cause and mode; the original stays as issued and gains an audit entry. Close the amendment to issue it.
 */
export async function amendBill(deps: CoreDeps, actor: Actor, billId: string, input: unknown) {
  authorize(actor, 'bills:write');
  const original = await billOrThrow(deps, actor, billId);
  if (!isAmendable(original)) {
    throw new ConflictError(
      original.state === 'open'
        ? `Bill ${original.id} is open: change its lines instead of amending it`
        : `A ${original.type} that is ${original.state} cannot be amended (only issued invoices and fees)`,
      { state: original.state, allowed: availableActions(original) },
    );
  }
  const data = parseInput(AmendInput, input ?? {});
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  if (isTooLateToAmend(original.issuedOn!, todayIn(deps.clock, tenant.timeZone))) {
    throw new ConflictError(
      `Bill ${original.number} was issued on ${original.issuedOn}: more than 4 years ago it can no longer be amended`,
    );
  }
  const known = new Set(original.lines.map((l) => l.id));
  const unknown = (data.lines ?? []).flatMap((l, i) =>
    known.has(l.lineId) ? [] : [{ path: ['lines', i, 'lineId'], message: 'Not a line of this bill' }],
  );
  if (unknown.length) throw new ValidationError('Some lines are not on the bill being amended', unknown);
  const settings = await billSettingsOf(deps, actor.tenantId);
  const account = await accountOrThrow(deps, actor.tenantId, original.accountId, []);
  const draft = newOpenBill(
    deps,
    actor,
    {
      tenantId: actor.tenantId,
      accountId: original.accountId,
      type: AMENDMENT_OF[original.type]!,
      currency: original.currency,
      amends: {
        billId: original.id,
        number: original.number!,
        issuedOn: original.issuedOn!,
        cause: data.cause,
        mode: data.mode,
        original: { base: original.totals.base, tax: original.totals.tax, total: original.totals.total },
      },
      ...(data.notes ? { notes: data.notes } : {}),
    },
    data.cause,
  );
  const lines = amendmentLines(original, data.mode, data.lines, () => newId('billLine', deps.clock));
  const amendment = priceBill({ ...draft, lines }, pricingContext(tenant, settings, account));
  const marked: Bill = {
    ...original,
    audit: [
      ...original.audit,
      auditEntry('amend', original.state, original.state, audit(actor, deps, `${data.cause} (amendment ${amendment.id})`)),
    ],
    version: original.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.bills.transition(marked, original.version, amendment);
  return billView(amendment);
}

/** Convert an issued quote into an open invoice with the same lines, linked both ways. */
export async function convertQuote(deps: CoreDeps, actor: Actor, billId: string, input?: unknown) {
  authorize(actor, 'bills:write');
  const quote = await billOrThrow(deps, actor, billId);
  const { reason } = parseInput(ActionInput, input ?? {});
  const converted = transition(quote, 'convert', audit(actor, deps, reason));
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  const settings = await billSettingsOf(deps, actor.tenantId);
  const account = await accountOrThrow(deps, actor.tenantId, quote.accountId, []);
  const draft = newOpenBill(
    deps,
    actor,
    {
      tenantId: actor.tenantId,
      accountId: quote.accountId,
      type: 'invoice',
      currency: quote.currency,
      quoteOf: { billId: quote.id },
      notes: quote.notes,
    },
    `From quote ${quote.id}`,
  );
  const invoice = priceBill(
    { ...draft, lines: quote.lines.map((l) => ({ ...l, id: newId('billLine', deps.clock), kind: 'manual' as const })) },
    pricingContext(tenant, settings, account),
  );
  const next: Bill = { ...converted, convertedTo: invoice.id, version: quote.version + 1, updatedAt: deps.clock.now().toISOString() };
  await deps.store.bills.transition(next, quote.version, invoice);
  return billView(invoice);
}

// -----------------------------------------------------------------------------------------------------------------
// Settings

export async function getBillSettings(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'bills:read');
  if (actor.type === 'customer') throw new NotFoundError('Bill settings');
  return billSettingsOf(deps, actor.tenantId);
}

/** Change the issuer profile, series (prefix, digits, due days), fee mode, payment instructions or billing schedule. */
export async function updateBillSettings(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'bills:write');
  const patch = parseInput(BillSettingsPatch, input ?? {});
  const current = await billSettingsOf(deps, actor.tenantId);
  const series = { ...current.series };
  for (const [type, change] of Object.entries(patch.series ?? {})) {
    series[type as BillType] = { ...series[type as BillType], ...stripUndefined(change ?? {}) };
  }
  const next = parseInput(BillSettings, {
    ...current,
    issuer: { ...current.issuer, ...stripUndefined(patch.issuer ?? {}) },
    series,
    feeMode: patch.feeMode ?? current.feeMode,
    paymentInstructions: patch.paymentInstructions ?? current.paymentInstructions,
    schedule: { ...current.schedule, ...stripUndefined(patch.schedule ?? {}) },
  });
  await deps.store.bills.putSettings(actor.tenantId, next);
  return next;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
