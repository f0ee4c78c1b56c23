import { z } from 'zod';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { LocalDate } from '../core/dates';
import { ConflictError, NotFoundError, TransientError } from '../core/errors';
import { newId } from '../core/ids';
import { PageQuery } from '../core/schemas';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import { billAccount, billingContext, type AccountRunResult, type RunContext } from './billing-run';
import type { BillDocumentPorts } from './mail';
import {
  bookkeepingCommitted,
  canResume,
  completed,
  failed,
  isStale,
  newBillingRun,
  pageCommitted,
  pageStarted,
  percentDone,
  resumed,
  scheduledRunDue,
  touched,
  type BillingRun,
  type BillingRunError,
  type BillingRunExecution,
  type BillingRunPage,
  type BillingRunPhase,
} from './runs';
import { actOnBill, billSettingsOf, closeBill, tenantOrThrow } from './use-cases';
import { closePageBills } from './billing-run-close';
import { eachTenant } from '../tenancy/each-tenant';
import type { PaymentPorts } from '../ports/payments';
import type { PaymentSettings } from '../payments/model';
import { chargeOnClose, paymentSettingsOf } from '../payments/stripe';

// Billing runs as use cases: start, list, show and resume (staff, over the API), the scheduled trigger, and the steps
// the billing-run workflow calls (functions/src/workflows/billing-run-definition.ts). Steps carry only ids; each one
// reads the run record, checks its execution still owns the run, does one bounded piece of work and commits it.

/** Starts the billing-run workflow for a run (AWS: StartExecution; locally: the in-process state machine). */
export interface BillingRunPorts {
  startBillingRun(execution: BillingRunExecution): Promise<void>;
}

/** Accounts per page: one page is listed, billed and committed by one pair of workflow steps. */
export const ACCOUNTS_PER_PAGE = 100;
/** Accounts of a page billed at once. */
export const ACCOUNT_CONCURRENCY = 8;
const BILL_CONCURRENCY = 4;

/** Thrown by a step of an execution that no longer owns its run (resumed elsewhere, or finished). */
export class BillingRunSuperseded extends Error {
  override readonly name = 'BillingRunSuperseded';
}

export const StartBillingRunInput = z.strictObject({
  /** Bill up to this day; today in the tenant's time zone by default. */
  billUntil: LocalDate.optional(),
  autoClose: z.boolean().default(false),
  /** Send the bills the run issued to the accounts' billing contacts (implies autoClose). */
  autoSend: z.boolean().default(false),
});
export type StartBillingRunInput = z.input<typeof StartBillingRunInput>;

/** A run as the API shows it: the record without the starting actor's details, plus the share done. */
export function billingRunView(run: BillingRun) {
  const { actor: _actor, version: _version, ...rest } = run;
  return { ...rest, percentDone: percentDone(run) };
}

async function runOrThrow(deps: CoreDeps, actor: Actor, runId: string): Promise<BillingRun> {
  const run = await deps.store.billingRuns.get(actor.tenantId, runId);
  if (!run) throw new NotFoundError('Billing run', runId);
  return run;
}

function staffOnly(actor: Actor, permission: 'bills:read' | 'bills:write') {
  authorize(actor, permission);
  // Runs span every account of the tenant: customers see none.
  if (actor.type === 'customer') throw new NotFoundError('Billing run');
}

/** Hand the run to the workflow; when that fails the run is marked failed (resume retries) and the error thrown. */
async function launch(deps: CoreDeps & BillingRunPorts, run: BillingRun): Promise<BillingRun> {
  try {
    await deps.startBillingRun({ tenantId: run.tenantId, runId: run.id, attempt: run.attempt });
    return run;
  } catch (error) {
    const next = failed(run, { code: 'start-failed', message: (error as Error).message }, deps.clock);
    await deps.store.billingRuns.update(next, run.version).catch(() => undefined);
    throw new TransientError(`The billing run ${run.id} could not be started; resume it later`, { cause: error });
  }
}

/**
 * Start a billing run over every account of the tenant (202: it runs in the background). Progress, errors and the
 * bills it made are on the run record.
 * @example await startBillingRun(deps, actor, { billUntil: '2026-06-30', autoClose: true })
 */
export async function startBillingRun(deps: CoreDeps & BillingRunPorts, actor: Actor, input?: unknown) {
  staffOnly(actor, 'bills:write');
  const data = parseInput(StartBillingRunInput, input ?? {});
  const tenant = await tenantOrThrow(deps, actor.tenantId);
  const run = newBillingRun({
    tenantId: tenant.id,
    id: newId('billingRun', deps.clock),
    trigger: 'manual',
    actor,
    startedBy: describeActor(actor),
    billUntil: data.billUntil ?? todayIn(deps.clock, tenant.timeZone),
    options: { autoClose: data.autoClose, autoSend: data.autoSend },
    clock: deps.clock,
  });
  await deps.store.billingRuns.create(run);
  return billingRunView(await launch(deps, run));
}

/** The tenant's billing runs, newest first. */
export async function listBillingRuns(deps: CoreDeps, actor: Actor, query?: unknown) {
  staffOnly(actor, 'bills:read');
  const { limit, cursor } = parseInput(PageQuery, query ?? {});
  const page = await deps.store.billingRuns.list(actor.tenantId, { limit, cursor });
  return { items: page.items.map(billingRunView), nextCursor: page.nextCursor };
}

export async function getBillingRun(deps: CoreDeps, actor: Actor, runId: string) {
  staffOnly(actor, 'bills:read');
  return billingRunView(await runOrThrow(deps, actor, runId));
}

/**
 * Resume a run that failed or whose execution died (its lease expired): a new execution continues from the last
 * committed page. 409 while the run is alive or once it completed.
 */
export async function resumeBillingRun(deps: CoreDeps & BillingRunPorts, actor: Actor, runId: string) {
  staffOnly(actor, 'bills:write');
  const run = await runOrThrow(deps, actor, runId);
  if (!canResume(run, deps.clock)) {
    throw new ConflictError(
      run.state === 'completed' ? `Billing run ${run.id} has completed` : `Billing run ${run.id} is still running (its lease is live)`,
      { state: run.state, leaseExpiresAt: run.leaseExpiresAt },
    );
  }
  const next = resumed(run, deps.clock);
  await deps.store.billingRuns.update(next, run.version);
  return billingRunView(await launch(deps, next));
}

// -----------------------------------------------------------------------------------------------------------------
// Triggers (system)

/**
 * The hourly schedule: start the month's run of every tenant whose schedule is due (one per tenant and month — the
 * run id is deterministic and created conditionally), and resume runs whose execution died.
 */
export async function startScheduledBillingRuns(deps: CoreDeps & BillingRunPorts): Promise<{ started: string[]; resumed: string[] }> {
  const started: string[] = [];
  const resumedRuns: string[] = [];
  await eachTenant(deps, async (tenantId) => {
    const [tenant, settings] = await Promise.all([deps.store.tenants.get(tenantId), billSettingsOf(deps, tenantId)]);
    if (!tenant) return;
    const due = scheduledRunDue(settings.schedule, todayIn(deps.clock, tenant.timeZone));
    if (due) {
      const actor: Actor = { type: 'system', tenantId, reason: 'scheduled billing run' };
      const run = newBillingRun({
        tenantId,
        id: due.runId,
        trigger: 'schedule',
        actor,
        startedBy: describeActor(actor),
        billUntil: due.billUntil,
        options: { autoClose: settings.schedule.autoClose, autoSend: settings.schedule.autoSend },
        clock: deps.clock,
      });
      try {
        await deps.store.billingRuns.create(run);
        await launch(deps, run);
        started.push(`${tenantId}/${run.id}`);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    resumedRuns.push(...(await resumeStaleRunsOf(deps, tenantId)));
  });
  return { started, resumed: resumedRuns };
}

async function resumeStaleRunsOf(deps: CoreDeps & BillingRunPorts, tenantId: string): Promise<string[]> {
  const out: string[] = [];
  const recent = await deps.store.billingRuns.list(tenantId, { limit: 20 });
  for (const run of recent.items.filter((r) => isStale(r, deps.clock))) {
    const next = resumed(run, deps.clock);
    try {
      await deps.store.billingRuns.update(next, run.version);
    } catch (error) {
      if (error instanceof ConflictError) continue; // someone else resumed it
      throw error;
    }
    await launch(deps, next);
    out.push(`${tenantId}/${run.id}`);
  }
  return out;
}

/** Resume every run left `running` with an expired lease (the local runtime at start: its executions were in memory). */
export async function resumeStaleBillingRuns(deps: CoreDeps & BillingRunPorts): Promise<string[]> {
  const out: string[] = [];
  await eachTenant(deps, async (tenantId) => {
    out.push(...(await resumeStaleRunsOf(deps, tenantId)));
  });
  return out;
}

// -----------------------------------------------------------------------------------------------------------------
// Workflow steps

/** What the workflow passes between states: the execution's ids, the phase, and for billing the page at hand. */
export interface BillingRunStepState extends BillingRunExecution {
  phase?: BillingRunPhase;
  page?: { index: number; accountIds: string[]; nextCursor?: string };
}

/** Test hooks: a step can be made to stop half-way (a crash) without the workflow noticing. */
export interface BillingRunStepHooks {
  /** Awaited before each account of a page is billed. */
  beforeAccount?(accountId: string, page: number): Promise<void>;
}

async function owned(deps: CoreDeps, exec: BillingRunExecution): Promise<BillingRun> {
  const run = await deps.store.billingRuns.get(exec.tenantId, exec.runId);
  if (!run) throw new NotFoundError('Billing run', exec.runId);
  if (run.attempt !== exec.attempt || run.state !== 'running') {
    throw new BillingRunSuperseded(`Billing run ${run.id} is ${run.state} at attempt ${run.attempt}; execution ${exec.attempt} stops`);
  }
  return run;
}

const next = (exec: BillingRunExecution, phase: BillingRunPhase): BillingRunStepState => ({
  tenantId: exec.tenantId,
  runId: exec.runId,
  attempt: exec.attempt,
  phase,
});

/** First step: take the run (renew its lease) and count its accounts if not yet done. */
export async function beginStep(deps: CoreDeps, exec: BillingRunExecution): Promise<BillingRunStepState> {
  const run = await owned(deps, exec);
  const isFresh = run.progress.billing.pages === 0 && run.totals.accounts === 0;
  const accounts = isFresh ? await deps.store.billingRuns.countAccounts(run.tenantId) : run.totals.accounts;
  await deps.store.billingRuns.update(touched({ ...run, totals: { ...run.totals, accounts } }, deps.clock), run.version);
  return next(exec, run.phase);
}

/** List the next page of accounts (ids and the cursor after them; nothing is kept in memory between pages). */
export async function listAccountsStep(
  deps: CoreDeps,
  exec: BillingRunExecution,
  pageSize = ACCOUNTS_PER_PAGE,
): Promise<BillingRunStepState> {
  const run = await owned(deps, exec);
  if (run.phase !== 'billing') return next(exec, run.phase);
  const page = await deps.store.billingRuns.accountIds(run.tenantId, { limit: pageSize, cursor: run.progress.billing.cursor });
  return {
    ...next(exec, run.phase),
    page: { index: run.progress.billing.pages, accountIds: page.items, ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) },
  };
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

/**
 * What this run did to an account so far, read back from the account's open bills (the effects it wrote carry the
 * run's `runAt`). Used when a page is billed again after a crash: the first attempt's work is found, not redone.
 */
async function billedByRun(ctx: RunContext, accountId: string, since: string): Promise<Pick<AccountRunResult, 'bills' | 'ordersBilled'>> {
  const result: Pick<AccountRunResult, 'bills' | 'ordersBilled'> = { bills: [], ordersBilled: 0 };
  for (const type of ['invoice', 'fee'] as const) {
    for (const bill of await ctx.deps.store.bills.listOpen(ctx.tenant.id, accountId, type)) {
      const mine = bill.effects.filter((e) => e.runAt === ctx.runAt);
      if (mine.length === 0) continue;
      result.ordersBilled += mine.length;
      result.bills.push({ billId: bill.id, type, linesAdded: 0, created: bill.createdAt >= since });
    }
  }
  return result;
}

/**
 * Bill one page of accounts (each through `billAccount`; an account that fails is recorded and the others go on),
 * then commit the page and the run's progress in one transaction. A page begun before (the process died) is billed
 * again — orders already billed have moved on, so nothing is billed twice — and its totals are read back from the bills.
 */
export async function billAccountsStep(
  deps: CoreDeps,
  state: BillingRunStepState,
  hooks: BillingRunStepHooks = {},
  concurrency = ACCOUNT_CONCURRENCY,
): Promise<BillingRunStepState> {
  const page = state.page;
  if (!page) throw new RangeError('billAccountsStep needs a page');
  const run = await owned(deps, state);
  // Committed already (a retried step whose first try succeeded): move on.
  if (run.phase !== 'billing' || run.progress.billing.pages !== page.index) return next(state, run.phase);
  const { run: started, replay } = pageStarted(run, page.index, deps.clock);
  await deps.store.billingRuns.update(started, run.version);

  // The page's accounts and contracted packs in two requests (not two per account).
  const [ctx, accounts, contracts] = await Promise.all([
    billingContext(deps, run.actor as Actor, run.billUntil, run.startedAt),
    deps.store.billingRuns.accounts(run.tenantId, page.accountIds),
    deps.store.billingRuns.contractedPacks(run.tenantId, page.accountIds),
  ]);
  const accountById = new Map(accounts.map((a) => [a.id, a]));
  const results: AccountRunResult[] = [];
  await pool(page.accountIds, concurrency, async (accountId) => {
    await hooks.beforeAccount?.(accountId, page.index);
    const result = await billAccount(ctx, accountId, undefined, {
      account: accountById.get(accountId),
      contracts: contracts.filter((c) => c.accountId === accountId),
    });
    results.push(replay && !result.error ? { ...result, ...(await billedByRun(ctx, accountId, run.startedAt)) } : result);
  });
  const record: BillingRunPage = {
    tenantId: run.tenantId,
    runId: run.id,
    index: page.index,
    accountIds: page.accountIds,
    bills: results.flatMap((r) => r.bills.map((b) => ({ billId: b.billId, accountId: r.accountId, created: b.created }))),
    ordersBilled: results.reduce((n, r) => n + r.ordersBilled, 0),
    errors: results.flatMap((r) => (r.error ? [{ accountId: r.accountId, ...r.error }] : [])),
  };
  const committed = pageCommitted(started, record, page.nextCursor, deps.clock);
  await deps.store.billingRuns.update(committed, started.version, record);
  return next(state, committed.phase);
}

/**
 * Issue (close) the open bills of the next committed page; counts the page's bills that end up issued. The page's
 * bills are numbered in blocks (billing-run-close.ts: one transaction per ≤ 32 bills of a series); what that leaves
 * (quotes, bills changed meanwhile) goes through `closeBill` one by one. A run that does not send charges each closed
 * bill to the account's default saved card here (payments/stripe.ts chargeOnClose, idempotent, never failing the
 * step); a run that sends charges after sending, so the bill is e-mailed first.
 */
export async function closeBillsStep(deps: CoreDeps & PaymentPorts, exec: BillingRunExecution): Promise<BillingRunStepState> {
  const charge = pageCharger(deps);
  return bookkeepingStep(
    deps,
    exec,
    'closing',
    async (run, billId, known) => {
      let issued = known === 'done';
      if (!issued) {
        const bill = await deps.store.bills.get(run.tenantId, billId);
        if (!bill) throw new NotFoundError('Bill', billId);
        issued =
          bill.state === 'open'
            ? (await closeBill(deps, run.actor as Actor, billId, { reason: `Billing run ${run.id}` })).state !== 'open'
            : true;
      }
      if (issued && !run.options.autoSend) await charge(run.tenantId, billId);
      return issued;
    },
    async (run, billIds) => {
      const closed = await closePageBills(deps, run.actor as Actor, billIds, `Billing run ${run.id}`);
      return { done: closed.issued, failed: closed.errors };
    },
  );
}

/** E-mail the issued bills of the next committed page to their accounts; counts the page's bills that end up sent. */
export async function sendBillsStep(
  deps: CoreDeps & BillDocumentPorts & PaymentPorts,
  exec: BillingRunExecution,
): Promise<BillingRunStepState> {
  const charge = pageCharger(deps);
  return bookkeepingStep(deps, exec, 'sending', async (run, billId) => {
    const bill = await deps.store.bills.get(run.tenantId, billId);
    if (!bill) throw new NotFoundError('Bill', billId);
    let sent = bill.state === 'sent' || Boolean(bill.sentTo?.length);
    if (bill.state === 'closed' && !bill.sentTo?.length) {
      sent = (await actOnBill(deps, run.actor as Actor, billId, 'send', { reason: `Billing run ${run.id}` })).state === 'sent';
    }
    // The automatic charge (idempotent: at most one per bill, also when this step is replayed).
    if (sent || bill.state === 'closed') await charge(run.tenantId, billId);
    return sent;
  });
}

/**
 * The automatic charge of one step's page of bills: the tenant's payment settings are read once for the page, not
 * once per bill (10,000 reads a run at 10,000 accounts, most of them for tenants that take no cards).
 */
function pageCharger(deps: CoreDeps & PaymentPorts) {
  let settings: Promise<PaymentSettings> | undefined;
  return (tenantId: string, billId: string) => {
    settings ??= paymentSettingsOf(deps, tenantId);
    return chargeOnClose(deps, tenantId, billId, settings);
  };
}

async function bookkeepingStep(
  deps: CoreDeps,
  exec: BillingRunExecution,
  phase: 'closing' | 'sending',
  act: (run: BillingRun, billId: string, known?: 'done') => Promise<boolean>,
  /** Work on the page's bills at once first: bills it `done` are acted on as such, bills it `failed` are not. */
  before?: (run: BillingRun, billIds: string[]) => Promise<{ done: ReadonlySet<string>; failed: readonly BillingRunError[] }>,
): Promise<BillingRunStepState> {
  const run = await owned(deps, exec);
  if (run.phase !== phase) return next(exec, run.phase);
  const index = run.progress[phase].pages;
  const page = await deps.store.billingRuns.getPage(run.tenantId, run.id, index);
  if (!page) throw new NotFoundError('Billing run page', `${run.id}#${index}`);
  let count = 0;
  const errors: BillingRunError[] = [];
  let bills = [...new Map(page.bills.map((b) => [b.billId, b])).values()];
  const batch = before
    ? await before(
        run,
        bills.map((b) => b.billId),
      )
    : undefined;
  if (batch) {
    const accountOf = new Map(bills.map((b) => [b.billId, b.accountId]));
    const failed = new Set(batch.failed.map((e) => e.billId));
    errors.push(...batch.failed.map((e) => ({ ...e, accountId: e.accountId ?? accountOf.get(e.billId ?? '') })));
    bills = bills.filter((b) => !failed.has(b.billId));
  }
  await pool(bills, BILL_CONCURRENCY, async (b) => {
    try {
      if (await act(run, b.billId, batch?.done.has(b.billId) ? 'done' : undefined)) count += 1;
    } catch (error) {
      const e = error as { code?: string; message?: string };
      errors.push({
        accountId: b.accountId,
        billId: b.billId,
        code: e.code ?? 'internal',
        message: e.code ? (e.message ?? '') : 'Unexpected error',
      });
    }
  });
  // The bills were worked on under the lease read above; commit against the record as it is now.
  const current = await owned(deps, exec);
  const committed = bookkeepingCommitted(current, phase, index, count, errors, deps.clock);
  await deps.store.billingRuns.update(committed, current.version);
  return next(exec, committed.phase);
}

/** Last step: the run completed. */
export async function finishStep(deps: CoreDeps, exec: BillingRunExecution) {
  const run = await owned(deps, exec);
  const done = completed(run, deps.clock);
  await deps.store.billingRuns.update(done, run.version);
  return billingRunView(done);
}

/** The workflow caught an error it cannot get past: the run fails (resumable). A superseded execution changes nothing. */
export async function failStep(deps: CoreDeps, exec: BillingRunExecution & { error?: { Error?: string; Cause?: string } }) {
  let run: BillingRun;
  try {
    run = await owned(deps, exec);
  } catch (error) {
    if (error instanceof BillingRunSuperseded) return { superseded: true };
    throw error;
  }
  const code = exec.error?.Error ?? 'internal';
  let message = exec.error?.Cause ?? '';
  try {
    message = (JSON.parse(message) as { errorMessage?: string }).errorMessage ?? message;
  } catch {
    // A plain-text cause.
  }
  const done = failed(run, { code, message: message.slice(0, 1000) }, deps.clock);
  await deps.store.billingRuns.update(done, run.version);
  return billingRunView(done);
}
