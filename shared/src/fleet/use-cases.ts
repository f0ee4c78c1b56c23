import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import { stripUndefined } from '../accounts/use-cases';
import { serviceTypes } from '../services/registry';
import { HostInput, HostPatch, RouteInput, type Host, type Route } from './model';

/** Platform policy passed by the composition root: the local transport runs scripts on the API machine itself. */
export interface FleetPolicy {
  allowLocalTransport: boolean;
}

function checkTransport(policy: FleetPolicy, transport: Host['transport'] | undefined) {
  if (transport === 'local' && !policy.allowLocalTransport) {
    throw new ValidationError('The local transport is only available in the embedded runtime', [
      { path: ['transport'], message: 'Use ssh' },
    ]);
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
  checkTransport(deps, data.transport);
  const now = deps.clock.now().toISOString();
  const host: Host = { ...data, id: newId('host', deps.clock), tenantId: actor.tenantId, createdAt: now, updatedAt: now };
  await deps.store.hosts.put(host);
  return host;
}

export async function updateHost(deps: CoreDeps & FleetPolicy, actor: Actor, hostId: string, input: unknown): Promise<Host> {
  authorize(actor, 'hosts:write');
  const host = await getHostOrThrow(deps, actor, hostId);
  const patch = parseInput(HostPatch, input);
  checkTransport(deps, patch.transport);
  const next: Host = { ...host, ...stripUndefined(patch), updatedAt: deps.clock.now().toISOString() };
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

export async function createRoute(deps: CoreDeps, actor: Actor, input: unknown): Promise<Route> {
  authorize(actor, 'hosts:write');
  const data = parseInput(RouteInput, input);
  const type = serviceTypes.find((t) => t.kind === data.kind);
  if (!type) throw new ValidationError(`Unknown service kind ${data.kind}`, [{ path: ['kind'], message: 'Unknown service kind' }]);
  if (!type.backends.some((b) => b.name === data.backend)) {
    throw new ValidationError(`The ${data.kind} service has no backend ${data.backend}`, [
      { path: ['backend'], message: 'Unknown backend' },
    ]);
  }
  if (!(await deps.store.hosts.get(actor.tenantId, data.hostId))) {
    throw new ValidationError('Choose one of your hosts', [{ path: ['hostId'], message: 'Unknown host' }]);
  }
  const existing = await deps.store.routes.list(actor.tenantId);
  if (existing.some((r) => r.kind === data.kind && r.backend === data.backend && r.hostId === data.hostId)) {
    throw new ValidationError('This route exists already', [{ path: ['hostId'], message: 'Route exists' }]);
  }
  const route: Route = { ...data, id: newId('route', deps.clock), tenantId: actor.tenantId, createdAt: deps.clock.now().toISOString() };
  await deps.store.routes.put(route);
  return route;
}

export async function deleteRoute(deps: CoreDeps, actor: Actor, routeId: string): Promise<void> {
  authorize(actor, 'hosts:write');
  if (actor.type === 'customer') throw new ForbiddenError();
  if (!(await deps.store.routes.get(actor.tenantId, routeId))) throw new NotFoundError('Route', routeId);
  await deps.store.routes.delete(actor.tenantId, routeId);
}
