// End to end, in a real browser: a member pays a bill in the member portal. The tenant connects Stripe (the stack's
// loopback fake Stripe server, reached by the real `stripe` SDK), the customer presses "Pay" on an issued bill, lands
// on the fake's hosted Checkout page with the amount owed, pays, comes back to the bill and sees it paid — the fake
// sent the signed webhooks to the API, which verified them and derived the bill's state from the transaction.
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

describe.skipIf(!browserTestsRunnable)('paying a bill in the member portal', () => {
  const suffix = randomBytes(3).toString('hex');
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let organisation = '';
  const customer = { email: `payer-${suffix}@example.org`, password: `member-pass-${suffix}` };
  let billId = '';
  let accountId = '';

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    const tenant = await signupTenant(session.stack.apiUrl, 'Pay E2E');
    owner = tenant.client;
    organisation = tenant.tenant.slug;
    const settings = await owner.patch('/v1/billing/settings', {
      issuer: { legalName: 'Pay E2E SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    // Connect Stripe: the onboarding page of the fake enables charges and sends a signed account.updated.
    const onboarding = await owner.post('/v1/payments/stripe/onboarding', { returnUrl: `${session.webUrl}/admin` });
    expect(onboarding.status, JSON.stringify(onboarding.body)).toBe(200);
    expect((await fetch(onboarding.body.url, { redirect: 'manual' })).status).toBe(303);
    expect((await owner.get('/v1/payments/settings')).body.cardPayments).toBe(true);

    const account = await owner.post('/v1/accounts', {
      name: 'Paying Member',
      email: customer.email,
      country: 'ES',
      address: 'C/ Nou 5',
      city: 'Girona',
      postcode: '17001',
    });
    expect(account.status, JSON.stringify(account.body)).toBe(201);
    accountId = account.body.id;
    const bill = await owner.post('/v1/bills', { accountId, lines: [{ description: 'Web hosting', unitPrice: '10.00' }] });
    expect(bill.status, JSON.stringify(bill.body)).toBe(201);
    billId = bill.body.id;
    const closed = await owner.post(`/v1/bills/${billId}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    const user = await owner.post('/v1/users', {
      name: 'Paying Member',
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

  it('pays a bill through Stripe Checkout and sees it paid', async () => {
    reportFailures(() => session, 'pay-bill');
    await signIn(page, { organisation, email: customer.email, password: customer.password }, '/portal');
    await page.goto(`/portal/bills/${billId}`);
    // 10.00 + 21 % VAT, what is owed.
    const pay = page.getByRole('button', { name: 'Pay €12.10 by card' });
    await shows(pay);
    await pay.click();
    await page.waitForURL((url) => /^\/checkout\/cs_test_\w+$/.test(url.pathname), { timeout: 30_000 });
    expect(await page.getByTestId('amount').innerText()).toBe('12.10 EUR');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(atPath(`/portal/bills/${billId}`), { timeout: 30_000 });
    expect(new URL(page.url()).searchParams.get('paid')).toBe('1');
    await shows(page.getByText('Paid', { exact: true }));
    expect(await page.getByRole('button', { name: /^Pay / }).count()).toBe(0);

    const bill = await owner.get(`/v1/bills/${billId}`);
    expect(bill.body.state).toBe('paid');
    const txs = await owner.get(`/v1/payments/transactions?accountId=${accountId}`);
    expect(txs.body.items).toMatchObject([{ state: 'succeeded', method: 'card', amount: '12.10', allocations: [{ billId }] }]);

    // The payment history shows it.
    await page.getByRole('link', { name: 'Payments' }).click();
    await page.waitForURL(atPath('/portal/payments'));
    const history = page.getByRole('table', { name: 'Payment history' });
    await eventually(() => history.getByRole('row').count()).toBe(2);
    expect(await history.innerText()).toMatch(/Card\s+.*Paid\s+€12\.10/s);
  });
});
