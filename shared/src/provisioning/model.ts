import { z } from 'zod';

/**
 * One change of one service that must reach the hosts (thesis: "operation" + "backend log").
 * pending → queued → running → applied | failed; failed operations can be retried (a new attempt).
 */
export const OPERATION_STATES = ['pending', 'queued', 'running', 'applied', 'failed'] as const;
export const OperationState = z.enum(OPERATION_STATES);
export type OperationState = z.infer<typeof OperationState>;

export const OperationAction = z.enum(['save', 'delete']);
export type OperationAction = z.infer<typeof OperationAction>;

/** What ran on one host for this operation. */
export interface ExecutionLog {
  attempt: number;
  hostId: string;
  hostName: string;
  backend: string;
  script: string;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  startedAt: string;
  durationMs: number;
  /** Set when the script could not run at all (connection refused, host key mismatch…). */
  error?: string;
  /** The tenant's template overrides the script was rendered with (path and version); absent = the defaults only. */
  templates?: { path: string; version: number }[];
}

export interface Operation {
  id: string;
  tenantId: string;
  serviceId: string;
  accountId: string;
  kind: string;
  serviceName: string;
  action: OperationAction;
  state: OperationState;
  attempt: number;
  /** The service version this operation applies. */
  serviceVersion: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  /** Short reason for a failure, e.g. "no route for domain" or "exit 1 on ns1". */
  error?: string;
  /** Hosts this attempt was dispatched to (from the routes at dispatch time). */
  targets: string[];
  /** The (backend, host) units of this attempt and the routes that chose them; absent on operations dispatched before. */
  units?: { hostId: string; backend: string; routeId: string }[];
  /** Outcome per target host for the current attempt. */
  hostStates: Record<string, 'applied' | 'failed'>;
  /**
   * The attempt that runs in no host's backlog: a unit that had taken this operation in with other messages'
   * operations failed, so it runs again with its own message's operations only (provisioning/worker.ts).
   */
  aloneAttempt?: number;
  /** Set on re-apply operations of a rollout: the rollout and the index of its host (progress is counted there). */
  rollout?: { id: string; host: number };
  /** Every execution, across attempts, newest last. */
  logs: ExecutionLog[];
}

/** Limits what we keep of a script's output (DynamoDB items are ≤ 400 KB). */
export const MAX_LOG_CHARS = 32_000;

export function truncateLog(text: string, max = MAX_LOG_CHARS): string {
  if (text.length <= max) return text;
  const head = Math.floor(max * 0.25);
  const tail = max - head - 40;
  return `${text.slice(0, head)}\n… [${text.length - head - tail} characters cut] …\n${text.slice(-tail)}`;
}

/** The FIFO group of a host's queue messages: one host's changes reach its worker one at a time, in order. */
export function hostGroupId(tenantId: string, hostId: string): string {
  return `${tenantId}#${hostId}`;
}
