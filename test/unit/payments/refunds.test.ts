import { describe, expect, it } from 'vitest';
import { refundable, refundedAmount, Transaction, type Refund } from '@consort/shared/payments/model';
import { allocateRefunds } from '@consort/shared/payments/refunds';

// Refund arithmetic (decimal.js): what is still refundable, what was given back, and how succeeded refunds are
// spread over a transaction's allocations (last bill first, never more than an allocation).

const at = '2026-06-15T10:00:00.000Z';
const tx: Transaction = Transaction.parse({
  tenantId: 'tnt_1',
  id: 'txn_1',
  accountId: 'acc_1',
  method: 'transfer',
  amount: '100.10',
  currency: 'EUR',
  allocations: [
    { billId: 'bil_1', amount: '60.00' },
    { billId: 'bil_2', amount: '40.10' },
  ],
  state: 'succeeded',
  refs: {},
  audit: [{ at, from: null, to: 'succeeded', actor: 'staff:usr_1' }],
  version: 1,
  createdAt: at,
  updatedAt: at,
});

function refund(id: string, amount: string, state: Refund['state']): Refund {
  return { id, amount, state, createdBy: 'staff:usr_1', createdAt: at, updatedAt: at };
}

describe('refundable amount', () => {
  it('is the amount minus every refund that has not failed (pending and batched ones hold theirs)', () => {
    expect(refundable(tx).toFixed(2)).toBe('100.10');
    const withRefunds = {
      ...tx,
      refunds: [
        refund('r1', '0.10', 'succeeded'),
        refund('r2', '30.00', 'pending'),
        refund('r3', '50.00', 'failed'),
        refund('r4', '0.05', 'batched'),
      ],
    };
    expect(refundable(withRefunds).toFixed(2)).toBe('69.95');
    expect(refundedAmount(withRefunds).toFixed(2)).toBe('0.10');
  });

  it('is nothing unless the transaction succeeded', () => {
    expect(refundable({ ...tx, state: 'refunded' }).toFixed(2)).toBe('0.00');
    expect(refundable({ ...tx, state: 'processing' }).toFixed(2)).toBe('0.00');
  });
});

describe('allocating refunds', () => {
  it('gives back the last bill first and never more than an allocation', () => {
    const out = allocateRefunds({ ...tx, refunds: [refund('r1', '40.00', 'succeeded'), refund('r2', '5.15', 'succeeded')] });
    expect(out).toEqual([
      { billId: 'bil_1', amount: '60.00', refunded: '5.05' },
      { billId: 'bil_2', amount: '40.10', refunded: '40.10' },
    ]);
  });

  it('counts only succeeded refunds and clears a stale refunded part', () => {
    const stale = { ...tx, allocations: [tx.allocations[0]!, { ...tx.allocations[1]!, refunded: '10.00' }] };
    expect(allocateRefunds({ ...stale, refunds: [refund('r1', '10.00', 'failed'), refund('r2', '3.00', 'pending')] })).toEqual(
      tx.allocations,
    );
  });

  it('a full refund covers every allocation exactly', () => {
    const out = allocateRefunds({ ...tx, refunds: [refund('r1', '33.37', 'succeeded'), refund('r2', '66.73', 'succeeded')] });
    expect(out.map((a) => a.refunded)).toEqual(['60.00', '40.10']);
  });
});
