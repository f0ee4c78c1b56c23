// End to end, in a real browser: staff collect a bill by SEPA direct debit and import the bank's return. A customer
// with a mandate owes an issued bill; on "Direct debits" staff create a batch, cancel it (the bill is collectable
// again), create another and download its pain.008 (checked against the XSD and the EPC rules); on "Bank files" they
// paste a camt.054 with an AC04 return, preview it (nothing changes), apply it, and the bill is returned and the
// mandate invalid. Applying the same file again changes nothing.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkEpcRules } from '@consort/shared/payments/sepa/epc';
import { signupTenant, type ApiClient } from '../support/api-client';
import { camt054Returns } from '../support/bank-files';
import { atPath, browserTestsRunnable, reportFailures, shows, signIn, startBrowserSession, type BrowserSession } from '../support/browser';
import { xsdErrors } from '../support/xsd';

describe.skipIf(!browserTestsRunnable)('SEPA direct debits in the staff portal', () => {
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let login = { organisation: '', email: '', password: '' };
  let billId = '';
  let accountId = '';
  let mandateId = '';

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    const tenant = await signupTenant(session.stack.apiUrl, 'Sepa E2E');
    owner = tenant.client;
    login = { organisation: tenant.tenant.slug, email: tenant.user.email, password: tenant.password };
    const issuer = { legalName: 'Sepa E2E SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] };
    expect((await owner.patch('/v1/billing/settings', { issuer })).status).toBe(200);
    const settings = await owner.post('/v1/payments/sepa/settings', {
      creditorId: 'ES37000G12345674',
      creditorName: 'Sepa E2E SL',
      iban: 'ES9121000418450200051332',
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const account = await owner.post('/v1/accounts', {
      name: 'Núria Peña',
      email: `debtor-${randomBytes(3).toString('hex')}@example.org`,
      country: 'ES',
      address: 'C/ Nou 5',
      city: 'Girona',
      postcode: '17001',
    });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    accountId = account.body.id;
    const mandate = await owner.post(`/v1/accounts/${accountId}/mandates`, {
      signedOn: '2026-01-10',
      debtor: { name: 'Núria Peña', iban: 'DE89370400440532013000' },
    });
    expect(mandate.status, JSON.stringify(mandate.body)).toBe(201);
    mandateId = mandate.body.id;
    const bill = await owner.post('/v1/bills', { accountId, lines: [{ description: 'Web hosting', unitPrice: '10.00' }] });
    billId = bill.body.id;
    expect((await owner.post(`/v1/bills/${billId}/close`)).status).toBe(200);
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  it('creates a batch, downloads its file and applies a camt.054 AC04 return', async () => {
    reportFailures(() => session, 'sepa');
    await signIn(page, login, '/admin');
    await page.getByRole('link', { name: 'Direct debits' }).click();
    await page.waitForURL(atPath('/admin/payments/batches'));
    await page.getByRole('button', { name: 'Create batch' }).click();
    await page.waitForURL(atPath(/^\/admin\/payments\/batches\/sdb_/));
    const collections = page.getByRole('table', { name: 'Collections' });
    await shows(collections);
    expect(await collections.innerText()).toMatch(/Núria Peña.*FRST.*€12\.10/s);

    // Not sent after all: cancelled with a reason; the next batch collects the bill again, still as a first collection.
    const cancelled = page.url();
    await page.locator('summary', { hasText: 'Cancel batch' }).click();
    await page.getByLabel('Why it will not be sent').fill('Customer asked for a later date');
    await page.locator('form[aria-label="Cancel batch"]').getByRole('button', { name: 'Cancel batch' }).click();
    await shows(page.getByText('Customer asked for a later date'));
    expect(await page.getByRole('button', { name: 'Mark executed' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Direct debits' }).click();
    await page.waitForURL(atPath('/admin/payments/batches'));
    await page.getByRole('button', { name: 'Create batch' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/admin/payments/batches/sdb_') && url.href !== cancelled);
    expect(await page.getByRole('table', { name: 'Collections' }).innerText()).toMatch(/Núria Peña.*FRST.*€12\.10/s);

    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download pain.008 file' }).click();
    const xml = readFileSync((await (await download).path())!, 'utf8');
    expect(await xsdErrors(xml, 'pain.008.001.08')).toEqual([]);
    expect(checkEpcRules(xml)).toEqual([]);
    expect(xml).toContain('<Nm>Nuria Pena</Nm>');

    await page.getByRole('button', { name: 'Mark executed' }).click();
    await shows(page.getByText('Executed', { exact: true }));

    const batches = await owner.get('/v1/payments/sepa/batches');
    const batch = (await owner.get(`/v1/payments/sepa/batches/${batches.body.items[0].id}`)).body;
    const item = batch.items[0];
    const camt = camt054Returns('NTF-E2E-1', [{ endToEndId: item.endToEndId, amount: item.amount, reason: 'AC04', charges: '2.50' }]);

    await page.getByRole('link', { name: 'Bank files' }).click();
    await page.waitForURL(atPath('/admin/payments/imports'));
    await page.getByLabel('Or paste the XML').fill(camt);
    await page.getByRole('button', { name: 'Preview' }).click();
    await shows(page.getByText('Preview: nothing has changed yet'));
    expect(await page.getByRole('status', { name: 'Preview: nothing has changed yet' }).innerText()).toMatch(
      /1 matched, 0 unmatched, 1 changes/,
    );
    expect((await owner.get(`/v1/bills/${billId}`)).body.state).toBe('closed');

    await page.getByRole('button', { name: 'Apply' }).click();
    await shows(page.getByText('Applied', { exact: true }));
    expect((await owner.get(`/v1/bills/${billId}`)).body.state).toBe('returned');
    const m = await owner.get(`/v1/accounts/${accountId}/mandates/${mandateId}`);
    expect(m.body.effectiveStatus).toBe('invalid');

    await page.getByRole('button', { name: 'Apply' }).click();
    await shows(page.getByText('This file was already imported; nothing changed'));
    await page.reload();
    const imports = page.getByRole('table', { name: 'Bank files' });
    expect(await imports.innerText()).toMatch(/camt\.054\s+NTF-E2E-1/);
  });
});
