import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { DomainError } from '@consort/shared/core/errors';
import type { Host } from '@consort/shared/fleet/model';
import { hostConfig, renderUnitOfWork } from '@consort/shared/provisioning/render';
import type { BackendDefinition } from '@consort/shared/services/define-service-type';
import { iniLines, PhpOptions, webApp, webAppReferences, WebAppSpec, type WebAppSpec as Spec } from '@consort/shared/services/webapp/index';
import { website, websiteReferences, WebsiteSpec } from '@consort/shared/services/website/index';
import type { Tenant } from '@consort/shared/tenancy/model';
import { requireTool } from '../../setup/require-tool';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const fpm = webApp.backends[0] as BackendDefinition<Spec>;
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: { dns: { nameservers: ['ns1.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] } },
};
const host = (config: Record<string, string> = {}): Host => ({
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
});

const context = (spec: unknown, config: Record<string, string> = {}) =>
  fpm.context({
    service: { id: 'svc_1', accountId: 'acc_1', name: 'shop', spec: WebAppSpec.parse(spec), state: {} },
    tenant,
    config: hostConfig(fpm, host(config)),
  }) as Record<string, any>;

const issues = (value: unknown) => {
  const result = WebAppSpec.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

const base = { name: 'shop', systemUser: 'alice' };

describe('web app spec', () => {
  it('defaults to a PHP app with a small ondemand pool and no php.ini options', () => {
    expect(WebAppSpec.parse(base)).toEqual({
      ...base,
      type: 'php',
      processes: { manager: 'ondemand', maxChildren: 5, idleTimeoutSeconds: 10, maxRequests: 500 },
      phpOptions: {},
      disabled: false,
    });
  });

  it('takes php.ini options only from the allow-list, each typed and bounded', () => {
    const spec = WebAppSpec.parse({
      ...base,
      phpOptions: { memory_limit: '512m', upload_max_filesize: '64M', post_max_size: '1G', display_errors: true, error_reporting: 'all' },
    });
    expect(spec.phpOptions).toMatchObject({ memory_limit: '512M', post_max_size: '1G' });
    expect(issues({ ...base, phpOptions: { disable_functions: '' } })).toEqual([expect.stringMatching(/^phpOptions: .*disable_functions/)]);
    expect(issues({ ...base, phpOptions: { open_basedir: '/' } })[0]).toMatch(/open_basedir/);
    expect(issues({ ...base, phpOptions: { memory_limit: '-1' } })[0]).toMatch(/^phpOptions.memory_limit: Use a size/);
    expect(issues({ ...base, phpOptions: { memory_limit: '64G' } })[0]).toMatch(/from 8M to 4G/);
    expect(issues({ ...base, phpOptions: { memory_limit: '256M\nphp_admin_value[open_basedir] = /' } })[0]).toMatch(/memory_limit/);
    expect(issues({ ...base, phpOptions: { max_execution_time: 1.5 } })[0]).toMatch(/max_execution_time/);
    expect(issues({ ...base, phpOptions: { display_errors: 'on' } })[0]).toMatch(/display_errors/);
    expect(issues({ ...base, phpOptions: { upload_max_filesize: '2G', post_max_size: '8M' } })).toEqual([
      'phpOptions.upload_max_filesize: An upload cannot be larger than the whole request (post_max_size)',
    ]);
  });

  it('bounds the process manager and checks the dynamic spare counts against each other', () => {
    expect(issues({ ...base, processes: { maxChildren: 0 } })[0]).toMatch(/^processes.maxChildren/);
    expect(issues({ ...base, processes: { maxChildren: 101 } })[0]).toMatch(/^processes.maxChildren/);
    expect(issues({ ...base, processes: { manager: 'ondemand', startServers: 2 } })).toEqual([
      'processes.startServers: Only used with the dynamic manager',
    ]);
    expect(issues({ ...base, processes: { manager: 'dynamic', maxChildren: 4, minSpareServers: 3, maxSpareServers: 2 } })).toContain(
      'processes.minSpareServers: Cannot be above maxSpareServers',
    );
    expect(issues({ ...base, processes: { manager: 'dynamic', maxChildren: 4, maxSpareServers: 6 } })).toContain(
      'processes.maxSpareServers: Cannot be above maxChildren',
    );
    expect(issues({ ...base, processes: { manager: 'dynamic', minSpareServers: 2, maxSpareServers: 3, startServers: 5 } })).toContain(
      'processes.startServers: Must be between minSpareServers and maxSpareServers',
    );
    expect(context({ ...base, processes: { manager: 'dynamic', maxChildren: 10 } })).toMatchObject({
      pm: 'dynamic',
      min_spare_servers: 1,
      max_spare_servers: 3,
      start_servers: 2,
    });
  });

  it('refuses PHP settings on a static app, and needs a system user of the account', () => {
    expect(issues({ ...base, type: 'static', phpVersion: '8.2' })).toEqual(['phpVersion: A static app runs no PHP']);
    expect(issues({ ...base, type: 'static', phpOptions: { memory_limit: '64M' } })).toEqual(['phpOptions: A static app runs no PHP']);
    expect(issues({ name: 'shop' })[0]).toMatch(/^systemUser/);
    expect(issues({ ...base, systemUser: 'root' })[0]).toMatch(/reserved/);
    // Debian's pool.d/www.conf defines [www]: a second pool of that name would stop the real master's reload.
    expect(issues({ ...base, name: 'www' })).toEqual(["name: www is the name of Debian's own PHP-FPM pool; choose another"]);
    expect(webAppReferences(WebAppSpec.parse(base))).toEqual([expect.objectContaining({ kind: 'systemuser', anyOf: ['alice'] })]);
  });

  it('writes limits as php_admin_* (the app cannot raise them) and the rest as php_*', () => {
    expect(
      iniLines(
        PhpOptions.parse({ memory_limit: '128M', display_errors: false, allow_url_fopen: false, error_reporting: 'all-but-deprecated' }),
      ),
    ).toEqual([
      { directive: 'php_admin_value', key: 'memory_limit', value: '128M' },
      { directive: 'php_flag', key: 'display_errors', value: 'off' },
      { directive: 'php_admin_flag', key: 'allow_url_fopen', value: 'off' },
      { directive: 'php_value', key: 'error_reporting', value: '22527' },
    ]);
  });
});

describe('php-fpm backend', () => {
  it('picks the host default version, refuses versions and pool sizes the host does not offer', () => {
    expect(context(base, { 'php.versions': '8.3, 8.2' })).toMatchObject({
      version: '8.3',
      pool_dir: '/etc/php/8.3/fpm/consort',
      other_pool_dirs: ['/etc/php/8.2/fpm/consort'],
      fpm: 'php-fpm8.3',
      socket: '/run/php/shop.sock',
    });
    expect(() => context({ ...base, phpVersion: '7.4' }, { 'php.versions': '8.2' })).toThrow(/offers PHP 8.2, not 7.4/);
    expect(() => context({ ...base, processes: { maxChildren: 30 } })).toThrow(/at most 20 processes/);
    expect(() => context(base, { 'php.pool_dir': '/etc/php/{version}/../x' })).toThrow(DomainError);
    expect(() => context(base, { 'php.versions': '8.2; rm -rf /' })).toThrow(/php.versions/);
    expect(() => context(base, { 'php.listen_owner': 'www data' })).toThrow(/php.listen_owner/);
  });

  it('renders one pool file and one reload check per unit', async () => {
    const items = ['shop', 'blog'].map((name, i) => ({
      operationId: `op_${i}`,
      action: 'save' as const,
      service: {
        id: `svc_${i}`,
        accountId: 'acc_1',
        name,
        kind: 'webapp',
        spec: { ...base, name, phpOptions: { memory_limit: '256M' } },
        backendState: {},
      },
    }));
    const { script } = await renderUnitOfWork({ templates: TEMPLATES, tenant, host: host(), backend: fpm, items });
    expect(script).toContain("pool_dir='/etc/php/8.2/fpm/consort'");
    expect(script).toMatch(/\[shop\]\nuser = alice\nlisten = \/run\/php\/shop\.sock\n/);
    expect(script).toContain('php_admin_value[memory_limit] = 256M');
    expect(script.match(/>>> commit php-fpm/g)).toHaveLength(1);
  });
});

describe.skipIf(!requireTool('/usr/sbin/nginx', 'nginx') || !requireTool('/usr/sbin/apache2', 'apache2'))(
  'websites running a web app',
  () => {
    const site = { name: 'shop', domains: ['shop.example.org'], webApp: 'shop', options: { indexFiles: ['index.php'] } };

    it('refers to a web app of the account', () => {
      expect(websiteReferences(WebsiteSpec.parse(site))).toContainEqual(
        expect.objectContaining({ kind: 'webapp', anyOf: ['shop'], path: ['webApp'] }),
      );
    });

    it.each(website.backends.map((b) => [b.name, b] as const))(
      '%s sends .php requests to the app’s socket, and its own checker accepts the site',
      async (daemon, backend) => {
        const dir = mkdtempSync(join(tmpdir(), 'consort-webapp-site-'));
        try {
          const config = {
            'php.run_dir': join(dir, 'run'),
            'website.root_base': join(dir, 'www'),
            [`${daemon}.sites_dir`]: join(dir, 'sites'),
            [`${daemon}.log_dir`]: join(dir, 'log'),
            'nginx.nginx': '/usr/sbin/nginx',
            'apache.apache': '/usr/sbin/apache2',
            [`${daemon}.reload`]: 'true',
          };
          const { script } = await renderUnitOfWork({
            templates: TEMPLATES,
            tenant,
            host: host(config),
            backend,
            items: [
              {
                operationId: 'op_1',
                action: 'save',
                service: { id: 'svc_1', accountId: 'acc_1', name: 'shop', kind: 'website', spec: site, backendState: {} },
              },
            ],
          });
          // The save script runs the daemon's checker (nginx -t / apache2 -t) before it installs anything.
          const run = spawnSync('bash', ['-s'], { input: script, encoding: 'utf8' });
          expect(run.status, run.stderr).toBe(0);
          const conf = readFileSync(join(dir, 'sites', 'shop.conf'), 'utf8');
          const socket = join(dir, 'run', 'shop.sock');
          if (daemon === 'nginx') {
            expect(conf).toContain(`    location ~ \\.php$ {\n        try_files $uri =404;\n        include /etc/nginx/fastcgi_params;\n`);
            expect(conf).toContain(`        fastcgi_pass unix:${socket};\n`);
          } else {
            expect(conf).toContain(
              `    <FilesMatch "\\.php$">\n        SetHandler "proxy:unix:${socket}|fcgi://localhost"\n    </FilesMatch>\n`,
            );
          }
          const plain = await renderUnitOfWork({
            templates: TEMPLATES,
            tenant,
            host: host(config),
            backend,
            items: [
              {
                operationId: 'op_2',
                action: 'save',
                service: {
                  id: 'svc_1',
                  accountId: 'acc_1',
                  name: 'shop',
                  kind: 'website',
                  spec: { ...site, webApp: undefined },
                  backendState: {},
                },
              },
            ],
          });
          expect(plain.script).not.toContain('.sock');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  },
);
