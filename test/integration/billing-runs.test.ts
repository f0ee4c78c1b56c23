import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resumeStaleBillingRuns, startScheduledBillingRuns } from '@consort/shared/bills/run-use-cases';
import { RUN_LEASE_MS } from '@consort/shared/bills/runs';
import { fixedClock } from '@consort/shared/core/clock';
import { newId } from '@consort/shared/core/ids';
import type { Order } from '@consort/shared/orders/model';
import { localBillingRuns, type LocalBillingRuns } from '../../functions/src/local/billing-runs';
import type { LocalStack } from '../../functions/src/local/stack';
import { handler as billingRunsSchedule } from '../../functions/src/schedules/billing-runs';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// Billing runs through the workflow on the local stack (aws-local-stepfunctions, DynamoDB Local): pages of 3 accounts,
// one account whose orders cannot be read (its error is recorded and the run goes on), a run "killed" mid-page (a step
// that never returns, as when the process dies) and resumed, the auto-close/auto-send phases and the scheduled trigger.

const clock = fixedClock('2026-06-15T10:00:00Z');
const PAGE = 3;
let stack: LocalStack;
let owner: ApiClient;
let tenantId: string;
let hostingId: string;
let failingAccount: string;
const accounts: string[] = [];
const dueOrders: string[] = [];
let normal: LocalBillingRuns;

function launcher(hooks = {}) {
  return localBillingRuns(() => stack.deps, { fastRetries: true, hooks, steps: { pageSize: PAGE } });
}

async function newAccount(name: string) {
  const res = await owner.post('/v1/accounts', {
    name,
    email: `${name.toLowerCase()}@example.org`,
    country: 'ES',
    address: 'C/ Nou 5',
    city: 'Girona',
    postcode: '17001',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

/** Two monthly orders registered on 1 June per account, nothing billed yet. */
async function seedOrders(accountIds: readonly string[], registeredOn = '2026-06-01') {
  const orders: Order[] = accountIds.flatMap((accountId) =>
    [1, 2].map((k) => ({
      tenantId,
      id: newId('order', clock),
      accountId,
      serviceId: `svc_seed_${accountId}_${k}`,
      billableServiceId: hostingId,
      description: `Hosting ${k} of ${accountId}`,
      registeredOn,
      ignored: false,
      deactivations: [],
      metricHistory: [],
    })),
  );
  await stack.deps.store.orders.putMany(orders);
  return orders.map((o) => o.id);
}

/** How many bill lines (open or issued bills of every account) bill each order. */
async function linesPerOrder(): Promise<Map<string, number>> {
  const count = new Map<string, number>();
  let cursor: string | undefined;
  do {
    const page = await owner.get(`/v1/bills?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
    for (const summary of page.body.items) {
      const bill = (await owner.get(`/v1/bills/${summary.id}`)).body;
      for (const line of bill.lines) if (line.orderId) count.set(line.orderId, (count.get(line.orderId) ?? 0) + 1);
    }
    cursor = page.body.nextCursor;
  } while (cursor);
  return count;
}

async function run(id: string) {
  const res = await owner.get(`/v1/billing/runs/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  stack = await startTestStack({ clock });
  const signup = await signupTenant(stack.apiUrl, 'Runs');
  const key = await signup.client.post('/v1/api-keys', { name: 'runs', role: 'owner' });
  owner = apiClient(stack.apiUrl, key.body.secret);
  tenantId = signup.tenant.id;
  const settings = await owner.patch('/v1/billing/settings', {
    issuer: {
      legalName: 'Runs Hosting SL',
      taxId: 'B12345678',
      addressLines: ['C/ Major 1', '08001 Barcelona'],
      email: 'bills@example.org',
    },
  });
  expect(settings.status, JSON.stringify(settings.body)).toBe(200);
  const hosting = await owner.post('/v1/billable-services', { name: 'Hosting', serviceKind: 'domain', nominalPrice: '10.00' });
  expect(hosting.status, JSON.stringify(hosting.body)).toBe(201);
  hostingId = hosting.body.id;
  for (let i = 0; i < 10; i++) accounts.push(await newAccount(`Member${i}`));
  failingAccount = accounts[4]!;
  dueOrders.push(...(await seedOrders(accounts)));

  // One account whose orders cannot be read: billing it fails, every other account still bills.
  const orders = stack.deps.store.orders;
  const listByAccount = orders.listByAccount.bind(orders);
  orders.listByAccount = async (tid, aid, query) => {
    if (aid === failingAccount) throw Object.assign(new Error('Orders unavailable'), { code: 'unavailable' });
    return listByAccount(tid, aid, query);
  };
  normal = launcher();
  stack.deps.startBillingRun = normal.start;
});

afterAll(async () => {
  await stack?.stop();
});

describe('billing runs', () => {
  it('validates the start input and the schedule settings (422 naming the field)', async () => {
    const bad = await owner.post('/v1/billing/runs', { billUntil: '15/06/2026', autoClose: 'yes' });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details.map((d: { path: string[] }) => d.path.join('.')).sort()).toEqual(['autoClose', 'billUntil']);
    const schedule = await owner.patch('/v1/billing/settings', { schedule: { dayOfMonth: 40 } });
    expect(schedule.status).toBe(422);
    expect(schedule.body.error.details[0].path).toEqual(['schedule', 'dayOfMonth']);
    expect((await owner.get('/v1/billing/runs')).body.items).toEqual([]);
  });

  it('a run killed mid-page and resumed bills every due order exactly once, with the right totals', async () => {
    // Page 1 (accounts 3–5): two accounts bill, the third never returns — the page is never committed, as when the
    // process dies between billing accounts and recording the page.
    let begun = 0;
    const crashing = launcher({
      beforeAccount: async (_accountId: string, page: number) => {
        if (page === 1 && ++begun > 2) await new Promise(() => {});
      },
    });
    stack.deps.startBillingRun = crashing.start;
    const started = await owner.post('/v1/billing/runs', { billUntil: '2026-06-15' });
    expect(started.status, JSON.stringify(started.body)).toBe(202);
    const id = started.body.id as string;
    expect(started.body).toMatchObject({ state: 'running', trigger: 'manual', attempt: 1, billUntil: '2026-06-15' });

    const pageOne = accounts.slice(PAGE, 2 * PAGE);
    await until(async () => {
      if (begun < 3) return false;
      const billed = await Promise.all(
        pageOne
          .filter((a) => a !== failingAccount)
          .map(async (a) => (await stack.deps.store.orders.listByAccount(tenantId, a, { limit: 10 })).items),
      );
      // Billed: the two accounts that got through (the failing one is among them) wrote or failed.
      return billed.flat().filter((o) => o.billedUntil).length >= 2;
    }, 'the first accounts of page 1 to bill');
    const crashed = await run(id);
    expect(crashed).toMatchObject({ state: 'running', progress: { billing: { pages: 1, startedPage: 1 } } });
    expect(crashed.totals).toMatchObject({ accounts: 10, accountsDone: PAGE });

    // Its lease is live: not resumable yet. Once it expired, resume continues from page 1.
    expect((await owner.post(`/v1/billing/runs/${id}/resume`)).status).toBe(409);
    clock.advance(RUN_LEASE_MS + 1000);
    stack.deps.startBillingRun = normal.start;
    const resumed = await owner.post(`/v1/billing/runs/${id}/resume`);
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(202);
    expect(resumed.body.attempt).toBe(2);
    await normal.idle();

    const done = await run(id);
    expect(done.state).toBe('completed');
    expect(done.percentDone).toBe(100);
    const billable = dueOrders.length - 2; // the failing account's two orders stay unbilled
    expect(done.totals).toEqual({
      accounts: 10,
      accountsDone: 10,
      billsCreated: 9,
      billsAppended: 0,
      ordersBilled: billable,
      closed: 0,
      sent: 0,
      errors: 1,
    });
    expect(done.errors).toEqual([{ accountId: failingAccount, code: 'unavailable', message: 'Orders unavailable' }]);

    const lines = await linesPerOrder();
    const failingOrders = new Set(dueOrders.slice(8, 10));
    for (const orderId of dueOrders) expect(lines.get(orderId) ?? 0, orderId).toBe(failingOrders.has(orderId) ? 0 : 1);
    expect([...lines.values()].every((n) => n === 1)).toBe(true);
  });

  it('a second run bills nothing; new orders go onto the open bills, which auto-close and auto-send issue and mail', async () => {
    const second = await owner.post('/v1/billing/runs', {});
    expect(second.status).toBe(202);
    await normal.idle();
    expect((await run(second.body.id)).totals).toMatchObject({
      accountsDone: 10,
      billsCreated: 0,
      billsAppended: 0,
      ordersBilled: 0,
      errors: 1,
    });
    const before = await linesPerOrder();

    const more = await seedOrders(accounts.slice(0, 2), '2026-06-10');
    const third = await owner.post('/v1/billing/runs', { autoSend: true });
    expect(third.status).toBe(202);
    expect(third.body.options).toEqual({ autoClose: true, autoSend: true });
    await normal.idle();
    const done = await run(third.body.id);
    expect(done).toMatchObject({ state: 'completed', phase: 'done' });
    expect(done.totals).toMatchObject({ billsCreated: 0, billsAppended: 2, ordersBilled: 4, closed: 2, sent: 2, errors: 1 });

    const lines = await linesPerOrder();
    for (const id of more) expect(lines.get(id)).toBe(1);
    for (const [id, n] of before) expect(lines.get(id)).toBe(n);
    const sent = (await owner.get('/v1/bills?state=sent')).body.items;
    expect(sent.map((b: { accountId: string }) => b.accountId).sort()).toEqual(accounts.slice(0, 2).sort());
    expect(sent.map((b: { number: string }) => b.number).sort()).toEqual(['I2026-0001', 'I2026-0002']);
    // Completed runs cannot be resumed.
    expect((await owner.post(`/v1/billing/runs/${third.body.id}/resume`)).status).toBe(409);
    const list = (await owner.get('/v1/billing/runs')).body.items;
    expect(list.map((r: { id: string }) => r.id).slice(0, 2)).toEqual([third.body.id, second.body.id]);
  });

  it('runs left running by a dead process are resumed at start (expired lease only)', async () => {
    const hanging = launcher({ beforeAccount: () => new Promise(() => {}) });
    stack.deps.startBillingRun = hanging.start;
    const started = await owner.post('/v1/billing/runs', {});
    await until(async () => (await run(started.body.id)).progress.billing.startedPage === 0, 'the first page to begin');
    stack.deps.startBillingRun = normal.start;
    expect(await resumeStaleBillingRuns(stack.deps)).toEqual([]);
    clock.advance(RUN_LEASE_MS + 1000);
    expect(await resumeStaleBillingRuns(stack.deps)).toEqual([`${tenantId}/${started.body.id}`]);
    await normal.idle();
    expect(await run(started.body.id)).toMatchObject({ state: 'completed', attempt: 2, totals: { accountsDone: 10, ordersBilled: 0 } });
  });

  it('the schedule starts one run per tenant and month, from the configured day on', async () => {
    clock.set('2026-06-14T10:00:00Z');
    const settings = await owner.patch('/v1/billing/settings', { schedule: { enabled: true, dayOfMonth: 15, autoClose: true } });
    expect(settings.body.schedule).toEqual({ enabled: true, dayOfMonth: 15, autoClose: true, autoSend: false });
    expect((await billingRunsSchedule()).started).toEqual([]);

    clock.set('2026-06-15T10:00:00Z');
    const ticks = await Promise.all([billingRunsSchedule(), startScheduledBillingRuns(stack.deps), billingRunsSchedule()]);
    expect(ticks.flatMap((t) => t.started)).toEqual([`${tenantId}/brn_scheduled_2026-06`]);
    clock.set('2026-06-20T10:00:00Z');
    expect((await billingRunsSchedule()).started).toEqual([]);
    await normal.idle();
    const scheduled = await run('brn_scheduled_2026-06');
    expect(scheduled).toMatchObject({
      trigger: 'schedule',
      startedBy: 'system:scheduled billing run',
      billUntil: '2026-06-15',
      state: 'completed',
    });
    expect(scheduled.options).toEqual({ autoClose: true, autoSend: false });

    clock.set('2026-07-15T00:30:00Z'); // 02:30 in Madrid: the 15th there
    expect((await billingRunsSchedule()).started).toEqual([`${tenantId}/brn_scheduled_2026-07`]);
    await normal.idle();
    const runs = (await owner.get('/v1/billing/runs?limit=100')).body.items;
    expect(runs.filter((r: { trigger: string }) => r.trigger === 'schedule').map((r: { id: string }) => r.id)).toEqual([
      'brn_scheduled_2026-07',
      'brn_scheduled_2026-06',
    ]);
  });
});
