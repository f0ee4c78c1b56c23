// End to end, in a real browser: staff find bills with filters and the number search, close + send + download a
// selection (one ZIP of PDFs), see a bulk action report each bill on its own, open a bill with its number and
// history and download its PDF; the customer then sees and downloads their own bills in the member portal and
// cannot reach another account's. Bills are set up through the API (the pages under test are the bills pages).
// Last, staff start a billing run that closes its bills from the billing runs page and follow it to the end: two
// accounts with a due order each (seeded in the store: orders have no create route), one without the address an
// invoice needs, whose bill cannot be closed and is listed among the run's errors.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '@consort/shared/core/clock';
import { newId } from '@consort/shared/core/ids';
import type { Order } from '@consort/shared/orders/model';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
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

/** Text of a PDF through Debian's poppler-utils. */
function pdfText(bytes: Uint8Array, dir: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

async function downloaded(download: Download): Promise<Buffer> {
  const path = await download.path();
  return readFileSync(path);
}

describe.skipIf(!browserTestsRunnable)('bills in the staff and member portals', () => {
  const suffix = randomBytes(3).toString('hex');
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let login: { organisation: string; email: string; password: string };
  const customer = { email: `member-${suffix}@example.org`, password: `member-pass-${suffix}` };
  /** Bill ids: the customer's account A (three open invoices), another account B (one issued invoice). */
  const bills: { a1: string; a2: string; a3: string; b1: string } = { a1: '', a2: '', a3: '', b1: '' };
  let bNumber = '';
  let accountA = '';

  const current = () => session;

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    // Closing asks for confirmation; the test agrees.
    page.on('dialog', (dialog) => void dialog.accept());

    const tenant = await signupTenant(session.stack.apiUrl, 'Bills E2E');
    owner = tenant.client;
    login = { organisation: tenant.tenant.slug, email: tenant.user.email, password: tenant.password };
    const settings = await owner.patch('/v1/billing/settings', {
      issuer: { legalName: 'E2E Hosting SL', taxId: 'B12345678', addressLines: ['C/ Major 1', '08001 Barcelona'] },
    });
    expect(settings.status, JSON.stringify(settings.body)).toBe(200);
    const account = async (name: string, email: string) => {
      const res = await owner.post('/v1/accounts', { name, email, country: 'ES', address: 'C/ Nou 5', city: 'Girona', postcode: '17001' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    accountA = await account('Example Association', `board-${suffix}@example.org`);
    const accountB = await account('Other Club', `other-${suffix}@example.org`);
    const open = async (accountId: string, description: string, unitPrice: string) => {
      const res = await owner.post('/v1/bills', { accountId, lines: [{ description, unitPrice }] });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body.id as string;
    };
    bills.a1 = await open(accountA, 'Web hosting', '10.00');
    bills.a2 = await open(accountA, 'Mail hosting', '20.50');
    bills.a3 = await open(accountA, 'Extra storage', '3.00');
    bills.b1 = await open(accountB, 'Other club hosting', '99.00');
    const closed = await owner.post(`/v1/bills/${bills.b1}/close`);
    expect(closed.status, JSON.stringify(closed.body)).toBe(200);
    bNumber = closed.body.number;
    const user = await owner.post('/v1/users', {
      name: 'Board Member',
      email: customer.email,
      role: 'customer',
      password: customer.password,
      accountId: accountA,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  const billsTable = () => page.getByRole('table', { name: 'All bills' });

  it('lists bills and filters them by state and account', async () => {
    reportFailures(current, 'bills-list');
    await signIn(page, login, '/admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Bills' }).click();
    await page.waitForURL(atPath('/admin/bills'));
    await shows(page.getByRole('heading', { level: 1, name: 'Bills' }));
    // Header row + four bills.
    await eventually(() => billsTable().getByRole('row').count()).toBe(5);

    const filters = page.getByRole('form', { name: 'Filter bills' });
    await filters.getByLabel('State').selectOption('open');
    await filters.getByLabel('Account').selectOption({ label: 'Example Association' });
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('state') === 'open' && url.searchParams.get('accountId') === accountA);
    const rows = billsTable().getByRole('row');
    await eventually(() => rows.count()).toBe(4);
    const text = await billsTable().innerText();
    expect(text).toContain('Example Association');
    expect(text).not.toContain('Other Club');
    expect(text).toContain('€12.10'); // 10.00 + 21 % VAT
    expect(text).toContain('€24.81'); // 20.50 + 4.305 → 4.31 VAT, formatted from the API's decimal string
  });

  it('closes, sends and downloads two bills at once: one ZIP with both PDFs', async () => {
    reportFailures(current, 'bills-bulk');
    const form = page.getByRole('form', { name: 'Bills and bulk actions' });
    await form.getByRole('checkbox', { name: `Select Draft ${bills.a1}` }).check();
    await form.getByRole('checkbox', { name: `Select Draft ${bills.a2}` }).check();
    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: 60_000 }),
      form.getByRole('button', { name: 'Close, send and download' }).click(),
    ]);

    const a1 = (await owner.get(`/v1/bills/${bills.a1}`)).body;
    const a2 = (await owner.get(`/v1/bills/${bills.a2}`)).body;
    expect([a1.state, a2.state]).toEqual(['sent', 'sent']);
    expect(a1.sentTo).toEqual([`board-${suffix}@example.org`]);
    const numbers = [a1.number, a2.number] as string[];
    expect(numbers.every((n) => /^I\d{4}-\d{4}$/.test(n))).toBe(true);

    const results = page.getByRole('table', { name: 'Result per bill' });
    for (const n of numbers) {
      const row = results.getByRole('row').filter({ hasText: n });
      await shows(row);
      expect(await row.innerText()).toMatch(new RegExp(`Done\\s+Issued as ${n}\\. Sent to board-${suffix}@example\\.org\\.`));
    }
    await shows(page.getByRole('status').filter({ hasText: 'Done for all 2 bills.' }));

    expect(download.suggestedFilename()).toMatch(/^bills-\d{4}-\d{2}-\d{2}\.zip$/);
    const files = unzipSync(new Uint8Array(await downloaded(download)));
    const names = Object.keys(files).sort();
    expect(names).toHaveLength(2);
    for (const [i, name] of names.entries()) {
      const bytes = files[name]!;
      expect(Buffer.from(bytes.subarray(0, 5)).toString('latin1')).toBe('%PDF-');
      const text = pdfText(bytes, session!.workDir, `zip-${i}.pdf`);
      expect(numbers.some((n) => text.includes(n) && name.includes(n))).toBe(true);
    }
  });

  it('reports each bill of a bulk action on its own: an issued bill cannot be closed again, the others proceed', async () => {
    reportFailures(current, 'bills-bulk-partial');
    const a1 = (await owner.get(`/v1/bills/${bills.a1}`)).body;
    await page.goto(`/admin/bills?accountId=${accountA}`);
    const form = page.getByRole('form', { name: 'Bills and bulk actions' });
    await form.getByRole('checkbox', { name: `Select ${a1.number}` }).check();
    await form.getByRole('checkbox', { name: `Select Draft ${bills.a3}` }).check();
    await form.getByRole('button', { name: 'Close', exact: true }).click();

    const results = page.getByRole('table', { name: 'Result per bill' });
    await shows(results);
    const a3 = (await owner.get(`/v1/bills/${bills.a3}`)).body;
    expect(a3.state).toBe('closed');
    expect(await results.getByRole('row').filter({ hasText: a1.number }).innerText()).toMatch(
      /Not done\s+Not possible in its current state \(Sent\)\./,
    );
    expect(await results.getByRole('row').filter({ hasText: a3.number }).innerText()).toMatch(
      new RegExp(`Done\\s+Issued as ${a3.number}\\.`),
    );
    await shows(page.getByRole('status').filter({ hasText: '1 done, 1 not done' }));
    expect((await owner.get(`/v1/bills/${bills.a1}`)).body.state).toBe('sent');
  });

  it('finds a bill by its number and shows it with its history; its PDF downloads', async () => {
    reportFailures(current, 'bills-detail');
    const a2 = (await owner.get(`/v1/bills/${bills.a2}`)).body;
    await page.goto('/admin/bills');
    const filters = page.getByRole('form', { name: 'Filter bills' });
    await filters.getByLabel('Number').fill(a2.number);
    await filters.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('number') === a2.number);
    await eventually(() => billsTable().getByRole('row').count()).toBe(2);
    await billsTable().getByRole('link', { name: a2.number }).click();

    await page.waitForURL(atPath(`/admin/bills/${bills.a2}`));
    await shows(page.getByRole('heading', { level: 1, name: `Invoice ${a2.number}` }));
    expect(await page.getByRole('table', { name: 'Lines' }).innerText()).toContain('Mail hosting');
    const totals = await page.getByRole('table', { name: 'Totals by tax rate' }).innerText();
    expect(totals).toContain('€20.50');
    expect(totals).toContain('€4.31');
    expect(totals).toContain('€24.81');

    const history = page.getByRole('table', { name: 'History' });
    const entries = (await history.getByRole('row').allInnerTexts()).slice(1);
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatch(/Opened\s+Open\s+Bills E2E Owner \(staff\)/);
    expect(entries[1]).toMatch(/Closed\s+Open → Closed\s+Bills E2E Owner \(staff\)/);
    expect(entries[2]).toMatch(/Sent\s+Closed → Sent\s+Bills E2E Owner \(staff\)\s+e-mail /);

    // Only what the state allows: a sent invoice can be paid, returned or amended; no closing, no deleting.
    const actions = page.getByRole('region', { name: 'Actions' });
    await shows(actions.getByRole('button', { name: 'Mark paid' }));
    expect(await actions.getByRole('button', { name: 'Close and issue' }).count()).toBe(0);
    expect(await actions.getByRole('button', { name: 'Delete bill' }).count()).toBe(0);

    const [download] = await Promise.all([page.waitForEvent('download'), actions.getByRole('link', { name: 'Download PDF' }).click()]);
    expect(download.suggestedFilename()).toContain(a2.number);
    const bytes = await downloaded(download);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = pdfText(bytes, session!.workDir, 'detail.pdf');
    expect(text).toContain(a2.number);
    expect(text).toContain('Mail hosting');
  });

  it('shows the customer their own issued bills with PDFs, and nothing of another account', async () => {
    reportFailures(current, 'bills-portal');
    const a1 = (await owner.get(`/v1/bills/${bills.a1}`)).body;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(atPath('/login'));
    await signIn(page, { organisation: login.organisation, email: customer.email, password: customer.password }, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My bills' }).click();
    await page.waitForURL(atPath('/portal/bills'));

    const table = page.getByRole('table', { name: 'Issued bills' });
    await shows(table);
    const text = await table.innerText();
    // Three issued bills of account A (a1, a2 sent; a3 closed); B's bill and nothing open.
    expect(await table.getByRole('row').count()).toBe(4);
    expect(text).toContain(a1.number);
    expect(text).not.toContain(bNumber);
    expect(text).not.toContain('Draft');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      table.getByRole('link', { name: `Download ${a1.number} as PDF` }).click(),
    ]);
    const bytes = await downloaded(download);
    expect(pdfText(bytes, session!.workDir, 'portal.pdf')).toContain(a1.number);

    await table.getByRole('link', { name: a1.number, exact: true }).click();
    await page.waitForURL(atPath(`/portal/bills/${bills.a1}`));
    await shows(page.getByRole('heading', { level: 1, name: `Invoice ${a1.number}` }));
    expect(await page.getByRole('table', { name: 'Lines' }).innerText()).toContain('Web hosting');

    // Another account's bill: not found, as a page and as a PDF.
    await page.goto(`/portal/bills/${bills.b1}`);
    await shows(page.getByRole('heading', { name: 'Page not found' }));
    const pdf = await page.request.get(`/portal/bills/${bills.b1}/pdf`);
    expect(pdf.status()).toBe(404);
    expect(pdf.headers()['content-type']).not.toContain('pdf');
    // The API agrees (what the pages rely on).
    const api = apiClient(session!.stack.apiUrl);
    const token = (await api.post('/v1/auth/sessions', { ...customer, organisation: login.organisation })).body.token;
    expect((await api.withToken(token).get(`/v1/bills/${bills.b1}`)).status).toBe(404);
  });

  it('starts a billing run from the runs page and follows it to the end, with the failing account listed', async () => {
    reportFailures(current, 'billing-run');
    const tenantId = (await owner.get('/v1/tenant')).body.id as string;
    const hosting = await owner.post('/v1/billable-services', { name: 'Hosting', serviceKind: 'domain', nominalPrice: '10.00' });
    expect(hosting.status, JSON.stringify(hosting.body)).toBe(201);
    const withAddress = await owner.post('/v1/accounts', {
      name: 'Billed Club',
      email: `billed-${suffix}@example.org`,
      country: 'ES',
      address: 'C/ Nou 7',
      city: 'Girona',
      postcode: '17001',
    });
    // No postal address: its invoice cannot be issued (the law wants the customer's address on it).
    const noAddress = await owner.post('/v1/accounts', { name: 'Addressless Club', email: `nowhere-${suffix}@example.org`, country: 'ES' });
    for (const res of [withAddress, noAddress]) expect(res.status, JSON.stringify(res.body)).toBe(201);
    const lastYear = new Date().getUTCFullYear() - 1;
    const orders: Order[] = [withAddress.body.id as string, noAddress.body.id as string].map((accountId) => ({
      tenantId,
      id: newId('order', systemClock),
      accountId,
      serviceId: `svc_e2e_${accountId}`,
      billableServiceId: hosting.body.id,
      description: `Hosting of ${accountId}`,
      registeredOn: `${lastYear}-06-01`,
      ignored: false,
      deactivations: [],
      metricHistory: [],
    }));
    await session!.stack.deps.store.orders.putMany(orders);

    // The customer's session ended on a "not found" page (no sign-out button there): start a fresh one as staff.
    await page.context().clearCookies();
    await signIn(page, login, '/admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing runs' }).click();
    await page.waitForURL(atPath('/admin/billing/runs'));
    const start = page.getByRole('region', { name: 'Start a run' });
    await start.getByLabel('Close (issue) the bills it makes').check();
    await start.getByRole('button', { name: 'Start run' }).click();
    await page.waitForURL(atPath(/^\/admin\/billing\/runs\/[^/]+$/));

    // The page refreshes itself while the run goes on; it ends completed with every account done. (The labels are
    // upper-cased by CSS, which innerText follows: compare in lower case.)
    const progress = page.getByRole('region', { name: 'Progress' });
    const progressText = async () => (await progress.innerText()).replace(/\s+/g, ' ').toLowerCase();
    await expect.poll(progressText, { timeout: 60_000 }).toMatch(/4 of 4 accounts · done .*state completed/);
    const text = await progressText();
    expect(text).toContain('close (issue) the bills it makes yes');
    expect(text).toContain('orders billed 2');
    expect(text).toContain('bills created 2');
    expect(text).toContain('bills closed 1');
    expect(await progress.getByRole('progressbar').getAttribute('value')).toBe('100');

    const errors = page.getByRole('region', { name: 'Errors (1)' });
    const rows = (await errors.getByRole('row').allInnerTexts()).slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toContain(noAddress.body.id);
    await errors.getByRole('link', { name: noAddress.body.id }).click();
    await page.waitForURL(atPath(`/admin/accounts/${noAddress.body.id}`));
    await shows(page.getByRole('heading', { level: 1, name: 'Addressless Club' }));

    // The run is in the list with the same figures; the other account's bill was issued.
    await page.goto('/admin/billing/runs');
    const run = page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1);
    expect((await run.innerText()).replace(/\s+/g, ' ').trim()).toMatch(/By hand .* Completed 4 of 4 accounts 2 1$/i);
    const issued = (await owner.get(`/v1/bills?accountId=${withAddress.body.id}`)).body.items;
    expect(issued).toMatchObject([{ state: 'closed' }]);
    const open = (await owner.get(`/v1/bills?accountId=${noAddress.body.id}`)).body.items;
    expect(open).toMatchObject([{ state: 'open' }]);
  });
});
