import { describe, expect, it } from 'vitest';
import {
  bookkeepingCommitted,
  canResume,
  completed,
  failed,
  isStale,
  MAX_RUN_ERRORS,
  newBillingRun,
  pageCommitted,
  pageStarted,
  percentDone,
  resumed,
  RUN_LEASE_MS,
  scheduledRunDue,
  type BillingRun,
  type BillingRunPage,
} from '@consort/shared/bills/runs';
import { fixedClock } from '@consort/shared/core/clock';

// The run record's progress logic: pure, Clock-based, no store.

const clock = fixedClock('2026-06-15T10:00:00Z');
const actor = { type: 'system' as const, tenantId: 'tnt_1', reason: 'test' };

function run(options = { autoClose: false, autoSend: false }): BillingRun {
  return newBillingRun({
    tenantId: 'tnt_1',
    id: 'brn_1',
    trigger: 'manual',
    actor,
    startedBy: 'system:test',
    billUntil: '2026-06-15',
    options,
    clock,
  });
}

function page(index: number, accounts: number, extra: Partial<BillingRunPage> = {}): BillingRunPage {
  const accountIds = Array.from({ length: accounts }, (_, i) => `acc_${index}_${i}`);
  return {
    tenantId: 'tnt_1',
    runId: 'brn_1',
    index,
    accountIds,
    bills: accountIds.map((accountId, i) => ({ billId: `bil_${index}_${i}`, accountId, created: i % 2 === 0 })),
    ordersBilled: accounts * 2,
    errors: [],
    ...extra,
  };
}

describe('billing run progress', () => {
  it('starts running at the billing phase with a lease and nothing done; auto-send implies auto-close', () => {
    const r = run({ autoClose: false, autoSend: true });
    expect(r).toMatchObject({ state: 'running', phase: 'billing', attempt: 1, version: 0, options: { autoClose: true, autoSend: true } });
    expect(r.leaseExpiresAt).toBe(new Date(Date.parse('2026-06-15T10:00:00Z') + RUN_LEASE_MS).toISOString());
    expect(percentDone(r)).toBe(0);
  });

  it('adds each page once, moves the cursor, and goes to the next phase after the last page', () => {
    let r = { ...run({ autoClose: true, autoSend: false }), totals: { ...run().totals, accounts: 5 } };
    r = pageCommitted(r, page(0, 3), 'cursor-1', clock);
    expect(r.progress.billing).toEqual({ pages: 1, listed: false, cursor: 'cursor-1' });
    expect(r.totals).toMatchObject({ accountsDone: 3, billsCreated: 2, billsAppended: 1, ordersBilled: 6 });
    expect(percentDone(r)).toBe(60);
    expect(r.version).toBe(1);
    // The same page again (a replayed commit) is refused: totals can only grow once per page.
    expect(() => pageCommitted(r, page(0, 3), 'cursor-1', clock)).toThrow(RangeError);
    r = pageCommitted(r, page(1, 2), undefined, clock);
    expect(r).toMatchObject({ phase: 'closing', progress: { billing: { pages: 2, listed: true } } });
    expect(r.progress.billing.cursor).toBeUndefined();
    expect(r.totals).toMatchObject({ accounts: 5, accountsDone: 5, billsCreated: 3, billsAppended: 2, ordersBilled: 10 });
  });

  it('skips closing and sending unless asked, and finishes after the last bookkeeping page', () => {
    expect(pageCommitted(run(), page(0, 1), undefined, clock).phase).toBe('done');
    let r = pageCommitted(pageCommitted(run({ autoClose: true, autoSend: true }), page(0, 1), 'c', clock), page(1, 1), undefined, clock);
    expect(r.phase).toBe('closing');
    expect(() => bookkeepingCommitted(r, 'sending', 0, 1, [], clock)).toThrow(RangeError);
    r = bookkeepingCommitted(r, 'closing', 0, 1, [], clock);
    expect(r.phase).toBe('closing');
    r = bookkeepingCommitted(r, 'closing', 1, 1, [{ billId: 'bil_x', code: 'validation', message: 'No tax id' }], clock);
    expect(r).toMatchObject({ phase: 'sending', totals: { closed: 2, errors: 1 } });
    r = bookkeepingCommitted(bookkeepingCommitted(r, 'sending', 0, 1, [], clock), 'sending', 1, 0, [], clock);
    expect(r).toMatchObject({ phase: 'done', totals: { sent: 1 } });
    const done = completed(r, clock);
    expect(done).toMatchObject({ state: 'completed', finishedAt: '2026-06-15T10:00:00.000Z' });
    expect(percentDone(done)).toBe(100);
  });

  it('keeps at most MAX_RUN_ERRORS errors but counts them all', () => {
    const errors = Array.from({ length: 30 }, (_, i) => ({ accountId: `acc_${i}`, code: 'x', message: 'y' }));
    let r = pageCommitted(run(), page(0, 1, { errors }), 'c', clock);
    r = pageCommitted(r, page(1, 1, { errors }), undefined, clock);
    expect(r.errors).toHaveLength(MAX_RUN_ERRORS);
    expect(r.totals.errors).toBe(60);
  });

  it('marks a page begun twice as a replay', () => {
    const first = pageStarted(run(), 0, clock);
    expect(first.replay).toBe(false);
    expect(pageStarted(first.run, 0, clock).replay).toBe(true);
    expect(pageStarted(first.run, 1, clock).replay).toBe(false);
  });

  it('is resumable once failed or once its lease expired, never while live or completed', () => {
    const c = fixedClock('2026-06-15T10:00:00Z');
    const r = run();
    expect(isStale(r, c)).toBe(false);
    expect(canResume(r, c)).toBe(false);
    c.advance(RUN_LEASE_MS + 1);
    expect(isStale(r, c)).toBe(true);
    expect(canResume(completed(r, clock), c)).toBe(false);
    const broken = failed(r, { code: 'internal', message: 'boom' }, clock);
    expect(canResume(broken, clock)).toBe(true);
    const again = resumed(broken, c);
    expect(again).toMatchObject({ state: 'running', attempt: 2, version: broken.version + 1 });
    expect(again.failure).toBeUndefined();
    expect(again.finishedAt).toBeUndefined();
    expect(isStale(again, c)).toBe(false);
  });

  it('is due from the configured day (or the month’s last day) with one id per month', () => {
    const schedule = { enabled: true, dayOfMonth: 31, autoClose: false, autoSend: false };
    expect(scheduledRunDue({ ...schedule, enabled: false }, '2026-06-30')).toBeUndefined();
    expect(scheduledRunDue(undefined, '2026-06-30')).toBeUndefined();
    expect(scheduledRunDue(schedule, '2026-06-29')).toBeUndefined();
    expect(scheduledRunDue(schedule, '2026-06-30')).toEqual({ runId: 'brn_scheduled_2026-06', billUntil: '2026-06-30' });
    expect(scheduledRunDue(schedule, '2026-02-28')).toEqual({ runId: 'brn_scheduled_2026-02', billUntil: '2026-02-28' });
    expect(scheduledRunDue({ ...schedule, dayOfMonth: 1 }, '2026-07-01')?.runId).toBe('brn_scheduled_2026-07');
  });
});
