import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../functions/src/http/routes';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// Tenant isolation: tenant B, holding an owner API key, tries every /v1 route with tenant A's ids.
// Every route with a path parameter must answer 404 (never 200/204/403, which would reveal or touch A's data),
// and every list must leave out A's items. A new route with an unknown parameter name fails this test
// until an id for it is added below — so coverage cannot silently lag behind the route table.

let stack: LocalStack;
let a: Awaited<ReturnType<typeof signupTenant>>;
let bKey: ApiClient;
const ids: Record<string, string> = {};

beforeAll(async () => {
  stack = await startTestStack();
  a = await signupTenant(stack.apiUrl, 'Alpha');
  const b = await signupTenant(stack.apiUrl, 'Beta');
  const key = await b.client.post('/v1/api-keys', { name: 'isolation probe', role: 'owner' });
  expect(key.status).toBe(201);
  bKey = apiClient(stack.apiUrl, key.body.secret);

  const zones = mkdtempSync(join(tmpdir(), 'consort-iso-'));
  const account = await a.client.post('/v1/accounts', { name: 'Alpha Customer', email: 'c@alpha.example.org', country: 'ES' });
  const contact = await a.client.post(`/v1/accounts/${account.body.id}/contacts`, {
    name: 'Tech',
    email: 't@alpha.example.org',
    usages: ['technical'],
  });
  const host = await a.client.post('/v1/hosts', {
    name: 'alpha-dns',
    address: '127.0.0.1',
    transport: 'local',
    config: { 'bind.zones_dir': zones, 'bind.conf_file': join(zones, 'named.conf'), 'bind.checkzone': 'true', 'bind.reload': 'true' },
  });
  const routeRes = await a.client.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id });
  const billable = await a.client.post('/v1/billable-services', { name: 'Domain', serviceKind: 'domain', nominalPrice: '10.00' });
  const pack = await a.client.post('/v1/packs', {
    name: 'Members',
    rates: [{ billableServiceId: billable.body.id, from: 1, price: '0.00' }],
  });
  const contract = await a.client.post(`/v1/accounts/${account.body.id}/packs`, { packId: pack.body.id, startsOn: '2026-01-01' });
  // A billing run before any order exists: it bills nothing, so A's bill below stays as created.
  const billingRun = await a.client.post('/v1/billing/runs', {});
  expect(billingRun.status, JSON.stringify(billingRun.body)).toBe(202);
  await stack.billingRunsIdle();
  const service = await a.client.post('/v1/services', {
    accountId: account.body.id,
    kind: 'domain',
    spec: { name: 'alpha-isolation.test' },
  });
  const aKey = await a.client.post('/v1/api-keys', { name: 'alpha key', role: 'support' });
  const bill = await a.client.post('/v1/bills', {
    accountId: account.body.id,
    lines: [{ description: 'Alpha hosting', unitPrice: '10.00' }],
  });
  for (const res of [account, contact, host, routeRes, billable, pack, contract, service, aKey, bill]) {
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  await stack.idle();
  // Payments: an issued fee (a receipt: no customer address needed) with a transfer transaction, and a payment source.
  const issuer = { legalName: 'Alpha SL', taxId: 'B12345678', addressLines: ['C/ Major 1, Girona'] };
  expect((await a.client.patch('/v1/billing/settings', { issuer })).status).toBe(200);
  const payable = await a.client.post('/v1/bills', {
    accountId: account.body.id,
    type: 'fee',
    lines: [{ description: 'Alpha fee', unitPrice: '20.00' }],
  });
  expect((await a.client.post(`/v1/bills/${payable.body.id}/close`)).status).toBe(200);
  const transaction = await a.client.post('/v1/payments/transactions', {
    accountId: account.body.id,
    method: 'transfer',
    allocations: [{ billId: payable.body.id, amount: '5.00' }],
  });
  const source = await a.client.post(`/v1/accounts/${account.body.id}/payment-sources`, { method: 'transfer', label: 'Transfer' });
  for (const res of [transaction, source]) expect(res.status, JSON.stringify(res.body)).toBe(201);
  // SEPA: creditor settings, a mandate on a second account, a fee to collect and the batch that collects it.
  const debtor = await a.client.post('/v1/accounts', { name: 'Alpha Debtor', email: 'd@alpha.example.org', country: 'ES' });
  const sepaSettings = await a.client.post('/v1/payments/sepa/settings', {
    creditorId: 'ES37000G12345674',
    creditorName: 'Alpha SL',
    iban: 'ES9121000418450200051332',
    preNotificationDays: 0,
  });
  expect(sepaSettings.status, JSON.stringify(sepaSettings.body)).toBe(200);
  const mandate = await a.client.post(`/v1/accounts/${debtor.body.id}/mandates`, {
    signedOn: '2026-01-01',
    debtor: { name: 'Alpha Debtor', iban: 'DE89370400440532013000' },
  });
  const fee = await a.client.post('/v1/bills', {
    accountId: debtor.body.id,
    type: 'fee',
    lines: [{ description: 'Alpha debit', unitPrice: '20.00' }],
  });
  for (const res of [debtor, mandate, fee]) expect(res.status, JSON.stringify(res.body)).toBe(201);
  expect((await a.client.post(`/v1/bills/${fee.body.id}/close`)).status).toBe(200);
  const sepaBatch = await a.client.post('/v1/payments/sepa/batches', { accountIds: [debtor.body.id] });
  expect(sepaBatch.status, JSON.stringify(sepaBatch.body)).toBe(201);
  // A refund of a received transfer, paid by a credit-transfer batch.
  const received = await a.client.post('/v1/payments/transactions', {
    accountId: account.body.id,
    method: 'transfer',
    allocations: [{ billId: payable.body.id, amount: '5.00' }],
  });
  expect(received.status, JSON.stringify(received.body)).toBe(201);
  expect((await a.client.post(`/v1/payments/transactions/${received.body.id}/transition`, { to: 'succeeded' })).status).toBe(200);
  const refund = await a.client.post(`/v1/payments/transactions/${received.body.id}/refund`, {
    amount: '2.00',
    iban: 'ES9121000418450200051332',
  });
  expect(refund.status, JSON.stringify(refund.body)).toBe(201);
  const creditTransfer = await a.client.post('/v1/payments/sepa/credit-transfers', {});
  expect(creditTransfer.status, JSON.stringify(creditTransfer.body)).toBe(201);
  const rollout = await a.client.post('/v1/rollouts', { kind: 'domain', maxConcurrency: 1 });
  expect(rollout.status, JSON.stringify(rollout.body)).toBe(202);
  await stack.idle();
  // A template override of A's: B addresses the same backend and file names (they are global), never A's text.
  const override = await a.client.request('PUT', TEMPLATE_PATH, { text: `# ${TEMPLATE_MARKER}\ntrue\n`, comment: 'alpha only' });
  expect(override.status, JSON.stringify(override.body)).toBe(200);
  const orders = await a.client.get(`/v1/orders?serviceId=${service.body.service.id}`);
  expect(orders.body.items).toHaveLength(1);
  Object.assign(ids, {
    accountId: account.body.id,
    contactId: contact.body.id,
    hostId: host.body.id,
    routeId: routeRes.body.id,
    serviceId: service.body.service.id,
    operationId: service.body.operation.id,
    keyId: aKey.body.apiKey.id,
    billableServiceId: billable.body.id,
    packId: pack.body.id,
    contractId: contract.body.id,
    orderId: orders.body.items[0].id,
    billId: bill.body.id,
    lineId: bill.body.lines[0].id,
    rolloutId: rollout.body.id,
    transactionId: transaction.body.id,
    sourceId: source.body.id,
    mandateId: mandate.body.id,
    batchId: sepaBatch.body.batch.id,
    creditTransferId: creditTransfer.body.id,
    refundId: refund.body.refund.id,
    runId: billingRun.body.id,
  });
});

afterAll(async () => {
  await stack?.stop();
});

// Template routes take a backend and a file name, which are the same in every tenant: B reaches its own templates.
const TEMPLATE_PARAMS: Record<string, string> = { backend: 'domain.bind', file: 'commit.sh.liquid' };
const TEMPLATE_PATH = '/v1/provisioning/templates/domain.bind/commit.sh.liquid';
const TEMPLATE_MARKER = 'alpha-template-override-marker';

const BODIES: Record<string, unknown> = {
  'POST /v1/payments/transactions/{transactionId}/refunds/{refundId}/return': { reason: 'Hijacked' },
  'PATCH /v1/accounts/{accountId}': { name: 'Hijacked' },
  'POST /v1/accounts/{accountId}/contacts': { name: 'Intruder', email: 'x@beta.example.org', usages: ['billing'] },
  'PATCH /v1/accounts/{accountId}/contacts/{contactId}': { name: 'Hijacked' },
  'PATCH /v1/hosts/{hostId}': { name: 'hijacked' },
  'PATCH /v1/routes/{routeId}': { active: false, match: { field: 'name', op: 'eq', value: 'x' } },
  'PATCH /v1/services/{serviceId}': { spec: { name: 'alpha-isolation.test', records: [] } },
  'PATCH /v1/billable-services/{billableServiceId}': { name: 'Hijacked' },
  'PATCH /v1/packs/{packId}': { name: 'Hijacked' },
  'POST /v1/accounts/{accountId}/packs': { packId: 'pck_x', startsOn: '2026-01-01' },
  'PATCH /v1/accounts/{accountId}/packs/{contractId}': { endsOn: '2027-01-01' },
  'PATCH /v1/orders/{orderId}': { ignored: true },
  'POST /v1/bills/{billId}/lines': { description: 'Intruder line', unitPrice: '1.00' },
  'POST /v1/bills/{billId}/lines/{lineId}/move': { toBillId: 'bil_x' },
  'PATCH /v1/bills/{billId}/lines/{lineId}': { description: 'Hijacked line' },
  'POST /v1/bills/{billId}/amend': { cause: 'Hijack' },
  'POST /v1/bills/{billId}/discard': { reason: 'Hijack' },
  'POST /v1/bills/{billId}/mark-irrecoverable': { reason: 'Hijack' },
  'POST /v1/bills/{billId}/pay': { successUrl: 'http://beta.example.org/ok', cancelUrl: 'http://beta.example.org/no' },
  'POST /v1/accounts/{accountId}/payment-sources/setup': {
    successUrl: 'http://beta.example.org/ok',
    cancelUrl: 'http://beta.example.org/no',
  },
  'POST /v1/accounts/{accountId}/payment-sources': { method: 'manual', label: 'Intruder' },
  'POST /v1/payments/transactions/{transactionId}/transition': { to: 'succeeded', reason: 'Hijack' },
  'POST /v1/payments/transactions/{transactionId}/refund': { amount: '1.00', iban: 'ES9121000418450200051332' },
  'POST /v1/accounts/{accountId}/mandates': { signedOn: '2026-01-01', debtor: { name: 'Intruder', iban: 'DE89370400440532013000' } },
  'PATCH /v1/accounts/{accountId}/mandates/{mandateId}': { status: 'revoked' },
  'POST /v1/payments/sepa/batches/{batchId}/cancel': { reason: 'Hijack' },
  'POST /v1/payments/sepa/credit-transfers/{creditTransferId}/cancel': { reason: 'Hijack' },
};

describe('tenant isolation', () => {
  const withParams = ROUTES.filter((r) => r.path.includes('{') && !r.path.startsWith('/v1/provisioning/templates/'));

  it.each(withParams.map((r) => [`${r.method} ${r.path}`, r] as const))('%s with another tenant’s ids → 404', async (name, r) => {
    const path = r.path.replace(/\{(\w+)\}/g, (_, p: string) => {
      const id = ids[p];
      if (!id) throw new Error(`No tenant-A id for path parameter {${p}}: add it to the isolation test`);
      return id;
    });
    const res = await bKey.request(r.method, path, r.method === 'POST' || r.method === 'PATCH' ? (BODIES[name] ?? {}) : undefined);
    expect(res.status, `${name}: ${JSON.stringify(res.body)}`).toBe(404);
    expect(res.body.error.code).toBe('not_found');
  });

  it('template routes show and change only the caller’s own overrides', async () => {
    const templateRoutes = ROUTES.filter((r) => r.path.startsWith('/v1/provisioning/templates/'));
    expect(templateRoutes.length).toBeGreaterThanOrEqual(5);
    for (const r of templateRoutes) {
      const path = r.path.replace(/\{(\w+)\}/g, (_, p: string) => TEMPLATE_PARAMS[p]!);
      const body = r.method === 'PUT' ? { text: '# beta\ntrue\n' } : r.method === 'POST' ? { serviceId: ids.serviceId } : undefined;
      const res = await bKey.request(r.method, path, body);
      const name = `${r.method} ${r.path}`;
      // A's service id is unknown to B (404); everything else answers about B's own templates.
      if (r.method === 'POST') expect(res.status, name).toBe(404);
      else expect([200, 422], name).toContain(res.status);
      expect(JSON.stringify(res.body), name).not.toContain(TEMPLATE_MARKER);
    }
    const mine = await a.client.get(TEMPLATE_PATH);
    expect(mine.body.active).toMatchObject({ version: 1, text: expect.stringContaining(TEMPLATE_MARKER) });
    expect(mine.body.versions).toHaveLength(1);
  });

  it('lists never include another tenant’s items', async () => {
    const lists = ROUTES.filter((r) => r.method === 'GET' && !r.path.includes('{') && !r.isPublic);
    expect(lists.length).toBeGreaterThan(5);
    const aIds = Object.values(ids);
    for (const r of lists) {
      const res = await bKey.get(r.path);
      expect(res.status, r.path).toBe(200);
      const text = JSON.stringify(res.body);
      for (const id of aIds) expect(text, `${r.path} leaks ${id}`).not.toContain(id);
    }
  });

  it('query filters with another tenant’s ids return nothing', async () => {
    const services = await bKey.get(`/v1/services?accountId=${ids.accountId}`);
    expect(services.body.items).toEqual([]);
    const ops = await bKey.get(`/v1/operations?serviceId=${ids.serviceId}`);
    expect(ops.body.items).toEqual([]);
    for (const q of [`accountId=${ids.accountId}`, `serviceId=${ids.serviceId}`]) {
      expect((await bKey.get(`/v1/orders?${q}`)).body.items).toEqual([]);
    }
  });

  it('B cannot attach its own data to A’s objects', async () => {
    const service = await bKey.post('/v1/services', { accountId: ids.accountId, kind: 'domain', spec: { name: 'beta-steal.test' } });
    expect(service.status).toBe(404);
    const route = await bKey.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: ids.hostId });
    expect(route.status).toBe(422);
    const customer = await bKey.post('/v1/users', {
      name: 'x',
      email: 'x@beta.example.org',
      role: 'customer',
      password: 'long-enough-password',
      accountId: ids.accountId,
    });
    expect(customer.status).toBe(404);
  });

  it('a forged cursor pointing into another tenant is refused', async () => {
    const forged = Buffer.from(JSON.stringify({ pk: a.tenant.id, sk: `ACCOUNT#${ids.accountId}` })).toString('base64url');
    const res = await bKey.get(`/v1/accounts?cursor=${forged}`);
    expect(res.status).toBe(422);
  });

  it('A’s data is intact after all of B’s attempts', async () => {
    const account = await a.client.get(`/v1/accounts/${ids.accountId}`);
    expect(account.body.name).toBe('Alpha Customer');
    const contacts = await a.client.get(`/v1/accounts/${ids.accountId}/contacts`);
    expect(contacts.body.items.map((c: { name: string }) => c.name)).toEqual(['Tech']);
    const host = await a.client.get(`/v1/hosts/${ids.hostId}`);
    expect(host.body.name).toBe('alpha-dns');
    const keys = await a.client.get('/v1/api-keys');
    expect(keys.body.items.find((k: { id: string }) => k.id === ids.keyId).revokedAt).toBeUndefined();
    const service = await a.client.get(`/v1/services/${ids.serviceId}`);
    expect(service.body.state).toBe('applied');
    const bill = await a.client.get(`/v1/bills/${ids.billId}`);
    expect(bill.body).toMatchObject({ state: 'open', version: 0, lines: [{ id: ids.lineId, description: 'Alpha hosting' }] });
  });

  it('B cannot bill, merge or export A’s bills', async () => {
    const merge = await bKey.post('/v1/bills/merge', { billIds: [ids.billId, 'bil_01jzzzzzzzzzzzzzzzzzzzzzzz'] });
    expect(merge.status).toBe(404);
    const run = await bKey.post('/v1/billing/run', { accountIds: [ids.accountId] });
    expect(run.status).toBe(422);
    const created = await bKey.post('/v1/bills', { accountId: ids.accountId });
    expect(created.status).toBe(422);
    expect((await bKey.get(`/v1/bills?accountId=${ids.accountId}`)).body.items).toEqual([]);
  });

  it('B cannot pay, move or record payments on A’s bills', async () => {
    const created = await bKey.post('/v1/payments/transactions', {
      accountId: ids.accountId,
      method: 'manual',
      allocations: [{ billId: ids.billId }],
    });
    expect(created.status).toBe(422);
    const tx = await a.client.get(`/v1/payments/transactions/${ids.transactionId}`);
    expect(tx.body).toMatchObject({ state: 'created', version: 0 });
    const sources = await a.client.get(`/v1/accounts/${ids.accountId}/payment-sources`);
    expect(sources.body.items.map((s: { id: string }) => s.id)).toEqual([ids.sourceId]);
  });
});
