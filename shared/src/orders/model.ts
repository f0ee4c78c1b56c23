import Decimal from 'decimal.js';
import { z } from 'zod';
import { LocalDate } from '../core/dates';
import { parseInput } from '../core/validate';

// An order is one billable service instance: "this account has this service, billed by this definition, since this
// day". Orders are created, changed and cancelled by `syncOrders` from service events, and advanced by billing
// (`billedOn`/`billedUntil`). Everything in an order is plain JSON (decimals as strings), so it is stored as is.

/** A decimal number as text ("12.5", "0"); metric values are never JS numbers once recorded. */
export const DecimalText = z.string().regex(/^-?\d{1,20}(\.\d{1,12})?$/, 'Use a decimal number such as 12.5');

/** The metric's value from day `on` until the next point. History stores only changes, one point per day at most. */
export const MetricPoint = z.strictObject({ on: LocalDate, value: DecimalText });
export type MetricPoint = z.infer<typeof MetricPoint>;

/** Days [from, until) the service was deactivated; `until` is left out while it still is. */
export const Deactivation = z.strictObject({ from: LocalDate, until: LocalDate.optional() });
export type Deactivation = z.infer<typeof Deactivation>;

/** Why an order ended: its service was deleted, stopped matching the predicate, moved to another account, or staff cancelled it. */
export const CancelReason = z.enum(['deleted', 'unmatched', 'moved', 'manual']);
export type CancelReason = z.infer<typeof CancelReason>;

export const Order = z.object({
  tenantId: z.string().min(1),
  id: z.string().min(1),
  accountId: z.string().min(1),
  serviceId: z.string().min(1),
  billableServiceId: z.string().min(1),
  /** What the bill line says, e.g. the mailbox address or the domain name. */
  description: z.string().max(300),
  registeredOn: LocalDate,
  /** Last day + 1 of the order (it was active on the day before). May be in the future (scheduled cancellation). */
  cancelledOn: LocalDate.optional(),
  cancelReason: CancelReason.optional(),
  /** Set when a cancellation is withdrawn, so billing can recharge (or keep free) the days it had discounted. */
  revokedCancellation: z.strictObject({ cancelledOn: LocalDate, revokedOn: LocalDate }).optional(),
  /** The day of the last bill that advanced this order. */
  billedOn: LocalDate.optional(),
  /** Billed up to (excluding) this day. */
  billedUntil: LocalDate.optional(),
  /** The metric value prepaid at the last billing (prepaid current-value services bill only an excess later). */
  billedMetric: DecimalText.optional(),
  /** Compensation: the unused prepaid time of this cancelled order before this day has been given to other orders. */
  creditUsedUntil: LocalDate.optional(),
  /** Ignored orders are never billed (staff's own services, gifts, trials cancelled in time). */
  ignored: z.boolean().default(false),
  deactivations: z.array(Deactivation).default([]),
  metricHistory: z.array(MetricPoint).default([]),
});
export type Order = z.output<typeof Order>;
export type OrderJSON = z.input<typeof Order>;

/** What staff may change on an order by hand. */
export const OrderPatch = z.strictObject({
  ignored: z.boolean().optional(),
  description: z.string().trim().max(300).optional(),
  /** Schedule (or move) a cancellation; null withdraws it. */
  cancelledOn: LocalDate.nullable().optional(),
});
export type OrderPatch = z.input<typeof OrderPatch>;

/** Parse a stored order; throws ValidationError. */
export function parseOrder(json: unknown): Order {
  return parseInput(Order, json);
}

/** The JSON form of an order without `undefined` fields (orders are JSON already; this only drops the holes). */
export function orderToJSON(order: Order): OrderJSON {
  return Object.fromEntries(Object.entries(order).filter(([, v]) => v !== undefined)) as OrderJSON;
}

/** Whether the order exists on `date` (registered on or before, not yet cancelled). */
export function isOrderActiveOn(order: Pick<Order, 'registeredOn' | 'cancelledOn'>, date: LocalDate): boolean {
  return order.registeredOn <= date && (order.cancelledOn === undefined || date < order.cancelledOn);
}

/** Normalised decimal text ("10.50" → "10.5", "-0" → "0"). */
export function decimalText(value: string | number | Decimal): string {
  const d = new Decimal(typeof value === 'number' ? String(value) : value);
  if (!d.isFinite()) throw new RangeError(`Metric value ${String(value)} is not a finite number`);
  return d.isZero() ? '0' : d.toFixed();
}

/** The metric's value on `date`: the last point on or before it, 0 before the first point. */
export function valueOn(history: readonly MetricPoint[], date: LocalDate): string {
  let value = '0';
  for (const point of history) {
    if (point.on > date) break;
    value = point.value;
  }
  return value;
}

/**
 * Record the metric's value on day `on`, keeping only changes: returns the new history, or null when nothing changed.
 * A second value on the same day replaces the first (and disappears if it equals the day before).
 */
export function recordMetric(history: readonly MetricPoint[], on: LocalDate, value: string | number | Decimal): MetricPoint[] | null {
  const text = decimalText(value);
  const last = history[history.length - 1];
  if (last && last.on > on) throw new RangeError(`Metric history already has a value for ${last.on}, after ${on}`);
  if (last && last.on === on) {
    if (new Decimal(last.value).eq(text)) return null;
    const before = history.slice(0, -1);
    const previous = before.length > 0 ? before[before.length - 1]!.value : '0';
    return new Decimal(previous).eq(text) ? before : [...before, { on, value: text }];
  }
  if (last && new Decimal(last.value).eq(text)) return null;
  return [...history, { on, value: text }];
}

/**
 * Cancel an order from `on` (its last active day is the day before). A cancellation within the definition's trial
 * or ignore period needs no flag: the engine never bills such an order.
 */
export function cancelOrder(order: Order, on: LocalDate, reason: CancelReason): Order {
  const { revokedCancellation: _revoked, ...rest } = order;
  return { ...rest, cancelledOn: on, cancelReason: reason };
}

/** Withdraw a cancellation on `today`; the engine then recharges or gifts the days it had discounted. */
export function revokeCancellation(order: Order, today: LocalDate): Order {
  if (!order.cancelledOn) return order;
  const { cancelledOn, cancelReason: _reason, ...rest } = order;
  return { ...rest, revokedCancellation: { cancelledOn, revokedOn: today } };
}
