import { HostInput, HostPatch, RouteInput } from '@consort/shared/fleet/model';
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
    summary: 'Route a service kind through a backend to a host',
    body: RouteInput,
    handle: ({ deps, actor, body }) => Fleet.createRoute(deps, actor, body),
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
