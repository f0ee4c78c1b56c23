import { z } from 'zod';
import { addDays, addMonths, LocalDate } from '../core/dates';
import { Amount, Money } from '../core/money';
import { Label, patchOf } from '../core/schemas';
import { parseInput } from '../core/validate';
import { BillingPeriod, BillingPointKind, OnCancel, PaymentStyle, PricingPeriod } from '../pricing/periods';
import { RatingAlgorithm } from '../pricing/rating';
import { serviceTypes, type AnyServiceType } from '../services/registry';
import { checkPredicate, MATCH_ALL, Predicate } from './predicate';

// The catalog: what a tenant sells (billable services), the packs/plans that change prices, and which accounts
// contracted which packs. Schemas parse JSON (amounts as strings) into domain values (amounts as Decimal); the
// `*ToJSON` helpers go back. Everything here is pure.

/** An entity id as stored (`bsv_…`, `pck_…`); format checks belong to the id generator, not to the catalog. */
const Id = z.string().trim().min(1, 'Required').max(100);

/** A non-negative price as text ("12.50") parsed into a Decimal. */
export const Price = Amount.refine((s) => !s.startsWith('-'), 'Use a price of 0 or more').transform((s) => new Money(s));

/** A length of time after registration: `{ count: 30, unit: 'days' }`, `{ count: 1, unit: 'months' }`. */
export const Duration = z.strictObject(
  {
    count: z.number({ message: 'Use a whole number' }).int('Use a whole number').min(1, 'Use at least 1').max(366, 'Use at most 366'),
    unit: z.enum(['days', 'months'], { message: 'Use days or months' }),
  },
  { message: 'Use {count, unit} such as {"count": 30, "unit": "days"}, or null for none' },
);
export type Duration = z.infer<typeof Duration>;

/** The day a duration starting on `start` ends (exclusive): 30 days after 15 Mar is 14 Apr; 1 month after 31 Jan is 29 Feb. */
export function addDuration(start: LocalDate, duration: Duration): LocalDate {
  return duration.unit === 'days' ? addDays(start, duration.count) : addMonths(start, duration.count);
}

/** Which state of the account's orders the count metric counts during a pricing period (thesis §1.3.3.1). */
export const CountMode = z.enum(['active', 'registered', 'renewed', 'registered-and-renewed'], {
  message: 'Use active, registered, renewed or registered-and-renewed',
});
export type CountMode = z.infer<typeof CountMode>;

/** How a named metric's daily values become a quantity: value per change interval, or the max / sum over a slot. */
export const UsageMode = z.enum(['current', 'max-during-period', 'sum-during-period'], {
  message: 'Use current, max-during-period or sum-during-period',
});
export type UsageMode = z.infer<typeof UsageMode>;

const MetricName = z
  .string()
  .trim()
  .regex(/^[a-z][a-zA-Z0-9_-]{0,39}$/, 'Use a metric name such as disk or traffic');

/**
 * What is counted: the account's contracted services of this kind (`count`), or a named metric of each service
 * (`named`, e.g. disk, traffic, from the service type's `metrics` or a monitored resource).
 */
export const Metric = z.discriminatedUnion(
  'type',
  [
    z.strictObject({ type: z.literal('count'), mode: CountMode.default('active') }),
    z.strictObject({ type: z.literal('named'), name: MetricName, mode: UsageMode.default('current') }),
  ],
  { message: 'Use {"type": "count"} or {"type": "named", "name": "disk"}' },
);
export type Metric = z.infer<typeof Metric>;

/** What the first, partial period of a fixed billing point costs: its share, the whole period, or the whole period minus a visible discount. */
export const OnRegister = z.enum(['prorate', 'full', 'discount-to-billing-point'], {
  message: 'Use prorate, full or discount-to-billing-point',
});
export type OnRegister = z.infer<typeof OnRegister>;

/** Whether the days a service was deactivated are discounted. */
export const OnDeactivation = z.enum(['nothing', 'discount'], { message: 'Use nothing or discount' });
export type OnDeactivation = z.infer<typeof OnDeactivation>;

/** A tax category code from the tenant's tax regime (standard, reduced, exempt…). */
export const TaxCategory = z
  .string()
  .trim()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'Use a tax category code such as standard or reduced');

const Month = z
  .number({ message: 'Use a month number 1–12' })
  .int('Use a month number 1–12')
  .min(1, 'Use a month number 1–12')
  .max(12, 'Use a month number 1–12');
const Day = z.number({ message: 'Use a day 1–31' }).int('Use a day 1–31').min(1, 'Use a day 1–31').max(31, 'Use a day 1–31');

/** The fields of a billable service definition, each with its default (see docs/pricing.md). */
export const BillableServiceFields = z.object({
  name: Label(120),
  description: z.string().trim().max(1000).default(''),
  /** A registered service kind (`domain`, `mailbox`…). */
  serviceKind: z.string().trim().min(1, 'Choose a service kind').max(40),
  /** Which services of the kind this definition bills; every one by default. */
  predicate: Predicate.default(MATCH_ALL),
  billingPeriod: BillingPeriod.default('monthly'),
  billingPoint: BillingPointKind.default('fixed'),
  /** Fixed billing point month/day; left out = the tenant's billing settings (1 January / day 1 by default). */
  fixedMonth: Month.optional(),
  fixedDay: Day.optional(),
  pricingPeriod: PricingPeriod.default('billing'),
  metric: Metric.default({ type: 'count', mode: 'active' }),
  ratingAlgorithm: RatingAlgorithm.default('progressive'),
  /** Price of one unit per pricing period, in the tenant's currency. */
  nominalPrice: Price,
  paymentStyle: PaymentStyle.default('prepay'),
  onRegister: OnRegister.default('prorate'),
  onCancel: OnCancel.default('discount'),
  onDeactivation: OnDeactivation.default('nothing'),
  /** When a cancellation that shortened a prepaid period is revoked, charge the days it had discounted. */
  rechargeOnRevokedCancel: z.boolean().default(false),
  /** Free days after registration: not billed, and nothing at all if cancelled within them. */
  trialPeriod: Duration.nullable().default(null),
  /** Grace after registration: nothing is billed if cancelled within it; otherwise billed from registration. */
  ignorePeriod: Duration.nullable().default(null),
  /** A membership fee: billed on its own fee bill, without tax. */
  isFee: z.boolean().default(false),
  taxCategory: TaxCategory.default('standard'),
  /** Inactive definitions create no new orders; existing orders keep billing. */
  isActive: z.boolean().default(true),
});

type Fields = z.output<typeof BillableServiceFields>;

/** Rules between fields that hold whatever the service kind. */
function definitionRules(d: Partial<Fields>, ctx: z.RefinementCtx): void {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const usage = d.metric?.type === 'named' ? d.metric.mode : undefined;
  if ((usage === 'max-during-period' || usage === 'sum-during-period') && d.paymentStyle === 'prepay') {
    issue('paymentStyle', 'Usage maximised or summed over a period is only known after it: use postpay');
  }
  if ((usage === 'max-during-period' || usage === 'sum-during-period') && d.billingPeriod === 'once') {
    issue('metric', 'A one-time service has no period to maximise or sum over: use the current mode');
  }
  if ((d.onCancel === 'compensate' || d.onCancel === 'refund') && d.paymentStyle === 'postpay') {
    issue('onCancel', 'Only prepaid time can be compensated or refunded: use nothing or discount for postpay');
  }
  if (
    d.billingPeriod === 'once' &&
    d.metric?.type === 'count' &&
    (d.metric.mode === 'renewed' || d.metric.mode === 'registered-and-renewed')
  ) {
    issue('metric', 'A one-time service is never renewed: count registered or active services');
  }
  if (d.billingPoint === 'on-register' && (d.fixedMonth !== undefined || d.fixedDay !== undefined)) {
    issue(d.fixedMonth !== undefined ? 'fixedMonth' : 'fixedDay', 'A fixed month or day only applies to a fixed billing point');
  }
  if (d.fixedMonth !== undefined && (d.billingPeriod === 'monthly' || d.billingPeriod === 'once')) {
    issue('fixedMonth', `A ${d.billingPeriod === 'once' ? 'one-time' : 'monthly'} service has no billing month: leave it out`);
  }
}

/** A billable service definition as staff submit it (JSON; the price as a string). */
export const BillableServiceInput = BillableServiceFields.superRefine(definitionRules);
export type BillableServiceInput = z.input<typeof BillableServiceInput>;

/**
 * Partial update of a definition; merge with {@link patchBillableService} so the cross-field rules run on the result.
 * `fixedMonth`/`fixedDay: null` clear them (back to the tenant's billing settings, or to switch to on-register).
 */
export const BillableServicePatch = patchOf(BillableServiceFields).extend({
  fixedMonth: Month.nullable().optional(),
  fixedDay: Day.nullable().optional(),
});
export type BillableServicePatch = z.input<typeof BillableServicePatch>;

/** A stored billable service definition (domain form: `nominalPrice` is a Decimal). */
export const BillableService = BillableServiceFields.extend({
  tenantId: Id,
  id: Id,
  createdAt: z.string(),
  updatedAt: z.string(),
}).superRefine(definitionRules);
export type BillableService = z.output<typeof BillableService>;
/** The JSON form of {@link BillableService}. */
export type BillableServiceJSON = z.input<typeof BillableService>;

/** What validation needs to know beyond the schema: the service types, and metrics that resources add per kind. */
export interface CatalogContext {
  types?: readonly AnyServiceType[];
  /** Metrics from monitored resources, by service kind (e.g. `{ mailbox: ['disk', 'traffic'] }`). */
  resourceMetrics?: Readonly<Record<string, readonly string[]>>;
}

/** Problems of a definition against the registered service types: unknown kind, predicate fields, metric names. */
export function definitionIssues(
  d: Pick<Fields, 'serviceKind' | 'predicate' | 'metric'>,
  ctx: CatalogContext = {},
): { path: (string | number)[]; message: string }[] {
  const types = ctx.types ?? (serviceTypes as readonly AnyServiceType[]);
  const type = types.find((t) => t.kind === d.serviceKind);
  if (!type) {
    return [
      { path: ['serviceKind'], message: `Unknown service kind "${d.serviceKind}"; use one of ${types.map((t) => t.kind).join(', ')}` },
    ];
  }
  const issues = checkPredicate(d.predicate, type.spec, type.label.toLowerCase()).map((i) => ({ ...i, path: ['predicate', ...i.path] }));
  if (d.metric.type === 'named') {
    const known = [...Object.keys(type.metrics), ...(ctx.resourceMetrics?.[type.kind] ?? [])];
    if (!known.includes(d.metric.name)) {
      issues.push({
        path: ['metric', 'name'],
        message: `A ${type.label.toLowerCase()} has no metric "${d.metric.name}"; use ${known.length > 0 ? known.join(', ') : 'the count of services'}`,
      });
    }
  }
  return issues;
}

/** The input schema with the registry checks of {@link definitionIssues} (what the API validates with). */
export function billableServiceInputFor(ctx: CatalogContext = {}) {
  return BillableServiceInput.superRefine((d, refinement) => {
    for (const issue of definitionIssues(d, ctx)) refinement.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
}

/** Parse and fully validate a definition submitted by staff; throws ValidationError (422) with every issue. */
export function parseBillableServiceInput(input: unknown, ctx: CatalogContext = {}): z.output<typeof BillableServiceInput> {
  return parseInput(billableServiceInputFor(ctx), input);
}

/** The JSON (input) form of a stored definition's editable fields. */
function fieldsToJSON(d: Fields): z.input<typeof BillableServiceFields> {
  return { ...d, nominalPrice: d.nominalPrice.toFixed() };
}

/** Apply a patch to a stored definition and validate the result as a whole; throws ValidationError. */
export function patchBillableService(current: BillableService, patch: unknown, ctx: CatalogContext = {}): BillableService {
  const changes = parseInput(BillableServicePatch, patch);
  const { tenantId, id, createdAt, updatedAt, ...fields } = current;
  const next: Record<string, unknown> = {
    ...fieldsToJSON(fields),
    ...stripUndefined(changes),
    nominalPrice: changes.nominalPrice?.toFixed() ?? fields.nominalPrice.toFixed(),
  };
  // null clears a fixed billing month/day (the stored form leaves them out).
  if (changes.fixedMonth === null) delete next.fixedMonth;
  if (changes.fixedDay === null) delete next.fixedDay;
  const merged = parseInput(billableServiceInputFor(ctx), next);
  return { ...merged, tenantId, id, createdAt, updatedAt };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** JSON form of a definition (amounts as strings). */
export function billableServiceToJSON(d: BillableService): BillableServiceJSON {
  const { tenantId, id, createdAt, updatedAt, ...fields } = d;
  return { tenantId, id, ...fieldsToJSON(fields), createdAt, updatedAt };
}

/** Parse a stored definition (JSON) into its domain form; throws ValidationError. */
export function parseBillableService(json: unknown): BillableService {
  return parseInput(BillableService, json);
}

// -----------------------------------------------------------------------------------------------------------------
// Packs (plans)

/** "From unit `from` of billable service `billableServiceId` on, the unit price is `price`" (0 behaves as 1). */
export const PackRate = z.strictObject({
  billableServiceId: Id,
  from: z
    .number({ message: 'Use a whole number of units' })
    .int('Use a whole number of units')
    .min(0, 'Use 0 or more units')
    .max(1_000_000_000),
  price: Price,
});
export type PackRate = z.output<typeof PackRate>;

/** A pack or plan: default packs apply to every account, others once per contraction. */
export const PackFields = z.object({
  name: Label(120),
  description: z.string().trim().max(1000).default(''),
  isDefault: z.boolean().default(false),
  /** Combinable packs pool their rates (progressive rating); a non-combinable pack is priced on its own. */
  isCombinable: z.boolean().default(true),
  /** Whether an account may contract the pack several times (each contraction adds its allowances). */
  allowMultiple: z.boolean().default(false),
  rates: z.array(PackRate).max(1000, 'Use at most 1000 rates').default([]),
});

function packRules(p: Partial<z.output<typeof PackFields>>, ctx: z.RefinementCtx): void {
  if (p.isDefault && p.allowMultiple) {
    ctx.addIssue({
      code: 'custom',
      path: ['allowMultiple'],
      message: 'A default pack applies once to everybody; it cannot be contracted several times',
    });
  }
  const seen = new Set<string>();
  p.rates?.forEach((r, i) => {
    const key = `${r.billableServiceId}\u0000${Math.max(r.from, 1)}`;
    if (seen.has(key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['rates', i, 'from'],
        message: `Two rates of ${r.billableServiceId} start at unit ${Math.max(r.from, 1)} (0 counts as 1)`,
      });
    }
    seen.add(key);
  });
}

export const PackInput = PackFields.superRefine(packRules);
export type PackInput = z.input<typeof PackInput>;
export const PackPatch = patchOf(PackFields);
export type PackPatch = z.input<typeof PackPatch>;

export const Pack = PackFields.extend({ tenantId: Id, id: Id, createdAt: z.string(), updatedAt: z.string() }).superRefine(packRules);
export type Pack = z.output<typeof Pack>;
export type PackJSON = z.input<typeof Pack>;

/** JSON form of a pack (prices as strings). */
export function packToJSON(p: Pack): PackJSON {
  return { ...p, rates: p.rates.map((r) => ({ ...r, price: r.price.toFixed() })) };
}

/** Parse a stored pack; throws ValidationError. */
export function parsePack(json: unknown): Pack {
  return parseInput(Pack, json);
}

/** Problems of rates that reference billable services that do not exist. */
export function packIssues(
  p: Pick<z.output<typeof PackFields>, 'rates'>,
  definitionIds: ReadonlySet<string>,
): { path: (string | number)[]; message: string }[] {
  return p.rates.flatMap((r, i) =>
    definitionIds.has(r.billableServiceId)
      ? []
      : [{ path: ['rates', i, 'billableServiceId'], message: `No billable service ${r.billableServiceId}` }],
  );
}

// -----------------------------------------------------------------------------------------------------------------
// Contracted packs

/** An account's contraction of a pack from `startsOn` until the day before `endsOn` (open-ended when left out). */
export const ContractedPackFields = z.object({
  accountId: Id,
  packId: Id,
  startsOn: LocalDate,
  endsOn: LocalDate.optional(),
});

function contractRules(c: Partial<z.output<typeof ContractedPackFields>>, ctx: z.RefinementCtx): void {
  if (c.startsOn && c.endsOn && c.endsOn <= c.startsOn) {
    ctx.addIssue({ code: 'custom', path: ['endsOn'], message: 'The contract must end after it starts' });
  }
}

export const ContractedPackInput = ContractedPackFields.superRefine(contractRules);
export type ContractedPackInput = z.input<typeof ContractedPackInput>;
/** End a contraction on `endsOn`, move its end, or reopen it (`endsOn: null`). */
export const ContractedPackPatch = z.strictObject({ endsOn: LocalDate.nullable() });

export const ContractedPack = ContractedPackFields.extend({ tenantId: Id, id: Id, createdAt: z.string() }).superRefine(contractRules);
export type ContractedPack = z.output<typeof ContractedPack>;

/** Whether the contraction covers `date`. */
export function isContractActive(c: Pick<ContractedPack, 'startsOn' | 'endsOn'>, date: LocalDate): boolean {
  return c.startsOn <= date && (c.endsOn === undefined || date < c.endsOn);
}

/**
 * Problems with contracting `pack` for an account that already has `existing` contractions: default packs are not
 * contracted, and a pack without `allowMultiple` cannot overlap another contraction of itself.
 */
export function contractIssues(
  pack: Pick<Pack, 'id' | 'name' | 'isDefault' | 'allowMultiple'>,
  existing: readonly Pick<ContractedPack, 'id' | 'packId' | 'startsOn' | 'endsOn'>[],
  input: Pick<ContractedPack, 'startsOn' | 'endsOn'> & { id?: string },
): { path: string[]; message: string }[] {
  if (pack.isDefault)
    return [{ path: ['packId'], message: `${pack.name} is a default pack: it applies to every account without a contract` }];
  if (pack.allowMultiple) return [];
  const clash = existing.find(
    (c) =>
      c.packId === pack.id &&
      c.id !== input.id &&
      (input.endsOn === undefined || c.startsOn < input.endsOn) &&
      (c.endsOn === undefined || input.startsOn < c.endsOn),
  );
  return clash
    ? [
        {
          path: ['startsOn'],
          message: `The account already has ${pack.name} from ${clash.startsOn}; this pack cannot be contracted twice at once`,
        },
      ]
    : [];
}

// -----------------------------------------------------------------------------------------------------------------
// Tenant billing settings

/** Tenant-wide billing defaults: the fixed billing point (e.g. every 1 April) used when a definition leaves it out. */
export const BillingSettings = z.object({
  fixedMonth: Month.default(1),
  fixedDay: Day.default(1),
});
export type BillingSettings = z.output<typeof BillingSettings>;
