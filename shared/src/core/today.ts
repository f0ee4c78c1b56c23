import type { Clock } from './clock';
import type { LocalDate } from './dates';

/** The calendar day it is now in `timeZone` (billing days follow the tenant's clock, not UTC). */
export function todayIn(clock: Clock, timeZone: string): LocalDate {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(
    clock.now(),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}
