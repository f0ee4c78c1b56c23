import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '@consort/shared/core/clock';
import { startFakeStripe, type FakeStripe } from '../../../functions/src/local/fake-stripe';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// Payments over the API against DynamoDB Local and the loopback fake Stripe server (the real `stripe` SDK pointed at
// it): onboarding, Checkout, signed webhooks replayed and raced, forged/stale signatures, out-of-order events, events
// of other accounts and tenants, idempotency keys, partial payments, returns and saved cards. The clock follows real
// time plus an offset the stale-signature test moves.

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
let fake: FakeStripe;
let stack: LocalStack;
let alpha: ApiClient;
let beta: ApiClient;
let alphaTenant: string;
let alphaAccount: string;
let betaAccount: string;
let accountId: string;
let webhook: ApiClient;

const ISSUER = { legalName: 'Pay Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] };

async function connect(client: ApiClient): Promise<string> {
  const res = await client.post('/v1/payments/stripe/onboarding', { returnUrl: 'http://portal.example.org/admin/settings' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body.url).toContain(fake.url);
  // The fake's onboarding page enables charges and sends a signed account.updated webhook.
  const page = await fetch(res.body.url, { redirect: 'manual' });
  expect(page.status).toBe(303);
  const settings = await client.get('/v1/payments/settings');
  expect(settings.body).toMatchObject({ stripe: { accountId: res.body.accountId, chargesEnabled: true }, cardPayments: true });
  return res.body.accountId as string;
}

async function issuedBill(client: ApiClient, account: string, unitPrice = '10.00') {
  const open = await client.post('/v1/bills', { accountId: account, type: 'fee', lines: [{ description: 'Membership', unitPrice }] });
  expect(open.status, JSON.stringify(open.body)).toBe(201);
  const closed = await client.post(`/v1/bills/${open.body.id}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  return closed.body as { id: string; number: string; state: string; totals: { total: string } };
}

async function newAccount(client: ApiClient) {
  const res = await client.post('/v1/accounts', {
    name: 'Núria Vidal',
    email: `nuria-${Math.random().toString(36).slice(2, 8)}@example.org`,
    country: 'ES',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Start paying a bill and return the session id the fake created. */
async function checkout(client: ApiClient, billId: string) {
  const pay = await client.post(`/v1/bills/${billId}/pay`, {
    successUrl: 'http://portal.example.org/ok',
    cancelUrl: 'http://portal.example.org/no',
  });
  expect(pay.status, JSON.stringify(pay.body)).toBe(200);
  const sessionId = /\/checkout\/(cs_test_\w+)$/.exec(pay.body.url)![1]!;
  return { transactionId: pay.body.transactionId as string, sessionId };
}

function post(event: { body: string; signature: string }) {
  return webhook.request('POST', '/v1/webhooks/stripe', event.body, { 'stripe-signature': event.signature });
}

beforeAll(async () => {
  fake = await startFakeStripe();
  stack = await startTestStack({
    clock,
    stripe: {
      secretKey: 'sk_test_consort',
      webhookSecret: fake.webhookSecret,
      endpoint: { host: fake.host, port: fake.port, protocol: 'http' },
    },
  });
  fake.setWebhookUrl(`${stack.apiUrl}/v1/webhooks/stripe`);
  webhook = apiClient(stack.apiUrl);
  const a = await signupTenant(stack.apiUrl, 'Alpha');
  const b = await signupTenant(stack.apiUrl, 'Beta');
  alpha = a.client;
  beta = b.client;
  alphaTenant = a.tenant.id;
  for (const c of [alpha, beta]) expect((await c.patch('/v1/billing/settings', { issuer: ISSUER })).status).toBe(200);
  alphaAccount = await connect(alpha);
  betaAccount = await connect(beta);
  accountId = await newAccount(alpha);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('Stripe onboarding', () => {
  it('gives each tenant its own connected account, created once with an idempotency key', async () => {
    expect(alphaAccount).not.toBe(betaAccount);
    const again = await alpha.post('/v1/payments/stripe/onboarding', { returnUrl: 'http://portal.example.org/admin/settings' });
    expect(again.body.accountId).toBe(alphaAccount);
    const creates = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/accounts');
    expect(creates).toHaveLength(2);
    expect(creates.map((r) => r.idempotencyKey)).toEqual([
      `consort:${alphaTenant}:connected-account:1`,
      expect.stringMatching(/^consort:tnt_\w+:connected-account:1$/),
    ]);
  });
});

describe('paying a bill by card', () => {
  it('a signed webhook replayed 100 times, 50 of them concurrently, records exactly one payment', async () => {
    const bill = await issuedBill(alpha, accountId, '12.34');
    const { transactionId, sessionId } = await checkout(alpha, bill.id);
    expect(fake.object(sessionId)).toMatchObject({
      amount_total: 1234,
      currency: 'eur',
      metadata: { transactionId, tenantId: alphaTenant },
    });

    const [sessionEvent] = await fake.complete(sessionId, { send: false });
    const concurrent = await Promise.all(Array.from({ length: 50 }, () => post(sessionEvent!)));
    const sequential = [];
    for (let i = 0; i < 50; i++) sequential.push(await post(sessionEvent!));
    for (const res of [...concurrent, ...sequential]) expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(sequential.every((r) => r.body.result === 'duplicate')).toBe(true);

    const tx = await alpha.get(`/v1/payments/transactions/${transactionId}`);
    expect(tx.body).toMatchObject({
      state: 'succeeded',
      amount: '12.34',
      method: 'card',
      allocations: [{ billId: bill.id, amount: '12.34' }],
    });
    expect(tx.body.audit.map((e: { to: string }) => e.to)).toEqual(['created', 'succeeded']);
    const paid = await alpha.get(`/v1/bills/${bill.id}`);
    expect(paid.body.state).toBe('paid');
    expect(paid.body.audit.filter((e: { action: string }) => e.action === 'mark-paid')).toHaveLength(1);
    const payments = await alpha.get(`/v1/bills/${bill.id}/payments`);
    expect(payments.body).toMatchObject({ total: '12.34', paid: '12.34', outstanding: '0.00', canPayOnline: false });
    const txs = await alpha.get(`/v1/payments/transactions?accountId=${accountId}`);
    expect(txs.body.items.filter((t: { allocations: { billId: string }[] }) => t.allocations[0]!.billId === bill.id)).toHaveLength(1);
  });

  it('sends an idempotency key from tenant + object + attempt on every mutating call, on the connected account', async () => {
    const posts = fake.requests.filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(4);
    for (const r of posts) expect(r.idempotencyKey, `${r.path}`).toMatch(/^consort:tnt_[0-9a-z]+:[\w:.-]+:\d+$/);
    const checkouts = posts.filter((r) => r.path === '/v1/checkout/sessions');
    expect(checkouts.length).toBeGreaterThan(0);
    for (const r of checkouts) {
      expect(r.stripeAccount).toBe(alphaAccount);
      expect(r.idempotencyKey).toMatch(new RegExp(`^consort:${alphaTenant}:checkout:txn_\\w+:1$`));
    }
    expect(new Set(checkouts.map((r) => r.idempotencyKey)).size).toBe(checkouts.length);
  });

  it('events in any order end with the bill paid, and stale news never moves a payment back', async () => {
    const bill = await issuedBill(alpha, accountId, '20.00');
    const { transactionId, sessionId } = await checkout(alpha, bill.id);
    // A stale "processing" snapshot, signed before the payment completes but delivered last.
    const pi = fake.object(sessionId)!.payment_intent as string;
    const staleProcessing = fake.signedEvent('payment_intent.processing', alphaAccount, { ...fake.object(pi)!, status: 'processing' });
    const [intentEvent, sessionEvent] = await fake.complete(sessionId, { send: false, order: 'intent-first' });
    expect((await post(intentEvent!)).body).toMatchObject({ result: 'applied', type: 'payment_intent.succeeded', transactionId });
    expect((await alpha.get(`/v1/bills/${bill.id}`)).body.state).toBe('paid');
    expect((await post(sessionEvent!)).body).toMatchObject({ result: 'applied', type: 'checkout.session.completed' });
    expect((await post(staleProcessing)).status).toBe(200);
    const tx = await alpha.get(`/v1/payments/transactions/${transactionId}`);
    expect(tx.body.state).toBe('succeeded');
    expect(tx.body.refs).toMatchObject({ stripeCheckoutSessionId: sessionId, stripePaymentIntentId: pi, stripeAccountId: alphaAccount });
    expect(tx.body.audit).toHaveLength(2);
  });

  it('a checkout event delivered while the customer has not paid changes nothing; the later one pays', async () => {
    const bill = await issuedBill(alpha, accountId, '7.00');
    const { transactionId, sessionId } = await checkout(alpha, bill.id);
    const early = fake.signedEvent('checkout.session.completed', alphaAccount, fake.object(sessionId)!);
    await post(early);
    expect((await alpha.get(`/v1/payments/transactions/${transactionId}`)).body.state).toBe('created');
    await fake.complete(sessionId); // delivered by the fake to the API
    expect((await alpha.get(`/v1/bills/${bill.id}`)).body.state).toBe('paid');
  });
});

describe('webhook signatures', () => {
  let event: { id: string; body: string; signature: string };
  let billId: string;
  let transactionId: string;

  beforeAll(async () => {
    const bill = await issuedBill(alpha, accountId, '3.00');
    billId = bill.id;
    const started = await checkout(alpha, bill.id);
    transactionId = started.transactionId;
    event = (await fake.complete(started.sessionId, { send: false }))[0]!;
  });

  it('refuses a forged body, a wrong secret and a missing header with 400', async () => {
    const tampered = event.body.replace('"livemode": false', '"livemode": true');
    expect(tampered).not.toBe(event.body);
    for (const res of [
      await post({ body: tampered, signature: event.signature }),
      await post({ body: event.body, signature: event.signature.replace(/v1=\w+/, `v1=${'0'.repeat(64)}`) }),
      await webhook.request('POST', '/v1/webhooks/stripe', event.body),
    ]) {
      expect(res.status).toBe(400);
      expect(res.body.error.message).toMatch(/signature|Stripe-Signature/i);
    }
    expect((await alpha.get(`/v1/payments/transactions/${transactionId}`)).body.state).toBe('created');
  });

  it('refuses signatures older than 300 s (by the injected clock) and from the future', async () => {
    const old = fake.signedEvent(
      'checkout.session.completed',
      alphaAccount,
      JSON.parse(event.body).data.object,
      new Date(Date.now() - 301_000),
    );
    expect((await post(old)).status).toBe(400);
    offsetMs = 301_000;
    try {
      expect((await post(event)).status).toBe(400);
    } finally {
      offsetMs = 0;
    }
    const future = fake.signedEvent(
      'checkout.session.completed',
      alphaAccount,
      JSON.parse(event.body).data.object,
      new Date(Date.now() + 400_000),
    );
    expect((await post(future)).status).toBe(400);
    expect((await alpha.get(`/v1/bills/${billId}`)).body.state).toBe('closed');
    // Within the window it is accepted.
    offsetMs = 290_000;
    try {
      expect((await post(event)).body).toMatchObject({ result: 'applied' });
    } finally {
      offsetMs = 0;
    }
    expect((await alpha.get(`/v1/bills/${billId}`)).body.state).toBe('paid');
  });
});

describe('events of other accounts and tenants', () => {
  it('never applies them', async () => {
    const bill = await issuedBill(alpha, accountId, '9.00');
    const { transactionId, sessionId } = await checkout(alpha, bill.id);
    await fake.complete(sessionId, { send: false });
    const session = fake.object(sessionId)!;
    // Tenant B's connected account claiming Alpha's session: B resolves, the metadata says Alpha → ignored.
    const viaBeta = await post(fake.signedEvent('checkout.session.completed', betaAccount, session));
    expect(viaBeta.body).toMatchObject({ result: 'ignored' });
    // Same, with the metadata rewritten to B: the fake answers "no such session" on B's account → not applied.
    const rewritten = await post(fake.signedEvent('checkout.session.completed', betaAccount, { ...session, metadata: {} }));
    expect(rewritten.body).toMatchObject({ result: 'ignored' });
    // An account no tenant has.
    const unknown = await post(fake.signedEvent('checkout.session.completed', 'acct_unknown123', session));
    expect(unknown.status).toBe(400);
    // No account at all (a platform event).
    const platform = fake.signedEvent('checkout.session.completed', '', session);
    expect((await post(platform)).status).toBe(400);
    expect((await alpha.get(`/v1/payments/transactions/${transactionId}`)).body.state).toBe('created');
    expect((await alpha.get(`/v1/bills/${bill.id}`)).body.state).toBe('closed');
    // B's own event about a PaymentIntent that is Alpha's: not found on B's account.
    const pi = session.payment_intent as string;
    const crossIntent = await post(fake.signedEvent('payment_intent.succeeded', betaAccount, { ...fake.object(pi)!, metadata: {} }));
    expect(crossIntent.body).toMatchObject({ result: 'ignored' });
    expect((await alpha.get(`/v1/payments/transactions/${transactionId}`)).body.state).toBe('created');
  });
});

describe('transactions and bills', () => {
  it('partial payments: a bill is paid only when the succeeded allocations reach its total', async () => {
    const bill = await issuedBill(alpha, accountId, '30.00');
    const first = await alpha.post('/v1/payments/transactions', {
      accountId,
      method: 'transfer',
      allocations: [{ billId: bill.id, amount: '10.00' }],
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const over = await alpha.post('/v1/payments/transactions', {
      accountId,
      method: 'transfer',
      allocations: [{ billId: bill.id, amount: '30.01' }],
    });
    expect(over.status).toBe(422);
    expect(
      (await alpha.post(`/v1/payments/transactions/${first.body.id}/transition`, { to: 'succeeded', reason: 'Transfer seen' })).status,
    ).toBe(200);
    expect((await alpha.get(`/v1/bills/${bill.id}/payments`)).body).toMatchObject({ paid: '10.00', outstanding: '20.00' });
    expect((await alpha.get(`/v1/bills/${bill.id}`)).body.state).toBe('closed');
    const rest = await alpha.post('/v1/payments/transactions', { accountId, method: 'manual', allocations: [{ billId: bill.id }] });
    expect(rest.body.amount).toBe('20.00');
    // The same transition twice is a no-op; the table refuses going back.
    for (let i = 0; i < 2; i++)
      expect((await alpha.post(`/v1/payments/transactions/${rest.body.id}/transition`, { to: 'succeeded' })).status).toBe(200);
    expect((await alpha.post(`/v1/payments/transactions/${rest.body.id}/transition`, { to: 'processing' })).status).toBe(409);
    const paid = await alpha.get(`/v1/bills/${bill.id}`);
    expect(paid.body.state).toBe('paid');
    expect(paid.body.lines).toHaveLength(1);
    // A returned payment makes the paid bill returned again (its content untouched).
    const returned = await alpha.post(`/v1/payments/transactions/${rest.body.id}/transition`, {
      to: 'returned',
      reason: 'AM04',
      bankCharges: '3.50',
    });
    expect(returned.body).toMatchObject({ state: 'returned', bankCharges: '3.50' });
    const back = await alpha.get(`/v1/bills/${bill.id}`);
    expect(back.body.state).toBe('returned');
    expect(back.body.totals).toEqual(paid.body.totals);
    expect((await alpha.get(`/v1/bills/${bill.id}/payments`)).body).toMatchObject({ paid: '10.00', outstanding: '20.00' });
  });

  it('one transaction can pay several bills', async () => {
    const [b1, b2] = [await issuedBill(alpha, accountId, '4.00'), await issuedBill(alpha, accountId, '6.00')];
    const tx = await alpha.post('/v1/payments/transactions', {
      accountId,
      method: 'transfer',
      allocations: [{ billId: b1.id }, { billId: b2.id }],
    });
    expect(tx.body.amount).toBe('10.00');
    await alpha.post(`/v1/payments/transactions/${tx.body.id}/transition`, { to: 'succeeded' });
    for (const b of [b1, b2]) expect((await alpha.get(`/v1/bills/${b.id}`)).body.state).toBe('paid');
  });

  it('bank transfer instructions show the tenant IBAN and the bill number as reference', async () => {
    await alpha.patch('/v1/billing/settings', { paymentInstructions: { iban: 'ES9121000418450200051332', bic: 'CAIXESBBXXX' } });
    const bill = await issuedBill(alpha, accountId, '15.00');
    const res = await alpha.get(`/v1/bills/${bill.id}/transfer-instructions`);
    expect(res.body).toEqual({
      kind: 'instructions',
      iban: 'ES9121000418450200051332',
      bic: 'CAIXESBBXXX',
      reference: bill.number,
      amount: '15.00',
      currency: 'EUR',
    });
  });
});

describe('saved cards', () => {
  it('saves a card through a setup session and charges a bill off-session', async () => {
    const account = await newAccount(alpha);
    const setup = await alpha.post(`/v1/accounts/${account}/payment-sources/setup`, {
      successUrl: 'http://portal.example.org/ok',
      cancelUrl: 'http://portal.example.org/no',
    });
    expect(setup.status, JSON.stringify(setup.body)).toBe(200);
    const sessionId = /\/checkout\/(cs_test_\w+)$/.exec(setup.body.url)![1]!;
    const [event] = await fake.complete(sessionId);
    expect(fake.deliveries.find((d) => d.eventId === event!.id)?.status).toBe(200);
    const sources = await alpha.get(`/v1/accounts/${account}/payment-sources`);
    expect(sources.body.items).toMatchObject([{ method: 'card', label: 'VISA ·· 4242', isDefault: true }]);
    // Closing would charge the default card at once (automatic charge on close): off here, to charge by hand.
    expect((await alpha.patch('/v1/payments/settings', { autoCharge: false })).status).toBe(200);
    const bill = await issuedBill(alpha, account, '8.00');
    expect(bill.state).toBe('closed');
    expect((await alpha.patch('/v1/payments/settings', { autoCharge: true })).status).toBe(200);
    const charged = await alpha.post(`/v1/bills/${bill.id}/charge`);
    expect(charged.status, JSON.stringify(charged.body)).toBe(200);
    expect(charged.body).toMatchObject({ state: 'succeeded', sourceId: sources.body.items[0].id });
    expect((await alpha.get(`/v1/bills/${bill.id}`)).body.state).toBe('paid');
    const charge = fake.requests.filter((r) => r.path === '/v1/payment_intents' && r.method === 'POST').at(-1)!;
    expect(charge).toMatchObject({ stripeAccount: alphaAccount, idempotencyKey: `consort:${alphaTenant}:charge:${charged.body.id}:1` });
  });
});

describe('customers', () => {
  it('pay their own bills only, see only their own payments and sources, and cannot move transactions', async () => {
    const own = await newAccount(alpha);
    const other = await newAccount(alpha);
    const ownBill = await issuedBill(alpha, own, '5.00');
    const otherBill = await issuedBill(alpha, other, '5.00');
    const otherTx = await alpha.post('/v1/payments/transactions', {
      accountId: other,
      method: 'transfer',
      allocations: [{ billId: otherBill.id }],
    });
    const email = `member-${Math.random().toString(36).slice(2, 8)}@example.org`;
    const user = await alpha.post('/v1/users', {
      name: 'Member',
      email,
      role: 'customer',
      password: 'long-enough-password',
      accountId: own,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const slug = (await alpha.get('/v1/tenant')).body.slug;
    const session = await apiClient(stack.apiUrl).post('/v1/auth/sessions', {
      organisation: slug,
      email,
      password: 'long-enough-password',
    });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const customer = apiClient(stack.apiUrl, session.body.token);
    const urls = { successUrl: 'http://portal.example.org/ok', cancelUrl: 'http://portal.example.org/no' };

    const paid = await customer.post(`/v1/bills/${ownBill.id}/pay`, urls);
    expect(paid.status, JSON.stringify(paid.body)).toBe(200);
    // Pressing Pay again while that Checkout is open reuses it: one transaction, one session.
    const again = await customer.post(`/v1/bills/${ownBill.id}/pay`, urls);
    expect(again.body).toEqual(paid.body);
    expect((await customer.post(`/v1/bills/${otherBill.id}/pay`, urls)).status).toBe(404);
    const mine = await customer.get('/v1/payments/transactions');
    expect(mine.body.items.map((t: { id: string }) => t.id)).toEqual([paid.body.transactionId]);
    expect((await customer.get(`/v1/payments/transactions/${otherTx.body.id}`)).status).toBe(404);
    expect((await customer.get(`/v1/accounts/${other}/payment-sources`)).status).toBe(404);
    expect((await customer.get(`/v1/accounts/${own}/payment-sources`)).status).toBe(200);
    expect((await customer.post(`/v1/payments/transactions/${paid.body.transactionId}/transition`, { to: 'succeeded' })).status).toBe(403);
    expect(
      (await customer.post('/v1/payments/transactions', { accountId: own, method: 'manual', allocations: [{ billId: ownBill.id }] }))
        .status,
    ).toBe(422);
    expect((await customer.get('/v1/payments/settings')).status).toBe(403);
    expect((await customer.post(`/v1/bills/${ownBill.id}/charge`)).status).toBe(403);
    expect((await alpha.get(`/v1/bills/${ownBill.id}`)).body.state).toBe('closed');
  });
});
