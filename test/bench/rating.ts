// npm run bench:rating — rate evaluations per second for a 5-pack, 20-rate table at n = 1…1,000, per algorithm.
// Prints a JSON line last. Reported, not asserted (target ≥ 1,000,000/s on 2 cores).
//
//  - evaluationsPerSecond (the headline): compileRating(...).total(n), the call the billing engine makes per order,
//    with a fresh compileRating for every sweep of n = 1…1,000, so compilation is included and every total is
//    computed (nothing comes from the memo); one worker thread per core, up to 2.
//  - singleThread.compiledTotal: the same on one thread; compiledTotalPerCpuSecond divides by the CPU time the process
//    used instead of wall time, which is the steadier figure on a busy machine.
//  - singleThread.compiledTotalMemoised: one compiled table reused; totals below 65,536 are memoised after their first
//    evaluation, so this is a lookup — the steady state of a long billing run.
//  - singleThread.compiledRate: compileRating(...).rate(n), with the lines (allocation, merging, pack names).
//  - singleThread.reference: the uncompiled rate(), for comparison.
import { availableParallelism, loadavg } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { money } from '@consort/shared/core/money';
import { compileRating, rate, type PackRates, type RatingAlgorithm } from '@consort/shared/pricing/rating';

const ALGORITHMS: RatingAlgorithm[] = ['progressive', 'best', 'match'];
const MAX_N = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);

const pack = (name: string, options: Partial<PackRates>, rates: [number, string][]): PackRates => ({
  name,
  default: false,
  combinable: true,
  allowMultiple: false,
  contracted: 1,
  ...options,
  rates: rates.map(([from, price]) => ({ from, price: money(price) })),
});

/** 5 packs, 20 rates: two default/contracted combinable packs, a prepaid bundle contracted 3 times, two exclusive plans. */
const NOMINAL = money('12.00');
const PACKS: PackRates[] = [
  pack('Default', { default: true }, [
    [1, '12.00'],
    [11, '9.50'],
    [51, '7.25'],
    [201, '5.10'],
  ]),
  pack('Organisation member', {}, [
    [1, '0.00'],
    [6, '9.00'],
    [101, '6.80'],
    [501, '4.90'],
  ]),
  pack('Prepaid bundle', { allowMultiple: true, contracted: 3 }, [
    [1, '0.00'],
    [26, '8.75'],
    [301, '5.50'],
    [801, '4.20'],
  ]),
  pack('Reseller', { combinable: false }, [
    [0, '11.00'],
    [21, '8.00'],
    [151, '5.75'],
    [601, '3.95'],
  ]),
  pack('Personal member', { combinable: false }, [
    [1, '10.00'],
    [31, '8.50'],
    [251, '6.00'],
    [701, '4.50'],
  ]),
];

/** Evaluations per CPU second of the last `measure` (user + system time of the process, not wall time). */
let lastPerCpuSecond = 0;

/** Run `sweep` (one pass over n = 1…1,000) repeatedly for about SECONDS; evaluations per (wall-clock) second. */
function measure(sweep: () => unknown): number {
  sweep(); // warm-up: JIT, memo
  let sweeps = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < SECONDS * 1000) {
    sweep();
    sweeps++;
    elapsed = performance.now() - started;
  }
  const used = process.cpuUsage(cpu);
  lastPerCpuSecond = Math.round((sweeps * MAX_N) / ((used.user + used.system) / 1e6));
  return Math.round((sweeps * MAX_N) / (elapsed / 1000));
}

const fmt = (n: number) => n.toLocaleString('en');

let sink = 0; // keeps results observable so nothing is optimised away

function compiledTotal(algorithm: RatingAlgorithm): number {
  return measure(() => {
    const compiled = compileRating(algorithm, NOMINAL, PACKS);
    for (let n = 1; n <= MAX_N; n++) sink += compiled.total(n).e;
  });
}

function compiledTotalMemoised(algorithm: RatingAlgorithm): number {
  const compiled = compileRating(algorithm, NOMINAL, PACKS);
  return measure(() => {
    for (let n = 1; n <= MAX_N; n++) sink += compiled.total(n).e;
  });
}

function compiledRate(algorithm: RatingAlgorithm): number {
  const compiled = compileRating(algorithm, NOMINAL, PACKS);
  return measure(() => {
    for (let n = 1; n <= MAX_N; n++) sink += compiled.rate(n).lines.length;
  });
}

function reference(algorithm: RatingAlgorithm): number {
  return measure(() => {
    for (let n = 1; n <= MAX_N; n++) sink += rate(algorithm, n, NOMINAL, PACKS).lines.length;
  });
}

function inWorkers(algorithm: RatingAlgorithm, workers: number): Promise<number> {
  return Promise.all(
    Array.from(
      { length: workers },
      () =>
        new Promise<number>((resolve, reject) => {
          // Workers do not inherit tsx's loader: register it, then load this file again.
          const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); })`;
          const worker = new Worker(bootstrap, { eval: true, workerData: { algorithm } });
          worker.once('message', resolve);
          worker.once('error', reject);
        }),
    ),
  ).then((rates) => rates.reduce((a, b) => a + b, 0));
}

async function main() {
  // Sanity: compiled and reference agree on the benchmark table before anything is timed.
  for (const algorithm of ALGORITHMS) {
    const compiled = compileRating(algorithm, NOMINAL, PACKS);
    for (let n = 0; n <= MAX_N; n++) {
      if (!compiled.total(n).eq(rate(algorithm, n, NOMINAL, PACKS).total))
        throw new Error(`${algorithm}: compiled total differs at n=${n}`);
    }
  }
  const cores = Math.min(2, availableParallelism());
  const results: Record<string, Record<RatingAlgorithm, number>> = {
    parallel: {} as Record<RatingAlgorithm, number>,
    compiledTotal: {} as Record<RatingAlgorithm, number>,
    compiledTotalPerCpuSecond: {} as Record<RatingAlgorithm, number>,
    compiledTotalMemoised: {} as Record<RatingAlgorithm, number>,
    compiledRate: {} as Record<RatingAlgorithm, number>,
    reference: {} as Record<RatingAlgorithm, number>,
  };
  for (const algorithm of ALGORITHMS) {
    results.parallel![algorithm] = await inWorkers(algorithm, cores);
    results.compiledTotal![algorithm] = compiledTotal(algorithm);
    results.compiledTotalPerCpuSecond![algorithm] = lastPerCpuSecond;
    results.compiledTotalMemoised![algorithm] = compiledTotalMemoised(algorithm);
    results.compiledRate![algorithm] = compiledRate(algorithm);
    results.reference![algorithm] = reference(algorithm);
    console.error(
      `${algorithm.padEnd(11)} total(n) on ${cores} threads ${fmt(results.parallel![algorithm]!)}/s · 1 thread ${fmt(results.compiledTotal![algorithm]!)}/s ` +
        `(${fmt(results.compiledTotalPerCpuSecond![algorithm]!)}/CPU-s) · ` +
        `memoised ${fmt(results.compiledTotalMemoised![algorithm]!)}/s · rate(n) with lines ${fmt(results.compiledRate![algorithm]!)}/s · ` +
        `uncompiled rate() ${fmt(results.reference![algorithm]!)}/s`,
    );
  }
  console.log(
    JSON.stringify({
      bench: 'rating',
      table: { packs: PACKS.length, rates: PACKS.reduce((s, p) => s + p.rates.length, 0) },
      quantities: `1..${MAX_N}`,
      node: process.version,
      threads: cores,
      loadAverage: loadavg()[0],
      target: 1_000_000,
      evaluationsPerSecond: results.parallel,
      singleThread: {
        compiledTotal: results.compiledTotal,
        compiledTotalPerCpuSecond: results.compiledTotalPerCpuSecond,
        compiledTotalMemoised: results.compiledTotalMemoised,
        compiledRate: results.compiledRate,
        reference: results.reference,
      },
    }),
  );
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else {
  parentPort!.postMessage(compiledTotal((workerData as { algorithm: RatingAlgorithm }).algorithm));
  if (sink === -1) console.log(sink);
}
