import { z } from 'zod';
import * as Imports from '@consort/shared/payments/bank-returns';
import * as Batches from '@consort/shared/payments/batches';
import * as CreditTransfers from '@consort/shared/payments/credit-transfers';
import * as Mandates from '@consort/shared/payments/mandates';
import { CancelPaymentFileInput } from '@consort/shared/payments/model';
import { PageQuery } from '@consort/shared/core/schemas';
import { route } from './route';

// SEPA direct debit: the tenant's creditor settings, mandates under accounts, batches (create, list, get, download the
// pain.008 file, mark executed), credit-transfer batches of refunds (pain.001, the same steps) and bank-file imports (pain.002, camt.054, camt.053: preview, then apply). Every
// handler is parse → actor → one use case; the use cases validate.

export const sepaRoutes = [
  route({
    method: 'GET',
    path: '/v1/payments/sepa/settings',
    tag: 'SEPA',
    status: 200,
    summary: 'The tenant’s SEPA creditor settings (`{configured: false}` until set)',
    handle: ({ deps, actor }) => Mandates.getSepaSettings(deps, actor),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/settings',
    tag: 'SEPA',
    status: 200,
    summary: 'Set the creditor identifier, name, IBAN/BIC, pain.008 version, lead and pre-notification days',
    body: Mandates.SepaSettings,
    handle: ({ deps, actor, body }) => Mandates.putSepaSettings(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}/mandates',
    tag: 'SEPA',
    status: 200,
    summary: 'The account’s SEPA mandates with their effective status (lapsed after 36 months unused)',
    handle: ({ deps, actor, params }) => Mandates.listMandates(deps, actor, params.accountId!),
  }),
  route({
    method: 'POST',
    path: '/v1/accounts/{accountId}/mandates',
    tag: 'SEPA',
    status: 201,
    summary:
      'Record a signed mandate (IBAN checked with national check digits); it becomes a SEPA payment source. Staff send a ' +
      'paper mandate; a customer signs online for their own account (`debtor`, `accepted: true`): signed today, reference generated',
    body: z.union([Mandates.CreateMandateInput, Mandates.OnlineMandateInput]),
    handle: ({ deps, actor, params, body, event }) =>
      Mandates.createMandate(deps, actor, params.accountId!, body, {
        ip: event.requestContext?.http?.sourceIp,
        userAgent: event.headers?.['user-agent'],
      }),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}/mandates/{mandateId}',
    tag: 'SEPA',
    status: 200,
    summary: 'One mandate',
    handle: ({ deps, actor, params }) => Mandates.getMandate(deps, actor, params.accountId!, params.mandateId!),
  }),
  route({
    method: 'PATCH',
    path: '/v1/accounts/{accountId}/mandates/{mandateId}',
    tag: 'SEPA',
    status: 200,
    summary: 'Correct the debtor’s name or BIC, or revoke (a new IBAN needs a new mandate)',
    body: Mandates.MandatePatch,
    handle: ({ deps, actor, params, body }) => Mandates.updateMandate(deps, actor, params.accountId!, params.mandateId!, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/mandates/{mandateId}',
    tag: 'SEPA',
    status: 200,
    summary: 'Revoke a mandate (it stays on record for returns and refund claims; its payment source goes)',
    handle: ({ deps, actor, params }) => Mandates.revokeMandate(deps, actor, params.accountId!, params.mandateId!),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/batches',
    tag: 'SEPA',
    status: 200,
    summary: 'Direct debit batches, newest first',
    query: PageQuery,
    handle: ({ deps, actor, query }) => Batches.listBatches(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/batches',
    tag: 'SEPA',
    status: 201,
    summary: 'Collect every unpaid bill of accounts paying by SEPA: pain.008 file + transactions in processing',
    body: Batches.CreateBatchInput,
    handle: ({ deps, actor, body }) => Batches.createBatch(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/batches/{batchId}',
    tag: 'SEPA',
    status: 200,
    summary: 'One batch with its collections',
    handle: ({ deps, actor, params }) => Batches.getBatch(deps, actor, params.batchId!),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/batches/{batchId}/file',
    tag: 'SEPA',
    status: 200,
    summary: 'The batch’s pain.008 XML as stored (`{fileName, xml, sha256}`)',
    handle: ({ deps, actor, params }) => Batches.downloadBatch(deps, actor, params.batchId!),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/batches/{batchId}/executed',
    tag: 'SEPA',
    status: 200,
    summary: 'Record that the file was sent to the bank (idempotent)',
    handle: ({ deps, actor, params }) => Batches.markBatchExecuted(deps, actor, params.batchId!),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/batches/{batchId}/cancel',
    tag: 'SEPA',
    status: 200,
    summary: 'The file will not be sent: the batch is cancelled, its collections fail (`cancelled`) and the bills can be collected again',
    body: CancelPaymentFileInput,
    handle: ({ deps, actor, params, body }) => Batches.cancelBatch(deps, actor, params.batchId!, body),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/refunds',
    tag: 'SEPA',
    status: 200,
    summary: 'Refunds waiting for a credit transfer (what the next credit-transfer batch pays)',
    handle: ({ deps, actor }) => CreditTransfers.listRefundsToTransfer(deps, actor),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/credit-transfers',
    tag: 'SEPA',
    status: 200,
    summary: 'Credit-transfer batches (refunds), newest first',
    query: PageQuery,
    handle: ({ deps, actor, query }) => CreditTransfers.listCreditTransferBatches(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/credit-transfers',
    tag: 'SEPA',
    status: 201,
    summary: 'Pay every refund waiting for a credit transfer: pain.001 file (.03 or .09), refunds batched',
    body: CreditTransfers.CreateCreditTransferInput,
    handle: ({ deps, actor, body }) => CreditTransfers.createCreditTransferBatch(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/credit-transfers/{creditTransferId}',
    tag: 'SEPA',
    status: 200,
    summary: 'One credit-transfer batch with its transfers',
    handle: ({ deps, actor, params }) => CreditTransfers.getCreditTransferBatch(deps, actor, params.creditTransferId!),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/credit-transfers/{creditTransferId}/file',
    tag: 'SEPA',
    status: 200,
    summary: 'The batch’s pain.001 XML as stored (`{fileName, xml, sha256}`)',
    handle: ({ deps, actor, params }) => CreditTransfers.downloadCreditTransferBatch(deps, actor, params.creditTransferId!),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/credit-transfers/{creditTransferId}/executed',
    tag: 'SEPA',
    status: 200,
    summary: 'The file went to the bank: its refunds succeed (idempotent)',
    handle: ({ deps, actor, params }) => CreditTransfers.markCreditTransferExecuted(deps, actor, params.creditTransferId!),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/credit-transfers/{creditTransferId}/cancel',
    tag: 'SEPA',
    status: 200,
    summary:
      'The file will not be executed: the batch is cancelled and its refunds wait for the next batch (idempotent; 409 once executed)',
    body: CancelPaymentFileInput,
    handle: ({ deps, actor, params, body }) => CreditTransfers.cancelCreditTransferBatch(deps, actor, params.creditTransferId!, body),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/sepa/imports',
    tag: 'SEPA',
    status: 200,
    summary: 'Imported bank files, newest first',
    query: PageQuery,
    handle: ({ deps, actor, query }) => Imports.listImports(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/imports/preview',
    tag: 'SEPA',
    status: 200,
    summary: 'Dry run of a pain.002 / camt.054 / camt.053 file: matches, unmatched entries and what would change',
    body: Imports.ImportInput,
    handle: ({ deps, actor, body }) => Imports.previewImport(deps, actor, body),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/sepa/imports',
    tag: 'SEPA',
    status: 200,
    summary: 'Apply a bank file: rejects fail, settlements succeed, returns return (bill returned, mandate per reason code)',
    body: Imports.ImportInput,
    handle: ({ deps, actor, body }) => Imports.applyImport(deps, actor, body),
  }),
];
