import type Decimal from 'decimal.js';
import type { LocalDate } from '../core/dates';
import type { BillableService } from '../catalog/model';
import { matches } from '../catalog/predicate';
import type { ServiceState } from '../services/model';
import { serviceTypes, type AnyServiceType } from '../services/registry';
import { cancelOrder, recordMetric, revokeCancellation, type CancelReason, type Order } from './model';

// How service events become orders (orchestra's `orders/signals.py`, as a pure reducer). The caller loads the
// tenant's definitions for the service's kind and the service's existing orders, calls `syncOrders`, and writes the
// result; replaying the same event on the same day changes nothing, so at-least-once delivery is harmless.

/** What order syncing needs to know about a service, after a create, change, disable/enable or delete. */
export interface ServiceSnapshot {
  tenantId: string;
  id: string;
  accountId: string;
  kind: string;
  /** The service's unique name (domain name, mailbox address): becomes the order description. */
  name: string;
  spec: unknown;
  /** `deleting` and `deleted` services cancel their orders. */
  state: ServiceState;
  /** A disabled service keeps its orders; the days it is disabled are recorded as deactivations. */
  isDisabled?: boolean;
  /** Measured metrics (resources: disk, traffic…); service-type metrics missing here are computed from the spec. */
  metrics?: Readonly<Record<string, string | number | Decimal>>;
}

export interface SyncOrdersInput {
  /** The tenant's billable service definitions (any kind; only the service's kind is used). */
  definitions: readonly BillableService[];
  service: ServiceSnapshot;
  /** Orders of this service (orders of other services are ignored). */
  existingOrders: readonly Order[];
  today: LocalDate;
  /** New order ids, in creation order. */
  ids: () => string;
  /** Service types for spec metrics (default: the registry). */
  types?: readonly AnyServiceType[];
}

/** Orders to insert and orders to overwrite (a cancellation is an update that sets `cancelledOn`). */
export interface SyncOrdersResult {
  create: Order[];
  update: Order[];
}

const isOpen = (order: Order, today: LocalDate) => order.cancelledOn === undefined || order.cancelledOn > today;

function metricValue(
  definition: BillableService,
  service: ServiceSnapshot,
  type: AnyServiceType | undefined,
): string | number | Decimal | undefined {
  if (definition.metric.type !== 'named') return undefined;
  const name = definition.metric.name;
  const measured = service.metrics?.[name];
  if (measured !== undefined) return measured;
  const compute = type?.metrics[name];
  return compute ? compute(service.spec) : undefined;
}

/** Record deactivation changes: open an interval when the service gets disabled, close it when enabled again. */
function withDeactivation(order: Order, isDisabled: boolean, today: LocalDate): Order {
  const last = order.deactivations[order.deactivations.length - 1];
  const isOpenInterval = last !== undefined && last.until === undefined;
  if (isDisabled && !isOpenInterval) return { ...order, deactivations: [...order.deactivations, { from: today }] };
  if (!isDisabled && isOpenInterval) {
    const closed = order.deactivations.slice(0, -1);
    // Disabled and enabled the same day: no day was lost, keep no trace.
    return { ...order, deactivations: last.from === today ? closed : [...closed, { from: last.from, until: today }] };
  }
  return order;
}

function withMetric(order: Order, value: string | number | Decimal | undefined, today: LocalDate): Order {
  if (value === undefined) return order;
  const history = recordMetric(order.metricHistory, today, value);
  return history ? { ...order, metricHistory: history } : order;
}

function closeDeactivation(order: Order, on: LocalDate): Order {
  return withDeactivation(order, false, on);
}

/**
 * Reconcile a service's orders with the definitions of its kind. For each definition:
 * - the predicate matches and no open order exists → create one registered today (or withdraw a cancellation made
 *   earlier today, so a spec edited back and forth within a day leaves one order);
 * - an open order exists and the predicate stops matching, the service is deleted, or it moved to another account →
 *   cancel it today (a moved service gets a new order on its new account);
 * - an open order exists and still matches → record a metric value only when it changed, follow disable/enable as
 *   deactivation intervals, keep the description in step with the service name.
 * Inactive definitions create no orders but keep syncing the ones they have. Pure and deterministic: the result
 * depends only on the input, and new ids come from `ids()` in definition order.
 * @example syncOrders({ definitions, service, existingOrders: [], today: '2024-03-15', ids }) // { create: [order], update: [] }
 */
export function syncOrders(input: SyncOrdersInput): SyncOrdersResult {
  const { service, today } = input;
  const types = input.types ?? (serviceTypes as readonly AnyServiceType[]);
  const type = types.find((t) => t.kind === service.kind);
  const isGone = service.state === 'deleting' || service.state === 'deleted';
  const isDisabled = service.isDisabled === true;
  const mine = input.existingOrders.filter((o) => o.serviceId === service.id && o.tenantId === service.tenantId);
  const create: Order[] = [];
  const update: Order[] = [];

  for (const definition of input.definitions) {
    if (definition.serviceKind !== service.kind || definition.tenantId !== service.tenantId) continue;
    const orders = mine.filter((o) => o.billableServiceId === definition.id);
    const isWanted = !isGone && matches(definition.predicate, service.spec);
    let kept: Order | undefined;

    for (const order of orders.filter((o) => isOpen(o, today))) {
      const reason: CancelReason | undefined = isGone
        ? 'deleted'
        : !isWanted
          ? 'unmatched'
          : order.accountId !== service.accountId
            ? 'moved'
            : undefined;
      if (reason) update.push(cancelOrder(closeDeactivation(order, today), today, reason));
      else if (kept)
        update.push(cancelOrder(order, today, 'manual')); // a duplicate open order: keep the first only
      else kept = order;
    }

    const value = isWanted ? metricValue(definition, service, type) : undefined;
    if (kept) {
      let next = withMetric(withDeactivation(kept, isDisabled, today), value, today);
      if (next.description !== service.name) next = { ...next, description: service.name };
      if (next !== kept) update.push(next);
      continue;
    }
    if (!isWanted || !definition.isActive) continue;

    const cancelledToday = orders.find(
      (o) => o.cancelledOn === today && o.accountId === service.accountId && !update.some((u) => u.id === o.id),
    );
    if (cancelledToday) {
      const revived = withMetric(withDeactivation(revokeCancellation(cancelledToday, today), isDisabled, today), value, today);
      update.push(revived.description === service.name ? revived : { ...revived, description: service.name });
      continue;
    }
    const order: Order = {
      tenantId: service.tenantId,
      id: input.ids(),
      accountId: service.accountId,
      serviceId: service.id,
      billableServiceId: definition.id,
      description: service.name,
      registeredOn: today,
      ignored: false,
      deactivations: isDisabled ? [{ from: today }] : [],
      metricHistory: [],
    };
    create.push(withMetric(order, value, today));
  }
  return { create, update };
}
