import Decimal from 'decimal.js';
import { z } from 'zod';
import { Money } from '../core/money';
import { anchorDate, daysInMonth, daysInYear, diffMonthsAndDays, parseLocalDate, type LocalDate } from '../core/dates';

// Billing points, proration sizes and pricing slots (issue 3, "Billing-point, proration and slot rules").
// Everything here is a pure function of its inputs: dates come in as `YYYY-MM-DD`, nothing reads a clock.

/** How often a service is billed; `once` is a one-time charge. */
export const BillingPeriod = z.enum(['once', 'monthly', 'quarterly', 'half-yearly', 'annual']);
export type BillingPeriod = z.infer<typeof BillingPeriod>;

/** A billing period that repeats. */
export type RecurringBillingPeriod = Exclude<BillingPeriod, 'once'>;

/** The period the price refers to: the billing period itself, or a month / a year. */
export const PricingPeriod = z.enum(['billing', 'monthly', 'annual']);
export type PricingPeriod = z.infer<typeof PricingPeriod>;

/** Bill on a fixed date for everybody (tenant's month/day), or on each order's registration anniversary. */
export const BillingPointKind = z.enum(['fixed', 'on-register']);
export type BillingPointKind = z.infer<typeof BillingPointKind>;

/** Bill the coming period in advance, or the past period in arrears. */
export const PaymentStyle = z.enum(['prepay', 'postpay']);
export type PaymentStyle = z.infer<typeof PaymentStyle>;

/** What a cancellation does to billing; anything but `nothing` ends billing at the cancellation date. */
export const OnCancel = z.enum(['nothing', 'discount', 'compensate', 'refund']);
export type OnCancel = z.infer<typeof OnCancel>;

const MONTHS: Record<BillingPeriod, number> = { once: 0, monthly: 1, quarterly: 3, 'half-yearly': 6, annual: 12 };

/** Months in one billing period; 0 for one-time services. */
export function periodMonths(period: BillingPeriod): number {
  return MONTHS[period];
}

/** Where a customer's billing periods are anchored. */
export interface AnchorInput {
  billingPoint: BillingPointKind;
  registeredOn: LocalDate;
  /** Fixed billing point month, 1–12 (default 1 = January). */
  fixedMonth?: number;
  /** Fixed billing point day, 1–31, clamped to each month's end (default 1). */
  fixedDay?: number;
}

/** Input of {@link billingPoint}. */
export interface BillingPointInput extends AnchorInput {
  billingPeriod: BillingPeriod;
  paymentStyle: PaymentStyle;
  /** The day the bill is made for ("bill until" this date). */
  date: LocalDate;
  cancelledOn?: LocalDate | null;
  onCancel: OnCancel;
}

function anchorOf(input: AnchorInput): { month: number; day: number } {
  if (input.billingPoint === 'on-register') {
    const { month, day } = parseLocalDate(input.registeredOn);
    return { month, day };
  }
  const month = input.fixedMonth ?? 1;
  const day = input.fixedDay ?? 1;
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`fixedMonth ${month} is not 1–12`);
  if (!Number.isInteger(day) || day < 1 || day > 31) throw new RangeError(`fixedDay ${day} is not 1–31`);
  return { month, day };
}

/** Month index (year × 12 + month − 1) of the last period boundary at or before `date`'s month. */
function boundaryMonthAtOrBefore(date: LocalDate, anchorMonth: number, months: number): number {
  const { year, month } = parseLocalDate(date);
  const index = year * 12 + month - 1;
  // Boundaries are the months congruent to the anchor month modulo the period (12 is a multiple of 1, 3 and 6).
  const offset = (((index - (anchorMonth - 1)) % months) + months) % months;
  return index - offset;
}

/**
 * The date an order is billed up to when billing on `date`.
 *
 * Anchor: day 1 / the tenant's `fixedMonth`-`fixedDay` (fixed) or the registration month and day (on-register),
 * the day clamped to each month's end. Period boundaries are the anchor day in every month whose distance from
 * the anchor month is a multiple of the period (1 monthly, 3 quarterly, 6 half-yearly, 12 annual). Let B be the
 * boundary month at or before `date`'s month: postpay bills up to the anchor day in B, prepay up to the anchor day
 * one period after B. For monthly and annual this is exactly the issue's rule (monthly postpay: `date`'s month;
 * annual prepay: this year if `date`'s month is before the anchor month, else next year; …). Only months are
 * compared, never the day: a monthly postpay order registered on the 20th and billed on 5 March bills to 20 March.
 * One-time services: the registration date. If the order was cancelled before the point and `onCancel` is not
 * `nothing`, the point is the cancellation date.
 * @example billingPoint({ billingPeriod: 'annual', billingPoint: 'fixed', paymentStyle: 'prepay', date: '2024-03-15',
 *   registeredOn: '2023-06-10', onCancel: 'nothing' }) // '2025-01-01'
 */
export function billingPoint(input: BillingPointInput): LocalDate {
  let point: LocalDate;
  if (input.billingPeriod === 'once') {
    point = input.registeredOn;
  } else {
    const months = periodMonths(input.billingPeriod);
    const anchor = anchorOf(input);
    const boundary = boundaryMonthAtOrBefore(input.date, anchor.month, months);
    const target = input.paymentStyle === 'prepay' ? boundary + months : boundary;
    point = anchorDate(0, target + 1, anchor.day);
  }
  const cancelled = input.cancelledOn;
  if (cancelled && input.onCancel !== 'nothing' && cancelled < point) return cancelled;
  return point;
}

/**
 * The first period boundary strictly after `after` (the date a period that contains `after` ends). Boundaries
 * are anchored as in {@link billingPoint}, so a 31st-of-month anchor gives 29 Feb, 31 Mar, 30 Apr … without drift.
 * @example nextBillingPoint({ billingPeriod: 'quarterly', billingPoint: 'fixed', registeredOn: '2024-02-10' },
 *   '2024-03-31') // '2024-04-01'
 */
export function nextBillingPoint(input: AnchorInput & { billingPeriod: RecurringBillingPeriod }, after: LocalDate): LocalDate {
  const months = periodMonths(input.billingPeriod);
  const anchor = anchorOf(input);
  const boundary = boundaryMonthAtOrBefore(after, anchor.month, months);
  const candidate = anchorDate(0, boundary + 1, anchor.day);
  return candidate > after ? candidate : anchorDate(0, boundary + months + 1, anchor.day);
}

/**
 * One billing period after `start` (the day clamped to the month's end); `start` itself for one-time services.
 * Chaining it drifts (31 Jan → 29 Feb → 29 Mar): to walk a customer's periods use {@link nextBillingPoint}.
 */
export function periodEnd(start: LocalDate, billingPeriod: BillingPeriod): LocalDate {
  const { year, month, day } = parseLocalDate(start);
  return anchorDate(year, month + periodMonths(billingPeriod), day);
}

/** Input of {@link periodSize}: the period [start, end). */
export interface PeriodSizeInput {
  billingPeriod: BillingPeriod;
  pricingPeriod: PricingPeriod;
  start: LocalDate;
  end: LocalDate;
}

/**
 * {@link periodSize} before rounding (exact to 40 significant digits). The billing engine should use the rounded
 * {@link periodSize} for bill lines (it is what the customer sees); this one is for sums that must not accumulate
 * rounding, e.g. checking that the slots of a period add up to the period.
 */
export function periodSizeExact({ billingPeriod, pricingPeriod, start, end }: PeriodSizeInput): Decimal {
  if (billingPeriod === 'once') return new Money(1);
  const { months, days } = diffMonthsAndDays(start, end);
  const { year, month } = parseLocalDate(end);
  const inMonths = () => new Money(days).div(daysInMonth(year, month)).plus(months);
  const inYears = () => new Money(Math.floor(months / 12)).plus(new Money(months % 12).div(12)).plus(new Money(days).div(daysInYear(year)));
  const unit = pricingPeriod === 'billing' ? billingPeriod : pricingPeriod;
  switch (unit) {
    case 'monthly':
      return inMonths();
    case 'annual':
      return inYears();
    default:
      // Quarterly and half-yearly prices: the size in months divided by the months of the period.
      return inMonths().div(periodMonths(unit));
  }
}

/**
 * How many pricing periods [start, end) is, rounded half-up to 2 decimals: whole months (adding months clamps to
 * month end) plus the remaining days ÷ the days in `end`'s month (monthly pricing), or years + leftover months ÷ 12 +
 * days ÷ the days in `end`'s year (annual pricing). `pricingPeriod: 'billing'` prices per billing period (a quarter
 * is months ÷ 3, a half-year months ÷ 6). One-time services: 1.
 * @example periodSize({ billingPeriod: 'annual', pricingPeriod: 'billing', start: '2024-03-15', end: '2025-01-01' }) // 0.80
 */
export function periodSize(input: PeriodSizeInput): Decimal {
  return periodSizeExact(input).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
}

/** Input of {@link pricingSlots}. */
export interface PricingSlotsInput {
  pricingPeriod: 'monthly' | 'annual';
  billingPoint: BillingPointKind;
  start: LocalDate;
  end: LocalDate;
  /** Fixed anchor month for annual slots (default 1). */
  fixedMonth?: number;
  /** Fixed anchor day (default 1). */
  fixedDay?: number;
}

/**
 * Consecutive pricing periods [from, to) covering [start, end). Fixed: they start at the last anchor at or before
 * `start` (the `fixedDay` of `start`'s month — the 1st by default — or `fixedMonth`/`fixedDay` of a year, 1 January
 * by default); on-register: at `start` itself, each slot one month/year on from `start` (day clamped, no drift).
 * The last slot may end after `end`; an empty period has no slots.
 * @example pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', start: '2024-03-15', end: '2024-05-01' })
 *   // [['2024-03-01', '2024-04-01'], ['2024-04-01', '2024-05-01']]
 */
export function pricingSlots(input: PricingSlotsInput): [LocalDate, LocalDate][] {
  const { start, end } = input;
  if (end < start) throw new RangeError(`The period ${start} → ${end} ends before it starts`);
  if (end === start) return [];
  const step = input.pricingPeriod === 'annual' ? 12 : 1;
  let origin: { year: number; month: number; day: number };
  if (input.billingPoint === 'on-register') {
    origin = parseLocalDate(start);
  } else {
    const anchor = anchorOf({ billingPoint: 'fixed', registeredOn: start, fixedMonth: input.fixedMonth, fixedDay: input.fixedDay });
    const anchorMonth = step === 12 ? anchor.month : parseLocalDate(start).month;
    const boundary = boundaryMonthAtOrBefore(start, anchorMonth, step);
    // The anchor day of that month may still be after `start` (fixedDay 15, start on the 10th): one slot earlier.
    const first = anchorDate(0, boundary + 1, anchor.day) > start ? boundary - step : boundary;
    origin = { year: 0, month: first + 1, day: anchor.day }; // year 0 + a month index; anchorDate rolls it over
  }
  const slots: [LocalDate, LocalDate][] = [];
  let from = anchorDate(origin.year, origin.month, origin.day);
  for (let i = 1; from < end; i++) {
    const to = anchorDate(origin.year, origin.month + i * step, origin.day);
    slots.push([from, to]);
    from = to;
  }
  return slots;
}
