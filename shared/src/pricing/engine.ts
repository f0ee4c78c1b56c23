import Decimal from 'decimal.js';
import { addDays, addMonths, diffDays, maxDate, minDate, type LocalDate } from '../core/dates';
import { formatAmount, Money } from '../core/money';
import { addDuration, type BillableService, type ContractedPack, type Pack } from '../catalog/model';
import { valueOn, type MetricPoint, type Order } from '../orders/model';
import { describeAllocation, formatDate, formatPeriod, formatQuantity, formatSigned, formatSize, ordinal, priceUnit } from './explain';
import { billingPoint, nextBillingPoint, periodMonths, periodSize, pricingSlots, type RecurringBillingPeriod } from './periods';
import { compileRating, type CompiledRating, type PackRates, type RatedLine } from './rating';

// The billing maths (issue 3 item 5): from orders, definitions and packs to bill line proposals, each with the
// arithmetic in words. Pure: "today" and "bill until" are inputs, nothing is read or written. See docs/pricing.md
// for every rule with a worked example, and docs/decisions.md for the choices orchestra left open.

/** Why a line costs less (or, for `pack`, possibly more) than its list price. */
export const DISCOUNT_REASONS = ['pack', 'prorate', 'trial', 'deactivation', 'revoked-cancellation', 'compensation', 'prepaid'] as const;
export type DiscountReason = (typeof DISCOUNT_REASONS)[number];

/** A sub-line of a proposal: an amount (negative = discount) with its reason and arithmetic. */
export interface Discount {
  reason: DiscountReason;
  amount: Decimal;
  explanation: string;
}

/** charge: a period of use; recharge: the excess of a prepaid metric that grew; refund: unused prepaid time given back. */
export type LineKind = 'charge' | 'recharge' | 'refund';

/** One proposed bill line for one order and one period. Amounts have 2 decimals; total = subtotal + Σ discounts. */
export interface LineProposal {
  kind: LineKind;
  orderId: string;
  accountId: string;
  serviceId: string;
  billableServiceId: string;
  /** Definition name and order description, e.g. `Mailbox info@example.org`. */
  description: string;
  /** [periodStart, periodEnd); equal for one-time charges. */
  periodStart: LocalDate;
  periodEnd: LocalDate;
  /** The period in pricing periods (0.57 of a month), 1 for one-time and usage-summed lines. */
  size: Decimal;
  /** Units: 1 for a counted service, the metric value for a metered one. */
  quantity: Decimal;
  /** List price of one unit for one pricing period (refunds: the rated price that was paid). */
  unitPrice: Decimal;
  /** unitPrice × quantity × size, rounded half-up to cents (negative for refunds). */
  subtotal: Decimal;
  discounts: Discount[];
  total: Decimal;
  isFee: boolean;
  taxCategory: string;
  currency: string;
  explanation: string;
}

/** What billing these proposals does to an order; the bills step persists it with the bill. */
export interface OrderBillingUpdate {
  orderId: string;
  billedOn: LocalDate;
  billedUntil: LocalDate;
  billedMetric?: string;
  creditUsedUntil?: LocalDate;
}

/** Why an order got no line in a run. */
export const SKIP_REASONS = [
  'ignored',
  'unknown-definition',
  'not-registered',
  'in-trial',
  'in-ignore-period',
  'cancelled-in-grace',
  'up-to-date',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** An order that got no line, and why (shown in dry runs). */
export interface SkippedOrder {
  orderId: string;
  reason: SkipReason;
  explanation: string;
}

/** The tenant's billing settings the engine needs. */
export interface EngineSettings {
  /** The tenant's currency; every amount is in it. */
  currency: string;
  /** Default fixed billing point (definitions may override): month 1–12 and day 1–31; 1 January by default. */
  fixedMonth?: number;
  fixedDay?: number;
}

/** Input of {@link proposeLines}. */
export interface ProposeLinesInput {
  settings: EngineSettings;
  definitions: readonly BillableService[];
  /** The tenant's packs (default ones and the contracted ones), any order: ties go to the earlier `createdAt`. */
  packs: readonly Pack[];
  /** Contracted packs by account id. */
  packsByAccount: Readonly<Record<string, readonly ContractedPack[]>> | ReadonlyMap<string, readonly ContractedPack[]>;
  /**
   * The orders to bill and every other order of the same accounts and definitions: positions ("the 3rd mailbox")
   * and compensation credits are computed from the whole group.
   */
  orders: readonly Order[];
  /** Bill up to this date (prepay: the period containing it; postpay: periods ended by it, and by `today`). */
  billUntil: LocalDate;
  today: LocalDate;
  /** Bill only these orders (the rest of `orders` is context); all by default. */
  orderIds?: Iterable<string>;
}

/** The proposals, the billing state each billed order moves to, and the orders left out with their reasons. */
export interface ProposeLinesResult {
  proposals: LineProposal[];
  updates: OrderBillingUpdate[];
  skipped: SkippedOrder[];
}

// ---------------------------------------------------------------------------------------------------------------
// Rating per account: which packs apply on a date, compiled once per distinct combination

const ZERO = new Money(0);
const ONE = new Money(1);
const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/**
 * A cache by two or three string keys, as nested maps: looking up existing strings allocates nothing (a concatenated
 * key would be built, flattened and hashed on every call). Calendar results repeat across orders — every mailbox on
 * a fixed point has the same periods — and each costs microseconds of date parsing or Decimal arithmetic.
 */
class Cache<V> {
  private readonly root = new Map<string, Map<string, V | Map<string, V>>>();
  private size = 0;

  constructor(private readonly limit = 200_000) {}

  get(a: string, b: string, c: string | undefined, compute: () => V): V {
    let level1 = this.root.get(a);
    if (!level1) this.root.set(a, (level1 = new Map()));
    if (c === undefined) {
      let value = level1.get(b) as V | undefined;
      if (value === undefined) {
        value = compute();
        this.count();
        level1.set(b, value);
      }
      return value;
    }
    let level2 = level1.get(b) as Map<string, V> | undefined;
    if (!level2) level1.set(b, (level2 = new Map()));
    let value = level2.get(c);
    if (value === undefined) {
      value = compute();
      this.count();
      level2.set(c, value);
    }
    return value;
  }

  private count(): void {
    if (++this.size > this.limit) {
      this.root.clear();
      this.size = 0;
    }
  }
}

const dateTexts = new Cache<string>();
const dateText = (date: LocalDate) => dateTexts.get(date, '', undefined, () => formatDate(date));
const periodTexts = new Cache<string>();
const periodText = (start: LocalDate, end: LocalDate) => periodTexts.get(start, end, undefined, () => formatPeriod(start, end));

interface RatingEntry {
  compiled: CompiledRating;
  lines: Map<number, RatedLine[]>;
  /** Explanation fragments already written with this rating (by n and position). */
  texts: Map<string, string>;
  /** Counted positions already priced with this rating, by `n|position`. */
  positions: Map<string, { perSize: Decimal; pricing: string }>;
  /** Metered quantities already priced with this rating. */
  quantities: Map<string, { perSize: Decimal; pricing: string }>;
}

function linesFor(entry: RatingEntry, n: number): RatedLine[] {
  let lines = entry.lines.get(n);
  if (!lines) {
    lines = entry.compiled.rate(n).lines;
    if (entry.lines.size < 4096) entry.lines.set(n, lines);
  }
  return lines;
}

/** The price of the unit at `position` (1-based) when `n` units are rated. */
function positionPrice(entry: RatingEntry, n: number, position: number): Decimal {
  let seen = 0;
  for (const line of linesFor(entry, n)) {
    seen += line.quantity;
    if (position <= seen) return line.price;
  }
  throw new Error(`Position ${position} is beyond ${n} rated units`);
}

/** Rated total for a possibly fractional quantity: whole units by the table, a fraction of the next unit's price. */
function ratedTotal(entry: RatingEntry, quantity: Decimal): Decimal {
  if (quantity.lte(0)) return ZERO;
  const n = quantity.ceil().toNumber();
  const total = entry.compiled.total(n);
  if (quantity.isInteger()) return total;
  const lines = linesFor(entry, n);
  const last = lines[lines.length - 1]!.price;
  return total.minus(ONE.minus(quantity.minus(quantity.floor())).times(last));
}

interface PackUse {
  pack: Pack;
  rates: { from: number; price: Decimal }[];
  contracts: readonly ContractedPack[];
}

/** The packs of one definition for one account, and the rating that applies on any date. */
class Pricer {
  constructor(
    private readonly definition: BillableService,
    private readonly uses: readonly PackUse[],
    private readonly cache: Map<string, RatingEntry>,
  ) {}

  private constant: RatingEntry | undefined;

  /** The rating with the packs active on `date`. */
  private readonly byDate = new Map<LocalDate, RatingEntry>();

  at(date: LocalDate): RatingEntry {
    if (this.constant) return this.constant;
    const known = this.byDate.get(date);
    if (known) return known;
    const entry = this.compute(date);
    this.byDate.set(date, entry);
    return entry;
  }

  private compute(date: LocalDate): RatingEntry {
    const counts = this.uses.map((u) =>
      u.pack.isDefault ? 1 : u.contracts.filter((c) => c.startsOn <= date && (c.endsOn === undefined || date < c.endsOn)).length,
    );
    const key = `${this.definition.id}|${this.uses.map((u, i) => `${u.pack.id}:${counts[i]}`).join(',')}`;
    let entry = this.cache.get(key);
    if (!entry) {
      const packs: PackRates[] = this.uses.map((u, i) => ({
        name: u.pack.name,
        default: u.pack.isDefault,
        combinable: u.pack.isCombinable,
        allowMultiple: u.pack.allowMultiple,
        contracted: counts[i]!,
        rates: u.rates,
      }));
      entry = {
        compiled: compileRating(this.definition.ratingAlgorithm, this.definition.nominalPrice, packs),
        lines: new Map(),
        texts: new Map(),
        positions: new Map(),
        quantities: new Map(),
      };
      this.cache.set(key, entry);
    }
    // Only default packs: the same rating on every date.
    if (this.uses.every((u) => u.pack.isDefault)) this.constant = entry;
    return entry;
  }

  /** Days in (from, to) on which a contraction starts or ends. */
  boundaries(from: LocalDate, to: LocalDate): LocalDate[] {
    const dates: LocalDate[] = [];
    for (const use of this.uses) {
      for (const c of use.contracts) {
        if (c.startsOn > from && c.startsOn < to) dates.push(c.startsOn);
        if (c.endsOn !== undefined && c.endsOn > from && c.endsOn < to) dates.push(c.endsOn);
      }
    }
    return dates;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Drafts: a proposal before rounding and discounts are settled

interface Draft {
  kind: LineKind;
  order: Order;
  periodStart: LocalDate;
  periodEnd: LocalDate;
  /** The days this line pays for (for trial, deactivation and compensation overlaps). */
  coverStart: LocalDate;
  coverEnd: LocalDate;
  size: Decimal;
  quantity: Decimal;
  unitPrice: Decimal;
  /** The rated price of `quantity` for one pricing period (what one whole period costs after packs). */
  perSize: Decimal;
  discounts: Discount[];
  /** How the price came about, without the size (e.g. `3 × Mailbox: … ; this is the 3rd, at 15.00`). */
  pricing: string;
  notes: string[];
}

interface Group {
  definition: BillableService;
  accountId: string;
  pricer: Pricer;
  /** Billable orders of the group (not ignored, not cancelled within a grace period), by registration. */
  siblings: Order[];
  unit: [string, string] | null;
  settings: EngineSettings;
}

interface Run {
  settings: EngineSettings;
  billUntil: LocalDate;
  today: LocalDate;
  /** Due periods by definition, anchor and billing state (see duePeriods). */
  periods: Map<BillableService, Cache<[LocalDate, LocalDate][]>>;
}

const byRegistration = (a: Order, b: Order) =>
  a.registeredOn < b.registeredOn ? -1 : a.registeredOn > b.registeredOn ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;

function anchorOf(definition: BillableService, order: Order, settings: EngineSettings) {
  return {
    billingPoint: definition.billingPoint,
    registeredOn: order.registeredOn,
    fixedMonth: definition.fixedMonth ?? settings.fixedMonth ?? 1,
    fixedDay: definition.fixedDay ?? settings.fixedDay ?? 1,
  };
}

/**
 * A billing anchor — billing period, pricing period and anchor month/day; not the registration year — with its
 * memoised period boundaries and sizes, shared by every order on it.
 */
interface Anchor {
  key: string;
  boundaries: Map<LocalDate, LocalDate>;
  sizes: Map<LocalDate, Map<LocalDate, Decimal>>;
}

const anchors = new Map<string, Anchor>();
const fixedAnchors = new WeakMap<EngineSettings, WeakMap<BillableService, Anchor>>();
const registerAnchors = new WeakMap<BillableService, Map<LocalDate, Anchor>>();

function anchorNamed(key: string): Anchor {
  let anchor = anchors.get(key);
  if (!anchor) {
    if (anchors.size >= 10_000) anchors.clear();
    anchors.set(key, (anchor = { key, boundaries: new Map(), sizes: new Map() }));
  }
  // Bounded memory: a long-lived process forgets old dates.
  if (anchor.boundaries.size > 50_000) anchor.boundaries.clear();
  if (anchor.sizes.size > 50_000) anchor.sizes.clear();
  return anchor;
}

/** The anchor of an order under a definition. */
function anchorFor(definition: BillableService, order: Order, settings: EngineSettings): Anchor {
  if (definition.billingPoint === 'on-register') {
    let byDate = registerAnchors.get(definition);
    if (!byDate) registerAnchors.set(definition, (byDate = new Map()));
    let anchor = byDate.get(order.registeredOn);
    if (!anchor) {
      anchor = anchorNamed(`${definition.billingPeriod}|${definition.pricingPeriod}|r|${order.registeredOn.slice(5)}`);
      byDate.set(order.registeredOn, anchor);
    }
    return anchor;
  }
  let byDefinition = fixedAnchors.get(settings);
  if (!byDefinition) fixedAnchors.set(settings, (byDefinition = new WeakMap()));
  let anchor = byDefinition.get(definition);
  if (!anchor) {
    const { fixedMonth, fixedDay } = anchorOf(definition, order, settings);
    anchor = anchorNamed(`${definition.billingPeriod}|${definition.pricingPeriod}|f|${fixedMonth}|${fixedDay}`);
    byDefinition.set(definition, anchor);
  }
  return anchor;
}

/** The first period boundary strictly after `after`. */
function nextBoundary(definition: BillableService, order: Order, settings: EngineSettings, after: LocalDate): LocalDate {
  const anchor = anchorFor(definition, order, settings);
  let next = anchor.boundaries.get(after);
  if (next === undefined) {
    next = nextBillingPoint(
      { ...anchorOf(definition, order, settings), billingPeriod: definition.billingPeriod as RecurringBillingPeriod },
      after,
    );
    anchor.boundaries.set(after, next);
  }
  return next;
}

/** The last period boundary strictly before `before` (the interval of one period before it holds exactly one boundary). */
function previousBoundary(definition: BillableService, order: Order, settings: EngineSettings, before: LocalDate): LocalDate {
  const months = periodMonths(definition.billingPeriod);
  return nextBoundary(definition, order, settings, addDays(addMonths(before, -months), -1));
}

/**
 * The size of [start, end) in pricing periods (2 decimals). A whole billing period — from one boundary to the next —
 * is exactly one billing period (12 months priced monthly, …): the calendar rule alone would make a period between
 * clamped anchors longer than one (29 Feb + 1 month = 29 Mar, so 29 Feb → 31 Mar would be 1.06 months).
 */
function sizeOf(group: Group, order: Order, start: LocalDate, end: LocalDate): Decimal {
  const anchor = anchorFor(group.definition, order, group.settings);
  let byEnd = anchor.sizes.get(start);
  if (!byEnd) anchor.sizes.set(start, (byEnd = new Map()));
  let size = byEnd.get(end);
  if (size === undefined) byEnd.set(end, (size = computeSize(group, order, start, end)));
  return size;
}

function computeSize(group: Group, order: Order, start: LocalDate, end: LocalDate): Decimal {
  const { definition, settings } = group;
  if (definition.billingPeriod !== 'once' && start < end && nextBoundary(definition, order, settings, start) === end) {
    if (nextBoundary(definition, order, settings, addDays(start, -1)) === start) {
      const months = periodMonths(definition.billingPeriod);
      const unit = definition.pricingPeriod === 'monthly' ? 1 : definition.pricingPeriod === 'annual' ? 12 : months;
      return new Money(months).div(unit).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    }
  }
  return periodSize({ billingPeriod: definition.billingPeriod, pricingPeriod: definition.pricingPeriod, start, end });
}

function overlap(a0: LocalDate, a1: LocalDate, b0: LocalDate, b1: LocalDate): [LocalDate, LocalDate] | null {
  const s = maxDate(a0, b0);
  const e = minDate(a1, b1);
  return s < e ? [s, e] : null;
}

function graceEnd(definition: BillableService, order: Order, which: 'trialPeriod' | 'ignorePeriod'): LocalDate | undefined {
  const duration = definition[which];
  return duration ? addDuration(order.registeredOn, duration) : undefined;
}

/** Orders that are never billed: cancelled within their trial or ignore period. */
function cancelledInGrace(definition: BillableService, order: Order): boolean {
  if (!order.cancelledOn || (!definition.trialPeriod && !definition.ignorePeriod)) return false;
  const trialEnd = graceEnd(definition, order, 'trialPeriod');
  const ignoreEnd = graceEnd(definition, order, 'ignorePeriod');
  return (trialEnd !== undefined && order.cancelledOn <= trialEnd) || (ignoreEnd !== undefined && order.cancelledOn <= ignoreEnd);
}

// ---------------------------------------------------------------------------------------------------------------
// Pricing one stretch of one order

/** `1 free in Organisation, 2 × 10.00 in Organisation = 20.00` for n units, once per rating and n. */
function allocationText(entry: RatingEntry, n: number): string {
  const key = `a${n}`;
  let text = entry.texts.get(key);
  if (text === undefined) entry.texts.set(key, (text = describeAllocation(linesFor(entry, n), entry.compiled.total(n))));
  return text;
}

const amountTexts = new WeakMap<Decimal, string>();

/** formatAmount, remembered per (shared) Decimal instance. */
function amountText(amount: Decimal): string {
  let text = amountTexts.get(amount);
  if (text === undefined) amountTexts.set(amount, (text = formatAmount(amount)));
  return text;
}

/** How the nth of n units is priced, e.g. `3 × Mailbox: 1 free in Organisation, 2 × 10.00 = 20.00; this is the 3rd, at 10.00`. */
function positionText(name: string, entry: RatingEntry, n: number, position: number, price: Decimal): string {
  const key = `${n}|${position}`;
  let text = entry.texts.get(key);
  if (text === undefined) {
    text = `${n} × ${name}: ${allocationText(entry, n)}; this is the ${ordinal(position)}, at ${amountText(price)}`;
    entry.texts.set(key, text);
  }
  return text;
}

/** Position of `order` among the siblings active on `day` (the order itself counts even if cancelled), and their number. */
function positionOn(siblings: readonly Order[], order: Order, day: LocalDate): { n: number; position: number } {
  let n = 0;
  let position = 0;
  for (const o of siblings) {
    if (o === order) {
      n += 1;
      position = n;
    } else if (o.registeredOn <= day && (o.cancelledOn === undefined || day < o.cancelledOn)) n += 1;
  }
  if (position === 0) position = n += 1;
  return { n, position };
}

/** Count of active services: the stretch is cut wherever the set of active siblings or the packs change. */
function priceActiveCount(group: Group, order: Order, from: LocalDate, to: LocalDate): { perSize: Decimal; pricing: string } {
  const { definition, pricer, siblings } = group;
  const evalFrom = maxDate(from, order.registeredOn);
  let cuts: LocalDate[] | undefined;
  for (const o of siblings) {
    if (o.registeredOn > evalFrom && o.registeredOn < to) (cuts ??= []).push(o.registeredOn);
    if (o.cancelledOn !== undefined && o.cancelledOn > evalFrom && o.cancelledOn < to) (cuts ??= []).push(o.cancelledOn);
  }
  const packCuts = pricer.boundaries(evalFrom, to);
  if (packCuts.length > 0) (cuts ??= []).push(...packCuts);
  if (!cuts) {
    // The common case: nothing changes during the stretch.
    const { n, position } = positionOn(siblings, order, evalFrom);
    const entry = pricer.at(evalFrom);
    const key = `${n}|${position}`;
    let priced = entry.positions.get(key);
    if (!priced) {
      const price = positionPrice(entry, n, position);
      entry.positions.set(key, (priced = { perSize: price, pricing: positionText(definition.name, entry, n, position, price) }));
    }
    return priced;
  }
  const points = [from, ...[...new Set(cuts)].sort()];
  const segments: { from: LocalDate; to: LocalDate; n: number; position: number; price: Decimal; entry: RatingEntry }[] = [];
  points.forEach((start, i) => {
    const end = points[i + 1] ?? to;
    const day = maxDate(start, order.registeredOn);
    const { n, position } = positionOn(siblings, order, day);
    const entry = pricer.at(day);
    const price = positionPrice(entry, n, position);
    const last = segments[segments.length - 1];
    if (last && last.price.eq(price) && last.n === n && last.position === position) last.to = end;
    else segments.push({ from: start, to: end, n, position, price, entry });
  });
  const describe = (s: (typeof segments)[number]) => positionText(definition.name, s.entry, s.n, s.position, s.price);
  if (segments.length === 1 || segments.every((s) => s.price.eq(segments[0]!.price))) {
    return { perSize: segments[0]!.price, pricing: describe(segments[0]!) };
  }
  // Different prices within the stretch: weigh each by its days (sizes measured against each end's month would
  // not add up to the stretch).
  const days = segments.map((s) => diffDays(s.from, s.to));
  const whole = days.reduce((a, b) => a + b, 0);
  const perSize = segments.reduce((sum, s, i) => sum.plus(s.price.times(days[i]!).div(whole)), ZERO);
  const parts = segments.map((s, i) => `${days[i]} days ${periodText(s.from, s.to)}: ${describe(s)}`);
  return { perSize, pricing: `the price changed during the period — ${parts.join('; ')}; by days, on average ${formatAmount(perSize)}` };
}

/** Registration/renewal events: what happened to the group's orders in the pricing window ending on `on`. */
function priceEvents(group: Group, order: Order, on: LocalDate, run: Run): { perSize: Decimal; pricing: string } {
  const { definition, pricer, siblings } = group;
  const mode = definition.metric.type === 'count' ? definition.metric.mode : 'registered';
  const counts = { registered: mode !== 'renewed', renewed: mode !== 'registered' };
  const windowMonths =
    definition.pricingPeriod === 'monthly' ? 1 : definition.pricingPeriod === 'annual' ? 12 : periodMonths(definition.billingPeriod);
  const windowStart = windowMonths > 0 ? addMonths(on, -windowMonths) : undefined; // events in (windowStart, on]
  const events: { on: LocalDate; order: Order }[] = [];
  for (const o of siblings) {
    if (o === order) continue;
    if (counts.registered && o.registeredOn <= on && (windowStart === undefined || o.registeredOn > windowStart))
      events.push({ on: o.registeredOn, order: o });
    if (counts.renewed && definition.billingPeriod !== 'once') {
      let point = nextBoundary(definition, o, run.settings, maxDate(o.registeredOn, windowStart ?? o.registeredOn));
      while (point <= on && (o.cancelledOn === undefined || point < o.cancelledOn)) {
        events.push({ on: point, order: o });
        point = nextBoundary(definition, o, run.settings, point);
      }
    }
  }
  events.push({ on, order });
  events.sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : byRegistration(a.order, b.order)));
  const position = events.findIndex((e) => e.order === order && e.on === on) + 1;
  const entry = pricer.at(on);
  const price = positionPrice(entry, events.length, position);
  const what = counts.registered && counts.renewed ? 'registrations or renewals' : counts.registered ? 'registrations' : 'renewals';
  const window =
    windowStart === undefined
      ? `up to ${dateText(on)}`
      : `in the ${windowMonths === 1 ? 'month' : `${windowMonths} months`} to ${dateText(on)}`;
  const own = on === order.registeredOn ? 'registration' : 'renewal';
  return {
    perSize: price,
    pricing: `${events.length} ${what} of ${definition.name} ${window}: ${allocationText(entry, events.length)}; this ${own} is the ${ordinal(position)}, at ${amountText(price)}`,
  };
}

/** A metered quantity priced by the rating table (the whole quantity of one order). */
function priceQuantity(group: Group, quantity: Decimal, on: LocalDate): { perSize: Decimal; pricing: string } {
  const entry = group.pricer.at(on);
  const key = quantity.toString();
  let priced = entry.quantities.get(key);
  if (!priced) {
    const perSize = intern(ratedTotal(entry, quantity));
    const metric = group.definition.metric.type === 'named' ? group.definition.metric.name : 'units';
    if (quantity.isZero()) priced = { perSize, pricing: `${metric} 0` };
    else {
      const n = quantity.ceil().toNumber();
      const allocation = describeAllocation(linesFor(entry, n), entry.compiled.total(n));
      const fraction = quantity.isInteger() ? '' : ` (the last unit counts as ${quantity.minus(quantity.floor()).toFixed()})`;
      priced = { perSize, pricing: `${metric} ${formatQuantity(quantity)}: ${allocation}${fraction}` };
    }
    if (entry.quantities.size < 4096) entry.quantities.set(key, priced);
  }
  return priced;
}

/** One Decimal instance per value, so lines with equal figures share their arithmetic (see lineMath). */
const interned = new Map<string, Decimal>();
function intern(value: Decimal | string): Decimal {
  const key = typeof value === 'string' ? value : value.toString();
  let d = interned.get(key);
  if (!d) {
    if (interned.size >= 100_000) interned.clear();
    d = typeof value === 'string' ? new Money(value) : value;
    interned.set(key, d);
  }
  return d;
}

/** The metric history cut at its changes within [from, to): [start, end, value]. */
function valueIntervals(history: readonly MetricPoint[], from: LocalDate, to: LocalDate): [LocalDate, LocalDate, Decimal][] {
  const intervals: [LocalDate, LocalDate, Decimal][] = [];
  let start = from;
  let value = valueOn(history, from);
  for (const point of history) {
    if (point.on <= from) continue;
    if (point.on >= to) break;
    if (point.value !== value) {
      intervals.push([start, point.on, intern(value)]);
      start = point.on;
      value = point.value;
    }
  }
  intervals.push([start, to, intern(value)]);
  return intervals;
}

function maxOver(history: readonly MetricPoint[], from: LocalDate, to: LocalDate): Decimal {
  return valueIntervals(history, from, to).reduce((max, [, , v]) => (v.gt(max) ? v : max), intern(valueOn(history, from)));
}

/** Σ daily values over [from, to) (the metric is an amount per day, e.g. traffic that day). */
function sumOver(history: readonly MetricPoint[], from: LocalDate, to: LocalDate): Decimal {
  return intern(valueIntervals(history, from, to).reduce((sum, [s, e, v]) => sum.plus(v.times(diffDays(s, e))), ZERO));
}

// ---------------------------------------------------------------------------------------------------------------
// Billing one order

interface OrderResult {
  drafts: Draft[];
  update?: Omit<OrderBillingUpdate, 'orderId' | 'billedOn'>;
}

function newDraft(
  group: Group,
  order: Order,
  kind: LineKind,
  periodStart: LocalDate,
  periodEnd: LocalDate,
  size: Decimal,
  quantity: Decimal,
  priced: { perSize: Decimal; pricing: string },
): Draft {
  return {
    kind,
    order,
    periodStart,
    periodEnd,
    coverStart: periodStart > order.registeredOn ? periodStart : order.registeredOn,
    coverEnd: periodEnd,
    size,
    quantity,
    unitPrice: group.definition.nominalPrice,
    perSize: priced.perSize,
    discounts: [],
    pricing: priced.pricing,
    notes: [],
  };
}

/** The billing periods [start, end) an order is due for in this run, or none. */
function duePeriods(group: Group, order: Order, run: Run): readonly (readonly [LocalDate, LocalDate])[] {
  const { definition } = group;
  if (definition.billingPeriod === 'once') {
    const isDue = order.billedUntil === undefined && order.registeredOn <= run.billUntil && order.cancelledOn !== order.registeredOn;
    return isDue ? [[order.registeredOn, order.registeredOn]] : [];
  }
  // Orders with the same anchor, billing state and cancellation have the same periods (most of a tenant's orders).
  let cache = run.periods.get(definition);
  if (!cache) run.periods.set(definition, (cache = new Cache()));
  return cache.get(anchorFor(definition, order, run.settings).key, order.billedUntil ?? order.registeredOn, order.cancelledOn ?? '', () =>
    computeDuePeriods(group, order, run),
  );
}

function computeDuePeriods(group: Group, order: Order, run: Run): [LocalDate, LocalDate][] {
  const { definition } = group;
  const isPostpay = definition.paymentStyle === 'postpay';
  const date = isPostpay ? minDate(run.billUntil, run.today) : run.billUntil;
  let end = billingPoint({
    ...anchorOf(definition, order, run.settings),
    billingPeriod: definition.billingPeriod,
    paymentStyle: definition.paymentStyle,
    date,
    cancelledOn: order.cancelledOn,
    onCancel: definition.onCancel,
  });
  // Postpay bills only periods that have ended: a point after the date belongs to the period still running.
  if (isPostpay && end > date) end = previousBoundary(definition, order, run.settings, end);
  const start = order.billedUntil ?? order.registeredOn;
  const periods: [LocalDate, LocalDate][] = [];
  let from = start;
  while (from < end) {
    const next = nextBoundary(definition, order, run.settings, from);
    const to = minDate(next, end);
    // With onCancel = nothing a cancellation does not shorten billing: the period it falls in is billed whole.
    if (order.cancelledOn !== undefined && from >= order.cancelledOn) break;
    periods.push([from, to]);
    from = to;
  }
  return periods;
}

function billCharges(group: Group, order: Order, run: Run): OrderResult {
  const { definition } = group;
  const periods = duePeriods(group, order, run);
  const drafts: Draft[] = [];
  let billedMetric: string | undefined;
  const metric = definition.metric;

  for (const [ps, pe] of periods) {
    // First period of a fixed billing point that starts on registration day, not on a boundary.
    let chargedStart = ps;
    let prorated: { fullSize: Decimal; partialSize: Decimal; boundary: LocalDate } | undefined;
    if (
      definition.billingPeriod !== 'once' &&
      definition.billingPoint === 'fixed' &&
      ps === order.registeredOn &&
      definition.onRegister !== 'prorate'
    ) {
      const boundary = previousBoundary(definition, order, run.settings, addDays(ps, 1));
      if (boundary < ps) {
        const fullEnd = nextBoundary(definition, order, run.settings, boundary);
        if (pe === fullEnd) {
          chargedStart = boundary;
          prorated = { fullSize: sizeOf(group, order, boundary, pe), partialSize: sizeOf(group, order, ps, pe), boundary };
        }
      }
    }
    const size = sizeOf(group, order, chargedStart, pe);

    if (metric.type === 'count') {
      const priced =
        metric.mode === 'active'
          ? priceActiveCount(group, order, chargedStart, pe === ps ? addDays(pe, 1) : pe)
          : priceEvents(group, order, ps, run);
      const draft = newDraft(group, order, 'charge', ps, pe, size, ONE, priced);
      if (prorated) addRegisterPolicy(group, draft, prorated);
      drafts.push(draft);
      continue;
    }

    const history = order.metricHistory;
    if (definition.billingPeriod === 'once') {
      const quantity = intern(valueOn(history, minDate(run.billUntil, run.today)));
      billedMetric = quantity.toFixed();
      if (!quantity.isZero()) drafts.push(newDraft(group, order, 'charge', ps, pe, size, quantity, priceQuantity(group, quantity, ps)));
      continue;
    }
    if (metric.mode === 'current') {
      let intervals = valueIntervals(history, ps, pe);
      const cuts = group.pricer.boundaries(ps, pe);
      if (cuts.length > 0) {
        // A contract starts or ends inside: cut the intervals there too.
        intervals = intervals.flatMap(([s, e, v]) => {
          const points = [s, ...[...new Set(cuts)].filter((c) => c > s && c < e).sort(), e];
          return points.slice(0, -1).map((p, i): [LocalDate, LocalDate, Decimal] => [p, points[i + 1]!, v]);
        });
      }
      for (const [s, e, v] of intervals) {
        billedMetric = v.toFixed();
        if (v.isZero()) continue; // nothing used, no line
        const draft = newDraft(group, order, 'charge', s, e, sizeOf(group, order, s, e), v, priceQuantity(group, v, s));
        // The register policy applies when the first period has one value; a change inside it is plainly prorated.
        if (prorated && intervals.length === 1) addRegisterPolicy(group, draft, prorated);
        drafts.push(draft);
      }
      continue;
    }
    // Usage over pricing slots (postpay): the maximum or the sum of the daily values in each slot.
    const slots: [LocalDate, LocalDate][] =
      definition.pricingPeriod === 'billing'
        ? [[ps, pe]]
        : pricingSlots({
            pricingPeriod: definition.pricingPeriod,
            billingPoint: definition.billingPoint,
            start: ps,
            end: pe,
            ...fixedOf(definition, run.settings),
          })
            .map(([a, b]) => overlap(a, b, ps, pe))
            .filter((s): s is [LocalDate, LocalDate] => s !== null);
    for (const [s, e] of slots) {
      const isSum = metric.mode === 'sum-during-period';
      const quantity = isSum ? sumOver(history, maxDate(s, order.registeredOn), e) : maxOver(history, maxDate(s, order.registeredOn), e);
      billedMetric = valueOn(history, addDays(e, -1));
      if (quantity.isZero()) continue;
      const draft = newDraft(
        group,
        order,
        'charge',
        s,
        e,
        isSum ? ONE : sizeOf(group, order, s, e),
        quantity,
        priceQuantity(group, quantity, s),
      );
      draft.pricing = `${isSum ? 'sum of the daily' : 'highest'} ${metric.name} ${periodText(s, e)} — ${draft.pricing}`;
      drafts.push(draft);
    }
  }
  if (periods.length === 0) return { drafts };
  const billedUntil = periods[periods.length - 1]![1];
  return { drafts, update: { billedUntil, ...(billedMetric !== undefined ? { billedMetric } : {}) } };
}

function fixedOf(definition: BillableService, settings: EngineSettings) {
  return { fixedMonth: definition.fixedMonth ?? settings.fixedMonth ?? 1, fixedDay: definition.fixedDay ?? settings.fixedDay ?? 1 };
}

/** onRegister full / discount-to-billing-point: the first partial period is charged whole (and discounted back). */
function addRegisterPolicy(group: Group, draft: Draft, p: { fullSize: Decimal; partialSize: Decimal; boundary: LocalDate }): void {
  const { definition } = group;
  draft.size = p.fullSize;
  if (definition.onRegister === 'full') {
    draft.notes.push(`registered on ${dateText(draft.periodStart)}; the first period is charged whole`);
    return;
  }
  const before = p.fullSize.minus(p.partialSize);
  const amount = cents(draft.perSize.times(before)).neg();
  draft.discounts.push({
    reason: 'prorate',
    amount,
    explanation: `Registered on ${dateText(draft.periodStart)}: ${formatSize(before, definition.billingPeriod, definition.pricingPeriod)} before it (${periodText(p.boundary, draft.periodStart)}) discounted, ${formatAmount(draft.perSize)} × ${formatAmount(before)} = ${formatSigned(amount)}`,
  });
}

/** Refund lines for prepaid time after a cancellation (onCancel = refund). */
function billRefund(group: Group, order: Order, run: Run): OrderResult {
  const { definition } = group;
  const from = order.cancelledOn!;
  const until = order.billedUntil!;
  const drafts: Draft[] = [];
  let start = from;
  while (start < until) {
    const end = minDate(nextBoundary(definition, order, run.settings, start), until);
    const size = sizeOf(group, order, start, end);
    let priced: { perSize: Decimal; pricing: string };
    let quantity = ONE;
    if (definition.metric.type === 'named') {
      quantity = intern(order.billedMetric ?? valueOn(order.metricHistory, addDays(from, -1)));
      priced = priceQuantity(group, quantity, addDays(from, -1));
    } else if (definition.metric.mode === 'active') {
      priced = priceActiveCount(group, order, addDays(from, -1), from);
    } else {
      // The registration or renewal that started the period in which the order was cancelled.
      priced = priceEvents(group, order, maxDate(previousBoundary(definition, order, run.settings, from), order.registeredOn), run);
    }
    const draft = newDraft(group, order, 'refund', start, end, size, quantity, priced);
    draft.unitPrice = quantity.isZero() ? ZERO : priced.perSize.div(quantity);
    draft.notes.push(`cancelled on ${dateText(from)} with refund: unused prepaid time given back`);
    drafts.push(draft);
    start = end;
  }
  return { drafts, update: { billedUntil: from } };
}

/** Prepaid current-value metrics: bill only the excess of values above the prepaid one since the last bill. */
function billRecharges(group: Group, order: Order, run: Run): Draft[] {
  const { definition } = group;
  const prepaid = intern(order.billedMetric!);
  const from = maxDate(order.billedOn!, order.registeredOn);
  const until = order.cancelledOn !== undefined ? minDate(order.billedUntil!, order.cancelledOn) : order.billedUntil!;
  if (from >= until) return [];
  const drafts: Draft[] = [];
  for (const [s0, e0, value] of valueIntervals(order.metricHistory, from, until)) {
    if (value.lte(prepaid)) continue;
    // Keep each recharge inside one billing period, like the charges.
    for (let s = s0; s < e0;) {
      const e = minDate(nextBoundary(definition, order, run.settings, s), e0);
      const size = sizeOf(group, order, s, e);
      const priced = priceQuantity(group, value, s);
      const paid = priceQuantity(group, prepaid, s).perSize;
      const draft = newDraft(group, order, 'recharge', s, e, size, value, priced);
      const amount = cents(paid.times(size)).neg();
      draft.discounts.push({
        reason: 'prepaid',
        amount,
        explanation: `Already prepaid for ${formatQuantity(prepaid)}: ${formatAmount(paid)} × ${formatAmount(size)} = ${formatSigned(amount)}`,
      });
      draft.notes.push(
        `${definition.metric.type === 'named' ? definition.metric.name : 'metric'} rose from ${formatQuantity(prepaid)} to ${formatQuantity(value)} after the period was prepaid`,
      );
      drafts.push(draft);
      s = e;
    }
  }
  return drafts;
}

// ---------------------------------------------------------------------------------------------------------------
// Discounts that depend on dates: trial, deactivation, revoked cancellation, compensation

function dateDiscount(group: Group, draft: Draft, reason: DiscountReason, from: LocalDate, to: LocalDate, why: string): void {
  const { definition } = group;
  const size = sizeOf(group, draft.order, from, to);
  if (size.isZero()) return;
  const amount = cents(draft.perSize.times(size)).neg();
  if (amount.isZero()) return;
  draft.discounts.push({
    reason,
    amount,
    explanation: `${why} (${periodText(from, to)}): ${formatAmount(draft.perSize)} × ${formatSize(size, definition.billingPeriod, definition.pricingPeriod)} = ${formatSigned(amount)}`,
  });
}

function addTrial(group: Group, order: Order, drafts: Draft[]): void {
  const end = graceEnd(group.definition, order, 'trialPeriod');
  if (!end) return;
  for (const d of drafts) {
    const o = overlap(d.coverStart, d.coverEnd, order.registeredOn, end);
    if (o) dateDiscount(group, d, 'trial', o[0], o[1], `Free trial until ${dateText(end)}`);
  }
}

function addDeactivations(group: Group, order: Order, drafts: Draft[], run: Run): void {
  const { definition } = group;
  if (definition.onDeactivation !== 'discount' || order.deactivations.length === 0 || drafts.length === 0) return;
  const first = drafts[0]!;
  const isPrepay = definition.paymentStyle === 'prepay';
  // Prepaid days deactivated after the last bill are discounted on this one; future days wait for the next bill.
  const lower =
    isPrepay && order.billedOn !== undefined && order.billedUntil !== undefined
      ? maxDate(minDate(order.billedOn, first.coverStart), order.registeredOn)
      : first.coverStart;
  const upper = isPrepay ? run.today : '9999-12-31';
  for (const d of order.deactivations) {
    const until = d.until ?? '9999-12-31';
    const before = overlap(d.from, until, lower, minDate(first.coverStart, upper));
    if (before) dateDiscount(group, first, 'deactivation', before[0], before[1], 'Deactivated during the period billed before');
    for (const draft of drafts) {
      const o = overlap(d.from, until, maxDate(draft.coverStart, lower), minDate(draft.coverEnd, upper));
      if (o) dateDiscount(group, draft, 'deactivation', o[0], o[1], 'Deactivated');
    }
  }
}

function addRevokedCancellation(group: Group, order: Order, drafts: Draft[], run: Run): void {
  const { definition } = group;
  const revoked = order.revokedCancellation;
  if (!revoked || definition.paymentStyle !== 'prepay' || order.billedUntil !== revoked.cancelledOn || definition.billingPeriod === 'once')
    return;
  const end = nextBoundary(definition, order, run.settings, addDays(revoked.cancelledOn, -1));
  const cancelled = dateText(revoked.cancelledOn);
  for (const d of drafts) {
    const o = overlap(d.coverStart, d.coverEnd, revoked.cancelledOn, end);
    if (!o) continue;
    if (definition.rechargeOnRevokedCancel)
      d.notes.push(`recharges the days discounted by the cancellation of ${cancelled}, revoked on ${dateText(revoked.revokedOn)}`);
    else dateDiscount(group, d, 'revoked-cancellation', o[0], o[1], `Cancellation of ${cancelled} revoked; the discounted days stay free`);
  }
}

/** onCancel = compensate: unused prepaid time of cancelled orders pays for the same days of new or renewed ones. */
function addCompensations(group: Group, drafts: Draft[], updates: Map<string, Partial<OrderBillingUpdate>>): void {
  const { definition } = group;
  if (definition.onCancel !== 'compensate' || definition.paymentStyle !== 'prepay') return;
  const credits = group.siblings
    .filter((o) => o.cancelledOn !== undefined && o.billedUntil !== undefined && o.billedUntil > o.cancelledOn)
    .map((o) => ({ order: o, from: maxDate(o.cancelledOn!, o.creditUsedUntil ?? o.cancelledOn!), to: o.billedUntil! }))
    .filter((c) => c.from < c.to);
  if (credits.length === 0) return;
  const receivers = drafts
    .filter((d) => d.kind === 'charge')
    .sort((a, b) => (a.periodStart < b.periodStart ? -1 : a.periodStart > b.periodStart ? 1 : byRegistration(a.order, b.order)));
  for (const draft of receivers) {
    const trialEnd = graceEnd(definition, draft.order, 'trialPeriod');
    const open: [LocalDate, LocalDate][] = [[trialEnd ? maxDate(draft.coverStart, trialEnd) : draft.coverStart, draft.coverEnd]];
    for (;;) {
      let best: { credit: (typeof credits)[number]; piece: number; range: [LocalDate, LocalDate]; days: number } | undefined;
      for (const credit of credits) {
        if (credit.order === draft.order) continue;
        open.forEach(([a, b], piece) => {
          const o = overlap(a, b, credit.from, credit.to);
          const days = o ? diffDays(o[0], o[1]) : 0;
          if (o && (!best || days > best.days)) best = { credit, piece, range: o, days };
        });
      }
      if (!best) break;
      const { credit, piece, range } = best;
      const [a, b] = open[piece]!;
      open.splice(
        piece,
        1,
        ...(
          [
            [a, range[0]],
            [range[1], b],
          ] as [LocalDate, LocalDate][]
        ).filter(([x, y]) => x < y),
      );
      credit.from = range[1];
      updates.set(credit.order.id, { ...updates.get(credit.order.id), creditUsedUntil: range[1] });
      dateDiscount(
        group,
        draft,
        'compensation',
        range[0],
        range[1],
        `Unused prepaid time of ${credit.order.description}, cancelled on ${dateText(credit.order.cancelledOn!)}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Settling a draft into a proposal

/** The arithmetic of a line and its figures as text; shared by every line with the same (identical) inputs. */
interface LineMath {
  rated: Decimal;
  subtotal: Decimal;
  pack: Decimal;
  perSizeText: string;
  ratedText: string;
  listText: string;
  sizeAmountText: string;
  packText: string;
  /** Finished text pieces by period ("10.00 a month × 1 month (1 Feb – 1 Mar 2024) = 10.00"). */
  texts: Cache<string>;
}

// Keyed by the identity of the Decimal inputs: sizes, unit prices and position prices are shared instances, so lines
// of the same period and price reuse one computation (Decimal arithmetic at 40 digits costs microseconds per step).
const lineMaths = new WeakMap<Decimal, Map<Decimal, Map<Decimal, Map<Decimal, LineMath>>>>();

function lineMath(perSize: Decimal, size: Decimal, unitPrice: Decimal, quantity: Decimal): LineMath {
  let bySize = lineMaths.get(perSize);
  if (!bySize) lineMaths.set(perSize, (bySize = new Map()));
  let byUnit = bySize.get(size);
  if (!byUnit) bySize.set(size, (byUnit = new Map()));
  let byQuantity = byUnit.get(unitPrice);
  if (!byQuantity) byUnit.set(unitPrice, (byQuantity = new Map()));
  let math = byQuantity.get(quantity);
  if (!math) {
    const rated = cents(perSize.times(size));
    const list = unitPrice.times(quantity);
    const subtotal = cents(list.times(size));
    const pack = rated.minus(subtotal);
    math = {
      rated,
      subtotal,
      pack,
      perSizeText: formatAmount(perSize),
      ratedText: formatAmount(rated),
      listText: formatAmount(list),
      sizeAmountText: formatAmount(size),
      packText: formatSigned(pack),
      texts: new Cache(256),
    };
    byQuantity.set(quantity, math);
  }
  return math;
}

const sizeTexts = new WeakMap<Decimal, Map<BillableService, string>>();

function sizeText(size: Decimal, definition: BillableService): string {
  let texts = sizeTexts.get(size);
  if (!texts) sizeTexts.set(size, (texts = new Map()));
  let text = texts.get(definition);
  if (text === undefined) texts.set(definition, (text = formatSize(size, definition.billingPeriod, definition.pricingPeriod)));
  return text;
}

function settle(group: Group, draft: Draft, currency: string): LineProposal {
  const { definition } = group;
  const { order } = draft;
  const math = lineMath(draft.perSize, draft.size, draft.unitPrice, draft.quantity);
  const rated = math.rated;
  const unit = group.unit ? ` a ${group.unit[0]}` : '';
  const size = sizeText(draft.size, definition);
  const period = periodText(draft.periodStart, draft.periodEnd);
  const label = order.description ? `${definition.name} ${order.description}` : definition.name;
  const notes = draft.notes.length > 0 ? ` (${draft.notes.join('; ')})` : '';

  if (draft.kind === 'refund') {
    const subtotal = rated.neg();
    return proposal(group, draft, label, currency, {
      subtotal,
      discounts: [],
      total: subtotal,
      explanation: `Refund for ${label}${notes}: ${draft.pricing}${unit}; ${math.perSizeText} × ${size} (${period}) = ${formatSigned(subtotal)}.`,
    });
  }

  const discounts: Discount[] = [];
  if (!math.pack.isZero()) {
    const explanation = math.texts.get(
      'pack',
      '',
      undefined,
      () =>
        `${math.pack.isNegative() ? 'Pack prices' : 'Pack surcharge'}: ${math.perSizeText} instead of ${math.listText}${unit}, × ${math.sizeAmountText} = ${math.packText}`,
    );
    discounts.push({ reason: 'pack', amount: math.pack, explanation });
  }
  // Date discounts can overlap (a trial day that was also deactivated): never discount below zero.
  let total = rated;
  for (const d of draft.discounts) {
    const amount = total.plus(d.amount).isNegative() ? total.neg() : d.amount;
    if (amount.isZero()) continue;
    discounts.push(amount.eq(d.amount) ? d : { ...d, amount, explanation: `${d.explanation}, limited to ${formatSigned(amount)}` });
    total = total.plus(amount);
  }
  const isPerPeriod =
    definition.billingPeriod !== 'once' && !(definition.metric.type === 'named' && definition.metric.mode === 'sum-during-period');
  const list = !isPerPeriod
    ? math.perSizeText
    : math.texts.get(
        draft.periodStart,
        draft.periodEnd,
        undefined,
        () => `${math.perSizeText}${unit} × ${size} (${period}) = ${math.ratedText}`,
      );
  const lead = draft.kind === 'recharge' ? `Recharge for ${label}` : label;
  const when = definition.billingPeriod === 'once' ? ` (${period})` : '';
  const tail = draft.discounts.length > 0 ? ` Total ${formatAmount(total)}.` : '';
  return proposal(group, draft, label, currency, {
    subtotal: math.subtotal,
    discounts,
    total,
    explanation: `${lead}${when}${notes}: ${draft.pricing}${isPerPeriod ? unit : ''}; ${list}.${tail}`,
  });
}

/** The proposal object, built in one literal (spreading a helper's result was the engine's hottest line). */
function proposal(
  group: Group,
  draft: Draft,
  label: string,
  currency: string,
  amounts: Pick<LineProposal, 'subtotal' | 'discounts' | 'total' | 'explanation'>,
): LineProposal {
  return {
    kind: draft.kind,
    orderId: draft.order.id,
    accountId: draft.order.accountId,
    serviceId: draft.order.serviceId,
    billableServiceId: group.definition.id,
    description: label,
    periodStart: draft.periodStart,
    periodEnd: draft.periodEnd,
    size: draft.size,
    quantity: draft.quantity,
    unitPrice: draft.unitPrice,
    subtotal: amounts.subtotal,
    discounts: amounts.discounts,
    total: amounts.total,
    isFee: group.definition.isFee,
    taxCategory: group.definition.taxCategory,
    currency,
    explanation: amounts.explanation,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The entry point

function skipReason(definition: BillableService, order: Order, run: Run): SkippedOrder | undefined {
  if (order.ignored) return { orderId: order.id, reason: 'ignored', explanation: 'The order is marked ignored' };
  if (order.registeredOn > run.billUntil) {
    return {
      orderId: order.id,
      reason: 'not-registered',
      explanation: `Registered on ${dateText(order.registeredOn)}, after the bill-until date`,
    };
  }
  if (!definition.trialPeriod && !definition.ignorePeriod) return undefined;
  if (cancelledInGrace(definition, order)) {
    const explanation = `Cancelled on ${dateText(order.cancelledOn!)}, within its trial or ignore period: never billed`;
    return { orderId: order.id, reason: 'cancelled-in-grace', explanation };
  }
  const trialEnd = graceEnd(definition, order, 'trialPeriod');
  if (trialEnd && run.today < trialEnd) {
    return { orderId: order.id, reason: 'in-trial', explanation: `In its free trial until ${dateText(trialEnd)}; billed after it` };
  }
  const ignoreEnd = graceEnd(definition, order, 'ignorePeriod');
  if (ignoreEnd && run.today < ignoreEnd) {
    const explanation = `In its ignore period until ${dateText(ignoreEnd)}; billed from registration after it`;
    return { orderId: order.id, reason: 'in-ignore-period', explanation };
  }
  return undefined;
}

/** Each pack with rates for the definition, in creation order (computed once per definition). */
function packRates(definition: BillableService, packs: readonly Pack[]): { pack: Pack; rates: { from: number; price: Decimal }[] }[] {
  return packs
    .map((pack) => ({
      pack,
      rates: pack.rates.filter((r) => r.billableServiceId === definition.id).map((r) => ({ from: r.from, price: r.price })),
    }))
    .filter((p) => p.rates.length > 0);
}

/** The packs that apply to an account: default ones, and contracted ones with their contracts. */
function packUses(
  rated: readonly { pack: Pack; rates: { from: number; price: Decimal }[] }[],
  contracts: readonly ContractedPack[],
): PackUse[] {
  const uses: PackUse[] = [];
  for (const { pack, rates } of rated) {
    const mine = pack.isDefault ? [] : contracts.filter((c) => c.packId === pack.id);
    if (!pack.isDefault && mine.length === 0) continue;
    uses.push({ pack, rates, contracts: mine });
  }
  return uses;
}

/**
 * Propose bill lines for the due periods of the given orders, up to `billUntil`, with every discount and a human
 * explanation, plus the billing state each order moves to. Nothing is persisted: a dry run and a real run are the
 * same call.
 * @example proposeLines({ settings: { currency: 'EUR' }, definitions, packs, packsByAccount: {}, orders,
 *   billUntil: '2024-03-31', today: '2024-03-31' }).proposals[0].explanation
 *   // 'Mailbox info@example.org: 1 × Mailbox: 1 × 10.00 at the list price = 10.00; this is the 1st, at 10.00 a month; …'
 */
export function proposeLines(input: ProposeLinesInput): ProposeLinesResult {
  const run: Run = { settings: input.settings, billUntil: input.billUntil, today: input.today, periods: new Map() };
  const definitions = new Map(input.definitions.map((d) => [d.id, d]));
  const selected = input.orderIds ? new Set(input.orderIds) : undefined;
  const packs = [...input.packs].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  );
  const contractsOf = (accountId: string): readonly ContractedPack[] =>
    (input.packsByAccount instanceof Map
      ? input.packsByAccount.get(accountId)
      : (input.packsByAccount as Record<string, readonly ContractedPack[]>)[accountId]) ?? [];
  const cache = new Map<string, RatingEntry>();
  const rated = new Map<string, ReturnType<typeof packRates>>();
  const ratesOf = (definition: BillableService) => {
    let r = rated.get(definition.id);
    if (!r) rated.set(definition.id, (r = packRates(definition, packs)));
    return r;
  };

  // Group by account, then definition (nested maps: no key strings to build per order).
  const accounts = new Map<string, Map<string, Order[]>>();
  const skipped: SkippedOrder[] = [];
  for (const order of input.orders) {
    if (!definitions.has(order.billableServiceId)) {
      if (!selected || selected.has(order.id)) {
        skipped.push({ orderId: order.id, reason: 'unknown-definition', explanation: `No billable service ${order.billableServiceId}` });
      }
      continue;
    }
    let byDefinition = accounts.get(order.accountId);
    if (!byDefinition) accounts.set(order.accountId, (byDefinition = new Map()));
    const list = byDefinition.get(order.billableServiceId);
    if (list) list.push(order);
    else byDefinition.set(order.billableServiceId, [order]);
  }
  const groups: Order[][] = [];
  for (const accountId of [...accounts.keys()].sort()) {
    const byDefinition = accounts.get(accountId)!;
    for (const definitionId of [...byDefinition.keys()].sort()) groups.push(byDefinition.get(definitionId)!);
  }

  const proposals: LineProposal[] = [];
  const updates: OrderBillingUpdate[] = [];
  for (const orders of groups) {
    orders.sort(byRegistration);
    const definition = definitions.get(orders[0]!.billableServiceId)!;
    const accountId = orders[0]!.accountId;
    const hasGrace = definition.trialPeriod !== null || definition.ignorePeriod !== null;
    const group: Group = {
      definition,
      accountId,
      pricer: new Pricer(definition, packUses(ratesOf(definition), contractsOf(accountId)), cache),
      siblings: orders.filter((o) => !o.ignored && !(hasGrace && cancelledInGrace(definition, o))),
      unit: priceUnit(definition.billingPeriod, definition.pricingPeriod),
      settings: run.settings,
    };
    const drafts: Draft[] = [];
    const pending = new Map<string, Partial<OrderBillingUpdate>>();
    for (const order of orders) {
      if (selected && !selected.has(order.id)) continue;
      const skip = skipReason(definition, order, run);
      if (skip) {
        skipped.push(skip);
        continue;
      }
      const isRefund =
        definition.onCancel === 'refund' &&
        definition.paymentStyle === 'prepay' &&
        order.cancelledOn !== undefined &&
        order.billedUntil !== undefined &&
        order.billedUntil > order.cancelledOn;
      const isRecharge =
        definition.metric.type === 'named' &&
        definition.metric.mode === 'current' &&
        definition.paymentStyle === 'prepay' &&
        definition.billingPeriod !== 'once' &&
        order.billedMetric !== undefined &&
        order.billedOn !== undefined &&
        order.billedUntil !== undefined;
      const recharges = isRecharge && !isRefund ? billRecharges(group, order, run) : [];
      const result = isRefund ? billRefund(group, order, run) : billCharges(group, order, run);
      if (!isRefund && (definition.trialPeriod || order.deactivations.length > 0 || order.revokedCancellation)) {
        addTrial(group, order, result.drafts);
        addDeactivations(group, order, result.drafts, run);
        addRevokedCancellation(group, order, result.drafts, run);
      }
      const mine = recharges.length > 0 ? [...recharges, ...result.drafts] : result.drafts;
      // Periods with nothing used (a metric at 0) give no line but still move billedUntil on.
      if (mine.length === 0 && !result.update) {
        skipped.push({
          orderId: order.id,
          reason: 'up-to-date',
          explanation: order.billedUntil ? `Billed until ${dateText(order.billedUntil)}` : 'Nothing due yet',
        });
        continue;
      }
      for (const d of mine) drafts.push(d);
      const update: Partial<OrderBillingUpdate> = pending.get(order.id) ?? {};
      if (result.update) {
        update.billedUntil = result.update.billedUntil;
        if (result.update.billedMetric !== undefined) update.billedMetric = result.update.billedMetric;
      }
      if (recharges.length > 0 && update.billedMetric === undefined) update.billedMetric = valueOn(order.metricHistory, run.today);
      pending.set(order.id, update);
    }
    addCompensations(group, drafts, pending);
    for (const draft of drafts) proposals.push(settle(group, draft, input.settings.currency));
    for (const order of orders) {
      const update = pending.get(order.id);
      if (!update) continue;
      const next: OrderBillingUpdate = {
        orderId: order.id,
        billedOn: run.today,
        billedUntil: update.billedUntil ?? order.billedUntil ?? order.registeredOn,
      };
      if (update.billedMetric !== undefined) next.billedMetric = update.billedMetric;
      if (update.creditUsedUntil !== undefined) next.creditUsedUntil = update.creditUsedUntil;
      updates.push(next);
    }
  }
  return { proposals, updates, skipped };
}

// ---------------------------------------------------------------------------------------------------------------
// JSON at the boundary

/** A proposal with amounts as strings (sizes and amounts with 2 decimals, quantities and unit prices exact). */
export type LineProposalJSON = Omit<LineProposal, 'size' | 'quantity' | 'unitPrice' | 'subtotal' | 'total' | 'discounts'> & {
  size: string;
  quantity: string;
  unitPrice: string;
  subtotal: string;
  total: string;
  discounts: { reason: DiscountReason; amount: string; explanation: string }[];
};

/** The JSON form of a proposal. */
export function lineProposalToJSON(p: LineProposal): LineProposalJSON {
  return {
    ...p,
    size: formatAmount(p.size),
    quantity: p.quantity.toFixed(),
    unitPrice: p.unitPrice.toFixed(),
    subtotal: formatAmount(p.subtotal),
    total: formatAmount(p.total),
    discounts: p.discounts.map((d) => ({ ...d, amount: formatAmount(d.amount) })),
  };
}

/** Back from JSON (e.g. a stored dry run). */
export function lineProposalFromJSON(p: LineProposalJSON): LineProposal {
  return {
    ...p,
    size: new Money(p.size),
    quantity: new Money(p.quantity),
    unitPrice: new Money(p.unitPrice),
    subtotal: new Money(p.subtotal),
    total: new Money(p.total),
    discounts: p.discounts.map((d) => ({ ...d, amount: new Money(d.amount) })),
  };
}
