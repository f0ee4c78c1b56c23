import { describe, expect, it } from 'vitest';
import {
  assertEditable,
  availableActions,
  isAmendable,
  transition,
  TRANSITIONS,
  type TransitionAction,
} from '@consort/shared/bills/lifecycle';
import { BILL_STATES, BILL_TYPES, type Bill, type BillState, type BillType } from '@consort/shared/bills/model';
import { ConflictError, ValidationError } from '@consort/shared/core/errors';

// Every (type, state, action) triple: the expectations are written out by hand from thesis table 1.2 and §5.7.2
// (plus the documented extensions), independently of the table in lifecycle.ts.

const ACTIONS: TransitionAction[] = [
  'close',
  'send',
  'mark-paid',
  'mark-returned',
  'mark-irrecoverable',
  'discard',
  'undo-discard',
  'convert',
];

type Expected = Partial<Record<BillState, Partial<Record<TransitionAction, BillState>>>>;

const PAYABLE_EXPECTED: Expected = {
  open: { close: 'closed' },
  closed: { send: 'sent', 'mark-paid': 'paid', discard: 'discarded' },
  sent: { send: 'sent', 'mark-paid': 'paid', 'mark-returned': 'returned', 'mark-irrecoverable': 'irrecoverable' },
  paid: { 'mark-returned': 'returned' },
  returned: { send: 'sent', 'mark-paid': 'paid', 'mark-irrecoverable': 'irrecoverable', discard: 'discarded' },
  irrecoverable: {},
  discarded: { 'undo-discard': 'closed' },
  converted: {},
};

const QUOTE_EXPECTED: Expected = {
  open: { close: 'closed' },
  closed: { send: 'sent', discard: 'discarded', convert: 'converted' },
  sent: { send: 'sent', discard: 'discarded', convert: 'converted' },
  discarded: { 'undo-discard': 'closed' },
};

const expectedFor = (type: BillType) => (type === 'quote' ? QUOTE_EXPECTED : PAYABLE_EXPECTED);

function bill(type: BillType, state: BillState): Pick<Bill, 'id' | 'number' | 'type' | 'state' | 'audit'> {
  return { id: 'bil_1', number: state === 'open' ? undefined : 'I2026-0001', type, state, audit: [] };
}

const ctx = { actor: 'staff:usr_1', at: '2026-03-01T10:00:00.000Z', reason: 'because' };

describe('bill state machine', () => {
  const cases = BILL_TYPES.flatMap((type) => BILL_STATES.flatMap((state) => ACTIONS.map((action) => [type, state, action] as const)));

  it.each(cases)('%s %s → %s', (type, state, action) => {
    const to = expectedFor(type)[state]?.[action];
    if (to) {
      const next = transition(bill(type, state), action, ctx);
      expect(next.state).toBe(to);
      expect(next.audit).toEqual([{ action, from: state, to, actor: 'staff:usr_1', at: ctx.at, reason: 'because' }]);
    } else {
      expect(() => transition(bill(type, state), action, ctx)).toThrow(ConflictError);
    }
  });

  it('lists exactly the transitions expected (no extra rows in the table)', () => {
    let rows = 0;
    for (const type of BILL_TYPES) for (const state of BILL_STATES) rows += Object.keys(expectedFor(type)[state] ?? {}).length;
    const tableRows = TRANSITIONS.reduce((n, r) => n + r.types.length * r.from.length, 0);
    expect(tableRows).toBe(rows);
  });

  it('requires a reason to discard or write off, and keeps it in the audit trail', () => {
    expect(() => transition(bill('invoice', 'closed'), 'discard', { ...ctx, reason: ' ' })).toThrow(ValidationError);
    expect(() => transition(bill('invoice', 'sent'), 'mark-irrecoverable', { actor: 'x', at: ctx.at })).toThrow(ValidationError);
    const sent = transition(bill('invoice', 'closed'), 'send', { actor: 'x', at: ctx.at });
    expect(sent.audit[0]).toEqual({ action: 'send', from: 'closed', to: 'sent', actor: 'x', at: ctx.at });
  });

  it('appends to the audit trail in order', () => {
    let b = bill('invoice', 'open');
    for (const action of ['close', 'send', 'mark-returned', 'send', 'mark-paid'] as const) b = transition(b, action, ctx);
    expect(b.audit.map((a) => `${a.from}→${a.to}`)).toEqual(['open→closed', 'closed→sent', 'sent→returned', 'returned→sent', 'sent→paid']);
  });

  it('allows content edits only while open; 409 with the possible actions otherwise', () => {
    expect(() => assertEditable(bill('invoice', 'open'))).not.toThrow();
    for (const state of BILL_STATES.filter((s) => s !== 'open')) {
      for (const type of BILL_TYPES) {
        const error = (() => {
          try {
            assertEditable(bill(type, state));
          } catch (e) {
            return e;
          }
        })();
        expect(error, `${type} ${state}`).toBeInstanceOf(ConflictError);
        expect((error as ConflictError).details).toMatchObject({ state });
      }
    }
  });

  it('amends issued invoices and fees only, never open bills, amendments or quotes', () => {
    const amendable = BILL_TYPES.flatMap((type) => BILL_STATES.filter((state) => isAmendable({ type, state })).map((s) => `${type}:${s}`));
    const issued = ['closed', 'sent', 'paid', 'returned', 'irrecoverable'];
    expect(amendable.sort()).toEqual([...issued.map((s) => `fee:${s}`), ...issued.map((s) => `invoice:${s}`)].sort());
  });

  it('offers the actions a portal shows', () => {
    expect(availableActions({ type: 'invoice', state: 'open' })).toEqual(['close', 'edit-lines', 'merge', 'delete']);
    expect(availableActions({ type: 'invoice', state: 'sent' })).toEqual([
      'send',
      'mark-paid',
      'mark-returned',
      'mark-irrecoverable',
      'amend',
    ]);
    expect(availableActions({ type: 'quote', state: 'closed' })).toEqual(['send', 'discard', 'convert']);
    expect(availableActions({ type: 'amendment', state: 'paid' })).toEqual(['mark-returned']);
  });
});
