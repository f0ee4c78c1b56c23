import { z } from 'zod';
import { Country, Email, Label, Locale, patchOf } from '../core/schemas';

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
