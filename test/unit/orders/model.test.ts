import { describe, expect, it } from 'vitest';
import {
  cancelOrder,
  decimalText,
  isOrderActiveOn,
  orderToJSON,
  parseOrder,
  recordMetric,
  revokeCancellation,
  valueOn,
} from '@consort/shared/orders/model';
import { createMockOrder } from '../../fixtures/factories/billing';

describe('metric history', () => {
  it('stores only changes, one point per day', () => {
    // Prepare
    let history = recordMetric([], '2024-03-01', 5)!;
    // Act / Assess: same value later → no change
    expect(recordMetric(history, '2024-03-02', '5.0')).toBeNull();
    history = recordMetric(history, '2024-03-10', 8)!;
    expect(history).toEqual([
      { on: '2024-03-01', value: '5' },
      { on: '2024-03-10', value: '8' },
    ]);
    // A second value the same day replaces the first…
    expect(recordMetric(history, '2024-03-10', '8.25')).toEqual([
      { on: '2024-03-01', value: '5' },
      { on: '2024-03-10', value: '8.25' },
    ]);
    // …and disappears when it equals the day before.
    expect(recordMetric(history, '2024-03-10', 5)).toEqual([{ on: '2024-03-01', value: '5' }]);
    expect(() => recordMetric(history, '2024-03-09', 1)).toThrow(RangeError);
  });

  it('reads the value on a day (0 before the first point)', () => {
    const history = [
      { on: '2024-03-01', value: '5' },
      { on: '2024-03-10', value: '8' },
    ];
    expect([
      valueOn(history, '2024-02-29'),
      valueOn(history, '2024-03-01'),
      valueOn(history, '2024-03-09'),
      valueOn(history, '2024-12-31'),
    ]).toEqual(['0', '5', '5', '8']);
  });

  it('normalises decimal text and refuses non-finite numbers', () => {
    expect([decimalText('10.50'), decimalText(0.1), decimalText('-0'), decimalText(1e21)]).toEqual([
      '10.5',
      '0.1',
      '0',
      '1000000000000000000000',
    ]);
    expect(() => decimalText(Number.NaN)).toThrow();
  });
});

describe('order life cycle', () => {
  it('is active on [registeredOn, cancelledOn)', () => {
    const order = createMockOrder({ registeredOn: '2024-03-15', cancelledOn: '2024-04-01' });
    expect([
      isOrderActiveOn(order, '2024-03-14'),
      isOrderActiveOn(order, '2024-03-15'),
      isOrderActiveOn(order, '2024-03-31'),
      isOrderActiveOn(order, '2024-04-01'),
    ]).toEqual([false, true, true, false]);
  });

  it('cancels and revokes, keeping a trace of the revoked date', () => {
    const cancelled = cancelOrder(createMockOrder(), '2024-04-20', 'manual');
    expect(cancelled).toMatchObject({ cancelledOn: '2024-04-20', cancelReason: 'manual' });
    const revoked = revokeCancellation(cancelled, '2024-04-10');
    expect(revoked.cancelledOn).toBeUndefined();
    expect(revoked.cancelReason).toBeUndefined();
    expect(revoked.revokedCancellation).toEqual({ cancelledOn: '2024-04-20', revokedOn: '2024-04-10' });
    expect(cancelOrder(revoked, '2024-05-01', 'deleted').revokedCancellation).toBeUndefined();
  });

  it('is plain JSON', () => {
    const order = createMockOrder({ billedMetric: '5', metricHistory: [{ on: '2024-03-15', value: '5' }] });
    const json = orderToJSON({ ...order, cancelledOn: undefined });
    expect('cancelledOn' in json).toBe(false);
    expect(parseOrder(JSON.parse(JSON.stringify(json)))).toEqual(order);
    expect(() => parseOrder({ ...json, registeredOn: '2024-02-30' })).toThrow();
  });
});
