// A loopback stand-in for the Stripe API (there is no official local Stripe). It implements only the endpoints
// Consort calls, the way Stripe does: form-encoded bodies, `Stripe-Account` scoping every object to a connected
// account, `Idempotency-Key` replaying the first response. It also serves a hosted "checkout page" whose Pay button
// completes the session and sends correctly signed webhooks (the SDK's own test-header helper, the endpoint secret)
// to the API. The SDK client is pointed here through its host/port/protocol options (functions/src/local/stack.ts).
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Stripe from 'stripe';

/** One request as the fake received it (tests assert idempotency keys and accounts). */
export interface FakeStripeRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  stripeAccount?: string;
  /** Answered from the idempotency cache. */
  replayed: boolean;
}

export interface FakeStripe {
  /** http://127.0.0.1:port */
  url: string;
  host: string;
  port: number;
  /** The endpoint signing secret the API verifies with. */
  webhookSecret: string;
  requests: FakeStripeRequest[];
  /** Where webhooks go (the API's /v1/webhooks/stripe). */
  setWebhookUrl(url: string): void;
  /** The signed event deliveries made so far, with the API's answers. */
  deliveries: { eventId: string; type: string; status: number }[];
  /** Build a signed event (not sent): body and Stripe-Signature header, timestamp `at` (default now). */
  signedEvent(type: string, account: string, object: Record<string, unknown>, at?: Date): { id: string; body: string; signature: string };
  /** Complete a checkout session as if the customer paid (or saved a card); sends the webhooks unless `send` is false. */
  complete(
    sessionId: string,
    options?: {
      send?: boolean;
      order?: 'session-first' | 'intent-first';
      /** Setup sessions: the saved card's last four digits; `0002` is declined when charged (as Stripe's test card). */
      last4?: string;
    },
  ): Promise<{ id: string; body: string; signature: string }[]>;
  /** Let an open checkout session expire (its PaymentIntent is canceled) and send `checkout.session.expired`. */
  expire(sessionId: string, options?: { send?: boolean }): Promise<{ id: string; body: string; signature: string }>;
  /**
   * How the next refunds end: `succeeded` (default) right away, or `pending` until {@link settleRefund}. Refunds send
   * `charge.refunded` (when they succeed) and `refund.updated` after the API call has been answered.
   */
  setRefundOutcome(outcome: 'succeeded' | 'pending'): void;
  /** Finish a pending refund (`failed` gives the money back to the charge) and send `refund.updated`. */
  settleRefund(refundId: string, status: 'succeeded' | 'failed'): Promise<void>;
  /** An object as stored (tests). */
  object(id: string): Record<string, unknown> | undefined;
  stop(): Promise<void>;
}

type Obj = Record<string, unknown> & { id: string };

/** Parse Stripe's form encoding (`a[b][0][c]=v`) into nested objects and arrays. */
export function parseForm(body: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [rawKey, value] of new URLSearchParams(body)) {
    const parts = rawKey.split(/\[|\]\[|\]/).filter((p) => p !== '');
    let node: Record<string, unknown> = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(parts[i + 1]!);
      node[part] ??= nextIsIndex ? [] : {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return root;
}

function newStripeId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString('hex')}`;
}

/** Start the fake on a free loopback port. */
export async function startFakeStripe(options: { webhookSecret?: string; log?: (line: string) => void } = {}): Promise<FakeStripe> {
  const webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  const signer = new Stripe('sk_test_fake');
  const objects = new Map<string, Obj & { _account?: string }>();
  const idempotency = new Map<string, { status: number; body: string }>();
  const requests: FakeStripeRequest[] = [];
  const deliveries: FakeStripe['deliveries'] = [];
  let webhookUrl: string | undefined;
  let baseUrl = '';
  let refundOutcome: 'succeeded' | 'pending' = 'succeeded';

  const now = () => Math.floor(Date.now() / 1000);

  function put(obj: Obj, account?: string): Obj {
    objects.set(obj.id, { ...obj, _account: account });
    return obj;
  }

  function view(obj: (Obj & { _account?: string }) | undefined): Obj | undefined {
    if (!obj) return undefined;
    const { _account: _a, ...rest } = obj;
    return rest as Obj;
  }

  /** An object visible with this Stripe-Account header (objects of other accounts are "No such …", as in Stripe). */
  function find(id: string, account: string | undefined): Obj | undefined {
    const obj = objects.get(id);
    if (!obj || (obj._account ?? undefined) !== account) return undefined;
    return view(obj);
  }

  function signedEvent(type: string, account: string, object: Record<string, unknown>, at = new Date()) {
    const id = newStripeId('evt');
    const body = JSON.stringify(
      {
        id,
        object: 'event',
        api_version: '2026-11-18.endive',
        account,
        created: Math.floor(at.getTime() / 1000),
        data: { object },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      },
      null,
      2,
    );
    const signature = signer.webhooks.generateTestHeaderString({
      payload: body,
      secret: webhookSecret,
      timestamp: Math.floor(at.getTime() / 1000),
    });
    return { id, body, signature };
  }

  async function deliver(event: { id: string; body: string; signature: string }, type: string) {
    if (!webhookUrl) return;
    const res = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': event.signature },
      body: event.body,
    });
    await res.text();
    deliveries.push({ eventId: event.id, type, status: res.status });
    options.log?.(`webhook ${type} ${event.id} → ${res.status}`);
  }

  function paymentIntent(
    params: { amount: number; currency: string; metadata: Record<string, string>; customer?: string; status: string },
    account?: string,
  ) {
    return put(
      {
        id: newStripeId('pi'),
        object: 'payment_intent',
        amount: params.amount,
        currency: params.currency,
        metadata: params.metadata,
        customer: params.customer ?? null,
        status: params.status,
        last_payment_error: null,
        latest_charge: null,
        created: now(),
      },
      account,
    );
  }

  async function complete(sessionId: string, opts: { send?: boolean; order?: 'session-first' | 'intent-first'; last4?: string } = {}) {
    const stored = objects.get(sessionId);
    if (!stored || stored.object !== 'checkout.session') throw new Error(`No session ${sessionId}`);
    const account = stored._account!;
    const events: { id: string; body: string; signature: string; type: string }[] = [];
    if (stored.mode === 'payment') {
      const pi = objects.get(stored.payment_intent as string)!;
      const charge = put(
        {
          id: newStripeId('ch'),
          object: 'charge',
          payment_intent: pi.id,
          amount: pi.amount,
          amount_refunded: 0,
          refunded: false,
          currency: pi.currency,
          metadata: pi.metadata as Obj,
        },
        account,
      );
      objects.set(pi.id, { ...pi, status: 'succeeded', latest_charge: charge.id });
      objects.set(sessionId, { ...stored, status: 'complete', payment_status: 'paid' });
      const sessionEvent = {
        ...signedEvent('checkout.session.completed', account, view(objects.get(sessionId))!),
        type: 'checkout.session.completed',
      };
      const intentEvent = {
        ...signedEvent('payment_intent.succeeded', account, view(objects.get(pi.id))!),
        type: 'payment_intent.succeeded',
      };
      events.push(...(opts.order === 'intent-first' ? [intentEvent, sessionEvent] : [sessionEvent, intentEvent]));
    } else {
      const pm = put(
        {
          id: newStripeId('pm'),
          object: 'payment_method',
          type: 'card',
          card: { brand: 'visa', last4: opts.last4 ?? '4242', exp_month: 12, exp_year: 2030 },
          customer: stored.customer ?? null,
        },
        account,
      );
      const si = put(
        {
          id: newStripeId('seti'),
          object: 'setup_intent',
          status: 'succeeded',
          payment_method: pm.id,
          customer: stored.customer ?? null,
          metadata: stored.metadata,
        },
        account,
      );
      objects.set(sessionId, { ...stored, status: 'complete', payment_status: 'no_payment_required', setup_intent: si.id });
      events.push({
        ...signedEvent('checkout.session.completed', account, view(objects.get(sessionId))!),
        type: 'checkout.session.completed',
      });
    }
    if (opts.send ?? true) for (const e of events) await deliver(e, e.type);
    return events;
  }

  async function expire(sessionId: string, opts: { send?: boolean } = {}) {
    const stored = objects.get(sessionId);
    if (!stored || stored.object !== 'checkout.session') throw new Error(`No session ${sessionId}`);
    if (stored.status !== 'open') throw new Error(`Session ${sessionId} is ${String(stored.status)}`);
    const account = stored._account!;
    const pi = typeof stored.payment_intent === 'string' ? objects.get(stored.payment_intent) : undefined;
    if (pi) objects.set(pi.id, { ...pi, status: 'canceled' });
    objects.set(sessionId, { ...stored, status: 'expired' });
    const event = signedEvent('checkout.session.expired', account, view(objects.get(sessionId))!);
    if (opts.send ?? true) await deliver(event, 'checkout.session.expired');
    return event;
  }

  /** Send a refund's events once the API call that made it has been answered (as Stripe does, asynchronously). */
  function refundEvents(refundId: string) {
    setImmediate(() => {
      void (async () => {
        const refund = objects.get(refundId)!;
        const account = refund._account!;
        const charge = objects.get(String(refund.charge))!;
        if (refund.status === 'succeeded') {
          await deliver(signedEvent('charge.refunded', account, view(charge)!), 'charge.refunded');
        }
        await deliver(signedEvent('refund.updated', account, view(refund)!), 'refund.updated');
      })().catch((e: unknown) => options.log?.(`fake stripe refund events: ${String(e)}`));
    });
  }

  function createRefund(params: Record<string, unknown>, account: string | undefined): [number, unknown] {
    const piId = String(params.payment_intent ?? '');
    const pi = find(piId, account);
    if (!pi) return [404, { message: `No such payment_intent: '${piId}'`, code: 'resource_missing' }];
    const charge = typeof pi.latest_charge === 'string' ? objects.get(pi.latest_charge) : undefined;
    if (!charge || pi.status !== 'succeeded')
      return [400, { message: 'This PaymentIntent has no successful charge', code: 'charge_not_refundable' }];
    const refundable = Number(charge.amount) - Number(charge.amount_refunded ?? 0);
    const amount = params.amount === undefined ? refundable : Number(params.amount);
    if (!Number.isInteger(amount) || amount <= 0 || amount > refundable) {
      return [
        400,
        { message: `Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`, code: 'amount_too_large' },
      ];
    }
    const refund = put(
      {
        id: newStripeId('re'),
        object: 'refund',
        amount,
        currency: charge.currency ?? pi.currency,
        charge: charge.id,
        payment_intent: pi.id,
        status: refundOutcome,
        metadata: (params.metadata ?? {}) as Record<string, string>,
        created: now(),
      },
      account,
    );
    const refunded = Number(charge.amount_refunded ?? 0) + amount;
    objects.set(charge.id, { ...charge, amount_refunded: refunded, refunded: refunded === Number(charge.amount) });
    refundEvents(refund.id);
    return [200, refund];
  }

  async function settleRefund(refundId: string, status: 'succeeded' | 'failed') {
    const refund = objects.get(refundId);
    if (!refund || refund.object !== 'refund') throw new Error(`No refund ${refundId}`);
    objects.set(refundId, { ...refund, status, ...(status === 'failed' ? { failure_reason: 'lost_or_stolen_card' } : {}) });
    if (status === 'failed') {
      const charge = objects.get(String(refund.charge))!;
      const refunded = Number(charge.amount_refunded ?? 0) - Number(refund.amount);
      objects.set(charge.id, { ...charge, amount_refunded: refunded, refunded: false });
    }
    const account = refund._account!;
    if (status === 'succeeded')
      await deliver(signedEvent('charge.refunded', account, view(objects.get(String(refund.charge)))!), 'charge.refunded');
    await deliver(signedEvent('refund.updated', account, view(objects.get(refundId))!), 'refund.updated');
  }

  function error(res: ServerResponse, status: number, message: string, extra: Record<string, unknown> = {}) {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { type: 'invalid_request_error', message, ...extra } }));
  }

  /** The API endpoints; returns [status, body]. */
  function api(method: string, path: string, params: Record<string, unknown>, account: string | undefined): [number, unknown] {
    const meta = (params.metadata ?? {}) as Record<string, string>;
    if (method === 'POST' && path === '/v1/accounts') {
      return [
        200,
        put({
          id: newStripeId('acct'),
          object: 'account',
          type: params.type ?? 'standard',
          email: params.email,
          country: params.country,
          charges_enabled: false,
          metadata: meta,
        }),
      ];
    }
    let m = /^\/v1\/accounts\/(acct_\w+)$/.exec(path);
    if (method === 'GET' && m) {
      const acct = find(m[1]!, undefined);
      return acct ? [200, acct] : [404, { message: `No such account: '${m[1]}'` }];
    }
    if (method === 'POST' && path === '/v1/account_links') {
      const acct = find(String(params.account), undefined);
      if (!acct) return [404, { message: `No such account: '${String(params.account)}'` }];
      return [
        200,
        {
          object: 'account_link',
          url: `${baseUrl}/onboarding/${acct.id}?return=${encodeURIComponent(String(params.return_url))}`,
          created: now(),
        },
      ];
    }
    if (method === 'POST' && path === '/v1/customers') {
      return [200, put({ id: newStripeId('cus'), object: 'customer', email: params.email, name: params.name, metadata: meta }, account)];
    }
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const id = newStripeId('cs_test');
      const mode = String(params.mode);
      let amount = 0;
      let currency = String(params.currency ?? '');
      if (mode === 'payment') {
        const item = (params.line_items as Record<string, Record<string, unknown>>[])[0]!;
        const price = item.price_data as Record<string, unknown>;
        amount = Number(price.unit_amount) * Number(item.quantity ?? 1);
        currency = String(price.currency);
      }
      const pi =
        mode === 'payment'
          ? paymentIntent(
              {
                amount,
                currency,
                metadata: ((params.payment_intent_data as Record<string, unknown> | undefined)?.metadata ?? {}) as Record<string, string>,
                customer: params.customer as string | undefined,
                status: 'requires_payment_method',
              },
              account,
            )
          : undefined;
      return [
        200,
        put(
          {
            id,
            object: 'checkout.session',
            mode,
            status: 'open',
            payment_status: mode === 'payment' ? 'unpaid' : 'no_payment_required',
            amount_total: mode === 'payment' ? amount : null,
            currency,
            customer: params.customer ?? null,
            payment_intent: pi?.id ?? null,
            setup_intent: null,
            metadata: meta,
            success_url: params.success_url,
            cancel_url: params.cancel_url,
            url: `${baseUrl}/checkout/${id}`,
            created: now(),
          },
          account,
        ),
      ];
    }
    if (method === 'POST' && path === '/v1/refunds') return createRefund(params, account);
    if (method === 'GET' && path === '/v1/refunds') {
      const data = [...objects.values()]
        .filter((o) => o.object === 'refund' && o._account === account && (!params.charge || o.charge === params.charge))
        .map((o) => view(o)!)
        .reverse();
      return [200, { object: 'list', data, has_more: false, url: '/v1/refunds' }];
    }
    m = /^\/v1\/(checkout\/sessions|payment_intents|setup_intents|payment_methods|charges|refunds)\/([\w]+)$/.exec(path);
    if (method === 'GET' && m) {
      const obj = find(m[2]!, account);
      if (!obj) return [404, { message: `No such object: '${m[2]}'`, code: 'resource_missing' }];
      if (m[1] === 'setup_intents' && typeof obj.payment_method === 'string') {
        return [200, { ...obj, payment_method: find(obj.payment_method, account) }];
      }
      return [200, obj];
    }
    if (method === 'POST' && path === '/v1/payment_intents') {
      const pmId = String(params.payment_method);
      const pm = find(pmId, account);
      if (!pm) return [404, { message: `No such PaymentMethod: '${pmId}'`, code: 'resource_missing' }];
      const declined = (pm.card as Record<string, unknown> | undefined)?.last4 === '0002';
      const pi = paymentIntent(
        {
          amount: Number(params.amount),
          currency: String(params.currency),
          metadata: meta,
          customer: params.customer as string,
          status: declined ? 'requires_payment_method' : 'succeeded',
        },
        account,
      );
      if (declined) {
        const failed = { ...pi, last_payment_error: { code: 'card_declined', type: 'card_error', message: 'Your card was declined.' } };
        objects.set(pi.id, { ...failed, _account: account });
        return [402, { type: 'card_error', code: 'card_declined', message: 'Your card was declined.', payment_intent: failed }];
      }
      const charge = put(
        {
          id: newStripeId('ch'),
          object: 'charge',
          payment_intent: pi.id,
          amount: pi.amount,
          amount_refunded: 0,
          refunded: false,
          currency: pi.currency,
          metadata: meta,
        },
        account,
      );
      const charged = { ...pi, latest_charge: charge.id };
      objects.set(pi.id, { ...charged, _account: account });
      return [200, charged];
    }
    return [404, { message: `Unrecognized request URL (${method}: ${path})` }];
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const url = new URL(req.url ?? '/', baseUrl);
      const method = req.method ?? 'GET';
      try {
        // Hosted pages (what a browser sees).
        let m = /^\/checkout\/(cs_test_\w+)$/.exec(url.pathname);
        if (m && method === 'GET') {
          const s = objects.get(m[1]!);
          if (!s) return error(res, 404, 'No such session');
          const amount = s.amount_total
            ? `${(Number(s.amount_total) / 100).toFixed(2)} ${String(s.currency).toUpperCase()}`
            : 'Save a card';
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end(
            `<!doctype html><html><head><title>Fake Stripe Checkout</title></head><body><h1>Fake Stripe Checkout</h1>` +
              `<p data-testid="amount">${amount}</p><form method="post" action="/checkout/${s.id}/pay">` +
              `<button type="submit">${s.mode === 'payment' ? 'Pay' : 'Save card'}</button></form>` +
              `<a href="${String(s.cancel_url)}">Cancel</a></body></html>`,
          );
          return;
        }
        m = /^\/checkout\/(cs_test_\w+)\/pay$/.exec(url.pathname);
        if (m && method === 'POST') {
          const s = objects.get(m[1]!);
          if (!s) return error(res, 404, 'No such session');
          if (s.status === 'open') await complete(s.id);
          res.writeHead(303, { location: String(s.success_url) });
          res.end();
          return;
        }
        m = /^\/onboarding\/(acct_\w+)$/.exec(url.pathname);
        if (m && method === 'GET') {
          const acct = objects.get(m[1]!);
          if (!acct) return error(res, 404, 'No such account');
          objects.set(acct.id, { ...acct, charges_enabled: true });
          await deliver(signedEvent('account.updated', acct.id, view(objects.get(acct.id))!), 'account.updated');
          res.writeHead(303, { location: url.searchParams.get('return') ?? '/' });
          res.end();
          return;
        }
        // The API.
        if (!(req.headers.authorization ?? '').startsWith('Bearer sk_')) return error(res, 401, 'Invalid API Key provided');
        const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
        const stripeAccount = req.headers['stripe-account'] as string | undefined;
        const cacheKey = idempotencyKey ? `${stripeAccount ?? ''}|${method}|${url.pathname}|${idempotencyKey}` : undefined;
        const cached = cacheKey ? idempotency.get(cacheKey) : undefined;
        requests.push({ method, path: url.pathname, idempotencyKey, stripeAccount, replayed: !!cached });
        if (cached) {
          res.writeHead(cached.status, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
          res.end(cached.body);
          return;
        }
        const params = method === 'GET' ? Object.fromEntries(url.searchParams) : parseForm(raw);
        const [status, body] = api(method, url.pathname, params, stripeAccount);
        const text = JSON.stringify(status >= 400 ? { error: { type: 'invalid_request_error', ...(body as object) } } : body);
        if (cacheKey && method === 'POST') idempotency.set(cacheKey, { status, body: text });
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': newStripeId('req') });
        res.end(text);
      } catch (e) {
        options.log?.(`fake stripe error: ${e instanceof Error ? e.stack : String(e)}`);
        if (!res.headersSent) error(res, 500, 'Fake Stripe failed');
      }
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  baseUrl = `http://127.0.0.1:${port}`;
  return {
    url: baseUrl,
    host: '127.0.0.1',
    port,
    webhookSecret,
    requests,
    deliveries,
    setWebhookUrl: (u) => {
      webhookUrl = u;
    },
    signedEvent: (type, account, object, at) => signedEvent(type, account, object, at),
    complete: (id, o) => complete(id, o),
    expire: (id, o) => expire(id, o),
    setRefundOutcome: (outcome) => {
      refundOutcome = outcome;
    },
    settleRefund: (id, status) => settleRefund(id, status),
    object: (id) => view(objects.get(id)),
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
