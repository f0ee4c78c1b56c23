import Stripe from 'stripe';
import { DomainError, NotFoundError } from '../../core/errors';
import type {
  CheckoutSessionInfo,
  PaymentIntentInfo,
  PaymentMethodInfo,
  RefundInfo,
  StripeEventInfo,
  StripeGateway,
} from '../../ports/payments';

// The StripeGateway port over the `stripe` SDK. Direct charges: every call about a tenant's money carries
// `stripeAccount` (the tenant's connected account), and every mutating call its idempotency key. The client is
// built by composition roots: the real API with live/test keys, or the loopback fake (functions/src/local/fake-stripe.ts)
// through the SDK's host/port/protocol options.

/** Where the SDK sends requests (the fake Stripe server locally). */
export interface StripeEndpoint {
  host: string;
  port: number;
  protocol: 'http' | 'https';
}

/** Build an SDK client; `endpoint` points it at a fake server. */
export function stripeClient(secretKey: string, endpoint?: StripeEndpoint): Stripe {
  return new Stripe(secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(endpoint ? { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol } : {}),
  });
}

function meta(value: Stripe.Metadata | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(value ?? {}).map(([k, v]) => [k, String(v)]));
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (!value) return undefined;
  return typeof value === 'string' ? value : value.id;
}

function sessionInfo(s: Stripe.Checkout.Session): CheckoutSessionInfo {
  return {
    id: s.id,
    ...(s.url ? { url: s.url } : {}),
    mode: s.mode === 'setup' ? 'setup' : 'payment',
    status: (s.status ?? 'open') as CheckoutSessionInfo['status'],
    paymentStatus: s.payment_status,
    paymentIntentId: idOf(s.payment_intent),
    setupIntentId: idOf(s.setup_intent),
    customerId: idOf(s.customer),
    metadata: meta(s.metadata),
  };
}

function intentInfo(pi: Stripe.PaymentIntent): PaymentIntentInfo {
  return {
    id: pi.id,
    status: pi.status,
    amountMinor: pi.amount,
    currency: pi.currency.toUpperCase(),
    metadata: meta(pi.metadata),
    ...(pi.last_payment_error
      ? { lastError: { code: pi.last_payment_error.code ?? pi.last_payment_error.type, message: pi.last_payment_error.message ?? '' } }
      : {}),
    latestChargeId: idOf(pi.latest_charge),
  };
}

function refundInfo(r: Stripe.Refund): RefundInfo {
  return {
    id: r.id,
    status: r.status ?? 'pending',
    amountMinor: r.amount,
    currency: r.currency.toUpperCase(),
    paymentIntentId: idOf(r.payment_intent),
    metadata: meta(r.metadata),
    ...(r.failure_reason ? { failureReason: r.failure_reason } : {}),
  };
}

/** Stripe's 404 (an object that is not on this account) as a domain NotFoundError. */
async function found<T>(what: string, id: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) throw new NotFoundError(what, id);
    throw error;
  }
}

function methodLabel(pm: Stripe.PaymentMethod): string {
  if (pm.type === 'card' && pm.card) return `${pm.card.brand.toUpperCase()} ·· ${pm.card.last4}`;
  if (pm.type === 'sepa_debit' && pm.sepa_debit) return `IBAN ${pm.sepa_debit.country ?? ''} ·· ${pm.sepa_debit.last4 ?? ''}`;
  return pm.type;
}

/** StripeGateway over an SDK client; `webhookSecret` is the Connect endpoint's signing secret (`whsec_…`). */
export class SdkStripeGateway implements StripeGateway {
  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
  ) {}

  async createConnectedAccount(input: { email: string; country: string; tenantId: string }, idempotencyKey: string) {
    const account = await this.stripe.accounts.create(
      {
        type: 'standard',
        email: input.email,
        country: input.country,
        metadata: { tenantId: input.tenantId },
      },
      { idempotencyKey },
    );
    return { id: account.id };
  }

  async createAccountLink(input: { account: string; refreshUrl: string; returnUrl: string }, idempotencyKey: string) {
    const link = await this.stripe.accountLinks.create(
      { account: input.account, refresh_url: input.refreshUrl, return_url: input.returnUrl, type: 'account_onboarding' },
      { idempotencyKey },
    );
    return { url: link.url };
  }

  async getAccount(account: string) {
    const a = await this.stripe.accounts.retrieve(account);
    return { id: a.id, chargesEnabled: a.charges_enabled };
  }

  async createCustomer(account: string, input: { email: string; name: string; metadata: Record<string, string> }, idempotencyKey: string) {
    const c = await this.stripe.customers.create(input, { idempotencyKey, stripeAccount: account });
    return { id: c.id };
  }

  async createCheckoutSession(
    account: string,
    input: Parameters<StripeGateway['createCheckoutSession']>[1],
    idempotencyKey: string,
  ): Promise<CheckoutSessionInfo> {
    const common = {
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      metadata: input.metadata,
      payment_method_types: [...input.paymentMethodTypes],
      ...(input.customerId ? { customer: input.customerId } : {}),
    };
    const params: Stripe.Checkout.SessionCreateParams =
      input.mode === 'payment'
        ? {
            ...common,
            mode: 'payment',
            line_items: [
              {
                quantity: 1,
                price_data: {
                  currency: input.currency.toLowerCase(),
                  unit_amount: input.amountMinor,
                  product_data: { name: input.description ?? 'Payment' },
                },
              },
            ],
            payment_intent_data: { metadata: input.metadata, ...(input.customerId ? { setup_future_usage: 'off_session' } : {}) },
          }
        : { ...common, mode: 'setup', currency: input.currency.toLowerCase(), setup_intent_data: { metadata: input.metadata } };
    const s = await this.stripe.checkout.sessions.create(params, { idempotencyKey, stripeAccount: account });
    return sessionInfo(s);
  }

  async getCheckoutSession(account: string, id: string) {
    return sessionInfo(
      await found('Checkout Session', id, () => this.stripe.checkout.sessions.retrieve(id, {}, { stripeAccount: account })),
    );
  }

  async getPaymentIntent(account: string, id: string) {
    return intentInfo(await found('PaymentIntent', id, () => this.stripe.paymentIntents.retrieve(id, {}, { stripeAccount: account })));
  }

  async chargeOffSession(account: string, input: Parameters<StripeGateway['chargeOffSession']>[1], idempotencyKey: string) {
    try {
      const pi = await this.stripe.paymentIntents.create(
        {
          amount: input.amountMinor,
          currency: input.currency.toLowerCase(),
          customer: input.customerId,
          payment_method: input.paymentMethodId,
          off_session: true,
          confirm: true,
          metadata: input.metadata,
        },
        { idempotencyKey, stripeAccount: account },
      );
      return intentInfo(pi);
    } catch (error) {
      // A declined off-session charge is an error carrying the PaymentIntent it left behind.
      const intent = (error as { raw?: { payment_intent?: Stripe.PaymentIntent } }).raw?.payment_intent;
      if (intent) return intentInfo(intent);
      throw error;
    }
  }

  async getSetupIntentPaymentMethod(account: string, setupIntentId: string): Promise<PaymentMethodInfo | undefined> {
    const si = await found('SetupIntent', setupIntentId, () =>
      this.stripe.setupIntents.retrieve(setupIntentId, { expand: ['payment_method'] }, { stripeAccount: account }),
    );
    const pm = si.payment_method;
    if (!pm || typeof pm === 'string') return undefined;
    return { id: pm.id, type: pm.type, label: methodLabel(pm), customerId: idOf(pm.customer) ?? idOf(si.customer) };
  }

  async createRefund(account: string, input: Parameters<StripeGateway['createRefund']>[1], idempotencyKey: string) {
    const refund = await this.stripe.refunds.create(
      { payment_intent: input.paymentIntentId, amount: input.amountMinor, metadata: input.metadata },
      { idempotencyKey, stripeAccount: account },
    );
    return refundInfo(refund);
  }

  async getRefund(account: string, id: string) {
    return refundInfo(await found('Refund', id, () => this.stripe.refunds.retrieve(id, {}, { stripeAccount: account })));
  }

  async listChargeRefunds(account: string, chargeId: string) {
    const out: RefundInfo[] = [];
    for await (const r of this.stripe.refunds.list({ charge: chargeId, limit: 100 }, { stripeAccount: account })) out.push(refundInfo(r));
    return out;
  }

  verifyWebhook(rawBody: string, signature: string | undefined, now: Date, toleranceSeconds: number): StripeEventInfo {
    if (!signature) throw new DomainError('bad_request', 'Missing Stripe-Signature header');
    // The SDK rejects timestamps older than the tolerance; a timestamp from the future is refused here as well.
    const stamp = /(?:^|,)t=(\d+)/.exec(signature)?.[1];
    if (stamp && Number(stamp) - Math.floor(now.getTime() / 1000) > toleranceSeconds) {
      throw new DomainError('bad_request', 'Stripe-Signature timestamp is in the future');
    }
    let event: Stripe.Event;
    try {
      event = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret, toleranceSeconds, undefined, now.getTime());
    } catch (error) {
      throw new DomainError('bad_request', `Invalid Stripe signature: ${(error as Error).message.split('\n')[0]}`);
    }
    const object = event.data.object as unknown as StripeEventInfo['object'];
    return { id: event.id, type: event.type, account: event.account ?? undefined, created: event.created, object };
  }
}
