import { z } from 'zod';
import { diffDays, type LocalDate } from '../core/dates';

// Dunning (issue 5 item 6): a per-tenant ladder of steps taken as an account's oldest overdue bill ages — reminders,
// an off-session card retry, suspension of the account's services, and a termination flag for staff. This file is
// pure: which steps are due, given the ladder, the overdue bills and what was already done. The use cases that apply
// them are in ./dunning-run.ts; docs/payments.md ("Dunning") explains the flow.

/** What a ladder step does. `terminate` flags the account for staff; it deletes nothing. */
export const DUNNING_ACTIONS = ['remind', 'retry-card', 'suspend', 'terminate'] as const;
export const DunningAction = z.enum(DUNNING_ACTIONS);
export type DunningAction = z.infer<typeof DunningAction>;

/** One step: take `action` once the oldest overdue bill is `afterDays` days past its due day. */
export const DunningStep = z.strictObject({
  afterDays: z.number().int().min(1).max(730),
  action: DunningAction,
});
export type DunningStep = z.infer<typeof DunningStep>;

/** Steps in strictly increasing `afterDays`; at most one `suspend` and one `terminate`. */
export const DunningLadder = z
  .array(DunningStep)
  .max(12)
  .superRefine((steps, ctx) => {
    steps.forEach((step, i) => {
      if (i > 0 && step.afterDays <= steps[i - 1]!.afterDays) {
        ctx.addIssue({ code: 'custom', path: [i, 'afterDays'], message: 'Use more days than the step before' });
      }
    });
    for (const action of ['suspend', 'terminate'] as const) {
      if (steps.filter((s) => s.action === action).length > 1) {
        ctx.addIssue({ code: 'custom', path: [], message: `Use at most one ${action} step` });
      }
    }
  });
export type DunningLadder = z.infer<typeof DunningLadder>;

/** The ladder a tenant gets until it sets its own (docs/payments.md). */
export const DEFAULT_DUNNING_LADDER: DunningLadder = [
  { afterDays: 7, action: 'remind' },
  { afterDays: 14, action: 'remind' },
  { afterDays: 21, action: 'retry-card' },
  { afterDays: 30, action: 'suspend' },
  { afterDays: 60, action: 'terminate' },
];

/** Tenant dunning settings, kept inside the payment settings. */
export const DunningSettings = z.strictObject({
  enabled: z.boolean().default(true),
  ladder: DunningLadder.default(DEFAULT_DUNNING_LADDER),
});
export type DunningSettings = z.output<typeof DunningSettings>;

/** A step taken. */
export const DunningStepDone = z.strictObject({
  /** Position in the ladder when it was taken. */
  index: z.number().int().nonnegative(),
  action: DunningAction,
  afterDays: z.number().int(),
  /** Tenant-local day it was taken. */
  on: z.string(),
  /** The overdue bills at that moment. */
  billIds: z.array(z.string()),
  /** What happened: a mail id, a transaction id, a failure… */
  note: z.string().max(500).optional(),
});
export type DunningStepDone = z.infer<typeof DunningStepDone>;

/** Dunning state of one account (one item per account while it is being dunned; removed when it is settled). */
export const DunningRecord = z.strictObject({
  tenantId: z.string().min(1),
  accountId: z.string().min(1),
  /** Ladder steps taken so far: steps with a lower index are never taken again. */
  level: z.number().int().nonnegative(),
  steps: z.array(DunningStepDone),
  /** Services this ladder disabled — the only ones it re-enables. */
  suspendedServiceIds: z.array(z.string()),
  /** Day the terminate step flagged the account for staff. */
  terminationFlaggedOn: z.string().optional(),
  startedOn: z.string(),
  updatedAt: z.string(),
  version: z.number().int().nonnegative(),
});
export type DunningRecord = z.infer<typeof DunningRecord>;

/** An overdue bill as the ladder sees it. */
export interface OverdueBill {
  id: string;
  dueOn: LocalDate;
}

/** Days the oldest bill is past its due day (0 when none is). */
export function daysPastDue(bills: readonly OverdueBill[], today: LocalDate): number {
  return bills.reduce((max, b) => Math.max(max, diffDays(b.dueOn, today)), 0);
}

/**
 * The ladder steps to take now, in order: those not yet taken (index ≥ `level`) whose `afterDays` the oldest overdue
 * bill has reached. Deterministic; taking them and storing `level = last index + 1` makes a second call return
 * nothing (idempotent). No overdue bills → nothing.
 */
export function dueDunningSteps(
  ladder: DunningLadder,
  level: number,
  bills: readonly OverdueBill[],
  today: LocalDate,
): { index: number; step: DunningStep }[] {
  const days = daysPastDue(bills, today);
  if (days <= 0) return [];
  return ladder.map((step, index) => ({ index, step })).filter(({ index, step }) => index >= level && step.afterDays <= days);
}
