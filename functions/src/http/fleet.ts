import { z } from 'zod';
import { HostInput, HostPatch, RouteInput, RoutePatch } from '@consort/shared/fleet/model';
import { RouteMatch } from '@consort/shared/fleet/route-match';
import * as Fleet from '@consort/shared/fleet/use-cases';
import { route } from './route';

// Hosts the tenant provisions, and routes (service kind → backend → host).
export const fleetRoutes = [
  route({
    method: 'GET',
    path: '/v1/hosts',
    tag: 'Hosts',
    status: 200,
    summary: 'List hosts',
    handle: ({ deps, actor }) => Fleet.listHosts(deps, actor),
  }),
  route({
    method: 'POST',
    path: '/v1/hosts',
    tag: 'Hosts',
    status: 201,
    summary: 'Add a host',
    body: HostInput,
    handle: ({ deps, actor, body }) => Fleet.createHost(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/hosts/{hostId}',
    tag: 'Hosts',
    status: 200,
    summary: 'Get a host',
    handle: ({ deps, actor, params }) => Fleet.getHostOrThrow(deps, actor, params.hostId!),
  }),
  route({
    method: 'PATCH',
    path: '/v1/hosts/{hostId}',
    tag: 'Hosts',
    status: 200,
    summary: 'Change a host',
    body: HostPatch,
    handle: ({ deps, actor, params, body }) => Fleet.updateHost(deps, actor, params.hostId!, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/hosts/{hostId}',
    tag: 'Hosts',
    status: 204,
    summary: 'Remove a host without routes',
    handle: ({ deps, actor, params }) => Fleet.deleteHost(deps, actor, params.hostId!),
  }),
  route({
    method: 'GET',
    path: '/v1/routes',
    tag: 'Hosts',
    status: 200,
    summary: 'List routes',
    handle: ({ deps, actor }) => Fleet.listRoutes(deps, actor),
  }),
  route({
    method: 'POST',
    path: '/v1/routes',
    tag: 'Hosts',
    status: 201,
    summary: 'Route a service kind (the services its rule matches) through a backend to a host',
    body: RouteInput,
    handle: ({ deps, actor, body }) => Fleet.createRoute(deps, actor, body),
  }),
  route({
    method: 'POST',
    path: '/v1/routes/preview',
    tag: 'Hosts',
    status: 200,
    summary: 'Which live services a draft rule would take, and where they go now (nothing is written)',
    body: z.object({ kind: z.string(), match: RouteMatch.optional(), limit: z.number().int().optional() }),
    handle: ({ deps, actor, body }) => Fleet.previewRoute(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/routes/{routeId}',
    tag: 'Hosts',
    status: 200,
    summary: 'Get a route',
    handle: ({ deps, actor, params }) => Fleet.getRouteOrThrow(deps, actor, params.routeId!),
  }),
  route({
    method: 'PATCH',
    path: '/v1/routes/{routeId}',
    tag: 'Hosts',
    status: 200,
    summary: "Change a route's rule, priority, backend, host or state (dispatched operations keep their hosts)",
    body: RoutePatch,
    handle: ({ deps, actor, params, body }) => Fleet.updateRoute(deps, actor, params.routeId!, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/routes/{routeId}',
    tag: 'Hosts',
    status: 204,
    summary: 'Delete a route',
    handle: ({ deps, actor, params }) => Fleet.deleteRoute(deps, actor, params.routeId!),
  }),
];
