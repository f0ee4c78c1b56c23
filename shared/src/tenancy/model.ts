import { z } from 'zod';
import { StaffRole } from '../core/actor';
import { Currency } from '../core/money';
import { Country, Email, Label, Locale, Slug } from '../core/schemas';
import { DnsRecordInput } from '../services/domain/records';

/** Tenant-wide DNS defaults applied to every new domain (thesis: "default records from settings"). */
export const DnsSettings = z.object({
  nameservers: z.array(z.string()).min(1).max(13),
  hostmaster: Email,
  ttl: z.number().int().min(60).max(604800),
  defaultRecords: z.array(DnsRecordInput).max(100),
});
export type DnsSettings = z.infer<typeof DnsSettings>;

/** The tenant's fixed billing point (e.g. every 1 April), used by billable services that leave it out. */
export const TenantBillingSettings = z.object({
  fixedMonth: z.number().int().min(1, 'Use a month number 1–12').max(12, 'Use a month number 1–12'),
  fixedDay: z.number().int().min(1, 'Use a day 1–31').max(31, 'Use a day 1–31'),
});
export type TenantBillingSettings = z.infer<typeof TenantBillingSettings>;
export const DEFAULT_BILLING_SETTINGS: TenantBillingSettings = { fixedMonth: 1, fixedDay: 1 };

export const TenantSettings = z.object({
  dns: DnsSettings,
  /** Absent on tenants created before billing existed: {@link DEFAULT_BILLING_SETTINGS} apply. */
  billing: TenantBillingSettings.optional(),
});
export type TenantSettings = z.infer<typeof TenantSettings>;

export const Tenant = z.object({
  id: z.string(),
  name: z.string(),
  slug: Slug,
  country: Country,
  currency: Currency,
  locale: Locale,
  timeZone: z.string(),
  settings: TenantSettings,
  /** OpenSSH public key that hosts must trust (authorized_keys) for provisioning. */
  provisioningPublicKey: z.string(),
  createdAt: z.string(),
});
export type Tenant = z.infer<typeof Tenant>;

export const UserRole = z.union([StaffRole, z.literal('customer')]);
export type UserRole = z.infer<typeof UserRole>;

export const User = z.object({
  id: z.string(),
  tenantId: z.string(),
  email: Email,
  name: z.string(),
  role: UserRole,
  /** Set for customer users: the account they act for. */
  accountId: z.string().optional(),
  locale: Locale.optional(),
  passwordHash: z.string(),
  disabled: z.boolean().default(false),
  createdAt: z.string(),
});
export type User = z.infer<typeof User>;

/** What the API returns for a user — never the hash. */
export type PublicUser = Omit<User, 'passwordHash'>;
export const toPublicUser = ({ passwordHash: _omit, ...rest }: User): PublicUser => rest;

export const ApiKey = z.object({
  id: z.string(),
  tenantId: z.string(),
  name: Label(100),
  role: StaffRole,
  /** First characters of the secret, to recognise a key in the list. */
  prefix: z.string(),
  secretHash: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
export type ApiKey = z.infer<typeof ApiKey>;
export type PublicApiKey = Omit<ApiKey, 'secretHash'>;

export const Session = z.object({
  tenantId: z.string(),
  userId: z.string(),
  tokenHash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type Session = z.infer<typeof Session>;

export const SignupInput = z.object({
  organisation: Label(120),
  slug: Slug,
  country: Country,
  currency: Currency,
  locale: Locale,
  timeZone: z.string().max(64).default('Europe/Madrid'),
  ownerName: Label(120),
  email: Email,
  password: z.string(),
});
export type SignupInput = z.input<typeof SignupInput>;

export const TenantPatch = z.object({
  name: Label(120).optional(),
  locale: Locale.optional(),
  timeZone: z.string().max(64).optional(),
  settings: z.object({ dns: DnsSettings.partial(), billing: TenantBillingSettings.partial() }).partial().optional(),
});
