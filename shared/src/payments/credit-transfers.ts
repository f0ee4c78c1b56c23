import { createHash } from 'node:crypto';
import { z } from 'zod';
import { tenantOrThrow } from '../bills/use-cases';
import { authorize, describeActor, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors';
import { LocalDate } from '../core/dates';
import { newId } from '../core/ids';
import { PageQuery } from '../core/schemas';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import type { DocumentStore } from '../ports/documents';
import { sepaSettingsOrThrow } from './mandates';
import { CancelPaymentFileInput, cancelledBatch, type CreditTransferBatch, type CreditTransferItem } from './model';
import { settleRefund } from './refunds';
import { addBusinessDays, collectionDate } from './sepa/calendar';
import { checkEpcRules } from './sepa/epc';
import { writePain001, type CreditTransfer } from './sepa/pain001';

// Credit-transfer batches (issue 5): the refunds of SEPA debits, transfers and manual payments that wait for a
// credit transfer are paid by one pain.001 file (the writer in ./sepa/pain001.ts, in the version matching the tenant's
// pain.008: 02 → .03, 08 → .09), checked against the EPC rules and stored write-once like the direct-debit files. The
// refunds become `batched`; marking the batch executed (the file went to the bank) makes them `succeeded`, which moves
// fully refunded transactions to `refunded`.

/** Most transfers in one file (keeps the batch item well under DynamoDB's 400 KB). */
export const MAX_CREDIT_TRANSFERS = 1000;

export type CreditTransferDeps = CoreDeps & { documents: DocumentStore };

export const CreateCreditTransferInput = z.strictObject({
  /** Execute on this day or the next TARGET business day after it (default: the next business day). */
  executionDate: LocalDate.optional(),
});

export function creditTransferFileKey(tenantId: string, batchId: string): string {
  return `${tenantId}/sepa/credit-transfers/${batchId}.xml`;
}

/** The refunds waiting for a credit transfer (staff: what the next batch would pay). */
export async function listRefundsToTransfer(deps: CoreDeps, actor: Actor) {
  authorize(actor, 'payments:read');
  const waiting = await deps.store.payments.listRefundsToTransfer(actor.tenantId);
  const items = [];
  for (const w of waiting) {
    const tx = await deps.store.payments.get(actor.tenantId, w.transactionId);
    const refund = tx?.refunds?.find((r) => r.id === w.refundId);
    if (tx && refund?.state === 'pending') items.push({ transactionId: tx.id, accountId: tx.accountId, refund });
  }
  return { items };
}

/**
 * Staff: pay every refund waiting for a credit transfer with one pain.001 file. 422 when SEPA is not set up, nothing
 * waits, or the file breaks an EPC rule (nothing stored then).
 */
export async function createCreditTransferBatch(deps: CreditTransferDeps, actor: Actor, input: unknown): Promise<CreditTransferBatch> {
  authorize(actor, 'payments:write');
  const data = parseInput(CreateCreditTransferInput, input ?? {});
  const tid = actor.tenantId;
  const settings = await sepaSettingsOrThrow(deps, tid);
  const tenant = await tenantOrThrow(deps, tid);
  const today = todayIn(deps.clock, tenant.timeZone);
  const waiting = await listRefundsToTransfer(deps, actor);
  const refunds = waiting.items.filter((w) => w.refund.creditor).slice(0, MAX_CREDIT_TRANSFERS);
  if (refunds.length === 0) throw new ValidationError('No refund is waiting for a credit transfer');

  const batchId = newId('creditTransferBatch', deps.clock);
  const messageId = `SCT-${today.replace(/-/g, '')}-${batchId.slice(-10).toUpperCase()}`;
  const executionDate = collectionDate(data.executionDate, addBusinessDays(today, 1));
  const transfers: (CreditTransfer & { item: CreditTransferItem })[] = refunds.map((w, i) => {
    const endToEndId = `${messageId}-${String(i + 1).padStart(4, '0')}`;
    const creditor = w.refund.creditor!;
    return {
      endToEndId,
      amount: w.refund.amount,
      currency: 'EUR',
      creditor: { name: creditor.name, iban: creditor.iban, ...(creditor.bic ? { bic: creditor.bic } : {}) },
      remittance: `Refund ${tenant.name} ${w.transactionId}`,
      item: {
        transactionId: w.transactionId,
        refundId: w.refund.id,
        accountId: w.accountId,
        endToEndId,
        amount: w.refund.amount,
        creditorName: creditor.name,
        iban: creditor.iban,
      },
    };
  });
  const painVersion = settings.painVersion === '02' ? '03' : '09';
  const { xml, controlSum } = writePain001({
    version: painVersion,
    messageId,
    createdAt: deps.clock.now().toISOString(),
    initiatingParty: settings.creditorName,
    debtor: { name: settings.creditorName, iban: settings.iban, ...(settings.bic ? { bic: settings.bic } : {}) },
    executionDate,
    batchBooking: settings.batchBooking,
    transfers,
  });
  const issues = checkEpcRules(xml);
  if (issues.length) throw new ValidationError('The credit transfer file breaks EPC rules', issues);
  const bytes = new TextEncoder().encode(xml);
  const key = creditTransferFileKey(tid, batchId);
  await deps.documents.putImmutable(key, bytes, 'application/xml');
  const batch: CreditTransferBatch = {
    tenantId: tid,
    id: batchId,
    messageId,
    painVersion,
    state: 'generated',
    executionDate,
    count: transfers.length,
    controlSum,
    items: transfers.map((t) => t.item),
    file: { key, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length },
    createdBy: describeActor(actor),
    createdAt: deps.clock.now().toISOString(),
    version: 0,
  };
  await deps.store.payments.createCreditTransferBatch(batch);
  const system: Actor = { type: 'system', tenantId: tid, reason: `credit-transfer:${batchId}` };
  for (const item of batch.items) {
    await settleRefund(deps, system, tid, item.transactionId, item.refundId, 'batched', {
      creditTransfer: { batchId, endToEndId: item.endToEndId },
    });
    await deps.store.payments.deleteRefundToTransfer(tid, item.refundId);
  }
  return batch;
}

async function batchOrThrow(deps: CoreDeps, actor: Actor, batchId: string): Promise<CreditTransferBatch> {
  const batch = await deps.store.payments.getCreditTransferBatch(actor.tenantId, batchId);
  if (!batch) throw new NotFoundError('Credit-transfer batch', batchId);
  return batch;
}

/** Credit-transfer batches, newest first (without items). */
export async function listCreditTransferBatches(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'payments:read');
  return deps.store.payments.listCreditTransferBatches(actor.tenantId, parseInput(PageQuery, query ?? {}));
}

export async function getCreditTransferBatch(deps: CoreDeps, actor: Actor, batchId: string) {
  authorize(actor, 'payments:read');
  return batchOrThrow(deps, actor, batchId);
}

/** The batch's pain.001 file as stored (byte-identical on every download). */
export async function downloadCreditTransferBatch(deps: CreditTransferDeps, actor: Actor, batchId: string) {
  authorize(actor, 'payments:read');
  const batch = await batchOrThrow(deps, actor, batchId);
  const doc = await deps.documents.get(batch.file.key);
  if (!doc) throw new NotFoundError('Credit-transfer file', batchId);
  return { fileName: `${batch.messageId}.xml`, xml: new TextDecoder().decode(doc.bytes), sha256: batch.file.sha256 };
}

/**
 * Staff: the file will never be executed (not sent, or the bank refused it whole) — the batch becomes `cancelled` and
 * its refunds wait for a credit transfer again, so the next batch pays them. Its stored file stays (write-once) and
 * the batch keeps what it held. 409 once executed. Idempotent: a second call re-queues what a crash left batched.
 */
export async function cancelCreditTransferBatch(
  deps: CoreDeps,
  actor: Actor,
  batchId: string,
  input: unknown,
): Promise<CreditTransferBatch> {
  authorize(actor, 'payments:write');
  const data = parseInput(CancelPaymentFileInput, input ?? {});
  let batch = await batchOrThrow(deps, actor, batchId);
  if (batch.state === 'executed') throw new ConflictError(`Credit-transfer batch ${batch.messageId} was executed: its refunds were paid`);
  if (batch.state === 'generated') {
    const next = cancelledBatch(batch, describeActor(actor), deps.clock.now().toISOString(), data.reason);
    if (!(await deps.store.payments.updateCreditTransferBatch(next, batch.version))) {
      throw new ConflictError(`Credit-transfer batch ${batchId} changed meanwhile; try again`);
    }
    batch = next;
  }
  const system: Actor = { type: 'system', tenantId: actor.tenantId, reason: `credit-transfer-cancelled:${batchId}` };
  for (const item of batch.items) {
    const tx = await settleRefund(deps, system, actor.tenantId, item.transactionId, item.refundId, 'pending', { unbatchFrom: batchId });
    // Waiting again only if it is pending now (not batched again elsewhere, nor settled).
    if (tx.refunds?.find((r) => r.id === item.refundId)?.state === 'pending') {
      await deps.store.payments.putRefundToTransfer(actor.tenantId, item.refundId, item.transactionId);
    }
  }
  return batch;
}

/**
 * Staff: the file went to the bank — every refund in it succeeded (transactions refunded in full become `refunded`).
 * Idempotent: a second call changes nothing; the refunds are settled again (a crash half-way heals).
 */
export async function markCreditTransferExecuted(deps: CoreDeps, actor: Actor, batchId: string): Promise<CreditTransferBatch> {
  authorize(actor, 'payments:write');
  let batch = await batchOrThrow(deps, actor, batchId);
  if (batch.state === 'cancelled')
    throw new ConflictError(`Credit-transfer batch ${batch.messageId} was cancelled: its refunds wait again`);
  if (batch.state !== 'executed') {
    const next: CreditTransferBatch = {
      ...batch,
      state: 'executed',
      executedBy: describeActor(actor),
      executedAt: deps.clock.now().toISOString(),
      version: batch.version + 1,
    };
    if (!(await deps.store.payments.updateCreditTransferBatch(next, batch.version))) {
      throw new ConflictError(`Credit-transfer batch ${batchId} changed meanwhile; try again`);
    }
    batch = next;
  }
  const system: Actor = { type: 'system', tenantId: actor.tenantId, reason: `credit-transfer:${batchId}` };
  for (const item of batch.items) await settleRefund(deps, system, actor.tenantId, item.transactionId, item.refundId, 'succeeded');
  return batch;
}
