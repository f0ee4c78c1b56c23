import Decimal from 'decimal.js';
import { addYears } from './dates';
import type { LocalDate } from '../core/dates';
import { Money } from '../core/money';
import type { Locale } from '../core/schemas';
import type { Account } from '../accounts/model';
import type { LineProposal } from '../pricing/engine';
import type { z } from 'zod';
import type { AmendmentMode, Bill, BillLine, BillSettings, BillType, LineTax, ManualLineInput } from './model';
import { computeTotals, type TaxRules } from './tax';

// Pure computations on bills: lines from engine proposals or staff input, tax decided per line, totals per rate.

const ZERO = new Money(0);
const cents = (d: Decimal) => d.toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/** What deciding tax needs: the tenant's rules (undefined: no rules for its country yet), fee mode, customer, locale. */
export interface PricingContext {
  rules: TaxRules | undefined;
  feeMode: BillSettings['feeMode'];
  customer: Pick<Account, 'country' | 'vatId' | 'postcode' | 'type'>;
  locale: Locale;
}

/** Placeholder tax for open bills of tenants whose country has no rules yet; such bills cannot close. */
const UNDECIDED: LineTax = { code: 'O', rate: ZERO };

/** Decide the tax of a line for a document type. */
export function decideTax(taxCategory: string, type: BillType, ctx: PricingContext): LineTax {
  if (!ctx.rules) return UNDECIDED;
  const d = ctx.rules.decide(taxCategory, { documentType: type, feeMode: ctx.feeMode, customer: ctx.customer, locale: ctx.locale });
  return { code: d.code, rate: d.rate, ...(d.mention ? { mention: d.mention } : {}) };
}

/** Re-decide every line's tax and recompute the totals (open bills, on every save and at close). */
export function priceBill<B extends Pick<Bill, 'type' | 'lines' | 'totals'>>(bill: B, ctx: PricingContext): B {
  // Amendment lines keep the tax of the line they correct: the correction follows the original's treatment.
  const lines = bill.lines.map((l) => (l.kind === 'amendment' ? l : { ...l, tax: decideTax(l.taxCategory, bill.type, ctx) }));
  const withBreakdown = ctx.rules ? ctx.rules.hasBreakdown({ documentType: bill.type, feeMode: ctx.feeMode }) : true;
  return { ...bill, lines, totals: computeTotals(lines, withBreakdown) };
}

/** A bill line from an engine proposal, remembering where the order stood before (for undo). */
export function lineFromProposal(p: LineProposal, id: string, previousBilledUntil: LocalDate | undefined): BillLine {
  return {
    id,
    kind: p.kind,
    orderId: p.orderId,
    description: p.description.slice(0, 500),
    periodStart: p.periodStart,
    periodEnd: p.periodEnd,
    // A rated unit price can be a repeating decimal (10 / 3); 12 places keep it exact enough to read, the total is the engine's.
    quantity: p.quantity.toDecimalPlaces(12, Decimal.ROUND_HALF_UP),
    unitPrice: p.unitPrice.toDecimalPlaces(12, Decimal.ROUND_HALF_UP),
    subtotal: p.subtotal,
    discounts: p.discounts.map((d) => ({ reason: d.reason, amount: d.amount, explanation: d.explanation.slice(0, 1000) })),
    total: p.total,
    taxCategory: p.taxCategory,
    tax: UNDECIDED,
    explanation: p.explanation.slice(0, 4000),
    ...(previousBilledUntil ? { previousBilledUntil } : {}),
  };
}

/** A line typed by staff: total = quantity × unit price, half-up to cents. */
export function manualLine(input: z.output<typeof ManualLineInput>, id: string): BillLine {
  const subtotal = cents(input.quantity.times(input.unitPrice));
  return {
    id,
    kind: 'manual',
    description: input.description,
    ...(input.periodStart ? { periodStart: input.periodStart } : {}),
    ...(input.periodEnd ? { periodEnd: input.periodEnd } : {}),
    quantity: input.quantity,
    unitPrice: input.unitPrice,
    subtotal,
    discounts: [],
    total: subtotal,
    taxCategory: input.taxCategory,
    tax: UNDECIDED,
  };
}

/** Per original line, the amount it should have had (manual amendments); lines left out are correct as issued. */
export interface AmendedAmount {
  lineId: string;
  /** The correct taxable base of the line. */
  total: Decimal;
}

/**
 * The lines of an amendment (thesis §5.7.2; RD 1619/2012 art. 15).
 * - automatic (no amounts): the whole original is cancelled — by differences, every line negated; by substitution,
 *   every line restated at 0.
 * - manual: by differences, one line per corrected original line carrying (correct − issued); by substitution, every
 *   original line restated, the corrected ones at their correct amount.
 * Each line points at the line it corrects (`amendsLineId`).
 */
export function amendmentLines(
  original: Pick<Bill, 'lines'>,
  mode: AmendmentMode,
  amounts: readonly AmendedAmount[] | undefined,
  newId: () => string,
): BillLine[] {
  const byId = new Map(original.lines.map((l) => [l.id, l]));
  for (const a of amounts ?? []) if (!byId.has(a.lineId)) throw new RangeError(`No line ${a.lineId}`);
  const corrected = amounts ? new Map(amounts.map((a) => [a.lineId, a.total])) : undefined;
  const restate = (l: BillLine, total: Decimal, description = l.description): BillLine => ({
    id: newId(),
    kind: 'amendment',
    description,
    ...(l.periodStart ? { periodStart: l.periodStart } : {}),
    ...(l.periodEnd ? { periodEnd: l.periodEnd } : {}),
    quantity: new Money(1),
    unitPrice: total,
    subtotal: total,
    discounts: [],
    total,
    taxCategory: l.taxCategory,
    tax: l.tax,
    amendsLineId: l.id,
  });
  if (mode === 'differences') {
    if (!corrected) {
      return original.lines.map(({ orderId: _order, previousBilledUntil: _previous, explanation: _explanation, ...l }) => ({
        ...l,
        id: newId(),
        kind: 'amendment' as const,
        quantity: l.quantity.negated(),
        subtotal: l.subtotal.negated(),
        discounts: l.discounts.map((d) => ({ ...d, amount: d.amount.negated() })),
        total: l.total.negated(),
        amendsLineId: l.id,
      }));
    }
    return original.lines
      .filter((l) => corrected.has(l.id) && !corrected.get(l.id)!.eq(l.total))
      .map((l) => restate(l, corrected.get(l.id)!.minus(l.total)));
  }
  return original.lines.map((l) => restate(l, corrected ? (corrected.get(l.id) ?? l.total) : ZERO));
}

/** Whether the 4-year limit to amend an invoice (RD 1619/2012 art. 15.1) has passed. */
export function isTooLateToAmend(issuedOn: LocalDate, today: LocalDate): boolean {
  return today > addYears(issuedOn, 4);
}
