import { addDays, parseLocalDate, toLocalDate, type LocalDate } from '../../core/dates';

// The TARGET2 calendar that SEPA interbank settlement follows: closed on Saturdays, Sundays, 1 January, Good Friday,
// Easter Monday, 1 May, 25 and 26 December. Everything works on calendar dates (`YYYY-MM-DD`); "today" comes from the
// caller (the tenant's time zone), so the process time zone never moves a collection date.

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return toLocalDate(year, month, day);
}

/** The TARGET2 closing days of a year that fall on weekdays or weekends alike. */
export function targetHolidays(year: number): LocalDate[] {
  const easter = easterSunday(year);
  return [
    toLocalDate(year, 1, 1),
    addDays(easter, -2),
    addDays(easter, 1),
    toLocalDate(year, 5, 1),
    toLocalDate(year, 12, 25),
    toLocalDate(year, 12, 26),
  ].sort();
}

/** 0 = Sunday … 6 = Saturday, from the date alone. */
export function weekday(date: LocalDate): number {
  const { year, month, day } = parseLocalDate(date);
  // Zeller-style via the day number: 1970-01-01 was a Thursday (4).
  const days = Math.round(Date.UTC(year, month - 1, day) / 86_400_000);
  return (((days + 4) % 7) + 7) % 7;
}

/** Whether TARGET2 settles on that day. */
export function isTargetBusinessDay(date: LocalDate): boolean {
  const wd = weekday(date);
  if (wd === 0 || wd === 6) return false;
  return !targetHolidays(parseLocalDate(date).year).includes(date);
}

/** The `n`-th TARGET business day after `date` (n ≥ 0; n = 0 → `date` itself if it is one, else the next one). */
export function addBusinessDays(date: LocalDate, n: number): LocalDate {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`Cannot add ${n} business days`);
  let day = date;
  while (!isTargetBusinessDay(day)) day = addDays(day, 1);
  for (let i = 0; i < n; i++) {
    day = addDays(day, 1);
    while (!isTargetBusinessDay(day)) day = addDays(day, 1);
  }
  return day;
}

/**
 * The earliest collection date for a file sent on `today`: `leadDays` TARGET business days later (D-1 for CORE since
 * rulebook 9.0 plus the bank's own cut-off, as the tenant configures), and never before the end of the debtor's
 * pre-notification period (`today + preNotificationDays` calendar days, rolled to a business day).
 */
export function earliestCollectionDate(today: LocalDate, leadDays: number, preNotificationDays = 0): LocalDate {
  const byLead = addBusinessDays(addDays(today, 1), Math.max(0, leadDays - 1));
  const byNotice = addBusinessDays(addDays(today, preNotificationDays), 0);
  return byLead > byNotice ? byLead : byNotice;
}

/** The requested date itself if it is a business day at or after `earliest`, else the next business day that is. */
export function collectionDate(requested: LocalDate | undefined, earliest: LocalDate): LocalDate {
  const start = requested && requested > earliest ? requested : earliest;
  return addBusinessDays(start, 0);
}
