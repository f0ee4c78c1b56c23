// End to end, in a real browser: a customer creates a mailbox through the generated form in the member portal,
// sees the field errors of a bad value (a short password, a quota above the account's cap), then changes its
// password and sets a vacation reply from the mailbox's page; staff find both services in /admin/services
// and lower the account's mailbox limit on its page. The tenant, account, its domain, limits and a local mail host
// are set up through the API.
import { mkdtempSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
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

describe.skipIf(!browserTestsRunnable)('customer self-service in the member portal', () => {
  const suffix = randomBytes(3).toString('hex');
  const domain = `self-${suffix}.test`;
  const address = `alice@${domain}`;
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let staff: { organisation: string; email: string; password: string };
  const customer = { email: `member-${suffix}@example.org`, password: `member-pass-${suffix}` };
  let accountId = '';

  const current = () => session;
  const mailbox = async () =>
    (
      (await owner.get(`/v1/services?kind=mailbox&accountId=${accountId}`)).body.items as {
        id: string;
        name: string;
        spec: { passwordHash: string; quotaMb: number };
      }[]
    ).find((s) => s.name === address);

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    const tenant = await signupTenant(session.stack.apiUrl, 'Self E2E');
    owner = tenant.client;
    staff = { organisation: tenant.tenant.slug, email: tenant.user.email, password: tenant.password };
    accountId = (await owner.post('/v1/accounts', { name: 'Alice Studio', email: `studio-${suffix}@example.org`, country: 'ES' })).body.id;
    expect((await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: domain } })).status).toBe(201);
    const limits = await owner.patch(`/v1/accounts/${accountId}`, { limits: { services: { mailbox: 3 }, mailboxQuotaMb: 2048 } });
    expect(limits.status, JSON.stringify(limits.body)).toBe(200);
    const user = await owner.post('/v1/users', { name: 'Alice', ...customer, role: 'customer', accountId });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    // Mail lands on a local host whose settings point into the test's folder (commands `true`).
    const dir = mkdtempSync(join(session.workDir, 'mail-'));
    const host = await owner.post('/v1/hosts', {
      name: 'mail-local',
      address: '127.0.0.1',
      transport: 'local',
      config: {
        'postfix.maps_dir': join(dir, 'postfix'),
        'postfix.postmap': 'true',
        'postfix.reload': 'true',
        'dovecot.passwd_file': join(dir, 'dovecot/users'),
        'dovecot.passwd_group': '',
        'dovecot.sieve_dir': join(dir, 'sieve'),
        'dovecot.sievec': 'true',
        'dovecot.reload': 'true',
        'mail.vmail_root': join(dir, 'vmail'),
      },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    for (const [kind, backend] of [
      ['mailbox', 'postfix'],
      ['mailbox', 'dovecot'],
      ['autoresponse', 'dovecot'],
    ]) {
      expect((await owner.post('/v1/routes', { kind, backend, hostId: host.body.id })).status).toBe(201);
    }
  });

  afterAll(async () => {
    await session?.close();
  });

  it('creates a mailbox through the generated form, with field errors for bad values', async () => {
    reportFailures(current, 'self-service-create');
    await signIn(page, { organisation: staff.organisation, ...customer }, '/portal');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My services' }).click();
    await page.waitForURL(atPath('/portal/services'));
    await shows(page.getByText('0 of 3 used'));
    // Website is staff only: no "New" link for it.
    expect(await page.getByRole('link', { name: 'New: Website' }).count()).toBe(0);
    await page.getByRole('link', { name: 'New: Mailbox' }).click();
    await page.waitForURL(atPath('/portal/services/new'));

    const form = page.getByRole('form', { name: 'New: Mailbox' });
    // Only what a customer may set: no "Disabled" checkbox.
    expect(await form.getByLabel('Disabled', { exact: false }).count()).toBe(0);
    await form.getByLabel('Name (before the @)').fill('alice');
    await form.getByLabel('Domain').selectOption(domain);
    await form.getByLabel('Password').fill('short');
    await form.getByLabel('Quota (MiB)').fill('4096');
    await form.getByRole('button', { name: 'Create' }).click();
    // The API's 422 issues come back next to their fields; the other values stay as typed.
    await shows(form.getByText('Use at least 10 characters'));
    const password = form.getByLabel('Password');
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await password.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy.split(' ').at(-1)}"]`).innerText()).toContain('Use at least 10 characters');
    expect(await form.getByLabel('Name (before the @)').inputValue()).toBe('alice');

    await form.getByLabel('Password').fill('a-good-mail-password');
    await form.getByRole('button', { name: 'Create' }).click();
    await shows(form.getByText('At most 2048 for this account'));
    expect(await form.getByLabel('Quota (MiB)').getAttribute('aria-invalid')).toBe('true');

    await form.getByLabel('Password').fill('a-good-mail-password');
    await form.getByLabel('Quota (MiB)').fill('512');
    await form.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(atPath(/^\/portal\/services\/svc_/));
    await shows(page.getByRole('heading', { level: 1, name: address }));
    await shows(page.getByText('Created; the change is on its way to the servers.'));
    const created = await mailbox();
    expect(created?.spec.quotaMb).toBe(512);
    await eventually(async () => (await owner.get(`/v1/services/${created!.id}`)).body.state).toBe('applied');
  });

  it('changes the password and sets a vacation reply from the mailbox page', async () => {
    reportFailures(current, 'self-service-change');
    const before = (await mailbox())!;
    const change = page.getByRole('form', { name: 'Change' });
    // The name is part of the identity: shown, not editable.
    expect(await change.getByLabel('Name (before the @)').count()).toBe(0);
    await change.getByLabel('Password').fill('another-mail-password');
    await change.getByRole('button', { name: 'Save changes' }).click();
    await shows(page.getByText('Saved; the change is on its way to the servers.'));
    const after = (await mailbox())!;
    expect(after.spec.passwordHash).not.toBe(before.spec.passwordHash);
    expect(after.spec.quotaMb).toBe(512);

    await page.getByRole('link', { name: 'Set a vacation reply' }).click();
    await page.waitForURL(atPath('/portal/services/new'));
    const reply = page.getByRole('form', { name: 'New: Vacation reply' });
    expect(await reply.getByLabel('Mailbox').inputValue()).toBe(address);
    await reply.getByLabel('Subject').fill('Away until Monday');
    await reply.getByLabel('Reply text').fill('I am away and will answer on Monday.\nAlice');
    await reply.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(atPath(/^\/portal\/services\/svc_/));
    await shows(page.getByRole('heading', { level: 1, name: address }));
    const replies = (await owner.get(`/v1/services?kind=autoresponse&accountId=${accountId}`)).body.items;
    expect(replies).toHaveLength(1);
    expect(replies[0].spec).toMatchObject({
      mailbox: address,
      subject: 'Away until Monday',
      body: 'I am away and will answer on Monday.\nAlice',
    });
  });

  it('shows staff both services in /admin/services, filtered by kind', async () => {
    reportFailures(current, 'self-service-staff');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(atPath('/login'));
    await signIn(page, staff, '/admin');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Services', exact: true }).click();
    await page.waitForURL(atPath('/admin/services'));
    const table = page.getByRole('table', { name: 'Services' });
    await shows(table.getByRole('link', { name: address, exact: true }));
    expect(await table.getByRole('row').filter({ hasText: 'Vacation reply' }).count()).toBe(1);
    await page.getByLabel('Kind').selectOption('autoresponse');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL((url) => url.searchParams.get('kind') === 'autoresponse');
    await eventually(() => table.getByRole('row').count()).toBe(2); // header + the reply
    expect(await table.getByRole('row').filter({ hasText: 'Mailbox' }).count()).toBe(0);
    await table.getByRole('link', { name: address, exact: true }).click();
    await shows(page.getByRole('heading', { level: 2, name: 'Latest operations' }));

    // The account page holds the self-service limits: lower the mailbox limit to what is used.
    await page.goto(`/admin/accounts/${accountId}`);
    const limits = page.getByRole('form', { name: 'Self-service limits' });
    expect(await limits.getByLabel('Mailbox', { exact: true }).inputValue()).toBe('3');
    expect(await limits.getByLabel('Largest mailbox quota (MiB)').inputValue()).toBe('2048');
    await limits.getByLabel('Mailbox', { exact: true }).fill('1');
    await limits.getByRole('button', { name: 'Save limits' }).click();
    await shows(limits.getByText('Limits saved.'));
    expect((await owner.get(`/v1/accounts/${accountId}`)).body.limits).toEqual({ services: { mailbox: 1 }, mailboxQuotaMb: 2048 });
  });
});
