import { z } from 'zod';
import { StaffRole } from '@consort/shared/core/actor';
import { Email, Label, Locale, PageQuery, Password } from '@consort/shared/core/schemas';
import { SignupInput, TenantPatch, UserRole } from '@consort/shared/tenancy/model';
import * as Tenancy from '@consort/shared/tenancy/use-cases';
import { route } from './route';

// Tenancy and auth: signup, sessions, the current user, the tenant, staff users and API keys.
export const tenancyRoutes = [
  // POST /v1/signup — a hosting organisation signs up; returns a session for its owner
  route({
    method: 'POST',
    path: '/v1/signup',
    tag: 'Auth',
    isPublic: true,
    status: 201,
    summary: 'Sign up a new tenant and its owner',
    body: SignupInput.extend({ password: Password }),
    handle: ({ deps, body }) => Tenancy.signup(deps, body),
  }),
  // POST /v1/auth/sessions — sign in with organisation, e-mail and password
  route({
    method: 'POST',
    path: '/v1/auth/sessions',
    tag: 'Auth',
    isPublic: true,
    status: 201,
    summary: 'Sign in (returns a bearer token)',
    body: z.object({ organisation: z.string(), email: Email, password: z.string() }),
    handle: ({ deps, body }) => Tenancy.login(deps, body),
  }),
  // DELETE /v1/auth/sessions/current — sign out
  route({
    method: 'DELETE',
    path: '/v1/auth/sessions/current',
    tag: 'Auth',
    status: 204,
    summary: 'Sign out (invalidates the session token)',
    handle: ({ deps, actor, token }) => Tenancy.logout(deps, actor, token ?? ''),
  }),
  route({
    method: 'GET',
    path: '/v1/me',
    tag: 'Auth',
    status: 200,
    summary: 'The signed-in user, tenant and permissions',
    handle: ({ deps, actor }) => Tenancy.me(deps, actor),
  }),
  route({
    method: 'PATCH',
    path: '/v1/me',
    tag: 'Auth',
    status: 200,
    summary: 'Change own name or language',
    body: z.object({ name: Label(120).optional(), locale: Locale.optional() }),
    handle: ({ deps, actor, body }) => Tenancy.updateMe(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/tenant',
    tag: 'Tenant',
    status: 200,
    summary: 'The tenant and its settings',
    handle: ({ deps, actor }) => Tenancy.getTenant(deps, actor),
  }),
  route({
    method: 'PATCH',
    path: '/v1/tenant',
    tag: 'Tenant',
    status: 200,
    summary: 'Change tenant name, locale or DNS defaults',
    body: TenantPatch,
    handle: ({ deps, actor, body }) => Tenancy.updateTenant(deps, actor, body),
  }),
  route({
    method: 'POST',
    path: '/v1/tenant/provisioning-key/rotate',
    tag: 'Tenant',
    status: 200,
    summary: 'Replace the provisioning SSH key pair (hosts need the new public key before the next change)',
    handle: ({ deps, actor }) => Tenancy.rotateProvisioningKey(deps, actor),
  }),
  route({
    method: 'GET',
    path: '/v1/users',
    tag: 'Users',
    status: 200,
    summary: 'Staff and customer users',
    query: PageQuery,
    handle: ({ deps, actor, query }) => Tenancy.listUsers(deps, actor, PageQuery.parse(query)),
  }),
  route({
    method: 'POST',
    path: '/v1/users',
    tag: 'Users',
    status: 201,
    summary: 'Create a staff user or a customer login',
    body: z.object({
      name: Label(120),
      email: Email,
      role: UserRole,
      password: Password,
      accountId: z.string().optional(),
      locale: Locale.optional(),
    }),
    handle: ({ deps, actor, body }) => Tenancy.createUser(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/api-keys',
    tag: 'API keys',
    status: 200,
    summary: 'API keys (without secrets)',
    handle: ({ deps, actor }) => Tenancy.listApiKeys(deps, actor),
  }),
  route({
    method: 'POST',
    path: '/v1/api-keys',
    tag: 'API keys',
    status: 201,
    summary: 'Create a scoped API key; the secret is returned once',
    body: z.object({ name: Label(100), role: StaffRole }),
    handle: ({ deps, actor, body }) => Tenancy.createApiKey(deps, actor, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/api-keys/{keyId}',
    tag: 'API keys',
    status: 204,
    summary: 'Revoke an API key',
    handle: ({ deps, actor, params }) => Tenancy.revokeApiKey(deps, actor, params.keyId!),
  }),
];
