// npm run bench:dynamodb-local — what the local stack's database costs: DynamoDB Local's CPU time per request of each
// kind the billing run sends, measured on a fresh in-memory instance with the real table (keys, GSIs) and items of
// the real shapes (a 10-order account, a 10-line open bill, an issued bill and its frozen document). From those costs
// it adds up the DynamoDB Local CPU seconds that the requests of a 10,000-account billing run need (the request mix
// `bench:billing-run` counts) and compares them with the CPU that the ≤ 20 s target leaves on this machine.
// BENCH_REPEAT requests per kind (after a warm-up), BENCH_CONCURRENCY at once. Then it runs two kinds for
// BENCH_PARALLEL_MS each with 1 and 16 requests in flight and reports how many cores DynamoDB Local used. Prints a
// JSON line last.
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { keys, indexKeys } from '@consort/shared/adapters/dynamodb/keys';
import { ensureTable, startDynamoLocal } from '../../functions/src/local/dynamodb';

const REPEAT = Number(process.env.BENCH_REPEAT ?? 300);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 1000);
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const SEED_ACCOUNTS = 6_000;
const PARALLEL_MS = Number(process.env.BENCH_PARALLEL_MS ?? 4_000);
const TABLE = 'bench';
const tid = 'ten_bench';

/** CPU seconds (user + system) of the java processes under this one (DynamoDB Local), from /proc (Linux). */
function javaCpuSeconds(): number {
  let total = 0;
  const parents = new Map<number, number>();
  const java: [number, number][] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(fields[1]));
      if (stat.includes('(java)')) java.push([Number(name), (Number(fields[11]) + Number(fields[12])) / 100]);
    } catch {
      // Gone meanwhile.
    }
  }
  for (const [pid, cpu] of java) {
    for (let p = parents.get(pid); p && p > 1; p = parents.get(p)) if (p === process.pid) total += cpu;
  }
  return total;
}
const nodeCpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

const orderId = (a: number, k: number) => `ord_${a}_${k}`;
const order = (a: number, k: number) => ({
  ...keys.order(tid, orderId(a, k)),
  ...indexKeys.orderOfService(tid, `svc_${a}_${k}`, orderId(a, k)),
  ...indexKeys.orderOfAccount(tid, `acc_${a}`, '2026-11-01', orderId(a, k)),
  entity: 'order',
  tenantId: tid,
  id: orderId(a, k),
  accountId: `acc_${a}`,
  serviceId: `svc_${a}_${k}`,
  billableServiceId: 'bsv_hosting',
  description: `Hosting ${k}`,
  registeredOn: '2026-11-01',
  ignored: false,
  deactivations: [],
  metricHistory: [],
});
const lines = Array.from({ length: 10 }, (_, k) => ({
  id: `bln_${k}`,
  orderId: `ord_x_${k}`,
  description: `Hosting ${k} — 1 Nov 2026 to 30 Nov 2026`,
  periodStart: '2026-11-01',
  periodEnd: '2026-12-01',
  previousBilledUntil: '2026-11-01',
  quantity: '1',
  size: '1',
  unitPrice: '10.00',
  amount: '10.00',
  taxCategory: 'S',
  taxRate: '21',
  explanation: 'Monthly period, nominal price',
}));
const bill = (id: string, a: number, state: string) => ({
  ...keys.bill(tid, id),
  ...indexKeys.billOfAccount(tid, `acc_${a}`, id),
  ...indexKeys.billByState(tid, state, '2026-12-01', id),
  entity: 'bill',
  tenantId: tid,
  id,
  accountId: `acc_${a}`,
  type: 'invoice',
  state,
  currency: 'EUR',
  lines,
  effects: lines.map((l) => ({
    orderId: l.orderId,
    runAt: '2026-12-01T00:00:00Z',
    before: {},
    after: { billedUntil: '2026-12-01', billedOn: '2026-12-01' },
  })),
  totals: { base: '100.00', tax: '21.00', total: '121.00', byRate: [{ rate: '21', base: '100.00', tax: '21.00' }] },
  audit: [{ at: '2026-12-01T00:00:00Z', actor: 'system:billing-run', from: null, to: 'open', reason: 'Billing run' }],
  version: 0,
  lineCount: 10,
  createdAt: '2026-12-01T00:00:00Z',
  updatedAt: '2026-12-01T00:00:00Z',
});
const orderMove = (a: number, k: number) => ({
  Update: {
    TableName: TABLE,
    Key: keys.order(tid, orderId(a, k)),
    UpdateExpression: 'SET billedUntil = :n, billedOn = :d',
    ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(billedUntil)',
    ExpressionAttributeValues: { ':n': '2026-12-01', ':d': '2026-12-01' },
  },
});

const ddb = await startDynamoLocal();
const raw = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'eu-west-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' } });
const db = DynamoDBDocumentClient.from(raw);
const parallelism: { request: string; concurrency: number; perSecond: number; javaCores: number }[] = [];
const costs: Record<string, { items: number; wallMs: number; javaCpuMs: number; nodeCpuMs: number }> = {};
try {
  await ensureTable(raw, TABLE);
  // Seed SEED_ACCOUNTS accounts' orders (10 each) in 25-item batches.
  const seed = Array.from({ length: SEED_ACCOUNTS * 10 }, (_, i) => order(Math.floor(i / 10), i % 10));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < seed.length) {
        const chunk = seed.slice(next, (next += 25));
        await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: chunk.map((Item) => ({ PutRequest: { Item } })) } }));
      }
    }),
  );

  let account = 0; // accounts whose orders are still unbilled
  let billSeq = 0;
  const kinds: Record<string, { items: number; run: (i: number) => Promise<unknown> }> = {
    GetItem: {
      items: 1,
      run: (i) => db.send(new GetCommand({ TableName: TABLE, Key: keys.order(tid, orderId(i % SEED_ACCOUNTS, 0)), ConsistentRead: true })),
    },
    'Query (an account: 10 orders)': {
      items: 10,
      run: (i) =>
        db.send(
          new QueryCommand({
            TableName: TABLE,
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': indexKeys.orderOfAccount(tid, `acc_${i % SEED_ACCOUNTS}`, '', '').gsi2pk },
          }),
        ),
    },
    'BatchGetItem (100 items)': {
      items: 100,
      run: (i) =>
        db.send(
          new BatchGetCommand({
            RequestItems: {
              [TABLE]: { Keys: Array.from({ length: 100 }, (_, k) => keys.order(tid, orderId((i * 100 + k) % SEED_ACCOUNTS, 1))) },
            },
          }),
        ),
    },
    'TransactWriteItems (an open bill + 10 conditional order moves)': {
      items: 11,
      run: () => {
        const a = account++;
        const items = [
          { Put: { TableName: TABLE, Item: bill(`bill_${billSeq++}`, a, 'open'), ConditionExpression: 'attribute_not_exists(pk)' } },
          ...Array.from({ length: 10 }, (_, k) => orderMove(a, k)),
        ];
        return db.send(new TransactWriteCommand({ TransactItems: items }));
      },
    },
    'TransactWriteItems (9 open bills + 90 order moves)': {
      items: 99,
      run: () => {
        const items = Array.from({ length: 9 }, () => {
          const a = account++;
          return [
            { Put: { TableName: TABLE, Item: bill(`bill_${billSeq++}`, a, 'open'), ConditionExpression: 'attribute_not_exists(pk)' } },
            ...Array.from({ length: 10 }, (_, k) => orderMove(a, k)),
          ];
        }).flat();
        return db.send(new TransactWriteCommand({ TransactItems: items }));
      },
    },
    'TransactWriteItems (a block of 32 issued bills: counter, claims, bills, documents)': {
      items: 97,
      run: (i) => {
        const items: unknown[] = [{ Put: { TableName: TABLE, Item: { ...keys.billSeries(tid, 'invoice', 3000 + i), last: 32 } } }];
        for (let k = 0; k < 32; k++) {
          const id = `bill_${billSeq++}`;
          const issued = bill(id, k, 'closed');
          items.push(
            {
              Put: {
                TableName: TABLE,
                Item: { ...keys.billNumber(tid, 'invoice', 3000 + i, k + 1), billId: id, number: `F${k}` },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: { TableName: TABLE, Item: issued, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: TABLE,
                Item: { ...keys.billDocument(tid, id), model: JSON.stringify(issued) },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          );
        }
        return db.send(new TransactWriteCommand({ TransactItems: items as never }));
      },
    },
    'BatchWriteItem (25 open bills)': {
      items: 25,
      run: () =>
        db.send(
          new BatchWriteCommand({
            RequestItems: { [TABLE]: Array.from({ length: 25 }, () => ({ PutRequest: { Item: bill(`bill_${billSeq++}`, 0, 'open') } })) },
          }),
        ),
    },
  };
  /** Requests of ~100 items are timed a tenth as often. */
  const budget = (kind: { items: number }) => (kind.items > 50 ? Math.ceil(REPEAT / 10) : REPEAT);
  // Order moves use up unbilled accounts: keep the moves within the seeded accounts.
  const moveAccounts = (REPEAT + WARMUP) * (1 + 9 / 10) + 20;
  if (moveAccounts > SEED_ACCOUNTS) throw new Error(`BENCH_REPEAT + BENCH_WARMUP need more than ${SEED_ACCOUNTS} seeded accounts`);
  for (const [name, kind] of Object.entries(kinds)) {
    const n = budget(kind);
    const runMany = async (count: number, from: number) => {
      let i = from;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (i < from + count) await kind.run(i++);
        }),
      );
    };
    await runMany(Math.ceil((WARMUP * n) / REPEAT), 0); // warm-up (the JIT compiles the path)
    const j0 = javaCpuSeconds();
    const n0 = nodeCpuSeconds();
    const t0 = performance.now();
    await runMany(n, Math.ceil((WARMUP * n) / REPEAT));
    costs[name] = {
      items: kind.items,
      wallMs: round((performance.now() - t0) / n),
      javaCpuMs: round(((javaCpuSeconds() - j0) * 1000) / n),
      nodeCpuMs: round(((nodeCpuSeconds() - n0) * 1000) / n),
    };
  }
  // How many cores DynamoDB Local uses when many requests are in flight: it serialises them, so a run's wall time
  // cannot drop below the emulator's CPU time however many accounts are billed at once.
  for (const name of ['GetItem', 'BatchWriteItem (25 open bills)']) {
    for (const concurrency of [1, 16]) {
      const kind = kinds[name]!;
      const j0 = javaCpuSeconds();
      const t0 = performance.now();
      let done = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (performance.now() - t0 < PARALLEL_MS) await kind.run(done++);
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      parallelism.push({
        request: name,
        concurrency,
        perSecond: round(done / seconds, 0),
        javaCores: round((javaCpuSeconds() - j0) / seconds),
      });
    }
  }
} finally {
  await ddb.stop();
}

// The DynamoDB requests a run of ACCOUNTS accounts (10 orders each, auto-close) sends, as bench:billing-run counts
// them (docs/billing.md "Performance"), priced at the costs above.
const cost = (name: string) => costs[name]!.javaCpuMs / 1000;
const blocks = Math.ceil(ACCOUNTS / 32);
const pricing =
  ACCOUNTS * (2 * cost('Query (an account: 10 orders)') + cost('TransactWriteItems (an open bill + 10 conditional order moves)'));
const closing =
  ACCOUNTS * cost('Query (an account: 10 orders)') + // each account's payment sources
  blocks * cost('TransactWriteItems (a block of 32 issued bills: counter, claims, bills, documents)') +
  Math.ceil(ACCOUNTS / 100) * 2 * cost('BatchGetItem (100 items)');
// The least any design writes: each account's bill (issued with its lines) and ONE item for its orders' billing
// positions, in 100-item transactions — no queries, no document or number claim, no reads at all.
const floor = ((ACCOUNTS * 2) / 99) * cost('TransactWriteItems (9 open bills + 90 order moves)');
const cpus = availableParallelism();
console.log(
  JSON.stringify({
    bench: 'dynamodb-local',
    repeat: REPEAT,
    concurrency: CONCURRENCY,
    costs,
    parallelism,
    billingRun: {
      accounts: ACCOUNTS,
      javaCpuSeconds: { pricing: round(pricing, 1), closing: round(closing, 1), total: round(pricing + closing, 1) },
      leastWritesJavaCpuSeconds: round(floor, 1),
      cpuSecondsInTarget: 20 * cpus,
    },
    cpus,
    load: loadavg()[0]?.toFixed(2),
  }),
);
