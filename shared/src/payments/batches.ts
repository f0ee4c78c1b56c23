import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Bill } from '../bills/model';
import { tenantOrThrow } from '../bills/use-cases';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { compareDates, LocalDate, addDays } from '../core/dates';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { newId } from '../core/ids';
import { formatAmount, Money } from '../core/money';
import { PageQuery } from '../core/schemas';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import type { DocumentStore } from '../ports/documents';
import { mandateStatus, sepaSettingsOrThrow, type Mandate, type SepaSettings } from './mandates';
import { collectionDate, earliestCollectionDate } from './sepa/calendar';
import { checkEpcRules, type EpcIssue } from './sepa/epc';
import { writePain008, type DirectDebit } from './sepa/pain008';
import { mayRepresent } from './sepa/reasons';
import { CancelPaymentFileInput, cancelledBatch, defaultSource } from './model';
import { sequenceType, type SequenceType } from './sepa/sequence';
import { billBalance, createTransaction, transitionTransaction } from './transactions';

// SEPA direct debit batches (issue 5). Creating a batch picks the issued, unpaid bills of accounts whose default
// payment source is a SEPA mandate that is still active, makes one collection per mandate (several bills of an account
// travel together as one transaction with one allocation per bill), writes the pain.008 file in the tenant's version,
// checks it against the EPC rules, stores it write-once in the document store and records `sepa_debit` transactions
// in `processing`. The file is then downloaded, uploaded to the bank, and the batch marked executed. The bank's
// answers come back through ./bank-returns.ts.

/** Most collections in one batch (keeps the batch item well under DynamoDB's 400 KB). */
export const MAX_BATCH_DEBITS = 1000;

export const BatchItem = z.strictObject({
  transactionId: z.string(),
  accountId: z.string(),
  billIds: z.array(z.string()),
  mandateId: z.string(),
  mandateReference: z.string(),
  endToEndId: z.string(),
  paymentInfoId: z.string(),
  amount: z.string(),
  sequenceType: z.enum(['FRST', 'RCUR', 'OOFF', 'FNAL']),
  collectionDate: LocalDate,
  debtorName: z.string(),
  /** The mandate's last collection day before this one (restored if the batch is cancelled; absent: it had none). */
  previousLastCollectionOn: LocalDate.optional(),
});
export type BatchItem = z.infer<typeof BatchItem>;

export const SepaBatch = z.strictObject({
  tenantId: z.string(),
  /** `sdb_…` */
  id: z.string(),
  /** GrpHdr/MsgId of the file (unique per tenant). */
  messageId: z.string(),
  painVersion: z.enum(['02', '08']),
  /** generated → executed (the file went to the bank) | cancelled (it never will: the collections failed, not sent). */
  state: z.enum(['generated', 'executed', 'cancelled']),
  count: z.number().int().nonnegative(),
  controlSum: z.string(),
  items: z.array(BatchItem),
  /** Where the pain.008 file is and its SHA-256. */
  file: z.strictObject({ key: z.string(), sha256: z.string(), bytes: z.number().int() }),
  createdBy: z.string(),
  createdAt: z.string(),
  executedBy: z.string().optional(),
  executedAt: z.string().optional(),
  cancelledBy: z.string().optional(),
  cancelledAt: z.string().optional(),
  cancelReason: z.string().max(1000).optional(),
  version: z.number().int().nonnegative(),
});
export type SepaBatch = z.infer<typeof SepaBatch>;

/** A batch without its items (lists). */
export type SepaBatchSummary = Omit<SepaBatch, 'items'>;

export const CreateBatchInput = z.strictObject({
  /** Only these accounts (default: every account paying by SEPA). */
  accountIds: z.array(z.string().min(1).max(60)).max(500).optional(),
  /** Collect on this day or the earliest allowed after it (default: the earliest allowed). */
  collectionDate: LocalDate.optional(),
});

/** What batches need beyond the core: the write-once store for the files. */
export type BatchDeps = CoreDeps & { documents: DocumentStore };

/** Bills one collection can pay (a transaction allocates to at most 20 bills). */
export const MAX_BILLS_PER_DEBIT = 20;

/** Why a bill was left out of a batch (shown to staff). */
export interface SkippedBill {
  billId: string;
  accountId: string;
  reason: string;
}

/** The document-store key of a batch's file. */
export function batchFileKey(tenantId: string, batchId: string): string {
  return `${tenantId}/sepa/batches/${batchId}.xml`;
}

/** A collection's EndToEndId: the batch's message id and the debit's position, unique in the tenant. */
function endToEndId(messageId: string, index: number): string {
  return `${messageId}-${String(index + 1).padStart(4, '0')}`;
}

/** Failure codes of the bill's earlier SEPA debits that came back, oldest first (re-presentation limit). */
async function returnCodes(deps: CoreDeps, bill: Bill): Promise<string[] | 'pending'> {
  const allocations = await deps.store.payments.listByBill(bill.tenantId, bill.id);
  if (allocations.some((a) => a.state === 'created' || a.state === 'processing')) return 'pending';
  const codes: { at: string; code: string }[] = [];
  for (const a of allocations.filter((a) => a.method === 'sepa_debit' && a.state === 'returned')) {
    const tx = await deps.store.payments.get(bill.tenantId, a.transactionId);
    if (tx) codes.push({ at: tx.createdAt, code: tx.failure?.code ?? '' });
  }
  return codes.sort((a, b) => a.at.localeCompare(b.at)).map((c) => c.code);
}

interface Candidate {
  accountId: string;
  mandate: Mandate;
  sourceId: string;
  bills: { bill: Bill; amount: string; date: LocalDate }[];
}

/**
 * Bills to collect: issued (closed, sent or returned), in EUR, with money still owed and nothing in flight, of
 * accounts whose default source is an active SEPA mandate; returned bills only while the reason code allows another
 * presentation (AM04/MS03: twice). Everything else is reported as skipped with the reason.
 */
async function collectCandidates(
  deps: CoreDeps,
  tenantId: string,
  today: LocalDate,
  accountIds: readonly string[] | undefined,
): Promise<{ candidates: Candidate[]; skipped: SkippedBill[] }> {
  const skipped: SkippedBill[] = [];
  const byAccount = new Map<string, Candidate | null>();
  let cursor: string | undefined;
  do {
    const page = await deps.store.bills.list(tenantId, { limit: 200, cursor, dueBefore: '9999-12-31' });
    cursor = page.nextCursor;
    for (const summary of page.items) {
      if (accountIds && !accountIds.includes(summary.accountId)) continue;
      if (!['closed', 'sent', 'returned'].includes(summary.state) || summary.type === 'quote') continue;
      const skip = (reason: string) => skipped.push({ billId: summary.id, accountId: summary.accountId, reason });
      if (!byAccount.has(summary.accountId)) {
        const source = defaultSource(await deps.store.payments.listSources(tenantId, summary.accountId));
        const mandate =
          source?.method === 'sepa_debit' && source.mandateId ? await deps.store.sepa.getMandate(tenantId, source.mandateId) : undefined;
        byAccount.set(
          summary.accountId,
          mandate && source ? { accountId: summary.accountId, mandate, sourceId: source.id, bills: [] } : null,
        );
      }
      const candidate = byAccount.get(summary.accountId);
      if (!candidate) continue; // the account does not pay by SEPA: not this batch's business
      const status = mandateStatus(candidate.mandate, today);
      if (status !== 'active') {
        skip(`Mandate ${candidate.mandate.reference} is ${status}`);
        continue;
      }
      if (summary.currency !== 'EUR') {
        skip(`SEPA collects euros only; the bill is in ${summary.currency}`);
        continue;
      }
      const bill = await deps.store.bills.get(tenantId, summary.id);
      if (!bill) continue;
      const codes = await returnCodes(deps, bill);
      if (codes === 'pending') {
        skip('A payment of this bill is already in progress');
        continue;
      }
      if (bill.state === 'returned' && !mayRepresent(codes)) {
        skip(`Returned ${codes.length} time(s), last with ${codes.at(-1) || 'no reason'}: no automatic re-presentation`);
        continue;
      }
      const balance = await billBalance(deps, bill);
      if (new Money(balance.outstanding).lte(0)) continue;
      if (candidate.bills.length >= MAX_BILLS_PER_DEBIT) {
        skip(`The account already has ${MAX_BILLS_PER_DEBIT} bills in this collection; the rest go in the next batch`);
        continue;
      }
      candidate.bills.push({ bill, amount: balance.outstanding, date: bill.dueOn ?? today });
    }
  } while (cursor);
  const candidates = [...byAccount.values()].filter((c): c is Candidate => c !== null && c.bills.length > 0);
  return { candidates, skipped };
}

function planDate(settings: SepaSettings, today: LocalDate, requested: LocalDate | undefined, bills: Candidate['bills']): LocalDate {
  const earliest = earliestCollectionDate(today, settings.leadDays);
  // The bill is the pre-notification: collect no earlier than `preNotificationDays` after the latest issue, nor
  // before the latest due date, nor before what staff asked for.
  const notice = bills.map((b) => addDays(b.bill.issuedOn ?? today, settings.preNotificationDays));
  const due = bills.map((b) => b.date);
  const wanted = [...notice, ...due, ...(requested ? [requested] : [])].sort(compareDates).at(-1);
  return collectionDate(wanted, earliest);
}

/** The batch's message id: `SDD-<day>-<random-ish tail of the batch id>`, ≤ 35 characters, basic set. */
function messageIdFor(batchId: string, today: LocalDate): string {
  return `SDD-${today.replace(/-/g, '')}-${batchId.slice(-10).toUpperCase()}`;
}

/**
 * Create a batch (staff, payments:write). 422 when SEPA is not set up or nothing is collectable (with the skipped
 * bills and why), or — never expected — when the file breaks an EPC rule (with the issues). Returns the batch, the
 * bills left out and why.
 */
export async function createBatch(deps: BatchDeps, actor: Actor, input: unknown): Promise<{ batch: SepaBatch; skipped: SkippedBill[] }> {
  authorize(actor, 'payments:write');
  const data = parseInput(CreateBatchInput, input ?? {});
  const tid = actor.tenantId;
  const settings = await sepaSettingsOrThrow(deps, tid);
  const tenant = await tenantOrThrow(deps, tid);
  const today = todayIn(deps.clock, tenant.timeZone);
  const { candidates, skipped } = await collectCandidates(deps, tid, today, data.accountIds);
  if (candidates.length === 0) throw new ValidationError('There is nothing to collect by direct debit', skipped);
  if (candidates.length > MAX_BATCH_DEBITS) candidates.length = MAX_BATCH_DEBITS;

  const batchId = newId('sepaBatch', deps.clock);
  const messageId = messageIdFor(batchId, today);
  const planned = candidates
    .sort((a, b) => a.accountId.localeCompare(b.accountId))
    .map((c, i) => {
      const amount = formatAmount(c.bills.reduce((s, b) => s.plus(b.amount), new Money(0)));
      const seq: SequenceType = sequenceType({
        kind: c.mandate.kind,
        previousCollections: c.mandate.collections,
        firstAs: settings.firstAs,
      });
      const numbers = c.bills.map((b) => b.bill.number ?? b.bill.id).join(', ');
      const debit: DirectDebit = {
        endToEndId: endToEndId(messageId, i),
        amount,
        currency: 'EUR',
        scheme: c.mandate.scheme,
        sequenceType: seq,
        collectionDate: planDate(settings, today, data.collectionDate, c.bills),
        mandate: { id: c.mandate.reference, signedOn: c.mandate.signedOn },
        debtor: c.mandate.debtor,
        remittance: `${tenant.name} ${numbers}`,
      };
      return { candidate: c, debit };
    });
  const { xml, groups, controlSum } = writePain008({
    version: settings.painVersion,
    messageId,
    createdAt: deps.clock.now().toISOString(),
    initiatingParty: settings.creditorName,
    creditor: { name: settings.creditorName, iban: settings.iban, bic: settings.bic, creditorId: settings.creditorId },
    batchBooking: settings.batchBooking,
    debits: planned.map((p) => p.debit),
  });
  const issues: EpcIssue[] = checkEpcRules(xml);
  if (issues.length) throw new ValidationError('The direct debit file breaks EPC rules', issues);

  const bytes = new TextEncoder().encode(xml);
  const key = batchFileKey(tid, batchId);
  await deps.documents.putImmutable(key, bytes, 'application/xml');
  const blockOf = new Map(groups.flatMap((g) => g.debits.map((d) => [d.endToEndId, g.paymentInfoId] as const)));
  const now = deps.clock.now().toISOString();
  const system: Actor = { type: 'system', tenantId: tid, reason: `sepa-batch:${batchId}` };
  const items: BatchItem[] = [];
  for (const { candidate, debit } of planned) {
    const tx = await createTransaction(deps, system, {
      accountId: candidate.accountId,
      method: 'sepa_debit',
      sourceId: candidate.sourceId,
      allocations: candidate.bills.map((b) => ({ billId: b.bill.id, amount: b.amount })),
      state: 'processing',
      refs: { sepa: { batchId, endToEndId: debit.endToEndId, mandateId: candidate.mandate.reference } },
    });
    items.push({
      transactionId: tx.id,
      accountId: candidate.accountId,
      billIds: candidate.bills.map((b) => b.bill.id),
      mandateId: candidate.mandate.id,
      mandateReference: candidate.mandate.reference,
      endToEndId: debit.endToEndId,
      paymentInfoId: blockOf.get(debit.endToEndId)!,
      amount: debit.amount,
      sequenceType: debit.sequenceType,
      collectionDate: debit.collectionDate,
      debtorName: debit.debtor.name,
      ...(candidate.mandate.lastCollectionOn ? { previousLastCollectionOn: candidate.mandate.lastCollectionOn } : {}),
    });
    await recordCollection(deps, candidate.mandate, debit.collectionDate);
  }
  const batch: SepaBatch = {
    tenantId: tid,
    id: batchId,
    messageId,
    painVersion: settings.painVersion,
    state: 'generated',
    count: items.length,
    controlSum,
    items,
    file: { key, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
    createdBy: describeActor(actor),
    createdAt: now,
    version: 0,
  };
  await deps.store.sepa.createBatch(batch);
  return { batch, skipped };
}

/** Count a collection on the mandate (FRST → RCUR next time) and remember its date (lapse after 36 months). */
async function recordCollection(deps: CoreDeps, mandate: Mandate, on: LocalDate): Promise<void> {
  await updateMandate(deps, mandate, (current) => ({
    collections: current.collections + 1,
    lastCollectionOn: current.lastCollectionOn && current.lastCollectionOn > on ? current.lastCollectionOn : on,
  }));
}

/**
 * Take back a collection that was never sent (its batch was cancelled): one collection less, so a mandate whose first
 * collection it was goes FRST again, and the last collection day it had before (unless a later one was made since).
 */
async function forgetCollection(deps: CoreDeps, tenantId: string, item: BatchItem): Promise<void> {
  const mandate = await deps.store.sepa.getMandate(tenantId, item.mandateId);
  if (!mandate) return;
  await updateMandate(deps, mandate, (current) => ({
    collections: Math.max(0, current.collections - 1),
    lastCollectionOn: current.lastCollectionOn === item.collectionDate ? (item.previousLastCollectionOn ?? null) : current.lastCollectionOn,
  }));
}

/** Set the mandate's collection count and last collection day (null: none), retrying from a fresh read on a race. */
async function updateMandate(
  deps: CoreDeps,
  mandate: Mandate,
  change: (current: Mandate) => { collections: number; lastCollectionOn: LocalDate | null | undefined },
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const current = attempt === 0 ? mandate : await deps.store.sepa.getMandate(mandate.tenantId, mandate.id);
    if (!current) return;
    const { collections, lastCollectionOn } = change(current);
    const { lastCollectionOn: _previous, ...rest } = current;
    const next: Mandate = {
      ...rest,
      collections,
      ...(lastCollectionOn ? { lastCollectionOn } : {}),
      version: current.version + 1,
      updatedAt: deps.clock.now().toISOString(),
    };
    try {
      await deps.store.sepa.putMandate(next, current.version);
      return;
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

async function batchOrThrow(deps: CoreDeps, actor: Actor, batchId: string): Promise<SepaBatch> {
  const batch = await deps.store.sepa.getBatch(actor.tenantId, batchId);
  if (!batch) throw new NotFoundError('Batch', batchId);
  return batch;
}

/** Batches of the tenant, newest first (without items). */
export async function listBatches(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'payments:read');
  const q = parseInput(PageQuery, query ?? {});
  return deps.store.sepa.listBatches(actor.tenantId, q);
}

export async function getBatch(deps: CoreDeps, actor: Actor, batchId: string): Promise<SepaBatch> {
  authorize(actor, 'payments:read');
  return batchOrThrow(deps, actor, batchId);
}

/** The batch's pain.008 file as stored (byte-identical on every download). */
export async function downloadBatch(
  deps: BatchDeps,
  actor: Actor,
  batchId: string,
): Promise<{ fileName: string; xml: string; sha256: string }> {
  authorize(actor, 'payments:read');
  const batch = await batchOrThrow(deps, actor, batchId);
  const doc = await deps.documents.get(batch.file.key);
  if (!doc) throw new NotFoundError('Batch file', batchId);
  return { fileName: `${batch.messageId}.xml`, xml: new TextDecoder().decode(doc.bytes), sha256: batch.file.sha256 };
}

/**
 * Staff: the file will never go to the bank (wrong date, wrong bills, a bank that refused it whole) — the batch becomes
 * `cancelled`, each collection's transaction fails with code `cancelled` (so its bills are unpaid and collectable by
 * the next batch), and each mandate forgets the collection (a first collection goes FRST again). The stored file stays.
 * 409 once executed: the bank's answers (pain.002, camt.054) settle an executed batch. Idempotent: a second call
 * heals what a crash left; a mandate is only touched for a transaction this call moved.
 */
export async function cancelBatch(deps: CoreDeps, actor: Actor, batchId: string, input: unknown): Promise<SepaBatch> {
  authorize(actor, 'payments:write');
  const data = parseInput(CancelPaymentFileInput, input ?? {});
  let batch = await batchOrThrow(deps, actor, batchId);
  if (batch.state === 'executed') throw new ConflictError(`Batch ${batch.messageId} was sent to the bank: its answers settle it`);
  if (batch.state === 'generated') {
    const next = cancelledBatch(batch, describeActor(actor), deps.clock.now().toISOString(), data.reason);
    await deps.store.sepa.updateBatch(next, batch.version);
    batch = next;
  }
  const system: Actor = { type: 'system', tenantId: actor.tenantId, reason: `sepa-batch-cancelled:${batchId}` };
  // Failure messages and audit reasons hold 1,000 characters, as the reason does: the prefix must not overflow them.
  const failure = {
    code: 'cancelled',
    message: `Batch ${batch.messageId} was cancelled: ${batch.cancelReason ?? data.reason}`.slice(0, 1000),
  };
  for (const item of batch.items) {
    const tx = await deps.store.payments.get(actor.tenantId, item.transactionId);
    if (!tx || tx.state !== 'processing') continue;
    const { changed } = await transitionTransaction(deps, system, actor.tenantId, tx.id, 'failed', { failure, reason: failure.message });
    if (changed) await forgetCollection(deps, actor.tenantId, item);
  }
  return batch;
}

/** Record that the file went to the bank. Idempotent; 409 only if the batch moved meanwhile (or was cancelled). */
export async function markBatchExecuted(deps: CoreDeps, actor: Actor, batchId: string): Promise<SepaBatch> {
  authorize(actor, 'payments:write');
  const batch = await batchOrThrow(deps, actor, batchId);
  if (batch.state === 'executed') return batch;
  if (batch.state === 'cancelled') throw new ConflictError(`Batch ${batch.messageId} was cancelled: it cannot be sent`);
  const next: SepaBatch = {
    ...batch,
    state: 'executed',
    executedBy: describeActor(actor),
    executedAt: deps.clock.now().toISOString(),
    version: batch.version + 1,
  };
  await deps.store.sepa.updateBatch(next, batch.version);
  return next;
}
