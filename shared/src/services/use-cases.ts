import { z } from 'zod';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { LOCALES, PageQuery } from '../core/schemas';
import { parseInput } from '../core/validate';
import { getAccountOrThrow } from '../accounts/use-cases';
import { planServiceOrders } from '../orders/use-cases';
import { tenantOrThrow } from '../tenancy/use-cases';
import type { Operation, OperationAction } from '../provisioning/model';
import type { Account } from '../accounts/model';
import { ServiceCreate, ServicePatch, type Service } from './model';
import { liveServices, satisfies } from './account-services';
import { assertNoDependents } from './dependents';
import { describeForm, permissionsFor, specJsonSchema } from './forms';
import { serviceType, serviceTypes, type AnyServiceType } from './registry';

/** The kinds this deployment offers, with their backends and config defaults (for portals and routes). */
export function listServiceKinds() {
  return {
    items: serviceTypes.map((t) => ({
      kind: t.kind,
      label: t.label,
      backends: t.backends.map((b) => ({ name: b.name, label: b.label, config: b.config })),
    })),
  };
}

/** `GET /v1/service-types` query: the language of the forms' texts (English when left out). */
export const ServiceTypesQuery = z.object({
  locale: z.enum(LOCALES, { error: `Use one of the languages ${LOCALES.join(', ')}` }).optional(),
});

/**
 * Every kind with its input JSON Schema, UI hints, the generated form and what the caller may do with it
 * (customers: the type's declared permissions; staff: everything their role allows). The portals render forms
 * from this and nothing else; `locale` translates the kind's label and the form's texts.
 */
export function listServiceTypes(actor: Actor, query: unknown = {}) {
  authorize(actor, 'services:read');
  const { locale } = parseInput(ServiceTypesQuery, query);
  return {
    items: serviceTypes.map((type) => {
      const permissions = permissionsFor(actor, type);
      const form = describeForm(type, permissions, locale);
      return {
        kind: type.kind,
        label: form.label,
        schema: specJsonSchema(type),
        ui: type.ui ?? {},
        permissions,
        /** What customers may do (staff set limits on the kinds customers may create). */
        customer: permissionsFor({ type: 'customer', tenantId: actor.tenantId, userId: '', accountId: '' }, type),
        form,
      };
    }),
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * A customer acts within the type's permissions (staff are not limited): a kind or action they may not use, or a
 * field outside `customer.fields` that the submission sets (create) or alters (change), is a 403 naming it.
 */
function checkCustomerPermissions(
  actor: Actor,
  type: AnyServiceType,
  action: 'create' | 'change' | 'delete',
  spec?: Record<string, unknown>,
  current?: Record<string, unknown>,
) {
  if (actor.type !== 'customer') return;
  const permissions = permissionsFor(actor, type);
  if (!permissions[action]) {
    throw new ForbiddenError(`Customers cannot ${action} ${type.label.toLowerCase()} services; ask the support team`);
  }
  if (!spec) return;
  const keys = new Set([...Object.keys(spec), ...Object.keys(current ?? {})]);
  const outside = [...keys].filter(
    (k) => !permissions.fields.includes(k) && (current ? !same(spec[k], current[k]) : spec[k] !== undefined),
  );
  if (outside.length) {
    throw new ForbiddenError(`Customers cannot set ${outside.join(', ')} of a ${type.label.toLowerCase()}; ask the support team`);
  }
}

/**
 * Fields capped by an account limit (a mailbox quota), checked on the parsed spec after the schema's own checks:
 * a value above the cap is a 422 at the field. Only a changed value is checked, so a value staff set above the cap
 * survives a customer's other changes.
 */
function checkCustomerCaps(
  actor: Actor,
  type: AnyServiceType,
  account: Pick<Account, 'limits'>,
  spec: Record<string, unknown>,
  current?: Record<string, unknown>,
) {
  if (actor.type !== 'customer') return;
  const issues = Object.entries(type.customer?.caps ?? {}).flatMap(([field, cap]) => {
    const value = spec[field];
    const max = account.limits?.[cap.limit] ?? cap.default;
    const changed = !current || !same(value, current[field]);
    return changed && typeof value === 'number' && value > max
      ? [{ path: ['spec', field], message: `At most ${max} for this account` }]
      : [];
  });
  if (issues.length) throw new ValidationError('A value is above what this account may use', issues);
}

function typeOrThrow(kind: string): AnyServiceType {
  const type = serviceType(kind);
  if (!type) {
    throw new ValidationError(`Unknown service kind ${kind}`, [
      { path: ['kind'], message: `Use one of: ${serviceTypes.map((t) => t.kind).join(', ')}` },
    ]);
  }
  return type;
}

/** Services of other tenants and (for customers) other accounts are "not found". */
export async function getServiceOrThrow(deps: CoreDeps, actor: Actor, serviceId: string): Promise<Service> {
  authorize(actor, 'services:read');
  const service = await deps.store.services.get(actor.tenantId, serviceId);
  if (!service || (actor.type === 'customer' && service.accountId !== actor.accountId)) throw new NotFoundError('Service', serviceId);
  return service;
}

const ServiceQuery = PageQuery.extend({ kind: z.string().max(40).optional(), accountId: z.string().max(40).optional() });

export async function listServices(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'services:read');
  const q = parseInput(ServiceQuery, query);
  if (actor.type === 'customer') {
    if (q.accountId && q.accountId !== actor.accountId) return { items: [] };
    q.accountId = actor.accountId;
  }
  return deps.store.services.list(actor.tenantId, q);
}

/**
 * Kinds without backends (miscellaneous: billed only) run on no host. Their operation is written already applied,
 * and the service already applied (or deleted), in the same write: nothing is queued, routed or dispatched.
 */
function runsNowhere(type: AnyServiceType): boolean {
  return type.backends.length === 0;
}

function newOperation(deps: CoreDeps, actor: Actor, service: Service, action: OperationAction): Operation {
  const now = deps.clock.now().toISOString();
  return {
    id: newId('operation', deps.clock),
    tenantId: service.tenantId,
    serviceId: service.id,
    accountId: service.accountId,
    kind: service.kind,
    serviceName: service.name,
    action,
    // A kind that runs nowhere has its service applied (or deleted) already: so is its operation.
    state: service.state === 'applied' || service.state === 'deleted' ? 'applied' : 'pending',
    attempt: 1,
    serviceVersion: service.version,
    createdBy: describeActor(actor),
    createdAt: now,
    updatedAt: now,
    targets: [],
    hostStates: {},
    logs: [],
  };
}

/**
 * The services a spec refers to (a website's domains and system user) must exist in the same account and not be
 * on their way out: an account cannot point a site at another customer's domain or home.
 */
async function checkReferences(deps: CoreDeps, tenantId: string, accountId: string, type: AnyServiceType, spec: unknown) {
  const refs = type.references?.(spec) ?? [];
  const owned = new Map<string, Service[]>();
  for (const kind of new Set(refs.map((r) => r.kind))) owned.set(kind, await liveServices(deps, tenantId, accountId, kind));
  const missing = refs.filter((r) => !(owned.get(r.kind) ?? []).some((s) => satisfies(r, s)));
  if (missing.length) {
    throw new ValidationError(
      'This service refers to services the account does not have',
      missing.map((r) => ({ path: ['spec', ...r.path], message: r.message })),
    );
  }
}

/** Create a service: validate its spec, fill tenant defaults, and queue its provisioning in the same write. */
export async function createService(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'services:write');
  const data = parseInput(ServiceCreate, input);
  const type = typeOrThrow(data.kind);
  const account = await getAccountOrThrow(deps, actor, data.accountId);
  const tenant = await tenantOrThrow(deps, actor);
  // What the customer submitted (before defaults): fields they may not set are refused, not silently dropped.
  if (actor.type === 'customer') {
    const submitted = typeof data.spec === 'object' && data.spec !== null ? (data.spec as Record<string, unknown>) : undefined;
    checkCustomerPermissions(actor, type, 'create', submitted);
  }
  let spec = parseInput(type.spec, data.spec, ['spec']);
  if (type.withDefaults) spec = type.withDefaults(spec, tenant);
  checkCustomerCaps(actor, type, account, spec);
  await checkReferences(deps, actor.tenantId, data.accountId, type, spec);
  // Count limit (customers only): the count is read after the creation sequence, and the create succeeds only if
  // the sequence has not moved, so two concurrent creates cannot both pass the last free slot.
  const limit = actor.type === 'customer' ? account.limits?.services?.[type.kind] : undefined;
  let expectSeq: number | undefined;
  if (limit !== undefined) {
    expectSeq = await deps.store.services.creationSeq(actor.tenantId, data.accountId);
    if ((await liveServices(deps, actor.tenantId, data.accountId, type.kind)).length >= limit) {
      throw new ConflictError(
        `This account may have at most ${limit} ${type.label.toLowerCase()} service${limit === 1 ? '' : 's'}; ask the support team to raise the limit`,
        [{ path: ['kind'], message: `Limit ${limit} reached` }],
      );
    }
  }
  const now = deps.clock.now();
  const service: Service = {
    id: newId('service', deps.clock),
    tenantId: actor.tenantId,
    accountId: data.accountId,
    kind: type.kind,
    name: type.identity(spec),
    spec,
    backendState: type.nextState ? type.nextState({}, now) : {},
    state: runsNowhere(type) ? 'applied' : 'pending',
    version: 1,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  const operation = newOperation(deps, actor, service, 'save');
  service.lastOperationId = operation.id;
  await deps.store.services.create(service, operation, await planServiceOrders(deps, tenant, service), { expectSeq });
  return { service, operation };
}

/** Change a service's spec (e.g. DNS records); its identity (the name) cannot change. */
export async function updateService(deps: CoreDeps, actor: Actor, serviceId: string, input: unknown) {
  authorize(actor, 'services:write');
  const current = await getServiceOrThrow(deps, actor, serviceId);
  if (current.state === 'deleting' || current.state === 'deleted') throw new ConflictError('This service is being deleted');
  const type = typeOrThrow(current.kind);
  const data = parseInput(ServicePatch, input);
  checkCustomerPermissions(actor, type, 'change');
  const spec = parseInput(type.spec, data.spec, ['spec']);
  if (actor.type === 'customer') {
    const account = await getAccountOrThrow(deps, actor, current.accountId);
    checkCustomerPermissions(actor, type, 'change', spec as Record<string, unknown>, current.spec);
    checkCustomerCaps(actor, type, account, spec as Record<string, unknown>, current.spec);
  }
  if (type.identity(spec) !== current.name) {
    throw new ValidationError('The name of a service cannot change; create a new one instead', [
      { path: ['spec', 'name'], message: 'Cannot change' },
    ]);
  }
  await checkReferences(deps, actor.tenantId, current.accountId, type, spec);
  const now = deps.clock.now();
  const service: Service = {
    ...current,
    spec,
    backendState: type.nextState ? type.nextState(current.backendState, now) : current.backendState,
    state: runsNowhere(type) ? 'applied' : 'pending',
    version: current.version + 1,
    updatedAt: now.toISOString(),
  };
  const operation = newOperation(deps, actor, service, 'save');
  service.lastOperationId = operation.id;
  await deps.store.services.change(
    service,
    current.version,
    operation,
    await planServiceOrders(deps, await tenantOrThrow(deps, actor), service),
  );
  return { service, operation };
}

/** Remove a service from its hosts; it stays listed as "deleted" once the hosts confirm. */
export async function deleteService(deps: CoreDeps, actor: Actor, serviceId: string) {
  authorize(actor, 'services:write');
  const current = await getServiceOrThrow(deps, actor, serviceId);
  if (current.state === 'deleting' || current.state === 'deleted') throw new ConflictError('This service is already being deleted');
  checkCustomerPermissions(actor, typeOrThrow(current.kind), 'delete');
  // A domain under a mailbox, a mailbox under a vacation reply…: 409 naming them (dependents.ts).
  await assertNoDependents(deps, current);
  const now = deps.clock.now().toISOString();
  const gone = runsNowhere(typeOrThrow(current.kind));
  const service: Service = { ...current, state: gone ? 'deleted' : 'deleting', version: current.version + 1, updatedAt: now };
  const operation = newOperation(deps, actor, service, 'delete');
  service.lastOperationId = operation.id;
  // Orders end the day the service is deleted (thesis: a cancelled service stops billing from that day).
  await deps.store.services.change(
    service,
    current.version,
    operation,
    await planServiceOrders(deps, await tenantOrThrow(deps, actor), service),
  );
  if (gone) await deps.store.services.releaseName(actor.tenantId, service.kind, service.name);
  return { service, operation };
}
