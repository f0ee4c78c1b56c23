import { z } from 'zod';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import { stripUndefined } from '../accounts/use-cases';
import { serviceType } from '../services/registry';
import { HostInput, HostPatch, RouteInput, RoutePatch, type Host, type Route } from './model';
import { checkRouteMatch, describeRouteMatch, RouteMatch, routeMatches, routingDocument } from './route-match';
import { resolveRouting } from './routing';

/** Platform policy passed by the composition root: the local transport runs scripts on the API machine itself. */
export interface FleetPolicy {
  allowLocalTransport: boolean;
  /** Whether this runtime has an SSM client (AWS: always; the embedded runtime only when configured). */
  allowSsmTransport?: boolean;
}

function checkTransport(policy: FleetPolicy, host: Pick<Host, 'transport' | 'instanceId'>) {
  if (host.transport === 'local' && !policy.allowLocalTransport) {
    throw new ValidationError('The local transport is only available in the embedded runtime', [
      { path: ['transport'], message: 'Use ssh' },
    ]);
  }
  if (host.transport === 'ssm') {
    if (!policy.allowSsmTransport) {
      throw new ValidationError(
        'This runtime has no SSM client: SSM hosts work on AWS, or locally when started with an SSM region (CONSORT_SSM_REGION)',
        [{ path: ['transport'], message: 'SSM is not configured here; use ssh' }],
      );
    }
    if (!host.instanceId) {
      throw new ValidationError('An SSM host needs the managed instance id', [{ path: ['instanceId'], message: 'Required for ssm' }]);
    }
  }
}

export async function listHosts(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'hosts:read');
  const hosts = await deps.store.hosts.list(actor.tenantId);
  return { items: hosts.sort((a, b) => a.name.localeCompare(b.name)) };
}

export async function getHostOrThrow(deps: CoreDeps, actor: Actor, hostId: string): Promise<Host> {
  authorize(actor, 'hosts:read');
  const host = await deps.store.hosts.get(actor.tenantId, hostId);
  if (!host) throw new NotFoundError('Host', hostId);
  return host;
}

export async function createHost(deps: CoreDeps & FleetPolicy, actor: Actor, input: unknown): Promise<Host> {
  authorize(actor, 'hosts:write');
  const data = parseInput(HostInput, input);
  checkTransport(deps, data);
  const now = deps.clock.now().toISOString();
  const host: Host = { ...data, id: newId('host', deps.clock), tenantId: actor.tenantId, createdAt: now, updatedAt: now };
  await deps.store.hosts.put(host);
  return host;
}

export async function updateHost(deps: CoreDeps & FleetPolicy, actor: Actor, hostId: string, input: unknown): Promise<Host> {
  authorize(actor, 'hosts:write');
  const host = await getHostOrThrow(deps, actor, hostId);
  const patch = parseInput(HostPatch, input);
  const next: Host = { ...host, ...stripUndefined(patch), updatedAt: deps.clock.now().toISOString() };
  if (patch.transport || patch.instanceId) checkTransport(deps, next);
  // Moving a host to another address invalidates the pinned key unless a new one is given.
  if ((patch.address && patch.address !== host.address) || (patch.port && patch.port !== host.port)) {
    if (!patch.hostKeyFingerprint) delete next.hostKeyFingerprint;
  }
  await deps.store.hosts.put(next);
  return next;
}

export async function deleteHost(deps: CoreDeps, actor: Actor, hostId: string): Promise<void> {
  authorize(actor, 'hosts:write');
  await getHostOrThrow(deps, actor, hostId);
  await deps.store.hosts.delete(actor.tenantId, hostId);
}

export async function listRoutes(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'hosts:read');
  return { items: await deps.store.routes.list(actor.tenantId) };
}

/** Check a route's kind, backend, host and rule; the rule's paths against the kind's spec. */
async function checkRoute(deps: CoreDeps, tenantId: string, data: Pick<Route, 'kind' | 'backend' | 'hostId' | 'match'>) {
  const type = serviceType(data.kind);
  if (!type) throw new ValidationError(`Unknown service kind ${data.kind}`, [{ path: ['kind'], message: 'Unknown service kind' }]);
  if (!type.backends.some((b) => b.name === data.backend)) {
    throw new ValidationError(`The ${data.kind} service has no backend ${data.backend}`, [
      { path: ['backend'], message: `Use one of: ${type.backends.map((b) => b.name).join(', ') || '(none)'}` },
    ]);
  }
  if (!(await deps.store.hosts.get(tenantId, data.hostId))) {
    throw new ValidationError('Choose one of your hosts', [{ path: ['hostId'], message: 'Unknown host' }]);
  }
  if (data.match) {
    const issues = checkRouteMatch(data.match, type.spec, data.kind, ['match']);
    if (issues.length) throw new ValidationError('The route rule does not fit this service kind', issues);
  }
}

function checkUnique(existing: Route[], route: Pick<Route, 'id' | 'kind' | 'backend' | 'hostId'>) {
  if (existing.some((r) => r.id !== route.id && r.kind === route.kind && r.backend === route.backend && r.hostId === route.hostId)) {
    throw new ValidationError('A route for this kind, backend and host exists already; change its rule instead', [
      { path: ['hostId'], message: 'Route exists' },
    ]);
  }
}

export async function getRouteOrThrow(deps: CoreDeps, actor: Actor, routeId: string): Promise<Route> {
  authorize(actor, 'hosts:read');
  const route = await deps.store.routes.get(actor.tenantId, routeId);
  if (!route) throw new NotFoundError('Route', routeId);
  return route;
}

export async function createRoute(deps: CoreDeps, actor: Actor, input: unknown): Promise<Route> {
  authorize(actor, 'hosts:write');
  const data = parseInput(RouteInput, input);
  await checkRoute(deps, actor.tenantId, data);
  const now = deps.clock.now().toISOString();
  const route: Route = { ...data, id: newId('route', deps.clock), tenantId: actor.tenantId, createdAt: now, updatedAt: now };
  checkUnique(await deps.store.routes.list(actor.tenantId), route);
  await deps.store.routes.put(route);
  return route;
}

/** Change a route's backend, host, rule, priority or state. Operations already dispatched keep their hosts. */
export async function updateRoute(deps: CoreDeps, actor: Actor, routeId: string, input: unknown): Promise<Route> {
  authorize(actor, 'hosts:write');
  const route = await getRouteOrThrow(deps, actor, routeId);
  const patch = parseInput(RoutePatch, input);
  const { match, ...rest } = patch;
  const next: Route = { ...route, ...stripUndefined(rest), updatedAt: deps.clock.now().toISOString() };
  if (match === null) delete next.match;
  else if (match !== undefined) next.match = match;
  await checkRoute(deps, actor.tenantId, next);
  checkUnique(await deps.store.routes.list(actor.tenantId), next);
  await deps.store.routes.put(next);
  return next;
}

const RoutePreviewInput = z.object({
  kind: z.string().min(1).max(40),
  match: RouteMatch.optional(),
  /** How many services to scan at most (newest tenants have few; the preview says when it stopped early). */
  limit: z.number().int().min(1).max(5000).default(1000),
});

/**
 * "Which services would this rule take?": evaluates a draft rule against the tenant's live services of the kind,
 * and shows where each matched service goes under the current routes. Nothing is written.
 */
export async function previewRoute(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'hosts:read');
  const data = parseInput(RoutePreviewInput, input);
  const type = serviceType(data.kind);
  if (!type) throw new ValidationError(`Unknown service kind ${data.kind}`, [{ path: ['kind'], message: 'Unknown service kind' }]);
  if (data.match) {
    const issues = checkRouteMatch(data.match, type.spec, data.kind, ['match']);
    if (issues.length) throw new ValidationError('The route rule does not fit this service kind', issues);
  }
  const routes = await deps.store.routes.list(actor.tenantId);
  const accounts = new Map<string, Awaited<ReturnType<typeof deps.store.accounts.get>>>();
  const matched: { id: string; name: string; accountId: string; currentHosts: string[] }[] = [];
  let scanned = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.services.list(actor.tenantId, { kind: data.kind, limit: 200, cursor });
    for (const service of page.items) {
      if (service.kind !== data.kind || service.state === 'deleted' || service.state === 'deleting') continue;
      if (scanned >= data.limit) break;
      scanned += 1;
      if (!accounts.has(service.accountId))
        accounts.set(service.accountId, await deps.store.accounts.get(actor.tenantId, service.accountId));
      const doc = routingDocument(service, accounts.get(service.accountId));
      if (!routeMatches(data.match, doc)) continue;
      const routing = resolveRouting(routes, data.kind, doc);
      matched.push({ id: service.id, name: service.name, accountId: service.accountId, currentHosts: routing.units.map((u) => u.hostId) });
    }
    cursor = scanned >= data.limit ? undefined : page.nextCursor;
  } while (cursor);
  return {
    rule: describeRouteMatch(data.match),
    scanned,
    complete: scanned < data.limit,
    matchedCount: matched.length,
    items: matched.slice(0, 200),
  };
}

export async function deleteRoute(deps: CoreDeps, actor: Actor, routeId: string): Promise<void> {
  authorize(actor, 'hosts:write');
  if (actor.type === 'customer') throw new ForbiddenError();
  if (!(await deps.store.routes.get(actor.tenantId, routeId))) throw new NotFoundError('Route', routeId);
  await deps.store.routes.delete(actor.tenantId, routeId);
}
