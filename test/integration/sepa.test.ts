import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '@consort/shared/core/clock';
import { Money } from '@consort/shared/core/money';
import { checkEpcRules } from '@consort/shared/payments/sepa/epc';
import type { LocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { camt054Returns, pain002Rejects } from '../support/bank-files';
import { startTestStack } from '../support/stack';
import { xsdErrors } from '../support/xsd';

// SEPA direct debit over the API against DynamoDB Local and the local S3: mandates, a batch whose pain.008 validates
// against the ISO XSD and the EPC rules, then the bank's answers — a camt.054 AC04 return marks the bill returned and
// invalidates the mandate (issue 5 done-when), AM04 re-presents at most twice, a pain.002 reject fails the debit,
// and importing the same file twice changes nothing. The clock is fixed on Tuesday 1 Dec 2026, 09:00 UTC.

const clock = fixedClock('2026-12-01T09:00:00Z');
let stack: LocalStack;
let staff: ApiClient;

const SETTINGS = {
  creditorId: 'ES37000G12345674',
  creditorName: 'Xarxa Cooperativa & Cía.',
  iban: 'ES9121000418450200051332',
  bic: 'CAIXESBBXXX',
  painVersion: '08',
  leadDays: 2,
  preNotificationDays: 14,
};

async function account(name: string) {
  const res = await staff.post('/v1/accounts', {
    name,
    email: `${Math.random().toString(36).slice(2, 8)}@example.org`,
    country: 'ES',
    address: 'C/ Nou 5',
    city: 'Girona',
    postcode: '17001',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
}

async function mandate(accountId: string, debtor: Record<string, string>, extra: Record<string, unknown> = {}) {
  const res = await staff.post(`/v1/accounts/${accountId}/mandates`, { signedOn: '2026-03-01', debtor, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function issuedBill(accountId: string, unitPrice: string) {
  const open = await staff.post('/v1/bills', { accountId, lines: [{ description: 'Hosting', unitPrice }] });
  expect(open.status, JSON.stringify(open.body)).toBe(201);
  const closed = await staff.post(`/v1/bills/${open.body.id}/close`);
  expect(closed.status, JSON.stringify(closed.body)).toBe(200);
  return closed.body;
}

async function newBatch(body: Record<string, unknown> = {}) {
  const res = await staff.post('/v1/payments/sepa/batches', body);
  return res;
}

async function bill(id: string) {
  return (await staff.get(`/v1/bills/${id}`)).body;
}

async function transaction(id: string) {
  return (await staff.get(`/v1/payments/transactions/${id}`)).body;
}

let accounts: { munoz: string; garcia: string; transfer: string };
let bills: { munoz: any; garcia: any; transfer: any };
let mandates: { munoz: any; garcia: any };
let firstBatch: any;

beforeAll(async () => {
  stack = await startTestStack({ clock });
  const owner = await signupTenant(stack.apiUrl, 'Sepa');
  const key = await owner.client.post('/v1/api-keys', { name: 'sepa tests', role: 'owner' });
  expect(key.status).toBe(201);
  staff = apiClient(stack.apiUrl, key.body.secret);
  const issuer = { legalName: 'Xarxa SCCL', taxId: 'F12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] };
  expect((await staff.patch('/v1/billing/settings', { issuer })).status).toBe(200);
  accounts = {
    munoz: await account('Muñoz Peña & Cía.'),
    garcia: await account('Jordi García'),
    transfer: await account('Pays By Transfer'),
  };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('SEPA settings and mandates', () => {
  it('refuses a bad creditor id and a Spanish IBAN with wrong national check digits (422), then accepts valid ones', async () => {
    expect((await staff.get('/v1/payments/sepa/settings')).body).toEqual({ configured: false });
    const bad = await staff.post('/v1/payments/sepa/settings', { ...SETTINGS, creditorId: 'ES38000G12345674' });
    expect(bad.status).toBe(422);
    expect(JSON.stringify(bad.body)).toContain('check digits');
    const ok = await staff.post('/v1/payments/sepa/settings', SETTINGS);
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body).toMatchObject({ creditorId: 'ES37000G12345674', firstAs: 'FRST', batchBooking: true });

    const wrongDc = await staff.post(`/v1/accounts/${accounts.munoz}/mandates`, {
      signedOn: '2026-03-01',
      debtor: { name: 'Muñoz', iban: 'ES5121000813990123456789' },
    });
    expect(wrongDc.status).toBe(422);
    expect(JSON.stringify(wrongDc.body)).toContain('national check digits');
    const future = await staff.post(`/v1/accounts/${accounts.munoz}/mandates`, {
      signedOn: '2026-12-02',
      debtor: { name: 'Muñoz', iban: 'ES9121000418450200051332' },
    });
    expect(future.status).toBe(422);
    const swiss = await staff.post(`/v1/accounts/${accounts.munoz}/mandates`, {
      signedOn: '2026-03-01',
      debtor: { name: 'Muñoz', iban: 'CH9300762011623852957' },
    });
    expect(swiss.status).toBe(422);
    expect(JSON.stringify(swiss.body)).toContain('outside the EEA');
  });

  it('records mandates as default SEPA payment sources; references are unique per tenant', async () => {
    mandates = {
      munoz: await mandate(
        accounts.munoz,
        { name: 'Muñoz Peña & Cía.', iban: 'es91 2100 0418 4502 0005 1332' },
        { reference: 'MUNOZ-0001' },
      ),
      garcia: await mandate(accounts.garcia, { name: 'Jordi García i Puig', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' }),
    };
    expect(mandates.munoz).toMatchObject({ reference: 'MUNOZ-0001', status: 'active', effectiveStatus: 'active', collections: 0 });
    expect(mandates.munoz.debtor.iban).toBe('ES9121000418450200051332');
    const dup = await staff.post(`/v1/accounts/${accounts.garcia}/mandates`, {
      reference: 'MUNOZ-0001',
      signedOn: '2026-03-01',
      debtor: { name: 'X', iban: 'DE89370400440532013000' },
    });
    expect(dup.status).toBe(409);
    const sources = await staff.get(`/v1/accounts/${accounts.munoz}/payment-sources`);
    expect(sources.body.items).toMatchObject([{ method: 'sepa_debit', isDefault: true, mandateId: mandates.munoz.id }]);
    const transfer = await staff.post(`/v1/accounts/${accounts.transfer}/payment-sources`, { method: 'transfer', label: 'Transfer' });
    expect(transfer.status).toBe(201);
    const list = await staff.get(`/v1/accounts/${accounts.garcia}/mandates`);
    expect(list.body.items.map((m: { id: string }) => m.id)).toEqual([mandates.garcia.id]);
  });
});

describe('a direct debit batch', () => {
  it('collects the unpaid bills of accounts paying by SEPA; the file passes the XSD and the EPC rules', async () => {
    bills = {
      munoz: await issuedBill(accounts.munoz, '10.10'),
      garcia: await issuedBill(accounts.garcia, '0.10'),
      transfer: await issuedBill(accounts.transfer, '50.00'),
    };
    const res = await newBatch();
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    firstBatch = res.body.batch;
    expect(firstBatch).toMatchObject({ state: 'generated', count: 2, painVersion: '08' });
    expect(firstBatch.controlSum).toBe(new Money(bills.munoz.totals.total).plus(bills.garcia.totals.total).toFixed(2));
    const items = firstBatch.items as any[];
    expect(items.map((i) => i.billIds[0]).sort()).toEqual([bills.munoz.id, bills.garcia.id].sort());
    expect(items.every((i) => i.sequenceType === 'FRST')).toBe(true);
    // Issued 1 Dec, due 31 Dec (30 days): collected on the due day, a TARGET business day.
    expect(items.map((i) => i.collectionDate)).toEqual(['2026-12-31', '2026-12-31']);

    const file = await staff.get(`/v1/payments/sepa/batches/${firstBatch.id}/file`);
    expect(file.status).toBe(200);
    expect(file.body.fileName).toBe(`${firstBatch.messageId}.xml`);
    expect(await xsdErrors(file.body.xml, 'pain.008.001.08')).toEqual([]);
    expect(checkEpcRules(file.body.xml)).toEqual([]);
    expect(file.body.xml).toContain('<Nm>Munoz Pena + Cia.</Nm>');
    expect(file.body.xml).toContain('<Nm>Xarxa Cooperativa + Cia.</Nm>');
    expect(file.body.xml).toContain('<MndtId>MUNOZ-0001</MndtId>');
    expect(file.body.xml).toContain('<CreDtTm>2026-12-01T09:00:00Z</CreDtTm>');
    // Downloading again gives the same stored bytes.
    expect((await staff.get(`/v1/payments/sepa/batches/${firstBatch.id}/file`)).body.sha256).toBe(file.body.sha256);

    for (const item of items) {
      const tx = await transaction(item.transactionId);
      expect(tx).toMatchObject({
        method: 'sepa_debit',
        state: 'processing',
        refs: { sepa: { batchId: firstBatch.id, endToEndId: item.endToEndId } },
      });
    }
    const m = await staff.get(`/v1/accounts/${accounts.munoz}/mandates/${mandates.munoz.id}`);
    expect(m.body).toMatchObject({ collections: 1, lastCollectionOn: '2026-12-31' });
  });

  it('does not collect a bill twice while its debit is in flight', async () => {
    const res = await newBatch();
    expect(res.status).toBe(422);
    expect(JSON.stringify(res.body)).toContain('already in progress');
  });

  it('lists the batch and marks it executed (idempotent)', async () => {
    const list = await staff.get('/v1/payments/sepa/batches');
    expect(list.body.items.map((b: { id: string }) => b.id)).toEqual([firstBatch.id]);
    expect(list.body.items[0].items).toBeUndefined();
    const done = await staff.post(`/v1/payments/sepa/batches/${firstBatch.id}/executed`);
    expect(done.body).toMatchObject({ state: 'executed', executedAt: '2026-12-01T09:00:00.000Z' });
    const again = await staff.post(`/v1/payments/sepa/batches/${firstBatch.id}/executed`);
    expect(again.body.version).toBe(done.body.version);
  });
});

describe('bank returns', () => {
  it('a camt.054 with an AC04 return marks the bill returned and invalidates the mandate; preview changes nothing', async () => {
    const munozItem = firstBatch.items.find((i: any) => i.accountId === accounts.munoz);
    const garciaItem = firstBatch.items.find((i: any) => i.accountId === accounts.garcia);
    const content = camt054Returns('NTF-AC04', [
      { endToEndId: munozItem.endToEndId, mandateId: 'MUNOZ-0001', amount: munozItem.amount, reason: 'AC04', charges: '3.00' },
      { endToEndId: 'SOMEONE-ELSES-E2E', amount: '99.00', reason: 'AM04' },
    ]);
    const before = await bill(bills.munoz.id);
    const preview = await staff.post('/v1/payments/sepa/imports/preview', { fileName: 'ntf.xml', content });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.summary).toEqual({ entries: 2, matched: 1, unmatched: 1, changes: 1 });
    expect(preview.body.lines[0]).toMatchObject({
      outcome: 'returned',
      reasonCode: 'AC04',
      action: 'return',
      mandateAction: 'invalidate',
      match: { by: 'endToEndId', transactionIds: [munozItem.transactionId], billIds: [bills.munoz.id] },
    });
    expect(preview.body.lines[1]).toMatchObject({ action: 'none', note: 'No matching direct debit or refund transfer' });
    expect((await bill(bills.munoz.id)).version).toBe(before.version);
    expect((await transaction(munozItem.transactionId)).state).toBe('processing');

    const applied = await staff.post('/v1/payments/sepa/imports', { fileName: 'ntf.xml', content });
    expect(applied.status, JSON.stringify(applied.body)).toBe(200);
    expect(applied.body.alreadyImported).toBe(false);
    const returned = await bill(bills.munoz.id);
    expect(returned.state).toBe('returned');
    // The issued bill's content is untouched: same number, lines, totals.
    expect([returned.number, returned.lines, returned.totals, returned.issuedOn]).toEqual([
      before.number,
      before.lines,
      before.totals,
      before.issuedOn,
    ]);
    expect(returned.audit.map((a: any) => a.to)).toEqual([...before.audit.map((a: any) => a.to), 'paid', 'returned']);
    const tx = await transaction(munozItem.transactionId);
    expect(tx).toMatchObject({ state: 'returned', bankCharges: '3.00', failure: { code: 'AC04' } });
    expect(tx.audit.map((a: any) => a.to)).toEqual(['processing', 'succeeded', 'returned']);
    const m = await staff.get(`/v1/accounts/${accounts.munoz}/mandates/${mandates.munoz.id}`);
    expect(m.body).toMatchObject({ status: 'invalid', effectiveStatus: 'invalid' });
    expect(m.body.statusReason).toContain('AC04');
    // Garcia's debit was not in the file.
    expect((await transaction(garciaItem.transactionId)).state).toBe('processing');
  });

  it('importing the same file again changes nothing', async () => {
    const munozItem = firstBatch.items.find((i: any) => i.accountId === accounts.munoz);
    const content = camt054Returns('NTF-AC04', [
      { endToEndId: munozItem.endToEndId, mandateId: 'MUNOZ-0001', amount: munozItem.amount, reason: 'AC04', charges: '3.00' },
      { endToEndId: 'SOMEONE-ELSES-E2E', amount: '99.00', reason: 'AM04' },
    ]);
    const [billBefore, txBefore] = [await bill(bills.munoz.id), await transaction(munozItem.transactionId)];
    const again = await staff.post('/v1/payments/sepa/imports', { content });
    expect(again.body.alreadyImported).toBe(true);
    expect((await bill(bills.munoz.id)).version).toBe(billBefore.version);
    expect((await transaction(munozItem.transactionId)).version).toBe(txBefore.version);
    const imports = await staff.get('/v1/payments/sepa/imports');
    expect(imports.body.items).toHaveLength(1);
    expect(imports.body.items[0]).toMatchObject({ format: 'camt.054', messageId: 'NTF-AC04', summary: { matched: 1 } });
  });

  it('an invalid mandate is not collected again; AM04 is re-presented at most twice (RCUR), then no more', async () => {
    const garciaItem = firstBatch.items.find((i: any) => i.accountId === accounts.garcia);
    // The return comes by mandate + amount only (no EndToEndId in this bank's file).
    let content = camt054Returns('NTF-AM04-1', [{ mandateId: mandates.garcia.reference, amount: garciaItem.amount, reason: 'AM04' }]);
    let res = await staff.post('/v1/payments/sepa/imports', { content });
    expect(res.body.lines[0]).toMatchObject({ action: 'return', mandateAction: 'keep', match: { by: 'mandate+amount' } });
    expect((await bill(bills.garcia.id)).state).toBe('returned');

    for (let presentation = 1; presentation <= 2; presentation++) {
      clock.advance(86_400_000);
      const batch = await newBatch();
      expect(batch.status, JSON.stringify(batch.body)).toBe(201);
      expect(batch.body.batch.items).toHaveLength(1);
      const item = batch.body.batch.items[0];
      expect(item).toMatchObject({ accountId: accounts.garcia, billIds: [bills.garcia.id], sequenceType: 'RCUR' });
      expect(batch.body.skipped).toEqual([expect.objectContaining({ billId: bills.munoz.id, reason: expect.stringContaining('invalid') })]);
      content = camt054Returns(`NTF-AM04-${presentation + 1}`, [{ endToEndId: item.endToEndId, amount: item.amount, reason: 'AM04' }]);
      res = await staff.post('/v1/payments/sepa/imports', { content });
      expect(res.body.summary.changes).toBe(1);
    }
    const last = await newBatch();
    expect(last.status).toBe(422);
    expect(JSON.stringify(last.body)).toContain('no automatic re-presentation');
  });

  it('a pain.002 reject fails the debit before settlement; the bill stays unpaid', async () => {
    clock.advance(86_400_000);
    const garcia2 = await account('Anna Vidal');
    await mandate(garcia2, { name: 'Anna Vidal', iban: 'FR1420041010050500013M02606' });
    const billToReject = await issuedBill(garcia2, '7.00');
    const batch = await newBatch({ accountIds: [garcia2] });
    expect(batch.status, JSON.stringify(batch.body)).toBe(201);
    const item = batch.body.batch.items[0];
    const res = await staff.post('/v1/payments/sepa/imports', {
      content: pain002Rejects(batch.body.batch.messageId, [{ endToEndId: item.endToEndId, reason: 'AC01' }]),
    });
    expect(res.body).toMatchObject({ format: 'pain.002', summary: { matched: 1, changes: 1 } });
    expect(await transaction(item.transactionId)).toMatchObject({ state: 'failed', failure: { code: 'AC01' } });
    expect((await bill(billToReject.id)).state).toBe('closed');
  });

  it('refuses a file that is not a bank report (422) and needs payments:write', async () => {
    const res = await staff.post('/v1/payments/sepa/imports/preview', { content: '<html><body>hi</body></html>' });
    expect(res.status).toBe(422);
    const support = await staff.post('/v1/api-keys', { name: 'support', role: 'support' });
    const supportClient = apiClient(stack.apiUrl, support.body.secret);
    expect((await supportClient.post('/v1/payments/sepa/batches', {})).status).toBe(403);
  });
});

describe('cancelling a batch that will not be sent', () => {
  it('fails its collections as cancelled; the bill is collected again by the next batch, FRST again', async () => {
    const payer = await account('Marta Soler');
    const signed = await mandate(payer, { name: 'Marta Soler', iban: 'NL91ABNA0417164300' });
    const unpaid = await issuedBill(payer, '12.34');
    const first = await newBatch({ accountIds: [payer] });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const item = first.body.batch.items[0];
    expect(item.sequenceType).toBe('FRST');
    const path = `/v1/payments/sepa/batches/${first.body.batch.id}`;
    const mandatePath = `/v1/accounts/${payer}/mandates/${signed.id}`;
    expect((await staff.get(mandatePath)).body).toMatchObject({ collections: 1, lastCollectionOn: item.collectionDate });
    // In flight: not collected twice.
    expect((await newBatch({ accountIds: [payer] })).status).toBe(422);

    expect((await staff.post(`${path}/cancel`, {})).status).toBe(422);
    const tooLong = await staff.post(`${path}/cancel`, { reason: 'x'.repeat(1001) });
    expect(tooLong.status).toBe(422);
    const cancelled = await staff.post(`${path}/cancel`, { reason: `Collection date agreed later with the customer. ${'z'.repeat(950)}` });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body).toMatchObject({ state: 'cancelled', cancelReason: expect.stringMatching(/^Collection date agreed later/) });
    expect(await transaction(item.transactionId)).toMatchObject({
      state: 'failed',
      failure: { code: 'cancelled', message: expect.stringContaining('Collection date agreed later') },
    });
    expect((await bill(unpaid.id)).state).toBe('closed');
    const forgotten = (await staff.get(mandatePath)).body;
    expect(forgotten.collections).toBe(0);
    expect(forgotten.lastCollectionOn).toBeUndefined();

    // Idempotent, never sent, and the bill is collectable again as a first collection.
    const again = await staff.post(`${path}/cancel`, { reason: 'Twice' });
    expect(again.body).toMatchObject({ state: 'cancelled', cancelledAt: cancelled.body.cancelledAt, version: cancelled.body.version });
    expect((await staff.get(mandatePath)).body.collections).toBe(0);
    const execute = await staff.post(`${path}/executed`);
    expect(execute.status).toBe(409);
    const next = await newBatch({ accountIds: [payer] });
    expect(next.status, JSON.stringify(next.body)).toBe(201);
    expect(next.body.batch.items[0]).toMatchObject({ billIds: [unpaid.id], sequenceType: 'FRST', amount: unpaid.totals.total });
    expect((await staff.post(`/v1/payments/sepa/batches/${next.body.batch.id}/executed`)).status).toBe(200);
    expect((await staff.post(`/v1/payments/sepa/batches/${next.body.batch.id}/cancel`, { reason: 'Too late' })).status).toBe(409);
  });
});
