import { z } from 'zod';
import { getAccountOrThrow } from '../accounts/use-cases';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { addMonths, LocalDate } from '../core/dates';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { Label } from '../core/schemas';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import { tenantOrThrow } from '../bills/use-cases';
import type { PaymentSource } from './model';
import { isSepaIdentifier } from './sepa/charset';
import { checkIban, creditorIdentifierError, isValidBic, needsDebtorAddress } from './sepa/identifiers';

// SEPA mandates kept by Consort (issue 5) and the tenant's SEPA creditor settings. A mandate belongs to one account;
// creating one also saves a `sepa_debit` payment source pointing at it, so "the account pays by SEPA" is the usual
// default-source question. Stored status is active / revoked / invalid; `lapsed` is derived on read: a mandate unused
// for 36 months (since its last collection, or its signature when never used) can no longer be collected.

export const MANDATE_STATUSES = ['active', 'revoked', 'lapsed', 'invalid'] as const;
export const MandateStatus = z.enum(MANDATE_STATUSES);
export type MandateStatus = z.infer<typeof MandateStatus>;

/** Months without a collection after which a mandate lapses (SDD rulebook). */
export const LAPSE_MONTHS = 36;

const Iban = z
  .string()
  .trim()
  .max(50)
  .transform((value, ctx) => {
    const check = checkIban(value);
    if (!check.ok) {
      for (const message of check.errors) ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return check.iban;
  });
const Bic = z.string().trim().toUpperCase().refine(isValidBic, 'Use a BIC of 8 or 11 letters and digits, e.g. CAIXESBBXXX');
const Reference = z
  .string()
  .trim()
  .refine(isSepaIdentifier, "Use 1–35 letters, digits or / - ? : ( ) . , ' + (no spaces, no leading or trailing /, no //)");

/** The debtor as the mandate names them. */
export const Debtor = z.strictObject({ name: Label(140), iban: Iban, bic: Bic.optional() });

/** Evidence of an online signature: the customer accepted the mandate text in the member portal. */
export const MandateSignature = z.strictObject({
  channel: z.enum(['paper', 'online']),
  /** When the text was accepted (ISO instant). */
  acceptedAt: z.string().optional(),
  /** The signer's user. */
  userId: z.string().optional(),
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(500).optional(),
});
export type MandateSignature = z.infer<typeof MandateSignature>;

export const Mandate = z.strictObject({
  tenantId: z.string(),
  /** `mnd_…` */
  id: z.string(),
  accountId: z.string(),
  /** The unique mandate reference (UMR) sent as MndtId. */
  reference: z.string(),
  signedOn: LocalDate,
  scheme: z.enum(['CORE', 'B2B']),
  kind: z.enum(['recurrent', 'one-off']),
  debtor: z.strictObject({ name: z.string(), iban: z.string(), bic: z.string().optional() }),
  /** Stored status; see {@link mandateStatus} for the effective one. */
  status: z.enum(['active', 'revoked', 'invalid']),
  statusReason: z.string().max(500).optional(),
  /** Collections sent under the mandate (sequence type FRST → RCUR). */
  collections: z.number().int().nonnegative(),
  lastCollectionOn: LocalDate.optional(),
  /** The payment source created with it (removed when the mandate is revoked). */
  sourceId: z.string().optional(),
  /** How it was signed: on paper (recorded by staff) or online in the member portal, with the evidence kept. */
  signature: MandateSignature.optional(),
  version: z.number().int().nonnegative(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Mandate = z.infer<typeof Mandate>;

/** Effective status on `today`: a stored active mandate unused for 36 months is lapsed. */
export function mandateStatus(mandate: Pick<Mandate, 'status' | 'signedOn' | 'lastCollectionOn'>, today: LocalDate): MandateStatus {
  if (mandate.status !== 'active') return mandate.status;
  const since = mandate.lastCollectionOn ?? mandate.signedOn;
  return addMonths(since, LAPSE_MONTHS) <= today ? 'lapsed' : 'active';
}

/** A mandate as the API returns it: with its effective status. */
export function mandateView(mandate: Mandate, today: LocalDate) {
  return { ...mandate, effectiveStatus: mandateStatus(mandate, today) };
}

export const CreateMandateInput = z.strictObject({
  /** Left out: generated. */
  reference: Reference.optional(),
  signedOn: LocalDate,
  scheme: z.enum(['CORE', 'B2B']).default('CORE'),
  kind: z.enum(['recurrent', 'one-off']).default('recurrent'),
  debtor: Debtor,
  /** Make the mandate's payment source the account's default (always when the account has none). */
  makeDefault: z.boolean().default(true),
});
export type CreateMandateInput = z.input<typeof CreateMandateInput>;

/**
 * A customer signs a mandate online in the member portal: the debtor, the accepted mandate text, and what the portal
 * saw of the browser. The signature date is today in the tenant's time zone and the reference is generated.
 */
export const OnlineMandateInput = z.strictObject({
  debtor: Debtor,
  accepted: z.literal(true, { error: 'Accept the mandate text to sign it' }),
  makeDefault: z.boolean().default(true),
  /** The browser's address and user agent as the portal received them (else the request's own). */
  signature: z.strictObject({ ip: z.string().trim().max(64).optional(), userAgent: z.string().trim().max(500).optional() }).optional(),
});
export type OnlineMandateInput = z.input<typeof OnlineMandateInput>;

/** The request a mandate arrives with (evidence for an online signature when the portal does not pass the browser's). */
export interface RequestInfo {
  ip?: string;
  userAgent?: string;
}

/** Staff may correct the debtor's name or BIC and revoke; a new IBAN needs a new mandate (a new signature). */
export const MandatePatch = z.strictObject({
  debtor: z.strictObject({ name: Label(140).optional(), bic: Bic.nullable().optional() }).optional(),
  status: z.literal('revoked').optional(),
  reason: z.string().trim().max(500).optional(),
});

// -----------------------------------------------------------------------------------------------------------------
// Tenant SEPA settings

export const SepaSettings = z.strictObject({
  /** Creditor identifier, e.g. ES37000G12345674. */
  creditorId: z
    .string()
    .trim()
    .toUpperCase()
    .superRefine((ci, ctx) => {
      const error = creditorIdentifierError(ci);
      if (error) ctx.addIssue({ code: 'custom', message: error });
    }),
  creditorName: Label(140),
  iban: Iban,
  bic: Bic.optional(),
  /** pain.008 version the tenant's bank takes: `08` (2019, default) or `02` (2009). */
  painVersion: z.enum(['02', '08']).default('08'),
  /** TARGET business days between sending the file and the collection date (D-1 plus the bank's cut-off). */
  leadDays: z.number().int().min(1).max(15).default(2),
  /** Calendar days the debtor is notified before the collection (the bill is the notice; 14 unless agreed). */
  preNotificationDays: z.number().int().min(0).max(60).default(14),
  /** How the bank wants a mandate's first collection (FRST has been optional since rulebook 9.0, 2016). */
  firstAs: z.enum(['FRST', 'RCUR']).default('FRST'),
  batchBooking: z.boolean().default(true),
});
export type SepaSettings = z.output<typeof SepaSettings>;

/** The tenant's SEPA settings; 404-style 422 when not configured (nothing can be collected without them). */
export async function sepaSettingsOrThrow(deps: CoreDeps, tenantId: string): Promise<SepaSettings> {
  const settings = await deps.store.sepa.getSettings(tenantId);
  if (!settings) {
    throw new ValidationError('Set up SEPA first: creditor identifier, name and IBAN', [{ path: ['settings'], message: 'Not configured' }]);
  }
  return settings;
}

export async function getSepaSettings(deps: CoreDeps, actor: Actor): Promise<SepaSettings | { configured: false }> {
  authorize(actor, 'payments:read');
  return (await deps.store.sepa.getSettings(actor.tenantId)) ?? { configured: false };
}

/** Replace the tenant's SEPA settings (PUT semantics; defaults fill what is left out). */
export async function putSepaSettings(deps: CoreDeps, actor: Actor, input: unknown): Promise<SepaSettings> {
  authorize(actor, 'payments:write');
  const settings = parseInput(SepaSettings, input);
  await deps.store.sepa.putSettings(actor.tenantId, settings);
  return settings;
}

// -----------------------------------------------------------------------------------------------------------------
// Use cases

/** Customers manage only their own account's mandates; staff need payments:read / payments:write. */
function ownAccount(actor: Actor, accountId: string, write: boolean): void {
  if (actor.type === 'customer') {
    if (actor.accountId !== accountId) throw new NotFoundError('Account', accountId);
    return;
  }
  authorize(actor, write ? 'payments:write' : 'payments:read');
}

async function today(deps: CoreDeps, tenantId: string): Promise<LocalDate> {
  const tenant = await tenantOrThrow(deps, tenantId);
  return todayIn(deps.clock, tenant.timeZone);
}

/** "IBAN ES91 ·· 1332" — what the customer recognises in a list. */
export function ibanLabel(iban: string): string {
  return `SEPA ${iban.slice(0, 4)} ·· ${iban.slice(-4)}`;
}

/**
 * Record a signed mandate for an account, with its payment source (the default unless `makeDefault` is false and the
 * account already has one). Staff record a paper mandate (`CreateMandateInput`); a customer signs online for their own
 * account (`OnlineMandateInput`: signed today in the tenant's time zone, reference generated, the SEPA settings must
 * exist so the text names the creditor). 409 when the reference is taken in the tenant; 422 for a bad IBAN, BIC,
 * reference, a signature date in the future or an unaccepted text.
 */
export async function createMandate(deps: CoreDeps, actor: Actor, accountId: string, input: unknown, request: RequestInfo = {}) {
  ownAccount(actor, accountId, true);
  await getAccountOrThrow(deps, actor, accountId);
  const tid = actor.tenantId;
  const day = await today(deps, tid);
  const now = deps.clock.now().toISOString();
  let data: z.output<typeof CreateMandateInput>;
  let signature: MandateSignature;
  if (actor.type === 'customer') {
    const online = parseInput(OnlineMandateInput, input);
    if (!(await deps.store.sepa.getSettings(tid)))
      throw new ValidationError('Direct debit is not offered yet', [{ path: ['settings'], message: 'Not configured' }]);
    data = { signedOn: day, scheme: 'CORE', kind: 'recurrent', debtor: online.debtor, makeDefault: online.makeDefault };
    const ip = online.signature?.ip || request.ip;
    const userAgent = online.signature?.userAgent || request.userAgent;
    signature = {
      channel: 'online',
      acceptedAt: now,
      userId: actor.userId,
      ...(ip ? { ip: ip.slice(0, 64) } : {}),
      ...(userAgent ? { userAgent: userAgent.slice(0, 500) } : {}),
    };
  } else {
    data = parseInput(CreateMandateInput, input);
    signature = { channel: 'paper' };
  }
  if (data.signedOn > day)
    throw new ValidationError('The mandate cannot be signed in the future', [{ path: ['signedOn'], message: `On or before ${day}` }]);
  if (needsDebtorAddress(data.debtor.iban.slice(0, 2))) {
    throw new ValidationError('Accounts outside the EEA need a postal address in SEPA files, which Consort does not send yet', [
      { path: ['debtor', 'iban'], message: 'Use an IBAN of an EEA country' },
    ]);
  }
  const id = newId('mandate', deps.clock);
  const reference = data.reference ?? `M${id.slice(4).toUpperCase()}`.slice(0, 35);
  const sources = await deps.store.payments.listSources(tid, accountId);
  const isDefault = data.makeDefault || sources.length === 0;
  const source: PaymentSource = {
    tenantId: tid,
    id: newId('paymentSource', deps.clock),
    accountId,
    method: 'sepa_debit',
    label: ibanLabel(data.debtor.iban),
    isDefault,
    mandateId: id,
    createdAt: now,
  };
  const mandate: Mandate = {
    tenantId: tid,
    id,
    accountId,
    reference,
    signedOn: data.signedOn,
    scheme: data.scheme,
    kind: data.kind,
    debtor: { name: data.debtor.name, iban: data.debtor.iban, ...(data.debtor.bic ? { bic: data.debtor.bic } : {}) },
    status: 'active',
    collections: 0,
    sourceId: source.id,
    signature,
    version: 0,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.sepa.createMandate(mandate);
  if (isDefault) for (const s of sources.filter((s) => s.isDefault)) await deps.store.payments.putSource({ ...s, isDefault: false });
  await deps.store.payments.putSource(source);
  return mandateView(mandate, day);
}

/**
 * Mandates of an account, newest first, with their effective status; and the creditor a new mandate would name (the
 * mandate text shows it), or null while the tenant has not set up SEPA.
 */
export async function listMandates(deps: CoreDeps, actor: Actor, accountId: string) {
  ownAccount(actor, accountId, false);
  await getAccountOrThrow(deps, actor, accountId);
  const [day, items, settings] = await Promise.all([
    today(deps, actor.tenantId),
    deps.store.sepa.listMandates(actor.tenantId, accountId),
    deps.store.sepa.getSettings(actor.tenantId),
  ]);
  return {
    items: items.sort((a, b) => b.id.localeCompare(a.id)).map((m) => mandateView(m, day)),
    creditor: settings ? { name: settings.creditorName, id: settings.creditorId } : null,
  };
}

async function mandateOrThrow(deps: CoreDeps, actor: Actor, accountId: string, mandateId: string): Promise<Mandate> {
  const mandate = await deps.store.sepa.getMandate(actor.tenantId, mandateId);
  if (!mandate || mandate.accountId !== accountId) throw new NotFoundError('Mandate', mandateId);
  return mandate;
}

export async function getMandate(deps: CoreDeps, actor: Actor, accountId: string, mandateId: string) {
  ownAccount(actor, accountId, false);
  const mandate = await mandateOrThrow(deps, actor, accountId, mandateId);
  return mandateView(mandate, await today(deps, actor.tenantId));
}

/**
 * Correct the debtor's name or BIC, or revoke (customers may only revoke). Revoked and invalid mandates cannot be
 * changed back: collect again with a new mandate.
 */
export async function updateMandate(deps: CoreDeps, actor: Actor, accountId: string, mandateId: string, input: unknown) {
  ownAccount(actor, accountId, true);
  const mandate = await mandateOrThrow(deps, actor, accountId, mandateId);
  const data = parseInput(MandatePatch, input);
  if (actor.type === 'customer' && data.debtor)
    throw new ValidationError('Customers can only revoke a mandate', [{ path: ['debtor'], message: 'Not allowed' }]);
  if (mandate.status !== 'active') throw new ConflictError(`Mandate ${mandate.reference} is ${mandate.status}; record a new one`);
  const debtor = { ...mandate.debtor };
  if (data.debtor?.name) debtor.name = data.debtor.name;
  if (data.debtor?.bic === null) delete debtor.bic;
  else if (data.debtor?.bic) debtor.bic = data.debtor.bic;
  const next: Mandate = {
    ...mandate,
    debtor,
    ...(data.status ? { status: data.status, statusReason: data.reason ?? `Revoked by ${actor.type}` } : {}),
    version: mandate.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  await deps.store.sepa.putMandate(next, mandate.version);
  if (data.status === 'revoked') await forgetSource(deps, next);
  return mandateView(next, await today(deps, actor.tenantId));
}

/**
 * A revoked mandate can collect nothing more, so its payment source goes (the mandate itself stays on record); when it
 * was the default, the oldest remaining source becomes it.
 */
async function forgetSource(deps: CoreDeps, mandate: Mandate): Promise<void> {
  const sources = await deps.store.payments.listSources(mandate.tenantId, mandate.accountId);
  const source = sources.find((s) => s.mandateId === mandate.id);
  if (!source) return;
  await deps.store.payments.deleteSource(mandate.tenantId, mandate.accountId, source.id);
  if (!source.isDefault) return;
  const next = sources.filter((s) => s.id !== source.id).sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0];
  if (next) await deps.store.payments.putSource({ ...next, isDefault: true });
}

/** Revoke a mandate (DELETE): it stays on record — returns and refund claims can arrive for 13 months. */
export async function revokeMandate(deps: CoreDeps, actor: Actor, accountId: string, mandateId: string) {
  return updateMandate(deps, actor, accountId, mandateId, { status: 'revoked' });
}

/**
 * Set a mandate's stored status from a bank return (AC04 → invalid, MD01 → revoked…). Idempotent; the first reason
 * wins. Returns the mandate as it is afterwards.
 */
export async function setMandateStatusBySystem(
  deps: CoreDeps,
  tenantId: string,
  mandateId: string,
  status: 'invalid' | 'revoked',
  reason: string,
): Promise<Mandate | undefined> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const mandate = await deps.store.sepa.getMandate(tenantId, mandateId);
    if (!mandate || mandate.status !== 'active') return mandate;
    const next: Mandate = {
      ...mandate,
      status,
      statusReason: reason,
      version: mandate.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    try {
      await deps.store.sepa.putMandate(next, mandate.version);
      return next;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  throw new ConflictError(`Mandate ${mandateId} keeps changing; try again`);
}
