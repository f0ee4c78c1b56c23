import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// Miscellaneous jobs over the API: a kind without backends is applied as it is written (no host, no route, no
// queue), refers to other services of its own account only, and its hours become an order priced by a billable
// service like any other metric.

let stack: LocalStack;
let owner: ApiClient;
let accountId: string;
let otherAccountId: string;

beforeAll(async () => {
  stack = await startTestStack();
  owner = (await signupTenant(stack.apiUrl, 'Misc')).client;
  accountId = (await owner.post('/v1/accounts', { name: 'Job Buyer', email: 'jobs@example.org', country: 'ES' })).body.id;
  otherAccountId = (await owner.post('/v1/accounts', { name: 'Other', email: 'other@example.org', country: 'ES' })).body.id;
});

afterAll(async () => {
  await stack?.stop();
});

describe('miscellaneous services', () => {
  it('is applied at once, with its operation, without any route or host', async () => {
    const res = await owner.post('/v1/services', {
      accountId,
      kind: 'misc',
      spec: { name: 'setup-fee', description: 'Initial set-up', quantity: 1 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.service).toMatchObject({ state: 'applied', name: 'setup-fee' });
    expect(res.body.operation).toMatchObject({ state: 'applied', action: 'save', targets: [] });
    await stack.idle();
    const op = (await owner.get(`/v1/operations/${res.body.operation.id}`)).body;
    expect(op).toMatchObject({ state: 'applied', logs: [] });

    const changed = await owner.patch(`/v1/services/${res.body.service.id}`, {
      spec: { name: 'setup-fee', description: 'Initial set-up and DNS', quantity: '2' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.service).toMatchObject({ state: 'applied', version: 2, spec: { quantity: '2' } });

    expect((await owner.delete(`/v1/services/${res.body.service.id}`)).status).toBe(202);
    expect((await owner.get(`/v1/services/${res.body.service.id}`)).body.state).toBe('deleted');
    // The name is free again once deleted.
    const again = await owner.post('/v1/services', {
      accountId,
      kind: 'misc',
      spec: { name: 'setup-fee', description: 'Again', quantity: 1 },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(201);
  });

  it('refuses bad quantities and references to services of another account with 422', async () => {
    const other = await owner.post('/v1/services', {
      accountId: otherAccountId,
      kind: 'misc',
      spec: { name: 'their-job', description: 'Theirs', quantity: 1 },
    });
    expect(other.status).toBe(201);
    const cases: [unknown, string][] = [
      [{ name: 'job', description: 'x', quantity: 0 }, 'spec.quantity'],
      [{ name: 'job', description: 'x', quantity: '1; rm -rf /' }, 'spec.quantity'],
      [{ name: 'job', description: 'x', quantity: 1, unit: 'days' }, 'spec.unit'],
      [{ name: 'job', description: 'x', quantity: 1, relatedTo: { kind: 'misc', name: 'their-job' } }, 'spec.relatedTo.name'],
    ];
    for (const [spec, path] of cases) {
      const res = await owner.post('/v1/services', { accountId, kind: 'misc', spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
      expect(res.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toContain(path);
    }
  });

  it('prices a job of 3 hours through a billable service on the hours metric', async () => {
    const def = await owner.post('/v1/billable-services', {
      name: 'Technical work',
      serviceKind: 'misc',
      predicate: { field: 'unit', op: 'eq', value: 'hours' },
      metric: { type: 'named', name: 'hours' },
      billingPeriod: 'once',
      billingPoint: 'on-register',
      nominalPrice: '45.50',
    });
    expect(def.status, JSON.stringify(def.body)).toBe(201);
    const job = await owner.post('/v1/services', {
      accountId,
      kind: 'misc',
      spec: {
        name: 'migration',
        description: 'Mailbox migration',
        unit: 'hours',
        quantity: 3,
        relatedTo: { kind: 'misc', name: 'setup-fee' },
      },
    });
    expect(job.status, JSON.stringify(job.body)).toBe(201);
    // Units are not hours: the predicate leaves this one unbilled by the definition.
    await owner.post('/v1/services', { accountId, kind: 'misc', spec: { name: 'licence', description: 'Licence', quantity: 2 } });

    const orders = (await owner.get(`/v1/orders?serviceId=${job.body.service.id}`)).body.items;
    expect(orders).toEqual([expect.objectContaining({ billableServiceId: def.body.id, description: 'migration' })]);
    expect(orders[0].metricHistory).toEqual([expect.objectContaining({ value: '3' })]);

    const preview = await owner.post('/v1/billing/preview', { accountId });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    const lines = preview.body.proposals.filter((p: { billableServiceId: string }) => p.billableServiceId === def.body.id);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ orderId: orders[0].id, total: '136.50' });
    expect(Number(lines[0].quantity)).toBe(3);
  });
});
