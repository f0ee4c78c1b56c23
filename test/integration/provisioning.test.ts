import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// The provisioning pipeline on the embedded runtime: API → outbox → SQS FIFO (fauxqs) → poller → state machine
// (aws-local-stepfunctions) → rendered BIND scripts run by the local transport → operation log → service state.
// The same flow over a real OpenSSH server is in test/hosts/provisioning-ssh.test.ts.

const hasCheckzone = requireTool('named-checkzone', 'bind9-utils');

let stack: LocalStack;
let owner: ApiClient;
let accountId: string;
let hostId: string;
let dir: string;

async function settled(client: ApiClient, serviceId: string) {
  await stack.idle();
  const res = await client.get(`/v1/services/${serviceId}`);
  return res.body as { state: string; lastOperationId: string; backendState: { serial: number } };
}

beforeAll(async () => {
  stack = await startTestStack();
  const t = await signupTenant(stack.apiUrl, 'Prov');
  owner = t.client;
  dir = mkdtempSync(join(tmpdir(), 'consort-prov-'));
  accountId = (await owner.post('/v1/accounts', { name: 'Zone Owner', email: 'zones@example.org', country: 'ES' })).body.id;
  const host = await owner.post('/v1/hosts', {
    name: 'ns-local',
    address: '127.0.0.1',
    transport: 'local',
    config: {
      'bind.zones_dir': join(dir, 'zones'),
      'bind.conf_file': join(dir, 'named.conf.consort'),
      'bind.checkzone': hasCheckzone ? 'named-checkzone' : 'true',
      'bind.reload': 'true',
    },
  });
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  hostId = host.body.id;
});

afterAll(async () => {
  await stack?.stop();
});

describe('domain provisioning', () => {
  it('fails with a clear reason when no route exists, and applies after a route is added and retried', async () => {
    const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'no-route.test' } });
    expect(created.status).toBe(201);
    const op = await owner.get(`/v1/operations/${created.body.operation.id}`);
    expect(op.body.state).toBe('failed');
    expect(op.body.error).toMatch(/No active route for domain/);
    expect((await owner.get(`/v1/services/${created.body.service.id}`)).body.state).toBe('failed');

    const route = await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId });
    expect(route.status).toBe(201);
    const retry = await owner.post(`/v1/operations/${created.body.operation.id}/retry`);
    expect(retry.status).toBe(202);
    expect((await settled(owner, created.body.service.id)).state).toBe('applied');
  });

  it('applies a domain with tenant default records and keeps the script, output and exit code', async () => {
    const created = await owner.post('/v1/services', {
      accountId,
      kind: 'domain',
      spec: {
        name: 'Example-Prov.test',
        records: [
          { type: 'A', name: '@', value: '192.0.2.10' },
          { type: 'A', name: 'www', value: '192.0.2.10' },
          { type: 'MX', name: '@', priority: 10, value: 'mail.example-prov.test.' },
          { type: 'TXT', name: '@', value: "v=spf1 mx -all; $(touch /tmp/pwned) `id` 'quoted'" },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.service.name).toBe('example-prov.test');
    const service = await settled(owner, created.body.service.id);
    expect(service.state).toBe('applied');
    const zone = readFileSync(join(dir, 'zones', 'example-prov.test.db'), 'utf8');
    expect(zone).toContain('192.0.2.10');
    expect(zone).toContain(String(service.backendState.serial));
    expect(existsSync('/tmp/pwned')).toBe(false);
    const conf = readFileSync(join(dir, 'named.conf.consort'), 'utf8');
    expect(conf.match(/example-prov\.test/g)?.length).toBeGreaterThanOrEqual(1);

    const op = (await owner.get(`/v1/operations/${service.lastOperationId}`)).body;
    expect(op.state).toBe('applied');
    expect(op.logs).toHaveLength(1);
    expect(op.logs[0]).toMatchObject({ hostId, hostName: 'ns-local', backend: 'bind', exitCode: 0, attempt: 1 });
    expect(op.logs[0].script).toContain('example-prov.test');
    expect(op.logs[0].durationMs).toBeGreaterThanOrEqual(0);
    const applied = await owner.get('/v1/operations?state=applied');
    expect(applied.body.items.map((o: { id: string }) => o.id)).toContain(op.id);
  });

  it('rejects a duplicate name with 409 and an invalid record with 422 naming the field', async () => {
    const dup = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'example-prov.test' } });
    expect(dup.status).toBe(409);
    const bad = await owner.post('/v1/services', {
      accountId,
      kind: 'domain',
      spec: { name: 'bad-record.test', records: [{ type: 'A', name: 'www', value: '999.1.1.1' }] },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.error.details[0].path).toEqual(['spec', 'records', 0, 'value']);
    const unknown = await owner.post('/v1/services', { accountId, kind: 'teleporter', spec: {} });
    expect(unknown.status).toBe(422);
  });

  it('records edits with a higher serial, shows a failing script as failed with stderr, and retries', async () => {
    const created = await owner.post('/v1/services', {
      accountId,
      kind: 'domain',
      spec: { name: 'edit-me.test', records: [{ type: 'A', name: '@', value: '192.0.2.1' }] },
    });
    const first = await settled(owner, created.body.service.id);
    expect(first.state).toBe('applied');

    // Break the checker on the host: the next change must fail and show why.
    await owner.patch(`/v1/hosts/${hostId}`, {
      config: { ...(await owner.get(`/v1/hosts/${hostId}`)).body.config, 'bind.checkzone': 'false' },
    });
    const edited = await owner.patch(`/v1/services/${created.body.service.id}`, {
      spec: { name: 'edit-me.test', records: [{ type: 'A', name: '@', value: '192.0.2.2' }] },
    });
    expect(edited.status).toBe(200);
    const failed = await settled(owner, created.body.service.id);
    expect(failed.state).toBe('failed');
    expect(failed.backendState.serial).toBeGreaterThan(first.backendState.serial);
    const op = (await owner.get(`/v1/operations/${failed.lastOperationId}`)).body;
    expect(op.state).toBe('failed');
    expect(op.logs[0].exitCode).not.toBe(0);
    expect(op.logs[0].stderr.length, JSON.stringify(op.logs[0])).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'zones', 'edit-me.test.db'), 'utf8')).toContain('192.0.2.1'); // old zone kept

    await owner.patch(`/v1/hosts/${hostId}`, {
      config: { ...(await owner.get(`/v1/hosts/${hostId}`)).body.config, 'bind.checkzone': hasCheckzone ? 'named-checkzone' : 'true' },
    });
    expect((await owner.post(`/v1/operations/${op.id}/retry`)).status).toBe(202);
    const retried = await settled(owner, created.body.service.id);
    expect(retried.state).toBe('applied');
    const after = (await owner.get(`/v1/operations/${op.id}`)).body;
    expect(after.attempt).toBe(2);
    expect(after.logs.map((l: { attempt: number }) => l.attempt)).toEqual([1, 2]);
    expect(readFileSync(join(dir, 'zones', 'edit-me.test.db'), 'utf8')).toContain('192.0.2.2');
    expect((await owner.post(`/v1/operations/${op.id}/retry`)).status).toBe(409);
  });

  it('deletes a domain from the host and frees its name', async () => {
    const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'short-lived.test' } });
    expect((await settled(owner, created.body.service.id)).state).toBe('applied');
    expect(existsSync(join(dir, 'zones', 'short-lived.test.db'))).toBe(true);
    expect((await owner.delete(`/v1/services/${created.body.service.id}`)).status).toBe(202);
    expect((await settled(owner, created.body.service.id)).state).toBe('deleted');
    expect(existsSync(join(dir, 'zones', 'short-lived.test.db'))).toBe(false);
    expect(readFileSync(join(dir, 'named.conf.consort'), 'utf8')).not.toContain('short-lived.test');
    const again = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'short-lived.test' } });
    expect(again.status).toBe(201);
  });

  it('dispatches operations left in the outbox through the sweeper, a host’s together as one unit of work', async () => {
    const { sweepOutbox } = await import('@consort/shared/provisioning/use-cases');
    const { createService } = await import('@consort/shared/services/use-cases');
    const me = (await owner.get('/v1/me')).body;
    // Write through the use case only (no inline dispatch), as if the API crashed after its transactions.
    const actor = { type: 'staff', tenantId: me.tenant.id, userId: me.user.id, role: 'owner' } as const;
    const created = [];
    for (const name of ['swept.test', 'swept-2.test', 'swept-3.test'])
      created.push(await createService(stack.deps, actor, { accountId, kind: 'domain', spec: { name } }));
    for (const { service } of created) expect((await owner.get(`/v1/services/${service.id}`)).body.state).toBe('pending');
    expect(await sweepOutbox(stack.deps)).toBeGreaterThanOrEqual(3);
    for (const { service } of created) expect((await settled(owner, service.id)).state).toBe('applied');
    const runs = await Promise.all(
      created.map(
        async ({ operation }) => (await owner.get(`/v1/operations/${operation.id}`)).body.logs as { script: string; startedAt: string }[],
      ),
    );
    expect(runs.map((logs) => logs.length)).toEqual([1, 1, 1]);
    expect(new Set(runs.map((logs) => logs[0]!.startedAt)).size).toBe(1); // one run for the three
    for (const name of ['swept.test', 'swept-2.test', 'swept-3.test']) expect(runs[0]![0]!.script).toContain(name);
  });
});
