import { z } from 'zod';
import type { Actor } from '../core/actor';
import type { Clock } from '../core/clock';
import { LocalDate } from '../core/dates';

// Billing runs as records (issue 4 item 4, the scheduled part): a run bills every account of a tenant page by page,
// then optionally closes and sends the bills it made. The record is the run's memory: every step reads it, changes it
// with the pure functions below and writes it back at the version it read, so a run whose process died continues from
// the last committed page. Double billing is impossible regardless (orders move conditionally with their lines);
// the record only keeps the totals right.

export const BillingRunTrigger = z.enum(['schedule', 'manual']);
export type BillingRunTrigger = z.infer<typeof BillingRunTrigger>;
export const BillingRunState = z.enum(['running', 'completed', 'failed']);
export type BillingRunState = z.infer<typeof BillingRunState>;
/** What a running run does next. */
export const BillingRunPhase = z.enum(['billing', 'closing', 'sending', 'done']);
export type BillingRunPhase = z.infer<typeof BillingRunPhase>;

/** Errors kept on the record; the count goes on beyond. */
export const MAX_RUN_ERRORS = 50;
/** How long a step may hold the run without renewing: past it, a `running` run is considered dead and may be resumed. */
export const RUN_LEASE_MS = 10 * 60_000;

const Count = z.number().int().min(0);

export const BillingRunError = z.object({
  accountId: z.string().optional(),
  billId: z.string().optional(),
  code: z.string(),
  message: z.string(),
});
export type BillingRunError = z.infer<typeof BillingRunError>;

export const BillingRunTotals = z.object({
  /** Accounts of the tenant when the run started (N). */
  accounts: Count,
  /** Accounts billed so far (n). */
  accountsDone: Count,
  billsCreated: Count,
  billsAppended: Count,
  ordersBilled: Count,
  closed: Count,
  sent: Count,
  errors: Count,
});
export type BillingRunTotals = z.infer<typeof BillingRunTotals>;

export const BillingRun = z.object({
  tenantId: z.string(),
  id: z.string(),
  trigger: BillingRunTrigger,
  /** Who started it (bills' audit trails name this actor). */
  actor: z.looseObject({ type: z.enum(['staff', 'customer', 'system']), tenantId: z.string() }),
  startedBy: z.string(),
  billUntil: LocalDate,
  options: z.object({ autoClose: z.boolean(), autoSend: z.boolean() }),
  state: BillingRunState,
  phase: BillingRunPhase,
  /** Execution epoch: bumped by every resume; steps of an older execution stop (fencing). */
  attempt: z.number().int().min(1),
  totals: BillingRunTotals,
  errors: z.array(BillingRunError),
  progress: z.object({
    /** Pages of accounts committed; `cursor` is where the next page starts (absent with `listed`: all pages done). */
    billing: z.object({ pages: Count, cursor: z.string().optional(), listed: z.boolean(), startedPage: z.number().int().optional() }),
    /** Committed pages whose bills were closed / sent. */
    closing: z.object({ pages: Count }),
    sending: z.object({ pages: Count }),
  }),
  /** A `running` run whose lease expired has no live execution (crash, lost execution). */
  leaseExpiresAt: z.string(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  version: z.number().int().min(0),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
});
export type BillingRun = z.infer<typeof BillingRun>;

/** What one committed page of accounts did (kept as its own item: the bills to close and send later). */
export const BillingRunPage = z.object({
  tenantId: z.string(),
  runId: z.string(),
  index: Count,
  accountIds: z.array(z.string()),
  bills: z.array(z.object({ billId: z.string(), accountId: z.string(), created: z.boolean() })),
  ordersBilled: Count,
  errors: z.array(BillingRunError),
});
export type BillingRunPage = z.infer<typeof BillingRunPage>;

/** The tenant's schedule: a run on `dayOfMonth` (or the month's last day when shorter), billing until that day. */
export const BillingSchedule = z.strictObject({
  enabled: z.boolean().default(false),
  dayOfMonth: z.number().int().min(1).max(31).default(1),
  autoClose: z.boolean().default(false),
  autoSend: z.boolean().default(false),
});
export type BillingSchedule = z.output<typeof BillingSchedule>;

/** What the workflow carries between states: ids only, never the accounts themselves. */
export interface BillingRunExecution {
  tenantId: string;
  runId: string;
  attempt: number;
}

const leaseFrom = (clock: Clock) => new Date(clock.now().getTime() + RUN_LEASE_MS).toISOString();

/** A new run record, `running`, at the billing phase with nothing done. */
export function newBillingRun(input: {
  tenantId: string;
  id: string;
  trigger: BillingRunTrigger;
  actor: Actor;
  startedBy: string;
  billUntil: LocalDate;
  options: { autoClose: boolean; autoSend: boolean };
  clock: Clock;
}): BillingRun {
  const now = input.clock.now().toISOString();
  return {
    tenantId: input.tenantId,
    id: input.id,
    trigger: input.trigger,
    actor: input.actor,
    startedBy: input.startedBy,
    billUntil: input.billUntil,
    // Sending needs issued bills: auto-send implies auto-close.
    options: { autoClose: input.options.autoClose || input.options.autoSend, autoSend: input.options.autoSend },
    state: 'running',
    phase: 'billing',
    attempt: 1,
    totals: { accounts: 0, accountsDone: 0, billsCreated: 0, billsAppended: 0, ordersBilled: 0, closed: 0, sent: 0, errors: 0 },
    errors: [],
    progress: { billing: { pages: 0, listed: false }, closing: { pages: 0 }, sending: { pages: 0 } },
    leaseExpiresAt: leaseFrom(input.clock),
    version: 0,
    startedAt: now,
    updatedAt: now,
  };
}

/** The run as the next write stores it: a renewed lease, a new version. */
export function touched(run: BillingRun, clock: Clock): BillingRun {
  return { ...run, leaseExpiresAt: leaseFrom(clock), updatedAt: clock.now().toISOString(), version: run.version + 1 };
}

/** Whether no execution holds the run any more (it may be resumed). */
export function isStale(run: BillingRun, clock: Clock): boolean {
  return run.state === 'running' && run.leaseExpiresAt < clock.now().toISOString();
}

/** A run may be resumed when it failed or when its execution died (expired lease). */
export function canResume(run: BillingRun, clock: Clock): boolean {
  return run.state === 'failed' || isStale(run, clock);
}

/** The run taken over by a new execution: running again, the next attempt, its progress kept. */
export function resumed(run: BillingRun, clock: Clock): BillingRun {
  const { failure: _f, finishedAt: _d, ...rest } = run;
  return touched({ ...rest, state: 'running', attempt: run.attempt + 1 }, clock);
}

/** The phase after billing (or closing) is done, per the run's options. */
function phaseAfter(run: BillingRun, phase: 'billing' | 'closing' | 'sending'): BillingRunPhase {
  if (phase === 'billing' && run.options.autoClose) return 'closing';
  if (phase !== 'sending' && run.options.autoSend) return 'sending';
  return 'done';
}

/** Add errors, keeping at most {@link MAX_RUN_ERRORS} on the record; the count keeps growing. */
function withErrors(run: BillingRun, errors: readonly BillingRunError[]): Pick<BillingRun, 'errors' | 'totals'> {
  return {
    errors: [...run.errors, ...errors].slice(0, MAX_RUN_ERRORS),
    totals: { ...run.totals, errors: run.totals.errors + errors.length },
  };
}

/** Record that the billing of page `index` began (a second begin of the same page means a replay after a crash). */
export function pageStarted(run: BillingRun, index: number, clock: Clock): { run: BillingRun; replay: boolean } {
  const replay = run.progress.billing.startedPage === index;
  return {
    replay,
    run: touched({ ...run, progress: { ...run.progress, billing: { ...run.progress.billing, startedPage: index } } }, clock),
  };
}

/**
 * The run after page `page.index` committed: counters added, the cursor moved to `nextCursor`, and — when that was the
 * last page — the next phase. Throws RangeError for a page other than the next one (a stale or replayed commit).
 */
export function pageCommitted(run: BillingRun, page: BillingRunPage, nextCursor: string | undefined, clock: Clock): BillingRun {
  if (run.phase !== 'billing' || page.index !== run.progress.billing.pages)
    throw new RangeError(`Page ${page.index} is not the next page of run ${run.id}`);
  const created = page.bills.filter((b) => b.created).length;
  const errs = withErrors(run, page.errors);
  const listed = nextCursor === undefined;
  const next: BillingRun = {
    ...run,
    ...errs,
    totals: {
      ...errs.totals,
      accountsDone: run.totals.accountsDone + page.accountIds.length,
      // Accounts created during the run are billed too: N grows rather than n passing it.
      accounts: Math.max(run.totals.accounts, run.totals.accountsDone + page.accountIds.length),
      billsCreated: run.totals.billsCreated + created,
      billsAppended: run.totals.billsAppended + page.bills.length - created,
      ordersBilled: run.totals.ordersBilled + page.ordersBilled,
    },
    progress: {
      ...run.progress,
      billing: { pages: page.index + 1, listed, ...(nextCursor ? { cursor: nextCursor } : {}) },
    },
    phase: listed ? phaseAfter(run, 'billing') : 'billing',
  };
  return touched(next, clock);
}

/** The run after closing or sending the bills of its page `index`: `count` bills done, errors recorded. */
export function bookkeepingCommitted(
  run: BillingRun,
  phase: 'closing' | 'sending',
  index: number,
  count: number,
  errors: readonly BillingRunError[],
  clock: Clock,
): BillingRun {
  if (run.phase !== phase || index !== run.progress[phase].pages)
    throw new RangeError(`Page ${index} is not the next page to ${phase === 'closing' ? 'close' : 'send'} in run ${run.id}`);
  const errs = withErrors(run, errors);
  const last = index + 1 >= run.progress.billing.pages;
  const totals = { ...errs.totals, ...(phase === 'closing' ? { closed: run.totals.closed + count } : { sent: run.totals.sent + count }) };
  return touched(
    {
      ...run,
      errors: errs.errors,
      totals,
      progress: { ...run.progress, [phase]: { pages: index + 1 } },
      phase: last ? phaseAfter(run, phase) : phase,
    },
    clock,
  );
}

/** The run finished: completed (errors on single accounts or bills do not fail a run). */
export function completed(run: BillingRun, clock: Clock): BillingRun {
  const now = clock.now().toISOString();
  return { ...touched({ ...run, state: 'completed', phase: 'done' }, clock), finishedAt: now };
}

/** The run stopped on an error the workflow could not get past; resuming continues from its progress. */
export function failed(run: BillingRun, failure: { code: string; message: string }, clock: Clock): BillingRun {
  const now = clock.now().toISOString();
  return { ...touched({ ...run, state: 'failed' }, clock), failure, finishedAt: now };
}

/**
 * The scheduled run due for a tenant today, if any: its deterministic id (one per tenant and month) and the day it
 * bills until. Due from the configured day (the month's last day when the month is shorter) to the end of the month.
 */
export function scheduledRunDue(
  schedule: BillingSchedule | undefined,
  today: LocalDate,
): { runId: string; billUntil: LocalDate } | undefined {
  if (!schedule?.enabled) return undefined;
  const [year, month, day] = today.split('-').map(Number) as [number, number, number];
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < Math.min(schedule.dayOfMonth, lastDay)) return undefined;
  return { runId: `brn_scheduled_${today.slice(0, 7)}`, billUntil: today };
}

/** "n of N" for people: the share of accounts billed, 0–100. */
export function percentDone(run: BillingRun): number {
  if (run.state === 'completed') return 100;
  const { accounts, accountsDone } = run.totals;
  return accounts === 0 ? 0 : Math.min(100, Math.floor((accountsDone * 100) / accounts));
}
