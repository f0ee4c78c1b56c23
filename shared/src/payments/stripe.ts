import Decimal from 'decimal.js';
import { z } from 'zod';
import type { Bill } from '../bills/model';
import { billOrThrow, tenantOrThrow } from '../bills/use-cases';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, DomainError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { Money } from '../core/money';
import { parseInput } from '../core/validate';
import type { PaymentPorts, StripeEventInfo, StripeGateway } from '../ports/payments';
import type { TransactionRefKind } from '../ports/store';
import {
  canTransition,
  DEFAULT_PAYMENT_SETTINGS,
  defaultSource,
  PaymentMethod,
  type PaymentSettings,
  type PaymentSource,
  type Transaction,
  type TransactionState,
  type TransitionDetails,
} from './model';
import { billBalance, createTransaction, refClaims, transitionTransaction } from './transactions';
import { recordExternalRefund } from './refunds';
import { DunningLadder } from './dunning';

// Stripe (issue 5): the platform with one connected account per tenant and direct charges on it. The member's "Pay"
// opens a Checkout Session for what is owed; saved cards come from setup-mode sessions and are charged off-session.
// The webhook verifies the signature on the raw body, ignores events it has already processed and events of accounts
// that are not the tenant's, and never trusts event order: it re-reads the Session / PaymentIntent from Stripe and
// moves the transaction forward to the state Stripe reports. docs/payments.md draws the flow.

export type PaymentDeps = CoreDeps & PaymentPorts;

/** Stripe signs with a timestamp; older (or further in the future) than this is refused. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** How long a processed event id is remembered (Stripe retries for up to three days). */
export const EVENT_MEMORY_DAYS = 30;

/** ISO 4217 currencies without minor units that Stripe takes as whole numbers. */
const ZERO_DECIMAL = new Set([
  'BIF',
  'CLP',
  'DJF',
  'GNF',
  'JPY',
  'KMF',
  'KRW',
  'MGA',
  'PYG',
  'RWF',
  'UGX',
  'VND',
  'VUV',
  'XAF',
  'XOF',
  'XPF',
]);

/**
 * An amount in the currency's minor units, as Stripe wants it (an integer): computed with decimal.js and converted
 * to a number only at the very end, after checking it is a safe integer.
 * @example toMinorUnits('12.50', 'EUR') // 1250
 */
export function toMinorUnits(amount: string, currency: string): number {
  const minor = new Money(amount).times(ZERO_DECIMAL.has(currency.toUpperCase()) ? 1 : 100);
  if (!minor.isInteger() || minor.lte(0) || minor.gt(Number.MAX_SAFE_INTEGER)) {
    throw new ValidationError(`${amount} ${currency} cannot be charged`, [{ path: ['amount'], message: 'Not a chargeable amount' }]);
  }
  return minor.toNumber();
}

/** The inverse of {@link toMinorUnits}, as a two-decimal string. */
export function fromMinorUnits(minor: number, currency: string): string {
  const digits = ZERO_DECIMAL.has(currency.toUpperCase()) ? 0 : 2;
  return new Money(minor).dividedBy(10 ** digits).toFixed(2, Decimal.ROUND_HALF_UP);
}

/** Idempotency key of a mutating Stripe call: tenant + object + attempt, so a retried request is applied once. */
export function idempotencyKey(tenantId: string, object: string, attempt: string | number = 1): string {
  return `consort:${tenantId}:${object}:${attempt}`;
}

function gateway(deps: PaymentDeps): StripeGateway {
  if (!deps.stripe) throw new ValidationError('Card payments are not configured on this platform');
  return deps.stripe;
}

export async function paymentSettingsOf(deps: CoreDeps, tenantId: string): Promise<PaymentSettings> {
  return (await deps.store.payments.getSettings(tenantId)) ?? DEFAULT_PAYMENT_SETTINGS;
}

async function connectedAccount(deps: PaymentDeps, tenantId: string): Promise<string> {
  const settings = await paymentSettingsOf(deps, tenantId);
  if (!settings.stripe) throw new ValidationError('This provider does not take card payments yet (Stripe is not connected)');
  return settings.stripe.accountId;
}

// -----------------------------------------------------------------------------------------------------------------
// Tenant onboarding

const ReturnUrls = z.strictObject({
  returnUrl: z.url({ protocol: /^https?$/ }),
  refreshUrl: z.url({ protocol: /^https?$/ }).optional(),
});

/**
 * Staff: connect the tenant to Stripe. Creates the tenant's connected account once (the same idempotency key every
 * time) and returns a fresh onboarding link for it.
 */
export async function startStripeOnboarding(deps: PaymentDeps, actor: Actor, input: unknown): Promise<{ url: string; accountId: string }> {
  authorize(actor, 'tenant:manage');
  const { returnUrl, refreshUrl } = parseInput(ReturnUrls, input);
  const stripe = gateway(deps);
  const tid = actor.tenantId;
  const settings = await paymentSettingsOf(deps, tid);
  let accountId = settings.stripe?.accountId;
  if (!accountId) {
    const tenant = await tenantOrThrow(deps, tid);
    const owner = (await deps.store.users.list(tid, { limit: 1 })).items[0];
    const created = await stripe.createConnectedAccount(
      { email: owner?.email ?? `${tenant.slug}@consort.invalid`, country: tenant.country, tenantId: tid },
      idempotencyKey(tid, 'connected-account'),
    );
    accountId = created.id;
    await deps.store.payments.putSettings(tid, { ...settings, stripe: { accountId, chargesEnabled: false } });
  }
  const link = await stripe.createAccountLink(
    { account: accountId, returnUrl, refreshUrl: refreshUrl ?? returnUrl },
    idempotencyKey(tid, `account-link:${accountId}`, deps.clock.now().getTime()),
  );
  return { url: link.url, accountId };
}

/** Staff: the tenant's payment settings, refreshing whether Stripe lets the account take charges. */
export async function getPaymentSettings(deps: PaymentDeps, actor: Actor): Promise<PaymentSettings & { cardPayments: boolean }> {
  authorize(actor, 'payments:read');
  if (actor.type === 'customer') throw new ForbiddenError('Only staff see the payment settings');
  let settings = await paymentSettingsOf(deps, actor.tenantId);
  if (settings.stripe && !settings.stripe.chargesEnabled && deps.stripe) settings = await refreshAccount(deps, actor.tenantId, settings);
  return { ...settings, cardPayments: !!deps.stripe && !!settings.stripe?.chargesEnabled };
}

const SettingsPatch = z.strictObject({
  /** Charge the default saved card when a bill closes (default on). */
  autoCharge: z.boolean().optional(),
  dueDays: z.partialRecord(PaymentMethod, z.number().int().min(0).max(365)).optional(),
  /** Dunning: `enabled` and/or a whole new ladder (docs/payments.md "Dunning"). */
  dunning: z.strictObject({ enabled: z.boolean().optional(), ladder: DunningLadder.optional() }).optional(),
});

/** Staff: change per-method due days and the dunning ladder. */
export async function updatePaymentSettings(deps: PaymentDeps, actor: Actor, input: unknown) {
  authorize(actor, 'payments:write');
  const patch = parseInput(SettingsPatch, input);
  const settings = await paymentSettingsOf(deps, actor.tenantId);
  const next = {
    ...settings,
    autoCharge: patch.autoCharge ?? settings.autoCharge,
    dueDays: { ...settings.dueDays, ...patch.dueDays },
    dunning: {
      enabled: patch.dunning?.enabled ?? settings.dunning.enabled,
      ladder: patch.dunning?.ladder ?? settings.dunning.ladder,
    },
  };
  await deps.store.payments.putSettings(actor.tenantId, next);
  return next;
}

async function refreshAccount(deps: PaymentDeps, tid: string, settings: PaymentSettings): Promise<PaymentSettings> {
  if (!settings.stripe || !deps.stripe) return settings;
  const account = await deps.stripe.getAccount(settings.stripe.accountId);
  if (account.chargesEnabled === settings.stripe.chargesEnabled) return settings;
  const next = { ...settings, stripe: { ...settings.stripe, chargesEnabled: account.chargesEnabled } };
  await deps.store.payments.putSettings(tid, next);
  return next;
}

// -----------------------------------------------------------------------------------------------------------------
// Paying a bill

const PayInput = z.strictObject({
  successUrl: z.url({ protocol: /^https?$/ }),
  cancelUrl: z.url({ protocol: /^https?$/ }),
});

/**
 * "Pay" on a bill: a card transaction for what is still owed and a Checkout Session (direct charge on the tenant's
 * connected account) for exactly that amount. Returns where to send the customer.
 */
export async function payBill(
  deps: PaymentDeps,
  actor: Actor,
  billId: string,
  input: unknown,
): Promise<{ transactionId: string; url: string }> {
  const { successUrl, cancelUrl } = parseInput(PayInput, input);
  const bill = await billOrThrow(deps, actor, billId);
  const stripe = gateway(deps);
  const account = await connectedAccount(deps, actor.tenantId);
  const open = await openCheckout(deps, bill);
  if (open) return open;
  const tx = await createTransaction(deps, actor, {
    accountId: bill.accountId,
    method: 'card',
    allocations: [{ billId: bill.id }],
    refs: { stripeAccountId: account },
  });
  const session = await stripe.createCheckoutSession(
    account,
    {
      mode: 'payment',
      currency: tx.currency,
      amountMinor: toMinorUnits(tx.amount, tx.currency),
      description: `Bill ${bill.number ?? bill.id}`,
      successUrl,
      cancelUrl,
      metadata: { tenantId: tx.tenantId, transactionId: tx.id, billIds: bill.id },
      paymentMethodTypes: ['card'],
    },
    idempotencyKey(tx.tenantId, `checkout:${tx.id}`),
  );
  if (!session.url) throw new Error(`Stripe returned no URL for Checkout Session ${session.id}`);
  await attachRefs(deps, tx, { stripeCheckoutSessionId: session.id });
  return { transactionId: tx.id, url: session.url };
}

/**
 * A Checkout Session already open for exactly what is still owed on this bill (the customer pressed Pay twice, or
 * came back from Stripe without paying): reused, so two tabs cannot charge the bill twice.
 */
async function openCheckout(deps: PaymentDeps, bill: Bill): Promise<{ transactionId: string; url: string } | undefined> {
  const allocations = await deps.store.payments.listByBill(bill.tenantId, bill.id);
  const { outstanding } = await billBalance(deps, bill);
  for (const a of allocations.filter((x) => x.method === 'card' && x.state === 'created' && x.amount === outstanding)) {
    const tx = await deps.store.payments.get(bill.tenantId, a.transactionId);
    const sessionId = tx?.refs.stripeCheckoutSessionId;
    if (!tx || !sessionId || tx.allocations.length !== 1 || !tx.refs.stripeAccountId) continue;
    const session = await gateway(deps).getCheckoutSession(tx.refs.stripeAccountId, sessionId);
    if (session.status === 'open' && session.url) return { transactionId: tx.id, url: session.url };
  }
  return undefined;
}

/** Record new external references on a transaction without moving it (version-checked, retried). */
async function attachRefs(deps: CoreDeps, tx: Transaction, refs: Partial<Transaction['refs']>): Promise<void> {
  let current: Transaction | undefined = tx;
  for (let attempt = 0; attempt < 8 && current; attempt++) {
    const next = { ...current, refs: { ...current.refs, ...refs }, version: current.version + 1 };
    const added = refClaims(next.refs).filter((r) => !refClaims(current!.refs).some((o) => o.kind === r.kind && o.ref === r.ref));
    if (await deps.store.payments.update(next, current.version, added)) return;
    current = await deps.store.payments.get(tx.tenantId, tx.id);
  }
  throw new ConflictError(`Transaction ${tx.id} keeps changing; try again`);
}

/** Customers (own account) and staff: a setup-mode Checkout Session that saves a card for automatic charges. */
export async function startSavingCard(deps: PaymentDeps, actor: Actor, accountId: string, input: unknown): Promise<{ url: string }> {
  const { successUrl, cancelUrl } = parseInput(PayInput, input);
  if (actor.type !== 'customer') authorize(actor, 'payments:write');
  else if (actor.accountId !== accountId) throw new NotFoundError('Account', accountId);
  const account = await deps.store.accounts.get(actor.tenantId, accountId);
  if (!account) throw new NotFoundError('Account', accountId);
  const stripe = gateway(deps);
  const connected = await connectedAccount(deps, actor.tenantId);
  const customerId = await stripeCustomer(deps, actor.tenantId, connected, account);
  const session = await stripe.createCheckoutSession(
    connected,
    {
      mode: 'setup',
      currency: 'EUR',
      customerId,
      successUrl,
      cancelUrl,
      metadata: { tenantId: actor.tenantId, accountId, purpose: 'save-source' },
      paymentMethodTypes: ['card'],
    },
    idempotencyKey(actor.tenantId, `setup:${accountId}`, deps.clock.now().getTime()),
  );
  if (!session.url) throw new Error(`Stripe returned no URL for Checkout Session ${session.id}`);
  return { url: session.url };
}

async function stripeCustomer(deps: PaymentDeps, tid: string, connected: string, account: { id: string; email: string; name: string }) {
  const known = await deps.store.payments.getStripeCustomer(tid, account.id);
  if (known) return known;
  const created = await gateway(deps).createCustomer(
    connected,
    { email: account.email, name: account.name, metadata: { tenantId: tid, accountId: account.id } },
    idempotencyKey(tid, `customer:${account.id}`),
  );
  await deps.store.payments.putStripeCustomer(tid, account.id, created.id);
  return created.id;
}

/**
 * Staff (or the billing run): charge a bill to the account's default saved card, off-session. The PaymentIntent's
 * outcome moves the transaction right away; its webhooks later find it already there.
 */
export async function chargeBill(deps: PaymentDeps, actor: Actor, billId: string): Promise<Transaction> {
  authorize(actor, 'payments:write');
  const bill = await billOrThrow(deps, actor, billId);
  const sources = await deps.store.payments.listSources(actor.tenantId, bill.accountId);
  const source = sources.find((s) => s.isDefault && s.stripePaymentMethodId) ?? sources.find((s) => s.stripePaymentMethodId);
  if (!source?.stripePaymentMethodId || !source.stripeCustomerId) {
    throw new ValidationError('The account has no saved card to charge', [{ path: ['sourceId'], message: 'No saved card' }]);
  }
  const connected = await connectedAccount(deps, actor.tenantId);
  const tx = await createTransaction(deps, actor, {
    accountId: bill.accountId,
    method: 'card',
    sourceId: source.id,
    allocations: [{ billId }],
    refs: { stripeAccountId: connected },
  });
  return chargeSavedCard(deps, tx, source, connected, idempotencyKey(tx.tenantId, `charge:${tx.id}`));
}

/** Charge a created card transaction to a saved card off-session and move it to what the PaymentIntent says. */
async function chargeSavedCard(
  deps: PaymentDeps,
  tx: Transaction,
  source: PaymentSource,
  connected: string,
  key: string,
): Promise<Transaction> {
  const intent = await gateway(deps).chargeOffSession(
    connected,
    {
      amountMinor: toMinorUnits(tx.amount, tx.currency),
      currency: tx.currency,
      customerId: source.stripeCustomerId!,
      paymentMethodId: source.stripePaymentMethodId!,
      metadata: { tenantId: tx.tenantId, transactionId: tx.id, billIds: tx.allocations.map((a) => a.billId).join(',') },
    },
    key,
  );
  const system: Actor = { type: 'system', tenantId: tx.tenantId, reason: 'stripe' };
  await attachRefs(deps, tx, { stripePaymentIntentId: intent.id });
  const moved = await applyIntent(deps, system, tx.id, intent, false);
  return moved ?? (await deps.store.payments.get(tx.tenantId, tx.id))!;
}

/** What {@link chargeOnClose} did (logged by the callers; never an error for the close). */
export interface AutoChargeOutcome {
  result: 'charged' | 'failed' | 'skipped' | 'already' | 'error';
  reason?: string;
  transactionId?: string;
}

/**
 * Automatic charge on close (single, bulk and billing-run close): when the tenant's `autoCharge` is on and the
 * account's DEFAULT payment source is a saved card, charge what is owed on the bill off-session. Runs after the
 * close is committed and never throws, so a Stripe failure cannot undo or block the close: a decline fails the
 * transaction and dunning takes over. At most one automatic charge per bill: the transaction claims the bill
 * (`TXNREF#autoCharge#<billId>`) when it is created, and the Stripe call's idempotency key is tenant + bill + attempt
 * (`auto-charge:<billId>:1`), so replaying the close path (a retried request or billing-run step) never charges twice;
 * a transaction left `created` by a crash before Stripe answered is charged again with the same key.
 * A default SEPA mandate needs nothing here: the next SEPA batch collects the bill (./batches.ts).
 */
export async function chargeOnClose(
  deps: PaymentDeps,
  tenantId: string,
  billId: string,
  /** The tenant's payment settings when the caller read them already (a billing-run page: once, not per bill). */
  known?: Promise<PaymentSettings>,
): Promise<AutoChargeOutcome> {
  try {
    const settings = await (known ?? paymentSettingsOf(deps, tenantId));
    if (!settings.autoCharge) return { result: 'skipped', reason: 'automatic charges are off' };
    // Checked first: billing runs call this for every bill, and most tenants take no cards (two reads saved).
    if (!deps.stripe || !settings.stripe?.chargesEnabled) return { result: 'skipped', reason: 'card payments are not configured' };
    const bill = await deps.store.bills.get(tenantId, billId);
    if (!bill || bill.type === 'quote' || !['closed', 'sent'].includes(bill.state))
      return { result: 'skipped', reason: 'not a payable bill' };
    const source = defaultSource(await deps.store.payments.listSources(tenantId, bill.accountId));
    if (!source || source.method !== 'card' || !source.stripePaymentMethodId || !source.stripeCustomerId) {
      return { result: 'skipped', reason: `default payment source is ${source?.method ?? 'none'}` };
    }
    const connected = settings.stripe.accountId;
    const key = idempotencyKey(tenantId, `auto-charge:${billId}`, 1);
    const earlier = await deps.store.payments.findByRef(tenantId, 'autoCharge', billId);
    let tx = earlier ? await deps.store.payments.get(tenantId, earlier) : undefined;
    if (!tx) {
      if (new Money((await billBalance(deps, bill)).outstanding).lte(0)) return { result: 'skipped', reason: 'nothing owed' };
      const system: Actor = { type: 'system', tenantId, reason: 'auto-charge' };
      try {
        tx = await createTransaction(deps, system, {
          accountId: bill.accountId,
          method: 'card',
          sourceId: source.id,
          allocations: [{ billId }],
          refs: { stripeAccountId: connected, autoChargeOf: billId },
        });
      } catch (error) {
        // Another replay of the close claimed the bill first: that one charges.
        if (error instanceof ConflictError) return { result: 'already', reason: 'charged by a concurrent close' };
        throw error;
      }
    } else if (tx.state !== 'created' || tx.refs.stripePaymentIntentId) {
      return { result: 'already', transactionId: tx.id };
    }
    let done: Transaction;
    try {
      done = await chargeSavedCard(deps, tx, source, connected, key);
    } catch (error) {
      // A replay that found the transaction not yet charged may be racing the close that created it (same
      // idempotency key, so Stripe charges once): whichever records the intent second loses the write. If the
      // transaction has its intent now, the other one charged.
      const now = earlier ? await deps.store.payments.get(tenantId, tx.id) : undefined;
      if (now && (now.state !== 'created' || now.refs.stripePaymentIntentId)) return { result: 'already', transactionId: tx.id };
      throw error;
    }
    return { result: done.state === 'failed' ? 'failed' : 'charged', transactionId: done.id, reason: done.failure?.code };
  } catch (error) {
    return { result: 'error', reason: (error as Error).message };
  }
}

// -----------------------------------------------------------------------------------------------------------------
// Webhook

/** What the webhook did with an event (logged; Stripe only looks at the status). */
export interface WebhookOutcome {
  eventId: string;
  type: string;
  result: 'applied' | 'duplicate' | 'ignored';
  reason?: string;
  transactionId?: string;
}

/**
 * POST /v1/webhooks/stripe. Verifies the signature (400 when forged, stale or missing), resolves the tenant from the
 * event's connected account (unknown accounts: 400), skips events already processed, and applies the state Stripe
 * reports now. Events whose objects point at another tenant or account are ignored, never applied.
 */
export async function handleStripeWebhook(deps: PaymentDeps, rawBody: string, signature: string | undefined): Promise<WebhookOutcome> {
  const now = deps.clock.now();
  const event = gateway(deps).verifyWebhook(rawBody, signature, now, WEBHOOK_TOLERANCE_SECONDS);
  const base = { eventId: event.id, type: event.type };
  if (!event.account) throw new DomainError('bad_request', 'The event is not about a connected account');
  const tenantId = await deps.store.payments.tenantOfStripeAccount(event.account);
  if (!tenantId) throw new DomainError('bad_request', `No tenant has the Stripe account ${event.account}`);
  if (await deps.store.payments.eventSeen(tenantId, event.id, now)) return { ...base, result: 'duplicate' };
  const outcome = await applyEvent(deps, tenantId, event).catch((error: unknown) => {
    // An object the event names that is not on this connected account (Stripe answers 404): never applied.
    if (error instanceof NotFoundError) return { result: 'ignored' as const, reason: error.message };
    throw error;
  });
  await deps.store.payments.recordEvent(tenantId, event.id, new Date(now.getTime() + EVENT_MEMORY_DAYS * 86_400_000));
  return { ...base, ...outcome };
}

async function applyEvent(deps: PaymentDeps, tenantId: string, event: StripeEventInfo): Promise<Omit<WebhookOutcome, 'eventId' | 'type'>> {
  const actor: Actor = { type: 'system', tenantId, reason: 'stripe-webhook' };
  const account = event.account!;
  const object = event.object;
  if (object.metadata?.tenantId && object.metadata.tenantId !== tenantId) {
    return { result: 'ignored', reason: 'the object belongs to another tenant' };
  }
  if (event.type === 'account.updated') {
    await refreshAccount(deps, tenantId, await paymentSettingsOf(deps, tenantId));
    return { result: 'applied' };
  }
  if (event.type.startsWith('checkout.session.')) {
    const session = await gateway(deps).getCheckoutSession(account, object.id);
    if (session.metadata.tenantId && session.metadata.tenantId !== tenantId) {
      return { result: 'ignored', reason: 'the session belongs to another tenant' };
    }
    if (session.mode === 'setup') return saveSource(deps, tenantId, account, session.metadata, session.setupIntentId, session.status);
    const tx = await transactionFor(deps, tenantId, account, session.metadata.transactionId, 'stripeCheckoutSession', session.id);
    if (!tx) return { result: 'ignored', reason: 'no transaction of this tenant and account' };
    const intent = session.paymentIntentId ? await gateway(deps).getPaymentIntent(account, session.paymentIntentId) : undefined;
    // An abandoned session (checkout.session.expired; Stripe cancels its PaymentIntent) fails with `expired`.
    const abandoned = session.status === 'expired' && intent?.status !== 'succeeded' && intent?.status !== 'processing';
    if (intent && !abandoned) await applyIntent(deps, actor, tx.id, intent, true, { stripeCheckoutSessionId: session.id });
    // An expired session fails what it did not pay (a succeeded payment stays: advance only moves forwards).
    if (session.status === 'expired') {
      await advance(deps, actor, tx.id, 'failed', {
        reason: 'Checkout expired',
        failure: { code: 'expired', message: 'Checkout expired' },
      });
    }
    return { result: 'applied', transactionId: tx.id };
  }
  if (event.type.startsWith('payment_intent.')) {
    const intent = await gateway(deps).getPaymentIntent(account, object.id);
    const tx = await transactionFor(deps, tenantId, account, intent.metadata.transactionId, 'stripePaymentIntent', intent.id);
    if (!tx) return { result: 'ignored', reason: 'no transaction of this tenant and account' };
    await applyIntent(deps, actor, tx.id, intent, !!tx.refs.stripeCheckoutSessionId);
    return { result: 'applied', transactionId: tx.id };
  }
  if (event.type.startsWith('refund.')) {
    // Our refunds carry metadata.refundId; others (made in the Stripe dashboard) are recorded when they still fit.
    const refund = await gateway(deps).getRefund(account, object.id);
    const tx = refund.paymentIntentId
      ? await transactionFor(deps, tenantId, account, refund.metadata.transactionId, 'stripePaymentIntent', refund.paymentIntentId)
      : undefined;
    if (!tx) return { result: 'ignored', reason: 'no transaction of this tenant and account' };
    await recordExternalRefund(deps, actor, tx, refund);
    return { result: 'applied', transactionId: tx.id };
  }
  if (event.type === 'charge.refunded') {
    // Reconcile with the charge's refunds as Stripe lists them now (ours match by id, dashboard ones are recorded).
    const intentId = typeof object.payment_intent === 'string' ? object.payment_intent : undefined;
    const tx = intentId
      ? await transactionFor(deps, tenantId, account, object.metadata?.transactionId, 'stripePaymentIntent', intentId)
      : undefined;
    if (!tx) return { result: 'ignored', reason: 'no transaction of this tenant and account' };
    for (const refund of (await gateway(deps).listChargeRefunds(account, object.id)).reverse()) {
      await recordExternalRefund(deps, actor, tx, refund);
    }
    return { result: 'applied', transactionId: tx.id };
  }
  return { result: 'ignored', reason: 'event type not used' };
}

/** The tenant's transaction an event object refers to, only if it is on this connected account. */
async function transactionFor(
  deps: CoreDeps,
  tenantId: string,
  account: string,
  transactionId: string | undefined,
  kind: TransactionRefKind,
  ref: string,
): Promise<Transaction | undefined> {
  const id = transactionId ?? (await deps.store.payments.findByRef(tenantId, kind, ref));
  if (!id) return undefined;
  const tx = await deps.store.payments.get(tenantId, id);
  if (!tx || tx.refs.stripeAccountId !== account) return undefined;
  return tx;
}

/**
 * Move the transaction to what the PaymentIntent says. In Checkout a failed attempt is not final (the customer can
 * try another card in the same session), so `requires_payment_method` fails only charges made without Checkout.
 */
async function applyIntent(
  deps: PaymentDeps,
  actor: Actor,
  transactionId: string,
  intent: { id: string; status: string; lastError?: { code: string; message: string }; latestChargeId?: string },
  viaCheckout: boolean,
  refs: Partial<Transaction['refs']> = {},
): Promise<Transaction | undefined> {
  const details: TransitionDetails = {
    refs: { ...refs, stripePaymentIntentId: intent.id, ...(intent.latestChargeId ? { stripeChargeId: intent.latestChargeId } : {}) },
  };
  if (intent.status === 'succeeded') return advance(deps, actor, transactionId, 'succeeded', details);
  if (intent.status === 'processing') return advance(deps, actor, transactionId, 'processing', details);
  if (intent.status === 'canceled' || (intent.status === 'requires_payment_method' && intent.lastError && !viaCheckout)) {
    const failure = intent.lastError ?? { code: 'canceled', message: 'The payment was canceled' };
    return advance(deps, actor, transactionId, 'failed', { ...details, failure, reason: failure.message });
  }
  return undefined;
}

/** Transition only forwards: a move the table does not allow (older news) is ignored, not an error. */
async function advance(
  deps: PaymentDeps,
  actor: Actor,
  transactionId: string,
  to: TransactionState,
  details: TransitionDetails,
): Promise<Transaction | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const tx = await deps.store.payments.get(actor.tenantId, transactionId);
    if (!tx || (tx.state !== to && !canTransition(tx.state, to))) return tx;
    try {
      return (await transitionTransaction(deps, actor, actor.tenantId, transactionId, to, details)).transaction;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`Transaction ${transactionId} keeps changing; try again`);
}

/** A completed setup session: the saved payment method becomes a payment source (default if the first). */
async function saveSource(
  deps: PaymentDeps,
  tenantId: string,
  account: string,
  metadata: Record<string, string>,
  setupIntentId: string | undefined,
  status: string,
): Promise<Omit<WebhookOutcome, 'eventId' | 'type'>> {
  const accountId = metadata.accountId;
  if (status !== 'complete' || !setupIntentId || !accountId) return { result: 'ignored', reason: 'setup not complete' };
  if (!(await deps.store.accounts.get(tenantId, accountId))) return { result: 'ignored', reason: 'no such account' };
  const method = await gateway(deps).getSetupIntentPaymentMethod(account, setupIntentId);
  if (!method) return { result: 'ignored', reason: 'no payment method' };
  const sources = await deps.store.payments.listSources(tenantId, accountId);
  if (sources.some((s) => s.stripePaymentMethodId === method.id)) return { result: 'duplicate' };
  await deps.store.payments.putSource({
    tenantId,
    id: newId('paymentSource', deps.clock),
    accountId,
    method: method.type === 'sepa_debit' ? 'sepa_debit' : 'card',
    label: method.label,
    isDefault: sources.length === 0,
    stripePaymentMethodId: method.id,
    ...(method.customerId ? { stripeCustomerId: method.customerId } : {}),
    createdAt: deps.clock.now().toISOString(),
  });
  return { result: 'applied' };
}
