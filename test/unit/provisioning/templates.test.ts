import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import type { Host } from '@consort/shared/fleet/model';
import type { TemplateSource } from '@consort/shared/ports/transport';
import { renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import { templatesUsed } from '@consort/shared/provisioning/template-use-cases';
import {
  LayeredTemplateSource,
  TEMPLATE_MAX_BYTES,
  TemplateOverrideInput,
  TemplatePreviewInput,
  checkOverrideText,
  diffLines,
  partialsOf,
  templateCatalog,
  tenantTemplateSource,
  unifiedDiff,
  type TemplateVersion,
} from '@consort/shared/provisioning/templates';
import type { BackendDefinition } from '@consort/shared/services/define-service-type';
import { website, WebsiteSpec } from '@consort/shared/services/website/index';
import type { Tenant } from '@consort/shared/tenancy/model';
import { requireTool } from '../../setup/require-tool';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const [nginx, apache] = website.backends as readonly BackendDefinition<any>[] as [BackendDefinition<any>, BackendDefinition<any>];
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: { dns: { nameservers: ['ns1.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] } },
};
const host: Host = {
  id: 'host_1',
  tenantId: 'ten_1',
  name: 'web1',
  address: '192.0.2.80',
  port: 22,
  username: 'root',
  transport: 'ssh',
  config: {},
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
};
const SITE_CONF = 'provisioning/website/nginx/site.conf.liquid';

function websiteItem(): UnitItem {
  const spec = WebsiteSpec.parse({ name: 'shop', domains: ['shop.example.org'] });
  return {
    operationId: 'op_1',
    action: 'save',
    service: { id: 'svc_1', accountId: 'acc_1', name: 'shop', kind: 'website', spec, backendState: {} },
  };
}

function version(path: string, n: number, text: string | undefined, tenantId = 'ten_1'): TemplateVersion {
  return { tenantId, path, version: n, text, removed: text === undefined, author: 'staff:u', createdAt: '2026-01-01T00:00:00.000Z' };
}

describe('template catalog', () => {
  it('lists each backend with its scripts, file templates and the partials they render, in their output escape', async () => {
    const catalog = await templateCatalog(TEMPLATES);
    const entry = catalog.find((b) => b.id === 'website.nginx')!;
    const byName = Object.fromEntries(entry.files.map((f) => [f.name, f]));
    expect(byName['save.sh.liquid']).toMatchObject({ role: 'save', mode: 'shell' });
    expect(byName['commit.sh.liquid']).toMatchObject({ role: 'commit', mode: 'shell' });
    expect(byName['site.conf.liquid']).toMatchObject({ role: 'file', mode: 'text', path: SITE_CONF });
    // A partial of a file template is printed as text; a partial of a script is quoted as shell.
    expect(byName['site-body.liquid']).toMatchObject({ role: 'partial', mode: 'text' });
    expect(byName['install-site.sh.liquid']).toMatchObject({
      role: 'partial',
      mode: 'shell',
      path: 'provisioning/website/install-site.sh.liquid',
    });
    const apacheFiles = catalog.find((b) => b.id === 'website.apache')!.files.map((f) => f.path);
    expect(apacheFiles).toContain('provisioning/website/install-site.sh.liquid');
    // SQL files use their backend's dialect.
    const mysql = catalog.find((b) => b.id === 'database.mysql')!;
    expect(mysql.files.find((f) => f.name === 'save.sql.liquid')).toMatchObject({ mode: 'mysql' });
    for (const backend of catalog) {
      expect(
        backend.files.map((f) => f.role),
        backend.id,
      ).toEqual(expect.arrayContaining(['save', 'delete', 'commit']));
    }
  });

  it('finds literal partial names only', () => {
    expect(partialsOf(`{% render 'a/b.liquid', x: y %}\n{%- include "c.liquid" %}\n{% render name %}`)).toEqual(['a/b.liquid', 'c.liquid']);
  });
});

describe('tenant template source', () => {
  it('is the default source without overrides, and one cached layered source per set of active versions', async () => {
    expect(tenantTemplateSource(TEMPLATES, 'ten_1', []).source).toBe(TEMPLATES);
    expect(tenantTemplateSource(TEMPLATES, 'ten_1', [version(SITE_CONF, 2, undefined)]).source).toBe(TEMPLATES);
    const v1 = tenantTemplateSource(TEMPLATES, 'ten_1', [version(SITE_CONF, 1, '# v1\n')]);
    expect(v1.versions).toEqual([{ path: SITE_CONF, version: 1 }]);
    expect(tenantTemplateSource(TEMPLATES, 'ten_1', [version(SITE_CONF, 1, '# v1\n')]).source).toBe(v1.source);
    const v2 = tenantTemplateSource(TEMPLATES, 'ten_1', [version(SITE_CONF, 2, '# v2\n')]);
    expect(v2.source).not.toBe(v1.source);
    expect(await v2.source.read(SITE_CONF)).toBe('# v2\n');
    expect(await v2.source.read('provisioning/website/nginx/save.sh.liquid')).toBe(
      await TEMPLATES.read('provisioning/website/nginx/save.sh.liquid'),
    );
    // Another tenant's overrides are its own source.
    expect(await tenantTemplateSource(TEMPLATES, 'ten_2', []).source.read(SITE_CONF)).toBe(await TEMPLATES.read(SITE_CONF));
  });

  it('renders the new version on the next unit of work (no stale engine cache), and the default after a revert', async () => {
    const render = async (heads: TemplateVersion[]) => {
      const { source } = tenantTemplateSource(TEMPLATES, 'ten_1', heads);
      return (await renderUnitOfWork({ templates: source, tenant, host, backend: nginx, items: [websiteItem()] })).script;
    };
    const defaults = await render([]);
    expect(defaults).toContain('# Website shop, written by Consort');
    const base = await TEMPLATES.read(SITE_CONF);
    const first = await render([version(SITE_CONF, 1, `# tenant header v1\n${base}`)]);
    expect(first).toContain('# tenant header v1');
    const second = await render([version(SITE_CONF, 2, `# tenant header v2\n${base}`)]);
    expect(second).toContain('# tenant header v2');
    expect(second).not.toContain('# tenant header v1');
    expect(await render([version(SITE_CONF, 3, undefined)])).toBe(defaults);
  });

  it('records the override versions a backend reads, including shared partials, not other backends’ files', async () => {
    const versions = [
      { path: 'provisioning/website/install-site.sh.liquid', version: 4 },
      { path: 'provisioning/website/apache/site.conf.liquid', version: 2 },
      { path: SITE_CONF, version: 1 },
    ];
    expect(await templatesUsed(TEMPLATES, nginx, versions)).toEqual([versions[0], versions[2]]);
    expect(await templatesUsed(TEMPLATES, apache, versions)).toEqual([versions[0], versions[1]]);
    // An override that renders another partial pulls that partial's override in too.
    const extra = 'provisioning/mail/postfix-entry.sh.liquid';
    const layered = new LayeredTemplateSource(TEMPLATES, new Map([[SITE_CONF, `{% render '${extra}' %}`]]));
    expect(await templatesUsed(layered, nginx, [{ path: extra, version: 7 }])).toEqual([{ path: extra, version: 7 }]);
  });
});

describe('overrides keep shell quoting by construction', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consort-tpl-'));
  const marker = join(dir, 'pwned');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const toy: BackendDefinition<{ value: string }> = {
    name: 'toy',
    label: 'Toy',
    templates: 'toy',
    config: {},
    context: ({ service }) => ({ value: service.spec.value }),
  };
  const defaults: TemplateSource = {
    read: async (path) => {
      if (path === 'toy/commit.sh.liquid') return 'true\n';
      if (path === 'toy/save.sh.liquid') return 'printf "%s" {{ value }}\n';
      throw new Error(`no template ${path}`);
    },
  };
  const value = `$(touch ${marker})\`touch ${marker}\`'; touch ${marker}; '`;
  const render = (text: string) =>
    renderUnitOfWork({
      templates: new LayeredTemplateSource(defaults, new Map([['toy/save.sh.liquid', text]])),
      tenant,
      host,
      backend: toy,
      items: [
        {
          operationId: 'op',
          action: 'save',
          service: { id: 's', accountId: 'a', name: 'toy', kind: 'toy', spec: { value }, backendState: {} },
        },
      ],
    });

  it('refuses the raw filter in an override', async () => {
    await expect(render('echo {{ value | raw }}\n')).rejects.toThrow(/raw filter is disabled/);
  });

  it('quotes every way an override can print a value', async () => {
    const attempts = [
      'echo {{ value }}',
      'echo {% echo value %}',
      'echo {% capture c %}{{ value }}{% endcapture %}{{ c }}',
      'echo {% assign v = value | append: "" %}{{ v }}',
      'echo {{ value | upcase | downcase }}',
      'echo {% for c in (1..1) %}{{ value }}{% endfor %}',
      'printf "%s" {% liquid\necho value\n%}',
      // Literal template text is the tenant's own code; `raw` blocks print it, never a value.
      'echo {% raw %}{{ value }}{% endraw %}',
    ];
    for (const attempt of attempts) {
      const { script } = await render(`${attempt}\n`);
      const run = spawnSync('bash', ['-s'], { input: script, encoding: 'utf8', cwd: dir });
      expect(run.status, `${attempt}\n${run.stderr}`).toBe(0);
      expect(existsSync(marker), attempt).toBe(false);
    }
  });
});

describe('override checks and diff', () => {
  it('stores Unix line ends (browsers submit textareas with CRLF)', () => {
    expect(TemplateOverrideInput.parse({ text: 'a\r\nb\rc\n' }).text).toBe('a\nb\nc\n');
    expect(TemplatePreviewInput.parse({ serviceId: 's', text: 'x\r\n' }).text).toBe('x\n');
  });

  it('limits the size', () => {
    expect(() => checkOverrideText('x'.repeat(TEMPLATE_MAX_BYTES))).not.toThrow();
    expect(() => checkOverrideText('x'.repeat(TEMPLATE_MAX_BYTES + 1))).toThrow(/at most 64 KiB/);
    expect(() => checkOverrideText('é'.repeat(TEMPLATE_MAX_BYTES / 2 + 1))).toThrow(/bytes/);
  });

  it('writes a unified diff with hunks and line numbers', () => {
    const before = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].join('\n') + '\n';
    const after = ['# header', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'I', 'j'].join('\n') + '\n';
    expect(unifiedDiff(before, before, { from: 'x', to: 'y' })).toBe('');
    expect(unifiedDiff(before, after, { from: 'default', to: 'v1' }, 1)).toBe(
      ['--- default', '+++ v1', '@@ -1,1 +1,2 @@', '+# header', ' a', '@@ -8,3 +9,3 @@', ' h', '-i', '+I', ' j', ''].join('\n'),
    );
  });

  it('diff lines rebuild both texts (random edits)', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: Math.floor(random() * 12) }, () => 'abcd'[Math.floor(random() * 4)]!);
      const b = a.filter(() => random() > 0.3).flatMap((l) => (random() > 0.7 ? [l, 'xyz'[Math.floor(random() * 3)]!] : [l]));
      const lines = diffLines(a.join('\n'), b.join('\n'));
      expect(lines.filter((l) => l.type !== '+').map((l) => l.text)).toEqual(a);
      expect(lines.filter((l) => l.type !== '-').map((l) => l.text)).toEqual(b);
    }
  });
});

describe.skipIf(!requireTool('/usr/sbin/nginx', 'nginx'))('an overridden nginx vhost on the real nginx -t', () => {
  const dir = mkdtempSync(join(tmpdir(), 'consort-tpl-nginx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const config = {
    'website.root_base': join(dir, 'www'),
    'nginx.sites_dir': join(dir, 'sites'),
    'nginx.log_dir': join(dir, 'log'),
    'nginx.nginx': '/usr/sbin/nginx',
    'nginx.http_port': '18080',
    'nginx.ipv6': 'false',
    'nginx.reload': 'true',
  };
  let next = 0;
  /** Each call is the tenant's next version (as saves are): the cached source is keyed by the active versions. */
  async function apply(text: string) {
    next += 1;
    const base = await TEMPLATES.read(SITE_CONF);
    const { source } = tenantTemplateSource(TEMPLATES, 'ten_nginx', [
      version(SITE_CONF, next, text.replace('{{ default }}', base), 'ten_nginx'),
    ]);
    const { script } = await renderUnitOfWork({
      templates: source,
      tenant,
      host: { ...host, config },
      backend: nginx,
      items: [websiteItem()],
    });
    return spawnSync('bash', ['-s'], {
      input: script,
      encoding: 'utf8',
      env: { PATH: `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/sbin:/sbin` },
    });
  }

  it('installs a valid override after nginx -t accepted it, and keeps it when a broken one is rejected', async () => {
    // The override adds a header comment and a response header inside each server block (after server_name).
    const good = await apply('# Managed by the Acme ops team\n{{ default }}');
    expect(good.status, good.stderr).toBe(0);
    const installed = readFileSync(join(dir, 'sites', 'shop.conf'), 'utf8');
    expect(installed.startsWith('# Managed by the Acme ops team\n# Website shop')).toBe(true);

    const headerOverride = (await TEMPLATES.read(SITE_CONF)).replaceAll(
      '    server_name {{ server_names | join: " " }};\n',
      '    server_name {{ server_names | join: " " }};\n    add_header X-Consort-Site {{ site }} always;\n',
    );
    const withHeader = await apply(headerOverride);
    expect(withHeader.status, withHeader.stderr).toBe(0);
    expect(readFileSync(join(dir, 'sites', 'shop.conf'), 'utf8')).toContain('add_header X-Consort-Site shop always;');

    const broken = await apply(headerOverride.replace('add_header', 'add_heder'));
    expect(broken.status).not.toBe(0);
    expect(broken.stderr).toMatch(/unknown directive "add_heder"/);
    expect(readFileSync(join(dir, 'sites', 'shop.conf'), 'utf8')).toContain('add_header X-Consort-Site shop always;');
  });
});
