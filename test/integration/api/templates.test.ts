import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../../support/api-client';
import { settledService, startTestStack } from '../../support/stack';

// Tenant-editable templates through the API on the embedded runtime (local transport, nginx backend with a stand-in
// checker): a tenant overrides the nginx vhost template, previews it, its next website carries the override and the
// run records the version; a revert brings the default back; another tenant neither sees nor uses the override.

const FILE = '/v1/provisioning/templates/website.nginx/site.conf.liquid';
const SITE_CONF = 'provisioning/website/nginx/site.conf.liquid';
const HEADER = '# tenant header: managed by the Alpha ops team';

let stack: LocalStack;
const dirs: string[] = [];

interface Tenant {
  client: ApiClient;
  slug: string;
  accountId: string;
  sitesDir: string;
}

async function tenantWithWebHost(name: string): Promise<Tenant> {
  const t = await signupTenant(stack.apiUrl, name);
  const dir = mkdtempSync(join(tmpdir(), 'consort-tpl-'));
  dirs.push(dir);
  const host = await t.client.post('/v1/hosts', {
    name: 'web',
    address: '127.0.0.1',
    transport: 'local',
    config: {
      'website.root_base': join(dir, 'www'),
      'nginx.sites_dir': join(dir, 'sites'),
      'nginx.log_dir': join(dir, 'log'),
      // The checker and reload stand-ins accept everything: this test is about what is rendered, not nginx.
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
    expect((await t.client.post('/v1/routes', { kind, backend, hostId: host.body.id })).status).toBe(201);
  }
  const account = await t.client.post('/v1/accounts', {
    name: `${name} Customer`,
    email: `c@${name.toLowerCase()}.example.org`,
    country: 'ES',
  });
  const domain = await t.client.post('/v1/services', {
    accountId: account.body.id,
    kind: 'domain',
    spec: { name: `${name.toLowerCase()}-tpl.test` },
  });
  expect(domain.status, JSON.stringify(domain.body)).toBe(201);
  await stack.idle();
  return { client: t.client, slug: t.tenant.slug, accountId: account.body.id, sitesDir: join(dir, 'sites') };
}

async function website(t: Tenant, site: string) {
  const res = await t.client.post('/v1/services', {
    accountId: t.accountId,
    kind: 'website',
    spec: { name: site, domains: [`${site}.${t.slug.split('-')[0]}-tpl.test`] },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const { service, op } = await settledService(stack, t.client, res.body.service.id);
  expect(op.state, JSON.stringify(op.logs)).toBe('applied');
  return { service, op, installed: readFileSync(join(t.sitesDir, `${site}.conf`), 'utf8') };
}

let alpha: Tenant;
let beta: Tenant;
let defaultText: string;

beforeAll(async () => {
  stack = await startTestStack();
  alpha = await tenantWithWebHost('Alpha');
  beta = await tenantWithWebHost('Beta');
});

afterAll(async () => {
  await stack?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('provisioning templates API', () => {
  it('lists every backend’s files with their override state', async () => {
    const res = await alpha.client.get('/v1/provisioning/templates');
    expect(res.status).toBe(200);
    const nginx = res.body.items.find((b: { id: string }) => b.id === 'website.nginx');
    expect(nginx.files.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining([
        'save.sh.liquid',
        'delete.sh.liquid',
        'commit.sh.liquid',
        'site.conf.liquid',
        'site-body.liquid',
        'install-site.sh.liquid',
      ]),
    );
    const install = nginx.files.find((f: { name: string }) => f.name === 'install-site.sh.liquid');
    expect(install.sharedWith).toEqual(['website.nginx', 'website.apache']);
    expect(nginx.files.every((f: { overridden: boolean }) => !f.overridden)).toBe(true);
    const one = await alpha.client.get(FILE);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ file: { path: SITE_CONF, mode: 'text', overridden: false }, active: null, versions: [] });
    defaultText = one.body.defaultText;
    expect(defaultText).toContain('written by Consort');
    expect((await alpha.client.get('/v1/provisioning/templates/website.nginx/nope.liquid')).status).toBe(404);
    expect((await alpha.client.get('/v1/provisioning/templates/website.lighttpd/site.conf.liquid')).status).toBe(404);
  });

  it('is for owners and admins only', async () => {
    const key = await alpha.client.post('/v1/api-keys', { name: 'sysadmin', role: 'sysadmin' });
    expect(key.status).toBe(201);
    const sysadmin = apiClient(stack.apiUrl, key.body.secret);
    expect((await sysadmin.get('/v1/provisioning/templates')).status).toBe(403);
    expect((await sysadmin.request('PUT', FILE, { text: '# x\n' })).status).toBe(403);
    const email = 'member@alpha.example.org';
    const user = await alpha.client.post('/v1/users', {
      name: 'Member',
      email,
      role: 'customer',
      password: 'long-enough-password',
      accountId: alpha.accountId,
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const session = await apiClient(stack.apiUrl).post('/v1/auth/sessions', {
      organisation: alpha.slug,
      email,
      password: 'long-enough-password',
    });
    const customer = apiClient(stack.apiUrl, session.body.token);
    expect((await customer.get(FILE)).status).toBe(403);
    expect((await customer.request('PUT', FILE, { text: '# x\n' })).status).toBe(403);
  });

  it('refuses invalid Liquid with 422 and the line and column', async () => {
    // A live website to render the checks against.
    const first = await website(alpha, 'shop');
    expect(first.installed).not.toContain(HEADER);
    expect(first.op.logs.at(-1).templates).toBeUndefined();

    const badFilter = await alpha.client.request('PUT', FILE, { text: `${defaultText}{{ site | no_such_filter }}\n` });
    expect(badFilter.status).toBe(422);
    expect(badFilter.body.error.message).toMatch(
      /undefined filter: no_such_filter, file:provisioning\/website\/nginx\/site\.conf\.liquid, line:\d+, col:\d+/,
    );
    const badVariable = await alpha.client.request('PUT', FILE, { text: `# ok\n{{ no_such_variable }}\n` });
    expect(badVariable.status).toBe(422);
    expect(badVariable.body.error.message).toMatch(
      /website\.nginx with website shop: .*undefined variable: no_such_variable, line:2, col:\d+/,
    );
    const badSyntax = await alpha.client.request('PUT', FILE, { text: '{% if %}\n' });
    expect(badSyntax.status).toBe(422);
    expect(badSyntax.body.error.message).toMatch(/line:1, col:\d+/);
    const raw = await alpha.client.request('PUT', '/v1/provisioning/templates/website.nginx/save.sh.liquid', {
      text: 'echo {{ site | raw }}\n',
    });
    expect(raw.status).toBe(422);
    expect(raw.body.error.message).toMatch(/raw filter is disabled/);
    const huge = await alpha.client.request('PUT', FILE, { text: `# ${'x'.repeat(70_000)}\n` });
    expect(huge.status).toBe(422);
    expect((await alpha.client.get(FILE)).body.versions).toEqual([]);
  });

  it('previews a candidate for a chosen service, with the diff, without saving it', async () => {
    const shop = (await alpha.client.get('/v1/services?kind=website')).body.items.find((s: { name: string }) => s.name === 'shop');
    const candidate = `${HEADER}\n${defaultText}`;
    const preview = await alpha.client.post(`${FILE}/preview`, { serviceId: shop.id, text: candidate });
    expect(preview.status, JSON.stringify(preview.body)).toBe(200);
    expect(preview.body.errors).toEqual([]);
    expect(preview.body.hostName).toBe('web');
    expect(preview.body.scripts.map((s: { action: string }) => s.action)).toEqual(['save', 'delete']);
    expect(preview.body.scripts[0].script).toContain(HEADER);
    expect(preview.body.diff).toContain(`+${HEADER}`);
    const broken = await alpha.client.post(`${FILE}/preview`, { serviceId: shop.id, text: '{{ nope }}' });
    expect(broken.body.errors[0]).toMatch(/undefined variable: nope, line:1, col:\d+/);
    expect((await alpha.client.get(FILE)).body.active).toBeNull();
    // Another tenant's service, and a service of another kind, cannot be previewed.
    const betaShop = await website(beta, 'betashop');
    expect((await alpha.client.post(`${FILE}/preview`, { serviceId: betaShop.service.id })).status).toBe(404);
    const domain = (await alpha.client.get('/v1/services?kind=domain')).body.items[0];
    expect((await alpha.client.post(`${FILE}/preview`, { serviceId: domain.id })).status).toBe(422);
  });

  it('saves a version that the next operation renders and records; another tenant never uses it', async () => {
    const saved = await alpha.client.request('PUT', FILE, { text: `${HEADER}\n${defaultText}`, comment: 'Ops header' });
    expect(saved.status, JSON.stringify(saved.body)).toBe(200);
    expect(saved.body.version).toMatchObject({ version: 1, path: SITE_CONF, removed: false, comment: 'Ops header' });
    expect(saved.body.version.author).toMatch(/^staff:/);
    expect(saved.body.checkedAgainst).toEqual(['website.nginx: shop']);

    const blog = await website(alpha, 'blog');
    expect(blog.installed.startsWith(HEADER)).toBe(true);
    expect(blog.op.logs.at(-1).script).toContain(HEADER);
    expect(blog.op.logs.at(-1).templates).toEqual([{ path: SITE_CONF, version: 1 }]);

    const list = await alpha.client.get('/v1/provisioning/templates');
    const file = list.body.items
      .find((b: { id: string }) => b.id === 'website.nginx')
      .files.find((f: { name: string }) => f.name === 'site.conf.liquid');
    expect(file).toMatchObject({ overridden: true, activeVersion: 1 });
    const diff = await alpha.client.get(`${FILE}/diff`);
    expect(diff.body.diff).toContain(`+${HEADER}`);
    expect(diff.body.lines.filter((l: { type: string }) => l.type !== ' ')).toEqual([{ type: '+', text: HEADER }]);

    const betaView = await beta.client.get(FILE);
    expect(betaView.body).toMatchObject({ active: null, versions: [] });
    const betaSite = await website(beta, 'betablog');
    expect(betaSite.installed).not.toContain(HEADER);
    expect(betaSite.op.logs.at(-1).templates).toBeUndefined();
  });

  it('reverts to the default as a new version', async () => {
    const revert = await alpha.client.delete(`${FILE}?comment=${encodeURIComponent('Back to stock')}`);
    expect(revert.status, JSON.stringify(revert.body)).toBe(200);
    expect(revert.body.version).toMatchObject({ version: 2, removed: true, comment: 'Back to stock' });
    expect(revert.body.version.text).toBeUndefined();
    const news = await website(alpha, 'news');
    expect(news.installed).not.toContain(HEADER);
    expect(news.op.logs.at(-1).templates).toBeUndefined();
    const view = await alpha.client.get(FILE);
    expect(view.body.active).toBeNull();
    expect(view.body.versions.map((v: { version: number; removed: boolean }) => [v.version, v.removed])).toEqual([
      [2, true],
      [1, false],
    ]);
    // The diff of the old version still shows what it changed; a second revert has nothing to revert.
    expect((await alpha.client.get(`${FILE}/diff?version=1`)).body.diff).toContain(`+${HEADER}`);
    expect((await alpha.client.get(`${FILE}/diff`)).body.diff).toBe('');
    expect((await alpha.client.delete(FILE)).status).toBe(422);
    expect(existsSync(join(alpha.sitesDir, 'news.conf'))).toBe(true);
  });
});
