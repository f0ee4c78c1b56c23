import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { PageQuery } from '../core/schemas';
import { parseInput } from '../core/validate';
import type { Account } from '../accounts/model';
import type { Host } from '../fleet/model';
import { checkRouteMatch, routeMatches, routingDocument } from '../fleet/route-match';
import { resolveRouting } from '../fleet/routing';
import type { TemplateSource } from '../ports/transport';
import { serviceType } from '../services/registry';
import type { Service } from '../services/model';
import { tenantOrThrow } from '../tenancy/use-cases';
import type { Operation } from './model';
import { renderUnitOfWork } from './render';
import { allowedFailures, MAX_ROLLOUT_SERVICES, RolloutInput, rolloutProgress, type Rollout, type RolloutHost } from './rollouts';
import { tenantTemplates } from './template-use-cases';
import { dispatchOperations } from './use-cases';
import { eachTenant } from '../tenancy/each-tenant';

/** Dry runs render scripts, so they need the templates. */
export interface RolloutDeps extends CoreDeps {
  templates: TemplateSource;
}

/** A rollout as the API shows it: the stored record plus its progress. */
export function rolloutView(rollout: Rollout) {
  return { ...rollout, progress: rolloutProgress(rollout) };
}

interface Planned {
  service: Service;
  units: { hostId: string; backend: string }[];
}

/** The live services of the kind the filter matches, each with the (host, backend) units the routes give it. */
async function plan(deps: CoreDeps, tenantId: string, input: ReturnType<typeof RolloutInput.parse>) {
  const routes = await deps.store.routes.list(tenantId);
  const accounts = new Map<string, Account | undefined>();
  const planned: Planned[] = [];
  const unrouted: Rollout['unrouted'] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.services.list(tenantId, { kind: input.kind, limit: 200, cursor });
    for (const service of page.items) {
      if (service.kind !== input.kind || service.state === 'deleting' || service.state === 'deleted') continue;
      if (!accounts.has(service.accountId)) accounts.set(service.accountId, await deps.store.accounts.get(tenantId, service.accountId));
      const doc = routingDocument(service, accounts.get(service.accountId));
      if (!routeMatches(input.filter, doc)) continue;
      const routing = resolveRouting(routes, input.kind, doc);
      if ('reason' in routing) unrouted.push({ serviceId: service.id, name: service.name, reason: routing.reason });
      else planned.push({ service, units: routing.units });
      if (planned.length + unrouted.length > MAX_ROLLOUT_SERVICES) {
        throw new ValidationError(`A rollout re-applies at most ${MAX_ROLLOUT_SERVICES} services; narrow it with a filter`, [
          { path: ['filter'], message: 'Too many services' },
        ]);
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return { planned, unrouted };
}

/**
 * Start a rollout (re-apply every matching service, host by host) or, with `dryRun`, render what each host would run
 * and return it without queueing or storing anything.
 */
export async function createRollout(deps: RolloutDeps, actor: Actor, raw: unknown) {
  authorize(actor, 'hosts:write');
  const input = parseInput(RolloutInput, raw);
  const type = serviceType(input.kind);
  if (!type) throw new ValidationError(`Unknown service kind ${input.kind}`, [{ path: ['kind'], message: 'Unknown service kind' }]);
  if (input.filter) {
    const issues = checkRouteMatch(input.filter, type.spec, input.kind, ['filter']);
    if (issues.length) throw new ValidationError('The filter does not fit this service kind', issues);
  }
  const { planned, unrouted } = await plan(deps, actor.tenantId, input);
  const hosts = new Map((await deps.store.hosts.list(actor.tenantId)).map((h) => [h.id, h]));
  const byHost = new Map<string, { host: Host; entries: { service: Service; backends: string[] }[] }>();
  for (const { service, units } of planned) {
    for (const hostId of new Set(units.map((u) => u.hostId))) {
      const host = hosts.get(hostId);
      if (!host) continue;
      const group = byHost.get(hostId) ?? { host, entries: [] };
      group.entries.push({ service, backends: units.filter((u) => u.hostId === hostId).map((u) => u.backend) });
      byHost.set(hostId, group);
    }
  }
  if (byHost.size === 0) {
    throw new ValidationError(`Nothing to re-apply: no live ${input.kind} that the filter matches has a route`, [
      { path: ['filter'], message: unrouted.length ? `${unrouted.length} matching service(s) have no route` : 'No service matches' },
    ]);
  }
  const groups = [...byHost.values()].sort((a, b) => a.host.name.localeCompare(b.host.name) || a.host.id.localeCompare(b.host.id));

  if (input.dryRun) {
    const tenant = await tenantOrThrow(deps, actor);
    const { source } = await tenantTemplates(deps, actor.tenantId);
    const result = [];
    for (const { host, entries } of groups) {
      const units = [];
      for (const backendName of [...new Set(entries.flatMap((e) => e.backends))].sort()) {
        const backend = type.backends.find((b) => b.name === backendName);
        if (!backend) continue;
        const items = entries
          .filter((e) => e.backends.includes(backendName))
          .map((e) => ({
            operationId: 'dry-run',
            action: 'save' as const,
            service: {
              id: e.service.id,
              accountId: e.service.accountId,
              name: e.service.name,
              kind: e.service.kind,
              spec: e.service.spec,
              backendState: e.service.backendState,
            },
          }));
        const { script } = await renderUnitOfWork({ templates: source, tenant, host, backend, items });
        units.push({ backend: backendName, services: items.map((i) => i.service.name), script });
      }
      result.push({ hostId: host.id, hostName: host.name, units });
    }
    return { dryRun: true as const, kind: input.kind, services: planned.length, hosts: result, unrouted };
  }

  const now = deps.clock.now().toISOString();
  const rolloutHosts: RolloutHost[] = groups.map(({ host, entries }) => ({
    hostId: host.id,
    hostName: host.name,
    state: 'waiting',
    operations: entries.map((e) => ({ id: newId('operation', deps.clock), serviceId: e.service.id, backends: e.backends })),
    applied: 0,
    failed: 0,
  }));
  const rollout: Rollout = {
    id: newId('rollout', deps.clock),
    tenantId: actor.tenantId,
    kind: input.kind,
    ...(input.filter ? { filter: input.filter } : {}),
    ...(input.description ? { description: input.description } : {}),
    maxConcurrency: input.maxConcurrency,
    errorThreshold: input.errorThreshold,
    allowedFailures: allowedFailures(input.errorThreshold, rolloutHosts.length),
    state: 'running',
    hosts: rolloutHosts,
    unrouted: unrouted.slice(0, 100),
    createdBy: describeActor(actor),
    createdAt: now,
    updatedAt: now,
    version: 1,
  };
  await deps.store.rollouts.create(rollout);
  return rolloutView(await advanceRollout(deps, actor.tenantId, rollout.id));
}

/**
 * Move a rollout forward (idempotent; called after it is created and whenever one of its operations settles):
 * settle hosts whose operations all reported, stop once more hosts failed than allowed (waiting hosts are skipped),
 * otherwise start waiting hosts up to `maxConcurrency`, and complete when none is left. The rollout write is
 * conditional on its version (outcome counters bump it), so concurrent advances never start a host twice.
 */
export async function advanceRollout(deps: CoreDeps, tenantId: string, rolloutId: string): Promise<Rollout> {
  for (let attempt = 0; ; attempt += 1) {
    const current = await deps.store.rollouts.get(tenantId, rolloutId);
    if (!current) throw new NotFoundError('Rollout', rolloutId);
    if (current.state !== 'running') return current;
    const now = deps.clock.now().toISOString();
    const next: Rollout = structuredClone(current);
    for (const host of next.hosts) {
      if (host.state === 'running' && host.applied + host.failed >= host.operations.length) {
        host.state = host.failed > 0 ? 'failed' : 'done';
        host.finishedAt = now;
      }
    }
    const failedHosts = next.hosts.filter((h) => h.state === 'failed').length;
    const started: number[] = [];
    if (failedHosts > next.allowedFailures) {
      for (const host of next.hosts) if (host.state === 'waiting') host.state = 'skipped';
      next.stopReason ??= `${failedHosts} host(s) failed; the threshold allows ${next.allowedFailures}`;
    } else {
      let free = next.maxConcurrency - next.hosts.filter((h) => h.state === 'running').length;
      for (const [i, host] of next.hosts.entries()) {
        if (free <= 0) break;
        if (host.state !== 'waiting') continue;
        host.state = 'running';
        host.startedAt = now;
        started.push(i);
        free -= 1;
      }
    }
    if (!next.hosts.some((h) => h.state === 'running' || h.state === 'waiting')) {
      next.state = next.stopReason ? 'stopped' : 'completed';
      next.finishedAt = now;
    }
    // Nothing to do writes nothing (the sweeper advances running rollouts every minute).
    const changed = JSON.stringify(next) !== JSON.stringify(current);
    if (changed) next.updatedAt = now;
    if (changed && !(await deps.store.rollouts.update(next, current.version))) {
      if (attempt >= 20) throw new Error(`Rollout ${rolloutId} kept changing; giving up this advance`);
      continue; // an outcome or another advance moved it: recompute from the new state
    }
    // Only the writer that moved a host to running starts it.
    for (const index of started) await startHost(deps, next, index);
    return { ...next, version: changed ? current.version + 1 : current.version };
  }
}

/** Start a host: create and dispatch its re-apply operations, counting the services gone since the plan as done. */
async function startHost(deps: CoreDeps, rollout: Rollout, index: number): Promise<void> {
  const { gone } = await createHostOperations(deps, rollout, index);
  const now = deps.clock.now().toISOString();
  // Gone since the plan was made: nothing to re-apply there.
  for (let i = 0; i < gone.length; i++) await deps.store.rollouts.recordOutcome(rollout.tenantId, rollout.id, index, true, now);
  if (gone.length > 0) await advanceRollout(deps, rollout.tenantId, rollout.id);
}

/**
 * Create (ids planned up front: an operation that exists is left alone) and dispatch a host's re-apply operations.
 * Returns the planned operations whose service is gone (none is created for them).
 */
async function createHostOperations(deps: CoreDeps, rollout: Rollout, index: number): Promise<{ gone: string[] }> {
  const host = rollout.hosts[index]!;
  const now = deps.clock.now().toISOString();
  const gone: string[] = [];
  const created: string[] = [];
  for (const planned of host.operations) {
    const service = await deps.store.services.get(rollout.tenantId, planned.serviceId);
    if (!service || service.state === 'deleting' || service.state === 'deleted') {
      gone.push(planned.id);
      continue;
    }
    const operation: Operation = {
      id: planned.id,
      tenantId: rollout.tenantId,
      serviceId: service.id,
      accountId: service.accountId,
      kind: service.kind,
      serviceName: service.name,
      action: 'save',
      state: 'pending',
      attempt: 1,
      serviceVersion: service.version,
      createdBy: `${rollout.createdBy} (rollout ${rollout.id})`,
      createdAt: now,
      updatedAt: now,
      targets: [],
      units: planned.backends.map((backend) => ({ hostId: host.hostId, backend, routeId: `rollout:${rollout.id}` })),
      hostStates: {},
      logs: [],
      rollout: { id: rollout.id, host: index },
    };
    await deps.store.operations.create(operation);
    created.push(operation.id);
  }
  // All of the host's operations in one send: they reach its worker together, as one script with one reload. Only
  // pending ones move, so a repeat re-sends nothing that ran.
  await dispatchOperations(deps, rollout.tenantId, created);
  return { gone };
}

/** How long a running host may look stuck before the sweeper repairs it (a worker settles in milliseconds). */
export const ROLLOUT_REPAIR_AFTER_MS = 5 * 60_000;

/**
 * Repair what a crash can leave a running rollout with (the outbox sweeper calls this): a host started whose
 * operations were not all created (the process died inside its start) gets the rest created and dispatched; a host
 * whose operations have all settled but whose counters missed some (the process died between an operation settling
 * and its counter update) is recounted from the operations — applied, or gone since the plan; failed — and the
 * rollout moves on. Only hosts started, and operations settled, longer than `repairAfterMs` ago are touched, so a
 * counter update on its way is never counted twice; the recount is written on the rollout's version. Idempotent.
 */
export async function repairRollout(
  deps: CoreDeps,
  tenantId: string,
  rolloutId: string,
  repairAfterMs = ROLLOUT_REPAIR_AFTER_MS,
): Promise<Rollout | undefined> {
  const rollout = await deps.store.rollouts.get(tenantId, rolloutId);
  if (!rollout || rollout.state !== 'running') return rollout;
  const cutoff = deps.clock.now().getTime() - repairAfterMs;
  const next = structuredClone(rollout);
  let recounted = false;
  for (const [index, host] of rollout.hosts.entries()) {
    if (host.state !== 'running' || host.applied + host.failed >= host.operations.length) continue;
    if (!host.startedAt || Date.parse(host.startedAt) > cutoff) continue;
    const ops = await Promise.all(host.operations.map((p) => deps.store.operations.get(tenantId, p.id)));
    const missing = host.operations.filter((_, i) => !ops[i]);
    if (missing.length) {
      const { gone } = await createHostOperations(deps, rollout, index);
      if (missing.some((m) => !gone.includes(m.id))) continue; // created now: they settle, then count as usual
    }
    const present = ops.filter((o): o is Operation => !!o);
    const settled = present.every((o) => (o.state === 'applied' || o.state === 'failed') && Date.parse(o.updatedAt) <= cutoff);
    if (!settled) continue;
    const failed = present.filter((o) => o.state === 'failed').length;
    next.hosts[index] = { ...host, applied: host.operations.length - failed, failed };
    recounted = true;
  }
  if (recounted) {
    next.updatedAt = deps.clock.now().toISOString();
    // Lost to a concurrent write: the next sweep looks again.
    if (!(await deps.store.rollouts.update(next, rollout.version))) return deps.store.rollouts.get(tenantId, rolloutId);
  }
  return advanceRollout(deps, tenantId, rolloutId);
}

/**
 * The outbox sweeper's part for rollouts: every tenant's running rollouts among its 20 newest get {@link repairRollout}.
 * Returns how many it moved (counters recounted, hosts started or finished).
 */
export async function sweepRollouts(deps: CoreDeps, options: { repairAfterMs?: number } = {}): Promise<number> {
  let moved = 0;
  await eachTenant(deps, async (tenantId) => {
    const recent = await deps.store.rollouts.list(tenantId, { limit: 20 });
    for (const rollout of recent.items.filter((r) => r.state === 'running')) {
      const after = await repairRollout(deps, tenantId, rollout.id, options.repairAfterMs);
      if (after && after.version !== rollout.version) moved += 1;
    }
  });
  return moved;
}

/** Count a settled rollout operation on its host and move the rollout on. First attempts only (retries are manual). */
export async function settleRolloutOperation(deps: CoreDeps, op: Operation, ok: boolean): Promise<void> {
  if (!op.rollout || op.attempt !== 1) return;
  await deps.store.rollouts.recordOutcome(op.tenantId, op.rollout.id, op.rollout.host, ok, deps.clock.now().toISOString());
  await advanceRollout(deps, op.tenantId, op.rollout.id);
}

export async function getRollout(deps: CoreDeps, actor: Actor, rolloutId: string) {
  authorize(actor, 'operations:read');
  if (actor.type === 'customer') throw new NotFoundError('Rollout', rolloutId);
  const rollout = await deps.store.rollouts.get(actor.tenantId, rolloutId);
  if (!rollout) throw new NotFoundError('Rollout', rolloutId);
  return rolloutView(rollout);
}

export async function listRollouts(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'operations:read');
  if (actor.type === 'customer') return { items: [] };
  const page = await deps.store.rollouts.list(actor.tenantId, parseInput(PageQuery, query));
  return { ...page, items: page.items.map(rolloutView) };
}
