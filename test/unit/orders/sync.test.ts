import { describe, expect, it } from 'vitest';
import type { Order } from '@consort/shared/orders/model';
import { syncOrders, type ServiceSnapshot } from '@consort/shared/orders/sync';
import { createMockDefinition, createMockOrder, TEST_TYPES } from '../../fixtures/factories/billing';

const every = createMockDefinition({ id: 'bsv_mailbox', name: 'Mailbox' });
const big = createMockDefinition({ id: 'bsv_big', name: 'Big mailbox', predicate: { field: 'quota', op: 'gt', value: 10240 } });
const disk = createMockDefinition({ id: 'bsv_disk', name: 'Mailbox disk', metric: { type: 'named', name: 'disk' }, nominalPrice: '0.10' });
const quota = createMockDefinition({ id: 'bsv_quota', name: 'Mailbox quota', metric: { type: 'named', name: 'quota' } });
const domain = createMockDefinition({ id: 'bsv_domain', name: 'Domain', serviceKind: 'domain' });
const otherTenant = createMockDefinition({ id: 'bsv_x', tenantId: 'tnt_2' });

function service(overrides: Partial<ServiceSnapshot> = {}): ServiceSnapshot {
  return {
    tenantId: 'tnt_1',
    id: 'svc_1',
    accountId: 'acc_1',
    kind: 'mailbox',
    name: 'info@example.org',
    spec: { name: 'info', quota: 1024 },
    state: 'applied',
    ...overrides,
  };
}

function ids() {
  let n = 0;
  return () => `ord_${++n}`;
}

function sync(
  overrides: Partial<ServiceSnapshot>,
  existingOrders: Order[],
  today: string,
  definitions = [every, big, disk, domain, otherTenant],
) {
  return syncOrders({ definitions, service: service(overrides), existingOrders, today, ids: ids(), types: TEST_TYPES });
}

describe('syncOrders', () => {
  it('creates one order per matching definition of the kind and tenant', () => {
    // Act: a 1 GB mailbox is created with 300 MB on disk
    const result = sync({ metrics: { disk: '300' } }, [], '2024-03-15');
    // Assess: the "every mailbox" and disk definitions match; "> 10 GB", the domain one and another tenant's don't
    expect(result.update).toEqual([]);
    expect(result.create).toEqual([
      {
        tenantId: 'tnt_1',
        id: 'ord_1',
        accountId: 'acc_1',
        serviceId: 'svc_1',
        billableServiceId: 'bsv_mailbox',
        description: 'info@example.org',
        registeredOn: '2024-03-15',
        ignored: false,
        deactivations: [],
        metricHistory: [],
      },
      expect.objectContaining({ id: 'ord_2', billableServiceId: 'bsv_disk', metricHistory: [{ on: '2024-03-15', value: '300' }] }),
    ]);
  });

  it('computes service-type metrics from the spec when not measured', () => {
    const result = sync({}, [], '2024-03-15', [quota]);
    expect(result.create[0]!.metricHistory).toEqual([{ on: '2024-03-15', value: '1024' }]);
  });

  it('creates and cancels when the predicate starts or stops matching', () => {
    const first = sync({}, [], '2024-03-15', [every, big]).create;
    // Grown to 20 GB: now also a big mailbox
    const grown = sync({ spec: { name: 'info', quota: 20480 } }, first, '2024-04-02', [every, big]);
    expect(grown.update).toEqual([]);
    expect(grown.create).toEqual([expect.objectContaining({ billableServiceId: 'bsv_big', registeredOn: '2024-04-02' })]);
    // Shrunk back: the big-mailbox order is cancelled, the plain one stays
    const orders = [...first, { ...grown.create[0]!, id: 'ord_big' }];
    const shrunk = sync({ spec: { name: 'info', quota: 2048 } }, orders, '2024-05-10', [every, big]);
    expect(shrunk.create).toEqual([]);
    expect(shrunk.update).toEqual([expect.objectContaining({ id: 'ord_big', cancelledOn: '2024-05-10', cancelReason: 'unmatched' })]);
  });

  it('appends a metric point only when the value changed', () => {
    const [order] = sync({ metrics: { disk: 300 } }, [], '2024-03-15', [disk]).create;
    expect(sync({ metrics: { disk: '300.0' } }, [order!], '2024-03-16', [disk])).toEqual({ create: [], update: [] });
    const changed = sync({ metrics: { disk: 450 } }, [order!], '2024-03-20', [disk]).update[0]!;
    expect(changed.metricHistory).toEqual([
      { on: '2024-03-15', value: '300' },
      { on: '2024-03-20', value: '450' },
    ]);
  });

  it('cancels every open order of a deleted service, keeping earlier cancellations', () => {
    const open = createMockOrder({ id: 'ord_open' });
    const scheduled = createMockOrder({
      id: 'ord_sched',
      billableServiceId: 'bsv_disk',
      cancelledOn: '2024-12-31',
      cancelReason: 'manual',
    });
    const old = createMockOrder({ id: 'ord_old', cancelledOn: '2024-03-20', cancelReason: 'unmatched' });
    const result = sync({ state: 'deleted' }, [open, scheduled, old], '2024-04-01');
    expect(result.create).toEqual([]);
    expect(result.update.map((o) => [o.id, o.cancelledOn, o.cancelReason])).toEqual([
      ['ord_open', '2024-04-01', 'deleted'],
      ['ord_sched', '2024-04-01', 'deleted'],
    ]);
  });

  it('records disable/enable as deactivation intervals instead of cancelling', () => {
    const order = createMockOrder();
    const disabled = sync({ isDisabled: true }, [order], '2024-04-05', [every]).update[0]!;
    expect(disabled.cancelledOn).toBeUndefined();
    expect(disabled.deactivations).toEqual([{ from: '2024-04-05' }]);
    expect(sync({ isDisabled: true }, [disabled], '2024-04-06', [every])).toEqual({ create: [], update: [] });
    const enabled = sync({}, [disabled], '2024-04-15', [every]).update[0]!;
    expect(enabled.deactivations).toEqual([{ from: '2024-04-05', until: '2024-04-15' }]);
    // Disabled and enabled on the same day leaves no trace.
    const blink = sync({}, [sync({ isDisabled: true }, [order], '2024-04-05', [every]).update[0]!], '2024-04-05', [every]).update[0]!;
    expect(blink.deactivations).toEqual([]);
    // A service created disabled starts deactivated.
    expect(sync({ isDisabled: true }, [], '2024-04-05', [every]).create[0]!.deactivations).toEqual([{ from: '2024-04-05' }]);
  });

  it('withdraws a same-day cancellation instead of creating a second order', () => {
    const order = createMockOrder({ id: 'ord_big', billableServiceId: 'bsv_big', registeredOn: '2024-03-01' });
    const off = sync({ spec: { name: 'info', quota: 1 } }, [order], '2024-04-02', [big]).update[0]!;
    const on = sync({ spec: { name: 'info', quota: 20480 } }, [off], '2024-04-02', [big]);
    expect(on.create).toEqual([]);
    expect(on.update).toEqual([
      expect.objectContaining({
        id: 'ord_big',
        registeredOn: '2024-03-01',
        revokedCancellation: { cancelledOn: '2024-04-02', revokedOn: '2024-04-02' },
      }),
    ]);
    expect(on.update[0]!.cancelledOn).toBeUndefined();
    // On a later day, a new order.
    expect(sync({ spec: { name: 'info', quota: 20480 } }, [off], '2024-04-03', [big]).create).toHaveLength(1);
  });

  it('moves orders with the service to another account, and follows renames', () => {
    const order = createMockOrder({ id: 'ord_1' });
    const moved = sync({ accountId: 'acc_2' }, [order], '2024-06-01', [every]);
    expect(moved.update).toEqual([expect.objectContaining({ id: 'ord_1', cancelledOn: '2024-06-01', cancelReason: 'moved' })]);
    expect(moved.create).toEqual([expect.objectContaining({ accountId: 'acc_2', registeredOn: '2024-06-01' })]);
    expect(sync({ name: 'hello@example.org' }, [order], '2024-06-01', [every]).update).toEqual([
      expect.objectContaining({ description: 'hello@example.org' }),
    ]);
  });

  it('lets inactive definitions keep their orders but create none', () => {
    const retired = { ...every, isActive: false };
    expect(sync({}, [], '2024-03-15', [retired]).create).toEqual([]);
    expect(sync({ state: 'deleted' }, [createMockOrder()], '2024-03-20', [retired]).update).toHaveLength(1);
  });

  it('is deterministic and idempotent', () => {
    const a = sync({ metrics: { disk: 1 } }, [], '2024-03-15');
    const b = sync({ metrics: { disk: 1 } }, [], '2024-03-15');
    expect(a).toEqual(b);
    expect(sync({ metrics: { disk: 1 } }, a.create, '2024-03-15')).toEqual({ create: [], update: [] });
  });
});
