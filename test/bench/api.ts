// npm run bench:api — p50/p95 latency of GET /v1/accounts and POST /v1/services at 50 concurrent clients
// against the embedded stack (DynamoDB Local, fauxqs, local Step Functions). Prints a JSON line last.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack } from '../../functions/src/local/stack';
import { signupTenant } from '../support/api-client';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
const REQUESTS_PER_CLIENT = Number(process.env.BENCH_REQUESTS ?? 20);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Number(sorted[Math.max(0, index)]!.toFixed(1));
}

async function measure(name: string, run: (client: number, i: number) => Promise<number>) {
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async (_, client) => {
      for (let i = 0; i < REQUESTS_PER_CLIENT; i += 1) {
        const t0 = performance.now();
        const status = await run(client, i);
        latencies.push(performance.now() - t0);
        if (status >= 400) errors += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    name,
    requests: latencies.length,
    errors,
    p50_ms: percentile(latencies, 50),
    p95_ms: percentile(latencies, 95),
    rps: Number((latencies.length / seconds).toFixed(1)),
  };
}

async function main() {
  const quiet = () => {};
  const stack = await startLocalStack({ apiPort: 0, schedules: false, log: quiet });
  try {
    const t = await signupTenant(stack.apiUrl, 'Bench');
    const zones = mkdtempSync(join(tmpdir(), 'consort-bench-'));
    const host = await t.client.post('/v1/hosts', {
      name: 'bench-dns',
      address: '127.0.0.1',
      transport: 'local',
      config: { 'bind.zones_dir': zones, 'bind.conf_file': join(zones, 'named.conf'), 'bind.checkzone': 'true', 'bind.reload': 'true' },
    });
    await t.client.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id });
    const accounts: string[] = [];
    for (let i = 0; i < 60; i += 1) {
      accounts.push((await t.client.post('/v1/accounts', { name: `Customer ${i}`, email: `c${i}@example.org`, country: 'ES' })).body.id);
    }
    // warm-up
    for (let i = 0; i < 20; i += 1) await t.client.get('/v1/accounts?limit=50');

    const list = await measure('GET /v1/accounts', async () => (await t.client.get('/v1/accounts?limit=50')).status);
    const create = await measure(
      'POST /v1/services',
      async (client, i) =>
        (
          await t.client.post('/v1/services', {
            accountId: accounts[client % accounts.length],
            kind: 'domain',
            spec: { name: `bench-${client}-${i}.test` },
          })
        ).status,
    );
    // Provisioning throughput: every created domain goes through the queue, the state machine and a BIND script.
    const drainStarted = performance.now();
    await stack.idle({ timeoutMs: 600_000 });
    const drainSeconds = (performance.now() - drainStarted) / 1000;
    let applied = 0;
    // Script runs: operations applied by one run share its start (a host's backlog runs as one unit of work).
    const runs = new Set<string>();
    let cursor: string | undefined;
    do {
      const page = await t.client.get(`/v1/operations?state=applied&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      const items = page.body.items as { logs?: { startedAt: string }[] }[];
      applied += items.length;
      for (const op of items) for (const log of op.logs ?? []) runs.add(log.startedAt);
      cursor = page.body.nextCursor;
    } while (cursor);
    const provisioning = {
      name: 'provisioning drain (one host)',
      applied,
      scripts: runs.size,
      seconds: Number(drainSeconds.toFixed(1)),
      per_second: Number((applied / drainSeconds).toFixed(1)),
    };
    console.log(JSON.stringify({ bench: 'api', concurrency: CONCURRENCY, node: process.version, results: [list, create, provisioning] }));
  } finally {
    await stack.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
