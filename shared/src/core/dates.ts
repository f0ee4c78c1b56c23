import { z } from 'zod';

// Calendar dates for billing. Arithmetic is done on year/month/day integers (and a day number for day
// differences), never on `Date`, so no time zone or DST can move a billing point by a day.

const PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Gregorian leap year. */
export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in `month` (1–12) of `year`. */
export function daysInMonth(year: number, month: number): number {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`Month ${month} is not 1–12`);
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** 365 or 366. */
export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

function isValid(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    year >= 1 &&
    year <= 9999 &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

function isLocalDate(value: string): boolean {
  const m = PATTERN.exec(value);
  return m !== null && isValid(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** A calendar date without time or zone, `YYYY-MM-DD` (years 0001–9999); only real dates pass. */
export const LocalDate = z
  .string()
  .regex(PATTERN, { message: 'Use a date such as 2024-03-15', abort: true })
  .refine(isLocalDate, 'Not a calendar date');
export type LocalDate = z.infer<typeof LocalDate>;

/** The parts of a {@link LocalDate}. */
export interface DateParts {
  year: number;
  month: number;
  day: number;
}

/** Split a date into numbers; throws RangeError for anything that is not a real `YYYY-MM-DD` date. */
export function parseLocalDate(date: LocalDate): DateParts {
  const m = PATTERN.exec(date);
  const parts = m ? { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) } : null;
  if (!parts || !isValid(parts.year, parts.month, parts.day)) throw new RangeError(`"${date}" is not a date (YYYY-MM-DD)`);
  return parts;
}

/** Build a date from numbers; throws RangeError if the day does not exist. */
export function toLocalDate(year: number, month: number, day: number): LocalDate {
  if (!isValid(year, month, day)) throw new RangeError(`${year}-${month}-${day} is not a date`);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/**
 * Day `day` of a month, clamped to the month's last day. `month` may run past 1–12 and rolls into other years.
 * @example anchorDate(2024, 2, 31) // '2024-02-29'; anchorDate(2024, 13, 1) // '2025-01-01'
 */
export function anchorDate(year: number, month: number, day: number): LocalDate {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day) || day < 1) {
    throw new RangeError(`Cannot anchor on ${year}-${month}-${day}`);
  }
  const index = year * 12 + (month - 1);
  const y = Math.floor(index / 12);
  const m = index - y * 12 + 1;
  return toLocalDate(y, m, Math.min(day, daysInMonth(y, m)));
}

/**
 * `n` calendar months later (or earlier), keeping the day of month but clamping it to the target month's end.
 * @example addMonths('2024-01-31', 1) // '2024-02-29'
 */
export function addMonths(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`Cannot add ${n} months`);
  const { year, month, day } = parseLocalDate(date);
  return anchorDate(year, month + n, day);
}

// Days since 1970-01-01 and back (H. Hinnant's civil-date algorithms, integer only).
function toDayNumber({ year, month, day }: DateParts): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function fromDayNumber(n: number): DateParts {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/** `n` days later (or earlier). */
export function addDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n)) throw new RangeError(`Cannot add ${n} days`);
  const { year, month, day } = fromDayNumber(toDayNumber(parseLocalDate(date)) + n);
  return toLocalDate(year, month, day);
}

/** Days from `start` to `end` (negative when `end` is earlier). */
export function diffDays(start: LocalDate, end: LocalDate): number {
  return toDayNumber(parseLocalDate(end)) - toDayNumber(parseLocalDate(start));
}

/** −1, 0 or 1, for sorting. */
export function compareDates(a: LocalDate, b: LocalDate): -1 | 0 | 1 {
  // The format is fixed-width, so text order is date order.
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The earliest of the dates. */
export function minDate(first: LocalDate, ...rest: LocalDate[]): LocalDate {
  return rest.reduce((min, d) => (d < min ? d : min), first);
}

/** The latest of the dates. */
export function maxDate(first: LocalDate, ...rest: LocalDate[]): LocalDate {
  return rest.reduce((max, d) => (d > max ? d : max), first);
}

/**
 * The calendar length of [start, end): the most whole months `m` with `addMonths(start, m) ≤ end`, plus the days
 * left after that. Throws RangeError if `end` is before `start`.
 * @example diffMonthsAndDays('2024-01-31', '2024-03-01') // { months: 1, days: 1 } (31 Jan + 1 month = 29 Feb)
 */
export function diffMonthsAndDays(start: LocalDate, end: LocalDate): { months: number; days: number } {
  if (end < start) throw new RangeError(`The period ${start} → ${end} ends before it starts`);
  const s = parseLocalDate(start);
  const e = parseLocalDate(end);
  // addMonths(start, m) lands in end's month for this m; one month fewer if that overshoots end.
  let months = (e.year - s.year) * 12 + (e.month - s.month);
  let reached = anchorDate(s.year, s.month + months, s.day);
  if (reached > end) {
    months -= 1;
    reached = anchorDate(s.year, s.month + months, s.day);
  }
  return { months, days: diffDays(reached, end) };
}
