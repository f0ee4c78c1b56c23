import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEpcRules } from '@consort/shared/payments/sepa/epc';
import { startFakeStripe, type FakeStripe } from '../../functions/src/local/fake-stripe';
import type { LocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { camt054Transfers, pain002FileReject, pain002Rejects } from '../support/bank-files';
import { startTestStack } from '../support/stack';
import { xsdErrors } from '../support/xsd';

// Refunds over the API (DynamoDB Local, the loopback fake Stripe server): card payments refunded through Stripe in
// part and in full (idempotency key per refund, webhooks charge.refunded / refund.updated applied once, a pending
// refund that fails gives the money back to the refundable amount, a refund made in the Stripe dashboard is
// recorded); never more than refundable; transfers and SEPA debits refunded by a credit-transfer batch whose pain.001
// (.09 and .03) validates against the ISO XSD and the EPC rules; marking it executed refunds the transactions; the
// bank's reports about the transfers (camt.054 executed / returned, pain.002 rejected) move the refunds, and a return
// can be recorded by hand; a card refund Stripe fails after it succeeded comes back too; the bill's balance follows
// every step.

let fake: FakeStripe;
let stack: LocalStack;
let owner: ApiClient;
let tenantId: string;
let stripeAccount: string;

const ISSUER = { legalName: 'Refund Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] };
const SEPA = {
  creditorId: 'ES37000G12345674',
  creditorName: 'Refund Hosting SL',
  iban: 'ES9121000418450200051332',
  preNotificationDays: 0,
};

type Tx = {
  id: string;
  state: string;
  amount: string;
  allocations: { billId: string; amount: string; refunded?: string }[];
  refunds?: {
    id: string;
    amount: string;
    state: string;
    stripeRefundId?: string;
    creditor?: { iban: string; name: string };
    creditTransfer?: { batchId: string; endToEndId: string };
    failure?: { code: string; message: string };
    bankCharges?: string;
    returnedAt?: string;
  }[];
  audit: { from: string | null; to: string; reason?: string }[];
};

async function newAccount(name: string) {
  const res = await owner.post('/v1/accounts', { name, email: `${name.toLowerCase().replace(/\W/g, '')}@example.org`, country: 'ES' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function closedBill(accountId: string, unitPrice: string) {
  const open = await owner.post('/v1/bills', { accountId, type: 'fee', lines: [{ description: 'Hosting', unitPrice }] });
  expect(open.status, JSON.stringify(open.body)).toBe(201);
  const closed = await owner.post(`/v1/bills/${open.body.id}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  return closed.body as { id: string; state: string };
}

/** A bill paid by the automatic charge on close of a saved card. */
async function cardPaidBill(unitPrice: string) {
  const accountId = await newAccount(`Card ${Math.random().toString(36).slice(2, 7)}`);
  const setup = await owner.post(`/v1/accounts/${accountId}/payment-sources/setup`, {
    successUrl: 'http://portal.example.org/ok',
    cancelUrl: 'http://portal.example.org/no',
  });
  await fake.complete(/\/checkout\/(cs_test_\w+)$/.exec(setup.body.url)![1]!);
  const bill = await closedBill(accountId, unitPrice);
  expect(bill.state).toBe('paid');
  const payments = await owner.get(`/v1/bills/${bill.id}/payments`);
  return { billId: bill.id, transactionId: payments.body.allocations[0].transactionId as string };
}

async function tx(id: string): Promise<Tx> {
  const res = await owner.get(`/v1/payments/transactions/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function balance(billId: string) {
  return (await owner.get(`/v1/bills/${billId}/payments`)).body as { paid: string; outstanding: string };
}

/** Wait until the fake has delivered (and the API answered) a webhook of `type` about `objectId`. */
async function delivered(type: string, count: number) {
  for (let i = 0; i < 200; i++) {
    const hits = fake.deliveries.filter((d) => d.type === type);
    if (hits.length >= count) {
      expect(hits.every((d) => d.status === 200)).toBe(true);
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${count} ${type} deliveries`);
}

beforeAll(async () => {
  fake = await startFakeStripe();
  stack = await startTestStack({
    stripe: {
      secretKey: 'sk_test_consort',
      webhookSecret: fake.webhookSecret,
      endpoint: { host: fake.host, port: fake.port, protocol: 'http' },
    },
  });
  fake.setWebhookUrl(`${stack.apiUrl}/v1/webhooks/stripe`);
  const t = await signupTenant(stack.apiUrl, 'Refunds');
  owner = t.client;
  tenantId = t.tenant.id;
  expect((await owner.patch('/v1/billing/settings', { issuer: ISSUER })).status).toBe(200);
  const onboarding = await owner.post('/v1/payments/stripe/onboarding', { returnUrl: 'http://portal.example.org/admin' });
  stripeAccount = onboarding.body.accountId;
  expect((await fetch(onboarding.body.url, { redirect: 'manual' })).status).toBe(303);
  expect((await owner.post('/v1/payments/sepa/settings', SEPA)).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await fake?.stop();
});

describe('card refunds (Stripe)', () => {
  it('refunds part, then the rest; never more than refundable; the bill balance follows', async () => {
    const { billId, transactionId } = await cardPaidBill('30.00');
    const deliveredBefore = fake.deliveries.filter((d) => d.type === 'refund.updated').length;

    const part = await owner.post(`/v1/payments/transactions/${transactionId}/refund`, { amount: '10.00', reason: 'Goodwill' });
    expect(part.status, JSON.stringify(part.body)).toBe(201);
    expect(part.body.refund).toMatchObject({
      amount: '10.00',
      state: 'succeeded',
      reason: 'Goodwill',
      stripeRefundId: expect.stringMatching(/^re_/),
    });
    expect(part.body.transaction).toMatchObject({ state: 'succeeded', allocations: [{ billId, amount: '30.00', refunded: '10.00' }] });
    const call = fake.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds').at(-1)!;
    expect(call).toMatchObject({ stripeAccount, idempotencyKey: `consort:${tenantId}:refund:${part.body.refund.id}:1` });
    expect(fake.object(part.body.refund.stripeRefundId)).toMatchObject({ amount: 1000, status: 'succeeded' });
    expect(await balance(billId)).toMatchObject({ paid: '20.00', outstanding: '10.00' });
    // The bill keeps its lifecycle state (docs/decisions.md): only its balance shows the refund.
    expect((await owner.get(`/v1/bills/${billId}`)).body.state).toBe('paid');

    // Stripe's webhooks about the same refund change nothing.
    await delivered('refund.updated', deliveredBefore + 1);
    await delivered('charge.refunded', 1);
    expect((await tx(transactionId)).refunds).toHaveLength(1);

    const tooMuch = await owner.post(`/v1/payments/transactions/${transactionId}/refund`, { amount: '20.01' });
    expect(tooMuch.status).toBe(422);
    expect(JSON.stringify(tooMuch.body)).toContain('At most 20.00');
    expect((await owner.post(`/v1/payments/transactions/${transactionId}/refund`, { amount: '0.00' })).status).toBe(422);

    const rest = await owner.post(`/v1/payments/transactions/${transactionId}/refund`, {});
    expect(rest.status, JSON.stringify(rest.body)).toBe(201);
    expect(rest.body.refund).toMatchObject({ amount: '20.00', state: 'succeeded' });
    expect(rest.body.transaction).toMatchObject({ state: 'refunded', allocations: [{ refunded: '30.00' }] });
    expect(await balance(billId)).toMatchObject({ paid: '0.00', outstanding: '30.00' });
    await delivered('refund.updated', deliveredBefore + 2);
    const after = await tx(transactionId);
    expect(after.state).toBe('refunded');
    expect(after.refunds!.map((r) => [r.amount, r.state])).toEqual([
      ['10.00', 'succeeded'],
      ['20.00', 'succeeded'],
    ]);
    expect((await owner.post(`/v1/payments/transactions/${transactionId}/refund`, {})).status).toBe(409);
  });

  it('a pending refund that fails gives its amount back to what is refundable', async () => {
    const { billId, transactionId } = await cardPaidBill('12.00');
    fake.setRefundOutcome('pending');
    try {
      const res = await owner.post(`/v1/payments/transactions/${transactionId}/refund`, { amount: '5.00' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      expect(res.body.refund).toMatchObject({ state: 'pending' });
      // While pending, it counts against the refundable amount but not against the bill's balance.
      expect((await owner.post(`/v1/payments/transactions/${transactionId}/refund`, { amount: '7.01' })).status).toBe(422);
      expect(await balance(billId)).toMatchObject({ paid: '12.00' });
      const before = fake.deliveries.filter((d) => d.type === 'refund.updated').length;
      await fake.settleRefund(res.body.refund.stripeRefundId, 'failed');
      await delivered('refund.updated', before + 1);
      const after = await tx(transactionId);
      expect(after.state).toBe('succeeded');
      expect(after.refunds).toEqual([expect.objectContaining({ state: 'failed', amount: '5.00' })]);
    } finally {
      fake.setRefundOutcome('succeeded');
    }
    const full = await owner.post(`/v1/payments/transactions/${transactionId}/refund`, {});
    expect(full.body.refund).toMatchObject({ amount: '12.00', state: 'succeeded' });
  });

  it('a refund Stripe fails after it succeeded comes back: returned, the payment succeeded again', async () => {
    const { billId, transactionId } = await cardPaidBill('9.00');
    const res = await owner.post(`/v1/payments/transactions/${transactionId}/refund`, {});
    expect(res.body.refund).toMatchObject({ state: 'succeeded', amount: '9.00' });
    expect((await tx(transactionId)).state).toBe('refunded');
    const before = fake.deliveries.filter((d) => d.type === 'refund.updated').length;
    await fake.settleRefund(res.body.refund.stripeRefundId, 'failed');
    await delivered('refund.updated', before + 1);
    const after = await tx(transactionId);
    expect(after.state).toBe('succeeded');
    expect(after.refunds).toEqual([
      expect.objectContaining({ state: 'returned', failure: expect.objectContaining({ code: 'lost_or_stolen_card' }) }),
    ]);
    expect(await balance(billId)).toMatchObject({ paid: '9.00', outstanding: '0.00' });
    // Card refunds come back through Stripe only.
    const byHand = await owner.post(`/v1/payments/transactions/${transactionId}/refunds/${res.body.refund.id}/return`, { reason: 'x' });
    expect(byHand.status).toBe(422);
  });

  it('records a refund made in the Stripe dashboard from its webhooks', async () => {
    const { billId, transactionId } = await cardPaidBill('8.00');
    const intentId = (await tx(transactionId)) as Tx & { refs: { stripePaymentIntentId: string } };
    const before = fake.deliveries.filter((d) => d.type === 'refund.updated').length;
    const res = await fetch(`${fake.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer sk_test_dashboard',
        'stripe-account': stripeAccount,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ payment_intent: intentId.refs.stripePaymentIntentId, amount: '300' }),
    });
    expect(res.status).toBe(200);
    await delivered('refund.updated', before + 1);
    const after = await tx(transactionId);
    expect(after.refunds).toEqual([expect.objectContaining({ amount: '3.00', state: 'succeeded' })]);
    expect(after.state).toBe('succeeded');
    expect(await balance(billId)).toMatchObject({ paid: '5.00', outstanding: '3.00' });
  });
});

describe('credit-transfer refunds (pain.001)', () => {
  let executedBatch: { id: string; messageId: string; items: { refundId: string; transactionId: string; endToEndId: string }[] };
  let unexecutedBatch: typeof executedBatch;
  let transferTx: string;
  let transferBill: string;
  let sepaTx: string;

  it('refunds a transfer to the IBAN given, and a SEPA debit to the mandate’s IBAN, waiting for a batch', async () => {
    const accountId = await newAccount('Transfer Payer');
    const bill = await closedBill(accountId, '40.00');
    transferBill = bill.id;
    const created = await owner.post('/v1/payments/transactions', { accountId, method: 'transfer', allocations: [{ billId: bill.id }] });
    transferTx = created.body.id;
    expect((await owner.post(`/v1/payments/transactions/${transferTx}/transition`, { to: 'succeeded' })).status).toBe(200);

    const noIban = await owner.post(`/v1/payments/transactions/${transferTx}/refund`, { amount: '15.00' });
    expect(noIban.status).toBe(422);
    expect(JSON.stringify(noIban.body)).toContain('iban');
    const badIban = await owner.post(`/v1/payments/transactions/${transferTx}/refund`, {
      amount: '15.00',
      iban: 'ES5121000813990123456789',
    });
    expect(badIban.status).toBe(422);
    const first = await owner.post(`/v1/payments/transactions/${transferTx}/refund`, {
      amount: '15.00',
      iban: 'ES91 2100 0418 4502 0005 1332',
      name: 'Muñoz Peña & Cía.',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body.refund).toMatchObject({
      state: 'pending',
      creditor: { iban: 'ES9121000418450200051332', name: 'Muñoz Peña & Cía.' },
    });
    const second = await owner.post(`/v1/payments/transactions/${transferTx}/refund`, { iban: 'ES9121000418450200051332' });
    expect(second.body.refund).toMatchObject({ amount: '25.00', state: 'pending', creditor: { name: 'Transfer Payer' } });
    expect((await owner.post(`/v1/payments/transactions/${transferTx}/refund`, { amount: '0.01', iban: SEPA.iban })).status).toBe(422);
    // Nothing is given back before the transfer is made.
    expect(await balance(bill.id)).toMatchObject({ paid: '40.00', outstanding: '0.00' });

    const debtor = await newAccount('Debit Payer');
    const mandate = await owner.post(`/v1/accounts/${debtor}/mandates`, {
      signedOn: '2026-01-01',
      debtor: { name: 'Debit Payer', iban: 'DE89370400440532013000' },
    });
    expect(mandate.status, JSON.stringify(mandate.body)).toBe(201);
    const debitBill = await closedBill(debtor, '19.99');
    const batch = await owner.post('/v1/payments/sepa/batches', { accountIds: [debtor] });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    sepaTx = batch.body.batch.items[0].transactionId;
    expect((await owner.post(`/v1/payments/transactions/${sepaTx}/transition`, { to: 'succeeded' })).status).toBe(200);
    expect(await balance(debitBill.id)).toMatchObject({ paid: '19.99' });
    const debitRefund = await owner.post(`/v1/payments/transactions/${sepaTx}/refund`, {});
    expect(debitRefund.status, JSON.stringify(debitRefund.body)).toBe(201);
    expect(debitRefund.body.refund).toMatchObject({ amount: '19.99', state: 'pending', creditor: { iban: 'DE89370400440532013000' } });

    const waiting = await owner.get('/v1/payments/sepa/refunds');
    expect((waiting.body.items as { refund: { amount: string } }[]).map((w) => w.refund.amount).sort()).toEqual([
      '15.00',
      '19.99',
      '25.00',
    ]);
  });

  it('cancels a batch that will not be executed: its refunds wait again and the next batch pays them', async () => {
    const created = await owner.post('/v1/payments/sepa/credit-transfers', {});
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect((await tx(transferTx)).refunds!.map((r) => r.state)).toEqual(['batched', 'batched']);
    const path = `/v1/payments/sepa/credit-transfers/${created.body.id}`;

    const noReason = await owner.post(`${path}/cancel`, { reason: ' ' });
    expect(noReason.status).toBe(422);
    expect(JSON.stringify(noReason.body)).toContain('Say why the batch is cancelled');
    const cancelled = await owner.post(`${path}/cancel`, { reason: 'Wrong debtor account on the file' });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', cancelReason: 'Wrong debtor account on the file', count: 3 });
    expect(cancelled.body.cancelledBy).toBeTruthy();

    // Back to waiting, with no batch named on them; the bill has not been given anything back.
    const refunds = (await tx(transferTx)).refunds!;
    expect(refunds.map((r) => r.state)).toEqual(['pending', 'pending']);
    expect(refunds.every((r) => !('creditTransfer' in r))).toBe(true);
    expect((await tx(sepaTx)).refunds!.map((r) => r.state)).toEqual(['pending']);
    const waiting = await owner.get('/v1/payments/sepa/refunds');
    expect((waiting.body.items as { refund: { amount: string } }[]).map((w) => w.refund.amount).sort()).toEqual([
      '15.00',
      '19.99',
      '25.00',
    ]);
    expect(await balance(transferBill)).toMatchObject({ paid: '40.00', outstanding: '0.00' });

    // A cancelled batch is never executed; cancelling again changes nothing.
    const execute = await owner.post(`${path}/executed`);
    expect(execute.status).toBe(409);
    expect(JSON.stringify(execute.body)).toContain('was cancelled');
    const again = await owner.post(`${path}/cancel`, { reason: 'Twice' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ cancelledAt: cancelled.body.cancelledAt, cancelReason: 'Wrong debtor account on the file' });
    expect(
      (await owner.get('/v1/payments/sepa/credit-transfers')).body.items.find((b: { id: string }) => b.id === created.body.id),
    ).toMatchObject({
      state: 'cancelled',
    });
  });

  it('pays them with one pain.001.001.09 valid against the XSD and the EPC rules; executed → refunded', async () => {
    const created = await owner.post('/v1/payments/sepa/credit-transfers', {});
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ painVersion: '09', state: 'generated', count: 3, controlSum: '59.99' });
    const file = await owner.get(`/v1/payments/sepa/credit-transfers/${created.body.id}/file`);
    expect(file.status).toBe(200);
    const xml = file.body.xml as string;
    expect(await xsdErrors(xml, 'pain.001.001.09')).toEqual([]);
    expect(checkEpcRules(xml)).toEqual([]);
    expect(xml).toContain('<CtrlSum>59.99</CtrlSum>');
    expect(xml).toContain('<IBAN>DE89370400440532013000</IBAN>');
    expect(xml).toContain('<Nm>Munoz Pena + Cia.</Nm>');
    expect(xml).toContain('<InstdAmt Ccy="EUR">15.00</InstdAmt>');

    expect((await tx(transferTx)).refunds!.map((r) => r.state)).toEqual(['batched', 'batched']);
    expect((await owner.get('/v1/payments/sepa/refunds')).body.items).toEqual([]);
    expect((await owner.post('/v1/payments/sepa/credit-transfers', {})).status).toBe(422);
    const listed = await owner.get('/v1/payments/sepa/credit-transfers');
    expect(listed.body.items.map((b: { id: string }) => b.id)).toContain(created.body.id);

    const executed = await owner.post(`/v1/payments/sepa/credit-transfers/${created.body.id}/executed`);
    expect(executed.status, JSON.stringify(executed.body)).toBe(200);
    executedBatch = executed.body;
    expect(executed.body.state).toBe('executed');
    expect(await tx(transferTx)).toMatchObject({ state: 'refunded', allocations: [{ refunded: '40.00' }] });
    expect(await tx(sepaTx)).toMatchObject({ state: 'refunded' });
    expect(await balance(transferBill)).toMatchObject({ paid: '0.00', outstanding: '40.00' });
    // Idempotent; an executed batch cannot be cancelled.
    expect((await owner.post(`/v1/payments/sepa/credit-transfers/${created.body.id}/executed`)).body.executedAt).toBe(
      executed.body.executedAt,
    );
    const cancel = await owner.post(`/v1/payments/sepa/credit-transfers/${created.body.id}/cancel`, { reason: 'Too late' });
    expect(cancel.status).toBe(409);
    expect(await tx(transferTx)).toMatchObject({ state: 'refunded' });
  });

  it('writes pain.001.001.03 for a tenant on the 2009 messages', async () => {
    expect((await owner.post('/v1/payments/sepa/settings', { ...SEPA, painVersion: '02' })).status).toBe(200);
    const accountId = await newAccount('Old Bank Payer');
    const bill = await closedBill(accountId, '7.50');
    const created = await owner.post('/v1/payments/transactions', { accountId, method: 'manual', allocations: [{ billId: bill.id }] });
    await owner.post(`/v1/payments/transactions/${created.body.id}/transition`, { to: 'succeeded' });
    expect((await owner.post(`/v1/payments/transactions/${created.body.id}/refund`, { iban: SEPA.iban, bic: 'CAIXESBBXXX' })).status).toBe(
      201,
    );
    const batch = await owner.post('/v1/payments/sepa/credit-transfers', { executionDate: '2027-01-01' });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    // 1 January is a TARGET holiday: the next business day.
    expect(batch.body).toMatchObject({ painVersion: '03', executionDate: '2027-01-04', count: 1, controlSum: '7.50' });
    const xml = (await owner.get(`/v1/payments/sepa/credit-transfers/${batch.body.id}/file`)).body.xml as string;
    expect(await xsdErrors(xml, 'pain.001.001.03')).toEqual([]);
    expect(checkEpcRules(xml)).toEqual([]);
    expect(xml).toContain('<BIC>CAIXESBBXXX</BIC>');
    unexecutedBatch = batch.body;
  });

  it('a transfer the payee’s bank sends back (camt.054): the refund is returned, the payment holds money again', async () => {
    const [first, second] = (await tx(transferTx)).refunds!;
    const e2e = (refundId: string) => executedBatch.items.find((i) => i.refundId === refundId)!.endToEndId;
    const content = camt054Transfers('CAIX-NTF-REFUNDS-1', [
      { endToEndId: e2e(first!.id), amount: '15.00', returned: { reason: 'AC04', charges: '0.60' } },
      { endToEndId: e2e(second!.id), amount: '25.00' },
      // The tenant's own rent, paid from the same account: none of our transfers, so not listed at all.
      { endToEndId: 'RENT-2026-12', amount: '900.00' },
    ]);
    const preview = await owner.post('/v1/payments/sepa/imports/preview', { fileName: 'ntf.xml', content });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    // Executed entries find the refunds already succeeded (the batch was marked executed); the return moves one.
    expect(preview.body.lines.map((l: { outcome: string; action: string }) => [l.outcome, l.action])).toEqual([
      ['settled', 'none'],
      ['settled', 'none'],
      ['returned', 'return'],
    ]);
    expect(preview.body.lines[2].match).toMatchObject({
      by: 'endToEndId',
      transactionIds: [transferTx],
      billIds: [transferBill],
      refunds: [{ transactionId: transferTx, refundId: first!.id }],
    });
    expect((await tx(transferTx)).state).toBe('refunded'); // a preview writes nothing

    const applied = await owner.post('/v1/payments/sepa/imports', { fileName: 'ntf.xml', content });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.summary).toMatchObject({ entries: 3, matched: 3, unmatched: 0, changes: 1 });
    const after = await tx(transferTx);
    expect(after.state).toBe('succeeded');
    expect(after.refunds!.map((r) => r.state)).toEqual(['returned', 'succeeded']);
    expect(after.refunds![0]).toMatchObject({ failure: { code: 'AC04' }, bankCharges: '0.60' });
    expect(after.refunds![0]!.returnedAt).toBeTruthy();
    expect(after.allocations).toEqual([expect.objectContaining({ refunded: '25.00' })]);
    expect(after.audit.at(-1)).toMatchObject({ from: 'refunded', to: 'succeeded' });
    expect(after.audit.at(-1)!.reason).toContain('AC04');
    expect(await balance(transferBill)).toMatchObject({ paid: '15.00', outstanding: '25.00' });

    // The same file again changes nothing; the money that came back can be refunded to another account.
    const again = await owner.post('/v1/payments/sepa/imports', { content });
    expect(again.body.alreadyImported).toBe(true);
    expect((await tx(transferTx)).refunds!.map((r) => r.state)).toEqual(['returned', 'succeeded']);
    expect((await owner.post(`/v1/payments/transactions/${transferTx}/refund`, { amount: '15.01', iban: SEPA.iban })).status).toBe(422);
    const retry = await owner.post(`/v1/payments/transactions/${transferTx}/refund`, { amount: '15.00', iban: 'DE89370400440532013000' });
    expect(retry.status, JSON.stringify(retry.body)).toBe(201);
    expect(retry.body.refund).toMatchObject({ state: 'pending', creditor: { iban: 'DE89370400440532013000' } });
  });

  it('a pain.002 rejecting a credit transfer fails its refund, which can be made again', async () => {
    const [item] = unexecutedBatch.items;
    const content = pain002Rejects(unexecutedBatch.messageId, [{ endToEndId: item!.endToEndId, reason: 'AC01' }], 'pain.001.001.03');
    const applied = await owner.post('/v1/payments/sepa/imports', { fileName: 'sts.xml', content });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.lines).toEqual([
      expect.objectContaining({ outcome: 'rejected', action: 'fail', match: expect.objectContaining({ by: 'endToEndId' }) }),
    ]);
    const after = await tx(item!.transactionId);
    expect(after.state).toBe('succeeded');
    expect(after.refunds).toEqual([expect.objectContaining({ state: 'failed', failure: expect.objectContaining({ code: 'AC01' }) })]);
    expect((await owner.post(`/v1/payments/transactions/${item!.transactionId}/refund`, { iban: SEPA.iban })).body.refund).toMatchObject({
      amount: '7.50',
      state: 'pending',
    });
  });

  it('a pain.002 rejecting a whole credit-transfer file cancels its batch: the refunds wait for the next one', async () => {
    const waiting = (await owner.get('/v1/payments/sepa/refunds')).body.items as { refund: { id: string } }[];
    expect(waiting.length).toBeGreaterThan(0);
    const batch = await owner.post('/v1/payments/sepa/credit-transfers', {});
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const content = pain002FileReject(batch.body.messageId, 'FF01', 'pain.001.001.03');
    const preview = await owner.post('/v1/payments/sepa/imports/preview', { content });
    expect(preview.body.lines).toEqual([
      expect.objectContaining({ scope: 'file', outcome: 'rejected', action: 'requeue', match: expect.objectContaining({ by: 'batch' }) }),
    ]);
    expect(preview.body.lines[0].match.refunds).toHaveLength(waiting.length);
    const applied = await owner.post('/v1/payments/sepa/imports', { content });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    const cancelled = (await owner.get(`/v1/payments/sepa/credit-transfers/${batch.body.id}`)).body;
    expect(cancelled.state).toBe('cancelled');
    expect(cancelled.cancelReason).toContain('FF01');
    // The payees were not at fault: the same refunds wait again (not failed), and the next file pays them.
    const again = (await owner.get('/v1/payments/sepa/refunds')).body.items as { refund: { id: string; state: string } }[];
    expect(again.map((w) => w.refund.id).sort()).toEqual(waiting.map((w) => w.refund.id).sort());
    expect(again.every((w) => w.refund.state === 'pending')).toBe(true);
  });

  it('records a return by hand: refund returned, payment succeeded again; idempotent; 409 before the transfer, 422 without a reason', async () => {
    const refund = (await tx(sepaTx)).refunds![0]!;
    expect(refund.state).toBe('succeeded');
    const path = `/v1/payments/transactions/${sepaTx}/refunds/${refund.id}/return`;
    const noReason = await owner.post(path, { code: 'AC04' });
    expect(noReason.status).toBe(422);
    expect(JSON.stringify(noReason.body)).toContain('Say why the transfer came back');
    expect((await owner.post(path, { reason: 'Closed', code: 'AC 04' })).status).toBe(422);
    const res = await owner.post(path, { reason: 'Account closed (bank letter of 20 Dec)', code: 'ac04', bankCharges: '1.20' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.refund).toMatchObject({ state: 'returned', failure: { code: 'AC04' }, bankCharges: '1.20' });
    expect(res.body.transaction.state).toBe('succeeded');
    const again = await owner.post(path, { reason: 'Twice' });
    expect(again.status).toBe(200);
    expect(again.body.refund).toMatchObject({
      returnedAt: res.body.refund.returnedAt,
      failure: { message: 'Account closed (bank letter of 20 Dec)' },
    });

    // A refund still waiting for its batch never went out.
    const waiting = (await tx(transferTx)).refunds!.find((r) => r.state === 'pending')!;
    const early = await owner.post(`/v1/payments/transactions/${transferTx}/refunds/${waiting.id}/return`, { reason: 'Too early' });
    expect(early.status).toBe(409);
    expect((await owner.post(`/v1/payments/transactions/${sepaTx}/refunds/rfd_missing/return`, { reason: 'x' })).status).toBe(404);
  });

  it('only staff refund: a customer of the account gets 403', async () => {
    const accountId = await newAccount('Curious Customer');
    const user = await owner.post('/v1/users', {
      name: 'Customer',
      email: `customer-${Math.random().toString(36).slice(2, 7)}@example.org`,
      role: 'customer',
      password: 'long-enough-password',
      accountId,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const bill = await closedBill(accountId, '3.00');
    const created = await owner.post('/v1/payments/transactions', { accountId, method: 'manual', allocations: [{ billId: bill.id }] });
    await owner.post(`/v1/payments/transactions/${created.body.id}/transition`, { to: 'succeeded' });
    const slug = (await owner.get('/v1/tenant')).body.slug;
    const session = await apiClient(stack.apiUrl).post('/v1/auth/sessions', {
      organisation: slug,
      email: user.body.email,
      password: 'long-enough-password',
    });
    expect(session.status, JSON.stringify(session.body)).toBe(201);
    const customer = apiClient(stack.apiUrl, session.body.token);
    const res = await customer.post(`/v1/payments/transactions/${created.body.id}/refund`, { iban: SEPA.iban });
    expect(res.status).toBe(403);
  });
});
