// npm run bench:billing-engine — price 100,000 orders across 10,000 accounts in memory with `proposeLines` (one
// call, like a tenant-wide billing run). Each account has 4 mailboxes (progressive, some with the Organisation pack),
// 3 domains (registered-and-renewed, annual on registration), 2 prepaid disks with a metric history and 1 postpaid
// traffic order. Prints a JSON line last: seconds and orders per second (target ≤ 2 s; reported, not asserted).
import { BillableService, ContractedPack, Pack } from '@consort/shared/catalog/model';
import { addDays, type LocalDate } from '@consort/shared/core/dates';
import type { Order } from '@consort/shared/orders/model';
import { proposeLines } from '@consort/shared/pricing/engine';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const STAMP = '2024-01-01T00:00:00Z';

// A small deterministic generator (mulberry32) so every run prices the same orders.
let seed = 42;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (n: number) => Math.floor(random() * n);

const definition = (json: Record<string, unknown>) =>
  BillableService.parse({ tenantId: 'tnt_1', serviceKind: 'mailbox', createdAt: STAMP, updatedAt: STAMP, ...json });

const definitions = [
  definition({ id: 'bsv_mailbox', name: 'Mailbox', nominalPrice: '15.00', onCancel: 'compensate' }),
  definition({
    id: 'bsv_domain',
    name: 'Domain',
    serviceKind: 'domain',
    billingPeriod: 'annual',
    billingPoint: 'on-register',
    pricingPeriod: 'annual',
    metric: { type: 'count', mode: 'registered-and-renewed' },
    nominalPrice: '15.00',
  }),
  definition({ id: 'bsv_disk', name: 'Disk', metric: { type: 'named', name: 'disk' }, nominalPrice: '0.50' }),
  definition({
    id: 'bsv_traffic',
    name: 'Traffic',
    metric: { type: 'named', name: 'traffic', mode: 'sum-during-period' },
    paymentStyle: 'postpay',
    onCancel: 'nothing',
    nominalPrice: '0.10',
  }),
];

const rates = (id: string, table: [number, string][]) => table.map(([from, price]) => ({ billableServiceId: id, from, price }));
const packs = [
  Pack.parse({
    tenantId: 'tnt_1',
    id: 'pck_default',
    name: 'Default',
    isDefault: true,
    rates: [
      ...rates('bsv_mailbox', [
        [1, '15'],
        [5, '10'],
        [10, '5'],
      ]),
      ...rates('bsv_domain', [
        [1, '15'],
        [5, '10'],
        [10, '5'],
      ]),
      ...rates('bsv_disk', [
        [1, '0'],
        [6, '0.50'],
      ]),
    ],
    createdAt: STAMP,
    updatedAt: STAMP,
  }),
  Pack.parse({
    tenantId: 'tnt_1',
    id: 'pck_org',
    name: 'Organisation',
    rates: [
      ...rates('bsv_mailbox', [
        [1, '0'],
        [2, '10'],
      ]),
      ...rates('bsv_domain', [
        [1, '0'],
        [2, '10'],
      ]),
    ],
    createdAt: '2024-01-02T00:00:00Z',
    updatedAt: STAMP,
  }),
  Pack.parse({
    tenantId: 'tnt_1',
    id: 'pck_transit',
    name: 'Transit 50 GB',
    allowMultiple: true,
    rates: rates('bsv_traffic', [
      [1, '0'],
      [51, '0.10'],
    ]),
    createdAt: '2024-01-03T00:00:00Z',
    updatedAt: STAMP,
  }),
];

const today: LocalDate = '2024-04-01';
const orders: Order[] = [];
const packsByAccount: Record<string, ContractedPack[]> = {};
let n = 0;
const order = (accountId: string, billableServiceId: string, fields: Partial<Order>): Order => ({
  tenantId: 'tnt_1',
  id: `ord_${String(++n).padStart(7, '0')}`,
  accountId,
  serviceId: `svc_${n}`,
  billableServiceId,
  description: `service ${n}`,
  registeredOn: '2023-01-01',
  ignored: false,
  deactivations: [],
  metricHistory: [],
  ...fields,
});

for (let a = 0; a < ACCOUNTS; a++) {
  const accountId = `acc_${String(a).padStart(5, '0')}`;
  const contracts: ContractedPack[] = [];
  if (a % 3 === 0)
    contracts.push({ tenantId: 'tnt_1', id: `cpk_${a}_o`, accountId, packId: 'pck_org', startsOn: '2023-01-01', createdAt: STAMP });
  for (let k = 0; k < a % 3; k++)
    contracts.push({ tenantId: 'tnt_1', id: `cpk_${a}_t${k}`, accountId, packId: 'pck_transit', startsOn: '2023-01-01', createdAt: STAMP });
  packsByAccount[accountId] = contracts;
  // Mailboxes: prepaid to 1 Mar; some new in March, some cancelled in March.
  for (let i = 0; i < 4; i++) {
    const isNew = random() < 0.2;
    const registeredOn = isNew ? addDays('2024-03-01', pick(31)) : '2023-06-01';
    const cancelledOn = !isNew && random() < 0.1 ? addDays('2024-03-01', pick(31)) : undefined;
    orders.push(
      order(accountId, 'bsv_mailbox', {
        registeredOn,
        ...(isNew ? {} : { billedUntil: '2024-03-01', billedOn: '2024-02-01' }),
        ...(cancelledOn ? { cancelledOn } : {}),
      }),
    );
  }
  // Domains: registered over the last two years, renewed on their anniversary.
  for (let i = 0; i < 3; i++) {
    const registeredOn = addDays('2022-04-01', pick(730));
    const paid = addDays(registeredOn, 0).replace(/^(\d{4})/, (y) => String(Number(y) + (registeredOn < '2023-04-01' ? 2 : 1)));
    orders.push(order(accountId, 'bsv_domain', { registeredOn, billedUntil: paid > '2024-05-01' ? '2024-05-01' : paid }));
  }
  // Disks: prepaid March at 5 GB, grown during March (recharge) and billed for April.
  for (let i = 0; i < 2; i++) {
    const grownOn = addDays('2024-03-01', 1 + pick(29));
    orders.push(
      order(accountId, 'bsv_disk', {
        billedOn: '2024-03-01',
        billedUntil: '2024-04-01',
        billedMetric: '5',
        metricHistory: [
          { on: '2023-01-01', value: '5' },
          { on: grownOn, value: String(5 + pick(20)) },
        ],
      }),
    );
  }
  // Traffic: postpaid March, a daily value that changes every few days.
  const history = [];
  for (let day = 0; day < 31; day += 1 + pick(6)) history.push({ on: addDays('2024-03-01', day), value: String(pick(8)) });
  orders.push(order(accountId, 'bsv_traffic', { billedUntil: '2024-03-01', billedOn: '2024-03-01', metricHistory: history }));
}

const input = { settings: { currency: 'EUR' }, definitions, packs, packsByAccount, orders, billUntil: today, today };
// One warm-up run on a slice (JIT), then the measured run over everything.
proposeLines({ ...input, orders: orders.slice(0, 5_000) });
const started = performance.now();
const cpu = process.cpuUsage();
const result = proposeLines(input);
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const cpuSeconds = (used.user + used.system) / 1e6;

const byKind = result.proposals.reduce<Record<string, number>>((counts, p) => ((counts[p.kind] = (counts[p.kind] ?? 0) + 1), counts), {});
console.log(
  JSON.stringify({
    bench: 'billing-engine',
    accounts: ACCOUNTS,
    orders: orders.length,
    proposals: result.proposals.length,
    byKind,
    skipped: result.skipped.length,
    seconds: Number(seconds.toFixed(3)),
    // CPU time of the call: on a busy shared machine wall time overstates it.
    cpuSeconds: Number(cpuSeconds.toFixed(3)),
    ordersPerSecond: Math.round(orders.length / seconds),
    targetSeconds: 2,
  }),
);
