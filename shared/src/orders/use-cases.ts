import { z } from 'zod';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { PageQuery } from '../core/schemas';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import type { BillableService } from '../catalog/model';
import type { Service } from '../services/model';
import type { Tenant } from '../tenancy/model';
import { tenantOrThrow } from '../tenancy/use-cases';
import { cancelOrder, OrderPatch, orderToJSON, revokeCancellation, type Order } from './model';
import { syncOrders } from './sync';

/** The orders a service's new state creates or changes (written in the same transaction as the service). */
export async function planServiceOrders(
  deps: CoreDeps,
  tenant: Pick<Tenant, 'id' | 'timeZone'>,
  service: Service,
  definitions?: readonly BillableService[],
): Promise<Order[]> {
  const defs = (definitions ?? (await deps.store.billableServices.list(tenant.id))).filter((d) => d.serviceKind === service.kind);
  const existingOrders = await deps.store.orders.listByService(tenant.id, service.id);
  if (defs.length === 0 && existingOrders.length === 0) return [];
  const { create, update } = syncOrders({
    definitions: defs,
    service: {
      tenantId: service.tenantId,
      id: service.id,
      accountId: service.accountId,
      kind: service.kind,
      name: service.name,
      spec: service.spec,
      state: service.state,
      // Kinds that can be disabled carry the flag in their spec (systemuser, website, databases, mail, lists…).
      isDisabled: (service.spec as { disabled?: unknown } | undefined)?.disabled === true,
    },
    existingOrders,
    today: todayIn(deps.clock, tenant.timeZone),
    ids: () => newId('order', deps.clock),
  });
  return [...create, ...update];
}

/**
 * Re-run order sync for every service of a kind (after a billable service was created or its predicate changed).
 * Returns how many orders were written.
 */
export async function resyncKind(deps: CoreDeps, tenant: Pick<Tenant, 'id' | 'timeZone'>, kind: string): Promise<number> {
  const definitions = await deps.store.billableServices.list(tenant.id);
  let written = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.store.services.list(tenant.id, { kind, limit: 100, cursor });
    const changes: Order[] = [];
    for (const service of page.items) {
      if (service.state === 'deleted') continue;
      changes.push(...(await planServiceOrders(deps, tenant, service, definitions)));
    }
    await deps.store.orders.putMany(changes);
    written += changes.length;
    cursor = page.nextCursor;
  } while (cursor);
  return written;
}

const OrderQuery = PageQuery.extend({
  accountId: z.string().max(60).optional(),
  serviceId: z.string().max(60).optional(),
});

/** Orders of an account (by registration day), of a service, or all of the tenant's (newest first). */
export async function listOrders(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'orders:read');
  const q = parseInput(OrderQuery, query);
  if (actor.type === 'customer') q.accountId = actor.accountId;
  let items: Order[];
  let nextCursor: string | undefined;
  if (q.serviceId) {
    items = await deps.store.orders.listByService(actor.tenantId, q.serviceId);
    if (q.accountId) items = items.filter((o) => o.accountId === q.accountId);
  } else if (q.accountId) {
    ({ items, nextCursor } = await deps.store.orders.listByAccount(actor.tenantId, q.accountId, q));
  } else {
    ({ items, nextCursor } = await deps.store.orders.list(actor.tenantId, q));
  }
  return { items: items.map(orderToJSON), nextCursor };
}

async function getOrderOrThrow(deps: CoreDeps, actor: Actor, orderId: string): Promise<Order> {
  authorize(actor, 'orders:read');
  const order = await deps.store.orders.get(actor.tenantId, orderId);
  if (!order || (actor.type === 'customer' && order.accountId !== actor.accountId)) throw new NotFoundError('Order', orderId);
  return order;
}

export async function getOrder(deps: CoreDeps, actor: Actor, orderId: string) {
  return orderToJSON(await getOrderOrThrow(deps, actor, orderId));
}

/** Staff changes to an order: ignore it, reword it, schedule or withdraw its cancellation. */
export async function updateOrder(deps: CoreDeps, actor: Actor, orderId: string, input: unknown) {
  authorize(actor, 'orders:write');
  const patch = parseInput(OrderPatch, input);
  let order = await getOrderOrThrow(deps, actor, orderId);
  const tenant = await tenantOrThrow(deps, actor);
  if (patch.ignored !== undefined) order = { ...order, ignored: patch.ignored };
  if (patch.description !== undefined) order = { ...order, description: patch.description };
  if (patch.cancelledOn === null) order = revokeCancellation(order, todayIn(deps.clock, tenant.timeZone));
  else if (patch.cancelledOn !== undefined) {
    if (patch.cancelledOn <= order.registeredOn) {
      throw new ValidationError('An order cannot end before it starts', [
        { path: ['cancelledOn'], message: `Use a day after ${order.registeredOn}` },
      ]);
    }
    order = cancelOrder(order, patch.cancelledOn, 'manual');
  }
  await deps.store.orders.putMany([order]);
  return orderToJSON(order);
}
