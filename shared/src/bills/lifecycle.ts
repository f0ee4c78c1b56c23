import { ConflictError, ValidationError } from '../core/errors';
import { BILL_TYPES, type AuditEntry, type Bill, type BillAction, type BillState, type BillType } from './model';

// The bill lifecycle as data (thesis §1.3.4, table 1.2, and §5.7.2). Every row says which action moves a bill of
// which types from which states to which state; `transition` applies a row and appends the audit entry, and
// refuses anything the table does not list with a 409. docs/billing.md draws the same table.

/** Types that are paid (or not): everything but quotes. */
const PAYABLE: readonly BillType[] = ['invoice', 'fee', 'amendment', 'fee-amendment'];
const ALL: readonly BillType[] = BILL_TYPES;

/** A state-changing action (content edits, deletion and amendments are separate: see `EDITABLE_STATES`, `AMENDABLE`). */
export type TransitionAction = Exclude<BillAction, 'create' | 'amend' | 'merge'>;

export interface TransitionRule {
  action: TransitionAction;
  types: readonly BillType[];
  from: readonly BillState[];
  to: BillState;
  /** The action must say why (kept in the audit trail). */
  requiresReason?: boolean;
}

/** Every allowed transition. Anything else is refused. */
export const TRANSITIONS: readonly TransitionRule[] = [
  // Issue: number (quotes: none), dates, frozen render model.
  { action: 'close', types: ALL, from: ['open'], to: 'closed' },
  // Send, re-send a sent bill, resend a returned one (only payable bills can come back).
  { action: 'send', types: ALL, from: ['closed', 'sent'], to: 'sent' },
  { action: 'send', types: PAYABLE, from: ['returned'], to: 'sent' },
  // Paid by transfer or card before being e-mailed, after sending, or after a returned debit.
  { action: 'mark-paid', types: PAYABLE, from: ['closed', 'sent', 'returned'], to: 'paid' },
  // A debit comes back, also after it was booked as paid (SEPA returns arrive up to 8 weeks later).
  { action: 'mark-returned', types: PAYABLE, from: ['sent', 'paid'], to: 'returned' },
  { action: 'mark-irrecoverable', types: PAYABLE, from: ['sent', 'returned'], to: 'irrecoverable', requiresReason: true },
  // Discarding keeps the number (no gap) and the document; undo brings the bill back to closed.
  { action: 'discard', types: PAYABLE, from: ['closed', 'returned'], to: 'discarded', requiresReason: true },
  { action: 'discard', types: ['quote'], from: ['closed', 'sent'], to: 'discarded', requiresReason: true },
  { action: 'undo-discard', types: ALL, from: ['discarded'], to: 'closed' },
  // An accepted quote becomes an open invoice that links back to it.
  { action: 'convert', types: ['quote'], from: ['closed', 'sent'], to: 'converted' },
];

/** Lines can be added, moved and removed, bills merged and deleted, only while open. */
export const EDITABLE_STATES: readonly BillState[] = ['open'];

/** Issued invoices and fees can be amended (a new amendment bill; the original stays as it is). */
export const AMENDABLE: { types: readonly BillType[]; from: readonly BillState[] } = {
  types: ['invoice', 'fee'],
  from: ['closed', 'sent', 'paid', 'returned', 'irrecoverable'],
};

/** Who did it, when and why. */
export interface TransitionContext {
  actor: string;
  at: string;
  reason?: string;
}

/** The rule that lets `action` move this bill, if any. */
export function ruleFor(bill: Pick<Bill, 'type' | 'state'>, action: TransitionAction): TransitionRule | undefined {
  return TRANSITIONS.find((r) => r.action === action && r.types.includes(bill.type) && r.from.includes(bill.state));
}

/** Whether the bill's content (lines, notes) can change and the bill can be deleted or merged. */
export function isEditable(bill: Pick<Bill, 'state'>): boolean {
  return EDITABLE_STATES.includes(bill.state);
}

/** Whether an amendment can be issued for the bill. */
export function isAmendable(bill: Pick<Bill, 'type' | 'state'>): boolean {
  return AMENDABLE.types.includes(bill.type) && AMENDABLE.from.includes(bill.state);
}

/** What can be done with the bill now (the portal shows these as buttons). */
export function availableActions(bill: Pick<Bill, 'type' | 'state'>): string[] {
  const actions: string[] = TRANSITIONS.filter((r) => r.types.includes(bill.type) && r.from.includes(bill.state)).map((r) => r.action);
  if (isEditable(bill)) actions.push('edit-lines', 'merge', 'delete');
  if (isAmendable(bill)) actions.push('amend');
  return [...new Set(actions)];
}

function label(bill: Pick<Bill, 'id' | 'number' | 'type'>): string {
  return `${bill.type === 'quote' ? 'Quote' : 'Bill'} ${bill.number ?? bill.id}`;
}

/** Refuse content changes to an issued bill (409): issued bills are immutable, amend them instead. */
export function assertEditable(bill: Pick<Bill, 'id' | 'number' | 'type' | 'state'>, what = 'changed'): void {
  if (isEditable(bill)) return;
  const hint = isAmendable(bill) ? '; issue an amendment instead' : '';
  throw new ConflictError(`${label(bill)} is ${bill.state}: only open bills can be ${what}${hint}`, {
    state: bill.state,
    allowed: availableActions(bill),
  });
}

/** An audit entry. */
export function auditEntry(action: BillAction, from: BillState | null, to: BillState, ctx: TransitionContext): AuditEntry {
  return { action, from, to, actor: ctx.actor, at: ctx.at, ...(ctx.reason ? { reason: ctx.reason } : {}) };
}

/**
 * Apply a lifecycle action: the new state plus its audit entry. Pure; throws ConflictError (409) when the table does
 * not allow the action from the bill's state, ValidationError (422) when a required reason is missing.
 * @example transition(openBill, 'close', { actor: 'staff:usr_1', at: now }).state // 'closed'
 */
export function transition<B extends Pick<Bill, 'id' | 'number' | 'type' | 'state' | 'audit'>>(
  bill: B,
  action: TransitionAction,
  ctx: TransitionContext,
): B {
  const rule = ruleFor(bill, action);
  if (!rule) {
    const allowed = availableActions(bill);
    throw new ConflictError(
      `${label(bill)} is ${bill.state}: it cannot be ${action.replace('mark-', 'marked ')}${allowed.length ? ` (possible: ${allowed.join(', ')})` : ''}`,
      { state: bill.state, allowed },
    );
  }
  if (rule.requiresReason && !ctx.reason?.trim()) {
    throw new ValidationError(`Say why the bill is being ${action.replace('mark-', 'marked ')}`, [
      { path: ['reason'], message: 'Required' },
    ]);
  }
  return { ...bill, state: rule.to, audit: [...bill.audit, auditEntry(action, bill.state, rule.to, ctx)] };
}
