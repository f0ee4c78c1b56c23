// `consort engine`: one JSON request in, one JSON response out. Thin: validate with zod, call the pure pricing
// functions, format amounts with 2 decimals.
import { z } from 'zod';
import { LocalDate } from '@consort/shared/core/dates';
import { Amount, formatAmount, Money } from '@consort/shared/core/money';
import {
  billingPoint,
  BillingPeriod,
  BillingPointKind,
  OnCancel,
  PaymentStyle,
  periodSize,
  PricingPeriod,
  pricingSlots,
} from '@consort/shared/pricing/periods';
import { rate, RatingAlgorithm } from '@consort/shared/pricing/rating';

// Bounds that keep unit counts exact in JS numbers (units × contractions < 2^53).
const MAX_UNITS = 1_000_000_000;
const MAX_CONTRACTIONS = 1_000_000;

const Price = Amount.refine((v) => !v.startsWith('-'), 'Use a price ≥ 0').transform((v) => new Money(v));
const Units = z.number().int('Use a whole number').min(0).max(MAX_UNITS);
const Month = z.number().int().min(1).max(12);
const Day = z.number().int().min(1).max(31);

const RateInput = z.object({ from: Units, price: Price });

const PackInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    default: z.boolean().default(false),
    combinable: z.boolean().default(true),
    allowMultiple: z.boolean().default(false),
    contracted: z.number().int().min(0).max(MAX_CONTRACTIONS).default(0),
    rates: z.array(RateInput).min(1, 'A pack needs at least one rate').max(1000),
  })
  .superRefine((pack, ctx) => {
    const seen = new Set<number>();
    pack.rates.forEach((r, i) => {
      const from = Math.max(r.from, 1);
      if (seen.has(from))
        ctx.addIssue({ code: 'custom', path: ['rates', i, 'from'], message: `Two rates start at unit ${from} (0 counts as 1)` });
      seen.add(from);
    });
  });

const endNotBeforeStart = (r: { start: string; end: string }) => r.end >= r.start;
const END_MESSAGE = { path: ['end'], message: 'The end is before the start' };

const RateRequest = z.object({
  op: z.literal('rate'),
  algorithm: RatingAlgorithm,
  quantity: Units,
  nominalPrice: Price,
  packs: z.array(PackInput).max(100).default([]),
});

const BillingPointRequest = z.object({
  op: z.literal('billingPoint'),
  billingPeriod: BillingPeriod,
  billingPoint: BillingPointKind,
  paymentStyle: PaymentStyle,
  date: LocalDate,
  registeredOn: LocalDate,
  cancelledOn: LocalDate.nullable().optional(),
  onCancel: OnCancel.default('nothing'),
  fixedMonth: Month.optional(),
  fixedDay: Day.optional(),
});

const SizeRequest = z
  .object({
    op: z.literal('size'),
    billingPeriod: BillingPeriod,
    pricingPeriod: PricingPeriod.default('billing'),
    start: LocalDate,
    end: LocalDate,
  })
  .refine(endNotBeforeStart, END_MESSAGE);

const PricingSlotsRequest = z
  .object({
    op: z.literal('pricingSlots'),
    pricingPeriod: z.enum(['monthly', 'annual']),
    billingPoint: BillingPointKind,
    start: LocalDate,
    end: LocalDate,
    fixedMonth: Month.optional(),
    fixedDay: Day.optional(),
  })
  .refine(endNotBeforeStart, END_MESSAGE);

/** Every request the engine understands, told apart by `op`. */
export const EngineRequest = z.discriminatedUnion('op', [RateRequest, BillingPointRequest, SizeRequest, PricingSlotsRequest], {
  error: (issue) => (issue.code === 'invalid_union' ? 'Use op rate, billingPoint, size or pricingSlots' : undefined),
});
export type EngineRequest = z.output<typeof EngineRequest>;

/** Answer one parsed request. */
export function answer(request: EngineRequest): unknown {
  switch (request.op) {
    case 'rate': {
      const { lines, total } = rate(request.algorithm, request.quantity, request.nominalPrice, request.packs);
      return { lines: lines.map((l) => ({ quantity: l.quantity, price: formatAmount(l.price) })), total: formatAmount(total) };
    }
    case 'billingPoint':
      return { billingPoint: billingPoint(request) };
    case 'size':
      return { size: formatAmount(periodSize(request)) };
    case 'pricingSlots':
      return { slots: pricingSlots(request) };
  }
}

interface Detail {
  path: (string | number)[];
  message: string;
}

function failure(message: string, details: Detail[]) {
  return { exitCode: 1 as const, body: { error: { code: 'validation_failed', message, details } } };
}

/** Run the engine on the raw text of a request: exit code 0 with the answer, 1 with a JSON error for bad input. */
export function runEngine(text: string): { exitCode: 0 | 1 | 2; body: unknown } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return failure('The request is not valid JSON', [{ path: [], message: (error as Error).message }]);
  }
  const parsed = EngineRequest.safeParse(json);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({
      path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
      message: i.message,
    }));
    return failure('The request is not valid', details);
  }
  try {
    return { exitCode: 0, body: answer(parsed.data) };
  } catch (error) {
    // The pure functions throw RangeError for arguments they cannot handle (e.g. a date past year 9999).
    if (error instanceof RangeError) return failure(error.message, [{ path: [], message: error.message }]);
    return { exitCode: 2, body: { error: { code: 'internal', message: String((error as Error)?.message ?? error) } } };
  }
}
