import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, inject, it } from 'vitest';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { requireTool } from '../setup/require-tool';

// Issue #6: "a worker killed in the middle of an operation leaves the operation retryable and the service eventually
// applied; nothing is lost". The stack runs in a child process; its reload step blocks on a file, the process is
// SIGKILLed while the script runs (queue, workflow and worker die with it; DynamoDB survives), and a new process on
// the same data finds the orphaned operation and applies it.

const hasCheckzone = requireTool('named-checkzone', 'bind9-utils');
const dir = mkdtempSync(join(tmpdir(), 'consort-crash-'));
const env = {
  ...process.env,
  CONSORT_TEST_DYNAMODB: inject('dynamoEndpoint'),
  CONSORT_TEST_TABLE: `t-${randomBytes(6).toString('hex')}`,
  CONSORT_DATA_DIR: join(dir, 'data'),
};
let child: ChildProcess | undefined;

/** Start the stack process and resolve with its API URL. */
function startProcess(): Promise<string> {
  const proc = spawn(process.execPath, ['--import', 'tsx', join(__dirname, '../support/stack-process.ts')], {
    env,
    detached: true, // its own process group: the kill takes the scripts it runs too
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let err = '';
  proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { apiUrl: string }).apiUrl);
    });
    proc.on('exit', (code) => reject(new Error(`stack process exited with ${code}: ${err}`)));
  });
}

function killProcess(signal: NodeJS.Signals) {
  if (child?.pid && child.exitCode === null) process.kill(-child.pid, signal);
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 90_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

afterAll(() => {
  writeFileSync(join(dir, 'release'), '');
  killProcess('SIGKILL');
});

it('an operation whose worker is killed mid-script is re-run by the next process and the service ends applied', async () => {
  // The reload hook counts its runs and blocks until the test releases it.
  const hook = join(dir, 'reload-hook');
  writeFileSync(hook, `#!/bin/sh\necho run >> '${dir}/hook-runs'\nwhile [ ! -e '${dir}/release' ]; do sleep 0.1; done\n`);
  chmodSync(hook, 0o755);

  let api = await startProcess();
  const signup = await signupTenant(api, 'Crash');
  const key = await signup.client.post('/v1/api-keys', { name: 'crash-test', role: 'owner' });
  expect(key.status).toBe(201);
  let owner: ApiClient = apiClient(api, key.body.secret);
  const account = await owner.post('/v1/accounts', { name: 'Zone Owner', email: 'zones@example.org', country: 'ES' });
  const host = await owner.post('/v1/hosts', {
    name: 'ns-local',
    address: '127.0.0.1',
    transport: 'local',
    config: {
      'bind.zones_dir': join(dir, 'zones'),
      'bind.conf_file': join(dir, 'named.conf.consort'),
      'bind.checkzone': hasCheckzone ? 'named-checkzone' : 'true',
      'bind.reload': hook,
    },
  });
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  expect((await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id })).status).toBe(201);

  const created = await owner.post('/v1/services', { accountId: account.body.id, kind: 'domain', spec: { name: 'crash.test' } });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  const serviceId = created.body.service.id as string;
  const operationId = created.body.operation.id as string;

  // The script is past the zone write and inside the reload when the process dies.
  await until('the reload hook to start', () => existsSync(join(dir, 'hook-runs')));
  const running = await owner.get(`/v1/operations/${operationId}`);
  expect(running.body.state).toBe('running');
  killProcess('SIGKILL');
  await until('the stack process to die', () => child!.exitCode !== null || child!.signalCode !== null);

  // Nothing moved while no process was alive: the operation is still "running" with no host result.
  writeFileSync(join(dir, 'release'), '');
  api = await startProcess();
  owner = apiClient(api, key.body.secret);
  const applied = await until('the service to be applied', async () => {
    const s = (await owner.get(`/v1/services/${serviceId}`)).body as { state: string };
    return s.state === 'applied' ? s : undefined;
  });
  expect(applied.state).toBe('applied');

  const op = (await owner.get(`/v1/operations/${operationId}`)).body;
  expect(op.state).toBe('applied');
  expect(op.attempt).toBe(1); // the same attempt finished: no manual retry was needed
  expect(op.hostStates).toEqual({ [host.body.id]: 'applied' });
  expect(op.logs).toHaveLength(1); // one recorded run: the killed one left no result behind
  expect(op.logs[0].exitCode).toBe(0);
  expect(readFileSync(join(dir, 'hook-runs'), 'utf8').trim().split('\n')).toHaveLength(2); // killed run + re-run
  expect(readFileSync(join(dir, 'zones', 'crash.test.db'), 'utf8')).toMatch(/SOA/);
});
