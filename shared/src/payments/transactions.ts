import { z } from 'zod';
import { transition as billTransition, type TransitionAction } from '../bills/lifecycle';
import type { Bill } from '../bills/model';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { formatAmount, Money } from '../core/money';
import { parseInput } from '../core/validate';
import type { TransactionRefKind } from '../ports/store';
import { settleDunning } from './dunning-settle';
import {
  applyTransition,
  ExternalRefs,
  PaymentAmount,
  PaymentMethod,
  TransactionState,
  type Transaction,
  type TransitionDetails,
} from './model';

// Transactions (issue 5): create one for a bill or bills, move it along the table in ./model.ts, and derive each
// allocated bill's payment state from its allocations — a bill is paid when Σ succeeded allocations ≥ its total, and
// returned when a payment of a paid bill comes back and the rest no longer covers it. The bill only moves through its
// lifecycle (mark-paid / mark-returned): its content is never touched. Every step is idempotent, and the derivation
// runs again on every re-application, so a redelivered event heals a crash between the two writes.

/** Bill states in which a bill is waiting for money. */
const PAYABLE_STATES: readonly Bill['state'][] = ['closed', 'sent', 'returned'];
/** Optimistic-concurrency retries before giving up with a 409. */
const ATTEMPTS = 8;

const Allocate = z.strictObject({
  billId: z.string().min(1).max(60),
  /** Left out: what is still owed on the bill. */
  amount: PaymentAmount.optional(),
});

/** Input of {@link createTransaction}. */
export const CreateTransactionInput = z.strictObject({
  accountId: z.string().min(1).max(60),
  method: PaymentMethod,
  sourceId: z.string().min(1).max(60).optional(),
  allocations: z.array(Allocate).min(1, 'Pay at least one bill').max(20),
  /** SEPA batches create their debits already processing. */
  state: z.enum(['created', 'processing']).default('created'),
  refs: ExternalRefs.default({}),
});
export type CreateTransactionInput = z.input<typeof CreateTransactionInput>;

/** A bill's payment position: its total, what succeeded, what is in flight, what is still owed. */
export interface BillBalance {
  total: string;
  paid: string;
  pending: string;
  outstanding: string;
}

/** What has been paid on a bill so far, from its allocations. */
export async function billBalance(deps: CoreDeps, bill: Bill): Promise<BillBalance> {
  const allocations = await deps.store.payments.listByBill(bill.tenantId, bill.id);
  // What refunds gave back (partial refunds of a succeeded transaction) no longer counts as paid.
  const sum = (states: readonly string[]) =>
    allocations.filter((a) => states.includes(a.state)).reduce((acc, a) => acc.plus(a.amount).minus(a.refunded ?? 0), new Money(0));
  const paid = sum(['succeeded']);
  const pending = sum(['created', 'processing']);
  const outstanding = Money.max(0, bill.totals.total.minus(paid));
  return {
    total: formatAmount(bill.totals.total),
    paid: formatAmount(paid),
    pending: formatAmount(pending),
    outstanding: formatAmount(outstanding),
  };
}

/** References of a transaction that must stay unique in the tenant. */
export function refClaims(refs: Transaction['refs']): { kind: TransactionRefKind; ref: string }[] {
  const out: { kind: TransactionRefKind; ref: string }[] = [];
  if (refs.stripeCheckoutSessionId) out.push({ kind: 'stripeCheckoutSession', ref: refs.stripeCheckoutSessionId });
  if (refs.stripePaymentIntentId) out.push({ kind: 'stripePaymentIntent', ref: refs.stripePaymentIntentId });
  if (refs.sepa?.endToEndId) out.push({ kind: 'sepaEndToEnd', ref: refs.sepa.endToEndId });
  if (refs.autoChargeOf) out.push({ kind: 'autoCharge', ref: refs.autoChargeOf });
  return out;
}

/**
 * Create a transaction paying one or more bills of one account. Customers may only pay their own bills by card;
 * staff need `payments:write`. Each bill must be issued, payable and in the transaction's currency, and no allocation
 * may exceed what is still owed (422).
 */
export async function createTransaction(deps: CoreDeps, actor: Actor, input: unknown): Promise<Transaction> {
  const data = parseInput(CreateTransactionInput, input);
  if (actor.type === 'customer') {
    if (data.accountId !== actor.accountId) throw new NotFoundError('Account', data.accountId);
    if (data.method !== 'card') throw new ValidationError('Customers pay online by card', [{ path: ['method'], message: 'Use card' }]);
  } else authorize(actor, 'payments:write');
  const tenantId = actor.tenantId;
  if (!(await deps.store.accounts.get(tenantId, data.accountId))) {
    throw new ValidationError(`No account ${data.accountId}`, [{ path: ['accountId'], message: 'No such account' }]);
  }
  if (new Set(data.allocations.map((a) => a.billId)).size !== data.allocations.length) {
    throw new ValidationError('Allocate each bill once', [{ path: ['allocations'], message: 'Duplicate bill' }]);
  }
  if (data.sourceId && !(await deps.store.payments.getSource(tenantId, data.accountId, data.sourceId))) {
    throw new ValidationError(`No payment source ${data.sourceId}`, [{ path: ['sourceId'], message: 'No such source for this account' }]);
  }
  let currency: string | undefined;
  const allocations: Transaction['allocations'] = [];
  for (const [i, a] of data.allocations.entries()) {
    const bill = await deps.store.bills.get(tenantId, a.billId);
    const path = ['allocations', i, 'billId'];
    if (!bill || bill.accountId !== data.accountId || bill.state === 'open') {
      throw new ValidationError(`No issued bill ${a.billId} of this account`, [{ path, message: 'No such bill' }]);
    }
    if (bill.type === 'quote' || !PAYABLE_STATES.includes(bill.state)) {
      throw new ValidationError(`Bill ${bill.number ?? bill.id} is ${bill.state}: there is nothing to pay`, [
        { path, message: 'Not payable' },
      ]);
    }
    if (currency && bill.currency !== currency) {
      throw new ValidationError('Pay bills of one currency per transaction', [{ path: ['allocations'], message: 'Mixed currencies' }]);
    }
    currency = bill.currency;
    const balance = await billBalance(deps, bill);
    const owed = new Money(balance.outstanding);
    const amount = a.amount ? new Money(a.amount) : owed;
    if (amount.lte(0)) {
      throw new ValidationError(`Bill ${bill.number ?? bill.id} is already paid`, [{ path, message: 'Nothing owed' }]);
    }
    if (amount.gt(owed)) {
      throw new ValidationError(`Bill ${bill.number ?? bill.id} has ${balance.outstanding} left to pay`, [
        { path: ['allocations', i, 'amount'], message: `At most ${balance.outstanding}` },
      ]);
    }
    allocations.push({ billId: bill.id, amount: formatAmount(amount) });
  }
  const now = deps.clock.now().toISOString();
  const total = allocations.reduce((acc, a) => acc.plus(a.amount), new Money(0));
  const tx: Transaction = {
    tenantId,
    id: newId('transaction', deps.clock),
    accountId: data.accountId,
    method: data.method,
    ...(data.sourceId ? { sourceId: data.sourceId } : {}),
    amount: formatAmount(total),
    currency: currency!,
    allocations,
    state: data.state,
    refs: data.refs,
    audit: [{ at: now, from: null, to: data.state, actor: describeActor(actor) }],
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.payments.create(tx, refClaims(tx.refs));
  return tx;
}

/** Input of the staff transition endpoint. */
export const TransitionInput = z.strictObject({
  to: TransactionState,
  reason: z.string().trim().max(1000).optional(),
  failure: z.strictObject({ code: z.string().min(1).max(100), message: z.string().max(1000) }).optional(),
  bankCharges: PaymentAmount.optional(),
});

/**
 * Move a transaction to `to` and derive its bills' payment state. Idempotent: a transaction already in `to` is left
 * as it is (and its bills are derived again); concurrent callers race on the version and only one transition is
 * recorded. A move the table forbids is a 409.
 */
export async function transitionTransaction(
  deps: CoreDeps,
  actor: Actor,
  tenantId: string,
  transactionId: string,
  to: TransactionState,
  details: TransitionDetails = {},
): Promise<{ transaction: Transaction; changed: boolean }> {
  authorize(actor, 'payments:write');
  if (actor.tenantId !== tenantId) throw new NotFoundError('Transaction', transactionId);
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const tx = await deps.store.payments.get(tenantId, transactionId);
    if (!tx) throw new NotFoundError('Transaction', transactionId);
    const next = applyTransition(tx, to, { actor: describeActor(actor), at: deps.clock.now().toISOString() }, details);
    if (!next) {
      await settleBills(deps, actor, tx);
      return { transaction: tx, changed: false };
    }
    const newRefs = refClaims(next.refs).filter((r) => !refClaims(tx.refs).some((o) => o.kind === r.kind && o.ref === r.ref));
    if (await deps.store.payments.update(next, tx.version, newRefs)) {
      await settleBills(deps, actor, next);
      return { transaction: next, changed: true };
    }
  }
  throw new ConflictError(`Transaction ${transactionId} keeps changing; try again`);
}

/**
 * Staff: move a transaction by hand (a transfer received, a manual payment failed…), with the reason audited.
 * @see transitionTransaction
 */
export async function moveTransaction(deps: CoreDeps, actor: Actor, transactionId: string, input: unknown) {
  authorize(actor, 'payments:write');
  const data = parseInput(TransitionInput, input);
  const { transaction } = await transitionTransaction(deps, actor, actor.tenantId, transactionId, data.to, {
    reason: data.reason,
    failure: data.failure,
    bankCharges: data.bankCharges,
  });
  return transaction;
}

/**
 * Bring each allocated bill's lifecycle state in line with its allocations: mark-paid once Σ succeeded ≥ total (from
 * closed, sent or returned); mark-returned when this transaction came back, the bill is paid and the rest no longer
 * covers it. Refunds lower what the balance counts as paid but leave the bill's lifecycle state as it is (a refund
 * goes with an amendment, which is its own bill; docs/decisions.md "Refunds and the bill's state").
 */
export async function settleBills(deps: CoreDeps, actor: Actor, tx: Transaction): Promise<void> {
  for (const { billId } of tx.allocations) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const bill = await deps.store.bills.get(tx.tenantId, billId);
      if (!bill) break;
      const balance = await billBalance(deps, bill);
      const covered = new Money(balance.paid).gte(bill.totals.total) && bill.totals.total.gt(0);
      let action: TransitionAction | undefined;
      if (covered && PAYABLE_STATES.includes(bill.state)) action = 'mark-paid';
      else if (!covered && tx.state === 'returned' && bill.state === 'paid') action = 'mark-returned';
      if (!action) break;
      const at = deps.clock.now().toISOString();
      const reason = `${tx.method} payment ${tx.id} ${tx.state}${tx.failure ? ` (${tx.failure.code})` : ''}`;
      const next: Bill = {
        ...billTransition(bill, action, { actor: describeActor(actor), at, reason }),
        version: bill.version + 1,
        updatedAt: at,
      };
      try {
        await deps.store.bills.transition(next, bill.version);
        // Paid: an account being dunned with nothing overdue left gets its suspended services back right away.
        if (action === 'mark-paid') await settleDunning(deps, bill.tenantId, bill.accountId);
        break;
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt === ATTEMPTS - 1) throw error;
      }
    }
  }
}

/** A transaction as the API returns it. */
export function transactionView(tx: Transaction) {
  return tx;
}

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().optional(),
  state: TransactionState.optional(),
  accountId: z.string().optional(),
});

/** Transactions of the tenant (staff) or of the customer's own account, newest first. */
export async function listTransactions(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'payments:read');
  const q = parseInput(ListQuery, query);
  const accountId = actor.type === 'customer' ? actor.accountId : q.accountId;
  const page = accountId
    ? await deps.store.payments.listByAccount(actor.tenantId, accountId, { limit: q.limit, cursor: q.cursor })
    : await deps.store.payments.list(actor.tenantId, { limit: q.limit, cursor: q.cursor, state: q.state });
  const items = accountId && q.state ? page.items.filter((t) => t.state === q.state) : page.items;
  return { items: items.map(transactionView), nextCursor: page.nextCursor };
}

/** One transaction; customers only their own account's. */
export async function getTransaction(deps: CoreDeps, actor: Actor, transactionId: string) {
  authorize(actor, 'payments:read');
  const tx = await deps.store.payments.get(actor.tenantId, transactionId);
  if (!tx || (actor.type === 'customer' && tx.accountId !== actor.accountId)) throw new NotFoundError('Transaction', transactionId);
  return transactionView(tx);
}
