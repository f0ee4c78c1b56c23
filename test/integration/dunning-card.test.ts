import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '@consort/shared/core/clock';
import { startFakeStripe, type FakeStripe } from '../../functions/src/local/fake-stripe';
import type { LocalStack } from '../../functions/src/local/stack';
import { handler as dunningSchedule } from '../../functions/src/schedules/dunning';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// The dunning ladder's retry-card step against the loopback fake Stripe server: the account's default saved card is
// declined (by the automatic charge on close and by the first retry), services are suspended, the customer changes
// the default card, and the next retry charges it — the bill ends paid and the suspended service is re-enabled
// (a provisioning operation by dunning). The daily schedule handler runs with a moved clock.

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
const DAY = 86_400_000;
let fake: FakeStripe;
let stack: LocalStack;
let owner: ApiClient;
let tenantId: string;
let accountId: string;
let serviceId: string;
let bill: { id: string; number: string; dueOn: string };
let declinedCard: string;
let goodCard: string;

function dayAfterDue(days: number) {
  offsetMs = Date.parse(`${bill.dueOn}T12:00:00Z`) + days * DAY - Date.now();
}

async function runDaily() {
  const out = await dunningSchedule();
  await stack.idle();
  return out.steps.filter((s) => s.startsWith(tenantId));
}

async function saveCard(last4: string) {
  const setup = await owner.post(`/v1/accounts/${accountId}/payment-sources/setup`, {
    successUrl: 'http://portal.example.org/ok',
    cancelUrl: 'http://portal.example.org/no',
  });
  expect(setup.status, JSON.stringify(setup.body)).toBe(200);
  await fake.complete(/\/checkout\/(cs_test_\w+)$/.exec(setup.body.url)![1]!, { last4 });
  const sources = (await owner.get(`/v1/accounts/${accountId}/payment-sources`)).body.items as { id: string; label: string }[];
  return sources.find((s) => s.label.endsWith(last4))!.id;
}

async function cardTransactions() {
  const res = await owner.get(`/v1/payments/transactions?accountId=${accountId}`);
  return (res.body.items as { id: string; sourceId?: string; state: string; failure?: { code: string } }[]).reverse();
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
  const t = await signupTenant(stack.apiUrl, 'Card Dunning');
  tenantId = t.tenant.id;
  const key = await t.client.post('/v1/api-keys', { name: 'dunning card test', role: 'owner' });
  owner = apiClient(stack.apiUrl, key.body.secret);
  const issuer = { legalName: 'Retry Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1, Girona'] };
  expect((await owner.patch('/v1/billing/settings', { issuer })).status).toBe(200);
  const onboarding = await owner.post('/v1/payments/stripe/onboarding', { returnUrl: 'http://portal.example.org/admin' });
  expect((await fetch(onboarding.body.url, { redirect: 'manual' })).status).toBe(303);
  const ladder = [
    { afterDays: 1, action: 'retry-card' },
    { afterDays: 2, action: 'suspend' },
    { afterDays: 3, action: 'retry-card' },
  ];
  expect((await owner.patch('/v1/payments/settings', { dunning: { ladder } })).status).toBe(200);
  const account = await owner.post('/v1/accounts', { name: 'Card Holder', email: 'holder@example.org', country: 'ES' });
  accountId = account.body.id;
  const user = await owner.post('/v1/services', { accountId, kind: 'systemuser', spec: { username: 'cardholder' } });
  expect(user.status, JSON.stringify(user.body)).toBe(201);
  serviceId = user.body.service.id;
  // Both cards are saved now (the fake signs webhooks with the real time); the first saved is the default.
  declinedCard = await saveCard('0002');
  goodCard = await saveCard('4242');
  const open = await owner.post('/v1/bills', { accountId, type: 'fee', lines: [{ description: 'Hosting', unitPrice: '33.00' }] });
  const closed = await owner.post(`/v1/bills/${open.body.id}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  bill = closed.body;
  await stack.idle();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('dunning retry-card against the fake Stripe', () => {
  it('the automatic charge on close was declined: the bill is owed', async () => {
    expect(bill).toMatchObject({ state: 'closed' });
    expect(await cardTransactions()).toEqual([
      expect.objectContaining({ sourceId: declinedCard, state: 'failed', failure: { code: 'card_declined', message: expect.any(String) } }),
    ]);
  });

  it('retries the declined default card, then suspends the services', async () => {
    dayAfterDue(1);
    expect(await runDaily()).toEqual([`${tenantId}/${accountId}: retry-card`]);
    const txs = await cardTransactions();
    expect(txs).toHaveLength(2);
    expect(txs[1]).toMatchObject({ sourceId: declinedCard, state: 'failed', failure: { code: 'card_declined' } });
    const status = await owner.get(`/v1/accounts/${accountId}/dunning`);
    expect(status.body.steps[0].note).toContain(`${txs[1]!.id} failed`);

    dayAfterDue(2);
    expect(await runDaily()).toEqual([`${tenantId}/${accountId}: suspend`]);
    expect((await owner.get(`/v1/services/${serviceId}`)).body.spec.disabled).toBe(true);
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.state).toBe('closed');
  });

  it('after the customer changes the default card the next retry charges it: bill paid, services back', async () => {
    const made = await owner.post(`/v1/accounts/${accountId}/payment-sources/${goodCard}/default`);
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    const intentsBefore = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents').length;

    dayAfterDue(3);
    expect(await runDaily()).toEqual([`${tenantId}/${accountId}: retry-card`]);
    const txs = await cardTransactions();
    expect(txs).toHaveLength(3);
    expect(txs[2]).toMatchObject({ sourceId: goodCard, state: 'succeeded' });
    expect(fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents')).toHaveLength(intentsBefore + 1);
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.state).toBe('paid');
    expect((await owner.get(`/v1/bills/${bill.id}/payments`)).body).toMatchObject({ paid: '33.00', outstanding: '0.00' });

    await stack.idle();
    expect((await owner.get(`/v1/services/${serviceId}`)).body.spec.disabled).toBe(false);
    const ops = await owner.get(`/v1/operations?serviceId=${serviceId}&limit=100`);
    expect((ops.body.items as { createdBy: string }[]).filter((o) => o.createdBy === 'system:dunning: account paid')).toHaveLength(1);
    expect((await owner.get(`/v1/accounts/${accountId}/dunning`)).body).toMatchObject({ dunning: false, suspendedServiceIds: [] });
  });
});
