import { createHash } from 'node:crypto';
import { z } from 'zod';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { Money } from '../core/money';
import { PageQuery } from '../core/schemas';
import { parseInput } from '../core/validate';
import { wentOut, type CreditTransferBatch, type Refund, type RefundState, type Transaction, type TransactionState } from './model';
import { cancelCreditTransferBatch } from './credit-transfers';
import { settleRefund } from './refunds';
import { setMandateStatusBySystem } from './mandates';
import { parseBankReport, type BankReport, type BankReportEntry } from './sepa/reports';
import { returnPolicy } from './sepa/reasons';
import { transitionTransaction } from './transactions';

// Importing what the bank says about our collections (issue 5): pain.002 status reports and camt.054 / camt.053
// R-transactions and settlements. Each entry is matched to a `sepa_debit` transaction by EndToEndId, else by mandate
// reference + amount (a transaction still open or settled), and a file- or block-level reject by the batch's message
// id and payment information id. Preview shows the matches and what would happen; apply does it:
// rejected → failed; settled → succeeded; returned → (succeeded, if still processing) → returned with the reason code
// and the bank's charges, and the mandate invalidated or revoked per the reason-code policy (./sepa/reasons.ts). Bills
// follow through `transitionTransaction` (returned when a paid bill's money comes back) — issued bills are never
// edited. A file is imported once: the second import of the same bytes changes nothing and returns the first result.
//
// The same files speak about the refunds we paid by credit transfer (pain.001, ./credit-transfers.ts): an entry whose
// EndToEndId or original message id belongs to one of our credit-transfer batches is matched to its refunds instead —
// rejected → the refund fails (or, if the batch was already marked executed, comes back); settled (a debit entry) →
// the refund succeeded; returned (a credit entry with RtrInf) → the refund is `returned` with the reason code and the
// bank's charges, so its money is refundable again (./refunds.ts settleRefund).

/** Upload body: the file's text (XML) and, for the record, its name. */
export const ImportInput = z.strictObject({
  fileName: z.string().trim().max(200).optional(),
  content: z.string().min(1, 'The file is empty').max(5_000_000, 'Files up to 5 MB'),
});

/** What an entry resolves to and what applying it does. */
export interface ImportLine extends BankReportEntry {
  /**
   * How it was matched, and to what (transaction entries: one; block/file rejects: every debit or transfer of it).
   * `refunds` is set when the entry is about credit transfers: the refunds it moves (their transactions are listed too).
   */
  match?: {
    by: 'endToEndId' | 'mandate+amount' | 'batch';
    transactionIds: string[];
    accountIds: string[];
    billIds: string[];
    refunds?: { transactionId: string; refundId: string }[];
  };
  /**
   * none: nothing to do (already in that state, or unmatched); otherwise the transaction's (or refund's) new state —
   * `requeue`: the bank refused a credit-transfer file (or a block of it) whole, so the batch is cancelled and its
   * refunds wait for the next one (the payees were not at fault).
   */
  action: 'none' | 'fail' | 'succeed' | 'return' | 'requeue';
  /** What happens to the mandate (returns only). */
  mandateAction?: 'keep' | 'invalidate' | 'revoke';
  policy?: string;
  note?: string;
}

export interface ImportResult {
  id?: string;
  format: BankReport['format'];
  messageId: string;
  fileName?: string;
  sha256: string;
  alreadyImported: boolean;
  lines: ImportLine[];
  summary: { entries: number; matched: number; unmatched: number; changes: number };
  importedAt?: string;
  importedBy?: string;
}

const TARGET: Record<BankReportEntry['outcome'], { action: ImportLine['action']; state: TransactionState }> = {
  rejected: { action: 'fail', state: 'failed' },
  settled: { action: 'succeed', state: 'succeeded' },
  returned: { action: 'return', state: 'returned' },
};

/** Whether a transaction in `state` still has to move for this outcome (false: already there, or cannot). */
function needsMove(state: TransactionState, outcome: BankReportEntry['outcome']): { move: boolean; note?: string } {
  if (outcome === 'rejected') {
    if (state === 'failed') return { move: false, note: 'Already failed' };
    if (state === 'processing' || state === 'created') return { move: true };
    return { move: false, note: `The transaction is ${state}; a reject can only fail an open collection` };
  }
  if (outcome === 'settled') {
    if (state === 'processing' || state === 'created') return { move: true };
    return { move: false, note: state === 'succeeded' ? 'Already settled' : `The transaction is ${state}` };
  }
  if (state === 'returned') return { move: false, note: 'Already returned' };
  if (state === 'processing' || state === 'created' || state === 'succeeded') return { move: true };
  return { move: false, note: `The transaction is ${state}; it cannot be returned` };
}

async function findByMandateAndAmount(deps: CoreDeps, tenantId: string, entry: BankReportEntry): Promise<Transaction | undefined> {
  if (!entry.mandateId || !entry.amount) return undefined;
  const mandateId = await deps.store.sepa.findMandateByReference(tenantId, entry.mandateId);
  if (!mandateId) return undefined;
  const mandate = await deps.store.sepa.getMandate(tenantId, mandateId);
  if (!mandate) return undefined;
  // The account's SEPA transactions under this mandate with this amount, newest first; prefer one the outcome moves.
  const found: Transaction[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.payments.listByAccount(tenantId, mandate.accountId, { limit: 100, cursor });
    cursor = page.nextCursor;
    found.push(
      ...page.items.filter(
        (t) => t.method === 'sepa_debit' && t.refs.sepa?.mandateId === entry.mandateId && new Money(t.amount).eq(entry.amount!),
      ),
    );
  } while (cursor && found.length < 20);
  found.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  return found.find((t) => needsMove(t.state, entry.outcome).move) ?? found[0];
}

/** Whether a refund in `state` still has to move for this outcome. */
function refundNeedsMove(state: RefundState, outcome: BankReportEntry['outcome']): { move: boolean; note?: string } {
  if (state === 'failed' || state === 'returned')
    return { move: false, note: `The refund ${state === 'failed' ? 'failed' : 'was returned'} already` };
  if (outcome === 'settled')
    return state === 'batched'
      ? { move: true }
      : { move: false, note: state === 'succeeded' ? 'Already executed' : `The refund is ${state}` };
  // rejected or returned: money that went out (or was about to) comes back; a refund not in a file yet cannot.
  return wentOut({ state }) ? { move: true } : { move: false, note: `The refund is ${state}` };
}

/**
 * Which of our payments a camt entry can be about, from the side of the account it books: a collection's settlement
 * comes in (CRDT) and its return goes out (DBIT); a credit transfer goes out (DBIT) and comes back (CRDT). Undefined
 * when the report does not say (pain.002): either.
 */
function instrumentOf(entry: BankReportEntry): 'collection' | 'transfer' | undefined {
  if (!entry.side) return undefined;
  return (entry.side === 'CRDT') === (entry.outcome === 'settled') ? 'collection' : 'transfer';
}

/** The credit-transfer batch an entry names: by original message id, else by the message id inside its EndToEndId. */
async function creditTransferOf(deps: CoreDeps, tenantId: string, entry: BankReportEntry): Promise<CreditTransferBatch | undefined> {
  const candidates = [entry.originalMessageId, entry.endToEndId?.replace(/-\d{4}$/, '')].filter((m): m is string => !!m);
  for (const messageId of new Set(candidates)) {
    const batchId = await deps.store.payments.findCreditTransferBatchByMessageId(tenantId, messageId);
    const batch = batchId ? await deps.store.payments.getCreditTransferBatch(tenantId, batchId) : undefined;
    if (batch) return batch;
  }
  return undefined;
}

/**
 * The refunds an entry is about, when it names one of our credit transfers (a camt entry on the transfer's side: debit
 * for executed, credit for returned; a pain.002 by the batch's message id).
 */
async function matchRefunds(
  deps: CoreDeps,
  tenantId: string,
  entry: BankReportEntry,
): Promise<{ by: 'endToEndId' | 'batch'; items: CreditTransferBatch['items'] } | undefined> {
  if (instrumentOf(entry) === 'collection') return undefined;
  const batch = await creditTransferOf(deps, tenantId, entry);
  if (!batch) return undefined;
  if (entry.scope === 'transaction') {
    const item = batch.items.find((i) => i.endToEndId === entry.endToEndId);
    return item ? { by: 'endToEndId', items: [item] } : undefined;
  }
  return batch.items.length ? { by: 'batch', items: batch.items } : undefined;
}

async function matchEntry(
  deps: CoreDeps,
  tenantId: string,
  entry: BankReportEntry,
): Promise<{ by: NonNullable<ImportLine['match']>['by']; txs: Transaction[] } | undefined> {
  if (instrumentOf(entry) === 'transfer') return undefined;
  if (entry.scope === 'transaction') {
    if (entry.endToEndId) {
      const id = await deps.store.payments.findByRef(tenantId, 'sepaEndToEnd', entry.endToEndId);
      const tx = id ? await deps.store.payments.get(tenantId, id) : undefined;
      if (tx) return { by: 'endToEndId', txs: [tx] };
    }
    const tx = await findByMandateAndAmount(deps, tenantId, entry);
    return tx ? { by: 'mandate+amount', txs: [tx] } : undefined;
  }
  if (!entry.originalMessageId) return undefined;
  const batchId = await deps.store.sepa.findBatchByMessageId(tenantId, entry.originalMessageId);
  const batch = batchId ? await deps.store.sepa.getBatch(tenantId, batchId) : undefined;
  if (!batch) return undefined;
  const items = batch.items.filter((i) => entry.scope === 'file' || i.paymentInfoId === entry.originalPaymentInfoId);
  const txs = (await Promise.all(items.map((i) => deps.store.payments.get(tenantId, i.transactionId)))).filter(
    (t): t is Transaction => !!t,
  );
  return txs.length ? { by: 'batch', txs } : undefined;
}

async function planRefunds(deps: CoreDeps, tenantId: string, entry: BankReportEntry): Promise<ImportLine | undefined> {
  const match = await matchRefunds(deps, tenantId, entry);
  if (!match) return undefined;
  const found = await Promise.all(
    match.items.map(async (i) => {
      const tx = await deps.store.payments.get(tenantId, i.transactionId);
      const refund = tx?.refunds?.find((r) => r.id === i.refundId);
      return tx && refund ? { tx, refund } : undefined;
    }),
  );
  const pairs = found.filter((p): p is NonNullable<typeof p> => !!p);
  if (pairs.length === 0) return undefined;
  const moves = pairs.map((p) => refundNeedsMove(p.refund.state, entry.outcome));
  return {
    ...entry,
    match: {
      by: match.by,
      transactionIds: [...new Set(pairs.map((p) => p.tx.id))],
      accountIds: [...new Set(pairs.map((p) => p.tx.accountId))],
      billIds: [...new Set(pairs.flatMap((p) => p.tx.allocations.map((a) => a.billId)))],
      refunds: pairs.map((p) => ({ transactionId: p.tx.id, refundId: p.refund.id })),
    },
    action: !moves.some((m) => m.move) ? 'none' : wholeFileReject(entry, match.by) ? 'requeue' : TARGET[entry.outcome].action,
    ...(moves.every((m) => !m.move) ? { note: moves[0]?.note } : {}),
  };
}

/** A reject of a whole credit-transfer file or block: nothing is wrong with the payees' accounts. */
function wholeFileReject(entry: BankReportEntry, by: NonNullable<ImportLine['match']>['by']): boolean {
  return entry.outcome === 'rejected' && entry.scope !== 'transaction' && by === 'batch';
}

async function plan(deps: CoreDeps, tenantId: string, report: BankReport): Promise<ImportLine[]> {
  const lines: ImportLine[] = [];
  for (const entry of report.entries) {
    const refunds = await planRefunds(deps, tenantId, entry);
    if (refunds) {
      lines.push(refunds);
      continue;
    }
    // Money paid out with an EndToEndId that is none of our transfers (a statement lists every outgoing payment of
    // the account): not about anything Consort sent, so not listed as unmatched.
    if (entry.outcome === 'settled' && instrumentOf(entry) === 'transfer') continue;
    const match = await matchEntry(deps, tenantId, entry);
    if (!match) {
      lines.push({ ...entry, action: 'none', note: 'No matching direct debit or refund transfer' });
      continue;
    }
    const moves = match.txs.map((t) => needsMove(t.state, entry.outcome));
    const policy = entry.outcome === 'returned' ? returnPolicy(entry.reasonCode) : undefined;
    lines.push({
      ...entry,
      match: {
        by: match.by,
        transactionIds: match.txs.map((t) => t.id),
        accountIds: [...new Set(match.txs.map((t) => t.accountId))],
        billIds: [...new Set(match.txs.flatMap((t) => t.allocations.map((a) => a.billId)))],
      },
      action: moves.some((m) => m.move) ? TARGET[entry.outcome].action : 'none',
      ...(policy ? { mandateAction: policy.mandate, policy: `${policy.code}: ${policy.meaning}. ${policy.action}` } : {}),
      ...(moves.every((m) => !m.move) ? { note: moves[0]?.note } : {}),
    });
  }
  return lines;
}

function summarise(lines: readonly ImportLine[]): ImportResult['summary'] {
  return {
    entries: lines.length,
    matched: lines.filter((l) => l.match).length,
    unmatched: lines.filter((l) => !l.match).length,
    changes: lines.filter((l) => l.action !== 'none').length,
  };
}

function read(input: unknown): { data: z.output<typeof ImportInput>; report: BankReport; sha256: string } {
  const data = parseInput(ImportInput, input);
  let report: BankReport;
  try {
    report = parseBankReport(data.content);
  } catch (error) {
    throw new ValidationError(`Not a bank file we can read: ${(error as Error).message}`, [
      { path: ['content'], message: (error as Error).message },
    ]);
  }
  return { data, report, sha256: createHash('sha256').update(data.content, 'utf8').digest('hex') };
}

/** Dry run: what the file says, what it matches and what applying it would change. Writes nothing. */
export async function previewImport(deps: CoreDeps, actor: Actor, input: unknown): Promise<ImportResult> {
  authorize(actor, 'payments:write');
  const { data, report, sha256 } = read(input);
  const previous = await deps.store.sepa.getImport(actor.tenantId, sha256);
  if (previous) return { ...previous, alreadyImported: true };
  const lines = await plan(deps, actor.tenantId, report);
  return {
    format: report.format,
    messageId: report.messageId,
    fileName: data.fileName,
    sha256,
    alreadyImported: false,
    lines,
    summary: summarise(lines),
  };
}

/**
 * Apply a bank file: move each matched transaction (idempotent per transaction), apply the mandate policy, record the
 * import. A file already imported (same SHA-256) changes nothing and returns the recorded result.
 */
export async function applyImport(deps: CoreDeps, actor: Actor, input: unknown): Promise<ImportResult> {
  authorize(actor, 'payments:write');
  const { data, report, sha256 } = read(input);
  const tid = actor.tenantId;
  const previous = await deps.store.sepa.getImport(tid, sha256);
  if (previous) return { ...previous, alreadyImported: true };
  const lines = await plan(deps, tid, report);
  const who = describeActor(actor);
  for (const line of lines) {
    if (!line.match) continue;
    const failure = line.reasonCode
      ? { code: line.reasonCode, message: line.reasonText ?? returnPolicy(line.reasonCode).meaning }
      : undefined;
    const reason = `${report.format} ${report.messageId}${line.reasonCode ? ` ${line.reasonCode}` : ''}`;
    if (line.match.refunds) {
      await applyToRefunds(deps, actor, tid, line, failure ?? { code: line.outcome, message: reason });
      continue;
    }
    for (const txId of line.match.transactionIds) {
      const tx = await deps.store.payments.get(tid, txId);
      if (!tx || !needsMove(tx.state, line.outcome).move) continue;
      if (line.outcome === 'rejected')
        await transitionTransaction(deps, actor, tid, txId, 'failed', { reason, ...(failure ? { failure } : {}) });
      else if (line.outcome === 'settled') await transitionTransaction(deps, actor, tid, txId, 'succeeded', { reason });
      else {
        // A return follows settlement: book the collection first if nothing told us yet, then take it back.
        if (tx.state !== 'succeeded')
          await transitionTransaction(deps, actor, tid, txId, 'succeeded', { reason: `${reason} (settled before the return)` });
        await transitionTransaction(deps, actor, tid, txId, 'returned', {
          reason,
          ...(failure ? { failure } : {}),
          ...(line.charges && new Money(line.charges).gt(0) ? { bankCharges: line.charges } : {}),
        });
      }
    }
    if (line.outcome === 'returned' && line.mandateAction && line.mandateAction !== 'keep') {
      const refs = new Set<string>();
      for (const txId of line.match.transactionIds) {
        const tx = await deps.store.payments.get(tid, txId);
        if (tx?.refs.sepa?.mandateId) refs.add(tx.refs.sepa.mandateId);
      }
      for (const ref of refs) {
        const mandateId = await deps.store.sepa.findMandateByReference(tid, ref);
        if (mandateId) {
          await setMandateStatusBySystem(
            deps,
            tid,
            mandateId,
            line.mandateAction === 'invalidate' ? 'invalid' : 'revoked',
            `Bank return ${line.reasonCode} (${report.messageId})`,
          );
        }
      }
    }
  }
  const result: ImportResult = {
    id: newId('bankImport', deps.clock),
    format: report.format,
    messageId: report.messageId,
    fileName: data.fileName,
    sha256,
    alreadyImported: false,
    lines,
    summary: summarise(lines),
    importedAt: deps.clock.now().toISOString(),
    importedBy: who,
  };
  try {
    await deps.store.sepa.recordImport(tid, result);
  } catch (error) {
    // Two uploads of the same file at once: the other one recorded it; every move above was idempotent.
    if (!(error instanceof ConflictError)) throw error;
    const recorded = await deps.store.sepa.getImport(tid, sha256);
    if (recorded) return { ...recorded, alreadyImported: true };
    throw error;
  }
  return result;
}

/** Move the refunds of a credit-transfer line (each idempotent: settleRefund leaves a refund already there alone). */
async function applyToRefunds(
  deps: CoreDeps,
  actor: Actor,
  tid: string,
  line: ImportLine,
  failure: NonNullable<Refund['failure']>,
): Promise<void> {
  if (line.action === 'requeue') {
    // The file never went through: cancel its batch, so its refunds wait for the next one (refunds of a batch already
    // marked executed have succeeded; the reject means their money came back).
    const batch = await creditTransferOf(deps, tid, line);
    try {
      if (batch)
        await cancelCreditTransferBatch(deps, actor, batch.id, {
          reason: `Rejected by the bank: ${failure.code} (${failure.message})`.slice(0, 1000),
        });
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  for (const { transactionId, refundId } of line.match!.refunds!) {
    if (line.outcome === 'settled') await settleRefund(deps, actor, tid, transactionId, refundId, 'succeeded');
    else if (line.outcome === 'rejected') await settleRefund(deps, actor, tid, transactionId, refundId, 'failed', { failure });
    else {
      await settleRefund(deps, actor, tid, transactionId, refundId, 'returned', {
        failure,
        ...(line.charges && new Money(line.charges).gt(0) ? { bankCharges: line.charges } : {}),
      });
    }
  }
}

/** Imported files, newest first (without their lines). */
export async function listImports(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'payments:read');
  const q = parseInput(PageQuery, query ?? {});
  return deps.store.sepa.listImports(actor.tenantId, q);
}
