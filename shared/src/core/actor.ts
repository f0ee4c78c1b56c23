import { z } from 'zod';
import { ForbiddenError } from './errors';

export const STAFF_ROLES = ['owner', 'admin', 'sysadmin', 'support', 'accountant'] as const;
export const StaffRole = z.enum(STAFF_ROLES);
export type StaffRole = z.infer<typeof StaffRole>;

/** Who is acting. The tenant always comes from here, never from a request body. */
export type Actor =
  | { type: 'staff'; tenantId: string; userId: string; role: StaffRole; apiKeyId?: string }
  | { type: 'customer'; tenantId: string; userId: string; accountId: string }
  | { type: 'system'; tenantId: string; reason: string };

export const PERMISSIONS = [
  'tenant:manage',
  'users:manage',
  'apikeys:manage',
  'accounts:read',
  'accounts:write',
  'services:read',
  'services:write',
  'hosts:read',
  'hosts:write',
  'operations:read',
  'operations:retry',
  'catalog:read',
  'catalog:write',
  'orders:read',
  'orders:write',
  'bills:read',
  'bills:write',
  'payments:read',
  'payments:write',
  'templates:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Least privilege per role (thesis: support handles members, sysadmins the servers, the accountant the books). */
export const ROLE_PERMISSIONS: Record<StaffRole, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  sysadmin: ['accounts:read', 'services:read', 'services:write', 'hosts:read', 'hosts:write', 'operations:read', 'operations:retry'],
  support: [
    'accounts:read',
    'accounts:write',
    'services:read',
    'services:write',
    'hosts:read',
    'operations:read',
    'operations:retry',
    'catalog:read',
    'orders:read',
    'bills:read',
  ],
  accountant: [
    'accounts:read',
    'services:read',
    'operations:read',
    'catalog:read',
    'catalog:write',
    'orders:read',
    'orders:write',
    'bills:read',
    'bills:write',
    'payments:read',
    'payments:write',
  ],
};

/**
 * Customers act only inside their own account; use cases check `accountId` themselves (bills: issued ones only;
 * payments: paying their own bills, their own sources and history).
 */
export const CUSTOMER_PERMISSIONS: readonly Permission[] = [
  'accounts:read',
  'services:read',
  'services:write',
  'bills:read',
  'payments:read',
];

/** Whether the actor holds a permission. */
export function can(actor: Actor, permission: Permission): boolean {
  if (actor.type === 'system') return true;
  if (actor.type === 'customer') return CUSTOMER_PERMISSIONS.includes(permission);
  return ROLE_PERMISSIONS[actor.role].includes(permission);
}

/** Throw {@link ForbiddenError} unless the actor holds the permission. */
export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw new ForbiddenError(`Your role cannot ${permission.replace(':', ' ')}`);
}

/** Role rank for "a key may not exceed its creator" checks. */
export const ROLE_RANK: Record<StaffRole, number> = { owner: 5, admin: 4, sysadmin: 3, support: 2, accountant: 1 };

/** Short description of an actor for operation logs and audit. */
export function describeActor(actor: Actor): string {
  if (actor.type === 'system') return `system:${actor.reason}`;
  if (actor.type === 'customer') return `customer:${actor.userId}`;
  return actor.apiKeyId ? `apikey:${actor.apiKeyId}` : `staff:${actor.userId}`;
}
