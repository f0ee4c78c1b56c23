import { addMonths, type LocalDate } from '../core/dates';

/** `n` years later, 29 February clamping to 28 February. */
export function addYears(date: LocalDate, n: number): LocalDate {
  return addMonths(date, 12 * n);
}
