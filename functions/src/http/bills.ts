import { z } from 'zod';
import { BillingRunInput, createBillsFromOrders } from '@consort/shared/bills/billing-run';
import { AmendmentMode, BillSettingsPatch, BillState, BillType, CreateBillInput, ManualLineInput } from '@consort/shared/bills/model';
import { downloadBillPdf, regenerateBillDocument } from '@consort/shared/bills/documents';
import { EditLineInput, editLine } from '@consort/shared/bills/line-edit';
import * as Bills from '@consort/shared/bills/use-cases';
import { LocalDate } from '@consort/shared/core/dates';
import { Amount } from '@consort/shared/core/money';
import { PageQuery } from '@consort/shared/core/schemas';
import { chargeOnClose } from '@consort/shared/payments/stripe';
import { route } from './route';

// Bills: open bills and their lines, the lifecycle actions as sub-resources, amendments, quotes, merging, billing
// runs and the tenant's bill settings. Every handler is parse → actor → one use case; the use cases validate.

const Reason = z.object({ reason: z.string().max(1000).optional() });

/** POST /v1/bills/{billId}/<action> for the lifecycle actions that only move the state. */
const actions = (
  [
    ['send', 'Send an issued bill to the account’s billing contacts (also re-send; resend after a return)'],
    ['mark-paid', 'Mark an issued bill paid'],
    ['mark-returned', 'Mark a bill returned (a debit came back)'],
    ['mark-irrecoverable', 'Mark a bill irrecoverable (bad debt); say why'],
    ['discard', 'Discard an issued bill (it keeps its number); say why'],
    ['undo-discard', 'Bring a discarded bill back to closed'],
  ] as const
).map(([action, summary]) =>
  route({
    method: 'POST',
    path: `/v1/bills/{billId}/${action}`,
    tag: 'Bills',
    status: 200,
    summary,
    body: Reason,
    handle: ({ deps, actor, params, body }) => Bills.actOnBill(deps, actor, params.billId!, action, body),
  }),
);

export const billRoutes = [
  route({
    method: 'GET',
    path: '/v1/bills',
    tag: 'Bills',
    status: 200,
    summary: 'Bills by state, type, account, issue day (from/to), overdue=true, or an exact number',
    query: PageQuery.extend({
      state: BillState.optional(),
      type: BillType.optional(),
      accountId: z.string().optional(),
      from: LocalDate.optional(),
      to: LocalDate.optional(),
      overdue: z.enum(['true', 'false']).optional(),
      number: z.string().optional(),
    }),
    handle: ({ deps, actor, query }) => Bills.listBills(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/bills',
    tag: 'Bills',
    status: 201,
    summary: 'Open a bill (invoice, fee or quote) by hand, optionally with lines',
    body: CreateBillInput,
    handle: ({ deps, actor, body }) => Bills.createBill(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/bills/export',
    tag: 'Bills',
    status: 200,
    summary: 'Issued bills of a fiscal year in number order, with amounts as issued (the accountant’s export)',
    query: PageQuery.extend({ year: z.coerce.number().int().optional(), type: BillType.optional() }),
    handle: ({ deps, actor, query }) => Bills.exportBills(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/merge',
    tag: 'Bills',
    status: 200,
    summary: 'Merge open bills of one account, type and currency into the oldest',
    body: z.object({ billIds: z.array(z.string()) }),
    handle: ({ deps, actor, body }) => Bills.mergeBills(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/bills/{billId}',
    tag: 'Bills',
    status: 200,
    summary: 'A bill with its lines, audit trail, available actions and (issued) frozen document',
    handle: ({ deps, actor, params }) => Bills.getBill(deps, actor, params.billId!),
  }),
  route({
    method: 'GET',
    path: '/v1/bills/{billId}/pdf',
    tag: 'Bills',
    status: 200,
    summary: 'The bill as PDF (base64): the stored document of an issued bill, a draft for an open one',
    handle: ({ deps, actor, params }) => downloadBillPdf(deps, actor, params.billId!),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/regenerate-pdf',
    tag: 'Bills',
    status: 200,
    summary: 'Re-render an issued bill from its frozen document and check it equals the stored PDF',
    handle: ({ deps, actor, params }) => regenerateBillDocument(deps, actor, params.billId!),
  }),
  route({
    method: 'DELETE',
    path: '/v1/bills/{billId}',
    tag: 'Bills',
    status: 204,
    summary: 'Delete an open bill; the orders it billed go back to where they stood (issued bills: 409)',
    handle: ({ deps, actor, params }) => Bills.deleteBill(deps, actor, params.billId!),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/lines',
    tag: 'Bills',
    status: 201,
    summary: 'Add a line to an open bill',
    body: ManualLineInput,
    handle: ({ deps, actor, params, body }) => Bills.addLine(deps, actor, params.billId!, body),
  }),
  route({
    method: 'PATCH',
    path: '/v1/bills/{billId}/lines/{lineId}',
    tag: 'Bills',
    status: 200,
    summary: 'Change a line typed by staff on an open bill (engine lines: remove them instead); null clears the period',
    body: EditLineInput,
    handle: ({ deps, actor, params, body }) => editLine(deps, actor, params.billId!, params.lineId!, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/bills/{billId}/lines/{lineId}',
    tag: 'Bills',
    status: 200,
    summary: 'Remove a line (with its order’s other lines) from an open bill; the order is restored',
    handle: ({ deps, actor, params }) => Bills.deleteLine(deps, actor, params.billId!, params.lineId!),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/lines/{lineId}/move',
    tag: 'Bills',
    status: 200,
    summary: 'Move a line (with its order’s other lines) to another open bill of the same account and type',
    body: z.object({ toBillId: z.string() }),
    handle: ({ deps, actor, params, body }) => Bills.moveLine(deps, actor, params.billId!, params.lineId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/close',
    tag: 'Bills',
    status: 200,
    summary: 'Issue an open bill: next number of its series (quotes: none), dates, frozen document; then the automatic card charge',
    body: z.object({ reason: z.string().optional(), exchangeRate: Amount.optional() }),
    handle: async ({ deps, actor, params, body }) => {
      const closed = await Bills.closeBill(deps, actor, params.billId!, body);
      // The close is committed; the automatic charge (default saved card) never fails it (docs/payments.md).
      const charge = await chargeOnClose(deps, actor.tenantId, closed.id);
      if (charge.result === 'error' || charge.result === 'failed')
        deps.log.warn('Automatic charge on close', { billId: closed.id, ...charge });
      return charge.result === 'charged' || charge.result === 'failed' ? Bills.getBill(deps, actor, closed.id) : closed;
    },
  }),
  ...actions,
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/amend',
    tag: 'Bills',
    status: 201,
    summary: 'Open an amendment of an issued invoice or fee: whole amount (no lines) or corrected lines',
    body: z.object({
      cause: z.string(),
      mode: AmendmentMode.optional(),
      lines: z.array(z.object({ lineId: z.string(), total: Amount })).optional(),
      notes: z.string().optional(),
    }),
    handle: ({ deps, actor, params, body }) => Bills.amendBill(deps, actor, params.billId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/convert',
    tag: 'Bills',
    status: 201,
    summary: 'Convert an issued quote into an open invoice that links back to it',
    body: Reason,
    handle: ({ deps, actor, params, body }) => Bills.convertQuote(deps, actor, params.billId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/billing/run',
    tag: 'Bills',
    status: 200,
    summary: 'Bill now (synchronously): selected accounts, orders or services — or every account — until a day',
    body: BillingRunInput,
    handle: ({ deps, actor, body }) => createBillsFromOrders(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/billing/settings',
    tag: 'Bills',
    status: 200,
    summary: 'Bill settings: issuer profile, series per document type, fee mode, payment instructions',
    handle: ({ deps, actor }) => Bills.getBillSettings(deps, actor),
  }),
  route({
    method: 'PATCH',
    path: '/v1/billing/settings',
    tag: 'Bills',
    status: 200,
    summary: 'Change bill settings',
    body: BillSettingsPatch,
    handle: ({ deps, actor, body }) => Bills.updateBillSettings(deps, actor, body),
  }),
];
