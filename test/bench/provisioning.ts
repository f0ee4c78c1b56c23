// npm run bench:provisioning — the provisioning path on the embedded runtime against a real OpenSSH server on
// loopback (test/support/sshd.ts):
//  1. latency: BENCH_SERVICES domains created one after another through the API; seconds from the POST to the service
//     reading "applied" (outbox → SQS FIFO → poller → state machine → render → ssh2 → named-checkzone → record);
//  2. the same scripts run bare (`ssh -i key host bash -s < script`, OpenSSH's client), for the floor;
//  3. a rollout re-applying every zone on BENCH_HOSTS simulated hosts (host records with their own directories, all
//     served by the one sshd) at BENCH_CONCURRENCY, against the ideal: ceil(hosts / concurrency) waves × the median
//     bare time of one host's script, and against the same host scripts over bare ssh at the same concurrency (the
//     floor on this machine); a host's time is split into waiting, script and recording.
// Progress goes to stderr every 5 s (BENCH_DEBUG=1 adds each host's runs). Prints a JSON line last. Needs sshd
// (openssh-server) and named-checkzone (bind9-utils).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant } from '../support/api-client';
import { startSshd } from '../support/sshd';

const SERVICES = Number(process.env.BENCH_SERVICES ?? 40);
const HOSTS = Number(process.env.BENCH_HOSTS ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 20);
const ROLLOUT_ZONES = Number(process.env.BENCH_ROLLOUT_ZONES ?? 3);

const seconds = (ms: number) => Math.round(ms) / 1000;
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bareSsh(args: string[], script: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('ssh', args, { stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`ssh exited ${code}: ${stderr}`))));
    child.stdin.end(script);
  });
}

const load = [loadavg()[0]!];
const stack = await startLocalStack({ schedules: false, stripe: false, log: () => {} });
const { client, tenant } = await signupTenant(stack.apiUrl, 'Bench');
const key = await client.post('/v1/api-keys', { name: 'bench', role: 'owner' });
const owner = apiClient(stack.apiUrl, key.body.secret as string);
const sshd = await startSshd([tenant.provisioningPublicKey]);
try {
  const account = await owner.post('/v1/accounts', { name: 'Bench Zones', email: 'zones@example.org', country: 'ES' });
  const hostConfig = (dir: string) => ({
    'bind.zones_dir': join(dir, 'zones'),
    'bind.conf_file': join(dir, 'named.conf.consort'),
    'bind.checkzone': 'named-checkzone',
    'bind.reload': 'true',
  });
  const sshHost = (name: string, dir: string) =>
    owner.post('/v1/hosts', {
      name,
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: hostConfig(dir),
    });
  const primaryDir = join(sshd.dir, 'primary');
  const primary = await sshHost('ns-bench', primaryDir);
  if (primary.status !== 201) throw new Error(`host: ${JSON.stringify(primary.body)}`);
  const route = await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: primary.body.id });
  if (route.status !== 201) throw new Error(`route: ${JSON.stringify(route.body)}`);

  // 1. API call → applied, one service at a time.
  const latencies: number[] = [];
  const scripts: string[] = [];
  for (let i = 0; i < SERVICES; i += 1) {
    const started = performance.now();
    const created = await owner.post('/v1/services', { accountId: account.body.id, kind: 'domain', spec: { name: `bench-${i}.test` } });
    if (created.status !== 201) throw new Error(`service: ${JSON.stringify(created.body)}`);
    for (;;) {
      const service = (await owner.get(`/v1/services/${created.body.service.id}`)).body as { state: string };
      if (service.state === 'applied') break;
      if (service.state === 'failed') throw new Error(`bench-${i}.test failed to apply`);
      await sleep(5);
    }
    latencies.push(performance.now() - started);
    const op = (await owner.get(`/v1/operations/${created.body.operation.id}`)).body as { logs: { script: string }[] };
    scripts.push(op.logs[0]!.script);
  }

  // 2. The same scripts over OpenSSH's client, nothing else.
  const keyDir = mkdtempSync(join(tmpdir(), 'consort-bench-key-'));
  const keyFile = join(keyDir, 'id');
  writeFileSync(keyFile, `${await stack.deps.secrets.open((await stack.deps.store.tenants.sealedPrivateKey(tenant.id))!)}\n`, {
    mode: 0o600,
  });
  const sshArgs = [
    '-i',
    keyFile,
    '-p',
    String(sshd.port),
    '-o',
    'BatchMode=yes',
    '-o',
    'StrictHostKeyChecking=no',
    '-o',
    'UserKnownHostsFile=/dev/null',
    '-o',
    'LogLevel=ERROR',
    `${sshd.username}@127.0.0.1`,
    'bash',
    '-s',
  ];
  const bare: number[] = [];
  for (const script of scripts) bare.push(await bareSsh(sshArgs, script));

  // 3. A rollout over many hosts: each gets a route (one tier, so every zone goes to every host) and its own folder.
  for (let h = 0; h < HOSTS; h += 1) {
    const dir = join(sshd.dir, 'fleet', `h${h}`);
    mkdirSync(dir, { recursive: true });
    const host = await sshHost(`fleet-${h}`, dir);
    if (host.status !== 201) throw new Error(`fleet host: ${JSON.stringify(host.body)}`);
    await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id });
  }
  // Only a few zones (a filter), so one host's script stays small and comparable to the single-zone scripts.
  const names = Array.from({ length: ROLLOUT_ZONES }, (_, i) => `bench-${i}.test`);
  const dry = await owner.post('/v1/rollouts', {
    kind: 'domain',
    dryRun: true,
    maxConcurrency: CONCURRENCY,
    filter: { field: 'name', op: 'in', value: names },
  });
  if (dry.status !== 202) throw new Error(`dry run: ${JSON.stringify(dry.body)}`);
  // Every host of the tier: the fleet and the first host.
  const fleetHosts = dry.body.hosts as { hostName: string; units: { script: string }[] }[];
  // The ideal: one host's script (bare, median of 5) times the number of waves.
  const sample = fleetHosts[0]!.units.map((u) => u.script).join('\n');
  const unit: number[] = [];
  for (let i = 0; i < 5; i += 1) unit.push(await bareSsh(sshArgs, sample));
  const ideal = Math.ceil(fleetHosts.length / CONCURRENCY) * percentile(unit, 50);

  const rolloutStart = performance.now();
  const rollout = await owner.post('/v1/rollouts', {
    kind: 'domain',
    maxConcurrency: CONCURRENCY,
    errorThreshold: 0,
    filter: { field: 'name', op: 'in', value: names },
  });
  if (rollout.status !== 202) throw new Error(`rollout: ${JSON.stringify(rollout.body)}`);
  type HostView = { state: string; startedAt?: string; finishedAt?: string; operations: { id: string }[] };
  let final: { state: string; hosts: HostView[] };
  let lastProgress = performance.now();
  for (;;) {
    final = (await owner.get(`/v1/rollouts/${rollout.body.id}`)).body;
    if (final.state !== 'running') break;
    if (performance.now() - lastProgress > 5_000) {
      lastProgress = performance.now();
      const count = (state: string) => final.hosts.filter((h) => h.state === state).length;
      process.stderr.write(
        `rollout ${seconds(performance.now() - rolloutStart)} s: ${count('done')} done, ${count('running')} running, ` +
          `${count('waiting')} waiting, ${count('failed')} failed, load ${loadavg()[0]!.toFixed(1)}\n`,
      );
    }
    await sleep(50);
  }
  const rolloutMs = performance.now() - rolloutStart;
  // Where a host's time goes: from its start (the rollout moved it to running) to its last outcome.
  const hostMs = final.hosts.filter((h) => h.startedAt && h.finishedAt).map((h) => Date.parse(h.finishedAt!) - Date.parse(h.startedAt!));
  // …split into the wait before the script starts (queue, poller, workflow, connect), the script, and what follows.
  const waitMs: number[] = [];
  const scriptMs: number[] = [];
  const afterMs: number[] = [];
  for (const h of final.hosts) {
    if (!h.startedAt || !h.finishedAt) continue;
    const ops = await Promise.all(
      h.operations.map(
        async (o) => (await owner.get(`/v1/operations/${o.id}`)).body as { logs: { startedAt: string; durationMs: number }[] },
      ),
    );
    const logs = ops.flatMap((o) => o.logs);
    if (!logs.length) continue;
    if (process.env.BENCH_DEBUG) process.stderr.write(`${h.startedAt} ${JSON.stringify(logs.map((l) => [l.startedAt, l.durationMs]))}\n`);
    const start = Math.min(...logs.map((l) => Date.parse(l.startedAt)));
    const end = Math.max(...logs.map((l) => Date.parse(l.startedAt) + l.durationMs));
    waitMs.push(start - Date.parse(h.startedAt));
    scriptMs.push(end - start);
    afterMs.push(Date.parse(h.finishedAt) - end);
  }
  load.push(loadavg()[0]!);
  const failedHosts = final.hosts.filter((h) => h.state !== 'done').length;
  // The floor on this machine: every host's dry-run script over OpenSSH at the same concurrency (the same sshd,
  // named-checkzone and cores), nothing else.
  const bareRolloutStart = performance.now();
  const queue = fleetHosts.map((h) => h.units.map((u) => u.script).join('\n'));
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let script = queue.shift(); script !== undefined; script = queue.shift()) await bareSsh(sshArgs, script);
    }),
  );
  const bareRolloutMs = performance.now() - bareRolloutStart;
  const zonesOnHost0 = execFileSync('ls', [join(sshd.dir, 'fleet', 'h0', 'zones')], { encoding: 'utf8' })
    .trim()
    .split('\n').length;

  console.log(
    `API → applied over SSH: p50 ${seconds(percentile(latencies, 50))} s, p95 ${seconds(percentile(latencies, 95))} s; ` +
      `bare ssh: p50 ${seconds(percentile(bare, 50))} s, p95 ${seconds(percentile(bare, 95))} s`,
  );
  console.log(
    `rollout: ${fleetHosts.length} hosts at concurrency ${CONCURRENCY} in ${seconds(rolloutMs)} s (ideal ${seconds(ideal)} s), ` +
      `state ${final.state}, ${failedHosts} host(s) not done, ${zonesOnHost0} zone(s) on fleet-0`,
  );
  console.log(
    JSON.stringify({
      bench: 'provisioning',
      services: SERVICES,
      applyP50Seconds: seconds(percentile(latencies, 50)),
      applyP95Seconds: seconds(percentile(latencies, 95)),
      bareSshP50Seconds: seconds(percentile(bare, 50)),
      bareSshP95Seconds: seconds(percentile(bare, 95)),
      rolloutHosts: fleetHosts.length,
      rolloutConcurrency: CONCURRENCY,
      rolloutSeconds: seconds(rolloutMs),
      rolloutBareSshSeconds: seconds(bareRolloutMs),
      rolloutIdealSeconds: seconds(ideal),
      rolloutHostP50Seconds: hostMs.length ? seconds(percentile(hostMs, 50)) : null,
      rolloutHostP95Seconds: hostMs.length ? seconds(percentile(hostMs, 95)) : null,
      rolloutHostWaitP50Seconds: waitMs.length ? seconds(percentile(waitMs, 50)) : null,
      rolloutHostScriptP50Seconds: scriptMs.length ? seconds(percentile(scriptMs, 50)) : null,
      rolloutHostAfterP50Seconds: afterMs.length ? seconds(percentile(afterMs, 50)) : null,
      rolloutState: final.state,
      rolloutHostsNotDone: failedHosts,
      loadAverage: load.map((l) => Math.round(l * 100) / 100),
    }),
  );
} finally {
  await stack.stop();
  await sshd.stop();
}
