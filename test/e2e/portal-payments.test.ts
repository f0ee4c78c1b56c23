// End to end, in a real browser: a member manages their SEPA mandates and payment methods in the member portal. The
// tenant has set up SEPA and staff recorded that the account pays by transfer. The customer signs a mandate online
// with a mistyped IBAN (the error shows next to the field, nothing is saved), then with a good one (not as default),
// makes it the default payment method, sees it listed with its reference, then revokes it: the mandate stays listed
// as revoked, its payment method goes and the transfer is the default again. Staff see it on the account page.
import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signupTenant, type ApiClient } from '../support/api-client';
import {
  atPath,
  browserTestsRunnable,
  eventually,
  reportFailures,
  shows,
  signIn,
  startBrowserSession,
  type BrowserSession,
} from '../support/browser';

describe.skipIf(!browserTestsRunnable)('payment methods and mandates in the member portal', () => {
  const suffix = randomBytes(3).toString('hex');
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let staffLogin = { organisation: '', email: '', password: '' };
  const customer = { email: `debtor-${suffix}@example.org`, password: `member-pass-${suffix}` };
  let accountId = '';

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    // Revoking asks for confirmation; the test agrees.
    page.on('dialog', (dialog) => void dialog.accept());
    const tenant = await signupTenant(session.stack.apiUrl, 'Mandates E2E');
    owner = tenant.client;
    staffLogin = { organisation: tenant.tenant.slug, email: tenant.user.email, password: tenant.password };
    const settings = await owner.post('/v1/payments/sepa/settings', {
      creditorId: 'ES37000G12345674',
      creditorName: 'Mandates E2E SL',
      iban: 'ES9121000418450200051332',
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const account = await owner.post('/v1/accounts', { name: 'Marta Puig', email: customer.email, country: 'ES' });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    accountId = account.body.id;
    const transfer = await owner.post(`/v1/accounts/${accountId}/payment-sources`, { method: 'transfer', label: 'Transfer to our IBAN' });
    expect(transfer.status, JSON.stringify(transfer.body)).toBe(201);
    const user = await owner.post('/v1/users', {
      name: 'Marta Puig',
      email: customer.email,
      role: 'customer',
      password: customer.password,
      accountId,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  const sources = () => page.getByRole('table', { name: 'Saved payment methods' });
  const mandates = () => page.getByRole('table', { name: 'Direct debit mandates' });
  const sourceRows = async () => (await sources().getByRole('row').allInnerTexts()).slice(1).map((row) => row.replace(/\s+/g, ' ').trim());

  it('signs a mandate (a bad IBAN first), makes it the default, then revokes it; staff record one signed on paper', async () => {
    reportFailures(() => session, 'portal-mandates');
    await signIn(page, { organisation: staffLogin.organisation, email: customer.email, password: customer.password }, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Payments' }).click();
    await page.waitForURL(atPath('/portal/payments'));
    await shows(page.getByText('A mandate lets Mandates E2E SL collect your bills'));
    expect(await page.getByRole('region', { name: 'Direct debit mandates' }).innerText()).toContain('No mandates yet.');

    // The form is open while there is no mandate; the text names the creditor.
    const form = page.getByRole('form', { name: 'Add a direct debit mandate' });
    expect(await form.innerText()).toContain('Creditor: Mandates E2E SL · Creditor identifier: ES37000G12345674');
    await form.getByLabel('Account holder').fill('Marta Puig');
    // A mistyped Spanish IBAN: a digit changed.
    await form.getByLabel('IBAN').fill('ES91 2100 0418 4502 0005 1333');
    await form.getByLabel('I accept the mandate text').check();
    await form.getByLabel('Use it as my default payment method').uncheck();
    await form.getByRole('button', { name: 'Sign mandate' }).click();
    const iban = form.getByLabel('IBAN');
    await eventually(() => iban.getAttribute('aria-invalid')).toBe('true');
    const ibanError = await iban.evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? '')
        .join(' '),
    );
    expect(ibanError).toContain('The IBAN check digits are wrong (mistyped?)');
    expect(await form.getByLabel('Account holder').inputValue()).toBe('Marta Puig');
    expect((await owner.get(`/v1/accounts/${accountId}/mandates`)).body.items).toEqual([]);

    await iban.fill('ES91 2100 0418 4502 0005 1332');
    await form.getByRole('button', { name: 'Sign mandate' }).click();
    await page.waitForURL((url) => url.pathname === '/portal/payments' && url.searchParams.has('mandate'));
    const reference = new URL(page.url()).searchParams.get('mandate')!;
    await shows(page.getByRole('status').filter({ hasText: `Mandate ${reference} signed` }));
    const [stored] = (await owner.get(`/v1/accounts/${accountId}/mandates`)).body.items;
    expect(stored).toMatchObject({ reference, status: 'active', debtor: { name: 'Marta Puig', iban: 'ES9121000418450200051332' } });
    expect(stored.signature).toMatchObject({ channel: 'online', userAgent: expect.stringContaining('Chrome') });
    const row = mandates().getByRole('row').filter({ hasText: reference });
    expect((await row.innerText()).replace(/\s+/g, ' ')).toMatch(/Marta Puig ES91 ···· 1332 .* online Active Never Revoke/);

    // Not the default yet (the box was unticked): the transfer stays first.
    expect(await sourceRows()).toEqual([
      expect.stringMatching(/^Transfer to our IBAN Default Bank transfer/),
      expect.stringMatching(/^SEPA ES91 ·· 1332 SEPA direct debit Make default/),
    ]);
    await sources().getByRole('row').filter({ hasText: 'SEPA ES91' }).getByRole('button', { name: 'Make default' }).click();
    await eventually(sourceRows).toEqual([
      expect.stringMatching(/^SEPA ES91 ·· 1332 Default SEPA direct debit/),
      expect.stringMatching(/^Transfer to our IBAN Bank transfer Make default/),
    ]);

    await row.getByRole('button', { name: `Revoke mandate ${reference}` }).click();
    await eventually(async () => (await row.innerText()).replace(/\s+/g, ' ').trim()).toMatch(/Revoked Never$/);
    expect(await row.getByRole('button').count()).toBe(0);
    await eventually(sourceRows).toEqual([expect.stringMatching(/^Transfer to our IBAN Default Bank transfer/)]);
    expect((await owner.get(`/v1/accounts/${accountId}/mandates`)).body.items).toMatchObject([{ reference, status: 'revoked' }]);

    // Staff see the mandate, signed online and revoked, on the account page.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(atPath('/login'));
    await signIn(page, staffLogin, '/admin');
    await page.goto(`/admin/accounts/${accountId}`);
    const staffRow = page.getByRole('table', { name: 'Direct debit mandates' }).getByRole('row').filter({ hasText: reference });
    await shows(staffRow);
    expect((await staffRow.innerText()).replace(/\s+/g, ' ')).toMatch(/Marta Puig ES91 ···· 1332 .* online Revoked Never/);

    // Staff record a mandate the customer signed on paper: a future day is refused on its field, then it is saved.
    await page.getByText('Record a mandate signed on paper').click();
    const paper = page.getByRole('form', { name: 'Record a mandate signed on paper' });
    await paper.getByLabel('Account holder').fill('Marta Puig');
    await paper.getByLabel('IBAN').fill('ES76 2077 0024 0031 0257 5766');
    await paper.getByLabel('Reference').fill('PAPER-2026-001');
    await paper.getByLabel('Type of payment').selectOption('one-off');
    const day = paper.getByLabel('Signature day');
    await day.evaluate((input) => input.removeAttribute('max')); // the browser would stop it; the API must too
    await day.fill('2099-01-01');
    await paper.getByRole('button', { name: 'Record mandate' }).click();
    await eventually(() => day.getAttribute('aria-invalid')).toBe('true');
    expect((await owner.get(`/v1/accounts/${accountId}/mandates`)).body.items).toHaveLength(1);
    await day.fill('2026-11-20');
    await paper.getByRole('button', { name: 'Record mandate' }).click();
    const paperRow = page.getByRole('table', { name: 'Direct debit mandates' }).getByRole('row').filter({ hasText: 'PAPER-2026-001' });
    await shows(paperRow);
    expect((await paperRow.innerText()).replace(/\s+/g, ' ')).toMatch(/Marta Puig ES76 ···· 5766 .* on paper Active Never/);
    const recorded = (await owner.get(`/v1/accounts/${accountId}/mandates`)).body.items.find(
      (m: { reference: string }) => m.reference === 'PAPER-2026-001',
    );
    expect(recorded).toMatchObject({ kind: 'one-off', scheme: 'CORE', signedOn: '2026-11-20', signature: { channel: 'paper' } });
  });
});
