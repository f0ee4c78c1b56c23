import type Decimal from 'decimal.js';
import { parseLocalDate, type LocalDate } from '../core/dates';
import { formatAmount } from '../core/money';
import type { BillingPeriod, PricingPeriod } from './periods';
import type { RatedLine } from './rating';

// Wording of the billing engine's explanations. English only for now: the words are assembled here so that a
// later localisation swaps this module, not the maths.

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `15 Mar 2024`. */
export function formatDate(date: LocalDate): string {
  const { year, month, day } = parseLocalDate(date);
  return `${day} ${MONTHS[month - 1]} ${year}`;
}

/**
 * A period [start, end) as people write it: `15 Mar – 1 Apr 2024`, `15 Mar 2024 – 1 Jan 2025`, or one day for a
 * one-time charge.
 */
export function formatPeriod(start: LocalDate, end: LocalDate): string {
  if (start === end) return formatDate(start);
  const s = parseLocalDate(start);
  const e = parseLocalDate(end);
  return s.year === e.year ? `${s.day} ${MONTHS[s.month - 1]} – ${formatDate(end)}` : `${formatDate(start)} – ${formatDate(end)}`;
}

/** `1st`, `2nd`, `3rd`, `11th`, `22nd`. */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}

const UNIT: Record<Exclude<BillingPeriod, 'once'>, [string, string]> = {
  monthly: ['month', 'months'],
  quarterly: ['quarter', 'quarters'],
  'half-yearly': ['half-year', 'half-years'],
  annual: ['year', 'years'],
};

/** The unit a price is quoted in: `month`, `year`… (singular, plural). */
export function priceUnit(billingPeriod: BillingPeriod, pricingPeriod: PricingPeriod): [string, string] | null {
  if (billingPeriod === 'once') return null;
  const unit = pricingPeriod === 'billing' ? billingPeriod : pricingPeriod;
  return UNIT[unit];
}

/** `0.57 of a month`, `1 month`, `9.55 months`, `once`. */
export function formatSize(size: Decimal, billingPeriod: BillingPeriod, pricingPeriod: PricingPeriod): string {
  const unit = priceUnit(billingPeriod, pricingPeriod);
  if (!unit) return 'once';
  if (size.lt(1)) return `${formatAmount(size)} of a ${unit[0]}`;
  if (size.eq(1)) return `1 ${unit[0]}`;
  return `${size.isInteger() ? size.toFixed(0) : formatAmount(size)} ${unit[1]}`;
}

/** A quantity without trailing zeros: `3`, `2.5`. */
export function formatQuantity(quantity: Decimal | number): string {
  return typeof quantity === 'number' ? String(quantity) : quantity.toFixed();
}

/**
 * How a rating allocated units to prices, e.g. `1 free in Organisation, 2 × 10.00 = 20.00`. Units at the nominal
 * price (no pack rate) say so.
 */
export function describeAllocation(lines: readonly RatedLine[], total: Decimal): string {
  if (lines.length === 0) return 'nothing to price';
  const parts = lines.map((line) => {
    const where = line.pack ? ` in ${line.pack}` : ' at the list price';
    return line.price.isZero() ? `${line.quantity} free${where}` : `${line.quantity} × ${formatAmount(line.price)}${where}`;
  });
  return `${parts.join(', ')} = ${formatAmount(total)}`;
}

/** A money amount with its sign: `10.00`, `−3.90`. */
export function formatSigned(amount: Decimal): string {
  return amount.isNegative() && !amount.isZero() ? `−${formatAmount(amount.abs())}` : formatAmount(amount);
}
