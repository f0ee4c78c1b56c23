import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  anchorDate,
  compareDates,
  daysInMonth,
  daysInYear,
  diffDays,
  diffMonthsAndDays,
  LocalDate,
  maxDate,
  minDate,
  parseLocalDate,
  toLocalDate,
} from '@consort/shared/core/dates';
import { seeded } from '../../support/random';

// The reference for day arithmetic in these tests is Date.UTC, which has no time zone.
const utc = (date: string) => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000;
const fromUtc = (days: number) => new Date(days * 86_400_000).toISOString().slice(0, 10);

function randomDate(random: ReturnType<typeof seeded>): string {
  const year = random.int(1990, 2060);
  const month = random.int(1, 12);
  return toLocalDate(year, month, random.int(1, daysInMonth(year, month)));
}

describe('LocalDate', () => {
  it('accepts real dates only', () => {
    for (const ok of ['2024-02-29', '2023-12-31', '0001-01-01', '9999-12-31', '2000-02-29'])
      expect(LocalDate.safeParse(ok).success).toBe(true);
    for (const bad of [
      '2023-02-29',
      '1900-02-29',
      '2024-04-31',
      '2024-13-01',
      '2024-00-10',
      '2024-1-1',
      '0000-01-01',
      '',
      '2024-03-15T00:00:00Z',
    ]) {
      expect(LocalDate.safeParse(bad).success, bad).toBe(false);
    }
  });

  it('explains a bad format once, and a non-existent day as such', () => {
    expect(LocalDate.safeParse('15/03/2024').error?.issues.map((i) => i.message)).toEqual(['Use a date such as 2024-03-15']);
    expect(LocalDate.safeParse('2023-02-29').error?.issues.map((i) => i.message)).toEqual(['Not a calendar date']);
  });

  it('parses and builds dates', () => {
    expect(parseLocalDate('2024-03-05')).toEqual({ year: 2024, month: 3, day: 5 });
    expect(toLocalDate(987, 1, 2)).toBe('0987-01-02');
    expect(() => parseLocalDate('2023-02-29')).toThrow(RangeError);
    expect(() => toLocalDate(2023, 2, 29)).toThrow(RangeError);
  });
});

describe('calendar facts', () => {
  it('knows month and year lengths, leap years included', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((m) => daysInMonth(2023, m))).toEqual([
      31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
    ]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect([daysInYear(2023), daysInYear(2024), daysInYear(2100)]).toEqual([365, 366, 365]);
    expect(() => daysInMonth(2024, 13)).toThrow(RangeError);
  });
});

describe('anchorDate', () => {
  it('clamps the day to the month end and rolls months into other years', () => {
    expect(anchorDate(2024, 2, 31)).toBe('2024-02-29');
    expect(anchorDate(2023, 2, 30)).toBe('2023-02-28');
    expect(anchorDate(2024, 4, 31)).toBe('2024-04-30');
    expect(anchorDate(2024, 13, 1)).toBe('2025-01-01');
    expect(anchorDate(2024, 0, 15)).toBe('2023-12-15');
    expect(anchorDate(2024, -11, 31)).toBe('2023-01-31');
  });
});

describe('addMonths', () => {
  it('keeps the day of month, clamped to the end of shorter months', () => {
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29');
    expect(addMonths('2023-01-31', 1)).toBe('2023-02-28');
    expect(addMonths('2024-01-31', 3)).toBe('2024-04-30');
    expect(addMonths('2024-03-31', -1)).toBe('2024-02-29');
    expect(addMonths('2024-02-29', 12)).toBe('2025-02-28');
    expect(addMonths('2024-11-15', 2)).toBe('2025-01-15');
    expect(addMonths('2024-01-15', -13)).toBe('2022-12-15');
    expect(addMonths('2024-05-20', 0)).toBe('2024-05-20');
  });
});

describe('addDays and diffDays', () => {
  it('cross month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-02-28', 1)).toBe('2023-03-01');
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(diffDays('2024-01-01', '2025-01-01')).toBe(366);
    expect(diffDays('2025-01-01', '2024-12-15')).toBe(-17);
  });

  it('agree with UTC calendar arithmetic on random dates', () => {
    const random = seeded(11);
    for (let i = 0; i < 2000; i++) {
      const date = randomDate(random);
      const n = random.int(-1000, 1000);
      expect(addDays(date, n)).toBe(fromUtc(utc(date) + n));
      const other = randomDate(random);
      expect(diffDays(date, other)).toBe(utc(other) - utc(date));
    }
  });
});

describe('ordering', () => {
  it('compares, and picks the earliest and latest', () => {
    expect(compareDates('2024-01-02', '2024-01-10')).toBe(-1);
    expect(compareDates('2024-01-10', '2024-01-10')).toBe(0);
    expect(compareDates('2025-01-01', '2024-12-31')).toBe(1);
    expect(minDate('2024-05-01', '2023-12-31', '2024-01-01')).toBe('2023-12-31');
    expect(maxDate('2024-05-01', '2023-12-31', '2024-01-01')).toBe('2024-05-01');
    expect(minDate('2024-05-01')).toBe('2024-05-01');
  });
});

describe('diffMonthsAndDays', () => {
  it('counts whole calendar months by clamped addition, then days', () => {
    expect(diffMonthsAndDays('2024-03-15', '2025-01-01')).toEqual({ months: 9, days: 17 });
    expect(diffMonthsAndDays('2024-03-15', '2024-04-01')).toEqual({ months: 0, days: 17 });
    expect(diffMonthsAndDays('2024-01-31', '2024-03-01')).toEqual({ months: 1, days: 1 });
    expect(diffMonthsAndDays('2024-01-31', '2024-02-29')).toEqual({ months: 1, days: 0 });
    expect(diffMonthsAndDays('2024-02-29', '2025-02-28')).toEqual({ months: 12, days: 0 });
    expect(diffMonthsAndDays('2024-05-10', '2024-05-10')).toEqual({ months: 0, days: 0 });
    expect(() => diffMonthsAndDays('2024-05-10', '2024-05-09')).toThrow(RangeError);
  });

  it('lands exactly on the end and takes as many months as fit (random dates)', () => {
    const random = seeded(12);
    for (let i = 0; i < 2000; i++) {
      const a = randomDate(random);
      const b = randomDate(random);
      const [start, end] = a <= b ? [a, b] : [b, a];
      const { months, days } = diffMonthsAndDays(start, end);
      expect(addDays(addMonths(start, months), days)).toBe(end);
      expect(days).toBeGreaterThanOrEqual(0);
      expect(addMonths(start, months + 1) > end).toBe(true);
    }
  });
});
