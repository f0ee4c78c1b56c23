import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '@consort/shared/core/clock';
import type { LocalStack } from '../../functions/src/local/stack';
import { handler as dunningSchedule } from '../../functions/src/schedules/dunning';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// Dunning on the local stack (DynamoDB Local, maildir outbox) with a movable clock: an account with two system users
// (one already disabled by staff) and an overdue fee. The daily schedule handler is called directly, as the scheduler
// would: +7 days a reminder mail, +30 the services are disabled (provisioning operations), a second run does nothing;
// a transfer received re-enables exactly the services dunning disabled and ends the dunning.

let offsetMs = 0;
const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
let stack: LocalStack;
let owner: ApiClient;
let tenantId: string;
let accountId: string;
let bill: { id: string; number: string; dueOn: string };
let userId: string;
let staffDisabledId: string;

const DAY = 86_400_000;
/** Move the clock to noon UTC of `dueOn + days`. */
function dayAfterDue(days: number) {
  const target = Date.parse(`${bill.dueOn}T12:00:00Z`) + days * DAY;
  offsetMs = target - Date.now();
}

function mails(): string[] {
  const dir = join(stack.dataDir, 'mail', 'new');
  try {
    return readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8'));
  } catch {
    return [];
  }
}

async function operationsOf(serviceId: string) {
  const res = await owner.get(`/v1/operations?serviceId=${serviceId}&limit=100`);
  expect(res.status).toBe(200);
  return res.body.items as { id: string; createdBy: string; serviceVersion: number; action: string }[];
}

async function runDaily() {
  const out = await dunningSchedule();
  await stack.idle();
  return { steps: out.steps.filter((s) => s.startsWith(tenantId)), settled: out.settled.filter((s) => s.startsWith(tenantId)) };
}

beforeAll(async () => {
  stack = await startTestStack({ clock });
  const t = await signupTenant(stack.apiUrl, 'Dunning');
  tenantId = t.tenant.id;
  // An API key: a session would expire as the clock moves weeks ahead.
  const key = await t.client.post('/v1/api-keys', { name: 'dunning test', role: 'owner' });
  expect(key.status).toBe(201);
  owner = apiClient(stack.apiUrl, key.body.secret);
  const issuer = { legalName: 'Dun Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1, Girona'] };
  expect((await owner.patch('/v1/billing/settings', { issuer })).status).toBe(200);
  const account = await owner.post('/v1/accounts', { name: 'Late Payer', email: 'late@example.org', country: 'ES', locale: 'ca' });
  expect(account.status, JSON.stringify(account.body)).toBe(201);
  accountId = account.body.id;
  const user = await owner.post('/v1/services', { accountId, kind: 'systemuser', spec: { username: 'latepayer' } });
  const off = await owner.post('/v1/services', { accountId, kind: 'systemuser', spec: { username: 'oldsite', disabled: true } });
  for (const res of [user, off]) expect(res.status, JSON.stringify(res.body)).toBe(201);
  userId = user.body.service.id;
  staffDisabledId = off.body.service.id;
  const open = await owner.post('/v1/bills', { accountId, type: 'fee', lines: [{ description: 'Hosting', unitPrice: '42.50' }] });
  expect(open.status, JSON.stringify(open.body)).toBe(201);
  const closed = await owner.post(`/v1/bills/${open.body.id}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  bill = closed.body;
  expect(bill.dueOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  await stack.idle();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('dunning ladder', () => {
  it('refuses a ladder whose days do not increase, and keeps the default', async () => {
    const bad = await owner.patch('/v1/payments/settings', {
      dunning: {
        ladder: [
          { afterDays: 10, action: 'remind' },
          { afterDays: 5, action: 'suspend' },
        ],
      },
    });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('dunning');
    const settings = await owner.get('/v1/payments/settings');
    expect(settings.body.dunning).toEqual({
      enabled: true,
      ladder: [
        { afterDays: 7, action: 'remind' },
        { afterDays: 14, action: 'remind' },
        { afterDays: 21, action: 'retry-card' },
        { afterDays: 30, action: 'suspend' },
        { afterDays: 60, action: 'terminate' },
      ],
    });
  });

  it('does nothing before the first step, then mails a localized reminder after 7 days, once', async () => {
    dayAfterDue(3);
    expect((await runDaily()).steps).toEqual([]);
    expect((await owner.get(`/v1/accounts/${accountId}/dunning`)).body).toMatchObject({ dunning: false, level: 0 });

    const before = mails().length;
    dayAfterDue(7);
    expect((await runDaily()).steps).toEqual([`${tenantId}/${accountId}: remind`]);
    const sent = mails().slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain('late@example.org');
    expect(sent[0]).toContain('No hem rebut el pagament'); // Catalan: the account's locale
    expect(sent[0]).toContain(bill.number);
    expect(sent[0]).toContain('42.50');
    expect(sent[0]).toContain(bill.dueOn);

    expect((await runDaily()).steps).toEqual([]);
    expect(mails().length).toBe(before + 1);
    const status = await owner.get(`/v1/accounts/${accountId}/dunning`);
    expect(status.body).toMatchObject({ dunning: true, level: 1, steps: [{ index: 0, action: 'remind', billIds: [bill.id] }] });
  });

  it('after 30 days disables the account’s active services (operations by dunning), and only once', async () => {
    const userOps = (await operationsOf(userId)).length;
    const offOps = (await operationsOf(staffDisabledId)).length;
    dayAfterDue(30);
    const out = await runDaily();
    // 14 (remind), 21 (retry-card: no saved card) and 30 (suspend) were all reached.
    expect(out.steps).toEqual([
      `${tenantId}/${accountId}: remind`,
      `${tenantId}/${accountId}: retry-card`,
      `${tenantId}/${accountId}: suspend`,
    ]);
    const user = await owner.get(`/v1/services/${userId}`);
    expect(user.body.spec.disabled).toBe(true);
    const ops = await operationsOf(userId);
    expect(ops).toHaveLength(userOps + 1);
    expect(ops.filter((o) => o.createdBy === 'system:dunning')).toHaveLength(1);
    // The user staff had disabled already is not touched (and so will not be re-enabled by dunning).
    expect(await operationsOf(staffDisabledId)).toHaveLength(offOps);

    const status = await owner.get(`/v1/accounts/${accountId}/dunning`);
    expect(status.body).toMatchObject({ dunning: true, level: 4, suspendedServiceIds: [userId] });
    expect(status.body.steps.find((s: { action: string }) => s.action === 'retry-card').note).toContain('no saved card');

    expect((await runDaily()).steps).toEqual([]);
    expect(await operationsOf(userId)).toHaveLength(userOps + 1);
  });

  it('a transfer received re-enables what dunning disabled at once and ends the dunning', async () => {
    const userOps = (await operationsOf(userId)).length;
    const tx = await owner.post('/v1/payments/transactions', { accountId, method: 'transfer', allocations: [{ billId: bill.id }] });
    expect(tx.status, JSON.stringify(tx.body)).toBe(201);
    const moved = await owner.post(`/v1/payments/transactions/${tx.body.id}/transition`, { to: 'succeeded', reason: 'Transfer received' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    await stack.idle();
    expect((await owner.get(`/v1/bills/${bill.id}`)).body.state).toBe('paid');

    expect((await owner.get(`/v1/services/${userId}`)).body.spec.disabled).toBe(false);
    expect((await owner.get(`/v1/services/${staffDisabledId}`)).body.spec.disabled).toBe(true);
    const ops = await operationsOf(userId);
    expect(ops).toHaveLength(userOps + 1);
    expect(ops.filter((o) => o.createdBy === 'system:dunning: account paid')).toHaveLength(1);
    expect((await owner.get(`/v1/accounts/${accountId}/dunning`)).body).toMatchObject({ dunning: false, level: 0, steps: [] });

    // The next daily run has nothing to do for this account.
    expect(await runDaily()).toEqual({ steps: [], settled: [] });
    expect(await operationsOf(userId)).toHaveLength(userOps + 1);
  });
});

describe('due date by payment method', () => {
  async function closedFee(account: string) {
    const open = await owner.post('/v1/bills', { accountId: account, type: 'fee', lines: [{ description: 'Fee', unitPrice: '5.00' }] });
    expect(open.status, JSON.stringify(open.body)).toBe(201);
    const closed = await owner.post(`/v1/bills/${open.body.id}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    return closed.body as { issuedOn: string; dueOn: string };
  }
  const days = (from: string, to: string) => (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY;

  it('uses the tenant’s due days for the account’s default method, else the series’', async () => {
    const series = await closedFee(accountId); // no payment source: the series' due days
    const seriesDays = days(series.issuedOn, series.dueOn);
    const patched = await owner.patch('/v1/payments/settings', { dueDays: { transfer: seriesDays + 17 } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);

    const payer = await owner.post('/v1/accounts', { name: 'Transfer Payer', email: 'transfer@example.org', country: 'ES' });
    expect(payer.status).toBe(201);
    const source = await owner.post(`/v1/accounts/${payer.body.id}/payment-sources`, { method: 'transfer', label: 'Transfer' });
    expect(source.status, JSON.stringify(source.body)).toBe(201);
    const byTransfer = await closedFee(payer.body.id);
    expect(days(byTransfer.issuedOn, byTransfer.dueOn)).toBe(seriesDays + 17);

    // An account paying by another method (manual: no due days set) keeps the series' due days.
    const other = await owner.post('/v1/accounts', { name: 'Manual Payer', email: 'manual@example.org', country: 'ES' });
    expect((await owner.post(`/v1/accounts/${other.body.id}/payment-sources`, { method: 'manual', label: 'Cash' })).status).toBe(201);
    const manual = await closedFee(other.body.id);
    expect(days(manual.issuedOn, manual.dueOn)).toBe(seriesDays);
  });
});
