import { z } from 'zod';
import { authorize, can, PERMISSIONS, ROLE_RANK, StaffRole, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, ForbiddenError, NotFoundError, UnauthorizedError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import { Email, Label, Locale, Password } from '../core/schemas';
import {
  DEFAULT_BILLING_SETTINGS,
  SignupInput,
  TenantPatch,
  toPublicUser,
  UserRole,
  type ApiKey,
  type PublicApiKey,
  type PublicUser,
  type Tenant,
  type User,
} from './model';

/** Sessions last 12 hours; the portal signs in again after that. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

const SESSION_PREFIX = 'cs_sess_';
const KEY_PREFIX = 'cs_key_';

/** Tenant defaults for DNS until the tenant edits them in settings. */
export function defaultTenantSettings(ownerEmail: string): Tenant['settings'] {
  const domain = ownerEmail.split('@')[1] ?? 'example.org';
  return {
    dns: {
      nameservers: [`ns1.${domain}.`, `ns2.${domain}.`],
      hostmaster: `hostmaster@${domain}`,
      ttl: 3600,
      defaultRecords: [],
    },
    billing: { ...DEFAULT_BILLING_SETTINGS },
  };
}

const parse = parseInput;

async function issueSession(deps: CoreDeps, tenantId: string, userId: string) {
  const secret = deps.crypto.randomToken(32);
  const token = `${SESSION_PREFIX}${tenantId}_${secret}`;
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS).toISOString();
  await deps.store.sessions.create({ tenantId, userId, tokenHash: deps.crypto.sha256(token), createdAt: now.toISOString(), expiresAt });
  return { token, expiresAt };
}

function tenantSummary(t: Tenant) {
  return { id: t.id, name: t.name, slug: t.slug, locale: t.locale, currency: t.currency, country: t.country };
}

/** Public signup: a new tenant, its owner and its provisioning key pair; signs the owner in. */
export async function signup(deps: CoreDeps, input: unknown) {
  const data = parse(SignupInput.extend({ password: Password }), input);
  if (await deps.store.tenants.idBySlug(data.slug)) {
    throw new ConflictError(`The address ${data.slug} is taken`, [{ path: ['slug'], message: 'Already taken' }]);
  }
  const now = deps.clock.now().toISOString();
  const tenantId = newId('tenant', deps.clock);
  const keyPair = deps.keyPairs.generate(`consort-${data.slug}`);
  const tenant: Tenant = {
    id: tenantId,
    name: data.organisation,
    slug: data.slug,
    country: data.country,
    currency: data.currency,
    locale: data.locale,
    timeZone: data.timeZone,
    settings: defaultTenantSettings(data.email),
    provisioningPublicKey: keyPair.publicKey,
    createdAt: now,
  };
  const owner: User = {
    id: newId('user', deps.clock),
    tenantId,
    email: data.email,
    name: data.ownerName,
    role: 'owner',
    locale: data.locale,
    passwordHash: await deps.crypto.hashPassword(data.password),
    disabled: false,
    createdAt: now,
  };
  await deps.store.tenants.create(tenant, owner, await deps.secrets.seal(keyPair.privateKey));
  const session = await issueSession(deps, tenantId, owner.id);
  return { tenant, user: toPublicUser(owner), ...session };
}

const LoginInput = z.object({
  organisation: z.string().trim().toLowerCase().min(1).max(63),
  email: Email,
  password: z.string().min(1).max(200),
});

/** Password sign-in; one generic error for unknown organisation, user or password (no account enumeration). */
export async function login(deps: CoreDeps, input: unknown) {
  const data = parse(LoginInput, input);
  const denied = new UnauthorizedError('Organisation, e-mail or password is wrong');
  const tenantId = await deps.store.tenants.idBySlug(data.organisation);
  const tenant = tenantId ? await deps.store.tenants.get(tenantId) : undefined;
  const user = tenant ? await deps.store.users.getByEmail(tenant.id, data.email) : undefined;
  // Hash anyway when the user is unknown, so timing does not reveal which part was wrong.
  const ok = await deps.crypto.verifyPassword(data.password, user?.passwordHash ?? DUMMY_HASH);
  if (!tenant || !user || !ok || user.disabled) throw denied;
  const session = await issueSession(deps, tenant.id, user.id);
  return { ...session, user: toPublicUser(user), tenant: tenantSummary(tenant) };
}

/** A valid scrypt hash of a random password, verified when the user does not exist. */
const DUMMY_HASH = 'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';

/** Resolve a bearer token (session or API key) to an actor. The tenant comes from the token's stored record. */
export async function authenticate(deps: CoreDeps, token: string | undefined): Promise<Actor> {
  if (!token) throw new UnauthorizedError();
  const now = deps.clock.now();
  if (token.startsWith(SESSION_PREFIX)) {
    const tenantId = /^(tnt_[0-9a-z]{26})_[A-Za-z0-9_-]{20,}$/.exec(token.slice(SESSION_PREFIX.length))?.[1];
    if (!tenantId) throw new UnauthorizedError('Malformed session token');
    const session = await deps.store.sessions.get(tenantId, deps.crypto.sha256(token), now);
    if (!session) throw new UnauthorizedError('Your session has expired; sign in again');
    const user = await deps.store.users.get(tenantId, session.userId);
    if (!user || user.disabled) throw new UnauthorizedError('Your user is disabled');
    if (user.role === 'customer') {
      if (!user.accountId) throw new UnauthorizedError('Customer user without account');
      return { type: 'customer', tenantId, userId: user.id, accountId: user.accountId };
    }
    return { type: 'staff', tenantId, userId: user.id, role: user.role };
  }
  if (token.startsWith(KEY_PREFIX)) {
    const match = /^(tnt_[0-9a-z]{26})_(key_[0-9a-z]{26})_[A-Za-z0-9_-]{20,}$/.exec(token.slice(KEY_PREFIX.length));
    if (!match) throw new UnauthorizedError('Malformed API key');
    const [, tenantId = '', keyId = ''] = match;
    const apiKey = await deps.store.apiKeys.get(tenantId, keyId);
    if (!apiKey || apiKey.revokedAt || !deps.crypto.safeEqual(apiKey.secretHash, deps.crypto.sha256(token))) {
      throw new UnauthorizedError('Unknown or revoked API key');
    }
    // Record use at most once a minute to keep writes low.
    if (!apiKey.lastUsedAt || now.getTime() - Date.parse(apiKey.lastUsedAt) > 60_000) {
      await deps.store.apiKeys.put({ ...apiKey, lastUsedAt: now.toISOString() });
    }
    return { type: 'staff', tenantId, userId: apiKey.createdBy, role: apiKey.role, apiKeyId: apiKey.id };
  }
  throw new UnauthorizedError('Unknown token type');
}

/** Sign out: forget the session behind this token. */
export async function logout(deps: CoreDeps, actor: Actor, token: string): Promise<void> {
  if (!token.startsWith(SESSION_PREFIX)) throw new ValidationError('Only portal sessions can sign out; revoke API keys instead');
  await deps.store.sessions.delete(actor.tenantId, deps.crypto.sha256(token));
}

/** The actor's tenant (every use case that needs tenant settings, time zone or currency goes through here). */
export async function tenantOrThrow(deps: CoreDeps, actor: Actor): Promise<Tenant> {
  const tenant = await deps.store.tenants.get(actor.tenantId);
  if (!tenant) throw new NotFoundError('Tenant');
  return tenant;
}

/** The signed-in user, their tenant and what they may do. */
export async function me(deps: CoreDeps, actor: Actor) {
  if (actor.type === 'system') throw new ForbiddenError();
  const tenant = await tenantOrThrow(deps, actor);
  const user = await deps.store.users.get(actor.tenantId, actor.userId);
  if (!user) throw new NotFoundError('User');
  return {
    user: toPublicUser(user),
    tenant: tenantSummary(tenant),
    permissions: PERMISSIONS.filter((p) => can(actor, p)),
    ...(actor.type === 'staff' && actor.apiKeyId ? { apiKeyId: actor.apiKeyId } : {}),
  };
}

const MePatch = z.object({ name: Label(120).optional(), locale: Locale.optional() });

export async function updateMe(deps: CoreDeps, actor: Actor, input: unknown): Promise<PublicUser> {
  if (actor.type === 'system') throw new ForbiddenError();
  const patch = parse(MePatch, input);
  const user = await deps.store.users.get(actor.tenantId, actor.userId);
  if (!user) throw new NotFoundError('User');
  const next = { ...user, ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) };
  await deps.store.users.update(next);
  return toPublicUser(next);
}

export async function getTenant(deps: CoreDeps, actor: Actor): Promise<Tenant> {
  if (actor.type === 'customer') return tenantOrThrow(deps, actor).then((t) => ({ ...t, provisioningPublicKey: '' }));
  return tenantOrThrow(deps, actor);
}

export async function updateTenant(deps: CoreDeps, actor: Actor, input: unknown): Promise<Tenant> {
  authorize(actor, 'tenant:manage');
  const patch = parse(TenantPatch, input);
  const tenant = await tenantOrThrow(deps, actor);
  const next: Tenant = {
    ...tenant,
    name: patch.name ?? tenant.name,
    locale: patch.locale ?? tenant.locale,
    timeZone: patch.timeZone ?? tenant.timeZone,
    settings: {
      ...tenant.settings,
      dns: { ...tenant.settings.dns, ...(patch.settings?.dns ?? {}) },
      billing: { ...DEFAULT_BILLING_SETTINGS, ...tenant.settings.billing, ...(patch.settings?.billing ?? {}) },
    },
  };
  await deps.store.tenants.update(next);
  return next;
}

/**
 * Owners and admins: a new provisioning key pair replaces the tenant's (a key that may have leaked, or one made
 * before key pairs were read back at creation and that ssh2 cannot use). The old private key is gone at once: every
 * host needs the new public key in `authorized_keys` before the next change reaches it. Returns the tenant.
 */
export async function rotateProvisioningKey(deps: CoreDeps, actor: Actor): Promise<Tenant> {
  authorize(actor, 'tenant:manage');
  const tenant = await tenantOrThrow(deps, actor);
  const keyPair = deps.keyPairs.generate(`consort-${tenant.slug}`);
  const next: Tenant = { ...tenant, provisioningPublicKey: keyPair.publicKey };
  await deps.store.tenants.replaceProvisioningKey(next, await deps.secrets.seal(keyPair.privateKey));
  return next;
}

export async function listUsers(deps: CoreDeps, actor: Actor, query: { limit: number; cursor?: string }) {
  authorize(actor, 'users:manage');
  const page = await deps.store.users.list(actor.tenantId, query);
  return { ...page, items: page.items.map(toPublicUser) };
}

const UserCreate = z
  .object({
    name: Label(120),
    email: Email,
    role: UserRole,
    password: Password,
    accountId: z.string().optional(),
    locale: Locale.optional(),
  })
  .refine((u) => u.role !== 'customer' || u.accountId, { path: ['accountId'], message: 'Choose the account of this customer' });

/** Staff invite staff (never above their own role) or give a customer account a portal login. */
export async function createUser(deps: CoreDeps, actor: Actor, input: unknown): Promise<PublicUser> {
  const data = parse(UserCreate, input);
  if (data.role === 'customer') authorize(actor, 'accounts:write');
  else {
    authorize(actor, 'users:manage');
    if (actor.type === 'staff' && ROLE_RANK[data.role] > ROLE_RANK[actor.role])
      throw new ForbiddenError('You cannot create a user with a higher role than yours');
  }
  if (data.accountId && !(await deps.store.accounts.get(actor.tenantId, data.accountId)))
    throw new NotFoundError('Account', data.accountId);
  const user: User = {
    id: newId('user', deps.clock),
    tenantId: actor.tenantId,
    email: data.email,
    name: data.name,
    role: data.role,
    accountId: data.role === 'customer' ? data.accountId : undefined,
    locale: data.locale,
    passwordHash: await deps.crypto.hashPassword(data.password),
    disabled: false,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.store.users.create(user);
  return toPublicUser(user);
}

const toPublicKey = ({ secretHash: _omit, ...rest }: ApiKey): PublicApiKey => rest;

export async function listApiKeys(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'apikeys:manage');
  const keys = await deps.store.apiKeys.list(actor.tenantId);
  return { items: keys.map(toPublicKey).sort((a, b) => b.createdAt.localeCompare(a.createdAt)) };
}

const ApiKeyCreate = z.object({ name: Label(100), role: StaffRole });

/** A scoped API key (tenant + role). The secret is shown once; only its hash is stored. */
export async function createApiKey(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'apikeys:manage');
  if (actor.type !== 'staff') throw new ForbiddenError();
  const data = parse(ApiKeyCreate, input);
  if (ROLE_RANK[data.role] > ROLE_RANK[actor.role]) throw new ForbiddenError('A key cannot have a higher role than yours');
  const id = newId('apiKey', deps.clock);
  const secret = `${KEY_PREFIX}${actor.tenantId}_${id}_${deps.crypto.randomToken(32)}`;
  const key: ApiKey = {
    id,
    tenantId: actor.tenantId,
    name: data.name,
    role: data.role,
    prefix: secret.slice(0, KEY_PREFIX.length + 12),
    secretHash: deps.crypto.sha256(secret),
    createdBy: actor.userId,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.store.apiKeys.put(key);
  return { apiKey: toPublicKey(key), secret };
}

export async function revokeApiKey(deps: CoreDeps, actor: Actor, keyId: string): Promise<void> {
  authorize(actor, 'apikeys:manage');
  const key = await deps.store.apiKeys.get(actor.tenantId, keyId);
  if (!key) throw new NotFoundError('API key', keyId);
  if (!key.revokedAt) await deps.store.apiKeys.put({ ...key, revokedAt: deps.clock.now().toISOString() });
}
