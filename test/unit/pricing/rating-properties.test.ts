// Property tests for the rating algorithms on seeded random tables (no dependency: test/support/random.ts).
import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { money } from '@consort/shared/core/money';
import { compileRating, rate, unitPrices, type PackRates, type RatingAlgorithm } from '@consort/shared/pricing/rating';
import { seeded, type Random } from '../../support/random';

const ALGORITHMS: RatingAlgorithm[] = ['progressive', 'best', 'match'];
const PRICES = ['0.00', '0.50', '1.00', '2.50', '5.00', '7.00', '9.99', '10.00', '15.00'];

interface Case {
  nominal: Decimal;
  packs: PackRates[];
}

/** 1–`maxPacks` packs of 1–4 rates starting at distinct units 0–10; prices sorted when a monotone table is asked for. */
function randomCase(random: Random, { maxPacks = 4, monotone }: { maxPacks?: number; monotone?: 'up' | 'down' } = {}): Case {
  const packs: PackRates[] = [];
  for (let p = 0, count = random.int(1, maxPacks); p < count; p++) {
    const froms = [...new Set(Array.from({ length: random.int(1, 4) }, () => random.int(1, 10)))].sort((a, b) => a - b);
    const prices = froms
      .map(() => random.pick(PRICES))
      .sort((a, b) => (monotone === 'down' ? Number(b) - Number(a) : Number(a) - Number(b)));
    if (!monotone) prices.sort(() => random.next() - 0.5);
    const isDefault = random.chance(0.4);
    packs.push({
      name: `P${p}`,
      default: isDefault,
      combinable: random.chance(0.7),
      allowMultiple: random.chance(0.5),
      contracted: random.int(0, 3),
      // a rate from unit 1 is sometimes written as from 0
      rates: froms.map((from, i) => ({ from: from === 1 && random.chance(0.3) ? 0 : from, price: money(prices[i]!) })),
    });
  }
  // Units before a pack's first rate cost the nominal price: keep the standardised table monotone too.
  const nominal = monotone === 'up' ? '0.00' : monotone === 'down' ? '20.00' : random.pick(PRICES);
  return { nominal: money(nominal), packs };
}

// ---------------------------------------------------------------------------------------------------------------
// An independent reading of the progressive definition, in integer cents, for brute force.

interface Band {
  start: number;
  width: number;
  cents: number;
}

const cents = (d: Decimal) => Math.round(d.toNumber() * 100);

function candidateBands({ nominal, packs }: Case): Band[][] {
  const tables: { combinable: boolean; bands: Band[] }[] = [];
  for (const pack of packs) {
    const k = pack.default ? 1 : pack.allowMultiple ? pack.contracted : Math.min(pack.contracted, 1);
    if (k === 0 || pack.rates.length === 0) continue;
    const rates = pack.rates.map((r) => ({ from: Math.max(1, r.from), cents: cents(r.price) })).sort((a, b) => a.from - b.from);
    if (rates[0]!.from > 1) rates.unshift({ from: 1, cents: cents(nominal) });
    const bands = rates.map((r, i) => {
      const next = rates[i + 1];
      const width = next ? (next.from - r.from) * (k > 1 && r.cents < next.cents ? k : 1) : Infinity;
      return { start: r.from, width, cents: r.cents };
    });
    tables.push({ combinable: pack.combinable, bands });
  }
  if (tables.length === 0) return [[{ start: 1, width: Infinity, cents: cents(nominal) }]];
  const pool = tables.filter((t) => t.combinable).flatMap((t) => t.bands);
  return [...(pool.length ? [pool] : []), ...tables.filter((t) => !t.combinable).map((t) => t.bands)];
}

/** The cheapest of all valid allocations of units 1…n to bands (start ≤ position, within width); exhaustive search. */
function cheapestAllocation(bands: Band[], n: number): number {
  const memo = new Map<string, number>();
  const search = (position: number, remaining: number[]): number => {
    if (position > n) return 0;
    const key = `${position}|${remaining.join(',')}`;
    const known = memo.get(key);
    if (known !== undefined) return known;
    let best = Infinity;
    bands.forEach((band, i) => {
      if (band.start > position || remaining[i]! === 0) return;
      const next = [...remaining];
      next[i] = next[i]! - 1;
      best = Math.min(best, band.cents + search(position + 1, next));
    });
    memo.set(key, best);
    return best;
  };
  return search(
    1,
    bands.map((b) => Math.min(b.width, n)),
  );
}

/** The definition's greedy, one unit at a time: unit prices in cents of the cheapest candidate. */
function naiveProgressive(kase: Case, n: number): number[] {
  let winner: number[] | undefined;
  for (const bands of candidateBands(kase)) {
    const remaining = bands.map((b) => b.width);
    const prices: number[] = [];
    for (let position = 1; position <= n; position++) {
      let chosen = -1;
      bands.forEach((b, i) => {
        if (b.start <= position && remaining[i]! > 0 && (chosen < 0 || b.cents < bands[chosen]!.cents)) chosen = i;
      });
      remaining[chosen] = remaining[chosen]! - 1;
      prices.push(bands[chosen]!.cents);
    }
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    if (!winner || sum(prices) < sum(winner)) winner = prices;
  }
  return winner!;
}

// ---------------------------------------------------------------------------------------------------------------

// A few seconds of CPU in all; generous timeouts because the machine may be shared.
describe('rating properties (seeded random tables)', { timeout: 120_000 }, () => {
  it('totals are the sum of the lines; lines cover exactly n units with merged prices', () => {
    const random = seeded(101);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random);
      for (const algorithm of ALGORITHMS) {
        for (const n of [0, 1, 2, 3, 5, 8, 13, 21, random.int(22, 500)]) {
          const { lines, total } = rate(algorithm, n, kase.nominal, kase.packs);
          expect(lines.reduce((s, l) => s + l.quantity, 0)).toBe(n);
          expect(total.eq(lines.reduce((s, l) => s.plus(l.price.times(l.quantity)), new Decimal(0)))).toBe(true);
          lines.forEach((l, i) => {
            expect(l.quantity).toBeGreaterThan(0);
            if (i > 0) expect(l.price.eq(lines[i - 1]!.price)).toBe(false);
          });
          const units = unitPrices(algorithm, n, kase.nominal, kase.packs);
          expect(units).toHaveLength(n);
          expect(total.eq(units.reduce((s, p) => s.plus(p), new Decimal(0)))).toBe(true);
        }
      }
    }
  });

  it('compileRating agrees with rate()', () => {
    const random = seeded(102);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random, { maxPacks: 5 });
      for (const algorithm of ALGORITHMS) {
        const compiled = compileRating(algorithm, kase.nominal, kase.packs);
        const quantities = [...Array.from({ length: 40 }, (_, i) => i), random.int(41, 5000), random.int(70_000, 10_000_000)];
        for (const n of quantities) {
          const expected = rate(algorithm, n, kase.nominal, kase.packs);
          const got = compiled.rate(n);
          expect(compiled.total(n).eq(expected.total), `${algorithm} n=${n}`).toBe(true);
          expect(got.total.eq(expected.total)).toBe(true);
          expect(got.lines.map((l) => [l.quantity, l.price.toString(), l.pack])).toEqual(
            expected.lines.map((l) => [l.quantity, l.price.toString(), l.pack]),
          );
        }
      }
    }
  });

  it('progressive is never beaten by any other valid allocation (exhaustive, up to 8 units)', () => {
    const random = seeded(103);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random, { maxPacks: 3 });
      const candidates = candidateBands(kase);
      for (let n = 1; n <= 8; n++) {
        const optimum = Math.min(...candidates.map((bands) => cheapestAllocation(bands, n)));
        const total = cents(rate('progressive', n, kase.nominal, kase.packs).total);
        expect(total, JSON.stringify({ n, kase })).toBe(optimum);
      }
    }
  });

  it('progressive prices unit positions as the one-at-a-time definition does', () => {
    const random = seeded(104);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random);
      const n = random.int(1, 60);
      const expected = naiveProgressive(kase, n);
      const got = unitPrices('progressive', n, kase.nominal, kase.packs).map(cents);
      expect(got).toEqual(expected);
    }
  });

  it('tables whose prices never fall: every algorithm charges more (or the same) for more units', () => {
    const random = seeded(105);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random, { monotone: 'up' });
      for (const algorithm of ALGORITHMS) {
        let previous = new Decimal(0);
        for (let n = 1; n <= 30; n++) {
          const { total } = rate(algorithm, n, kase.nominal, kase.packs);
          expect(total.gte(previous), `${algorithm} n=${n}`).toBe(true);
          previous = total;
        }
      }
    }
  });

  it('tables whose prices never rise: best and match never raise the average unit price for more units', () => {
    const random = seeded(106);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random, { monotone: 'down' });
      for (const algorithm of ['best', 'match'] as const) {
        let previous: Decimal | undefined;
        for (let n = 1; n <= 30; n++) {
          const average = rate(algorithm, n, kase.nominal, kase.packs).total.div(n);
          if (previous) expect(average.lte(previous), `${algorithm} n=${n}`).toBe(true);
          previous = average;
        }
      }
    }
  });

  it('progressive never charges less for more units when no price is negative', () => {
    const random = seeded(107);
    for (let t = 0; t < 300; t++) {
      const kase = randomCase(random);
      const compiled = compileRating('progressive', kase.nominal, kase.packs);
      for (let n = 1; n <= 40; n++) expect(compiled.total(n).gte(compiled.total(n - 1))).toBe(true);
    }
  });
});
