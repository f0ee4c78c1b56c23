import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import type { Host } from '@consort/shared/fleet/model';
import { hostConfig, renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import type { BackendDefinition } from '@consort/shared/services/define-service-type';
import {
  RelativePath,
  ServerName,
  UrlPath,
  website,
  websiteReferences,
  WebsiteSpec,
  type WebsiteSpec as Spec,
} from '@consort/shared/services/website/index';
import type { Tenant } from '@consort/shared/tenancy/model';
import { requireTool } from '../../setup/require-tool';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const [nginx, apache] = website.backends as readonly BackendDefinition<Spec>[] as [BackendDefinition<Spec>, BackendDefinition<Spec>];
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: { dns: { nameservers: ['ns1.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] } },
};

function host(config: Record<string, string> = {}): Host {
  return {
    id: 'host_1',
    tenantId: 'ten_1',
    name: 'web1',
    address: '192.0.2.80',
    port: 22,
    username: 'root',
    transport: 'ssh',
    config,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

function context(backend: BackendDefinition<Spec>, spec: unknown, config: Record<string, string> = {}) {
  return backend.context({
    service: { id: 'svc_1', accountId: 'acc_1', name: 'x', spec: WebsiteSpec.parse(spec), state: {} },
    tenant,
    config: hostConfig(backend, host(config)),
  }) as Record<string, any>;
}

function messages(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown) {
  const result = schema.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.error!.issues.map((i) => i.message).join('\n');
}

function item(spec: unknown, action: 'save' | 'delete' = 'save', operationId = 'op_1'): UnitItem {
  const parsed = WebsiteSpec.parse(spec);
  return {
    operationId,
    action,
    service: { id: `svc_${parsed.name}`, accountId: 'acc_1', name: parsed.name, kind: 'website', spec: parsed, backendState: {} },
  };
}

describe('website spec', () => {
  it('normalises server names (IDN, case, final dot) and accepts a leading wildcard as an alias', () => {
    expect(ServerName.parse('Shop.Example.ORG.')).toBe('shop.example.org');
    expect(ServerName.parse('bücher.de')).toBe('xn--bcher-kva.de');
    expect(ServerName.parse('*.example.org')).toBe('*.example.org');
    const spec = WebsiteSpec.parse({ name: 'Shop', domains: ['example.org', '*.example.org'] });
    expect(spec).toEqual({
      name: 'shop',
      domains: ['example.org', '*.example.org'],
      protocol: 'http',
      documentRoot: 'public_html',
      options: { directoryListing: false, errorPages: [] },
      disabled: false,
    });
  });

  it.each([
    [{ domains: [] }, /at least one domain/],
    [{ domains: ['*.example.org'] }, /cannot be a wildcard/],
    [{ domains: ['example.org', 'EXAMPLE.org'] }, /listed twice/],
    [{ domains: ['a.*.example.org'] }, /letters, digits, hyphens/],
    [{ domains: ['example.org; root /'] }, /spaces|letters, digits/],
    [{ domains: ['example.org'], protocol: 'ftp' }, /Invalid option/],
    [{ domains: ['example.org'], certificate: 'example.org' }, /only used with https/],
    [{ domains: ['example.org'], protocol: 'https', certificate: '../../etc/shadow' }, /certificate on the host/],
    [{ domains: ['example.org'], systemUser: 'root' }, /reserved/],
    [{ domains: ['example.org'], options: { phpVersion: '8.3' } }, /Unrecognized key/],
    [{ domains: ['example.org'], options: { maxBodySizeMb: 4096 } }, /2047/],
    [{ domains: ['example.org'], options: { errorPages: [{ status: 200, path: '/x.html' }] } }, /expected one of 400/],
    [
      {
        domains: ['example.org'],
        options: {
          errorPages: [
            { status: 404, path: '/a.html' },
            { status: 404, path: '/b.html' },
          ],
        },
      },
      /has a page already/,
    ],
    [{ name: 'my site', domains: ['example.org'] }, /lower-case letters/],
  ])('refuses %j', (partial, message) => {
    expect(messages(WebsiteSpec, { name: 'shop', ...partial })).toMatch(message);
  });

  it('keeps document roots and error pages inside the site: no .., no hidden folders, no absolute paths', () => {
    expect(RelativePath.parse('public_html/')).toBe('public_html');
    expect(RelativePath.parse('sites/shop~1/web')).toBe('sites/shop~1/web');
    for (const bad of ['', '/var/www', '../other', 'a/../../b', '.ssh', 'a/.git', 'a//b', 'a b', "a'b", 'a;b', '$HOME', '*', 'a/./b']) {
      expect(messages(RelativePath, bad), bad).toMatch(/Use a folder/);
    }
    expect(UrlPath.parse('/errors/404.html')).toBe('/errors/404.html');
    for (const bad of ['404.html', '/../etc/passwd', '/a/.env', '//x', '/a b', '/a"b', 'http://evil.example/']) {
      expect(messages(UrlPath, bad), bad).toMatch(/path on the site/);
    }
  });

  it('refers to a domain covering each name and to its system user, in the same account', () => {
    const spec = WebsiteSpec.parse({ name: 'shop', domains: ['www.shop.example.org', '*.example.net'], systemUser: 'alice' });
    expect(websiteReferences(spec)).toEqual([
      {
        kind: 'domain',
        anyOf: ['www.shop.example.org', 'shop.example.org', 'example.org'],
        path: ['domains', 0],
        message: expect.stringMatching(/example\.org/),
      },
      { kind: 'domain', anyOf: ['example.net'], path: ['domains', 1], message: expect.any(String) },
      { kind: 'systemuser', anyOf: ['alice'], path: ['systemUser'], message: expect.stringMatching(/no system user alice/) },
    ]);
    expect(website.identity(spec)).toBe('shop');
    expect(website.metrics.domains!(spec)).toBe(2);
  });
});

describe('web server context', () => {
  it("puts the document root inside the owner's home, or under the host's root for sites without an owner", () => {
    expect(context(nginx, { name: 'shop', domains: ['example.org'], systemUser: 'alice', documentRoot: 'web/public' })).toMatchObject({
      document_root: '/home/alice/web/public',
      create_root: 'no',
    });
    expect(context(apache, { name: 'shop', domains: ['example.org'] }, { 'website.root_base': '/srv/www/' })).toMatchObject({
      document_root: '/srv/www/shop/public_html',
      create_root: 'yes',
    });
  });

  it("uses the host's default certificate, or a named one from the certificate folder", () => {
    const base = { name: 'shop', domains: ['example.org'], protocol: 'https' };
    expect(context(nginx, base)).toMatchObject({
      certificate: '/etc/ssl/certs/ssl-cert-snakeoil.pem',
      certificate_key: '/etc/ssl/private/ssl-cert-snakeoil.key',
      listen_http: false,
      listen_https: true,
    });
    expect(context(nginx, { ...base, certificate: 'example.org' }, { 'tls.dir': '/etc/tls' })).toMatchObject({
      certificate: '/etc/tls/example.org/fullchain.pem',
      certificate_key: '/etc/tls/example.org/privkey.pem',
    });
    expect(context(apache, { ...base, protocol: 'https-redirect' }, { 'apache.https_port': '8443' })).toMatchObject({
      listen_http: true,
      redirect_http: true,
      https_suffix: ':8443',
    });
  });

  it('refuses host settings that could break out of a directive', () => {
    const spec = { name: 'shop', domains: ['example.org'] };
    expect(() => context(nginx, spec, { 'nginx.log_dir': '/var/log/nginx; include /etc/shadow' })).toThrow(/nginx\.log_dir/);
    expect(() => context(nginx, spec, { 'unix.home_base': '/home/../etc' })).not.toThrow(); // not used without an owner
    expect(() => context(nginx, { ...spec, systemUser: 'alice' }, { 'unix.home_base': '/home/../etc' })).toThrow(/unix\.home_base/);
    expect(() => context(apache, spec, { 'apache.http_port': '80 http' })).toThrow(/apache\.http_port must be a port/);
    expect(() => context(nginx, spec, { 'nginx.ipv6': 'yes' })).toThrow(/nginx\.ipv6 must be true or false/);
  });
});

const NGINX = '/usr/sbin/nginx';
const APACHE = '/usr/sbin/apache2';
const hasNginx = requireTool(NGINX, 'nginx');
const hasApache = requireTool(APACHE, 'apache2');
const hasOpenssl = requireTool('openssl', 'openssl');

// The real scripts, run locally against scratch folders, with the daemons' own checkers (no root needed: the
// ports are unprivileged, and the checks write nothing outside the scratch folders).
describe.skipIf(!hasNginx || !hasApache || !hasOpenssl)('web server scripts', () => {
  let dir: string;
  let config: Record<string, string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'consort-website-'));
    mkdirSync(join(dir, 'tls', 'example.org'), { recursive: true });
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=example.org',
        '-keyout',
        join(dir, 'tls', 'example.org', 'privkey.pem'),
        '-out',
        join(dir, 'tls', 'example.org', 'fullchain.pem'),
      ],
      { stdio: 'ignore' },
    );
    writeFileSync(join(dir, 'reload.sh'), `#!/bin/sh\necho "$1" >> '${dir}/reloads'\n`, { mode: 0o755 });
    config = {
      'website.root_base': join(dir, 'www'),
      'unix.home_base': join(dir, 'home'),
      'tls.dir': join(dir, 'tls'),
      'tls.certificate': join(dir, 'tls', 'example.org', 'fullchain.pem'),
      'tls.key': join(dir, 'tls', 'example.org', 'privkey.pem'),
      'nginx.sites_dir': join(dir, 'nginx'),
      'nginx.log_dir': join(dir, 'log'),
      'nginx.nginx': NGINX,
      'nginx.http_port': '18080',
      'nginx.https_port': '18443',
      'nginx.ipv6': 'false',
      'nginx.reload': `${join(dir, 'reload.sh')} nginx`,
      'apache.sites_dir': join(dir, 'apache'),
      'apache.log_dir': join(dir, 'log'),
      'apache.apache': APACHE,
      'apache.http_port': '18080',
      'apache.https_port': '18443',
      'apache.reload': `${join(dir, 'reload.sh')} apache`,
    };
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(backend: BackendDefinition<Spec>, items: UnitItem[], overrides: Record<string, string> = {}) {
    const { script } = await renderUnitOfWork({ templates: TEMPLATES, tenant, host: host({ ...config, ...overrides }), backend, items });
    const result = spawnSync('bash', ['-s'], {
      input: script,
      encoding: 'utf8',
      env: { PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin`, HOME: dir },
    });
    return { status: result.status, stdout: result.stdout, stderr: result.stderr };
  }

  const reloads = () => (existsSync(join(dir, 'reloads')) ? readFileSync(join(dir, 'reloads'), 'utf8').trim().split('\n') : []);
  const full = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    domains: [`${name}.example.org`, `www.${name}.example.org`, `*.${name}.example.org`],
    protocol: 'https-redirect',
    options: {
      indexFiles: ['index.html', 'index.php'],
      directoryListing: true,
      errorPages: [
        { status: 404, path: '/errors/404.html' },
        { status: 503, path: '/errors/503.html' },
      ],
      maxBodySizeMb: 64,
    },
    ...extra,
  });

  it.each([
    ['nginx', () => nginx],
    ['apache', () => apache],
  ])('%s: installs sites the checker accepts, idempotently, with one reload per unit of work', async (daemon, backend) => {
    const before = reloads().length;
    const items = [item(full('shop')), item({ name: 'blog', domains: ['blog.example.org'] }, 'save', 'op_2')];
    for (let i = 0; i < 2; i++) {
      const result = await run(backend(), items);
      expect(result.status, result.stderr).toBe(0);
    }
    expect(reloads().slice(before)).toEqual([daemon, daemon]);
    const sitesDir = join(dir, daemon);
    expect(readdirSync(sitesDir).sort()).toEqual(['blog.conf', 'shop.conf']); // no staging folders left
    const shop = readFileSync(join(sitesDir, 'shop.conf'), 'utf8');
    expect(shop).toContain(join(dir, 'www', 'shop', 'public_html'));
    expect(existsSync(join(dir, 'www', 'shop', 'public_html'))).toBe(true);
    if (daemon === 'nginx') {
      expect(shop).toContain('server_name shop.example.org www.shop.example.org *.shop.example.org;');
      expect(shop).toContain('return 301 https://$host:18443$request_uri;');
      expect(shop).toContain('client_max_body_size 64m;');
      expect(shop).toContain('error_page 503 /errors/503.html;');
      expect(shop).toContain('autoindex on;');
    } else {
      expect(shop).toContain('ServerName shop.example.org');
      expect(shop).toContain('ServerAlias www.shop.example.org *.shop.example.org');
      expect(shop).toContain('LimitRequestBody 67108864');
      expect(shop).toContain('Options +Indexes +SymLinksIfOwnerMatch');
      expect(shop).toContain('<VirtualHost *:18443>');
    }
  });

  it.each([
    ['nginx', () => nginx, /cannot load certificate|No such file/],
    ['apache', () => apache, /SSLCertificateFile|does not exist|No such file/],
  ])('%s: keeps the installed site when the checker rejects the new one, with its message on stderr', async (daemon, backend, message) => {
    const ok = await run(backend(), [item({ name: 'keep', domains: ['keep.example.org'] })]);
    expect(ok.status, ok.stderr).toBe(0);
    const before = readFileSync(join(dir, daemon, 'keep.conf'), 'utf8');
    const reloadsBefore = reloads().length;
    // Valid for the schema, refused by the daemon: a certificate name that the host does not have.
    const bad = await run(backend(), [
      item({ name: 'keep', domains: ['keep.example.org'], protocol: 'https', certificate: 'missing.example' }),
    ]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(message);
    expect(bad.stderr).toMatch(/rejected the configuration of website keep; the installed version \(if any\) was kept/);
    expect(readFileSync(join(dir, daemon, 'keep.conf'), 'utf8')).toBe(before);
    expect(reloads().length).toBe(reloadsBefore); // no reload after a failure
    expect(readdirSync(join(dir, daemon)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it.each([
    ['nginx', () => nginx],
    ['apache', () => apache],
  ])('%s: disabling removes the configuration, enabling restores it, deleting removes it (twice is fine)', async (daemon, backend) => {
    const spec = { name: 'pause', domains: ['pause.example.org'] };
    expect((await run(backend(), [item(spec)])).status).toBe(0);
    const conf = join(dir, daemon, 'pause.conf');
    expect(existsSync(conf)).toBe(true);
    expect((await run(backend(), [item({ ...spec, disabled: true })])).status).toBe(0);
    expect(existsSync(conf)).toBe(false);
    expect((await run(backend(), [item(spec)])).status).toBe(0);
    expect(existsSync(conf)).toBe(true);
    for (let i = 0; i < 2; i++) expect((await run(backend(), [item(spec, 'delete')])).status).toBe(0);
    expect(existsSync(conf)).toBe(false);
  });

  it('checks a site together with the others: a server block that breaks the whole configuration is refused', async () => {
    // Another file in the sites folder that nginx cannot load makes every check fail: the reload would fail too.
    writeFileSync(join(dir, 'nginx', 'broken.conf'), 'server { listen 18080; bogus_directive on; }\n');
    const result = await run(nginx, [item({ name: 'victim', domains: ['victim.example.org'] })]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/unknown directive "bogus_directive" in .*broken\.conf/);
    rmSync(join(dir, 'nginx', 'broken.conf'));
    expect(existsSync(join(dir, 'nginx', 'victim.conf'))).toBe(false);
  });
});
