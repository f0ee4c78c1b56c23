import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Rollouts on the embedded runtime (local transport, BIND backend): four DNS hosts each hold every zone; two of them
// get a checker that rejects everything. A rollout re-applies the zones host by host within maxConcurrency and stops
// starting hosts once more of them failed than the error threshold allows; a dry run renders and runs nothing.

const hasCheckzone = requireTool('named-checkzone', 'bind9-utils');
const HOSTS = ['dns-a', 'dns-b', 'dns-c', 'dns-d'] as const;
const BROKEN = new Set(['dns-b', 'dns-c']);

let stack: LocalStack;
let owner: ApiClient;
const hostIds: Record<string, string> = {};
const dirs: Record<string, string> = {};
const zones = ['one.test', 'two.test', 'three.test'];

interface RolloutBody {
  id: string;
  state: string;
  stopReason?: string;
  allowedFailures: number;
  hosts: {
    hostName: string;
    state: string;
    operations: { id: string }[];
    applied: number;
    failed: number;
    startedAt?: string;
    finishedAt?: string;
  }[];
  progress: { hosts: Record<string, number>; services: Record<string, number> };
}

async function finished(id: string): Promise<RolloutBody> {
  for (let i = 0; i < 120; i += 1) {
    await stack.idle();
    const res = await owner.get(`/v1/rollouts/${id}`);
    if (res.body.state !== 'running') return res.body;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Rollout ${id} did not finish`);
}

async function operationCount() {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await owner.get(`/v1/operations?limit=200${cursor ? `&cursor=${cursor}` : ''}`);
    count += page.body.items.length;
    cursor = page.body.nextCursor;
  } while (cursor);
  return count;
}

function hostConfig(name: string, broken: boolean) {
  return {
    'bind.zones_dir': join(dirs[name]!, 'zones'),
    'bind.conf_file': join(dirs[name]!, 'named.conf.consort'),
    'bind.checkzone': broken ? 'false' : hasCheckzone ? 'named-checkzone' : 'true',
    'bind.reload': 'true',
  };
}

beforeAll(async () => {
  stack = await startTestStack();
  owner = (await signupTenant(stack.apiUrl, 'Rollout')).client;
  const accountId = (await owner.post('/v1/accounts', { name: 'Zones', email: 'zones@example.org', country: 'ES' })).body.id;
  for (const name of HOSTS) {
    dirs[name] = mkdtempSync(join(tmpdir(), `consort-rollout-${name}-`));
    const host = await owner.post('/v1/hosts', { name, address: '127.0.0.1', transport: 'local', config: hostConfig(name, false) });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    hostIds[name] = host.body.id;
    expect((await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id })).status).toBe(201);
  }
  for (const name of zones) {
    const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name } });
    expect(created.status).toBe(201);
  }
  await stack.idle();
  for (const name of zones) {
    const service = (await owner.get(`/v1/services?kind=domain`)).body.items.find((s: { name: string }) => s.name === name);
    expect(service.state).toBe('applied');
  }
  // Break two hosts after the zones are in place: every script there now fails at the checker.
  for (const name of BROKEN) expect((await owner.patch(`/v1/hosts/${hostIds[name]}`, { config: hostConfig(name, true) })).status).toBe(200);
}, 240_000);

afterAll(async () => {
  await stack?.stop();
});

describe('rollouts', () => {
  it('dry run: renders each host’s script without queueing, storing or running anything', async () => {
    const before = await operationCount();
    const mtime = statSync(join(dirs['dns-a']!, 'zones', 'one.test.db')).mtimeMs;
    const res = await owner.post('/v1/rollouts', { kind: 'domain', dryRun: true, maxConcurrency: 2 });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.services).toBe(3);
    expect(res.body.hosts.map((h: { hostName: string }) => h.hostName)).toEqual([...HOSTS]);
    for (const host of res.body.hosts) {
      expect(host.units).toHaveLength(1);
      expect(host.units[0].backend).toBe('bind');
      expect([...host.units[0].services].sort()).toEqual([...zones].sort());
      expect(host.units[0].script).toContain('#!/bin/bash');
      for (const zone of zones) expect(host.units[0].script).toContain(zone);
      expect(host.units[0].script).toContain(dirs[host.hostName]!); // rendered with that host's settings
    }
    await stack.idle();
    expect(await operationCount()).toBe(before);
    expect(statSync(join(dirs['dns-a']!, 'zones', 'one.test.db')).mtimeMs).toBe(mtime);
    expect((await owner.get('/v1/rollouts')).body.items).toEqual([]);
  });

  it('stops at the error threshold: with 0 allowed, one host at a time, the first failing host ends it', async () => {
    const res = await owner.post('/v1/rollouts', { kind: 'domain', maxConcurrency: 1, errorThreshold: 0 });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.state).toBe('running');
    expect(res.body.progress.hosts).toMatchObject({ total: 4, running: 1, waiting: 3 });
    const rollout = await finished(res.body.id);
    expect(rollout.state).toBe('stopped');
    expect(rollout.stopReason).toMatch(/1 host\(s\) failed; the threshold allows 0/);
    expect(rollout.hosts.map((h) => [h.hostName, h.state])).toEqual([
      ['dns-a', 'done'],
      ['dns-b', 'failed'],
      ['dns-c', 'skipped'],
      ['dns-d', 'skipped'],
    ]);
    expect(rollout.progress.services).toEqual({ total: 12, applied: 3, failed: 3, remaining: 6 });
    expect(rollout.progress.hosts).toMatchObject({ done: 1, failed: 1, skipped: 2, running: 0, waiting: 0 });
    // dns-b only started after dns-a finished (concurrency 1).
    expect(Date.parse(rollout.hosts[1]!.startedAt!)).toBeGreaterThanOrEqual(Date.parse(rollout.hosts[0]!.finishedAt!));
    // Skipped hosts got no operations at all; the failed host's show the checker's failure.
    expect((await owner.get(`/v1/operations/${rollout.hosts[2]!.operations[0]!.id}`)).status).toBe(404);
    const failedOp = (await owner.get(`/v1/operations/${rollout.hosts[1]!.operations[0]!.id}`)).body;
    expect(failedOp).toMatchObject({ state: 'failed', targets: [hostIds['dns-b']], rollout: { id: rollout.id, host: 1 } });
    expect(failedOp.logs[0].exitCode).not.toBe(0);
    // A rollout's failures do not mark the services failed: their last change is still applied.
    const services = (await owner.get('/v1/services?kind=domain')).body.items;
    expect(services.map((s: { state: string }) => s.state)).toEqual(['applied', 'applied', 'applied']);
  }, 240_000);

  it('runs at most maxConcurrency hosts at once and completes when failures stay within a percentage threshold', async () => {
    const res = await owner.post('/v1/rollouts', { kind: 'domain', maxConcurrency: 2, errorThreshold: '50%' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.allowedFailures).toBe(2);
    expect(res.body.progress.hosts).toMatchObject({ running: 2, waiting: 2 });
    const rollout = await finished(res.body.id);
    expect(rollout.state).toBe('completed');
    expect(rollout.hosts.map((h) => h.state)).toEqual(['done', 'failed', 'failed', 'done']);
    expect(rollout.progress.services).toEqual({ total: 12, applied: 6, failed: 6, remaining: 0 });
    // A host's three re-applies ran as one unit of work: one script naming every zone, one run, one reload.
    for (const host of rollout.hosts) {
      const ops = await Promise.all(host.operations.map(async (o) => (await owner.get(`/v1/operations/${o.id}`)).body));
      const runs = ops.map((op) => {
        expect(op.logs, host.hostName).toHaveLength(1);
        return op.logs[0] as { script: string; startedAt: string };
      });
      expect(new Set(runs.map((r) => r.script)).size, host.hostName).toBe(1);
      expect(new Set(runs.map((r) => r.startedAt)).size, host.hostName).toBe(1);
      for (const zone of zones) expect(runs[0]!.script).toContain(zone);
    }
    // Never more than two hosts between start and finish at any host's start.
    for (const host of rollout.hosts) {
      const at = Date.parse(host.startedAt!);
      const running = rollout.hosts.filter((h) => Date.parse(h.startedAt!) <= at && Date.parse(h.finishedAt!) > at);
      expect(running.length, host.hostName).toBeLessThanOrEqual(2);
    }
    const list = (await owner.get('/v1/rollouts')).body.items.map((r: { id: string }) => r.id);
    expect(list[0]).toBe(rollout.id);
    expect(list).toHaveLength(2);
  }, 240_000);

  it('repairs what a crash leaves: a host whose settled operations were never counted, one whose operations were never created', async () => {
    const { sweepRollouts } = await import('@consort/shared/provisioning/rollout-use-cases');
    const store = stack.deps.store;
    // A process that dies between an operation settling and its counter update: here, every update is lost.
    const recordOutcome = store.rollouts.recordOutcome;
    store.rollouts.recordOutcome = async () => {};
    let id: string;
    try {
      const res = await owner.post('/v1/rollouts', { kind: 'domain', maxConcurrency: 4, errorThreshold: 4 });
      expect(res.status, JSON.stringify(res.body)).toBe(202);
      id = res.body.id;
      await stack.idle();
    } finally {
      store.rollouts.recordOutcome = recordOutcome;
    }
    const stuck = (await owner.get(`/v1/rollouts/${id}`)).body as RolloutBody;
    expect(stuck.state).toBe('running');
    expect(stuck.hosts.map((h) => [h.state, h.applied, h.failed])).toEqual(HOSTS.map(() => ['running', 0, 0]));
    // Not before the operations have been settled for the repair delay (5 minutes by default).
    expect(await sweepRollouts(stack.deps)).toBe(0);
    expect(await sweepRollouts(stack.deps, { repairAfterMs: 0 })).toBeGreaterThanOrEqual(1);
    const repaired = (await owner.get(`/v1/rollouts/${id}`)).body as RolloutBody;
    expect(repaired.state).toBe('completed');
    expect(repaired.hosts.map((h) => [h.hostName, h.state, h.applied, h.failed])).toEqual([
      ['dns-a', 'done', 3, 0],
      ['dns-b', 'failed', 0, 3],
      ['dns-c', 'failed', 0, 3],
      ['dns-d', 'done', 3, 0],
    ]);
    expect(await sweepRollouts(stack.deps, { repairAfterMs: 0 })).toBe(0); // nothing left to repair

    // A process that dies while starting a host: the rollout says running, its operations do not exist.
    const create = store.operations.create;
    store.operations.create = async () => {
      throw new Error('process died');
    };
    try {
      const res = await owner.post('/v1/rollouts', {
        kind: 'domain',
        maxConcurrency: 1,
        errorThreshold: 4,
        filter: { field: 'name', op: 'eq', value: 'one.test' },
      });
      expect(res.status).toBe(500);
    } finally {
      store.operations.create = create;
    }
    const second = ((await owner.get('/v1/rollouts')).body.items as RolloutBody[])[0]!.id;
    const started = (await owner.get(`/v1/rollouts/${second}`)).body as RolloutBody;
    expect(started.hosts.map((h) => h.state)).toEqual(['running', 'waiting', 'waiting', 'waiting']);
    expect((await owner.get(`/v1/operations/${started.hosts[0]!.operations[0]!.id}`)).status).toBe(404);
    await sweepRollouts(stack.deps, { repairAfterMs: 0 }); // creates and dispatches the missing operation
    const finishedRollout = await finished(second);
    expect(finishedRollout.state).toBe('completed');
    expect(finishedRollout.hosts.map((h) => h.state)).toEqual(['done', 'failed', 'failed', 'done']);
  }, 240_000);

  it('filters with the route-rule language and rejects bad input with 422s', async () => {
    const filtered = await owner.post('/v1/rollouts', {
      kind: 'domain',
      dryRun: true,
      filter: { field: 'name', op: 'in', value: ['two.test'] },
    });
    expect(filtered.status).toBe(202);
    expect(filtered.body.hosts[0].units[0].services).toEqual(['two.test']);
    const cases: [unknown, string][] = [
      [{ kind: 'domain', errorThreshold: 'lots' }, 'errorThreshold'],
      [{ kind: 'domain', maxConcurrency: 0 }, 'maxConcurrency'],
      [{ kind: 'teleporter' }, 'kind'],
      [{ kind: 'domain', filter: { field: 'spec.nope', op: 'exists' } }, 'filter.field'],
      [{ kind: 'domain', filter: { field: 'name', op: 'eq', value: 'none.test' } }, 'filter'],
    ];
    for (const [body, path] of cases) {
      const res = await owner.post('/v1/rollouts', body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error.details.map((d: { path: (string | number)[] }) => d.path.join('.'))).toContain(path);
    }
  });
});
