// End to end, in a real browser: staff refund a received transfer and pay the refund by credit transfer. On the
// transaction page they refund part of it to an IBAN (pending), on "Direct debits" they create a credit transfer
// from the waiting refund, cancel that file (the refund waits again), create another, download its pain.001 (checked
// against the XSD and the EPC rules) and mark it executed;
// the transaction page then shows the refund done and the rest still refundable, and records the transfer coming back.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEpcRules } from '@consort/shared/payments/sepa/epc';
import { signupTenant, type ApiClient } from '../support/api-client';
import { atPath, browserTestsRunnable, reportFailures, shows, signIn, startBrowserSession, type BrowserSession } from '../support/browser';
import { xsdErrors } from '../support/xsd';

describe.skipIf(!browserTestsRunnable)('refunds in the staff portal', () => {
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let login = { organisation: '', email: '', password: '' };
  let transactionId = '';

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    const tenant = await signupTenant(session.stack.apiUrl, 'Refund E2E');
    owner = tenant.client;
    login = { organisation: tenant.tenant.slug, email: tenant.user.email, password: tenant.password };
    const issuer = { legalName: 'Refund E2E SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] };
    expect((await owner.patch('/v1/billing/settings', { issuer })).status).toBe(200);
    const sepa = { creditorId: 'ES37000G12345674', creditorName: 'Refund E2E SL', iban: 'ES9121000418450200051332' };
    expect((await owner.post('/v1/payments/sepa/settings', sepa)).status).toBe(200);
    const account = await owner.post('/v1/accounts', {
      name: 'Jordi Puig',
      email: `payer-${randomBytes(3).toString('hex')}@example.org`,
      country: 'ES',
    });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    const bill = await owner.post('/v1/bills', {
      accountId: account.body.id,
      type: 'fee',
      lines: [{ description: 'Hosting', unitPrice: '30.00' }],
    });
    expect((await owner.post(`/v1/bills/${bill.body.id}/close`)).status).toBe(200);
    const tx = await owner.post('/v1/payments/transactions', {
      accountId: account.body.id,
      method: 'transfer',
      allocations: [{ billId: bill.body.id }],
    });
    transactionId = tx.body.id;
    expect((await owner.post(`/v1/payments/transactions/${transactionId}/transition`, { to: 'succeeded' })).status).toBe(200);
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  it('refunds part of a transfer and pays it with a credit-transfer file', async () => {
    reportFailures(() => session, 'refunds');
    await signIn(page, login, '/admin');
    await page.goto(`/admin/payments/transactions/${transactionId}`);
    await page.getByLabel('Amount').fill('12.50');
    await page.getByLabel('Reason', { exact: true }).fill('Service not delivered');
    await page.getByLabel('IBAN to refund to').fill('ES91 2100 0418 4502 0005 1332');
    await page.getByRole('button', { name: 'Refund' }).click();
    const refunds = page.getByRole('table', { name: 'Refunds' });
    await shows(refunds);
    expect(await refunds.innerText()).toMatch(/Pending.*Jordi Puig.*ES9121000418450200051332.*Service not delivered.*12\.50/s);

    await page.getByRole('link', { name: 'Direct debits' }).click();
    await page.waitForURL(atPath('/admin/payments/batches'));
    expect(await page.getByRole('table', { name: 'Waiting refunds' }).innerText()).toContain('12.50');
    await page.getByRole('button', { name: 'Create credit transfer' }).click();
    await page.waitForURL(atPath(/^\/admin\/payments\/credit-transfers\/sct_/));
    expect(await page.getByRole('table', { name: 'Transfers' }).innerText()).toMatch(/Jordi Puig.*ES9121000418450200051332.*12\.50/s);

    // This file will not go to the bank: cancelled with a reason, the refund waits again for the next one.
    const cancelled = page.url();
    await page.locator('summary', { hasText: 'Cancel batch' }).click();
    await page.getByLabel('Why it will not be executed').fill('Wrong execution date');
    await page.locator('form[aria-label="Cancel batch"]').getByRole('button', { name: 'Cancel batch' }).click();
    await shows(page.getByText('Wrong execution date'));
    expect(await page.getByRole('button', { name: 'Mark executed' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Direct debits' }).click();
    await page.waitForURL(atPath('/admin/payments/batches'));
    expect(await page.getByRole('table', { name: 'Waiting refunds' }).innerText()).toContain('12.50');
    await page.getByRole('button', { name: 'Create credit transfer' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/payments/credit-transfers/sct_') && url.href !== cancelled);
    expect(await page.getByRole('table', { name: 'Transfers' }).innerText()).toMatch(/Jordi Puig.*ES9121000418450200051332.*12\.50/s);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download pain.001 file' }).click();
    const xml = readFileSync((await (await download).path())!, 'utf8');
    expect(await xsdErrors(xml, 'pain.001.001.09')).toEqual([]);
    expect(checkEpcRules(xml)).toEqual([]);
    expect(xml).toContain('<InstdAmt Ccy="EUR">12.50</InstdAmt>');

    await page.getByRole('button', { name: 'Mark executed' }).click();
    await shows(page.getByText('Executed', { exact: true }));
    await page.goto(`/admin/payments/transactions/${transactionId}`);
    expect(await page.getByRole('table', { name: 'Refunds' }).innerText()).toMatch(/Refunded/);
    const tx = (await owner.get(`/v1/payments/transactions/${transactionId}`)).body;
    expect(tx).toMatchObject({ state: 'succeeded', allocations: [{ refunded: '12.50' }] });
    expect((await owner.get(`/v1/bills/${tx.allocations[0].billId}/payments`)).body).toMatchObject({ paid: '17.50' });

    // The payee's bank sends the transfer back: recorded by hand, the refund is returned and the money refundable again.
    await page.getByLabel('What the bank said').fill('Account closed');
    await page.getByLabel('Reason code').fill('AC04');
    await page.getByLabel('Bank charges').fill('0.60');
    await page.getByRole('button', { name: 'Record return' }).click();
    await shows(page.getByText('Returned by the bank'));
    expect(await page.getByRole('table', { name: 'Refunds' }).innerText()).toMatch(/Returned by the bank.*AC04: Account closed.*0\.60/s);
    expect(await page.getByRole('button', { name: 'Record return' }).count()).toBe(0);
    const back = (await owner.get(`/v1/payments/transactions/${transactionId}`)).body;
    expect(back.refunds[0]).toMatchObject({ state: 'returned', bankCharges: '0.60', failure: { code: 'AC04' } });
    expect((await owner.get(`/v1/bills/${back.allocations[0].billId}/payments`)).body).toMatchObject({ paid: '30.00' });
  });

  it('turns the automatic charge on close off (after confirming) and on again', async () => {
    reportFailures(() => session, 'auto-charge-setting');
    await page.goto('/admin/payments/transactions');
    await shows(page.getByText(/^On: a bill is charged/));
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Turn off automatic charges' }).click();
    await shows(page.getByText(/^Off: bills wait/));
    expect((await owner.get('/v1/payments/settings')).body.autoCharge).toBe(false);
    await page.getByRole('button', { name: 'Turn on automatic charges' }).click();
    await shows(page.getByText(/^On: a bill is charged/));
    expect((await owner.get('/v1/payments/settings')).body.autoCharge).toBe(true);
  });
});
