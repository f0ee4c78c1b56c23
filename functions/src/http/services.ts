import { z } from 'zod';
import { PageQuery } from '@consort/shared/core/schemas';
import { OperationState } from '@consort/shared/provisioning/model';
import * as Provisioning from '@consort/shared/provisioning/use-cases';
import { SERVICE_KINDS, serviceTypes } from '@consort/shared/services/registry';
import * as Services from '@consort/shared/services/use-cases';
import type { AppDeps } from '../lib/deps';
import { route } from './route';

/** Dispatch right away; if that fails the outbox sweeper picks the operation up within a minute. */
async function dispatchSoon(deps: AppDeps, result: { operation: { tenantId: string; id: string } }) {
  try {
    const dispatched = await Provisioning.dispatchOperation(deps, result.operation.tenantId, result.operation.id);
    return { ...result, operation: dispatched ?? result.operation };
  } catch (error) {
    deps.log.warn('Inline dispatch failed; the sweeper will retry', { operationId: result.operation.id, error: String(error) });
    return result;
  }
}

// Union of every registered kind's spec, for the OpenAPI document.
const AnySpec = z.union(serviceTypes.map((t) => t.spec) as unknown as [z.ZodType, z.ZodType, ...z.ZodType[]]);
const ServiceBody = z.object({
  accountId: z.string(),
  kind: z.enum(SERVICE_KINDS),
  spec: serviceTypes.length > 1 ? AnySpec : serviceTypes[0].spec,
});

// Hosting services, generic over the kind, and the provisioning operations they produce.
export const serviceRoutes = [
  route({
    method: 'GET',
    path: '/v1/service-kinds',
    tag: 'Services',
    status: 200,
    summary: 'Service kinds and their backends',
    handle: async () => Services.listServiceKinds(),
  }),
  route({
    method: 'GET',
    path: '/v1/service-types',
    tag: 'Services',
    status: 200,
    summary: "Each kind's input JSON Schema, UI hints, generated form (texts in `locale`) and what the caller may do with it",
    query: Services.ServiceTypesQuery,
    handle: async ({ actor, query }) => Services.listServiceTypes(actor, query),
  }),
  route({
    method: 'GET',
    path: '/v1/services',
    tag: 'Services',
    status: 200,
    summary: 'List services (by kind and/or account)',
    query: PageQuery.extend({ kind: z.string().optional(), accountId: z.string().optional() }),
    handle: ({ deps, actor, query }) => Services.listServices(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/services',
    tag: 'Services',
    status: 201,
    summary: 'Create a service; provisioning is queued',
    body: ServiceBody,
    handle: async ({ deps, actor, body }) => dispatchSoon(deps, await Services.createService(deps, actor, body)),
  }),
  route({
    method: 'GET',
    path: '/v1/services/{serviceId}',
    tag: 'Services',
    status: 200,
    summary: 'Get a service',
    handle: ({ deps, actor, params }) => Services.getServiceOrThrow(deps, actor, params.serviceId!),
  }),
  route({
    method: 'PATCH',
    path: '/v1/services/{serviceId}',
    tag: 'Services',
    status: 200,
    summary: "Change a service's spec",
    body: z.object({ spec: ServiceBody.shape.spec }),
    handle: async ({ deps, actor, params, body }) => dispatchSoon(deps, await Services.updateService(deps, actor, params.serviceId!, body)),
  }),
  route({
    method: 'DELETE',
    path: '/v1/services/{serviceId}',
    tag: 'Services',
    status: 202,
    summary: 'Remove a service from its hosts',
    handle: async ({ deps, actor, params }) => dispatchSoon(deps, await Services.deleteService(deps, actor, params.serviceId!)),
  }),
  route({
    method: 'GET',
    path: '/v1/operations',
    tag: 'Operations',
    status: 200,
    summary: 'Operation log (filter by state or service)',
    query: PageQuery.extend({ state: OperationState.optional(), serviceId: z.string().optional() }),
    handle: ({ deps, actor, query }) => Provisioning.listOperations(deps, actor, query),
  }),
  route({
    method: 'GET',
    path: '/v1/operations/{operationId}',
    tag: 'Operations',
    status: 200,
    summary: 'An operation with its scripts and output',
    handle: ({ deps, actor, params }) => Provisioning.getOperationOrThrow(deps, actor, params.operationId!),
  }),
  route({
    method: 'POST',
    path: '/v1/operations/{operationId}/retry',
    tag: 'Operations',
    status: 202,
    summary: 'Retry a failed operation',
    handle: async ({ deps, actor, params }) => {
      const operation = await Provisioning.retryOperation(deps, actor, params.operationId!);
      return { operation: (await Provisioning.dispatchOperation(deps, actor.tenantId, operation.id).catch(() => undefined)) ?? operation };
    },
  }),
];
