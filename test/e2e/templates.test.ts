// End to end, in a real browser: an owner opens "Templates" from the admin nav, edits the nginx vhost template of
// website.nginx, previews it against one of the tenant's websites (the diff shows the added line, nothing is saved),
// saves it as version 1 with a comment, and reverts to the default.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signupTenant, type ApiClient } from '../support/api-client';
import { atPath, browserTestsRunnable, reportFailures, shows, signIn, startBrowserSession, type BrowserSession } from '../support/browser';

const FILE = '/v1/provisioning/templates/website.nginx/site.conf.liquid';
const HEADER = '# Managed by the E2E ops team';

describe.skipIf(!browserTestsRunnable)('provisioning templates in the staff portal', () => {
  let session: BrowserSession | undefined;
  let page: Page;
  let owner: ApiClient;
  let login = { organisation: '', email: '', password: '' };
  const dir = mkdtempSync(join(tmpdir(), 'consort-e2e-tpl-'));

  beforeAll(async () => {
    session = await startBrowserSession();
    page = session.page;
    const tenant = await signupTenant(session.stack.apiUrl, 'Templates E2E');
    owner = tenant.client;
    login = { organisation: tenant.tenant.slug, email: tenant.user.email, password: tenant.password };
    const host = await owner.post('/v1/hosts', {
      name: 'web',
      address: '127.0.0.1',
      transport: 'local',
      config: {
        'website.root_base': join(dir, 'www'),
        'nginx.sites_dir': join(dir, 'sites'),
        'nginx.log_dir': join(dir, 'log'),
        'nginx.nginx': 'true',
        'nginx.reload': 'true',
        'bind.zones_dir': join(dir, 'zones'),
        'bind.conf_file': join(dir, 'named.conf'),
        'bind.checkzone': 'true',
        'bind.reload': 'true',
      },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    for (const [kind, backend] of [
      ['domain', 'bind'],
      ['website', 'nginx'],
    ]) {
      expect((await owner.post('/v1/routes', { kind, backend, hostId: host.body.id })).status).toBe(201);
    }
    const account = await owner.post('/v1/accounts', { name: 'Web Customer', email: 'web@example.org', country: 'ES' });
    expect((await owner.post('/v1/services', { accountId: account.body.id, kind: 'domain', spec: { name: 'e2e-tpl.test' } })).status).toBe(
      201,
    );
    const site = await owner.post('/v1/services', {
      accountId: account.body.id,
      kind: 'website',
      spec: { name: 'shop', domains: ['shop.e2e-tpl.test'] },
    });
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    await session.stack.idle();
  }, 600_000);

  afterAll(async () => {
    await session?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('previews, saves and reverts an override of the nginx vhost', async () => {
    reportFailures(() => session, 'templates');
    await signIn(page, login, '/admin');
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.waitForURL(atPath('/admin/templates'));
    await shows(page.getByRole('table', { name: 'Backends and their files' }));
    await page.goto('/admin/templates/website.nginx/site.conf.liquid');

    const editor = page.locator('textarea[name="text"]');
    const defaultText = await editor.inputValue();
    expect(defaultText).toContain('written by Consort');
    await editor.fill(`${HEADER}\n${defaultText}`);
    await page.getByRole('button', { name: 'Preview' }).click();
    await shows(page.getByText('Preview rendered below; nothing was saved.'));
    const preview = page.locator('#preview');
    expect((await preview.locator('.diff-add').allInnerTexts()).map((t) => t.trim())).toEqual([`+${HEADER}`]);
    expect(await preview.innerText()).toContain(HEADER);
    expect(await editor.inputValue()).toContain(HEADER);
    expect((await owner.get(FILE)).body.active).toBeNull();

    await page.getByLabel('Comment').first().fill('Ops header');
    await page.getByRole('button', { name: 'Save as new version' }).click();
    await shows(page.getByText('Version 1 saved; the next change of a service uses it.'));
    const saved = (await owner.get(FILE)).body;
    expect(saved.active).toMatchObject({ version: 1, comment: 'Ops header', text: `${HEADER}\n${defaultText}` });
    await page.reload();
    expect(await page.getByRole('table', { name: 'Versions' }).innerText()).toMatch(/v1.*Ops header.*Active/s);

    await page.getByRole('button', { name: 'Revert to the default' }).click();
    await shows(page.getByText('The default is active again.'));
    expect((await owner.get(FILE)).body.active).toBeNull();
    expect(await editor.inputValue()).toBe(defaultText);
    expect(await page.getByRole('table', { name: 'Versions' }).innerText()).toMatch(/v2.*Default restored.*v1.*Ops header.*Superseded/s);
  });
});
