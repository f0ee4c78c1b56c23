import { z } from 'zod';
import { Label, patchOf } from '../core/schemas';
import { RouteMatch } from './route-match';

/** Config keys are `backend.option` (e.g. `bind.zones_dir`); values are plain strings. */
export const HostConfig = z.record(z.string().regex(/^[a-z0-9_]+\.[a-z0-9_]+$/), z.string().max(500));

/**
 * A server of the tenant that Consort provisions over SSH, SSM Run Command (managed instances without inbound SSH)
 * or, for the embedded demo host only, locally.
 * Host keys are pinned on first use: the first successful connection stores the SHA-256 fingerprint.
 */
export const HostInput = z.object({
  name: Label(100),
  address: z
    .string()
    .trim()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:-]+$/, 'A host name or IP address'),
  port: z.number().int().min(1).max(65535).default(22),
  username: z
    .string()
    .trim()
    .regex(/^[a-z_][a-z0-9_-]{0,31}$/, 'A POSIX user name')
    .default('root'),
  transport: z.enum(['ssh', 'local', 'ssm']).default('ssh'),
  /** For `ssm` hosts: the managed instance (EC2 `i-…` or hybrid `mi-…`) Run Command targets. */
  instanceId: z
    .string()
    .trim()
    .regex(/^(i|mi)-[0-9a-f]{8,17}$/, 'An instance id such as i-0123456789abcdef0 or mi-0123456789abcdef0')
    .optional(),
  hostKeyFingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/=]+$/)
    .optional(),
  config: HostConfig.default({}),
  description: z.string().max(500).optional(),
});
export type HostInput = z.input<typeof HostInput>;
export const HostPatch = patchOf(HostInput);

export const Host = HostInput.extend({
  id: z.string(),
  tenantId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Host = z.infer<typeof Host>;

/** Lowest priority number first; routes without one (stored before priorities existed) count as this. */
export const DEFAULT_ROUTE_PRIORITY = 100;

/**
 * "Services of this kind that match this rule go through this backend to this host" (thesis: routes).
 * Dispatch takes the matching active routes with the lowest priority number — all of them, so one change can run on
 * several hosts (a DNS primary and its secondaries share a priority); higher numbers are fallbacks.
 */
export const RouteInput = z.object({
  kind: z.string().min(1).max(40),
  backend: z.string().min(1).max(40),
  hostId: z.string(),
  active: z.boolean().default(true),
  /** Which services of the kind this route takes; absent = every one. */
  match: RouteMatch.optional(),
  priority: z.number().int().min(0).max(1000).default(DEFAULT_ROUTE_PRIORITY),
  description: z.string().trim().max(300).optional(),
});
export type RouteInput = z.input<typeof RouteInput>;
/** `match: null` removes the rule (the route then takes every service of its kind). */
export const RoutePatch = patchOf(RouteInput.omit({ kind: true })).extend({ match: RouteMatch.nullable().optional() });

export const Route = RouteInput.extend({
  id: z.string(),
  tenantId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string().optional(),
});
export type Route = z.infer<typeof Route>;
