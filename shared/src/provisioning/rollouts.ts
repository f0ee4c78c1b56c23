import { z } from 'zod';
import { RouteMatch } from '../fleet/route-match';

/**
 * A bulk re-apply of every service of a kind (or those a filter matches), host by host (issue #6 item 6; SSM's
 * MaxConcurrency/MaxErrors). Each host gets one operation per service routed to it, dispatched together when the host's
 * turn comes; at most `maxConcurrency` hosts run at once; once more hosts have failed than the threshold allows, no
 * further host starts (hosts already running finish).
 */
export const ROLLOUT_STATES = ['running', 'completed', 'stopped'] as const;
export type RolloutState = (typeof ROLLOUT_STATES)[number];

export const ROLLOUT_HOST_STATES = ['waiting', 'running', 'done', 'failed', 'skipped'] as const;
export type RolloutHostState = (typeof ROLLOUT_HOST_STATES)[number];

/** Largest rollout: the plan lives in one DynamoDB item (≤ 400 KB). Narrow it with a filter beyond this. */
export const MAX_ROLLOUT_SERVICES = 4000;

/** `3` (hosts) or `"10%"` (of the rollout's hosts, rounded down). */
export const ErrorThreshold = z.union([
  z.number().int().min(0).max(10_000),
  z
    .string()
    .trim()
    .regex(/^(100|[1-9]?\d)%$/, 'Use a number of hosts such as 2, or a percentage such as "10%"'),
]);

export const RolloutInput = z.object({
  kind: z.string().min(1).max(40),
  /** Which services to re-apply (the route-rule language); absent = every live service of the kind. */
  filter: RouteMatch.optional(),
  /** Hosts at a time. */
  maxConcurrency: z.number().int().min(1).max(100).default(5),
  /** How many hosts may fail before no further host starts: a count, or a percentage of the rollout's hosts. */
  errorThreshold: ErrorThreshold.default(0),
  /** Render each host's scripts and return them; nothing is queued or stored. */
  dryRun: z.boolean().default(false),
  description: z.string().trim().max(300).optional(),
});
export type RolloutInput = z.input<typeof RolloutInput>;

export interface RolloutHost {
  hostId: string;
  hostName: string;
  state: RolloutHostState;
  /** Operations planned for this host (one per service, with its backends there), created when the host starts. */
  operations: { id: string; serviceId: string; backends: string[] }[];
  applied: number;
  failed: number;
  startedAt?: string;
  finishedAt?: string;
}

export interface Rollout {
  id: string;
  tenantId: string;
  kind: string;
  filter?: RouteMatch;
  description?: string;
  maxConcurrency: number;
  errorThreshold: number | string;
  /** The threshold as a count of hosts: the rollout stops once more hosts than this have failed. */
  allowedFailures: number;
  state: RolloutState;
  /** Hosts in start order. */
  hosts: RolloutHost[];
  /** Services the filter matched that no route takes (not re-applied; shown with the reason). */
  unrouted: { serviceId: string; name: string; reason: string }[];
  stopReason?: string;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** Optimistic lock: every update is conditional on it. */
  version: number;
}

/** Progress by host and by service (operation). */
export function rolloutProgress(rollout: Pick<Rollout, 'hosts'>) {
  const hosts = { total: rollout.hosts.length, waiting: 0, running: 0, done: 0, failed: 0, skipped: 0 };
  const services = { total: 0, applied: 0, failed: 0, remaining: 0 };
  for (const h of rollout.hosts) {
    hosts[h.state] += 1;
    services.total += h.operations.length;
    services.applied += h.applied;
    services.failed += h.failed;
  }
  services.remaining = services.total - services.applied - services.failed;
  return { hosts, services };
}

/** The threshold as a count of hosts. */
export function allowedFailures(threshold: number | string, hostCount: number): number {
  if (typeof threshold === 'number') return threshold;
  return Math.floor((hostCount * Number(threshold.replace('%', ''))) / 100);
}
