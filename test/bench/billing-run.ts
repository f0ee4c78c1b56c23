// npm run bench:billing-run — a whole billing run on the local stack (DynamoDB Local in memory, the workflow in
// aws-local-stepfunctions): seed one tenant with 10,000 accounts and 100,000 monthly orders (BENCH_ACCOUNTS and
// BENCH_ORDERS_PER_ACCOUNT to change), run it with auto-close, and render a sample of the issued bills as PDFs.
// Prints a JSON line last: seconds for seeding, pricing (the billing phase: list, price, open bills and order moves),
// bill creation incl. numbering (the closing phase), and ms per PDF. Targets ≤ 20 s without PDFs, ≤ 30 ms/PDF
// (reported, not asserted).
import { availableParallelism, loadavg } from 'node:os';
import type { Account } from '@consort/shared/accounts/model';
import { renderBillPdf } from '@consort/shared/documents/pdf';
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

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let i = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

const seconds = (ms: number) => Math.round(ms / 10) / 100;
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

  // Seed: accounts (parallel puts) and orders (25-item batch writes, in parallel).
  const seedStart = performance.now();
  const now = clock.now().toISOString();
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
      registeredOn: '2026-01-01',
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
  const started = await owner.post('/v1/billing/runs', { autoClose: true });
  if (started.status !== 202) throw new Error(`start: ${JSON.stringify(started.body)}`);
  let closingAt: number | undefined;
  let run = started.body;
  while (run.state === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    run = (await store.billingRuns.get(tenant.id, run.id))!;
    if (!closingAt && run.phase !== 'billing') closingAt = performance.now();
  }
  const end = performance.now();
  await runs.idle();
  if (run.state !== 'completed') throw new Error(`run ${run.state}: ${JSON.stringify(run.failure)}`);

  // PDFs of a sample of the issued bills (their frozen render models).
  const models = [];
  let cursor: string | undefined;
  do {
    const page = await store.bills.list(tenant.id, { limit: 100, state: 'closed', cursor });
    for (const b of page.items.slice(0, PDFS - models.length)) models.push((await store.bills.get(tenant.id, b.id))!.renderModel!);
    cursor = page.nextCursor;
  } while (cursor && models.length < PDFS);
  for (const m of models.slice(0, 5)) await renderBillPdf(m);
  const pdfStart = performance.now();
  for (const m of models) await renderBillPdf(m);
  const pdfMs = models.length ? (performance.now() - pdfStart) / models.length : 0;

  const pricing = seconds((closingAt ?? end) - runStart);
  const numbering = seconds(end - (closingAt ?? end));
  console.log(
    JSON.stringify({
      bench: 'billing-run',
      accounts: ACCOUNTS,
      orders: orders.length,
      seedSeconds: seconds(seedMs),
      pricingSeconds: pricing,
      billCreationSeconds: numbering,
      totalSecondsWithoutPdfs: seconds(end - runStart),
      msPerPdf: Math.round(pdfMs * 10) / 10,
      pdfs: models.length,
      totals: run.totals,
      errors: run.errors.length,
      firstError: run.errors[0],
      pageSize: PAGE_SIZE,
      concurrency: CONCURRENCY,
      targets: { totalSecondsWithoutPdfs: 20, msPerPdf: 30 },
      cpus: availableParallelism(),
      load: loadavg()[0]?.toFixed(2),
    }),
  );
} finally {
  await stack.stop();
}
