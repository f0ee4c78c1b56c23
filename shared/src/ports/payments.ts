import type { PaymentMethod } from '../payments/model';

// Payment ports (issue 5). Payment methods are plugins (shared/src/payments/methods.ts) that share one shape; the
// card/wallet plugin talks to Stripe through `StripeGateway`, implemented over the `stripe` SDK in
// shared/src/adapters/stripe/ — against the real API with real keys, or the loopback fake in
// functions/src/local/fake-stripe.ts locally and in tests. Amounts cross this port in minor units (integers Stripe
// requires), computed with decimal.js by the caller.

/** What the customer must do to pay: go to a hosted page, or follow instructions (transfer), or nothing (debited). */
export type PaymentStart =
  | { kind: 'redirect'; url: string }
  | { kind: 'instructions'; iban?: string; bic?: string; reference: string; amount: string; currency: string; text?: string }
  | { kind: 'scheduled'; message: string };

/** A Checkout Session as Consort needs it. */
export interface CheckoutSessionInfo {
  id: string;
  url?: string;
  mode: 'payment' | 'setup';
  status: 'open' | 'complete' | 'expired';
  /** paid, unpaid, no_payment_required (Stripe may add values). */
  paymentStatus: string;
  paymentIntentId?: string;
  setupIntentId?: string;
  customerId?: string;
  metadata: Record<string, string>;
}

/** A PaymentIntent as Consort needs it. */
export interface PaymentIntentInfo {
  id: string;
  /** requires_payment_method, processing, succeeded, canceled… */
  status: string;
  amountMinor: number;
  currency: string;
  metadata: Record<string, string>;
  lastError?: { code: string; message: string };
  latestChargeId?: string;
}

/** A Stripe refund as Consort needs it. */
export interface RefundInfo {
  id: string;
  /** pending, requires_action, succeeded, failed, canceled. */
  status: string;
  amountMinor: number;
  currency: string;
  paymentIntentId?: string;
  metadata: Record<string, string>;
  failureReason?: string;
}

/** A saved payment method (card or SEPA debit) on a connected account. */
export interface PaymentMethodInfo {
  id: string;
  type: 'card' | 'sepa_debit' | string;
  label: string;
  customerId?: string;
}

/** A verified webhook event: only the fields Consort reads. */
export interface StripeEventInfo {
  id: string;
  type: string;
  /** The connected account the event is about (Connect webhooks). */
  account?: string;
  created: number;
  object: { id: string; object: string; metadata?: Record<string, string> } & Record<string, unknown>;
}

/** Stripe Connect (direct charges on one connected account per tenant). Every mutating call takes an idempotency key. */
export interface StripeGateway {
  createConnectedAccount(input: { email: string; country: string; tenantId: string }, idempotencyKey: string): Promise<{ id: string }>;
  createAccountLink(input: { account: string; refreshUrl: string; returnUrl: string }, idempotencyKey: string): Promise<{ url: string }>;
  getAccount(account: string): Promise<{ id: string; chargesEnabled: boolean }>;
  createCustomer(
    account: string,
    input: { email: string; name: string; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<{ id: string }>;
  createCheckoutSession(
    account: string,
    input: {
      mode: 'payment' | 'setup';
      currency: string;
      /** Payment mode: what to charge, in minor units. */
      amountMinor?: number;
      description?: string;
      customerId?: string;
      successUrl: string;
      cancelUrl: string;
      metadata: Record<string, string>;
      paymentMethodTypes: readonly ('card' | 'sepa_debit')[];
    },
    idempotencyKey: string,
  ): Promise<CheckoutSessionInfo>;
  getCheckoutSession(account: string, id: string): Promise<CheckoutSessionInfo>;
  getPaymentIntent(account: string, id: string): Promise<PaymentIntentInfo>;
  /** Charge a saved payment method without the customer (automatic charge when a bill closes). */
  chargeOffSession(
    account: string,
    input: { amountMinor: number; currency: string; customerId: string; paymentMethodId: string; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<PaymentIntentInfo>;
  getSetupIntentPaymentMethod(account: string, setupIntentId: string): Promise<PaymentMethodInfo | undefined>;
  /** Refund (part of) a PaymentIntent's charge on the connected account. */
  createRefund(
    account: string,
    input: { paymentIntentId: string; amountMinor: number; metadata: Record<string, string> },
    idempotencyKey: string,
  ): Promise<RefundInfo>;
  getRefund(account: string, id: string): Promise<RefundInfo>;
  /** Every refund of a charge, newest first (`charge.refunded` is reconciled with these). */
  listChargeRefunds(account: string, chargeId: string): Promise<RefundInfo[]>;
  /**
   * Verify `Stripe-Signature` on the raw body (HMAC with the endpoint secret, timestamp within `toleranceSeconds` of
   * `now`) and parse the event; throws a `bad_request` DomainError (400) otherwise.
   */
  verifyWebhook(rawBody: string, signature: string | undefined, now: Date, toleranceSeconds: number): StripeEventInfo;
}

/** What the payment use cases need beside the core deps. */
export interface PaymentPorts {
  /** Undefined when the deployment has no Stripe platform keys: card payments are then unavailable (422). */
  stripe?: StripeGateway;
}

/** A payment method plugin: how a customer pays a transaction of this method. */
export interface PaymentMethodPlugin {
  method: PaymentMethod;
  /** Shown to customers and staff. */
  label: string;
  /** Whether customers start it themselves from the portal (card) or staff/batches do (transfer, SEPA, manual). */
  customerInitiated: boolean;
}
