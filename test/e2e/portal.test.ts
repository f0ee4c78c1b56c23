// End to end, in a real browser: a hosting organisation signs up, adds a customer, a host (local transport:
// scripts run with bash on this machine), a route and a domain, watches the domain reach "applied", finds the zone
// file the BIND backend wrote, reads the operation log, prices domains in the catalog and previews the customer's
// bill, then its customer signs in to the member portal.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atPath,
  browserTestsRunnable,
  eventually,
  reportFailures as reportFailuresOf,
  shows,
  startBrowserSession,
  type BrowserSession,
} from '../support/browser';

describe.skipIf(!browserTestsRunnable)('admin and member portals in a browser', () => {
  const suffix = randomBytes(3).toString('hex');
  const owner = {
    organisation: `E2E Hosting ${suffix}`,
    slug: `e2e-${suffix}`,
    name: 'Erin Owner',
    email: `owner-${suffix}@example.org`,
    password: `correct-horse-${suffix}`,
  };
  const customer = { email: `board-${suffix}@example.org`, password: `member-pass-${suffix}` };
  const domain = 'example-e2e.test';

  let session: BrowserSession | undefined;
  let page: Page;
  let workDir: string;
  let zonesDir: string;

  /** On failure: a screenshot and the last log lines of every component. */
  const reportFailures = (name: string) => reportFailuresOf(() => session, name);

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    workDir = session.workDir;
    zonesDir = join(workDir, 'zones');
    mkdirSync(zonesDir, { recursive: true });
  }, 600_000);

  afterAll(async () => {
    await session?.close();
  }, 60_000);

  it('signs up a tenant and lands on the admin dashboard', async () => {
    reportFailures('signup');
    await page.goto('/signup');
    await page.getByLabel('Organisation name').fill(owner.organisation);
    await page.getByLabel('Short address').fill(owner.slug);
    await page.getByLabel('Country').selectOption('ES');
    await page.getByLabel('Currency').selectOption('EUR');
    await page.getByLabel('Default language').selectOption('en');
    await page.getByLabel('Time zone').selectOption('Europe/Madrid');
    await page.getByLabel('Your name').fill(owner.name);
    await page.getByLabel('E-mail').fill(owner.email);
    await page.getByLabel('Password').fill(owner.password);
    await page.getByRole('button', { name: 'Create organisation' }).click();

    await page.waitForURL(atPath('/admin'));
    await shows(page.getByRole('heading', { level: 1, name: 'Dashboard' }));
    await shows(page.getByText(owner.organisation).first());
  });

  it('creates a customer account with a member portal login', async () => {
    reportFailures('account');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL(atPath('/admin/accounts'));
    const form = page.getByRole('form', { name: 'New account' });
    await form.getByLabel('Name').fill('Example Association');
    await form.getByLabel('Type').selectOption('association');
    await form.getByLabel('E-mail').fill(customer.email);
    await form.getByLabel('Country').selectOption('ES');
    await form.getByRole('button', { name: 'Create account' }).click();

    await page.waitForURL(atPath(/^\/admin\/accounts\/[^/]+$/));
    await shows(page.getByRole('heading', { level: 1, name: 'Example Association' }));

    await page.getByText('Create a customer login').click();
    const login = page.getByRole('form', { name: 'Create a customer login' });
    await login.getByLabel('Password').fill(customer.password);
    await login.getByRole('button', { name: 'Create login' }).click();
    await shows(page.getByRole('status').filter({ hasText: `${customer.email} can now sign in` }));
  });

  it('adds a host with the local transport and routes domains to it through BIND', async () => {
    reportFailures('host');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
    await page.waitForURL(atPath('/admin/hosts'));
    const key = page.getByRole('textbox', { name: 'Provisioning key' });
    const before = await key.inputValue();
    expect(before).toMatch(/^ssh-\S+ \S+/);
    // Replacing the key (confirmed) shows the new public key to install on the hosts.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Replace the key' }).click();
    await expect.poll(() => key.inputValue(), { timeout: 30_000 }).not.toBe(before);
    expect(await key.inputValue()).toMatch(/^ssh-ed25519 \S+ consort-/);

    const hostForm = page.getByRole('form', { name: 'Add a host' });
    await hostForm.getByLabel('Name').fill('e2e-dns');
    await hostForm.getByLabel('Address').fill('127.0.0.1');
    await hostForm.getByLabel('Connection').selectOption('local');
    await hostForm
      .getByLabel('Configuration overrides')
      .fill(
        [
          `bind.zones_dir=${zonesDir}`,
          `bind.conf_file=${join(workDir, 'named.conf.consort')}`,
          'bind.checkzone=named-checkzone',
          'bind.reload=true',
        ].join('\n'),
      );
    await hostForm.getByRole('button', { name: 'Add host' }).click();
    await shows(page.getByRole('table', { name: 'All hosts' }).getByRole('row', { name: /e2e-dns/ }));

    const routeForm = page.getByRole('form', { name: 'Add a route' });
    await routeForm.getByLabel('Service and backend').selectOption('domain:bind');
    await routeForm.getByLabel('Host').selectOption({ label: 'e2e-dns (127.0.0.1)' });
    await routeForm.getByRole('button', { name: 'Add route' }).click();
    await shows(page.getByRole('table', { name: 'Routes' }).getByRole('row', { name: /e2e-dns/ }));
  });

  it('creates a domain and sees it applied, with its zone file on the host', async () => {
    reportFailures('domain');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Domains' }).click();
    await page.waitForURL(atPath('/admin/domains'));
    const form = page.getByRole('form', { name: 'New domain' });
    await form.getByLabel('Account').selectOption({ label: 'Example Association' });
    await form.getByLabel('Domain name').fill(domain);
    await form.getByLabel('Records (optional)').fill(['@ A 192.0.2.10', 'www CNAME @', '@ MX 10 mail.example.org.'].join('\n'));
    await form.getByRole('button', { name: 'Add domain' }).click();

    await page.waitForURL(atPath(/^\/admin\/domains\/[^/]+$/));
    await shows(page.getByRole('heading', { level: 1, name: domain }));
    await eventually(() =>
      page
        .getByRole('table', { name: `Records of ${domain}` })
        .getByRole('row')
        .count(),
    ).toBe(4);

    // Provisioning runs in the background: reload until the page reports a final state (stop early on failure).
    const status = page.getByRole('status').filter({ hasText: 'Provisioning' });
    let state = 'pending';
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await page.waitForTimeout(1000)) {
      await page.reload();
      const text = (await status.textContent()) ?? '';
      state = /Applied/.test(text) ? 'applied' : /Failed/.test(text) ? 'failed' : 'pending';
      if (state !== 'pending') break;
    }
    expect(state, 'provisioning state of the domain').toBe('applied');
    // The domain's latest operations: the create, applied at its first attempt, linking to its log.
    const operations = page.getByRole('table', { name: 'Latest operations' });
    expect(await operations.getByRole('row').nth(1).innerText()).toMatch(/Apply\s+Applied\s+1\s+—/);
    await shows(operations.getByRole('link', { name: /^Operation of / }));

    const zoneFiles = readdirSync(zonesDir).filter((f) => f.includes(domain));
    expect(zoneFiles, `zone files in ${zonesDir}: ${readdirSync(zonesDir).join(', ')}`).toHaveLength(1);
    const zone = readFileSync(join(zonesDir, zoneFiles[0]!), 'utf8');
    expect(zone).toContain('SOA');
    expect(zone).toMatch(/192\.0\.2\.10/);
  });

  it('shows the applied operation with its script in the operation log', async () => {
    reportFailures('operations');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Operations' }).click();
    await page.waitForURL(atPath('/admin/operations'));
    await page.getByLabel('State').selectOption('applied');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('state') === 'applied');

    const rows = page.getByRole('table', { name: 'Operation log' }).getByRole('row').filter({ hasText: domain });
    await eventually(() => rows.count()).toBe(1);
    expect(await rows.first().innerText()).toContain('Applied');
    await rows.first().getByRole('link').click();

    await page.waitForURL(atPath(/^\/admin\/operations\/[^/]+$/));
    await shows(page.getByRole('heading', { level: 1, name: `Operation on ${domain}` }));
    await shows(page.getByRole('heading', { name: /Attempt 1 on e2e-dns \(bind\)/ }));
    const script = page.getByRole('group', { name: 'Script' });
    const scriptText = await script.innerText();
    expect(scriptText).toContain(domain);
    expect(scriptText).toContain(zonesDir);

    // The language switcher works on every page and is remembered.
    await page.getByRole('button', { name: 'Español' }).click();
    await shows(page.getByRole('heading', { level: 2, name: 'Registros de ejecución' }));
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await page.getByRole('button', { name: 'English' }).click();
    await shows(page.getByRole('heading', { level: 2, name: 'Execution logs' }));
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
  });

  it('bills domains from the catalog: the order shows on the account and the preview proposes a line', async () => {
    reportFailures('billing');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Catalog' }).click();
    await page.waitForURL(atPath('/admin/catalog'));
    const form = page.getByRole('form', { name: 'New billable service' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Domain registration');
    await form.getByLabel('Service kind').selectOption('domain');
    await form.getByLabel('Billing period').selectOption('annual');
    await form.getByLabel('Nominal price').fill('12.00');
    await form.getByRole('button', { name: 'Create billable service' }).click();

    // The domain already exists: defining the billable service gives it its order at once.
    await page.waitForURL(atPath(/^\/admin\/catalog\/[^/]+$/));
    await shows(page.getByRole('heading', { level: 1, name: 'Domain registration' }));
    await shows(page.getByRole('status').filter({ hasText: 'Orders created or updated for existing services: 1' }));
    expect(await page.getByRole('definition').filter({ hasText: '€12.00' }).count()).toBe(1);

    await nav.getByRole('link', { name: 'Accounts' }).click();
    await page.waitForURL(atPath('/admin/accounts'));
    await page.getByRole('link', { name: 'Example Association' }).click();
    await page.waitForURL(atPath(/^\/admin\/accounts\/[^/]+$/));
    const order = page.getByRole('table', { name: 'Orders', exact: true }).getByRole('row').filter({ hasText: domain });
    await shows(order);
    expect(await order.innerText()).toContain('Domain registration');

    // The dry run: a line for the domain, explained, with its total, and the grand total.
    const preview = page.getByRole('form', { name: 'Billing preview' });
    await preview.getByRole('button', { name: 'Preview billing' }).click();
    await page.waitForURL((url) => url.searchParams.has('billUntil'));
    const lines = page.getByRole('table', { name: /^Proposed bill lines until / });
    const line = lines.getByRole('row').filter({ hasText: domain });
    await shows(line);
    const lineText = await line.innerText();
    expect(lineText).toContain('Domain registration');
    expect(lineText).toMatch(/€\d+\.\d{2}/);
    expect(lineText).toMatch(/12\.00/); // the explanation shows the list price it starts from
    const grandTotal = lines.getByRole('row').filter({ hasText: 'Grand total' });
    expect(await grandTotal.innerText()).toMatch(/€\d+\.\d{2}/);
    await shows(page.getByRole('status').filter({ hasText: /^Lines until .+: 1\. Total: €\d+\.\d{2}\.$/ }));
  });

  it('lets the customer sign in to the member portal and see the domain', async () => {
    reportFailures('portal');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(atPath('/login'));

    await page.getByLabel('Organisation').fill(owner.slug);
    await page.getByLabel('E-mail').fill(customer.email);
    await page.getByLabel('Password').fill(customer.password);
    await page.getByRole('button', { name: 'Sign in' }).click();

    await page.waitForURL(atPath('/portal'));
    const row = page.getByRole('table', { name: 'Your domains' }).getByRole('row', { name: new RegExp(domain.replaceAll('.', '\\.')) });
    await eventually(() => row.innerText()).toContain('Applied');
    await row.getByRole('link', { name: domain }).click();
    await page.waitForURL(atPath(/^\/portal\/domains\/[^/]+$/));
    await eventually(() => page.getByRole('table', { name: `Records of ${domain}` }).innerText()).toContain('192.0.2.10');

    // Staff pages are not for customers.
    await page.goto('/admin');
    await page.waitForURL(atPath('/portal'));
  });
});
