import { describe, expect, it } from 'vitest';
import Decimal from 'decimal.js';
import { money } from '@consort/shared/core/money';
import { compileRating, rate, unitPrices, type PackRates, type Rating, type RatingAlgorithm } from '@consort/shared/pricing/rating';
import { createPack, THESIS_DEFAULT, THESIS_PACKS, THESIS_TABLE } from '../../fixtures/factories/packs';

const ALGORITHMS: RatingAlgorithm[] = ['progressive', 'best', 'match'];
const NOMINAL = money('10.00');

/** Lines as `quantity@price` with 2 decimals, for readable expectations. */
const show = (r: Rating) => r.lines.map((l) => `${l.quantity}@${l.price.toFixed(2)}`).join(' + ');
const lines = (algorithm: RatingAlgorithm, n: number, packs: readonly PackRates[], nominal: Decimal = NOMINAL) =>
  show(rate(algorithm, n, nominal, packs));
const total = (algorithm: RatingAlgorithm, n: number, packs: readonly PackRates[], nominal: Decimal = NOMINAL) =>
  rate(algorithm, n, nominal, packs).total.toFixed(2);

describe('the thesis table (Default + Organisation member packs)', () => {
  for (const algorithm of ALGORITHMS) {
    for (const [n, expected] of Object.entries(THESIS_TABLE[algorithm])) {
      it(`${algorithm}, ${n} domains → ${expected.total}`, () => {
        for (const result of [
          rate(algorithm, Number(n), NOMINAL, THESIS_PACKS),
          compileRating(algorithm, NOMINAL, THESIS_PACKS).rate(Number(n)),
        ]) {
          expect(result.lines.map((l) => [l.quantity, l.price.toFixed(2)])).toEqual(expected.lines);
          expect(result.total.toFixed(2)).toBe(expected.total);
        }
      });
    }
  }

  it('names the packs behind each line', () => {
    const { lines } = rate('progressive', 20, NOMINAL, THESIS_PACKS);
    expect(lines.map((l) => l.pack)).toEqual(['Organisation member', 'Organisation member + Default', 'Default']);
    expect(rate('match', 2, NOMINAL, THESIS_PACKS).lines[0]!.pack).toBe('Organisation member');
  });

  it('gives each unit position its price (the 3rd mailbox pays the 3rd-mailbox price)', () => {
    const prices = (algorithm: RatingAlgorithm, n: number) => unitPrices(algorithm, n, NOMINAL, THESIS_PACKS).map((p) => p.toNumber());
    expect(prices('progressive', 11)).toEqual([0, 10, 10, 10, 10, 10, 10, 10, 10, 5, 5]);
    expect(prices('best', 10)).toEqual([0, 5, 5, 5, 5, 5, 5, 5, 5, 5]);
    expect(prices('match', 3)).toEqual([10, 10, 10]);
    expect(prices('progressive', 0)).toEqual([]);
  });
});

describe('the Default pack alone', () => {
  it('progressive accumulates the tiers; best and match price every unit at the deepest tier reached', () => {
    expect([1, 2, 5, 9, 10, 20].map((n) => total('progressive', n, [THESIS_DEFAULT]))).toEqual([
      '15.00',
      '30.00',
      '70.00',
      '110.00',
      '115.00',
      '165.00',
    ]);
    for (const algorithm of ['best', 'match'] as const) {
      expect([1, 2, 5, 9, 10, 20].map((n) => total(algorithm, n, [THESIS_DEFAULT]))).toEqual([
        '15.00',
        '30.00',
        '50.00',
        '90.00',
        '50.00',
        '100.00',
      ]);
    }
  });
});

describe("orchestra's upstream examples (test_handler.py), 30 units", () => {
  const SUPER = createPack('Super', [
    [1, '0'],
    [3, '10'],
    [4, '9'],
    [10, '1'],
  ]);
  const DUPE = createPack('Dupe', [
    [1, '0'],
    [3, '9'],
  ]);
  const HYPER = createPack('Hyper', [
    [1, '0'],
    [20, '5'],
  ]);

  it('progressive', () => {
    expect(lines('progressive', 30, [SUPER])).toBe('2@0.00 + 1@10.00 + 6@9.00 + 21@1.00');
    expect(lines('progressive', 30, [SUPER, DUPE])).toBe('4@0.00 + 5@9.00 + 21@1.00');
    // a non-combinable pack competes on its own and wins here (55 < 66)
    expect(lines('progressive', 30, [SUPER, DUPE, { ...HYPER, combinable: false }])).toBe('19@0.00 + 11@5.00');
    expect(lines('progressive', 30, [SUPER, DUPE, HYPER])).toBe('23@0.00 + 7@1.00');
  });

  it('a pack contracted twice widens its cheap bands (allowMultiple)', () => {
    const twice = { ...DUPE, default: false, contracted: 2, allowMultiple: true };
    expect(lines('progressive', 30, [twice])).toBe('4@0.00 + 26@9.00');
    expect(total('progressive', 30, [twice])).toBe('234.00');
    // without allowMultiple the second contraction does not count
    expect(total('progressive', 30, [{ ...twice, allowMultiple: false }])).toBe('252.00');
  });

  it('match', () => {
    expect(lines('match', 30, [SUPER, DUPE, HYPER])).toBe('30@1.00');
    expect(lines('match', 8, [SUPER, DUPE])).toBe('8@9.00');
  });

  it('best, with a non-monotonic table', () => {
    const odd = createPack('Odd', [
      [0, '0'],
      [2, '9'],
      [3, '8'],
      [4, '7'],
      [5, '10'],
      [10, '5'],
    ]);
    expect([2, 3, 5, 9, 10].map((n) => lines('best', n, [odd]))).toEqual([
      '1@0.00 + 1@9.00',
      '1@0.00 + 2@8.00',
      '1@0.00 + 4@7.00',
      '1@0.00 + 4@7.00 + 4@10.00',
      '1@0.00 + 9@5.00',
    ]);
    const twice = { ...odd, default: false, contracted: 2, allowMultiple: true };
    expect(lines('best', 3, [twice])).toBe('2@0.00 + 1@8.00');
    expect(lines('best', 10, [twice])).toBe('2@0.00 + 8@5.00');
  });
});

describe('which packs apply', () => {
  const org = THESIS_PACKS[1]!;

  it('without any applicable rate every unit costs the nominal price', () => {
    for (const algorithm of ALGORITHMS) {
      expect(lines(algorithm, 3, [])).toBe('3@10.00');
      expect(lines(algorithm, 3, [{ ...org, contracted: 0 }])).toBe('3@10.00');
      expect(lines(algorithm, 3, [createPack('Empty', [])])).toBe('3@10.00');
      expect(rate(algorithm, 3, NOMINAL, []).lines[0]!.pack).toBeNull();
    }
  });

  it('default packs apply once whatever their contracted count', () => {
    const free = createPack('Free', [
      [1, '0'],
      [2, '10'],
    ]);
    for (const contracted of [0, 1, 5]) {
      expect(lines('progressive', 3, [{ ...free, contracted, allowMultiple: true }])).toBe('1@0.00 + 2@10.00');
    }
  });

  it('a contracted pack counts each contraction only with allowMultiple', () => {
    expect(lines('progressive', 4, [{ ...org, contracted: 3 }])).toBe('1@0.00 + 3@10.00');
    expect(lines('progressive', 4, [{ ...org, contracted: 3, allowMultiple: true }])).toBe('3@0.00 + 1@10.00');
    expect(lines('best', 4, [{ ...org, contracted: 3, allowMultiple: true }])).toBe('3@0.00 + 1@10.00');
    // match ignores duplicates
    expect(lines('match', 1, [{ ...org, contracted: 3, allowMultiple: true }])).toBe('1@0.00');
  });

  it('a pack whose first rate starts after unit 1 gets the first units at the nominal price', () => {
    const from3 = createPack('From 3', [
      [3, '4'],
      [6, '2'],
    ]);
    const r = rate('progressive', 7, NOMINAL, [from3]);
    expect(show(r)).toBe('2@10.00 + 3@4.00 + 2@2.00');
    expect(r.lines.map((l) => l.pack)).toEqual([null, 'From 3', 'From 3']);
    expect(lines('best', 2, [from3])).toBe('2@10.00');
    expect(lines('best', 4, [from3])).toBe('4@4.00');
    expect(lines('match', 2, [from3])).toBe('2@10.00');
    expect(lines('match', 6, [from3])).toBe('6@2.00');
  });

  it('a rate from unit 0 behaves as from unit 1', () => {
    const zero = createPack('Zero', [
      [0, '1'],
      [2, '3'],
    ]);
    const one = createPack('One', [
      [1, '1'],
      [2, '3'],
    ]);
    for (const algorithm of ALGORITHMS) expect(lines(algorithm, 5, [zero])).toBe(lines(algorithm, 5, [one]));
  });

  it('rates may be given in any order', () => {
    const shuffled = { ...THESIS_DEFAULT, rates: [...THESIS_DEFAULT.rates].reverse() };
    for (const algorithm of ALGORITHMS) expect(lines(algorithm, 12, [shuffled])).toBe(lines(algorithm, 12, [THESIS_DEFAULT]));
  });
});

describe('progressive candidates', () => {
  it('prices a non-combinable pack alone even when the only combinable pack was created first', () => {
    // orchestra HEAD ignored the single combinable pack in this order
    const cheap = createPack('Cheap', [[1, '1']]);
    const alone = createPack('Alone', [[1, '2']], { combinable: false });
    expect(lines('progressive', 3, [cheap, alone])).toBe('3@1.00');
    expect(lines('progressive', 3, [alone, cheap])).toBe('3@1.00');
  });

  it('does not combine a non-combinable pack with the others', () => {
    const free2 = createPack(
      'Two free',
      [
        [1, '0'],
        [3, '10'],
      ],
      { combinable: false },
    );
    const firstFree = createPack('First free', [
      [1, '0'],
      [2, '8'],
    ]);
    // combined they would give 3 free units; separately the best is 2 free + 2 × 10 = 20 vs 1 free + 3 × 8 = 24
    expect(lines('progressive', 4, [firstFree, free2])).toBe('2@0.00 + 2@10.00');
  });

  it('keeps a band for the unit positions it starts at (85 for 10 units, not 1@0 + 9@5)', () => {
    expect(total('progressive', 10, THESIS_PACKS)).toBe('85.00');
  });
});

describe('edge cases', () => {
  it('rates zero units as nothing', () => {
    for (const algorithm of ALGORITHMS) {
      const r = rate(algorithm, 0, NOMINAL, THESIS_PACKS);
      expect(r.lines).toEqual([]);
      expect(r.total.isZero()).toBe(true);
      expect(compileRating(algorithm, NOMINAL, THESIS_PACKS).total(0).toString()).toBe('0');
    }
  });

  it('keeps sub-cent prices exact', () => {
    const tiny = createPack('Tiny', [
      [1, '0.001'],
      [1000, '0.0005'],
    ]);
    for (const algorithm of ALGORITHMS) {
      expect(rate(algorithm, 2500, NOMINAL, [tiny]).total.toString()).toBe(
        compileRating(algorithm, NOMINAL, [tiny]).total(2500).toString(),
      );
    }
    expect(rate('progressive', 2500, NOMINAL, [tiny]).total.toString()).toBe('1.7495'); // 999 × 0.001 + 1501 × 0.0005
  });

  it('handles a billion units without walking them one by one', () => {
    const n = 1_000_000_000;
    // 1@0 + 8@10 + (n − 9)@5
    expect(total('progressive', n, THESIS_PACKS)).toBe('5000000035.00');
    expect(compileRating('progressive', NOMINAL, THESIS_PACKS).total(n).toFixed(2)).toBe('5000000035.00');
    expect(compileRating('best', NOMINAL, THESIS_PACKS).total(n).toFixed(2)).toBe('4999999995.00');
    expect(compileRating('match', NOMINAL, THESIS_PACKS).total(n).toFixed(2)).toBe('5000000000.00');
  });

  it('stays exact when totals pass 2^53 minor units', () => {
    const dear = createPack('Dear', [
      [1, '987654321098.76'],
      [3, '123456789012.34'],
      [7, '555555555555.55'],
    ]);
    const packs = [dear, { ...THESIS_PACKS[1]!, combinable: false }];
    const safe = Math.floor(Number.MAX_SAFE_INTEGER / 98765432109876);
    for (const algorithm of ALGORITHMS) {
      const compiled = compileRating(algorithm, NOMINAL, packs);
      for (const n of [1, 2, 9, safe - 1, safe, safe + 1, 1_000_000_000]) {
        expect(compiled.total(n).toFixed(2), `${algorithm} n=${n}`).toBe(rate(algorithm, n, NOMINAL, packs).total.toFixed(2));
      }
    }
    expect(compileRating('match', NOMINAL, [dear]).total(1_000_000_000).toFixed(2)).toBe('555555555555550000000.00');
  });

  it('refuses quantities and tables it cannot rate', () => {
    expect(() => rate('best', -1, NOMINAL, THESIS_PACKS)).toThrow(RangeError);
    expect(() => rate('best', 1.5, NOMINAL, THESIS_PACKS)).toThrow(RangeError);
    expect(() => compileRating('best', NOMINAL, THESIS_PACKS).total(Number.NaN)).toThrow(RangeError);
    const duplicate = createPack('Dup', [
      [0, '1'],
      [1, '2'],
    ]);
    expect(() => rate('best', 1, NOMINAL, [duplicate])).toThrow(/two rates from unit 1/);
    expect(() => rate('best', 1, NOMINAL, [createPack('Neg', [[-1, '1']])])).toThrow(RangeError);
    expect(() => rate('best', 1, NOMINAL, [{ ...THESIS_PACKS[1]!, contracted: -1 }])).toThrow(RangeError);
  });

  it('compiled tables memoise totals but return fresh ratings', () => {
    const compiled = compileRating('progressive', NOMINAL, THESIS_PACKS);
    expect(compiled.total(20)).toBe(compiled.total(20));
    const a = compiled.rate(20);
    a.lines.pop();
    expect(compiled.rate(20).lines).toHaveLength(3);
  });
});
