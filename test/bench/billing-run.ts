// npm run bench:billing-run — a whole billing run on the local stack (DynamoDB Local in memory, the workflow in
// aws-local-stepfunctions): seed one tenant with 10,000 accounts and 100,000 monthly orders (BENCH_ACCOUNTS and
// BENCH_ORDERS_PER_ACCOUNT to change), run it with auto-close, and render a sample of the issued bills as PDFs.
// Orders are registered so that BENCH_MONTHS_DUE monthly periods are due (1 by default: a monthly run's steady state,
// one line per order). Prints a JSON line last: seconds for seeding, pricing (the billing phase: list, price, open
// bills and order moves), bill creation incl. numbering (the closing phase), per phase the CPU seconds of this process
// and of DynamoDB Local's JVM and the DynamoDB requests by command, and ms per PDF (rendered after the stack stopped).
// Targets ≤ 20 s without PDFs, ≤ 30 ms/PDF (reported, not asserted).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Account } from '@consort/shared/accounts/model';
import { renderBillPdf } from '@consort/shared/documents/pdf';
import type { BillRenderModel } from '@consort/shared/documents/render-model';
import { newId } from '@consort/shared/core/ids';
import type { Order } from '@consort/shared/orders/model';
import { localBillingRuns } from '../../functions/src/local/billing-runs';
import { startLocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant } from '../support/api-client';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const ORDERS_PER_ACCOUNT = Number(process.env.BENCH_ORDERS_PER_ACCOUNT ?? 10);
const PAGE_SIZE = Number(process.env.BENCH_PAGE_SIZE ?? 100);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const PDFS = Number(process.env.BENCH_PDFS ?? 200);
/** Monthly periods due per order: 1 is the steady state of a monthly run (one line per order and bill). */
const MONTHS_DUE = Number(process.env.BENCH_MONTHS_DUE ?? 1);

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;

/** CPU seconds (user + system) of this process's descendants named java (DynamoDB Local), from /proc (Linux). */
function javaCpuSeconds(): number {
  const parentOf = new Map<number, number>();
  const cpu = new Map<number, number>();
  const isJava = new Set<number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      const fields = stat.slice(close + 2).split(' ');
      const pid = Number(name);
      parentOf.set(pid, Number(fields[1]));
      cpu.set(pid, (Number(fields[11]) + Number(fields[12])) / 100);
      if (stat.slice(stat.indexOf('(') + 1, close) === 'java') isJava.add(pid);
    } catch {
      // The process ended meanwhile.
    }
  }
  let total = 0;
  for (const pid of isJava) {
    for (let p = parentOf.get(pid); p && p > 1; p = parentOf.get(p)) {
      if (p === process.pid) {
        total += cpu.get(pid) ?? 0;
        break;
      }
    }
  }
  return total;
}
const nodeCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
let result: Record<string, unknown> = {};
let sample: BillRenderModel[] = [];
const stack = await startLocalStack({ schedules: false, log: () => {} });
try {
  const { client, tenant } = await signupTenant(stack.apiUrl, 'Bench');
  const key = await client.post('/v1/api-keys', { name: 'bench', role: 'owner' });
  const owner = apiClient(stack.apiUrl, key.body.secret);
  await owner.patch('/v1/billing/settings', {
    issuer: { legalName: 'Bench Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] },
  });
  const hosting = await owner.post('/v1/billable-services', { name: 'Hosting', serviceKind: 'domain', nominalPrice: '10.00' });
  if (hosting.status !== 201) throw new Error(`billable service: ${JSON.stringify(hosting.body)}`);
  const { store, clock } = stack.deps;
  // DynamoDB requests by command, counted on the stack's client (middleware) per phase.
  const requests: Record<string, number> = {};
  // The store's document client (a private field: read here for the count only).
  const db = (stack.deps.store as unknown as { db: DynamoDBDocumentClient }).db;
  db.middlewareStack.add(
    (next, context) => (args) => {
      requests[context.commandName ?? '?'] = (requests[context.commandName ?? '?'] ?? 0) + 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  const snapshot = () => ({ at: performance.now(), node: nodeCpuSeconds(), java: javaCpuSeconds(), requests: { ...requests } });
  const delta = (a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>) => ({
    seconds: seconds(b.at - a.at),
    nodeCpuSeconds: Math.round((b.node - a.node) * 10) / 10,
    javaCpuSeconds: Math.round((b.java - a.java) * 10) / 10,
    requests: Object.fromEntries(
      Object.entries(b.requests)
        .map(([k, v]) => [k.replace(/Command$/, ''), v - (a.requests[k] ?? 0)] as const)
        .filter(([, v]) => v > 0),
    ),
  });

  // Seed: accounts (parallel puts) and orders (25-item batch writes, in parallel).
  const seedStart = performance.now();
  const now = clock.now().toISOString();
  // Registered on the 1st of the month MONTHS_DUE - 1 months ago: billing until today bills MONTHS_DUE periods.
  const [year, month] = now.slice(0, 7).split('-').map(Number) as [number, number];
  const registeredOn = new Date(Date.UTC(year, month - MONTHS_DUE, 1)).toISOString().slice(0, 10);
  const accounts: Account[] = Array.from({ length: ACCOUNTS }, (_, i) => ({
    tenantId: tenant.id,
    id: newId('account', clock),
    name: `Member ${i}`,
    email: `member${i}@example.org`,
    country: 'ES',
    address: 'C/ Nou 5',
    city: 'Girona',
    postcode: '17001',
    type: 'individual',
    active: true,
    createdAt: now,
    updatedAt: now,
  })) as Account[];
  await pool(accounts, 32, (a) => store.accounts.put(a));
  const orders: Order[] = accounts.flatMap((a) =>
    Array.from({ length: ORDERS_PER_ACCOUNT }, (_, k) => ({
      tenantId: tenant.id,
      id: newId('order', clock),
      accountId: a.id,
      serviceId: `svc_bench_${a.id}_${k}`,
      billableServiceId: hosting.body.id as string,
      description: `Hosting ${k}`,
      registeredOn,
      ignored: false,
      deactivations: [],
      metricHistory: [],
    })),
  );
  const chunks: Order[][] = [];
  for (let i = 0; i < orders.length; i += 250) chunks.push(orders.slice(i, i + 250));
  await pool(chunks, 8, (chunk) => store.orders.putMany(chunk));
  const seedMs = performance.now() - seedStart;

  // The run, through the workflow; phases timed from the run record.
  const runs = localBillingRuns(() => stack.deps, { steps: { pageSize: PAGE_SIZE, concurrency: CONCURRENCY } });
  stack.deps.startBillingRun = runs.start;
  const runStart = performance.now();
  const atStart = snapshot();
  let atClosing: ReturnType<typeof snapshot> | undefined;
  const started = await owner.post('/v1/billing/runs', { autoClose: true });
  if (started.status !== 202) throw new Error(`start: ${JSON.stringify(started.body)}`);
  let closingAt: number | undefined;
  let run = started.body;
  while (run.state === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    run = (await store.billingRuns.get(tenant.id, run.id))!;
    if (!closingAt && run.phase !== 'billing') {
      closingAt = performance.now();
      atClosing = snapshot();
    }
  }
  const end = performance.now();
  const atEnd = snapshot();
  await runs.idle();
  if (run.state !== 'completed') throw new Error(`run ${run.state}: ${JSON.stringify(run.failure)}`);

  // Render models of a sample of the issued bills (their frozen documents), rendered once the stack has stopped so
  // that DynamoDB Local's JVM (still compiling and collecting after the run) does not share the CPU with react-pdf.
  const models: BillRenderModel[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.bills.list(tenant.id, { limit: 100, state: 'closed', cursor });
    for (const b of page.items.slice(0, PDFS - models.length)) models.push((await store.bills.get(tenant.id, b.id))!.renderModel!);
    cursor = page.nextCursor;
  } while (cursor && models.length < PDFS);
  if (process.env.BENCH_DUMP_MODEL) writeFileSync(process.env.BENCH_DUMP_MODEL, JSON.stringify(models[0]));
  result = {
    bench: 'billing-run',
    accounts: ACCOUNTS,
    orders: orders.length,
    monthsDue: MONTHS_DUE,
    seedSeconds: seconds(seedMs),
    pricingSeconds: seconds((closingAt ?? end) - runStart),
    billCreationSeconds: seconds(end - (closingAt ?? end)),
    totalSecondsWithoutPdfs: seconds(end - runStart),
    totals: run.totals,
    errors: run.errors.length,
    firstError: run.errors[0],
    phases: { pricing: delta(atStart, atClosing ?? atEnd), closing: delta(atClosing ?? atEnd, atEnd) },
    pageSize: PAGE_SIZE,
    concurrency: CONCURRENCY,
    loadAtRunEnd: loadavg()[0]?.toFixed(2),
  };
  sample = models;
} finally {
  await stack.stop();
}

for (const m of sample.slice(0, 5)) await renderBillPdf(m);
const pdfCpu = process.cpuUsage();
const pdfStart = performance.now();
for (const m of sample) await renderBillPdf(m);
const pdfMs = sample.length ? (performance.now() - pdfStart) / sample.length : 0;
const pdfCpuUsed = process.cpuUsage(pdfCpu);
console.log(
  JSON.stringify({
    ...result,
    msPerPdf: Math.round(pdfMs * 10) / 10,
    cpuMsPerPdf: sample.length ? Math.round((pdfCpuUsed.user + pdfCpuUsed.system) / 100 / sample.length) / 10 : 0,
    pdfs: sample.length,
    linesPerPdf: sample.length ? Math.round(sample.reduce((n, m) => n + m.lines.length, 0) / sample.length) : 0,
    targets: { totalSecondsWithoutPdfs: 20, msPerPdf: 30 },
    cpus: availableParallelism(),
    load: loadavg()[0]?.toFixed(2),
  }),
);
