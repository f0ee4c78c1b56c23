import Decimal from 'decimal.js';
import { z } from 'zod';
import { Money } from '../core/money';

// The three rating algorithms of issue 3 ("The rating algorithms (normative)"). `rate` is the reference
// implementation, written to read like the definitions, with decimal.js arithmetic; `compileRating` precomputes a
// table (BigInt minor units) for fast repeated evaluation and is checked against `rate` by property tests.

/** best = volume pricing; progressive = graduated, cheapest prices with accumulation of pack entries; match = one price. */
export const RatingAlgorithm = z.enum(['best', 'progressive', 'match']);
export type RatingAlgorithm = z.infer<typeof RatingAlgorithm>;

/** "From unit `from` on, the unit price is `price`" (from = 0 behaves as 1). */
export interface Rate {
  from: number;
  price: Decimal;
}

/** A pack (plan) with its rates for one billable service, as it applies to one account. */
export interface PackRates {
  name: string;
  /** Default packs always apply (once); other packs apply once per contraction. */
  default: boolean;
  /** Progressive only: combinable packs are priced together, a non-combinable pack only on its own. */
  combinable: boolean;
  allowMultiple: boolean;
  /** How many times the account contracted the pack (0 = it doesn't apply); capped at 1 unless allowMultiple. */
  contracted: number;
  rates: Rate[];
}

/** `quantity` units at `price`; `pack` names the pack(s) whose rates gave the price, null = the nominal price. */
export interface RatedLine {
  quantity: number;
  price: Decimal;
  pack: string | null;
}

/** The lines in allocation order (equal consecutive prices merged) and their exact total. */
export interface Rating {
  lines: RatedLine[];
  total: Decimal;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalised input shared by both implementations

/** A pack's rate after normalisation: from ≥ 1, sorted, the first starting at unit 1. */
interface Step {
  from: number;
  price: Decimal;
  source: string | null;
}

interface Table {
  combinable: boolean;
  /** Number of contractions (1 for default packs). */
  k: number;
  steps: Step[];
}

/**
 * Applicable packs in creation order, with their rates sorted and standardised: a pack whose first rate starts
 * after unit 1 gets units 1…q−1 at the nominal price. Without any applicable rate, one pseudo-pack prices every unit
 * at the nominal price (which gives exactly that under all three algorithms).
 */
function tablesOf(nominalPrice: Decimal, packs: readonly PackRates[]): Table[] {
  assertPrice(nominalPrice, 'The nominal price');
  const tables: Table[] = [];
  for (const pack of packs) {
    if (!Number.isSafeInteger(pack.contracted) || pack.contracted < 0) {
      throw new RangeError(`Pack "${pack.name}": contracted must be a whole number ≥ 0`);
    }
    const k = pack.default ? 1 : pack.allowMultiple ? pack.contracted : Math.min(pack.contracted, 1);
    if (k === 0 || pack.rates.length === 0) continue;
    const steps = pack.rates
      .map((rate): Step => {
        if (!Number.isSafeInteger(rate.from) || rate.from < 0) {
          throw new RangeError(`Pack "${pack.name}": a rate starts at ${rate.from}; use a whole number ≥ 0`);
        }
        assertPrice(rate.price, `Pack "${pack.name}": the price from unit ${rate.from}`);
        return { from: Math.max(rate.from, 1), price: rate.price, source: pack.name };
      })
      .sort((a, b) => a.from - b.from);
    steps.forEach((step, i) => {
      if (i > 0 && steps[i - 1]!.from === step.from) {
        throw new RangeError(`Pack "${pack.name}" has two rates from unit ${step.from} (0 counts as 1)`);
      }
    });
    if (steps[0]!.from > 1) steps.unshift({ from: 1, price: nominalPrice, source: null });
    tables.push({ combinable: pack.combinable, k, steps });
  }
  if (tables.length === 0) tables.push({ combinable: true, k: 1, steps: [{ from: 1, price: nominalPrice, source: null }] });
  return tables;
}

function assertPrice(price: Decimal, what: string): void {
  if (!Decimal.isDecimal(price) || !price.isFinite()) throw new RangeError(`${what} is not a finite decimal`);
}

function assertQuantity(quantity: number): void {
  if (!Number.isSafeInteger(quantity) || quantity < 0) throw new RangeError(`Quantity ${quantity} is not a whole number ≥ 0`);
}

/** Consecutive units priced alike, before merging. `count` may be Infinity for the open end of a compiled table. */
interface Run {
  count: number;
  price: Decimal;
  source: string | null;
}

/** Merge equal consecutive prices; a line priced by several packs names them all ("Organisation + Default"). */
function linesOf(runs: readonly Run[]): RatedLine[] {
  const lines: RatedLine[] = [];
  let names: string[] = [];
  for (const run of runs) {
    if (run.count <= 0) continue;
    let line = lines[lines.length - 1];
    if (line && line.price.eq(run.price)) {
      line.quantity += run.count;
    } else {
      line = { quantity: run.count, price: run.price, pack: null };
      lines.push(line);
      names = [];
    }
    if (run.source !== null && !names.includes(run.source)) {
      names.push(run.source);
      line.pack = names.join(' + ');
    }
  }
  return lines;
}

function sumOf(lines: readonly RatedLine[]): Decimal {
  return lines.reduce((sum, line) => sum.plus(line.price.times(line.quantity)), new Money(0));
}

// ---------------------------------------------------------------------------------------------------------------
// Progressive

interface Band {
  start: number;
  width: number;
  price: Decimal;
  source: string | null;
}

/**
 * The bands of one pack: from unit q_i, width q_{i+1} − q_i, the last one unbounded. With k contractions, every
 * band cheaper than the band after it is k times as wide (prepaid allowances add up).
 */
function bandsOf(table: Table): Band[] {
  return table.steps.map((step, i) => {
    const next = table.steps[i + 1];
    let width = next ? next.from - step.from : Infinity;
    if (next && table.k > 1 && step.price.lt(next.price)) width *= table.k;
    return { start: step.from, width, price: step.price, source: step.source };
  });
}

/** The combinable packs' bands as one pool (if any), then each non-combinable pack alone. */
function candidatesOf(tables: readonly Table[]): Band[][] {
  const pool = tables.filter((t) => t.combinable).flatMap(bandsOf);
  const alone = tables.filter((t) => !t.combinable).map(bandsOf);
  return pool.length > 0 ? [pool, ...alone] : alone;
}

/**
 * Greedy allocation by unit position: the unit at position c takes the cheapest band that starts at or before c
 * and has capacity left (ties: earlier pack, then earlier band — the order of `bands`). Computed in runs: the choice
 * can only change when a band fills up or a new band becomes reachable. `limit` may be Infinity: the runs then end
 * with one unbounded run.
 */
function greedyRuns(bands: readonly Band[], limit: number): { band: number; count: number }[] {
  // Rank bands by price once; a stable sort keeps pack-then-band order among equal prices.
  const order = bands.map((_, i) => i).sort((a, b) => bands[a]!.price.comparedTo(bands[b]!.price));
  const rank = new Array<number>(bands.length);
  order.forEach((band, r) => (rank[band] = r));
  const remaining = bands.map((b) => b.width);
  const runs: { band: number; count: number }[] = [];
  let done = 0;
  while (done < limit) {
    const position = done + 1;
    let chosen = -1;
    let nextStart = Infinity;
    for (let i = 0; i < bands.length; i++) {
      const start = bands[i]!.start;
      if (start > position) nextStart = Math.min(nextStart, start);
      else if (remaining[i]! > 0 && (chosen < 0 || rank[i]! < rank[chosen]!)) chosen = i;
    }
    // Every pack's first band starts at 1 and its reachable bands hold at least `position` units, so there is room.
    if (chosen < 0) throw new Error('No band has room; the bands are not standardised');
    const count = Math.min(remaining[chosen]!, limit - done, nextStart - position);
    const last = runs[runs.length - 1];
    if (last && last.band === chosen) last.count += count;
    else runs.push({ band: chosen, count });
    remaining[chosen] = remaining[chosen]! - count;
    done += count;
  }
  return runs;
}

function progressiveRuns(tables: readonly Table[], quantity: number): Run[] {
  let best: { runs: Run[]; total: Decimal } | undefined;
  for (const bands of candidatesOf(tables)) {
    const runs = greedyRuns(bands, quantity).map(({ band, count }) => ({ count, price: bands[band]!.price, source: bands[band]!.source }));
    const total = runs.reduce((sum, r) => sum.plus(r.price.times(r.count)), new Money(0));
    if (!best || total.lt(best.total)) best = { runs, total };
  }
  return best!.runs;
}

// ---------------------------------------------------------------------------------------------------------------
// Best price

interface Offer {
  from: number;
  /** The next rate's start in the same pack, Infinity for a pack's last rate. */
  nextFrom: number;
  k: number;
  price: Decimal;
  source: string | null;
}

/** Every rate of every pack, in creation order (pack, then rate). */
function offersOf(tables: readonly Table[]): Offer[] {
  return tables.flatMap((t) =>
    t.steps.map((step, i) => ({
      from: step.from,
      nextFrom: t.steps[i + 1]?.from ?? Infinity,
      k: t.k,
      price: step.price,
      source: step.source,
    })),
  );
}

/**
 * Each rate with q ≤ n offers up to U × k units, U = the next rate's q − 1 (n for the pack's last applicable
 * rate); cheapest first (ties: creation order); a rate whose U is below the units already priced is skipped.
 */
function bestRuns(tables: readonly Table[], quantity: number): Run[] {
  const offers = offersOf(tables)
    .filter((o) => o.from <= quantity)
    .sort((a, b) => a.price.comparedTo(b.price));
  const runs: Run[] = [];
  let priced = 0;
  for (const offer of offers) {
    if (priced >= quantity) break;
    const upTo = offer.nextFrom <= quantity ? offer.nextFrom - 1 : quantity;
    if (upTo < priced) continue;
    const count = Math.min(upTo * offer.k, quantity - priced);
    runs.push({ count, price: offer.price, source: offer.source });
    priced += count;
  }
  return runs;
}

// ---------------------------------------------------------------------------------------------------------------
// Match price

/** Per pack the rate with the largest q ≤ n; the lowest of those (ties: earlier pack) prices all n units. */
function matchRuns(tables: readonly Table[], quantity: number): Run[] {
  let best: Step | undefined;
  for (const table of tables) {
    const step = table.steps.findLast((s) => s.from <= quantity);
    if (step && (!best || step.price.lt(best.price))) best = step;
  }
  return best ? [{ count: quantity, price: best.price, source: best.source }] : [];
}

// ---------------------------------------------------------------------------------------------------------------
// Public API

const RUNS: Record<RatingAlgorithm, (tables: readonly Table[], quantity: number) => Run[]> = {
  progressive: progressiveRuns,
  best: bestRuns,
  match: matchRuns,
};

/**
 * Price `quantity` units of a service for an account with these packs (creation order).
 * @example rate('progressive', 20, money('10.00'), [defaultPack, organisationPack])
 *   // lines 1 × 0.00, 8 × 10.00, 11 × 5.00; total 135
 */
export function rate(algorithm: RatingAlgorithm, quantity: number, nominalPrice: Decimal, packs: readonly PackRates[]): Rating {
  assertQuantity(quantity);
  const tables = tablesOf(nominalPrice, packs);
  const lines = quantity === 0 ? [] : linesOf(RUNS[algorithm](tables, quantity));
  return { lines, total: sumOf(lines) };
}

/** Price of each unit position 1..quantity in allocation order (for "the 3rd mailbox pays the 3rd-mailbox price"). */
export function unitPrices(algorithm: RatingAlgorithm, quantity: number, nominalPrice: Decimal, packs: readonly PackRates[]): Decimal[] {
  return rate(algorithm, quantity, nominalPrice, packs).lines.flatMap((line) => new Array<Decimal>(line.quantity).fill(line.price));
}

/** A rating prepared for many quantities. */
export interface CompiledRating {
  /** Same result as {@link rate} at this quantity. */
  rate(quantity: number): Rating;
  /** Same as `rate(quantity).total`; O(log rates) (best price: O(rates)), memoised for quantities below 65,536. */
  total(quantity: number): Decimal;
}

const MEMO_LIMIT = 65_536;

/**
 * Exact integer arithmetic: prices as multiples of 10^-scale. Totals are JS numbers while they are certain to stay
 * below 2^53 (exact), BigInt beyond.
 */
interface Engine {
  units(quantity: number): number | bigint;
  /** The lines for a quantity ≥ 1. */
  lines(quantity: number): RatedLine[];
}

/**
 * Precompiled table for fast repeated evaluation at many quantities (the billing engine and the benchmark use it).
 * Progressive: each candidate's greedy allocation does not depend on n, so it is computed once as runs with
 * cumulative totals, and total(n) is a binary search per candidate. Match: a step function of n. Best: the offers
 * are sorted once and walked per n. Totals are exact (BigInt minor units) and equal to {@link rate}'s.
 */
export function compileRating(algorithm: RatingAlgorithm, nominalPrice: Decimal, packs: readonly PackRates[]): CompiledRating {
  const tables = tablesOf(nominalPrice, packs);
  const scale = Math.max(...tables.flatMap((t) => t.steps.map((s) => s.price.decimalPlaces())));
  const factor = new Money(10).pow(scale);
  const toUnits = (price: Decimal) => BigInt(new Money(price).times(factor).toFixed(0));
  const engine =
    algorithm === 'progressive'
      ? compileProgressive(tables, toUnits)
      : algorithm === 'best'
        ? compileBest(tables, toUnits)
        : compileMatch(tables, toUnits);
  const memo: Decimal[] = [];
  const total = (quantity: number): Decimal => {
    assertQuantity(quantity);
    const known = quantity < MEMO_LIMIT ? memo[quantity] : undefined;
    if (known) return known;
    const value = new Money(`${engine.units(quantity)}e-${scale}`);
    if (quantity < MEMO_LIMIT) memo[quantity] = value;
    return value;
  };
  return {
    total,
    rate: (quantity) => ({ lines: quantity === 0 ? [] : engine.lines(quantity), total: total(quantity) }),
  };
}

/** Whether a minor-unit amount is exactly representable as a JS number. */
const isSafe = (units: bigint) => units <= BigInt(Number.MAX_SAFE_INTEGER) && units >= -BigInt(Number.MAX_SAFE_INTEGER);
const magnitude = (units: bigint) => Math.abs(Number(units));

/** The largest quantity q for which `offset + q × unit` (|offset| ≤ maxOffset, |unit| ≤ maxUnit) stays a safe integer. */
function safeQuantity(amounts: readonly bigint[], offsets: readonly bigint[] = []): number {
  if (![...amounts, ...offsets].every(isSafe)) return 0;
  const maxUnit = Math.max(1, ...amounts.map(magnitude));
  const maxOffset = Math.max(0, ...offsets.map(magnitude));
  return Math.max(0, Math.floor((Number.MAX_SAFE_INTEGER - maxOffset) / maxUnit));
}

/** Binary search: the first index whose `ends` value is ≥ position (ends ascending, the last is Infinity). */
function runAt(ends: readonly number[], position: number): number {
  let lo = 0;
  let hi = ends.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ends[mid]! >= position) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * The merged lines of an unbounded allocation (runs), prepared to be cut at any quantity: O(log runs) to find the
 * cut, then a copy of the lines before it. Pack names are those of the runs up to the cut, as {@link linesOf} gives.
 */
function linesUpTo(runs: readonly Run[]): { ends: number[]; cut(quantity: number): RatedLine[] } {
  const ends: number[] = [];
  const lineOf: number[] = [];
  const packUpTo: (string | null)[] = [];
  const lineStarts: number[] = [];
  const lines: RatedLine[] = [];
  let end = 0;
  let names: string[] = [];
  for (const run of runs) {
    let line = lines[lines.length - 1];
    if (line && line.price.eq(run.price)) {
      line.quantity += run.count;
    } else {
      line = { quantity: run.count, price: run.price, pack: null };
      lines.push(line);
      lineStarts.push(end);
      names = [];
    }
    if (run.source !== null && !names.includes(run.source)) names.push(run.source);
    line.pack = names.length === 0 ? null : names.join(' + ');
    packUpTo.push(line.pack);
    lineOf.push(lines.length - 1);
    end += run.count;
    ends.push(end);
  }
  return {
    ends,
    cut: (quantity) => {
      const r = runAt(ends, quantity);
      const last = lineOf[r]!;
      const out: RatedLine[] = [];
      for (let i = 0; i < last; i++) out.push({ ...lines[i]! });
      out.push({ quantity: quantity - lineStarts[last]!, price: lines[last]!.price, pack: packUpTo[r]! });
      return out;
    },
  };
}

function compileProgressive(tables: readonly Table[], toUnits: (price: Decimal) => bigint): Engine {
  const candidates = candidatesOf(tables).map((bands) => {
    const runs = greedyRuns(bands, Infinity).map(({ band, count }) => ({ count, price: bands[band]!.price, source: bands[band]!.source }));
    const { ends, cut } = linesUpTo(runs);
    const units = runs.map((r) => toUnits(r.price));
    const before: bigint[] = []; // total of all earlier runs
    let sum = 0n;
    runs.forEach((run, i) => {
      before.push(sum);
      if (Number.isFinite(run.count)) sum += BigInt(run.count) * units[i]!;
    });
    return { ends, before, units, cut, beforeN: before.map(Number), unitsN: units.map(Number) };
  });
  const safeUpTo = safeQuantity(
    candidates.flatMap((c) => c.units),
    candidates.flatMap((c) => c.before),
  );
  const winner = (quantity: number): { index: number; units: number | bigint } => {
    let index = -1;
    if (quantity <= safeUpTo) {
      let best = 0;
      for (let i = 0; i < candidates.length; i++) {
        const c = candidates[i]!;
        const r = runAt(c.ends, quantity);
        const total = c.beforeN[r]! + (quantity - (r === 0 ? 0 : c.ends[r - 1]!)) * c.unitsN[r]!;
        if (index < 0 || total < best) {
          index = i;
          best = total;
        }
      }
      return { index, units: best };
    }
    let best = 0n;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      const r = runAt(c.ends, quantity);
      const total = c.before[r]! + BigInt(quantity - (r === 0 ? 0 : c.ends[r - 1]!)) * c.units[r]!;
      if (index < 0 || total < best) {
        index = i;
        best = total;
      }
    }
    return { index, units: best };
  };
  return {
    units: (quantity) => (quantity === 0 ? 0 : winner(quantity).units),
    lines: (quantity) => candidates[winner(quantity).index]!.cut(quantity),
  };
}

function compileBest(tables: readonly Table[], toUnits: (price: Decimal) => bigint): Engine {
  const offers = offersOf(tables).map((o) => {
    const units = toUnits(o.price);
    return { ...o, units, unitsN: Number(units) };
  });
  // Stable sort by price: ties keep creation order.
  offers.sort((a, b) => (a.units < b.units ? -1 : a.units > b.units ? 1 : 0));
  // Σ count × price over counts that add up to the quantity.
  const safeUpTo = safeQuantity(offers.map((o) => o.units));
  const walk = (quantity: number, onTake?: (offer: (typeof offers)[number], count: number) => void): number | bigint => {
    const small = quantity <= safeUpTo;
    let priced = 0;
    let total = 0;
    let big = 0n;
    for (const offer of offers) {
      if (priced >= quantity) break;
      if (offer.from > quantity) continue;
      const upTo = offer.nextFrom <= quantity ? offer.nextFrom - 1 : quantity;
      if (upTo < priced) continue;
      const count = Math.min(upTo * offer.k, quantity - priced);
      if (small) total += count * offer.unitsN;
      else big += BigInt(count) * offer.units;
      priced += count;
      onTake?.(offer, count);
    }
    return small ? total : big;
  };
  return {
    units: (quantity) => walk(quantity),
    lines: (quantity) => {
      // As linesOf, comparing prices as integers.
      const lines: RatedLine[] = [];
      let units: bigint | undefined;
      let names: string[] = [];
      walk(quantity, (offer, count) => {
        let line = lines[lines.length - 1];
        if (line && offer.units === units) {
          line.quantity += count;
        } else {
          line = { quantity: count, price: offer.price, pack: null };
          lines.push(line);
          units = offer.units;
          names = [];
        }
        if (offer.source !== null && !names.includes(offer.source)) {
          names.push(offer.source);
          line.pack = names.join(' + ');
        }
      });
      return lines;
    },
  };
}

function compileMatch(tables: readonly Table[], toUnits: (price: Decimal) => bigint): Engine {
  // The winning rate only changes where some pack's rate starts: one segment per distinct start.
  const starts = [...new Set(tables.flatMap((t) => t.steps.map((s) => s.from)))].sort((a, b) => a - b);
  const winners = starts.map((at) => {
    let best: { step: Step; units: bigint } | undefined;
    for (const table of tables) {
      const step = table.steps.findLast((s) => s.from <= at);
      if (!step) continue;
      const units = toUnits(step.price);
      if (!best || units < best.units) best = { step, units };
    }
    return best!;
  });
  const safeUpTo = safeQuantity(winners.map((w) => w.units));
  // `starts` ascending; the segment of n is the last start ≤ n (starts[0] is 1).
  const segment = (quantity: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= quantity) lo = mid;
      else hi = mid - 1;
    }
    return winners[lo]!;
  };
  return {
    units: (quantity) => {
      if (quantity === 0) return 0;
      const { units } = segment(quantity);
      return quantity <= safeUpTo ? quantity * Number(units) : BigInt(quantity) * units;
    },
    lines: (quantity) => {
      const { step } = segment(quantity);
      return [{ quantity, price: step.price, pack: step.source }];
    },
  };
}
