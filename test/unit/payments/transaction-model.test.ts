import { describe, expect, it } from 'vitest';
import { ConflictError } from '@consort/shared/core/errors';
import {
  applyTransition,
  canTransition,
  isFinal,
  PaymentAmount,
  Transaction,
  TRANSACTION_STATES,
  TRANSACTION_TRANSITIONS,
} from '@consort/shared/payments/model';
import { fromMinorUnits, idempotencyKey, toMinorUnits } from '@consort/shared/payments/stripe';

// The transaction state table, its pure application, and the Stripe boundary arithmetic (minor units, keys).

const base: Transaction = Transaction.parse({
  tenantId: 'tnt_1',
  id: 'txn_1',
  accountId: 'acc_1',
  method: 'card',
  amount: '12.10',
  currency: 'EUR',
  allocations: [{ billId: 'bil_1', amount: '12.10' }],
  state: 'created',
  refs: {},
  audit: [{ at: '2026-06-15T10:00:00.000Z', from: null, to: 'created', actor: 'customer:usr_1' }],
  version: 0,
  createdAt: '2026-06-15T10:00:00.000Z',
  updatedAt: '2026-06-15T10:00:00.000Z',
});
const ctx = { actor: 'system:stripe-webhook', at: '2026-06-15T10:05:00.000Z' };

describe('transaction transitions', () => {
  it('follow the table: created → processing → succeeded → returned | refunded; failures are final', () => {
    expect(canTransition('created', 'processing')).toBe(true);
    expect(canTransition('created', 'succeeded')).toBe(true);
    expect(canTransition('processing', 'succeeded')).toBe(true);
    expect(canTransition('succeeded', 'returned')).toBe(true);
    expect(canTransition('succeeded', 'refunded')).toBe(true);
    expect(canTransition('succeeded', 'processing')).toBe(false);
    expect(canTransition('failed', 'succeeded')).toBe(false);
    expect(canTransition('created', 'returned')).toBe(false);
    expect(TRANSACTION_STATES.filter(isFinal)).toEqual(['failed', 'returned', 'refunded']);
    for (const [from, tos] of Object.entries(TRANSACTION_TRANSITIONS)) expect(tos).not.toContain(from);
  });

  it('audits each move and bumps the version; re-applying the same state is a no-op', () => {
    const next = applyTransition(base, 'succeeded', ctx, { refs: { stripePaymentIntentId: 'pi_1' }, reason: ' paid ' })!;
    expect(next).toMatchObject({ state: 'succeeded', version: 1, updatedAt: ctx.at, refs: { stripePaymentIntentId: 'pi_1' } });
    expect(next.audit.at(-1)).toEqual({ at: ctx.at, from: 'created', to: 'succeeded', actor: ctx.actor, reason: 'paid' });
    expect(applyTransition(next, 'succeeded', ctx)).toBeUndefined();
    expect(Transaction.parse(next)).toEqual(next);
  });

  it('refuses what the table does not allow with a 409 naming the allowed moves', () => {
    const failed = applyTransition(base, 'failed', ctx, { failure: { code: 'card_declined', message: 'Declined' } })!;
    expect(failed.failure).toEqual({ code: 'card_declined', message: 'Declined' });
    expect(() => applyTransition(failed, 'succeeded', ctx)).toThrow(ConflictError);
    let details: unknown;
    try {
      applyTransition(base, 'refunded', ctx);
    } catch (error) {
      details = (error as ConflictError).details;
    }
    expect(details).toEqual({ state: 'created', allowed: ['processing', 'succeeded', 'failed'] });
  });

  it('amounts are positive decimals with two places', () => {
    for (const ok of ['0.01', '12.10', '1000000.00']) expect(PaymentAmount.safeParse(ok).success).toBe(true);
    for (const bad of ['0.00', '12.1', '-1.00', '1e3', '12.105', '']) expect(PaymentAmount.safeParse(bad).success, bad).toBe(false);
  });
});

describe('Stripe boundary', () => {
  it('converts to minor units with decimal arithmetic (no float drift) and back', () => {
    expect(toMinorUnits('12.10', 'EUR')).toBe(1210);
    expect(toMinorUnits('0.29', 'EUR')).toBe(29); // 0.29 * 100 is 28.999999999999996 in floating point
    expect(toMinorUnits('1005.70', 'EUR')).toBe(100570);
    expect(toMinorUnits('500.00', 'JPY')).toBe(500);
    expect(() => toMinorUnits('500.50', 'JPY')).toThrow(/cannot be charged/);
    expect(fromMinorUnits(1210, 'EUR')).toBe('12.10');
    expect(fromMinorUnits(500, 'JPY')).toBe('500.00');
  });

  it('derives idempotency keys from tenant + object + attempt', () => {
    expect(idempotencyKey('tnt_1', 'checkout:txn_1')).toBe('consort:tnt_1:checkout:txn_1:1');
    expect(idempotencyKey('tnt_1', 'checkout:txn_1', 2)).not.toBe(idempotencyKey('tnt_1', 'checkout:txn_1'));
    expect(idempotencyKey('tnt_2', 'checkout:txn_1')).not.toBe(idempotencyKey('tnt_1', 'checkout:txn_1'));
  });
});
