import type Decimal from 'decimal.js';
import { z } from 'zod';
import { LocalDate } from '../core/dates';
import { Amount, Currency, formatAmount, Money } from '../core/money';
import { Label } from '../core/schemas';
import { BillingSchedule } from './runs';
import { TaxCategory as CatalogTaxCategory } from '../catalog/model';
import { BillDocumentType, LogoDataUrl, TaxCategory as TaxCode, type BillRenderModel } from '../documents/render-model';

// Bills (issue 4): five document types, one lifecycle, gapless yearly series. A bill is stored as JSON (amounts as
// decimal strings) and used as a domain value (amounts as Decimal); `parseBill` / `billToJSON` convert. Everything
// here is pure. The lifecycle is in ./lifecycle.ts, numbering in ./numbering.ts, tax in ./tax/, the use cases in
// ./use-cases.ts and ./billing-run.ts; docs/billing.md explains the rules.

/** invoice, fee (membership fee), amendment, fee-amendment, quote — the render model's document types. */
export const BillType = BillDocumentType;
export type BillType = BillDocumentType;
export const BILL_TYPES = BillDocumentType.options;

/**
 * open: a draft with a provisional id, freely editable or deletable. closed: issued — numbered (quotes: frozen
 * without a number), dated, immutable. Then sent, paid, returned, irrecoverable, discarded; a quote ends converted.
 */
export const BILL_STATES = ['open', 'closed', 'sent', 'paid', 'returned', 'irrecoverable', 'discarded', 'converted'] as const;
export const BillState = z.enum(BILL_STATES);
export type BillState = z.infer<typeof BillState>;

/** Types that consume a number of their own series when they close (quotes never do). */
export const NUMBERED_TYPES: readonly BillType[] = ['invoice', 'fee', 'amendment', 'fee-amendment'];
/** The amendment type of each amendable type. */
export const AMENDMENT_OF: Partial<Record<BillType, BillType>> = { invoice: 'amendment', fee: 'fee-amendment' };

export const isAmendmentType = (type: BillType) => type === 'amendment' || type === 'fee-amendment';
export const isFeeType = (type: BillType) => type === 'fee' || type === 'fee-amendment';

/** How the bill was produced: an engine line (charge / recharge / refund), typed by staff, or correcting another line. */
export const LineKind = z.enum(['charge', 'recharge', 'refund', 'manual', 'amendment']);
export type LineKind = z.infer<typeof LineKind>;

/** An order's billing position; a run moves it forward and deleting the run's lines puts it back. */
export const BillingState = z.strictObject({
  billedOn: LocalDate.optional(),
  billedUntil: LocalDate.optional(),
  billedMetric: z.string().max(40).optional(),
  creditUsedUntil: LocalDate.optional(),
});
export type BillingState = z.infer<typeof BillingState>;

/**
 * What one billing run did to one order on this bill: its state before and after. Deleting the order's lines (or the
 * bill) restores `before` of its earliest effect, provided the order is still at `after` of its latest.
 */
export const OrderEffect = z.strictObject({
  orderId: z.string().min(1),
  runAt: z.string(),
  before: BillingState,
  after: BillingState,
});
export type OrderEffect = z.infer<typeof OrderEffect>;

const Decimal40 = Amount.transform((s) => new Money(s));
/** A quantity may have more decimals than money (metered usage); still a decimal string, never a JS number. */
const Quantity = z
  .string()
  .regex(/^-?\d{1,15}(\.\d{1,12})?$/, 'Use a decimal quantity such as 1 or 2.5')
  .transform((s) => new Money(s));
/** Stored exact values from the engine (unit prices of rated refunds can have many decimals). */
const Exact = z
  .string()
  .regex(/^-?\d{1,20}(\.\d{1,20})?$/, 'Use a decimal number')
  .transform((s) => new Money(s));

export const LineDiscount = z.strictObject({
  reason: z.string().min(1).max(40),
  /** Negative = a discount (the engine's sign); the render model flips it. */
  amount: Decimal40,
  explanation: z.string().max(1000),
});
export type LineDiscount = z.output<typeof LineDiscount>;

/** The tax decided for a line: UNCL5305 code, rate in percent and the legal mention it needs. */
export const LineTax = z.strictObject({
  code: TaxCode,
  rate: Decimal40,
  mention: z.string().max(1000).optional(),
});
export type LineTax = z.output<typeof LineTax>;

export const BillLine = z.strictObject({
  id: z.string().min(1),
  kind: LineKind,
  orderId: z.string().optional(),
  description: z.string().min(1).max(500),
  periodStart: LocalDate.optional(),
  periodEnd: LocalDate.optional(),
  quantity: Exact,
  unitPrice: Exact,
  /** quantity × unitPrice, rounded half-up to cents. */
  subtotal: Decimal40,
  discounts: z.array(LineDiscount).max(20),
  /** subtotal + Σ discounts: the line's taxable base. */
  total: Decimal40,
  /** The tenant's tax category code (standard, reduced…), as the billable service says. */
  taxCategory: CatalogTaxCategory,
  /** Decided from the tenant's tax rules and the customer on every save; frozen when the bill closes. */
  tax: LineTax,
  /** The engine's explanation of the arithmetic. */
  explanation: z.string().max(4000).optional(),
  /** The order's billedUntil before the run that produced this line (undo while the bill is open). */
  previousBilledUntil: LocalDate.optional(),
  /** Amendments: the original line this one corrects. */
  amendsLineId: z.string().optional(),
});
export type BillLine = z.output<typeof BillLine>;
export type BillLineJSON = z.input<typeof BillLine>;

/** Base and tax of one (code, rate, mention): rounded once, on the summed base (EN 16931 BR-CO-17). */
export const TaxSubtotal = z.strictObject({
  code: TaxCode,
  rate: Decimal40,
  base: Decimal40,
  tax: Decimal40,
  mention: z.string().max(1000).optional(),
});
export type TaxSubtotal = z.output<typeof TaxSubtotal>;

export const BillTotals = z.strictObject({
  base: Decimal40,
  tax: Decimal40,
  total: Decimal40,
  taxes: z.array(TaxSubtotal),
});
export type BillTotals = z.output<typeof BillTotals>;

export const AmendmentMode = z.enum(['differences', 'substitution']);
export type AmendmentMode = z.infer<typeof AmendmentMode>;

/** What an amendment corrects: the original's id, number and issue date, the cause and the mode. */
export const AmendsRef = z.strictObject({
  billId: z.string().min(1),
  number: z.string().min(1),
  issuedOn: LocalDate,
  cause: z.string().min(1).max(500),
  mode: AmendmentMode,
  /** The original's totals (substitution amendments state the corrected amounts next to the correct ones). */
  original: z.strictObject({ base: Decimal40, tax: Decimal40, total: Decimal40 }),
});
export type AmendsRef = z.output<typeof AmendsRef>;

export const BILL_ACTIONS = [
  'create',
  'close',
  'send',
  'mark-paid',
  'mark-returned',
  'mark-irrecoverable',
  'discard',
  'undo-discard',
  'convert',
  'amend',
  'merge',
] as const;
export const BillAction = z.enum(BILL_ACTIONS);
export type BillAction = z.infer<typeof BillAction>;

/** One audited transition: who did what, when, why. `from` = `to` for actions that keep the state (amend). */
export const AuditEntry = z.strictObject({
  action: BillAction,
  from: BillState.nullable(),
  to: BillState,
  actor: z.string(),
  at: z.string(),
  reason: z.string().max(1000).optional(),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const Bill = z.strictObject({
  tenantId: z.string().min(1),
  /** Permanent id (`bil_…`); the provisional reference while the bill is open. */
  id: z.string().min(1),
  accountId: z.string().min(1),
  type: BillType,
  state: BillState,
  currency: Currency,
  /** Issued numbered bills: fiscal year, the series code (prefix + year), position in it and the printed number. */
  fiscalYear: z.number().int().optional(),
  series: z.string().optional(),
  sequence: z.number().int().positive().optional(),
  number: z.string().optional(),
  issuedOn: LocalDate.optional(),
  dueOn: LocalDate.optional(),
  lines: z.array(BillLine),
  effects: z.array(OrderEffect),
  totals: BillTotals,
  amends: AmendsRef.optional(),
  /** Invoices converted from a quote. */
  quoteOf: z.strictObject({ billId: z.string() }).optional(),
  /** Quotes: the invoice they became. */
  convertedTo: z.string().optional(),
  notes: z.string().max(2000).optional(),
  /** EUR per unit of the bill's currency, stated when a non-EUR Spanish bill closes. */
  exchangeRate: z.string().optional(),
  /** Where the PDF is stored once rendered (set by the documents part). */
  pdf: z.strictObject({ key: z.string(), sha256: z.string().optional(), renderedAt: z.string() }).optional(),
  sentTo: z.array(z.string()).optional(),
  audit: z.array(AuditEntry),
  /** Optimistic concurrency: every write of the bill item expects the version it read. */
  version: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type BillJSON = z.input<typeof Bill>;
/** A bill; `renderModel` is the frozen document of an issued bill (stored apart, loaded with it). */
export type Bill = z.output<typeof Bill> & { renderModel?: BillRenderModel };

const json = (d: Decimal) => d.toFixed();
/** Money in JSON: always two decimals ("5.20"). Quantities, unit prices and rates stay exact. */
const money = (d: Decimal) => formatAmount(d);

/** The JSON form of a line (amounts as strings, no undefined fields). */
export function lineToJSON(line: BillLine): BillLineJSON {
  return dropUndefined({
    ...line,
    quantity: json(line.quantity),
    unitPrice: json(line.unitPrice),
    subtotal: money(line.subtotal),
    total: money(line.total),
    discounts: line.discounts.map((d) => ({ ...d, amount: money(d.amount) })),
    tax: dropUndefined({ ...line.tax, rate: json(line.tax.rate) }),
  });
}

export function totalsToJSON(t: BillTotals): z.input<typeof BillTotals> {
  return {
    base: money(t.base),
    tax: money(t.tax),
    total: money(t.total),
    taxes: t.taxes.map((s) => dropUndefined({ ...s, rate: json(s.rate), base: money(s.base), tax: money(s.tax) })),
  };
}

export function amendsToJSON(a: AmendsRef): z.input<typeof AmendsRef> {
  return { ...a, original: { base: money(a.original.base), tax: money(a.original.tax), total: money(a.original.total) } };
}

/** The stored JSON form of a bill, without its render model (stored apart). */
export function billToJSON(bill: Bill): BillJSON {
  const { renderModel: _model, ...rest } = bill;
  return dropUndefined({
    ...rest,
    lines: bill.lines.map(lineToJSON),
    totals: totalsToJSON(bill.totals),
    amends: bill.amends ? amendsToJSON(bill.amends) : undefined,
  });
}

/** Parse a stored bill; throws ValidationError. */
export function parseBill(value: unknown): Bill {
  return Bill.parse(value);
}

export function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// -----------------------------------------------------------------------------------------------------------------
// Tenant bill settings

/** Per document type: series prefix and digits (numbered types), and days until due (quotes: days valid). */
export const SeriesSettings = z.strictObject({
  prefix: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9/_.-]{0,12}$/, 'Use up to 12 letters, digits, / _ . or -'),
  digits: z.number().int().min(1, 'Use 1–10 digits').max(10, 'Use 1–10 digits'),
  dueDays: z.number().int().min(0, 'Use 0–365 days').max(365, 'Use 0–365 days'),
});
export type SeriesSettings = z.infer<typeof SeriesSettings>;

/** The issuer as printed on bills (RD 1619/2012 art. 6.1.c–e): the trading name is the tenant's name. */
export const IssuerProfile = z.strictObject({
  legalName: z.string().trim().max(200).optional(),
  taxId: z.string().trim().max(40).optional(),
  addressLines: z.array(z.string().trim().min(1).max(200)).max(6).default([]),
  email: z.string().trim().max(254).optional(),
  phone: z.string().trim().max(40).optional(),
  website: z.string().trim().max(200).optional(),
  /** Embedded in every frozen render model; at most ~250 KiB so it fits in one item with the model. */
  logo: LogoDataUrl.refine((s) => s.length <= 350_000, 'Use a logo of at most 250 KiB')
    .nullable()
    .default(null),
});
export type IssuerProfile = z.infer<typeof IssuerProfile>;

export const DEFAULT_SERIES: Record<BillType, SeriesSettings> = {
  invoice: { prefix: 'I', digits: 4, dueDays: 30 },
  fee: { prefix: 'F', digits: 4, dueDays: 30 },
  amendment: { prefix: 'A', digits: 4, dueDays: 30 },
  'fee-amendment': { prefix: 'B', digits: 4, dueDays: 30 },
  quote: { prefix: 'Q', digits: 4, dueDays: 30 },
};

/**
 * Membership fees: a `receipt` is not an invoice (no tax breakdown, outside invoicing rules); an `exempt-invoice` is
 * an invoice exempt under art. 20.Uno.12 LIVA with the legal mention (billing-compliance checklist 44).
 */
export const FeeMode = z.enum(['receipt', 'exempt-invoice']);
export type FeeMode = z.infer<typeof FeeMode>;

export const BillSettings = z.strictObject({
  issuer: IssuerProfile.default({ addressLines: [], logo: null }),
  series: z
    .strictObject({
      invoice: SeriesSettings.default(DEFAULT_SERIES.invoice),
      fee: SeriesSettings.default(DEFAULT_SERIES.fee),
      amendment: SeriesSettings.default(DEFAULT_SERIES.amendment),
      'fee-amendment': SeriesSettings.default(DEFAULT_SERIES['fee-amendment']),
      quote: SeriesSettings.default(DEFAULT_SERIES.quote),
    })
    .default(DEFAULT_SERIES),
  feeMode: FeeMode.default('receipt'),
  paymentInstructions: z
    .strictObject({
      method: z.string().trim().max(100).optional(),
      iban: z.string().trim().max(50).optional(),
      bic: z.string().trim().max(20).optional(),
      text: z.string().trim().max(500).optional(),
    })
    .optional(),
  /** Scheduled billing runs (shared/src/bills/runs.ts): off unless enabled. */
  schedule: BillingSchedule.default(BillingSchedule.parse({})),
});
export type BillSettings = z.output<typeof BillSettings>;

export const DEFAULT_BILL_SETTINGS: BillSettings = BillSettings.parse({});

/** Partial update of the settings (deep for `issuer` and `series`). */
export const BillSettingsPatch = z.strictObject({
  issuer: IssuerProfile.partial().optional(),
  series: z.partialRecord(BillType, SeriesSettings.partial()).optional(),
  feeMode: FeeMode.optional(),
  paymentInstructions: BillSettings.shape.paymentInstructions,
  schedule: z
    .strictObject({
      enabled: z.boolean(),
      dayOfMonth: BillingSchedule.shape.dayOfMonth.unwrap(),
      autoClose: z.boolean(),
      autoSend: z.boolean(),
    })
    .partial()
    .optional(),
});
export type BillSettingsPatch = z.input<typeof BillSettingsPatch>;

// -----------------------------------------------------------------------------------------------------------------
// Inputs

/** A line typed by staff. The total is quantity × unit price (half-up to cents); the tax category defaults to standard. */
export const ManualLineInput = z.strictObject({
  description: Label(500),
  quantity: Quantity.default(() => new Money(1)),
  unitPrice: Decimal40,
  taxCategory: CatalogTaxCategory.default('standard'),
  periodStart: LocalDate.optional(),
  periodEnd: LocalDate.optional(),
});
export type ManualLineInput = z.input<typeof ManualLineInput>;

export const CreateBillInput = z.strictObject({
  accountId: z.string().min(1).max(60),
  type: BillType.default('invoice'),
  notes: z.string().trim().max(2000).optional(),
  lines: z.array(ManualLineInput).max(500).default([]),
});
export type CreateBillInput = z.input<typeof CreateBillInput>;
