import { z } from 'zod';
import type { CoreDeps } from '../core/deps';
import { DomainError, TransientError } from '../core/errors';
import type { Host, Route } from '../fleet/model';
import type { Transport, TemplateSource } from '../ports/transport';
import { serviceType } from '../services/registry';
import { hostGroupId, truncateLog, type ExecutionLog, type Operation } from './model';
import { renderUnitOfWork } from './render';
import { settleRolloutOperation } from './rollout-use-cases';
import { templatesUsed, tenantTemplates } from './template-use-cases';

/**
 * The provisioning workflow's steps (Prepare → Execute → Complete, Catch → MarkFailed). Each step takes
 * and returns plain JSON so the same code runs as Step Functions tasks on AWS and in aws-local-stepfunctions.
 */
export interface WorkerDeps extends CoreDeps {
  templates: TemplateSource;
  /** `ssm` only where an SSM client is configured (AWS; locally on request). */
  transports: { ssh: Transport; local?: Transport; ssm?: Transport };
  /** Per-script timeout. */
  scriptTimeoutMs: number;
}

export const WorkInput = z.object({
  tenantId: z.string(),
  hostId: z.string(),
  /** Operation id → the attempt the message was sent for. */
  operations: z.array(z.object({ id: z.string(), attempt: z.number().int() })).min(1),
});
export type WorkInput = z.infer<typeof WorkInput>;

const Unit = z.object({
  backend: z.string(),
  operationIds: z.array(z.string()),
  script: z.string(),
  /** The tenant's template overrides this script was rendered with. */
  templates: z.array(z.object({ path: z.string(), version: z.number().int() })).optional(),
});
export const PreparedWork = WorkInput.extend({
  hasWork: z.boolean(),
  units: z.array(Unit),
  /** Operations taken in from the host's queued backlog (their own messages are still on the way). */
  folded: z.array(z.string()).optional(),
});
export type PreparedWork = z.infer<typeof PreparedWork>;

const UnitResult = z.object({
  stdout: z.string(),
  stderr: z.string(),
  exitCode: z.number().nullable(),
  durationMs: z.number(),
  startedAt: z.string(),
  error: z.string().optional(),
});
export const ExecutedWork = PreparedWork.extend({ results: z.array(UnitResult) });
export type ExecutedWork = z.infer<typeof ExecutedWork>;

export const FailedWork = WorkInput.extend({
  units: z.array(Unit).optional(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
});

/** Whether the operation's current attempt still has to run on this host (dispatched to it, no outcome there yet). */
const awaitsHost = (op: Operation, hostId: string) => op.targets.includes(hostId) && !op.hostStates[hostId];

/** Operations of this message that still need this host (skips replays, stale attempts and finished work). */
async function liveOperations(deps: CoreDeps, input: WorkInput): Promise<Operation[]> {
  const ops: Operation[] = [];
  for (const ref of input.operations) {
    const op = await deps.store.operations.get(input.tenantId, ref.id);
    if (!op || op.attempt !== ref.attempt) continue;
    if (op.state !== 'queued' && op.state !== 'running') continue;
    if (awaitsHost(op, input.hostId)) ops.push(op);
  }
  return ops;
}

/**
 * Whether a message still has work: some of its operations still need this host. The queue consumer asks before it
 * starts the workflow, so a message whose operations another message's unit took in (the host's backlog) or that
 * was replayed costs a few reads instead of an execution. Prepare checks again (the answer can change meanwhile).
 */
export async function hasLiveWork(deps: CoreDeps, raw: unknown): Promise<boolean> {
  return (await liveOperations(deps, WorkInput.parse(raw))).length > 0;
}

/** A message's unit of work takes in at most this many operations, its own and the host's queued backlog together. */
export const MAX_OPERATIONS_PER_WORK = 50;
/** How much of the tenant's outbox (oldest first) a message looks through for the host's queued backlog. */
const BACKLOG_SCAN = 100;

/**
 * Operations already sent to this host in messages still waiting behind this one (its FIFO group): `queued`, not yet
 * done on this host, oldest first, up to {@link MAX_OPERATIONS_PER_WORK} with the message's own. They join this
 * message's unit of work, so a burst of changes to one host runs as one script with one reload instead of one script
 * each; their own messages find them done and do nothing. Each is re-read (the outbox index may lag) and taken only
 * by moving it from `queued` to `running`, so two workers never both take one.
 */
async function queuedBacklog(deps: CoreDeps, input: WorkInput, taken: readonly Operation[], now: string): Promise<Operation[]> {
  const room = MAX_OPERATIONS_PER_WORK - taken.length;
  if (room <= 0) return [];
  const ids = new Set(taken.map((o) => o.id));
  const { items } = await deps.store.operations.outbox(input.tenantId, { limit: BACKLOG_SCAN });
  const out: Operation[] = [];
  for (const candidate of items) {
    if (out.length >= room) break;
    if (ids.has(candidate.id) || candidate.state !== 'queued' || !candidate.targets.includes(input.hostId)) continue;
    const op = await deps.store.operations.get(input.tenantId, candidate.id);
    if (!op || op.state !== 'queued' || !awaitsHost(op, input.hostId) || op.aloneAttempt === op.attempt) continue;
    if (!(await deps.store.operations.transition(input.tenantId, op.id, ['queued'], { state: 'running', updatedAt: now }))) continue;
    out.push({ ...op, state: 'running' });
  }
  return out;
}

/** Prepare: mark the operations running and render one script per backend for this host. */
export async function prepare(deps: WorkerDeps, raw: unknown): Promise<PreparedWork> {
  const message = WorkInput.parse(raw);
  const own = await liveOperations(deps, message);
  if (own.length === 0) return { ...message, hasWork: false, units: [] };
  const now = deps.clock.now().toISOString();
  const [tenant, host, routes] = await Promise.all([
    deps.store.tenants.get(message.tenantId),
    deps.store.hosts.get(message.tenantId, message.hostId),
    deps.store.routes.list(message.tenantId),
  ]);
  if (!tenant) throw new DomainError('tenant_missing', `Tenant ${message.tenantId} no longer exists`);
  if (!host) throw new DomainError('host_missing', `Host ${message.hostId} was deleted; add a route to another host and retry`);
  for (const op of own)
    await deps.store.operations.transition(message.tenantId, op.id, ['queued', 'running'], { state: 'running', updatedAt: now });
  // The host's backlog joins in creation order, so that a delete and a re-create of the same name keep their order.
  const backlog = own.some((o) => o.aloneAttempt === o.attempt) ? [] : await queuedBacklog(deps, message, own, now);
  const ops = [...own, ...backlog].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1));
  const input: WorkInput = { ...message, operations: [...message.operations, ...backlog.map((o) => ({ id: o.id, attempt: o.attempt }))] };

  // One unit of work per backend: every changed service of that backend, then one commit (one reload).
  const byBackend = new Map<string, { op: Operation; item: Parameters<typeof renderUnitOfWork>[0]['items'][number] }[]>();
  for (const op of ops) {
    const service = await deps.store.services.get(input.tenantId, op.serviceId);
    if (!service) continue;
    for (const backendName of backendsOn(op, host.id, routes)) {
      const list = byBackend.get(backendName) ?? [];
      // A later change of the same service in this batch supersedes an earlier one: render the service once.
      const index = list.findIndex((e) => e.item.service.id === service.id);
      const item = {
        operationId: op.id,
        action: op.action,
        service: {
          id: service.id,
          accountId: service.accountId,
          name: service.name,
          kind: service.kind,
          spec: service.spec,
          backendState: service.backendState,
        },
      };
      if (index >= 0) list.splice(index, 1);
      list.push({ op, item });
      byBackend.set(backendName, list);
    }
  }
  const units: PreparedWork['units'] = [];
  // The tenant's active template overrides, read now: an edit takes effect on the next operation.
  const templates = byBackend.size > 0 ? await tenantTemplates(deps, input.tenantId) : undefined;
  for (const [backendName, entries] of byBackend) {
    const kind = entries[0]!.op.kind;
    const backend = serviceType(kind)?.backends.find((b) => b.name === backendName);
    if (!backend) throw new DomainError('backend_missing', `No backend ${backendName} for ${kind}`);
    const { script } = await renderUnitOfWork({ templates: templates!.source, tenant, host, backend, items: entries.map((e) => e.item) });
    const used = await templatesUsed(templates!.source, backend, templates!.versions);
    const operationIds = ops
      .filter((o) => entries.some((e) => e.item.service.id === o.serviceId) && backendsOn(o, host.id, routes).includes(backendName))
      .map((o) => o.id);
    units.push({ backend: backendName, operationIds, script, ...(used.length ? { templates: used } : {}) });
  }
  return { ...input, hasWork: units.length > 0, units, ...(backlog.length ? { folded: backlog.map((o) => o.id) } : {}) };
}

/**
 * The backends an operation runs on this host: those chosen at dispatch (`units`), or — for operations dispatched
 * before units were recorded — the host's active route for the kind, else the kind's first backend.
 */
function backendsOn(op: Operation, hostId: string, routes: Route[]): string[] {
  if (op.units) return [...new Set(op.units.filter((u) => u.hostId === hostId).map((u) => u.backend))];
  const route = routes.find((r) => r.active && r.kind === op.kind && r.hostId === hostId);
  const name = route?.backend ?? serviceType(op.kind)?.backends[0]?.name;
  return name ? [name] : [];
}

function transportFor(deps: WorkerDeps, host: Host): Transport {
  if (host.transport === 'local') {
    if (!deps.transports.local) throw new DomainError('transport_unavailable', 'The local transport is not available in this runtime');
    return deps.transports.local;
  }
  if (host.transport === 'ssm') {
    if (!deps.transports.ssm) {
      throw new DomainError(
        'transport_unavailable',
        `Host ${host.name} uses SSM Run Command, which this runtime has not configured (start it with CONSORT_SSM_REGION, or run on AWS)`,
      );
    }
    return deps.transports.ssm;
  }
  return deps.transports.ssh;
}

/** Execute: run each unit's script on the host. Unreachable hosts throw TransientError (the workflow retries). */
export async function execute(deps: WorkerDeps, raw: unknown): Promise<ExecutedWork> {
  const input = PreparedWork.parse(raw);
  const host = await deps.store.hosts.get(input.tenantId, input.hostId);
  if (!host) throw new DomainError('host_missing', `Host ${input.hostId} was deleted`);
  const sealed = await deps.store.tenants.sealedPrivateKey(input.tenantId);
  if (!sealed) throw new DomainError('key_missing', 'The tenant has no provisioning key');
  const privateKey = await deps.secrets.open(sealed);
  const transport = transportFor(deps, host);
  const results: ExecutedWork['results'] = [];
  for (const unit of input.units) {
    const startedAt = deps.clock.now().toISOString();
    try {
      const result = await transport.run(host, unit.script, { privateKey, timeoutMs: deps.scriptTimeoutMs });
      if (!host.hostKeyFingerprint && result.hostKeyFingerprint) {
        host.hostKeyFingerprint = result.hostKeyFingerprint; // trust on first use: pin the key we just saw
        await deps.store.hosts.put({ ...host, updatedAt: startedAt });
      }
      results.push({
        stdout: truncateLog(result.stdout),
        stderr: truncateLog(result.stderr),
        exitCode: result.exitCode,
        durationMs: result.durationMs,
        startedAt,
      });
    } catch (error) {
      if (error instanceof TransientError) throw error;
      if (!(error instanceof DomainError)) throw error;
      results.push({ stdout: '', stderr: '', exitCode: null, durationMs: 0, startedAt, error: `${error.code}: ${error.message}` });
    }
  }
  return { ...input, results };
}

async function finish(deps: CoreDeps, tenantId: string, op: Operation, now: string) {
  if (!op.targets.every((h) => op.hostStates[h])) return; // other hosts still working
  const failedHosts = op.targets.filter((h) => op.hostStates[h] === 'failed');
  const state = failedHosts.length ? 'failed' : 'applied';
  const last = [...op.logs].reverse().find((l) => l.attempt === op.attempt && (l.error || l.exitCode !== 0));
  const error = failedHosts.length
    ? (last?.error ?? `Script exited with ${last?.exitCode ?? 'an error'} on ${last?.hostName ?? failedHosts.join(', ')}`)
    : undefined;
  const done = await deps.store.operations.transition(tenantId, op.id, ['running', 'queued'], { state, error, updatedAt: now });
  if (!done) return;
  await settleService(deps, tenantId, op, state, now);
  await settleRolloutOperation(deps, done, state === 'applied');
}

async function settleService(deps: CoreDeps, tenantId: string, op: Operation, state: 'applied' | 'failed', now: string) {
  if (state === 'failed') return deps.store.services.settle(tenantId, op.serviceId, op.id, 'failed', now);
  if (op.action === 'delete') {
    await deps.store.services.settle(tenantId, op.serviceId, op.id, 'deleted', now);
    const service = await deps.store.services.get(tenantId, op.serviceId);
    if (service?.state === 'deleted') await deps.store.services.releaseName(tenantId, service.kind, service.name);
    return;
  }
  await deps.store.services.settle(tenantId, op.serviceId, op.id, 'applied', now);
}

async function record(
  deps: CoreDeps,
  input: WorkInput,
  host: Host | undefined,
  operationId: string,
  logs: Omit<ExecutionLog, 'attempt' | 'hostId' | 'hostName'>[],
) {
  const op = await deps.store.operations.get(input.tenantId, operationId);
  if (!op) return;
  const ok = logs.every((log) => log.exitCode === 0 && !log.error);
  const entries: ExecutionLog[] = logs.map((log) => ({
    ...log,
    attempt: op.attempt,
    hostId: input.hostId,
    hostName: host?.name ?? input.hostId,
  }));
  const now = deps.clock.now().toISOString();
  const updated = await deps.store.operations.recordHost(
    input.tenantId,
    op.id,
    op.attempt,
    { hostId: input.hostId, ok, logs: entries },
    now,
  );
  if (updated) await finish(deps, input.tenantId, updated, now);
}

const unitFailed = (result: ExecutedWork['results'][number] | undefined) => !result || result.exitCode !== 0 || Boolean(result.error);

/**
 * A failed unit that had taken in the host's backlog proves nothing about each operation: one change can break the
 * script (a daemon's config check) for all. Its operations are not failed; each goes back to `queued`, marked to run
 * without a backlog this attempt, and is sent again in a message of its own, so only the change at fault fails.
 */
async function rerunAlone(deps: WorkerDeps, input: ExecutedWork, ids: ReadonlySet<string>, now: string): Promise<string[]> {
  const again: { id: string; attempt: number }[] = [];
  for (const ref of input.operations) {
    if (!ids.has(ref.id) || again.some((a) => a.id === ref.id)) continue;
    const moved = await deps.store.operations.transition(input.tenantId, ref.id, ['running'], {
      state: 'queued',
      aloneAttempt: ref.attempt,
      updatedAt: now,
    });
    if (moved && moved.attempt === ref.attempt) again.push(ref);
  }
  if (again.length) {
    await deps.queue.send(
      again.map((ref) => ({
        groupId: hostGroupId(input.tenantId, input.hostId),
        deduplicationId: `${ref.id}-${ref.attempt}-${input.hostId}-alone`,
        body: { tenantId: input.tenantId, hostId: input.hostId, operations: [ref] },
      })),
    );
  }
  return again.map((a) => a.id);
}

/** Complete: store each operation's log for this host and settle operations and services. */
export async function complete(deps: WorkerDeps, raw: unknown): Promise<{ applied: string[]; failed: string[]; rerun: string[] }> {
  const input = ExecutedWork.parse(raw);
  const folded = new Set(input.folded ?? []);
  const split = new Set<string>();
  for (const [i, unit] of input.units.entries()) {
    if (unit.operationIds.length > 1 && unit.operationIds.some((id) => folded.has(id)) && unitFailed(input.results[i])) {
      for (const id of unit.operationIds) split.add(id);
    }
  }
  const rerun = split.size ? await rerunAlone(deps, input, split, deps.clock.now().toISOString()) : [];
  const host = await deps.store.hosts.get(input.tenantId, input.hostId);
  // An operation may be in several units (one per backend on this host): its host outcome is all of them.
  const logsOf = new Map<string, Omit<ExecutionLog, 'attempt' | 'hostId' | 'hostName'>[]>();
  for (const [i, unit] of input.units.entries()) {
    const result = input.results[i];
    if (!result) continue;
    for (const id of unit.operationIds) {
      const templates = unit.templates?.length ? { templates: unit.templates } : {};
      logsOf.set(id, [...(logsOf.get(id) ?? []), { backend: unit.backend, script: truncateLog(unit.script), ...result, ...templates }]);
    }
  }
  const applied: string[] = [];
  const failed: string[] = [];
  for (const [id, logs] of logsOf) {
    if (split.has(id)) continue;
    await record(deps, input, host, id, logs);
    (logs.every((l) => l.exitCode === 0 && !l.error) ? applied : failed).push(id);
  }
  return { applied, failed, rerun };
}

/** MarkFailed (the workflow's Catch): record the error on every operation of the message. */
export async function markFailed(deps: WorkerDeps, raw: unknown): Promise<{ failed: string[] }> {
  const input = FailedWork.parse(raw);
  const host = await deps.store.hosts.get(input.tenantId, input.hostId);
  const ops = await liveOperations(deps, input);
  const message = [input.error.Error, input.error.Cause].filter(Boolean).join(': ') || 'The provisioning workflow failed';
  const now = deps.clock.now().toISOString();
  for (const op of ops) {
    const unit = input.units?.find((u) => u.operationIds.includes(op.id));
    await record(deps, input, host, op.id, [
      {
        backend: unit?.backend ?? '',
        script: truncateLog(unit?.script ?? ''),
        ...(unit?.templates?.length ? { templates: unit.templates } : {}),
        stdout: '',
        stderr: '',
        exitCode: null,
        startedAt: now,
        durationMs: 0,
        error: message,
      },
    ]);
  }
  return { failed: ops.map((o) => o.id) };
}

/** Dispatch table for the steps handler, keyed by the `step` the state machine passes. */
export const STEPS = { prepare, execute, complete, markFailed } as const;
