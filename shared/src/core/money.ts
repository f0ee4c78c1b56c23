import Decimal from 'decimal.js';
import { z } from 'zod';

/** Money is decimal.js everywhere; stored and sent as a string with the currency's minor digits. */
export const Money = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Money = Decimal;

/** A decimal amount as text, e.g. "12.50"; never a JS number. */
export const Amount = z.string().regex(/^-?\d{1,15}(\.\d{1,6})?$/, 'Use a decimal amount such as 12.50');

/** Parse an amount string into a Money value. */
export function money(value: string): Decimal {
  return new Money(Amount.parse(value));
}

/** Format to a fixed number of decimals (half-up). */
export function formatAmount(value: Decimal, digits = 2): string {
  return value.toDecimalPlaces(digits, Decimal.ROUND_HALF_UP).toFixed(digits);
}

/** ISO 4217 currency code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'Use an ISO 4217 code such as EUR');
