import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { hashBucket } from '@consort/shared/fleet/route-match';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Route rules as data on the embedded runtime: several matching routes → one unit per host, priorities, account tags,
// hash-mod placement, "no route matches" reasons, rule changes that move new operations only, and the preview.

const hasCheckzone = requireTool('named-checkzone', 'bind9-utils');

let stack: LocalStack;
let owner: ApiClient;
let plainAccount: string;
let premiumAccount: string;
const hosts: Record<'ns1' | 'ns2' | 'vip', { id: string; dir: string }> = {} as never;
const routes: Record<string, string> = {};

const zone = (host: keyof typeof hosts, name: string) => join(hosts[host].dir, 'zones', `${name}.db`);

async function domain(accountId: string, name: string) {
  const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  await stack.idle();
  const op = (await owner.get(`/v1/operations/${created.body.operation.id}`)).body;
  return { serviceId: created.body.service.id as string, op };
}

beforeAll(async () => {
  stack = await startTestStack();
  owner = (await signupTenant(stack.apiUrl, 'Routing')).client;
  plainAccount = (await owner.post('/v1/accounts', { name: 'Plain', email: 'plain@example.org', country: 'ES' })).body.id;
  const premium = await owner.post('/v1/accounts', { name: 'Premium', email: 'vip@example.org', country: 'ES', tags: ['Premium', 'eu'] });
  expect(premium.status, JSON.stringify(premium.body)).toBe(201);
  expect(premium.body.tags).toEqual(['premium', 'eu']);
  premiumAccount = premium.body.id;
  for (const name of ['ns1', 'ns2', 'vip'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `consort-route-${name}-`));
    const res = await owner.post('/v1/hosts', {
      name,
      address: '127.0.0.1',
      transport: 'local',
      config: {
        'bind.zones_dir': join(dir, 'zones'),
        'bind.conf_file': join(dir, 'named.conf.consort'),
        'bind.checkzone': hasCheckzone ? 'named-checkzone' : 'true',
        'bind.reload': 'true',
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    hosts[name] = { id: res.body.id, dir };
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('route rules', () => {
  it('explains on the operation that no route matches, naming the rules checked', async () => {
    const only = await owner.post('/v1/routes', {
      kind: 'domain',
      backend: 'bind',
      hostId: hosts.vip.id,
      match: { field: 'account.tags', op: 'contains', value: 'premium' },
    });
    expect(only.status, JSON.stringify(only.body)).toBe(201);
    routes.vip = only.body.id;
    const { op } = await domain(plainAccount, 'nowhere.test');
    expect(op.state).toBe('failed');
    expect(op.error).toMatch(/^No route matches domain nowhere\.test: 1 active route\(s\) checked \(account\.tags contains "premium"\)/);
    expect(op.targets).toEqual([]);
  });

  it('runs one unit per matching host: a primary and a secondary both get the zone', async () => {
    for (const name of ['ns1', 'ns2'] as const) {
      const res = await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: hosts[name].id, priority: 100 });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      routes[name] = res.body.id;
    }
    // The premium route gets priority 10 so it overrides the general tier for tagged accounts.
    expect((await owner.patch(`/v1/routes/${routes.vip}`, { priority: 10 })).status).toBe(200);

    const { op } = await domain(plainAccount, 'both.test');
    expect(op.state, JSON.stringify(op)).toBe('applied');
    expect([...op.targets].sort()).toEqual([hosts.ns1.id, hosts.ns2.id].sort());
    expect(op.units).toHaveLength(2);
    expect(op.units.map((u: { routeId: string }) => u.routeId).sort()).toEqual([routes.ns1, routes.ns2].sort());
    expect(op.logs.map((l: { hostName: string }) => l.hostName).sort()).toEqual(['ns1', 'ns2']);
    expect(existsSync(zone('ns1', 'both.test'))).toBe(true);
    expect(existsSync(zone('ns2', 'both.test'))).toBe(true);
    expect(existsSync(zone('vip', 'both.test'))).toBe(false);
  });

  it('sends a tagged account to the host of the better-priority route only', async () => {
    const { op } = await domain(premiumAccount, 'vip.test');
    expect(op.state, JSON.stringify(op)).toBe('applied');
    expect(op.targets).toEqual([hosts.vip.id]);
    expect(existsSync(zone('vip', 'vip.test'))).toBe(true);
    expect(existsSync(zone('ns1', 'vip.test'))).toBe(false);
  });

  it('moves new operations when a rule changes, and leaves dispatched ones where they ran', async () => {
    const before = await domain(plainAccount, 'moved-before.test');
    expect(before.op.targets).toHaveLength(2);
    // ns2 now only takes names containing "secondary".
    const patched = await owner.patch(`/v1/routes/${routes.ns2}`, { match: { field: 'name', op: 'contains', value: 'secondary' } });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const after = await domain(plainAccount, 'moved-after.test');
    expect(after.op.state).toBe('applied');
    expect(after.op.targets).toEqual([hosts.ns1.id]);
    expect(existsSync(zone('ns2', 'moved-after.test'))).toBe(false);
    const secondary = await domain(plainAccount, 'secondary-zone.test');
    expect([...secondary.op.targets].sort()).toEqual([hosts.ns1.id, hosts.ns2.id].sort());
    expect((await owner.get(`/v1/operations/${before.op.id}`)).body.targets).toHaveLength(2);

    // An edit of the earlier domain is a new operation: it follows the new rule (ns1 only).
    const edit = await owner.patch(`/v1/services/${before.serviceId}`, {
      spec: { name: 'moved-before.test', records: [{ type: 'A', name: '@', value: '192.0.2.7' }] },
    });
    expect(edit.status).toBe(200);
    await stack.idle();
    expect((await owner.get(`/v1/operations/${edit.body.operation.id}`)).body.targets).toEqual([hosts.ns1.id]);

    // Clearing the rule (null) puts ns2 back in the tier for every domain.
    expect((await owner.patch(`/v1/routes/${routes.ns2}`, { match: null })).body.match).toBeUndefined();
  });

  it('places services round-robin by hash-mod of their id, each on exactly one host', async () => {
    await owner.patch(`/v1/routes/${routes.ns1}`, { match: { hashmod: { field: 'id', n: 2, k: 0 } } });
    await owner.patch(`/v1/routes/${routes.ns2}`, { match: { hashmod: { field: 'id', n: 2, k: 1 } } });
    const byBucket = [hosts.ns1.id, hosts.ns2.id];
    const seen = new Set<string>();
    // Ids are random, so keep adding domains until both buckets have been used (8 at least; each extra one halves the
    // chance of never seeing the second bucket). Every placement must match the bucket the domain computes.
    for (let i = 0; i < 8 || (seen.size < 2 && i < 40); i += 1) {
      const { op, serviceId } = await domain(plainAccount, `rr-${i}.test`);
      expect(op.targets, JSON.stringify(op)).toEqual([byBucket[hashBucket(serviceId, 2)]]);
      seen.add(op.targets[0]);
    }
    expect(seen.size).toBe(2);
  });

  it('previews which services a draft rule takes and where they go now', async () => {
    const preview = await owner.post('/v1/routes/preview', {
      kind: 'domain',
      match: { field: 'account.tags', op: 'contains', value: 'premium' },
    });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.rule).toBe('account.tags contains "premium"');
    expect(preview.body.items.map((s: { name: string }) => s.name)).toEqual(['vip.test']);
    expect(preview.body.items[0].currentHosts).toEqual([hosts.vip.id]);
    expect(preview.body.scanned).toBeGreaterThan(10);
    const all = await owner.post('/v1/routes/preview', { kind: 'domain' });
    expect(all.body.matchedCount).toBe(all.body.scanned);
  });

  it('rejects bad rules with 422s that name the field', async () => {
    const cases: [unknown, string][] = [
      [{ field: 'spec.owner', op: 'eq', value: 'x' }, 'match.field'],
      [{ hashmod: { field: 'id', n: 3, k: 5 } }, 'match.hashmod.k'],
      [{ all: [{ field: 'account.tags', op: 'eq', value: 'x' }] }, 'match.all.0.op'],
      [{ python: "O['pk']%3==0" }, 'match'],
    ];
    for (const [match, path] of cases) {
      const res = await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: hosts.vip.id, match });
      expect(res.status, JSON.stringify(match)).toBe(422);
      expect(
        res.body.error.details.map((d: { path: (string | number)[] }) => d.path.join('.')),
        JSON.stringify(res.body),
      ).toContain(path);
    }
    const dup = await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: hosts.ns1.id });
    expect(dup.status).toBe(422);
    const badPatch = await owner.patch(`/v1/routes/${routes.ns1}`, { match: { field: 'spec.nope', op: 'exists' } });
    expect(badPatch.status).toBe(422);
    expect((await owner.post('/v1/routes/preview', { kind: 'teleporter' })).status).toBe(422);
  });
});

describe('SSM hosts on the embedded runtime', () => {
  it('refuses SSM hosts unless an SSM client is configured, and says so on operations routed to one', async () => {
    const refused = await owner.post('/v1/hosts', {
      name: 'ssm-web',
      address: '10.0.0.9',
      transport: 'ssm',
      instanceId: 'i-0123456789abcdef0',
    });
    expect(refused.status).toBe(422);
    expect(refused.body.error.message).toMatch(/no SSM client/);

    // A runtime that allows SSM still needs the instance id; a host added there and routed to fails clearly here.
    const { createHost } = await import('@consort/shared/fleet/use-cases');
    const me = (await owner.get('/v1/me')).body;
    const actor = { type: 'staff' as const, tenantId: me.tenant.id, userId: me.user.id, role: 'owner' as const };
    const ssmDeps = { ...stack.deps, allowSsmTransport: true };
    await expect(createHost(ssmDeps, actor, { name: 'ssm-web', address: '10.0.0.9', transport: 'ssm' })).rejects.toMatchObject({
      details: [{ path: ['instanceId'], message: 'Required for ssm' }],
    });
    const ssmHost = await createHost(ssmDeps, actor, {
      name: 'ssm-web',
      address: '10.0.0.9',
      transport: 'ssm',
      instanceId: 'i-0123456789abcdef0',
    });
    const route = await owner.post('/v1/routes', {
      kind: 'domain',
      backend: 'bind',
      hostId: ssmHost.id,
      priority: 1,
      match: { field: 'name', op: 'eq', value: 'via-ssm.test' },
    });
    expect(route.status, JSON.stringify(route.body)).toBe(201);
    const { op } = await domain(plainAccount, 'via-ssm.test');
    expect(op.state).toBe('failed');
    expect(op.targets).toEqual([ssmHost.id]);
    expect(op.error).toMatch(/uses SSM Run Command, which this runtime has not configured/);
    expect((await owner.delete(`/v1/routes/${route.body.id}`)).status).toBe(204);
  });
});
