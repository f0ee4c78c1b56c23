import { z } from 'zod';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, NotFoundError } from '../core/errors';
import { PageQuery } from '../core/schemas';
import { parseInput } from '../core/validate';
import { resolveRouting, type Routing } from '../fleet/routing';
import { routingDocument } from '../fleet/route-match';
import { liveServices, satisfies } from '../services/account-services';
import { serviceType } from '../services/registry';
import { eachTenant } from '../tenancy/each-tenant';
import { hostGroupId, OperationState, type Operation } from './model';
import type { ProvisioningQueue } from '../ports/crypto';

const OperationQuery = PageQuery.extend({ state: OperationState.optional(), serviceId: z.string().max(40).optional() });

export async function listOperations(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'operations:read');
  return deps.store.operations.list(actor.tenantId, parseInput(OperationQuery, query));
}

export async function getOperationOrThrow(deps: CoreDeps, actor: Actor, operationId: string): Promise<Operation> {
  authorize(actor, 'operations:read');
  const op = await deps.store.operations.get(actor.tenantId, operationId);
  if (!op) throw new NotFoundError('Operation', operationId);
  return op;
}

/**
 * Move a pending operation from the outbox to the per-host FIFO queue. The operation becomes `queued` before the
 * message is sent, so a worker that receives the message at once finds it ready; it stays in the outbox until a
 * worker starts it, and the sweeper re-sends queued operations nobody started (a crash between transition and
 * send, a lost local queue). Messages carry a deduplication id per attempt and host, and workers skip operations
 * that already ran, so a re-send never applies a change twice.
 */
export async function dispatchOperation(deps: CoreDeps, tenantId: string, operationId: string): Promise<Operation | undefined> {
  return dispatchOperations(deps, tenantId, [operationId]).then((ops) => ops[0]);
}

/**
 * Dispatch several operations and send their messages in one go, so those for one host arrive together and the
 * worker runs them as one unit of work (one script, one reload) — a rollout starting a host, for example.
 */
export async function dispatchOperations(
  deps: CoreDeps,
  tenantId: string,
  operationIds: readonly string[],
): Promise<(Operation | undefined)[]> {
  const ops: (Operation | undefined)[] = [];
  const send: Operation[] = [];
  for (const id of operationIds) {
    const op = await routeAndQueue(deps, tenantId, id);
    ops.push(op);
    if (op?.state === 'queued') send.push(op);
  }
  if (send.length) await sendToHosts(deps, send);
  return ops;
}

/** Route a pending operation and mark it queued (or failed with the reason); a queued one is returned as it is. */
async function routeAndQueue(deps: CoreDeps, tenantId: string, operationId: string): Promise<Operation | undefined> {
  const op = await deps.store.operations.get(tenantId, operationId);
  if (!op) return op;
  if (op.state === 'queued') return op;
  if (op.state !== 'pending') return op;
  const now = deps.clock.now().toISOString();
  // Rollout operations come with their (host, backend) units; everything else is routed now.
  const routing: Routing = op.units?.length ? { units: op.units } : await routeOperation(deps, tenantId, op);
  if ('reason' in routing) {
    const failed = await deps.store.operations.transition(tenantId, op.id, ['pending'], {
      state: 'failed',
      error: routing.reason,
      updatedAt: now,
    });
    if (failed) await deps.store.services.settle(tenantId, op.serviceId, op.id, 'failed', now);
    return failed;
  }
  const targets = [...new Set(routing.units.map((u) => u.hostId))];
  const queued = await deps.store.operations.transition(tenantId, op.id, ['pending'], {
    state: 'queued',
    targets,
    units: routing.units,
    updatedAt: now,
  });
  if (!queued) return deps.store.operations.get(tenantId, op.id); // another dispatcher won
  return queued;
}

/**
 * The routes' verdict for an operation's service (as it is now) and its account's tags. A save of a service whose
 * references ask for the same host (a website using a web app's socket) goes nowhere unless every host it is routed
 * to also runs the referenced service — a site pointed at a socket its host does not have would answer 502.
 */
async function routeOperation(deps: CoreDeps, tenantId: string, op: Operation): Promise<Routing> {
  const [routes, service] = await Promise.all([deps.store.routes.list(tenantId), deps.store.services.get(tenantId, op.serviceId)]);
  const account = await deps.store.accounts.get(tenantId, op.accountId);
  const doc = routingDocument(service ?? { id: op.serviceId, name: op.serviceName, accountId: op.accountId, spec: {} }, account);
  const routing = resolveRouting(routes, op.kind, doc);
  if ('reason' in routing || !service || op.action === 'delete') return routing;
  const sameHost = (serviceType(op.kind)?.references?.(service.spec) ?? []).filter((r) => r.sameHost);
  for (const ref of sameHost) {
    const target = (await liveServices(deps, tenantId, op.accountId, ref.kind)).find((s) => satisfies(ref, s));
    if (!target) continue; // checked on save; a reference deleted since fails in the daemon's own check
    const there = resolveRouting(routes, target.kind, routingDocument(target, account));
    const hosts = new Set(there.units.map((u) => u.hostId));
    const missing = [...new Set(routing.units.map((u) => u.hostId))].filter((h) => !hosts.has(h));
    if (missing.length) {
      const where = hosts.size ? `runs on ${[...hosts].join(', ')}` : 'is routed to no host';
      return {
        units: [],
        reason:
          `${op.serviceName} needs ${target.kind} ${target.name} on the same host, but it ${where} and ${op.serviceName} is routed to ` +
          `${missing.join(', ')}: change the routes under Hosts → Routes so they share a host, then retry`,
      };
    }
  }
  return routing;
}

/** At most this many operations per message (an SQS body is ≤ 256 KB; an entry is under 60 bytes). */
export const OPERATIONS_PER_MESSAGE = 100;

/**
 * The queue messages for dispatched operations: one per host (per 100 operations) with that host's operations in
 * order. The deduplication id names the attempts it carries, so a re-send of the same set inside SQS's 5-minute
 * window is dropped and any other set is not. Pure; `sha256` is the crypto port's.
 */
export function hostMessages(ops: readonly Operation[], sha256: (text: string) => string): Parameters<ProvisioningQueue['send']>[0] {
  const byHost = new Map<string, { tenantId: string; operations: { id: string; attempt: number }[] }>();
  for (const op of ops) {
    for (const hostId of op.targets) {
      const entry = byHost.get(hostId) ?? { tenantId: op.tenantId, operations: [] };
      entry.operations.push({ id: op.id, attempt: op.attempt });
      byHost.set(hostId, entry);
    }
  }
  const messages = [];
  for (const [hostId, { tenantId, operations }] of byHost) {
    for (let i = 0; i < operations.length; i += OPERATIONS_PER_MESSAGE) {
      const chunk = operations.slice(i, i + OPERATIONS_PER_MESSAGE);
      const deduplicationId =
        chunk.length === 1
          ? `${chunk[0]!.id}-${chunk[0]!.attempt}-${hostId}`
          : sha256(`${hostId}\n${chunk.map((o) => `${o.id}-${o.attempt}`).join('\n')}`);
      messages.push({ groupId: hostGroupId(tenantId, hostId), deduplicationId, body: { tenantId, hostId, operations: chunk } });
    }
  }
  return messages;
}

async function sendToHosts(deps: CoreDeps, ops: readonly Operation[]): Promise<void> {
  await deps.queue.send(hostMessages(ops, (text) => deps.crypto.sha256(text)));
}

export interface SweepOptions {
  /** Dispatch pending operations older than this (the API's inline dispatch failed or crashed). Default 0. */
  olderThanMs?: number;
  /** Re-send queued operations no worker started for this long (a lost message). Default 10 minutes. */
  requeueAfterMs?: number;
  /**
   * Re-send running operations not heard of for this long: their worker died mid-script (killed, out of memory,
   * machine lost). Default 30 minutes, above the longest a live worker can take (script timeout × retries);
   * SQS redelivery usually comes first on AWS. Hosts that already reported are skipped and scripts are
   * idempotent, so a re-run converges on the same state.
   */
  orphanedAfterMs?: number;
}

/**
 * Scheduled safety net over every tenant's outbox: dispatch pending operations, re-send queued ones no worker
 * started and running ones whose worker died. Returns how many it dispatched or re-sent.
 */
export async function sweepOutbox(deps: CoreDeps, options: SweepOptions = {}): Promise<number> {
  const now = deps.clock.now().getTime();
  const cutoffs: Partial<Record<OperationState, number>> = {
    pending: now - (options.olderThanMs ?? 0),
    queued: now - (options.requeueAfterMs ?? 10 * 60_000),
    running: now - (options.orphanedAfterMs ?? 30 * 60_000),
  };
  let count = 0;
  await eachTenant(deps, async (tenantId) => {
    let cursor: string | undefined;
    do {
      const ops = await deps.store.operations.outbox(tenantId, { limit: 100, cursor });
      const due = ops.items.filter((op) => {
        const cutoff = cutoffs[op.state];
        return cutoff !== undefined && Date.parse(op.updatedAt) <= cutoff;
      });
      // A page's operations go out together, like a rollout's: one message per host, so what a host has waiting
      // (after a restart, everything a dead worker left) runs as one unit of work, not one script per operation.
      const running = due.filter((op) => op.state === 'running');
      if (running.length) await sendToHosts(deps, running);
      await dispatchOperations(
        deps,
        tenantId,
        due.filter((op) => op.state !== 'running').map((op) => op.id),
      );
      count += due.length;
      cursor = ops.nextCursor;
    } while (cursor);
  });
  return count;
}

/** Run a failed operation again (new attempt). Its service goes back to pending if this is its latest change. */
export async function retryOperation(deps: CoreDeps, actor: Actor, operationId: string): Promise<Operation> {
  authorize(actor, 'operations:retry');
  const op = await getOperationOrThrow(deps, actor, operationId);
  if (op.state !== 'failed') throw new ConflictError(`Only failed operations can be retried; this one is ${op.state}`);
  const now = deps.clock.now().toISOString();
  const retried = await deps.store.operations.retry(actor.tenantId, op.id, now);
  if (!retried) throw new ConflictError('The operation changed meanwhile; reload');
  const service = await deps.store.services.get(actor.tenantId, op.serviceId);
  if (service?.lastOperationId === op.id) {
    await deps.store.services.settle(actor.tenantId, op.serviceId, op.id, op.action === 'delete' ? 'deleting' : 'pending', now);
  }
  return retried;
}
