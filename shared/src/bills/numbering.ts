import type { LocalDate } from '../core/dates';
import type { BillType, SeriesSettings } from './model';
import { NUMBERED_TYPES } from './model';

// One series per (tenant, document type, fiscal year). The fiscal year is the calendar year of the issue date in the
// tenant's time zone, so a series restarts at 1 every 1 January there. Numbers are assigned by the store in the
// same transaction that closes the bill (see docs/billing.md "Numbering"); this file only names and formats them.

/** Where a numbered bill's number comes from. */
export interface SeriesKey {
  type: BillType;
  year: number;
}

/** The fiscal year of an issue date. */
export function fiscalYearOf(issuedOn: LocalDate): number {
  return Number(issuedOn.slice(0, 4));
}

/** Whether closing a bill of this type consumes a number (quotes never do). */
export function isNumbered(type: BillType): boolean {
  return NUMBERED_TYPES.includes(type);
}

/** The printed series code: prefix + year, e.g. `I2026`. */
export function seriesCode(settings: Pick<SeriesSettings, 'prefix'>, year: number): string {
  return `${settings.prefix}${year}`;
}

/**
 * The printed number: series code, a dash, the sequence padded to the configured digits (never truncated).
 * @example formatNumber({ prefix: 'I', digits: 4 }, 2026, 12) // 'I2026-0012'
 */
export function formatNumber(settings: Pick<SeriesSettings, 'prefix' | 'digits'>, year: number, sequence: number): string {
  return `${seriesCode(settings, year)}-${String(sequence).padStart(settings.digits, '0')}`;
}

/**
 * Read a printed number back with the tenant's prefixes: every (type, year, sequence) it could be (prefixes may
 * overlap, e.g. `F` and `FA`). Used to search bills by number.
 */
export function parseNumber(
  text: string,
  series: Readonly<Record<BillType, Pick<SeriesSettings, 'prefix'>>>,
): (SeriesKey & { sequence: number })[] {
  const out: (SeriesKey & { sequence: number })[] = [];
  for (const type of NUMBERED_TYPES) {
    const prefix = series[type].prefix;
    if (!text.startsWith(prefix)) continue;
    const m = /^(\d{4})-(\d{1,12})$/.exec(text.slice(prefix.length));
    if (m) out.push({ type, year: Number(m[1]), sequence: Number(m[2]) });
  }
  return out;
}
