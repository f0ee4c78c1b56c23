import { z } from 'zod';
import { Country, Email, Label, Locale, patchOf } from '../core/schemas';

/** A staff label on an account: lower-case letters, digits and `-_.:`, up to 40 characters. */
export const AccountTag = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9_.:-]{0,39}$/, 'Use up to 40 lower-case letters, digits and - _ . :');

/**
 * What staff allow an account's customers to create themselves (staff are not limited): at most `services[kind]`
 * live services of a kind (a kind not listed is unlimited; 0 forbids creating it), and mailbox quotas up to
 * `mailboxQuotaMb` (1024 MiB while unset).
 */
export const AccountLimits = z.strictObject({
  // A bad key reports the key's own message (zod's record default, "Invalid key in record", names no reason).
  services: z
    .record(z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, 'Use a service kind'), z.number().int().min(0).max(100_000), {
      error: (issue) => (issue.code === 'invalid_key' ? 'Use a service kind' : undefined),
    })
    .default({}),
  mailboxQuotaMb: z.number().int().min(1).max(1_048_576).optional(),
});
export type AccountLimits = z.output<typeof AccountLimits>;

/** A customer of the hosting organisation (thesis: "account" = the member who owns services). */
export const AccountInput = z.object({
  name: Label(160),
  type: z.enum(['individual', 'organisation', 'association', 'company', 'public_body']).default('individual'),
  email: Email,
  phone: z.string().trim().max(40).optional(),
  vatId: z.string().trim().max(32).optional(),
  address: z.string().trim().max(300).optional(),
  city: z.string().trim().max(100).optional(),
  postcode: z.string().trim().max(20).optional(),
  country: Country,
  locale: Locale.optional(),
  comments: z.string().max(2000).optional(),
  /** Staff labels such as `premium` or `eu-south`; route rules place services by them (`account.tags contains …`). */
  tags: z.array(AccountTag).max(20).optional(),
  /** Self-service limits for the account's customers (staff only). */
  limits: AccountLimits.optional(),
});
export type AccountInput = z.input<typeof AccountInput>;

export const AccountPatch = patchOf(AccountInput).extend({ active: z.boolean().optional() });
export type AccountPatch = z.input<typeof AccountPatch>;

export const Account = AccountInput.extend({
  id: z.string(),
  tenantId: z.string(),
  active: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Account = z.infer<typeof Account>;

/** People to notify about an account (thesis: contacts with e-mail usages). */
export const CONTACT_USAGES = ['billing', 'technical', 'administrative', 'emergency', 'support'] as const;
export const ContactInput = z.object({
  name: Label(160),
  email: Email,
  phone: z.string().trim().max(40).optional(),
  usages: z.array(z.enum(CONTACT_USAGES)).min(1).default(['billing', 'technical']),
});
export type ContactInput = z.input<typeof ContactInput>;
export const ContactPatch = patchOf(ContactInput);

export const Contact = ContactInput.extend({
  id: z.string(),
  tenantId: z.string(),
  accountId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Contact = z.infer<typeof Contact>;
