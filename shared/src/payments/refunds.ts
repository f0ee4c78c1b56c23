import { z } from 'zod';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { formatAmount, Money } from '../core/money';
import { parseInput } from '../core/validate';
import type { RefundInfo } from '../ports/payments';
import {
  applyTransition,
  PaymentAmount,
  refundable,
  refundedAmount,
  wentOut,
  type Refund,
  type RefundState,
  type Transaction,
} from './model';
import { checkIban, isValidBic } from './sepa/identifiers';
import { idempotencyKey, toMinorUnits, fromMinorUnits, type PaymentDeps } from './stripe';
import { settleBills } from './transactions';

// Refunds (issue 5): money given back from a succeeded transaction, in full or in part (decimal amounts, never more
// than is still refundable). Cards are refunded through Stripe on the tenant's connected account (idempotency key per
// refund; the outcome arrives in the answer or later by `refund.updated` / `charge.refunded`). SEPA debits, transfers
// and manual payments are refunded by SEPA credit transfer: the refund waits (`pending`) for the next credit-transfer
// batch (./credit-transfers.ts, pain.001), becomes `batched`, and `succeeded` when staff mark the batch executed.
// A transaction stays `succeeded` while refunds give back part of it and becomes `refunded` once they give back all
// of it; each allocation records its refunded part, so the bill's balance (paid / outstanding) follows at once.
// docs/payments.md "Refunds" has the flow, docs/decisions.md the choices.

/** Optimistic-concurrency retries. */
const ATTEMPTS = 8;

export const RefundInput = z.strictObject({
  /** Left out: everything still refundable. */
  amount: PaymentAmount.optional(),
  reason: z.string().trim().max(1000).optional(),
  /** Credit transfers of transfer/manual payments: whose account gets the money (SEPA direct debits use the mandate's). */
  iban: z.string().trim().max(42).optional(),
  name: z.string().trim().min(1).max(140).optional(),
  bic: z.string().trim().max(11).optional(),
});

export { refundable };

/**
 * Spread the succeeded refunds over the allocations, last allocation first (the bill paid last gets its money back
 * first), each allocation at most its amount.
 */
export function allocateRefunds(tx: Transaction): Transaction['allocations'] {
  let left = refundedAmount(tx);
  const out = [...tx.allocations].reverse().map((a) => {
    const part = Money.min(left, new Money(a.amount));
    left = left.minus(part);
    const { refunded: _old, ...rest } = a;
    return part.gt(0) ? { ...rest, refunded: formatAmount(part) } : rest;
  });
  return out.reverse();
}

/** Write a changed transaction (version-checked) and re-derive its bills. */
async function save(deps: CoreDeps, actor: Actor, next: Transaction, expected: number): Promise<boolean> {
  if (!(await deps.store.payments.update(next, expected))) return false;
  await settleBills(deps, actor, next);
  return true;
}

/**
 * Move one refund to `to` (idempotent: a refund already there, or final, is left alone) and apply what follows: the
 * allocations' refunded parts and, once the succeeded refunds give back the whole amount, the transaction `refunded`.
 * `returned` (the money came back) is the one move out of `succeeded` — and out of `batched`, when the bank's report of
 * the return is the first news of the transfer; a transaction `refunded` in full goes back to `succeeded` with what
 * is refundable again.
 */
export async function settleRefund(
  deps: CoreDeps,
  actor: Actor,
  tenantId: string,
  transactionId: string,
  refundId: string,
  to: RefundState,
  details: {
    stripeRefundId?: string;
    /** Why it failed or came back. */
    failure?: Refund['failure'];
    /** What the bank charged for a returned transfer. */
    bankCharges?: string;
    creditTransfer?: Refund['creditTransfer'];
    /** Back to `pending` out of this cancelled credit-transfer batch (a refund batched elsewhere since is left alone). */
    unbatchFrom?: string;
  } = {},
): Promise<Transaction> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const tx = await deps.store.payments.get(tenantId, transactionId);
    if (!tx) throw new NotFoundError('Transaction', transactionId);
    const refund = tx.refunds?.find((r) => r.id === refundId);
    if (!refund) throw new NotFoundError('Refund', refundId);
    // A refund that fails after it succeeded (Stripe does so when the card's account is closed) came back.
    const target: RefundState = to === 'failed' && refund.state === 'succeeded' ? 'returned' : to;
    const comesBack = target === 'returned' && wentOut(refund);
    const final = !comesBack && ['succeeded', 'failed', 'returned'].includes(refund.state);
    const refsOnly = details.stripeRefundId && !refund.stripeRefundId;
    if ((refund.state === target || final) && !refsOnly) return tx;
    if (target === 'returned' && !comesBack) return tx; // only money that went out can come back
    const unbatch = details.unbatchFrom !== undefined;
    if (unbatch && (target !== 'pending' || refund.state !== 'batched' || refund.creditTransfer?.batchId !== details.unbatchFrom))
      return tx;
    const at = deps.clock.now().toISOString();
    const who = describeActor(actor);
    const { creditTransfer: _batched, ...unbatched } = refund;
    const moved: Refund = {
      ...(unbatch ? unbatched : refund),
      ...(final ? {} : { state: target }),
      ...(details.stripeRefundId ? { stripeRefundId: details.stripeRefundId } : {}),
      ...(details.creditTransfer ? { creditTransfer: details.creditTransfer } : {}),
      ...((target === 'failed' || comesBack) && details.failure ? { failure: details.failure } : {}),
      ...(comesBack && details.bankCharges ? { bankCharges: details.bankCharges } : {}),
      ...(comesBack ? { returnedAt: at, returnedBy: who } : {}),
      updatedAt: at,
    };
    let next: Transaction = {
      ...tx,
      refunds: tx.refunds!.map((r) => (r.id === refundId ? moved : r)),
      version: tx.version + 1,
      updatedAt: at,
    };
    next = { ...next, allocations: allocateRefunds(next) };
    const back = refundedAmount(next);
    if (back.gte(tx.amount) && next.state === 'succeeded') {
      const reason = `Refunded in full (${formatAmount(back)} ${tx.currency})`;
      next = { ...applyTransition(next, 'refunded', { actor: who, at }, { reason })!, version: tx.version + 1 };
    } else if (back.lt(tx.amount) && next.state === 'refunded') {
      // A refund came back: the payment holds money again (not a transition anyone may request: model.ts).
      const why = moved.failure ? `: ${moved.failure.code}` : '';
      next = {
        ...next,
        state: 'succeeded',
        audit: [...next.audit, { at, from: 'refunded', to: 'succeeded', actor: who, reason: `Refund ${refundId} came back${why}` }],
      };
    }
    if (await save(deps, actor, next, tx.version)) return next;
  }
  throw new ConflictError(`Transaction ${transactionId} keeps changing; try again`);
}

/**
 * Staff: refund (part of) a succeeded transaction. 422 when nothing or less than asked is refundable, or when a
 * credit transfer has nobody to pay; 409 when the transaction is not succeeded. Returns the transaction and the refund.
 */
export async function refundTransaction(
  deps: PaymentDeps,
  actor: Actor,
  transactionId: string,
  input: unknown,
): Promise<{ transaction: Transaction; refund: Refund }> {
  authorize(actor, 'payments:write');
  if (actor.type === 'customer') throw new ForbiddenError('Only staff refund payments');
  const data = parseInput(RefundInput, input ?? {});
  const tid = actor.tenantId;
  const current = await deps.store.payments.get(tid, transactionId);
  if (!current) throw new NotFoundError('Transaction', transactionId);
  if (current.state !== 'succeeded') {
    throw new ConflictError(`Transaction ${transactionId} is ${current.state}: only a succeeded payment can be refunded`, {
      state: current.state,
    });
  }
  const isCard = current.method === 'card';
  if (isCard && (!current.refs.stripePaymentIntentId || !current.refs.stripeAccountId)) {
    throw new ValidationError('This card payment has no Stripe PaymentIntent to refund');
  }
  if (isCard && !deps.stripe) throw new ValidationError('Card payments are not configured on this platform');
  const creditor = isCard ? undefined : await creditorFor(deps, current, data);

  const at = deps.clock.now().toISOString();
  const refund: Refund = {
    id: newId('refund', deps.clock),
    amount: '0.00',
    state: 'pending',
    ...(data.reason ? { reason: data.reason } : {}),
    ...(creditor ? { creditor } : {}),
    createdBy: describeActor(actor),
    createdAt: at,
    updatedAt: at,
  };
  // Record the refund first (pending), so a webhook about it never finds it missing and a retry never refunds twice.
  let tx: Transaction | undefined;
  for (let attempt = 0; attempt < ATTEMPTS && !tx; attempt++) {
    const fresh = attempt === 0 ? current : await deps.store.payments.get(tid, transactionId);
    if (!fresh) throw new NotFoundError('Transaction', transactionId);
    const left = refundable(fresh);
    const amount = data.amount ? new Money(data.amount) : left;
    if (left.lte(0))
      throw new ValidationError(`Transaction ${transactionId} has nothing left to refund`, [
        { path: ['amount'], message: 'Nothing refundable' },
      ]);
    if (amount.gt(left)) {
      throw new ValidationError(`At most ${formatAmount(left)} ${fresh.currency} can be refunded`, [
        { path: ['amount'], message: `At most ${formatAmount(left)}` },
      ]);
    }
    if ((fresh.refunds ?? []).length >= 20) throw new ValidationError('A payment takes at most 20 refunds');
    refund.amount = formatAmount(amount);
    const next: Transaction = { ...fresh, refunds: [...(fresh.refunds ?? []), refund], version: fresh.version + 1, updatedAt: at };
    if (await deps.store.payments.update(next, fresh.version)) tx = next;
  }
  if (!tx) throw new ConflictError(`Transaction ${transactionId} keeps changing; try again`);

  if (!isCard) {
    await deps.store.payments.putRefundToTransfer(tid, refund.id, tx.id);
    return { transaction: tx, refund };
  }
  const system: Actor = { type: 'system', tenantId: tid, reason: 'stripe' };
  const stripeRefund = await deps.stripe!.createRefund(
    tx.refs.stripeAccountId!,
    {
      paymentIntentId: tx.refs.stripePaymentIntentId!,
      amountMinor: toMinorUnits(refund.amount, tx.currency),
      metadata: { tenantId: tid, transactionId: tx.id, refundId: refund.id },
    },
    idempotencyKey(tid, `refund:${refund.id}`),
  );
  const done = await applyStripeRefund(deps, system, tx.id, refund.id, stripeRefund);
  return { transaction: done, refund: done.refunds!.find((r) => r.id === refund.id)! };
}

export const RefundReturnInput = z.strictObject({
  /** What the bank said, e.g. "AC04 account closed" (kept in the refund and the transaction's audit). */
  reason: z.string({ error: 'Say why the transfer came back' }).trim().min(1, 'Say why the transfer came back').max(1000),
  /** The bank's reason code (ISO 20022 ExternalReturnReason1Code, e.g. AC04); `returned` when not given. */
  code: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{1,35}$/, 'Use the bank’s reason code, e.g. AC04')
    .optional(),
  /** What the bank charged the tenant for the return, two decimals. */
  bankCharges: PaymentAmount.optional(),
});

/**
 * Staff: the bank sent a refund's credit transfer back (closed account, wrong IBAN…) — by hand, when no bank report
 * says so. The refund becomes `returned` (its money counts as not given back, so it can be refunded again to another
 * account) and a transaction refunded in full is `succeeded` again. 409 unless the transfer went out (batched or
 * succeeded); 422 for card refunds, which come back through Stripe's events. Idempotent.
 */
export async function recordRefundReturn(
  deps: CoreDeps,
  actor: Actor,
  transactionId: string,
  refundId: string,
  input: unknown,
): Promise<{ transaction: Transaction; refund: Refund }> {
  authorize(actor, 'payments:write');
  if (actor.type === 'customer') throw new ForbiddenError('Only staff record returned refunds');
  const data = parseInput(RefundReturnInput, input ?? {});
  const tx = await deps.store.payments.get(actor.tenantId, transactionId);
  const refund = tx?.refunds?.find((r) => r.id === refundId);
  if (!tx) throw new NotFoundError('Transaction', transactionId);
  if (!refund) throw new NotFoundError('Refund', refundId);
  if (!refund.creditor) throw new ValidationError('Card refunds come back through Stripe’s events, not by hand');
  if (refund.state !== 'returned' && !wentOut(refund)) {
    throw new ConflictError(`Refund ${refundId} is ${refund.state}: only a transfer that went out can come back`, { state: refund.state });
  }
  const done = await settleRefund(deps, actor, actor.tenantId, transactionId, refundId, 'returned', {
    failure: { code: data.code?.toUpperCase() ?? 'returned', message: data.reason },
    ...(data.bankCharges ? { bankCharges: data.bankCharges } : {}),
  });
  return { transaction: done, refund: done.refunds!.find((r) => r.id === refundId)! };
}

/** Move our refund to what Stripe reports for it. */
export async function applyStripeRefund(deps: CoreDeps, actor: Actor, transactionId: string, refundId: string, info: RefundInfo) {
  const to: RefundState =
    info.status === 'succeeded' ? 'succeeded' : info.status === 'failed' || info.status === 'canceled' ? 'failed' : 'pending';
  const failure = to === 'failed' ? { code: info.failureReason ?? info.status, message: `Stripe refund ${info.status}` } : undefined;
  return settleRefund(deps, actor, actor.tenantId, transactionId, refundId, to, {
    stripeRefundId: info.id,
    ...(failure ? { failure } : {}),
  });
}

/**
 * A refund Stripe knows and we do not (made in the Stripe dashboard): recorded on the transaction with Stripe's
 * amount, when it still fits what is refundable, then moved to Stripe's state.
 */
export async function recordExternalRefund(deps: CoreDeps, actor: Actor, tx: Transaction, info: RefundInfo): Promise<Transaction> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const fresh = await deps.store.payments.get(tx.tenantId, tx.id);
    if (!fresh) throw new NotFoundError('Transaction', tx.id);
    const known = fresh.refunds?.find((r) => r.stripeRefundId === info.id || r.id === info.metadata.refundId);
    if (known) return applyStripeRefund(deps, actor, fresh.id, known.id, info);
    const amount = new Money(fromMinorUnits(info.amountMinor, fresh.currency));
    if (fresh.state !== 'succeeded' || amount.gt(refundable(fresh))) return fresh;
    const at = deps.clock.now().toISOString();
    const refund: Refund = {
      id: newId('refund', deps.clock),
      amount: formatAmount(amount),
      state: 'pending',
      reason: 'Refunded in Stripe',
      stripeRefundId: info.id,
      createdBy: describeActor(actor),
      createdAt: at,
      updatedAt: at,
    };
    const next: Transaction = { ...fresh, refunds: [...(fresh.refunds ?? []), refund], version: fresh.version + 1, updatedAt: at };
    if (await deps.store.payments.update(next, fresh.version)) return applyStripeRefund(deps, actor, fresh.id, refund.id, info);
  }
  throw new ConflictError(`Transaction ${tx.id} keeps changing; try again`);
}

/** Who receives a credit-transfer refund: the SEPA mandate's debtor, else the account given in the request. */
async function creditorFor(deps: CoreDeps, tx: Transaction, data: z.infer<typeof RefundInput>): Promise<NonNullable<Refund['creditor']>> {
  if (tx.currency !== 'EUR') throw new ValidationError('Refunds by SEPA credit transfer are in EUR only');
  if (!data.iban && tx.method === 'sepa_debit' && tx.refs.sepa?.mandateId) {
    const mandateId = await deps.store.sepa.findMandateByReference(tx.tenantId, tx.refs.sepa.mandateId);
    const mandate = mandateId ? await deps.store.sepa.getMandate(tx.tenantId, mandateId) : undefined;
    if (mandate)
      return { name: mandate.debtor.name, iban: mandate.debtor.iban, ...(mandate.debtor.bic ? { bic: mandate.debtor.bic } : {}) };
  }
  if (!data.iban) {
    throw new ValidationError('Give the IBAN to refund to', [{ path: ['iban'], message: 'The IBAN of the account that gets the money' }]);
  }
  const check = checkIban(data.iban);
  if (!check.ok)
    throw new ValidationError(`Invalid IBAN: ${check.errors.join('; ')}`, [{ path: ['iban'], message: check.errors.join('; ') }]);
  if (data.bic && !isValidBic(data.bic)) throw new ValidationError('Invalid BIC', [{ path: ['bic'], message: 'Use 8 or 11 characters' }]);
  const name = data.name ?? (await deps.store.accounts.get(tx.tenantId, tx.accountId))?.name;
  if (!name) throw new ValidationError('Give the name of the account holder', [{ path: ['name'], message: 'Required' }]);
  return { name, iban: check.iban, ...(data.bic ? { bic: data.bic.toUpperCase() } : {}) };
}
