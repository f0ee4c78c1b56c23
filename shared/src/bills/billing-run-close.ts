import type { Account } from '../accounts/model';
import type { Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { TransientError } from '../core/errors';
import { DEFAULT_PAYMENT_SETTINGS, defaultSource, dueDateFor, hasMethodDueDays } from '../payments/model';
import type { PaymentSource } from '../payments/model';
import type { Bill, BillType } from './model';
import { formatNumber, isNumbered, seriesCode } from './numbering';
import { buildRenderModel, type RenderContext } from './render';
import { serialized } from './serial';
import { billBytes, billSettingsOf, closedForm, tenantOrThrow } from './use-cases';

// Closing a billing run's page of bills at once (docs/billing.md "Billing runs", docs/decisions.md "Closing a
// run's bills in blocks"). `closeBill` costs about eight requests per bill and one counter transaction per number,
// serialized per series; here the page's shared data is read once, the bills and accounts in batches, and each block
// of up to 32 bills of one series is issued in ONE transaction: the counter moves by the block's size and every bill
// of the block carries its number, claim and frozen document. The transaction is all or nothing, so a crash leaves
// whole blocks issued and the rest open (a resumed page numbers the rest next: still gapless), and a concurrent close
// elsewhere makes it fail on the counter (re-read, renumber, retry). Bills get numbers in id order.

/** Bills per transaction: 1 counter update + 3 items per bill (number claim, bill, document) + a logo ≤ 100 items. */
export const BILLS_PER_BLOCK = 32;
/** DynamoDB limits a transaction to 4 MB; blocks stay well below. */
const BLOCK_BYTES = 3_000_000;
const MAX_BLOCK_ATTEMPTS = 40;
const SOURCE_READS_AT_ONCE = 8;

/** What closing a page did: bills now issued (also those issued before), bills to close one by one, and failures. */
export interface PageCloseResult {
  issued: Set<string>;
  /** Open bills this path leaves to `closeBill` (quotes; bills that changed while a block was written). */
  single: string[];
  errors: { billId: string; accountId?: string; code: string; message: string }[];
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (i < items.length) await fn(items[i++]!);
    }),
  );
}

function failure(billId: string, accountId: string | undefined, error: unknown) {
  const e = error as { code?: string; message?: string };
  return {
    billId,
    ...(accountId ? { accountId } : {}),
    code: e.code ?? 'internal',
    message: e.code ? (e.message ?? '') : 'Unexpected error',
  };
}

/**
 * Issue the open bills among `billIds` (one billing-run page) in numbered blocks. Bills already issued count as
 * issued; a bill that cannot be issued (missing data: 422) is reported and the others go on.
 */
export async function closePageBills(deps: CoreDeps, actor: Actor, billIds: readonly string[], reason: string): Promise<PageCloseResult> {
  const tid = actor.tenantId;
  const result: PageCloseResult = { issued: new Set(), single: [], errors: [] };
  const [tenant, settings, paymentSettings, bills] = await Promise.all([
    tenantOrThrow(deps, tid),
    billSettingsOf(deps, tid),
    deps.store.payments.getSettings(tid),
    deps.store.bills.getMany(tid, billIds),
  ]);
  const found = new Set(bills.map((b) => b.id));
  for (const id of billIds) if (!found.has(id)) result.errors.push({ billId: id, code: 'not_found', message: `Bill ${id} not found` });
  const open: Bill[] = [];
  for (const bill of bills) {
    if (bill.state !== 'open') result.issued.add(bill.id);
    else if (!isNumbered(bill.type)) result.single.push(bill.id);
    else open.push(bill);
  }
  if (open.length === 0) return result;

  const accountIds = [...new Set(open.map((b) => b.accountId))];
  const accounts = new Map((await deps.store.billingRuns.accounts(tid, accountIds)).map((a): [string, Account] => [a.id, a]));
  // The default payment method only matters when the tenant gives some method its own due days (one query per
  // account otherwise saved: 10,000 in a run of 10,000 accounts).
  const sources = new Map<string, PaymentSource[]>();
  if (hasMethodDueDays(paymentSettings ?? DEFAULT_PAYMENT_SETTINGS)) {
    await pool(accountIds, SOURCE_READS_AT_ONCE, async (aid) => {
      sources.set(aid, await deps.store.payments.listSources(tid, aid));
    });
  }

  // The closed form of each bill (dates, tax, audit), grouped by series.
  const bySeries = new Map<string, { type: BillType; year: number; items: { base: Bill; version: number; context: RenderContext }[] }>();
  for (const bill of [...open].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const account = accounts.get(bill.accountId);
    if (!account) {
      result.errors.push({ billId: bill.id, accountId: bill.accountId, code: 'not_found', message: `Account ${bill.accountId} not found` });
      continue;
    }
    const context = { tenant, settings, account };
    const method = defaultSource(sources.get(bill.accountId) ?? [])?.method;
    try {
      const base = await closedForm(deps, actor, bill, context, { reason }, (issuedOn, dueDays) =>
        dueDateFor(issuedOn, dueDays, method, paymentSettings ?? DEFAULT_PAYMENT_SETTINGS),
      );
      const key = `${bill.type}#${base.fiscalYear}`;
      const group = bySeries.get(key) ?? { type: bill.type, year: base.fiscalYear!, items: [] };
      group.items.push({ base, version: bill.version, context });
      bySeries.set(key, group);
    } catch (error) {
      result.errors.push(failure(bill.id, bill.accountId, error));
    }
  }

  for (const group of bySeries.values()) {
    // Blocks of ≤ 32 bills and ≤ 3 MB (bill + document, approximately).
    const blocks: (typeof group.items)[] = [];
    let block: typeof group.items = [];
    let bytes = 0;
    for (const item of group.items) {
      const size = 2 * billBytes(item.base);
      if (block.length && (block.length >= BILLS_PER_BLOCK || bytes + size > BLOCK_BYTES)) {
        blocks.push(block);
        block = [];
        bytes = 0;
      }
      block.push(item);
      bytes += size;
    }
    if (block.length) blocks.push(block);
    for (const items of blocks) {
      await serialized(`${tid}#${group.type}#${group.year}`, () => issueBlock(deps, tid, group.type, group.year, items, result));
    }
  }
  return result;
}

/** Number a block from the counter and issue it in one transaction; on a lost race re-read and renumber. */
async function issueBlock(
  deps: CoreDeps,
  tid: string,
  type: BillType,
  year: number,
  block: readonly { base: Bill; version: number; context: RenderContext }[],
  result: PageCloseResult,
): Promise<void> {
  let items = [...block];
  for (let attempt = 0; items.length && attempt < MAX_BLOCK_ATTEMPTS; attempt += 1) {
    const last = await deps.store.bills.lastSequence(tid, type, year);
    const numbered = items.map(({ base, version, context }, i) => {
      const series = context.settings.series[type];
      const bill: Bill = {
        ...base,
        series: seriesCode(series, year),
        sequence: last + i + 1,
        number: formatNumber(series, year, last + i + 1),
      };
      return { bill: { ...bill, renderModel: buildRenderModel(bill, context) }, expectedVersion: version };
    });
    let outcome: Awaited<ReturnType<CoreDeps['store']['bills']['issueMany']>>;
    try {
      outcome = await deps.store.bills.issueMany(tid, numbered, { type, year, expectedLast: last });
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      outcome = { result: 'series-moved' };
    }
    if (outcome.result === 'issued') {
      for (const { bill } of numbered) result.issued.add(bill.id);
      return;
    }
    if (outcome.result === 'bill-changed') {
      // Edited, deleted or closed elsewhere meanwhile: leave it to closeBill, number the rest.
      const changed = outcome.billId;
      result.single.push(changed);
      items = items.filter((i) => i.base.id !== changed);
      continue;
    }
    await pause(Math.min(400, 5 * 2 ** Math.min(attempt, 7)) * (0.5 + Math.random()));
  }
  if (items.length) throw new TransientError('Too many bills are being closed in this series right now; try again');
}
