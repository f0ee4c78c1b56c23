import Decimal from 'decimal.js';
import { z } from 'zod';
import { Label, Slug } from '../../core/schemas';
import { defineServiceType } from '../define-service-type';
import { miscTranslations } from './translations';

/** What a miscellaneous service counts: hours of work or units (licences, registrations, packs). */
export const MISC_UNITS = ['hours', 'units'] as const;

const MAX_QUANTITY = new Decimal(1_000_000);

/**
 * A positive quantity with at most 4 decimals, as a JSON number (3, 1.5) or decimal text ("1.25"); stored as
 * normalised decimal text so a metric never goes through binary floating point.
 */
export const MiscQuantity = z
  .union([z.number(), z.string().max(30)], { message: 'Use a quantity such as 3 or 1.5' })
  .transform((value, ctx) => {
    const text = typeof value === 'number' ? String(value) : value.trim();
    if (!/^\d{1,7}(\.\d{1,4})?$/.test(text) || new Decimal(text).lte(0) || new Decimal(text).gt(MAX_QUANTITY)) {
      ctx.addIssue({ code: 'custom', message: 'Use a quantity above 0 and up to 1000000, with at most 4 decimals (e.g. 3 or 1.5)' });
      return z.NEVER;
    }
    return new Decimal(text).toFixed();
  });

/** A reference to another service of the same account: its kind and its name (e.g. a website the job was for). */
export const MiscRelated = z.strictObject({
  kind: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'Use a service kind such as website or domain'),
  name: z
    .string()
    .min(1)
    .max(300)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'Control characters are not allowed'),
});

/**
 * A billed-only service without backend (orchestra's Miscellaneous): a job done by hand, a registration bought
 * elsewhere, a pack of hours. Nothing runs on any host; its quantity feeds the `hours` / `units` metrics that
 * billable services price.
 */
export const MiscSpec = z.strictObject({
  /** Unique in the tenant and fixed once created, e.g. `migration-2026-03`. */
  name: Slug,
  description: Label(500),
  unit: z.enum(MISC_UNITS).default('units'),
  quantity: MiscQuantity,
  /** Optional: the service of the same account this was for (checked to exist, like a website's domains). */
  relatedTo: MiscRelated.optional(),
});
export type MiscSpec = z.output<typeof MiscSpec>;

export const misc = defineServiceType({
  kind: 'misc',
  label: 'Miscellaneous / job',
  spec: MiscSpec,
  ui: {
    order: ['name', 'description', 'quantity', 'unit', 'relatedTo'],
    identity: ['name'],
    fields: {
      name: { label: 'Name' },
      description: { label: 'Description', widget: 'textarea' },
      quantity: { label: 'Quantity', help: 'A number, decimals allowed (2.5)' },
      unit: { label: 'Unit', options: { hours: 'Hours', units: 'Units' } },
      relatedTo: { label: 'Related service', widget: 'json', help: '{"kind": "website", "name": "…"} or empty' },
    },
    translations: miscTranslations,
  },
  identity: (spec) => spec.name,
  references: (spec) =>
    spec.relatedTo
      ? [
          {
            kind: spec.relatedTo.kind,
            anyOf: [spec.relatedTo.name],
            path: ['relatedTo', 'name'],
            message: `This account has no ${spec.relatedTo.kind} named ${spec.relatedTo.name}`,
          },
        ]
      : [],
  metrics: {
    quantity: (spec) => spec.quantity,
    hours: (spec) => (spec.unit === 'hours' ? spec.quantity : '0'),
    units: (spec) => (spec.unit === 'units' ? spec.quantity : '0'),
  },
  // No backend: each change is applied as it is written (services/use-cases.ts), on no host.
  backends: [],
});
