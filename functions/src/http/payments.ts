import { z } from 'zod';
import { ExternalRefs, PaymentAmount, PaymentMethod, TransactionState } from '@consort/shared/payments/model';
import * as Dunning from '@consort/shared/payments/dunning-run';
import * as Methods from '@consort/shared/payments/methods';
import * as Stripe from '@consort/shared/payments/stripe';
import * as Refunds from '@consort/shared/payments/refunds';
import * as Transactions from '@consort/shared/payments/transactions';
import { PageQuery } from '@consort/shared/core/schemas';
import { route } from './route';

// Payments: transactions (staff record transfers and manual payments, move them; everyone sees their own), paying a
// bill online (Stripe Checkout), saved payment sources, the tenant's Stripe onboarding and the Stripe webhook. Every
// handler is parse → actor → one use case; the use cases validate.

const Urls = z.object({ successUrl: z.url(), cancelUrl: z.url() });

export const paymentRoutes = [
  route({
    method: 'POST',
    path: '/v1/webhooks/stripe',
    tag: 'Payments',
    isPublic: true,
    status: 200,
    summary: 'Stripe Connect webhook: signature checked on the raw body, events deduplicated, other accounts refused',
    handle: async ({ deps, event }) => {
      const raw = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
      const outcome = await Stripe.handleStripeWebhook(deps, raw, event.headers['stripe-signature']);
      if (outcome.result !== 'applied') deps.log.info('Stripe event not applied', { ...outcome });
      return { received: true, ...outcome };
    },
  }),
  route({
    method: 'GET',
    path: '/v1/payments/transactions',
    tag: 'Payments',
    status: 200,
    summary: 'Transactions, newest first (customers: their own account’s), by state or account',
    query: PageQuery.extend({ state: TransactionState.optional(), accountId: z.string().optional() }),
    handle: ({ deps, actor, query }) => Transactions.listTransactions(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/transactions',
    tag: 'Payments',
    status: 201,
    summary: 'Record a payment (transfer, manual…) allocated to one or more bills; amounts left out pay what is owed',
    body: z.object({
      accountId: z.string(),
      method: PaymentMethod,
      sourceId: z.string().optional(),
      allocations: z.array(z.object({ billId: z.string(), amount: PaymentAmount.optional() })),
      state: z.enum(['created', 'processing']).optional(),
      refs: ExternalRefs.optional(),
    }),
    handle: ({ deps, actor, body }) => Transactions.createTransaction(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/transactions/{transactionId}',
    tag: 'Payments',
    status: 200,
    summary: 'One transaction with its audit trail',
    handle: ({ deps, actor, params }) => Transactions.getTransaction(deps, actor, params.transactionId!),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/transactions/{transactionId}/transition',
    tag: 'Payments',
    status: 200,
    summary: 'Move a transaction (e.g. a transfer received → succeeded); the bills’ paid state follows',
    body: Transactions.TransitionInput,
    handle: ({ deps, actor, params, body }) => Transactions.moveTransaction(deps, actor, params.transactionId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/transactions/{transactionId}/refund',
    tag: 'Payments',
    status: 201,
    summary: 'Refund a succeeded payment, in full (no amount) or in part: card → Stripe refund; others → credit transfer',
    body: Refunds.RefundInput,
    handle: ({ deps, actor, params, body }) => Refunds.refundTransaction(deps, actor, params.transactionId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/transactions/{transactionId}/refunds/{refundId}/return',
    tag: 'Payments',
    status: 200,
    summary:
      'The bank sent a refund’s credit transfer back: the refund is returned, its money refundable again (409 unless it went out; idempotent)',
    body: Refunds.RefundReturnInput,
    handle: ({ deps, actor, params, body }) => Refunds.recordRefundReturn(deps, actor, params.transactionId!, params.refundId!, body),
  }),
  route({
    method: 'GET',
    path: '/v1/bills/{billId}/payments',
    tag: 'Payments',
    status: 200,
    summary: 'What has been paid on a bill, what is owed, and its allocations',
    handle: ({ deps, actor, params }) => Methods.billPayments(deps, actor, params.billId!),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/pay',
    tag: 'Payments',
    status: 200,
    summary: 'Pay what is owed on a bill by card: returns the Stripe Checkout URL',
    body: Urls,
    handle: ({ deps, actor, params, body }) => Stripe.payBill(deps, actor, params.billId!, body),
  }),
  route({
    method: 'GET',
    path: '/v1/bills/{billId}/transfer-instructions',
    tag: 'Payments',
    status: 200,
    summary: 'How to pay a bill by bank transfer (IBAN, amount, reference)',
    handle: ({ deps, actor, params }) => Methods.transferInstructions(deps, actor, params.billId!),
  }),
  route({
    method: 'POST',
    path: '/v1/bills/{billId}/charge',
    tag: 'Payments',
    status: 200,
    summary: 'Charge a bill to the account’s saved card (off-session)',
    handle: ({ deps, actor, params }) => Stripe.chargeBill(deps, actor, params.billId!),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}/dunning',
    tag: 'Payments',
    status: 200,
    summary: 'Dunning state of an account: ladder level, steps taken, services suspended by dunning',
    handle: ({ deps, actor, params }) => Dunning.getDunningStatus(deps, actor, params.accountId!),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}/payment-sources',
    tag: 'Payments',
    status: 200,
    summary: 'Saved payment sources of an account, the default first',
    handle: ({ deps, actor, params }) => Methods.listSources(deps, actor, params.accountId!),
  }),
  route({
    method: 'POST',
    path: '/v1/accounts/{accountId}/payment-sources',
    tag: 'Payments',
    status: 201,
    summary: 'Record that an account pays by transfer or manually',
    body: z.object({ method: z.enum(['transfer', 'manual']), label: z.string() }),
    handle: ({ deps, actor, params, body }) => Methods.addOfflineSource(deps, actor, params.accountId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/accounts/{accountId}/payment-sources/setup',
    tag: 'Payments',
    status: 200,
    summary: 'Save a card for automatic charges: returns a Stripe Checkout (setup mode) URL',
    body: Urls,
    handle: ({ deps, actor, params, body }) => Stripe.startSavingCard(deps, actor, params.accountId!, body),
  }),
  route({
    method: 'POST',
    path: '/v1/accounts/{accountId}/payment-sources/{sourceId}/default',
    tag: 'Payments',
    status: 200,
    summary: 'Make a source the account’s default',
    handle: ({ deps, actor, params }) => Methods.setDefaultSource(deps, actor, params.accountId!, params.sourceId!),
  }),
  route({
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/payment-sources/{sourceId}',
    tag: 'Payments',
    status: 204,
    summary: 'Forget a saved payment source',
    handle: ({ deps, actor, params }) => Methods.deleteSource(deps, actor, params.accountId!, params.sourceId!),
  }),
  route({
    method: 'GET',
    path: '/v1/payments/settings',
    tag: 'Payments',
    status: 200,
    summary: 'The tenant’s payment settings (connected Stripe account, due days by method)',
    handle: ({ deps, actor }) => Stripe.getPaymentSettings(deps, actor),
  }),
  route({
    method: 'PATCH',
    path: '/v1/payments/settings',
    tag: 'Payments',
    status: 200,
    summary: 'Change the due days by payment method',
    body: z.object({ dueDays: z.record(z.string(), z.number()) }),
    handle: ({ deps, actor, body }) => Stripe.updatePaymentSettings(deps, actor, body),
  }),
  route({
    method: 'POST',
    path: '/v1/payments/stripe/onboarding',
    tag: 'Payments',
    status: 200,
    summary: 'Connect the tenant to Stripe: returns an onboarding link for its connected account',
    body: z.object({ returnUrl: z.url(), refreshUrl: z.url().optional() }),
    handle: ({ deps, actor, body }) => Stripe.startStripeOnboarding(deps, actor, body),
  }),
];
