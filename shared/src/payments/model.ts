import { z } from 'zod';
import { Currency, Money } from '../core/money';
import { addDays, type LocalDate } from '../core/dates';
import { ConflictError } from '../core/errors';
import { DunningSettings } from './dunning';

// Payments (issue 5): every payment attempt is a Transaction — card (Stripe), SEPA direct debit, bank transfer or
// manual — allocated to one or more bills (partial payments allowed). Its state moves only along TRANSACTION_TRANSITIONS,
// each move audited. A bill's paid / returned state is derived from the succeeded allocations (./transactions.ts).
// Stored as JSON with amounts as decimal strings; docs/payments.md explains the flows.

/** How a transaction is paid. */
export const PAYMENT_METHODS = ['card', 'sepa_debit', 'transfer', 'manual'] as const;
export const PaymentMethod = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof PaymentMethod>;

/** created → processing → succeeded | failed | returned | refunded. */
export const TRANSACTION_STATES = ['created', 'processing', 'succeeded', 'failed', 'returned', 'refunded'] as const;
export const TransactionState = z.enum(TRANSACTION_STATES);
export type TransactionState = z.infer<typeof TransactionState>;

/** A positive amount with exactly two decimals, as text ("12.50"). */
export const PaymentAmount = z
  .string()
  .regex(/^\d{1,13}\.\d{2}$/, 'Use an amount with two decimals such as 12.50')
  .refine((s) => !/^0+\.00$/.test(s), 'Use an amount above zero');

/** Part of a transaction that pays one bill. */
export const Allocation = z.strictObject({
  billId: z.string().min(1).max(60),
  amount: PaymentAmount,
  /** The part of this allocation given back by succeeded refunds (./refunds.ts), two decimals; absent = none. */
  refunded: PaymentAmount.optional(),
});
export type Allocation = z.infer<typeof Allocation>;

/** One audited state change. */
export const TransactionAuditEntry = z.strictObject({
  at: z.string(),
  from: TransactionState.nullable(),
  to: TransactionState,
  actor: z.string(),
  reason: z.string().max(1000).optional(),
});
export type TransactionAuditEntry = z.infer<typeof TransactionAuditEntry>;

/** Identifiers of the transaction outside Consort (gateway, bank file). */
export const ExternalRefs = z.strictObject({
  stripeCheckoutSessionId: z.string().max(255).optional(),
  stripePaymentIntentId: z.string().max(255).optional(),
  stripeChargeId: z.string().max(255).optional(),
  stripeAccountId: z.string().max(255).optional(),
  sepa: z
    .strictObject({
      batchId: z.string().max(60).optional(),
      endToEndId: z.string().max(35).optional(),
      mandateId: z.string().max(35).optional(),
    })
    .optional(),
  /** Transfers: the reference the customer was asked to write (the bill number). */
  transferReference: z.string().max(140).optional(),
  /** The bill this automatic charge on close is for (claimed: one automatic charge per bill, ./stripe.ts chargeOnClose). */
  autoChargeOf: z.string().max(60).optional(),
});
export type ExternalRefs = z.infer<typeof ExternalRefs>;

/**
 * pending → (credit transfers: batched →) succeeded | failed; batched | succeeded → returned: the money came back (the
 * bank returned the credit transfer, or Stripe failed a refund after it had succeeded), so it counts as not refunded.
 */
export const REFUND_STATES = ['pending', 'batched', 'succeeded', 'failed', 'returned'] as const;
export const RefundState = z.enum(REFUND_STATES);
export type RefundState = z.infer<typeof RefundState>;

/**
 * Money given back from a succeeded transaction (./refunds.ts): card → a Stripe refund on the connected account;
 * SEPA debit, transfer, manual → a SEPA credit transfer to `creditor`, sent in a credit-transfer batch (pain.001).
 */
export const Refund = z.strictObject({
  /** `rfd_…` */
  id: z.string().min(1),
  amount: PaymentAmount,
  state: RefundState,
  reason: z.string().max(1000).optional(),
  stripeRefundId: z.string().max(255).optional(),
  /** Who receives a credit transfer: the mandate's debtor, or the account named in the request (transfers). */
  creditor: z.strictObject({ name: z.string().max(140), iban: z.string().max(34), bic: z.string().max(11).optional() }).optional(),
  creditTransfer: z.strictObject({ batchId: z.string().max(60), endToEndId: z.string().max(35) }).optional(),
  failure: z.strictObject({ code: z.string().max(100), message: z.string().max(1000) }).optional(),
  /** Charges the bank billed the tenant for a returned credit transfer, two decimals. */
  bankCharges: PaymentAmount.optional(),
  /** When it came back (state `returned`), and who recorded it. */
  returnedAt: z.string().optional(),
  returnedBy: z.string().optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Refund = z.infer<typeof Refund>;

export const Transaction = z.strictObject({
  tenantId: z.string().min(1),
  /** `txn_…` */
  id: z.string().min(1),
  accountId: z.string().min(1),
  method: PaymentMethod,
  /** The saved payment source used, if any (`psr_…`). */
  sourceId: z.string().optional(),
  /** Σ allocations. */
  amount: PaymentAmount,
  currency: Currency,
  allocations: z.array(Allocation).min(1).max(20),
  state: TransactionState,
  refs: ExternalRefs,
  failure: z.strictObject({ code: z.string().max(100), message: z.string().max(1000) }).optional(),
  /** Charges the bank billed the tenant (SEPA returns), two decimals. */
  bankCharges: PaymentAmount.optional(),
  /** Refunds, oldest first; the transaction becomes `refunded` once they give back its whole amount. */
  refunds: z.array(Refund).max(20).optional(),
  audit: z.array(TransactionAuditEntry),
  /** Optimistic concurrency: every write expects the version it read. */
  version: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Transaction = z.infer<typeof Transaction>;

/** One refund paid out by a credit-transfer batch. */
export const CreditTransferItem = z.strictObject({
  transactionId: z.string(),
  refundId: z.string(),
  accountId: z.string(),
  endToEndId: z.string().max(35),
  amount: PaymentAmount,
  creditorName: z.string(),
  iban: z.string(),
});
export type CreditTransferItem = z.infer<typeof CreditTransferItem>;

/** A SEPA credit-transfer batch of refunds: the pain.001 file (stored write-once) and what it pays (./refunds.ts). */
export const CreditTransferBatch = z.strictObject({
  tenantId: z.string(),
  /** `sct_…` */
  id: z.string(),
  messageId: z.string().max(35),
  /** pain.001.001.03 (2009) or .09 (2019), following the tenant's pain.008 version (02 → 03, 08 → 09). */
  painVersion: z.enum(['03', '09']),
  /** generated → executed (the file went to the bank) | cancelled (it never will: its refunds wait again). */
  state: z.enum(['generated', 'executed', 'cancelled']),
  executionDate: z.string(),
  count: z.number().int().nonnegative(),
  controlSum: z.string(),
  items: z.array(CreditTransferItem),
  file: z.strictObject({ key: z.string(), sha256: z.string(), bytes: z.number().int() }),
  createdBy: z.string(),
  createdAt: z.string(),
  executedBy: z.string().optional(),
  executedAt: z.string().optional(),
  cancelledBy: z.string().optional(),
  cancelledAt: z.string().optional(),
  cancelReason: z.string().max(1000).optional(),
  version: z.number().int().nonnegative(),
});
export type CreditTransferBatch = z.infer<typeof CreditTransferBatch>;

/** Refunds that give back, or will: not failed, and not returned by the bank. */
export function holdsMoney(refund: Pick<Refund, 'state'>): boolean {
  return refund.state !== 'failed' && refund.state !== 'returned';
}

/** Whether a refund's money went out (in a credit-transfer file, or paid), so that it can come back (`returned`). */
export function wentOut(refund: Pick<Refund, 'state'>): boolean {
  return refund.state === 'batched' || refund.state === 'succeeded';
}

/** What can still be refunded: a succeeded transaction's amount minus every refund that has not failed or come back. */
export function refundable(tx: Pick<Transaction, 'state' | 'amount' | 'refunds'>): Money {
  if (tx.state !== 'succeeded') return new Money(0);
  const held = (tx.refunds ?? []).filter(holdsMoney).reduce((acc, r) => acc.plus(r.amount), new Money(0));
  return Money.max(0, new Money(tx.amount).minus(held));
}

/** What succeeded refunds gave back. */
export function refundedAmount(tx: Pick<Transaction, 'refunds'>): Money {
  return (tx.refunds ?? []).filter((r) => r.state === 'succeeded').reduce((acc, r) => acc.plus(r.amount), new Money(0));
}

/**
 * Every allowed state change. A returned debit or a refund can only follow a success; a failure can be retried by a
 * new transaction, never by reviving this one. (`refunded` goes back to `succeeded` only when one of its refunds comes
 * back — ./refunds.ts settleRefund — never by a transition request or a payment event, so it is not in this table.)
 */
export const TRANSACTION_TRANSITIONS: Readonly<Record<TransactionState, readonly TransactionState[]>> = {
  created: ['processing', 'succeeded', 'failed'],
  processing: ['succeeded', 'failed'],
  succeeded: ['returned', 'refunded'],
  failed: [],
  returned: [],
  refunded: [],
};

/** Whether the table lets a transaction go from `from` to `to`. */
export function canTransition(from: TransactionState, to: TransactionState): boolean {
  return TRANSACTION_TRANSITIONS[from].includes(to);
}

/** States a transaction never leaves. */
export function isFinal(state: TransactionState): boolean {
  return TRANSACTION_TRANSITIONS[state].length === 0;
}

/** What a transition may record beside the new state. */
export interface TransitionDetails {
  reason?: string;
  failure?: Transaction['failure'];
  bankCharges?: string;
  refs?: Partial<ExternalRefs>;
}

/**
 * Apply a transition (pure): the new state, its audit entry and the details. Returns `undefined` when the transaction
 * is already in `to` (idempotent re-application); throws ConflictError (409) when the table does not allow it.
 */
export function applyTransition(
  tx: Transaction,
  to: TransactionState,
  ctx: { actor: string; at: string },
  details: TransitionDetails = {},
): Transaction | undefined {
  if (tx.state === to) return undefined;
  if (!canTransition(tx.state, to)) {
    throw new ConflictError(`Transaction ${tx.id} is ${tx.state}: it cannot become ${to}`, {
      state: tx.state,
      allowed: [...TRANSACTION_TRANSITIONS[tx.state]],
    });
  }
  const reason = details.reason?.trim();
  return {
    ...tx,
    state: to,
    refs: { ...tx.refs, ...definedOnly(details.refs ?? {}) },
    ...(details.failure ? { failure: details.failure } : {}),
    ...(details.bankCharges ? { bankCharges: details.bankCharges } : {}),
    audit: [...tx.audit, { at: ctx.at, from: tx.state, to, actor: ctx.actor, ...(reason ? { reason } : {}) }],
    version: tx.version + 1,
    updatedAt: ctx.at,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

// -----------------------------------------------------------------------------------------------------------------
// Payment sources and settings

/** A saved way to pay of one account (a card or SEPA mandate saved through Stripe, a local SEPA mandate, transfer). */
export const PaymentSource = z.strictObject({
  tenantId: z.string().min(1),
  /** `psr_…` */
  id: z.string().min(1),
  accountId: z.string().min(1),
  method: PaymentMethod,
  /** What the customer recognises: "Visa ·· 4242", "IBAN ES91 ·· 1332". */
  label: z.string().max(120),
  isDefault: z.boolean(),
  stripePaymentMethodId: z.string().max(255).optional(),
  stripeCustomerId: z.string().max(255).optional(),
  /** SEPA mandates kept by Consort (shared/src/payments/mandates.ts). */
  mandateId: z.string().max(60).optional(),
  createdAt: z.string(),
});
export type PaymentSource = z.infer<typeof PaymentSource>;

/** The tenant's connected Stripe account and per-method due days. */
export const PaymentSettings = z.strictObject({
  stripe: z
    .strictObject({
      accountId: z.string().regex(/^acct_[A-Za-z0-9]+$/),
      /** Whether Stripe says the account can take charges (account.updated / refresh). */
      chargesEnabled: z.boolean(),
    })
    .optional(),
  /**
   * Charge the account's default saved card off-session as soon as a bill is closed (single, bulk or billing-run
   * close); off: cards are only charged by staff ("Charge") or the dunning ladder's retry-card step.
   */
  autoCharge: z.boolean().default(true),
  /** Days until a bill is due, by the account's default method (overrides the series' due days). */
  dueDays: z.partialRecord(PaymentMethod, z.number().int().min(0).max(365)).default({}),
  /** Dunning ladder (./dunning.ts); the default ladder until the tenant sets one. */
  dunning: DunningSettings.default(DunningSettings.parse({})),
});
export type PaymentSettings = z.output<typeof PaymentSettings>;
export const DEFAULT_PAYMENT_SETTINGS: PaymentSettings = PaymentSettings.parse({});

/** The account's default source, if any. */
export function defaultSource(sources: readonly PaymentSource[]): PaymentSource | undefined {
  return sources.find((s) => s.isDefault) ?? sources[0];
}

/** Whether any payment method has due days of its own (else every bill is due after its series' days). */
export function hasMethodDueDays(settings: Pick<PaymentSettings, 'dueDays'>): boolean {
  return Object.values(settings.dueDays).some((d) => d !== undefined);
}

/**
 * The due date of a bill issued on `issuedOn` for an account whose default payment source is of `method`: the tenant's
 * per-method due days when set, otherwise the series' own due days. Used by bill closing (bills/use-cases.ts closeBill).
 */
export function dueDateFor(
  issuedOn: LocalDate,
  seriesDueDays: number,
  method: PaymentMethod | undefined,
  settings: PaymentSettings,
): LocalDate {
  const days = (method ? settings.dueDays[method] : undefined) ?? seriesDueDays;
  return addDays(issuedOn, days);
}

/** Cancelling a payment file (a direct-debit or credit-transfer batch) that will not be sent: why, kept on the batch. */
export const CancelPaymentFileInput = z.strictObject({
  reason: z.string().trim().min(1, 'Say why the batch is cancelled').max(1000),
});

/** A `generated` payment-file batch as cancelled (pure: the caller writes it against the version it read). */
export function cancelledBatch<B extends { state: 'generated' | 'executed' | 'cancelled'; version: number; cancelReason?: string }>(
  batch: B,
  by: string,
  at: string,
  reason: string,
): B {
  return { ...batch, state: 'cancelled', cancelledBy: by, cancelledAt: at, cancelReason: reason, version: batch.version + 1 };
}
