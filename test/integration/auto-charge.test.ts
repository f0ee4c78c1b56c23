import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addBusinessDays, isTargetBusinessDay } from '@consort/shared/payments/sepa/calendar';
import { chargeOnClose } from '@consort/shared/payments/stripe';
import { startFakeStripe, type FakeStripe } from '../../functions/src/local/fake-stripe';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// Automatic charge on close against the loopback fake Stripe server (the real SDK pointed at it) and DynamoDB Local:
// closing a bill of an account whose default source is a saved card charges it off-session (succeeded → bill paid;
// declined → failed transaction, the bill stays closed and owed); replaying the close path — also concurrently —
// charges once; the tenant's `autoCharge` switch; an abandoned Checkout Session (checkout.session.expired) fails its
// transaction; a default SEPA mandate charges nothing at close and the next batch collects the bill on its due day.

let fake: FakeStripe;
let stack: LocalStack;
let owner: ApiClient;
let tenantId: string;

const ISSUER = { legalName: 'Auto Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] };

async function newAccount(name: string) {
  const res = await owner.post('/v1/accounts', { name, email: `${name.toLowerCase().replace(/\W/g, '')}@example.org`, country: 'ES' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Save a card through a setup-mode session the fake completes (`0002` declines when charged). */
async function saveCard(accountId: string, last4 = '4242') {
  const before = (await owner.get(`/v1/accounts/${accountId}/payment-sources`)).body.items as { id: string }[];
  const setup = await owner.post(`/v1/accounts/${accountId}/payment-sources/setup`, {
    successUrl: 'http://portal.example.org/ok',
    cancelUrl: 'http://portal.example.org/no',
  });
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  await fake.complete(/\/checkout\/(cs_test_\w+)$/.exec(setup.body.url)![1]!, { last4 });
  const after = (await owner.get(`/v1/accounts/${accountId}/payment-sources`)).body.items as { id: string; label: string }[];
  const added = after.find((s) => !before.some((b) => b.id === s.id));
  expect(added?.label).toContain(last4);
  return added!.id;
}

async function openBill(accountId: string, unitPrice: string) {
  const open = await owner.post('/v1/bills', { accountId, type: 'fee', lines: [{ description: 'Hosting', unitPrice }] });
  expect(open.status, JSON.stringify(open.body)).toBe(201);
  return open.body.id as string;
}

async function transactionsOf(billId: string) {
  const res = await owner.get(`/v1/bills/${billId}/payments`);
  expect(res.status).toBe(200);
  return res.body as { paid: string; outstanding: string; allocations: { transactionId: string; state: string; method: string }[] };
}

function intentCreations(billId: string) {
  return fake.requests.filter(
    (r) => r.method === 'POST' && r.path === '/v1/payment_intents' && r.idempotencyKey?.includes(`:auto-charge:${billId}:`),
  );
}

beforeAll(async () => {
  fake = await startFakeStripe();
  stack = await startTestStack({
    stripe: {
      secretKey: 'sk_test_consort',
      webhookSecret: fake.webhookSecret,
      endpoint: { host: fake.host, port: fake.port, protocol: 'http' },
    },
  });
  fake.setWebhookUrl(`${stack.apiUrl}/v1/webhooks/stripe`);
  const t = await signupTenant(stack.apiUrl, 'Auto');
  owner = t.client;
  tenantId = t.tenant.id;
  expect((await owner.patch('/v1/billing/settings', { issuer: ISSUER })).status).toBe(200);
  const onboarding = await owner.post('/v1/payments/stripe/onboarding', { returnUrl: 'http://portal.example.org/admin' });
  expect(onboarding.status, JSON.stringify(onboarding.body)).toBe(200);
  expect((await fetch(onboarding.body.url, { redirect: 'manual' })).status).toBe(303);
  expect((await owner.get('/v1/payments/settings')).body).toMatchObject({ autoCharge: true, cardPayments: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('automatic charge on close', () => {
  it('charges the default saved card: a succeeded card transaction and the bill paid', async () => {
    const accountId = await newAccount('Card Payer');
    const sourceId = await saveCard(accountId);
    const billId = await openBill(accountId, '25.40');
    const closed = await owner.post(`/v1/bills/${billId}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body.state).toBe('paid');
    const payments = await transactionsOf(billId);
    expect(payments).toMatchObject({ paid: '25.40', outstanding: '0.00' });
    expect(payments.allocations).toEqual([expect.objectContaining({ method: 'card', state: 'succeeded' })]);
    const tx = (await owner.get(`/v1/payments/transactions/${payments.allocations[0]!.transactionId}`)).body;
    expect(tx).toMatchObject({ sourceId, amount: '25.40', refs: { autoChargeOf: billId } });
    expect(intentCreations(billId)).toEqual([
      expect.objectContaining({ idempotencyKey: `consort:${tenantId}:auto-charge:${billId}:1`, replayed: false }),
    ]);
    expect(fake.object(tx.refs.stripePaymentIntentId)).toMatchObject({ amount: 2540, status: 'succeeded' });
  });

  it('a declined card fails the transaction; the close stands and the bill stays owed', async () => {
    const accountId = await newAccount('Declined Payer');
    await saveCard(accountId, '0002');
    const billId = await openBill(accountId, '9.99');
    const closed = await owner.post(`/v1/bills/${billId}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    expect(closed.body).toMatchObject({ state: 'closed', number: expect.any(String) });
    const payments = await transactionsOf(billId);
    expect(payments).toMatchObject({ paid: '0.00', outstanding: '9.99' });
    expect(payments.allocations).toEqual([expect.objectContaining({ method: 'card', state: 'failed' })]);
    const tx = (await owner.get(`/v1/payments/transactions/${payments.allocations[0]!.transactionId}`)).body;
    expect(tx.failure).toMatchObject({ code: 'card_declined' });
    // Replaying the close path does not try again (dunning's retry-card does, with a new transaction).
    expect(await chargeOnClose(stack.deps, tenantId, billId)).toMatchObject({ result: 'already' });
    expect(intentCreations(billId)).toHaveLength(1);
  });

  it('replaying the close path, also five times at once, charges exactly once', async () => {
    const accountId = await newAccount('Replay Payer');
    await saveCard(accountId);
    // Closed while automatic charges are off, so the replays below are the first charge attempts.
    expect((await owner.patch('/v1/payments/settings', { autoCharge: false })).status).toBe(200);
    const billId = await openBill(accountId, '70.00');
    const closed = await owner.post(`/v1/bills/${billId}/close`);
    expect(closed.body.state).toBe('closed');
    expect(intentCreations(billId)).toHaveLength(0);
    expect((await transactionsOf(billId)).allocations).toHaveLength(0);
    expect((await owner.patch('/v1/payments/settings', { autoCharge: true })).status).toBe(200);

    const outcomes = await Promise.all(Array.from({ length: 5 }, () => chargeOnClose(stack.deps, tenantId, billId)));
    expect(outcomes.filter((o) => o.result === 'charged')).toHaveLength(1);
    expect(
      outcomes.filter((o) => o.result !== 'charged').map((o) => o.result),
      JSON.stringify(outcomes),
    ).toEqual(['already', 'already', 'already', 'already']);
    // Later replays find the bill paid.
    expect(await chargeOnClose(stack.deps, tenantId, billId)).toMatchObject({ result: 'skipped', reason: 'not a payable bill' });
    // A second close of the same bill is refused (409) and charges nothing either.
    expect((await owner.post(`/v1/bills/${billId}/close`)).status).toBe(409);

    const payments = await transactionsOf(billId);
    expect(payments).toMatchObject({ paid: '70.00', outstanding: '0.00' });
    expect(payments.allocations).toHaveLength(1);
    expect(intentCreations(billId).filter((r) => !r.replayed)).toHaveLength(1);
    expect((await owner.get(`/v1/bills/${billId}`)).body.state).toBe('paid');
  });

  it('leaves the bill alone when the tenant turned automatic charges off', async () => {
    const accountId = await newAccount('Manual Payer');
    await saveCard(accountId);
    expect((await owner.patch('/v1/payments/settings', { autoCharge: false })).body.autoCharge).toBe(false);
    try {
      const billId = await openBill(accountId, '5.00');
      expect((await owner.post(`/v1/bills/${billId}/close`)).body.state).toBe('closed');
      expect((await transactionsOf(billId)).allocations).toHaveLength(0);
      expect(intentCreations(billId)).toHaveLength(0);
    } finally {
      await owner.patch('/v1/payments/settings', { autoCharge: true });
    }
  });

  it('does not charge a card that is saved but not the default', async () => {
    const accountId = await newAccount('Transfer Payer');
    const sources = await owner.post(`/v1/accounts/${accountId}/payment-sources`, { method: 'transfer', label: 'Bank transfer' });
    expect(sources.status, JSON.stringify(sources.body)).toBe(201);
    await saveCard(accountId);
    const billId = await openBill(accountId, '8.00');
    expect((await owner.post(`/v1/bills/${billId}/close`)).body.state).toBe('closed');
    expect(intentCreations(billId)).toHaveLength(0);
    expect(await chargeOnClose(stack.deps, tenantId, billId)).toMatchObject({
      result: 'skipped',
      reason: 'default payment source is transfer',
    });
  });
});

describe('default SEPA mandate', () => {
  it('charges no card at close; the next SEPA batch collects the bill on its due day (a TARGET business day)', async () => {
    const sepa = { creditorId: 'ES37000G12345674', creditorName: 'Auto Hosting SL', iban: 'ES9121000418450200051332' };
    expect((await owner.post('/v1/payments/sepa/settings', sepa)).status).toBe(200);
    expect((await owner.patch('/v1/payments/settings', { dueDays: { sepa_debit: 20 } })).status).toBe(200);
    const accountId = await newAccount('Debit Payer');
    await saveCard(accountId); // saved first: the default until the mandate below takes over
    const mandate = await owner.post(`/v1/accounts/${accountId}/mandates`, {
      signedOn: '2026-01-01',
      debtor: { name: 'Debit Payer', iban: 'DE89370400440532013000' },
    });
    expect(mandate.status, JSON.stringify(mandate.body)).toBe(201);
    // A new mandate becomes the account's default payment source.
    const sources = (await owner.get(`/v1/accounts/${accountId}/payment-sources`)).body.items as { method: string; isDefault: boolean }[];
    expect(sources.find((s) => s.isDefault)?.method).toBe('sepa_debit');

    const billId = await openBill(accountId, '15.00');
    const closed = await owner.post(`/v1/bills/${billId}/close`);
    expect(closed.body.state).toBe('closed');
    expect(intentCreations(billId)).toHaveLength(0);
    expect(await chargeOnClose(stack.deps, tenantId, billId)).toMatchObject({
      result: 'skipped',
      reason: 'default payment source is sepa_debit',
    });
    // Due 20 days after issue (the tenant's days for SEPA debits), after the 14-day pre-notification.
    const days = (Date.parse(closed.body.dueOn) - Date.parse(closed.body.issuedOn)) / 86_400_000;
    expect(days).toBe(20);

    const batch = await owner.post('/v1/payments/sepa/batches', { accountIds: [accountId] });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const item = batch.body.batch.items[0] as { billIds: string[]; collectionDate: string; amount: string };
    expect(item).toMatchObject({ billIds: [billId], amount: '15.00' });
    expect(item.collectionDate).toBe(addBusinessDays(closed.body.dueOn, 0));
    expect(isTargetBusinessDay(item.collectionDate)).toBe(true);
  });
});

describe('abandoned checkout', () => {
  it('checkout.session.expired fails the transaction; the bill stays owed and can be paid again', async () => {
    const accountId = await newAccount('Abandoner');
    expect((await owner.patch('/v1/payments/settings', { autoCharge: false })).status).toBe(200);
    const billId = await openBill(accountId, '12.00');
    await owner.post(`/v1/bills/${billId}/close`);
    await owner.patch('/v1/payments/settings', { autoCharge: true });
    const pay = await owner.post(`/v1/bills/${billId}/pay`, {
      successUrl: 'http://p.example.org/ok',
      cancelUrl: 'http://p.example.org/no',
    });
    expect(pay.status, JSON.stringify(pay.body)).toBe(200);
    const sessionId = /\/checkout\/(cs_test_\w+)$/.exec(pay.body.url)![1]!;
    const event = await fake.expire(sessionId);
    expect(fake.deliveries.find((d) => d.eventId === event.id)).toMatchObject({ type: 'checkout.session.expired', status: 200 });
    const tx = (await owner.get(`/v1/payments/transactions/${pay.body.transactionId}`)).body;
    expect(tx).toMatchObject({ state: 'failed', failure: { code: 'expired' } });
    expect(await transactionsOf(billId)).toMatchObject({ paid: '0.00', outstanding: '12.00' });
    const again = await owner.post(`/v1/bills/${billId}/pay`, {
      successUrl: 'http://p.example.org/ok',
      cancelUrl: 'http://p.example.org/no',
    });
    expect(again.body.transactionId).not.toBe(pay.body.transactionId);
  });
});
