import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// The catalog over the API: definitions validated against the service registry, packs against definitions,
// and orders that follow services (created, matched by predicate, cancelled on delete) in the same write.

let stack: LocalStack;
let owner: ApiClient;
let accountId: string;

async function domain(name: string) {
  const res = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.service.id as string;
}

beforeAll(async () => {
  stack = await startTestStack();
  owner = (await signupTenant(stack.apiUrl, 'Catalog')).client;
  accountId = (await owner.post('/v1/accounts', { name: 'Buyer', email: 'buyer@example.org', country: 'ES' })).body.id;
  const zones = mkdtempSync(join(tmpdir(), 'consort-cat-'));
  const host = await owner.post('/v1/hosts', {
    name: 'cat-dns',
    address: '127.0.0.1',
    transport: 'local',
    config: { 'bind.zones_dir': zones, 'bind.conf_file': join(zones, 'named.conf'), 'bind.checkzone': 'true', 'bind.reload': 'true' },
  });
  await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id });
});

afterAll(async () => {
  await stack?.stop();
});

describe('billable services', () => {
  it('rejects bad definitions with 422 naming each field', async () => {
    const res = await owner.post('/v1/billable-services', {
      name: 'Broken',
      serviceKind: 'domain',
      nominalPrice: '-3',
      predicate: { field: 'nope', op: 'eq', value: 'x' },
    });
    expect(res.status).toBe(422);
    const paths = res.body.error.details.map((d: { path: (string | number)[] }) => d.path.join('.'));
    expect(paths).toContain('nominalPrice');
    const kind = await owner.post('/v1/billable-services', { name: 'X', serviceKind: 'teleporter', nominalPrice: '1' });
    expect(kind.status).toBe(422);
    expect(kind.body.error.details[0].path).toEqual(['serviceKind']);
    const float = await owner.post('/v1/billable-services', { name: 'X', serviceKind: 'domain', nominalPrice: 10.5 });
    expect(float.status).toBe(422);
  });

  it('gives existing matching services their orders when a definition is created, and new ones on create', async () => {
    const early = await domain('early-bird.org');
    const other = await domain('elsewhere.net');
    const def = await owner.post('/v1/billable-services', {
      name: '.org domains',
      serviceKind: 'domain',
      predicate: { field: 'name', op: 'contains', value: '.org' },
      billingPeriod: 'annual',
      nominalPrice: '12.50',
    });
    expect(def.status, JSON.stringify(def.body)).toBe(201);
    expect(def.body.nominalPrice).toBe('12.5');
    expect(def.body.ordersSynced).toBe(1);
    const earlyOrders = (await owner.get(`/v1/orders?serviceId=${early}`)).body.items;
    expect(earlyOrders).toHaveLength(1);
    expect(earlyOrders[0]).toMatchObject({ accountId, billableServiceId: def.body.id, description: 'early-bird.org', ignored: false });
    expect((await owner.get(`/v1/orders?serviceId=${other}`)).body.items).toEqual([]);

    const late = await domain('late-comer.org');
    expect((await owner.get(`/v1/orders?serviceId=${late}`)).body.items).toHaveLength(1);
    const byAccount = (await owner.get(`/v1/orders?accountId=${accountId}`)).body.items.map((o: { serviceId: string }) => o.serviceId);
    expect(byAccount).toEqual(expect.arrayContaining([early, late]));
    expect(byAccount).not.toContain(other);
  });

  it('cancels the order the day its service is deleted, and lets staff ignore an order', async () => {
    const id = await domain('short-lived.org');
    const [order] = (await owner.get(`/v1/orders?serviceId=${id}`)).body.items;
    expect(order.cancelledOn).toBeUndefined();
    expect((await owner.delete(`/v1/services/${id}`)).status).toBe(202);
    const [cancelled] = (await owner.get(`/v1/orders?serviceId=${id}`)).body.items;
    expect(cancelled.cancelledOn).toBe(order.registeredOn);
    expect(cancelled.cancelReason).toBe('deleted');

    const ignored = await owner.patch(`/v1/orders/${order.id}`, { ignored: true });
    expect(ignored.status).toBe(200);
    expect((await owner.get(`/v1/orders/${order.id}`)).body.ignored).toBe(true);
    expect((await owner.patch(`/v1/orders/${order.id}`, { cancelledOn: '1999-01-01' })).status).toBe(422);
  });

  it('re-syncs orders when a predicate changes', async () => {
    const def = (await owner.get('/v1/billable-services')).body.items.find((d: { name: string }) => d.name === '.org domains');
    const net = (await owner.get('/v1/services?kind=domain')).body.items.find((s: { name: string }) => s.name === 'elsewhere.net');
    const changed = await owner.patch(`/v1/billable-services/${def.id}`, { predicate: { field: 'name', op: 'contains', value: '.net' } });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await owner.get(`/v1/orders?serviceId=${net.id}`)).body.items).toHaveLength(1);
    const early = (await owner.get('/v1/services?kind=domain')).body.items.find((s: { name: string }) => s.name === 'early-bird.org');
    const [earlyOrder] = (await owner.get(`/v1/orders?serviceId=${early.id}`)).body.items;
    expect(earlyOrder.cancelReason).toBe('unmatched');
    expect((await owner.delete(`/v1/billable-services/${def.id}`)).status).toBe(409);
  });

  it('clears a fixed billing month with null so the definition can bill on registration', async () => {
    const def = await owner.post('/v1/billable-services', {
      name: 'Every April',
      serviceKind: 'domain',
      billingPeriod: 'annual',
      fixedMonth: 4,
      nominalPrice: '20',
    });
    expect(def.status, JSON.stringify(def.body)).toBe(201);
    expect(def.body.fixedMonth).toBe(4);
    const refused = await owner.patch(`/v1/billable-services/${def.body.id}`, { billingPoint: 'on-register' });
    expect(refused.status).toBe(422);
    const cleared = await owner.patch(`/v1/billable-services/${def.body.id}`, { billingPoint: 'on-register', fixedMonth: null });
    expect(cleared.status, JSON.stringify(cleared.body)).toBe(200);
    expect(cleared.body.fixedMonth).toBeUndefined();
    expect(cleared.body.billingPoint).toBe('on-register');
    expect((await owner.delete(`/v1/billable-services/${def.body.id}`)).status).toBe(409);
  });
});

describe('packs', () => {
  it('validates rates against definitions and contracts against the pack rules', async () => {
    const def = await owner.post('/v1/billable-services', { name: 'Any domain', serviceKind: 'domain', nominalPrice: '15' });
    const unknown = await owner.post('/v1/packs', { name: 'Bad', rates: [{ billableServiceId: 'bsv_nope', from: 1, price: '1' }] });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.details[0].path).toEqual(['rates', 0, 'billableServiceId']);

    const pack = await owner.post('/v1/packs', {
      name: 'Organisation',
      rates: [
        { billableServiceId: def.body.id, from: 1, price: '0' },
        { billableServiceId: def.body.id, from: 2, price: '10' },
      ],
    });
    expect(pack.status, JSON.stringify(pack.body)).toBe(201);
    const contract = await owner.post(`/v1/accounts/${accountId}/packs`, { packId: pack.body.id, startsOn: '2026-01-01' });
    expect(contract.status, JSON.stringify(contract.body)).toBe(201);
    const twice = await owner.post(`/v1/accounts/${accountId}/packs`, { packId: pack.body.id, startsOn: '2026-06-01' });
    expect(twice.status).toBe(422);
    expect((await owner.delete(`/v1/packs/${pack.body.id}`)).status).toBe(409);
    const ended = await owner.patch(`/v1/accounts/${accountId}/packs/${contract.body.id}`, { endsOn: '2026-03-01' });
    expect(ended.status).toBe(200);
    expect((await owner.post(`/v1/accounts/${accountId}/packs`, { packId: pack.body.id, startsOn: '2026-06-01' })).status).toBe(201);
    expect((await owner.get(`/v1/accounts/${accountId}/packs`)).body.items).toHaveLength(2);
    // Reopening the first contract would overlap the second one: refused; ending the second first allows it.
    expect((await owner.patch(`/v1/accounts/${accountId}/packs/${contract.body.id}`, { endsOn: null })).status).toBe(422);
    expect((await owner.patch(`/v1/accounts/${accountId}/packs/${contract.body.id}`, {})).status).toBe(422);
    const bad = await owner.patch(`/v1/packs/${pack.body.id}`, { isDefault: true, allowMultiple: true });
    expect(bad.status).toBe(422);
  });

  it('keeps catalog writes to the roles that manage billing', async () => {
    const key = await owner.post('/v1/api-keys', { name: 'ops', role: 'sysadmin' });
    const { apiClient } = await import('../../support/api-client');
    const sysadmin = apiClient(stack.apiUrl, key.body.secret);
    expect((await sysadmin.get('/v1/billable-services')).status).toBe(403);
    expect((await sysadmin.post('/v1/packs', { name: 'X' })).status).toBe(403);
  });
});

describe('billing preview', () => {
  it('proposes one explained line per order, totals them exactly, and skips ignored orders', async () => {
    const account = (await owner.post('/v1/accounts', { name: 'Previewed', email: 'p@example.org', country: 'ES' })).body.id;
    const def = await owner.post('/v1/billable-services', {
      name: 'Preview zone',
      serviceKind: 'domain',
      predicate: { field: 'name', op: 'contains', value: '.preview' },
      billingPeriod: 'monthly',
      nominalPrice: '10.00',
    });
    expect(def.status).toBe(201);
    const ids: string[] = [];
    for (const name of ['a.preview', 'b.preview', 'c.preview']) {
      const res = await owner.post('/v1/services', { accountId: account, kind: 'domain', spec: { name } });
      ids.push(res.body.service.id);
    }
    // Other definitions (the "Any domain" one above) bill these domains too: look at this definition's lines.
    const [ignored] = (await owner.get(`/v1/orders?serviceId=${ids[2]}`)).body.items.filter(
      (o: { billableServiceId: string }) => o.billableServiceId === def.body.id,
    );
    await owner.patch(`/v1/orders/${ignored.id}`, { ignored: true });

    const preview = await owner.post('/v1/billing/preview', { accountId: account });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    type Proposal = { billableServiceId: string; total: string; unitPrice: string; explanation: string };
    const all = preview.body.proposals as Proposal[];
    const proposals = all.filter((p) => p.billableServiceId === def.body.id);
    const skipped = preview.body.skipped as { orderId: string; reason: string }[];
    expect(proposals).toHaveLength(2);
    expect(skipped).toEqual([expect.objectContaining({ orderId: ignored.id, reason: 'ignored' })]);
    let sum = 0n;
    for (const p of all) {
      expect(p.explanation.length).toBeGreaterThan(10);
      expect(p.total).toMatch(/^-?\d+\.\d{2}$/);
      sum += BigInt(p.total.replace('.', ''));
    }
    for (const p of proposals) expect(p.unitPrice).toMatch(/^10(\.00?)?$/);
    expect(preview.body.total.replace('.', '')).toBe(String(sum).padStart(3, '0'));
    expect((await owner.post('/v1/billing/preview', { billUntil: '2026-02-30' })).status).toBe(422);
  });
});
