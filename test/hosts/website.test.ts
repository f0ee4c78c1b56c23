import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../functions/src/local/preflight';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Websites through the API, applied over a real OpenSSH server to two sandboxed web hosts at once — one routed to
// the nginx backend, one to Apache — and checked with each daemon's own checker (nginx -t, apache2 -t) against a
// main configuration this test writes, the way the hosts' nginx.conf / apache2.conf include the sites folder. A
// real nginx then serves the generated site on a loopback port. Every path (sites, logs, pid, document roots,
// certificates) is under a scratch folder; nothing is written to /etc/nginx or /etc/apache2 and no daemon binds
// port 80.

const NGINX = '/usr/sbin/nginx';
const APACHE = '/usr/sbin/apache2';
const ready =
  requireTool(SSHD, 'openssh-server') && requireTool(NGINX, 'nginx') && requireTool(APACHE, 'apache2') && requireTool('openssl', 'openssl');

function get(port: number, host: string, path: string, tls = false): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const options = { host: '127.0.0.1', port, path, headers: { host }, servername: host, rejectUnauthorized: false };
    const req = (tls ? httpsRequest : request)(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(!ready)('websites over SSH (nginx and Apache hosts)', () => {
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountA: string;
  let accountB: string;
  let dir: string;
  let httpPort: number;
  let httpsPort: number;
  const hosts: Record<'nginx' | 'apache', string> = { nginx: '', apache: '' };
  const sites = (daemon: 'nginx' | 'apache') => join(dir, daemon, 'sites');
  const reloads = (daemon: 'nginx' | 'apache') =>
    existsSync(join(dir, `${daemon}.reloads`))
      ? readFileSync(join(dir, `${daemon}.reloads`), 'utf8')
          .trim()
          .split('\n').length
      : 0;

  /** The host's main configurations, as an admin would write them: they include Consort's sites folder. */
  function mainConfigs() {
    writeFileSync(
      join(dir, 'nginx', 'nginx.conf'),
      [
        `pid ${join(dir, 'nginx', 'nginx.pid')};`,
        'error_log stderr;',
        ...(process.getuid?.() === 0 ? ['user www-data www-data;'] : []),
        'events {}',
        'http {',
        ...['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
          (t) => `    ${t === 'body' ? 'client_body' : t}_temp_path ${join(dir, 'nginx', 'tmp', t)};`,
        ),
        `    include ${sites('nginx')}/*.conf;`,
        '}',
        '',
      ].join('\n'),
    );
    const modules = '/usr/lib/apache2/modules';
    writeFileSync(
      join(dir, 'apache', 'apache2.conf'),
      [
        `ServerRoot "${join(dir, 'apache')}"`,
        'ServerName localhost',
        `Listen 127.0.0.1:${httpPort}`,
        `Listen 127.0.0.1:${httpsPort}`,
        ...(process.getuid?.() === 0 ? ['User www-data', 'Group www-data'] : []),
        `PidFile "${join(dir, 'apache', 'apache.pid')}"`,
        `ErrorLog "${join(dir, 'apache', 'error.log')}"`,
        'LogFormat "%h %l %u %t \\"%r\\" %>s %O" combined',
        ...['mpm_event', 'authz_core', 'alias', 'dir', 'autoindex', 'ssl'].map((m) => `LoadModule ${m}_module ${modules}/mod_${m}.so`),
        `IncludeOptional "${sites('apache')}/*.conf"`,
        '',
      ].join('\n'),
    );
  }

  /** The daemons' own verdict on the installed configuration (not the script's). */
  function checkInstalled() {
    const n = spawnSync(NGINX, ['-t', '-q', '-e', 'stderr', '-c', join(dir, 'nginx', 'nginx.conf')], { encoding: 'utf8' });
    expect(n.status, n.stderr).toBe(0);
    const a = spawnSync(APACHE, ['-t', '-f', join(dir, 'apache', 'apache2.conf')], { encoding: 'utf8' });
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/Syntax OK/);
  }

  const settled = (serviceId: string) => settledService(stack, owner, serviceId);

  async function service(accountId: string, kind: string, spec: unknown) {
    const res = await owner.post('/v1/services', { accountId, kind, spec });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.service.id as string;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'consort-web-'));
    chmodSync(dir, 0o755); // the live nginx's workers read document roots below it
    for (const d of ['nginx/sites', 'nginx/tmp', 'apache/sites', 'log', 'www', 'home/alice/public_html', 'tls/shop.example-a.test']) {
      mkdirSync(join(dir, d), { recursive: true });
    }
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
        '/CN=shop.example-a.test',
        '-keyout',
        join(dir, 'tls/shop.example-a.test/privkey.pem'),
        '-out',
        join(dir, 'tls/shop.example-a.test/fullchain.pem'),
      ],
      { stdio: 'ignore' },
    );
    // The reload command of each host records that it ran (one line per unit of work).
    for (const daemon of ['nginx', 'apache']) {
      writeFileSync(join(dir, `${daemon}-reload.sh`), `#!/bin/sh\necho reload >> '${join(dir, `${daemon}.reloads`)}'\n`, { mode: 0o755 });
    }
    httpPort = await freePort();
    httpsPort = await freePort();
    mainConfigs();

    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'Web');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountA = (await owner.post('/v1/accounts', { name: 'Shop Owner', email: 'a@example.org', country: 'ES' })).body.id;
    accountB = (await owner.post('/v1/accounts', { name: 'Someone Else', email: 'b@example.org', country: 'ES' })).body.id;
    const shared = {
      'website.root_base': join(dir, 'www'),
      'unix.home_base': join(dir, 'home'),
      'tls.dir': join(dir, 'tls'),
      'tls.certificate': join(dir, 'tls/shop.example-a.test/fullchain.pem'),
      'tls.key': join(dir, 'tls/shop.example-a.test/privkey.pem'),
    };
    const configs = {
      nginx: {
        ...shared,
        'nginx.sites_dir': sites('nginx'),
        'nginx.log_dir': join(dir, 'log'),
        'nginx.nginx': NGINX,
        'nginx.http_port': String(httpPort),
        'nginx.https_port': String(httpsPort),
        'nginx.ipv6': 'false',
        'nginx.reload': join(dir, 'nginx-reload.sh'),
        'bind.zones_dir': join(dir, 'zones'),
        'bind.conf_file': join(dir, 'named.conf.consort'),
        'bind.checkzone': 'true',
        'bind.reload': 'true',
      },
      apache: {
        ...shared,
        'apache.sites_dir': sites('apache'),
        'apache.log_dir': join(dir, 'log'),
        'apache.apache': APACHE,
        'apache.http_port': String(httpPort),
        'apache.https_port': String(httpsPort),
        'apache.reload': join(dir, 'apache-reload.sh'),
      },
    };
    for (const daemon of ['nginx', 'apache'] as const) {
      const host = await owner.post('/v1/hosts', {
        name: `web-${daemon}`,
        address: '127.0.0.1',
        port: sshd.port,
        username: sshd.username,
        transport: 'ssh',
        config: configs[daemon],
      });
      expect(host.status, JSON.stringify(host.body)).toBe(201);
      hosts[daemon] = host.body.id;
      expect((await owner.post('/v1/routes', { kind: 'website', backend: daemon, hostId: host.body.id })).status).toBe(201);
    }
    expect((await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: hosts.nginx })).status).toBe(201);
    // What a website refers to: account A's domains and system user (the latter has no route here; it only has to exist).
    await service(accountA, 'domain', { name: 'example-a.test' });
    await service(accountA, 'systemuser', { username: 'alice' });
    await service(accountB, 'domain', { name: 'example-b.test' });
    await service(accountB, 'systemuser', { username: 'bruno' });
    await stack.idle();
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses with 422 a site for names or a user of another account, and crafted values', async () => {
    const base = { name: 'shop', domains: ['shop.example-a.test'] };
    const cases: [unknown, string][] = [
      [{ ...base, domains: ['shop.example-b.test'] }, 'spec.domains.0'],
      [{ ...base, domains: ['shop.example-a.test', 'unknown.test'] }, 'spec.domains.1'],
      [{ ...base, systemUser: 'bruno' }, 'spec.systemUser'],
      [{ ...base, domains: ['shop.example-a.test; root /'] }, 'spec.domains.0'],
      [{ ...base, documentRoot: '../../bruno/public_html' }, 'spec.documentRoot'],
      [{ ...base, options: { errorPages: [{ status: 404, path: '/x"; include /etc/shadow; #' }] } }, 'spec.options.errorPages.0.path'],
    ];
    for (const [spec, path] of cases) {
      const res = await owner.post('/v1/services', { accountId: accountA, kind: 'website', spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
      expect(res.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toContain(path);
    }
  });

  let shopId: string;
  const shop = {
    name: 'shop',
    domains: ['shop.example-a.test', 'www.shop.example-a.test'],
    protocol: 'https-redirect',
    certificate: 'shop.example-a.test',
    systemUser: 'alice',
    options: { indexFiles: ['index.html'], errorPages: [{ status: 404, path: '/404.html' }], maxBodySizeMb: 32 },
  };

  it('installs the site on both hosts, each checked by its daemon, with one reload each', async () => {
    shopId = await service(accountA, 'website', shop);
    const { service: s, op } = await settled(shopId);
    expect(s.state, JSON.stringify(op.logs)).toBe('applied');
    expect(op.targets.sort()).toEqual([hosts.nginx, hosts.apache].sort());
    expect(op.logs.map((l: { backend: string }) => l.backend).sort()).toEqual(['apache', 'nginx']);
    expect(readdirSync(sites('nginx'))).toEqual(['shop.conf']);
    expect(readdirSync(sites('apache'))).toEqual(['shop.conf']);
    const nginxConf = readFileSync(join(sites('nginx'), 'shop.conf'), 'utf8');
    expect(nginxConf).toContain('server_name shop.example-a.test www.shop.example-a.test;');
    expect(nginxConf).toContain(`root ${join(dir, 'home/alice/public_html')};`);
    expect(nginxConf).toContain(`ssl_certificate ${join(dir, 'tls/shop.example-a.test/fullchain.pem')};`);
    const apacheConf = readFileSync(join(sites('apache'), 'shop.conf'), 'utf8');
    expect(apacheConf).toContain(`<VirtualHost *:${httpsPort}>`);
    expect(apacheConf).toContain('ServerAlias www.shop.example-a.test');
    expect(apacheConf).toContain('LimitRequestBody 33554432');
    expect([reloads('nginx'), reloads('apache')]).toEqual([1, 1]);
    checkInstalled();
  });

  it.each([
    ['nginx', [NGINX, '-e', 'stderr', '-c', 'nginx/nginx.conf', '-g', 'daemon off;']],
    ['apache', [APACHE, '-X', '-f', 'apache/apache2.conf']],
  ] as const)(
    'serves the generated site with a real %s: HTTPS redirect, ACME path, index, error page, no hidden files',
    async (_daemon, [command, ...args]) => {
      const docroot = join(dir, 'home/alice/public_html');
      writeFileSync(join(docroot, 'index.html'), 'shop home\n');
      writeFileSync(join(docroot, '404.html'), 'shop 404\n');
      mkdirSync(join(docroot, '.git'), { recursive: true });
      writeFileSync(join(docroot, '.git/config'), 'secret\n');
      mkdirSync(join(docroot, '.well-known/acme-challenge'), { recursive: true });
      writeFileSync(join(docroot, '.well-known/acme-challenge/token'), 'proof\n');
      const daemon: ChildProcess = spawn(
        command,
        args.map((a) => (a.endsWith('.conf') ? join(dir, a) : a)),
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      daemon.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      try {
        let redirect: Awaited<ReturnType<typeof get>> | undefined;
        for (let i = 0; i < 100 && !redirect; i++) {
          redirect = await get(httpPort, 'shop.example-a.test', '/page?x=1').catch(() => undefined);
          if (!redirect) await new Promise((r) => setTimeout(r, 100));
        }
        expect(redirect, stderr).toBeDefined();
        expect(redirect!.status).toBe(301);
        expect(redirect!.location).toMatch(new RegExp(`^https://shop\\.example-a\\.test:${httpsPort}/page`));
        // ACME challenges stay reachable over plain HTTP (certificate renewal).
        expect(await get(httpPort, 'shop.example-a.test', '/.well-known/acme-challenge/token')).toMatchObject({
          status: 200,
          body: 'proof\n',
        });
        // Over HTTPS (the certificate named in the spec): the index, the custom 404 page, and no hidden files.
        expect(await get(httpsPort, 'www.shop.example-a.test', '/', true)).toMatchObject({ status: 200, body: 'shop home\n' });
        expect(await get(httpsPort, 'shop.example-a.test', '/nope', true)).toMatchObject({ status: 404, body: 'shop 404\n' });
        expect(await get(httpsPort, 'shop.example-a.test', '/.git/config', true)).toMatchObject({ status: 404, body: 'shop 404\n' });
      } finally {
        daemon.kill('SIGTERM');
        if (daemon.exitCode === null) await new Promise((r) => daemon.once('exit', r));
      }
    },
  );

  it('is idempotent: saving the same spec again rewrites nothing', async () => {
    const before = [readFileSync(join(sites('nginx'), 'shop.conf'), 'utf8'), readFileSync(join(sites('apache'), 'shop.conf'), 'utf8')];
    expect((await owner.patch(`/v1/services/${shopId}`, { spec: shop })).status).toBe(200);
    expect((await settled(shopId)).service.state).toBe('applied');
    expect([readFileSync(join(sites('nginx'), 'shop.conf'), 'utf8'), readFileSync(join(sites('apache'), 'shop.conf'), 'utf8')]).toEqual(
      before,
    );
    checkInstalled();
  });

  it('adds a second site without an owner (its folder is created) next to the first', async () => {
    const id = await service(accountA, 'website', { name: 'blog', domains: ['blog.example-a.test'], options: { directoryListing: true } });
    expect((await settled(id)).service.state).toBe('applied');
    expect(existsSync(join(dir, 'www/blog/public_html'))).toBe(true);
    expect(readdirSync(sites('nginx')).sort()).toEqual(['blog.conf', 'shop.conf']);
    expect(readFileSync(join(sites('apache'), 'blog.conf'), 'utf8')).toContain('Options +Indexes');
    checkInstalled();
  });

  it('keeps the installed site when a daemon rejects the change, and says why', async () => {
    const before = readFileSync(join(sites('nginx'), 'shop.conf'), 'utf8');
    const reloadsBefore = reloads('nginx');
    // Valid for the schema; the host has no such certificate, so nginx -t / apache2 -t refuse it.
    expect((await owner.patch(`/v1/services/${shopId}`, { spec: { ...shop, certificate: 'missing.example-a.test' } })).status).toBe(200);
    const { service: s, op } = await settled(shopId);
    expect(s.state).toBe('failed');
    const byBackend = Object.fromEntries(op.logs.filter((l: any) => l.attempt === op.attempt).map((l: any) => [l.backend, l.stderr]));
    expect(byBackend.nginx).toMatch(/cannot load certificate .*missing\.example-a\.test/);
    expect(byBackend.nginx).toMatch(/nginx -t rejected the configuration of website shop/);
    expect(byBackend.apache).toMatch(/SSLCertificateFile.*missing\.example-a\.test/);
    expect(readFileSync(join(sites('nginx'), 'shop.conf'), 'utf8')).toBe(before);
    expect(reloads('nginx')).toBe(reloadsBefore);
    checkInstalled();
    await owner.patch(`/v1/services/${shopId}`, { spec: shop });
    expect((await settled(shopId)).service.state).toBe('applied');
  });

  it('disables (configuration removed, files kept) and enables again', async () => {
    await owner.patch(`/v1/services/${shopId}`, { spec: { ...shop, disabled: true } });
    expect((await settled(shopId)).service.state).toBe('applied');
    expect(existsSync(join(sites('nginx'), 'shop.conf'))).toBe(false);
    expect(existsSync(join(sites('apache'), 'shop.conf'))).toBe(false);
    expect(existsSync(join(dir, 'home/alice/public_html/index.html'))).toBe(true);
    checkInstalled();
    await owner.patch(`/v1/services/${shopId}`, { spec: shop });
    expect((await settled(shopId)).service.state).toBe('applied');
    expect(existsSync(join(sites('nginx'), 'shop.conf'))).toBe(true);
    expect(existsSync(join(sites('apache'), 'shop.conf'))).toBe(true);
    checkInstalled();
  });

  it('deletes the site from both hosts', async () => {
    expect((await owner.delete(`/v1/services/${shopId}`)).status).toBe(202);
    const { service: s, op } = await settled(shopId);
    expect(s.state, JSON.stringify(op.logs)).toBe('deleted');
    expect(readdirSync(sites('nginx'))).toEqual(['blog.conf']);
    expect(readdirSync(sites('apache'))).toEqual(['blog.conf']);
    checkInstalled();
  });
});
