import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import type { Host } from '@consort/shared/fleet/model';
import type { TemplateSource } from '@consort/shared/ports/transport';
import { createTemplateEngine } from '@consort/shared/provisioning/liquid';
import { hostConfig, renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import { shellQuote } from '@consort/shared/provisioning/shell';
import type { BackendDefinition } from '@consort/shared/services/define-service-type';
import { domain, DomainSpec } from '@consort/shared/services/domain/index';
import type { Tenant } from '@consort/shared/tenancy/model';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const bind = domain.backends[0]!;
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: {
    dns: { nameservers: ['ns1.acme-dns.net.', 'ns2.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] },
  },
};

/** Templates held in memory, for engine behaviour that the real templates do not exercise. */
function memoryTemplates(files: Record<string, string>): TemplateSource {
  return {
    read: async (path) => {
      const text = files[path];
      if (text === undefined) throw new Error(`no template ${path}`);
      return text;
    },
  };
}

function makeHost(config: Record<string, string>): Host {
  return {
    id: 'host_1',
    tenantId: 'ten_1',
    name: 'ns1',
    address: '127.0.0.1',
    port: 22,
    username: 'root',
    transport: 'local',
    config,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

function item(spec: unknown, action: 'save' | 'delete' = 'save', operationId = 'op_1', serial = 2024030501): UnitItem {
  const parsed = DomainSpec.parse(spec);
  return {
    operationId,
    action,
    service: { id: `svc_${parsed.name}`, accountId: 'acc_1', name: parsed.name, kind: 'domain', spec: parsed, backendState: { serial } },
  };
}

function bash(script: string, cwd: string) {
  const result = spawnSync('bash', ['-s'], {
    input: script,
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cwd },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let dir: string;
let marker: string;
let config: Record<string, string>;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'consort-render-'));
  marker = join(dir, 'PWNED');
  config = {
    'bind.zones_dir': join(dir, 'zones'),
    'bind.conf_file': join(dir, 'etc', 'named.conf.consort'),
    'bind.checkzone': 'true',
    'bind.reload': 'true',
  };
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function renderDomains(items: UnitItem[], overrides: Record<string, string> = {}) {
  return (await renderUnitOfWork({ templates: TEMPLATES, tenant, host: makeHost({ ...config, ...overrides }), backend: bind, items }))
    .script;
}

describe('shellQuote', () => {
  it("wraps in single quotes and writes a quote as '\\''", () => {
    expect(shellQuote('plain')).toBe("'plain'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
    expect(shellQuote(42)).toBe("'42'");
  });

  it('refuses values that are not text or numbers, and NUL bytes', () => {
    expect(() => shellQuote(undefined)).toThrow(/undefined/);
    expect(() => shellQuote(null)).toThrow(/null/);
    expect(() => shellQuote({ a: 1 })).toThrow(/object/);
    expect(() => shellQuote(['a'])).toThrow(/array/);
    expect(() => shellQuote(Number.NaN)).toThrow(/NaN/);
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });

  it('round-trips hostile strings through a real shell unchanged', () => {
    const hostile = ['$(touch pwned)', '`touch pwned`', "'; touch pwned; '", '"$HOME"', 'a\nb\r\n', '\\', '*', '-n', '$((1+1))', '!!'];
    for (const value of hostile) {
      const out = spawnSync('bash', ['-c', `printf '%s' ${shellQuote(value)}`], { encoding: 'utf8', cwd: dir });
      expect(out.stdout).toBe(value);
    }
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('renderUnitOfWork (BIND)', () => {
  it('writes a bash script with strict options, one marked section per operation and one commit', async () => {
    const script = await renderDomains([item({ name: 'one.test' }, 'save', 'op_A'), item({ name: 'two.test' }, 'delete', 'op_B')]);
    expect(script.split('\n').slice(0, 1)).toEqual(['#!/bin/bash']);
    expect(script).toContain('\nset -euo pipefail\numask 022\n');
    expect(script).toContain("echo '>>> save domain one.test (operation op_A)'");
    expect(script).toContain("echo '<<< save domain one.test (operation op_A): done'");
    expect(script).toContain("echo '>>> delete domain two.test (operation op_B)'");
    expect(script.match(/>>> commit bind/g)).toHaveLength(1);
    expect(script.indexOf('>>> commit bind')).toBeGreaterThan(script.indexOf('>>> delete domain two.test'));
  });

  it('applies host config over the backend defaults, for this backend only', () => {
    const merged = hostConfig(bind, makeHost({ 'bind.zones_dir': '/srv/zones', 'bind.extra': 'x', 'apache.root': '/var/www' }));
    expect(merged['bind.zones_dir']).toBe('/srv/zones');
    expect(merged['bind.conf_file']).toBe('/etc/bind/named.conf.consort');
    expect(merged['bind.extra']).toBe('x');
    expect(merged).not.toHaveProperty('apache.root');
  });

  it('installs the zone and its stanza, idempotently, and reloads once', async () => {
    const script = await renderDomains(
      [
        item({ name: 'example.test', records: [{ type: 'A', name: '@', value: '192.0.2.1' }] }),
        item({ name: 'other.test' }, 'save', 'op_2'),
      ],
      { 'bind.reload': `touch ${join(dir, 'reloaded')}` },
    );
    for (let run = 0; run < 2; run++) {
      const result = bash(script, dir);
      expect(result.status, result.stderr).toBe(0);
    }
    expect(readFileSync(join(dir, 'zones', 'example.test.db'), 'utf8')).toContain('192.0.2.1');
    const conf = readFileSync(config['bind.conf_file']!, 'utf8');
    expect(conf.match(/zone "example\.test"/g)).toHaveLength(1);
    expect(conf).toContain(`zone "other.test" { type primary; file "${join(dir, 'zones', 'other.test.db')}"; };`);
    expect(existsSync(join(dir, 'reloaded'))).toBe(true);
    // No temporary files are left behind.
    expect(readdirSync(join(dir, 'zones')).sort()).toEqual(['example.test.db', 'other.test.db']);
  });

  it('keeps the installed zone and reports on stderr when the checker rejects the new one', async () => {
    expect(
      bash(await renderDomains([item({ name: 'keep.test', records: [{ type: 'A', name: '@', value: '192.0.2.1' }] })]), dir).status,
    ).toBe(0);
    const rejected = bash(
      await renderDomains([item({ name: 'keep.test', records: [{ type: 'A', name: '@', value: '192.0.2.2' }] })], {
        'bind.checkzone': 'false',
      }),
      dir,
    );
    expect(rejected.status).not.toBe(0);
    expect(rejected.stderr).toMatch(/false rejected the zone keep\.test/);
    expect(readFileSync(join(dir, 'zones', 'keep.test.db'), 'utf8')).toContain('192.0.2.1');
    expect(rejected.stdout).not.toContain('>>> commit');
  });

  it('creates missing folders for zones and the configuration', async () => {
    const result = bash(await renderDomains([item({ name: 'fresh.test' })], { 'bind.zones_dir': join(dir, 'a', 'b', 'zones') }), dir);
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(dir, 'a', 'b', 'zones', 'fresh.test.db'))).toBe(true);
  });

  it('deletes the zone file and its stanza, and deleting again succeeds', async () => {
    expect(bash(await renderDomains([item({ name: 'gone.test' }), item({ name: 'stay.test' }, 'save', 'op_2')]), dir).status).toBe(0);
    const del = await renderDomains([item({ name: 'gone.test' }, 'delete')]);
    for (let run = 0; run < 2; run++) expect(bash(del, dir).status).toBe(0);
    expect(existsSync(join(dir, 'zones', 'gone.test.db'))).toBe(false);
    const conf = readFileSync(config['bind.conf_file']!, 'utf8');
    expect(conf).not.toContain('gone.test');
    expect(conf).toContain('zone "stay.test"');
  });
});

describe('injection', () => {
  const hostile = (m: string) => [`$(touch ${m})`, `\`touch ${m}\``, `'; touch ${m}; '`, `"; touch ${m}; "`, `\\'; touch ${m} #`];

  it('keeps hostile TXT values literal all the way into the zone file', async () => {
    const values = hostile(marker);
    const script = await renderDomains([item({ name: 'evil.test', records: values.map((value) => ({ type: 'TXT', name: '@', value })) })]);
    const result = bash(script, dir);
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    const zone = readFileSync(join(dir, 'zones', 'evil.test.db'), 'utf8');
    expect(zone).toContain(`"$(touch ${marker})"`);
    expect(zone).toContain(`"\`touch ${marker}\`"`);
    expect(zone).toContain(`"\\"; touch ${marker}; \\""`);
  });

  it('never runs host config as shell code: commands are split into words, paths must be plain', async () => {
    const spec = { name: 'cfg.test' };
    // A command value is split on blanks and run without any expansion: `true` gets literal arguments.
    const split = bash(
      await renderDomains([item(spec)], {
        'bind.checkzone': `true $(touch ${marker}) \`touch ${marker}\``,
        'bind.reload': `echo $(touch ${marker}); touch ${marker}`,
      }),
      dir,
    );
    expect(split.status, split.stderr).toBe(0);
    expect(split.stdout).toContain(`$(touch ${marker}); touch ${marker}`);
    // Line breaks in a command, and paths with shell syntax, are refused before anything is written.
    const newline = bash(await renderDomains([item(spec)], { 'bind.reload': `true\ntouch ${marker}` }), dir);
    expect(newline.status).not.toBe(0);
    expect(newline.stderr).toMatch(/line break/);
    for (const path of [`${dir}/$(touch ${marker})`, `${dir}/x'; touch ${marker}; '`, `${dir}/a\ntouch ${marker}`, 'relative/zones']) {
      const bad = bash(await renderDomains([item({ name: 'path.test' })], { 'bind.zones_dir': path }), dir);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toMatch(/bind\.zones_dir must be an absolute path/);
    }
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(join(dir, 'zones', 'path.test.db'))).toBe(false);
  });

  it('quotes values with newlines in any shell template, and re-validates stored specs', async () => {
    const templates = memoryTemplates({ 'toy/save.sh.liquid': 'printf "%s" {{ value }} > out.txt\n', 'toy/commit.sh.liquid': 'true\n' });
    const toy: BackendDefinition<{ value: string }> = {
      name: 'toy',
      label: 'Toy',
      templates: 'toy',
      config: {},
      context: ({ service }) => ({ value: service.spec.value }),
    };
    const value = `line 1\n$(touch ${marker})\n\`touch ${marker}\`'"\nend`;
    const { script } = await renderUnitOfWork({
      templates,
      tenant,
      host: makeHost({}),
      backend: toy,
      items: [
        {
          operationId: 'op_1',
          action: 'save',
          service: { id: 's', accountId: 'a', name: 'toy', kind: 'toy', spec: { value }, backendState: {} },
        },
      ],
    });
    expect(bash(script, dir).status).toBe(0);
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe(value);
    expect(existsSync(marker)).toBe(false);

    // A domain spec stored with a TXT line break (bypassing the API) is refused at render time.
    const tampered = item({ name: 'tampered.test' });
    tampered.service.spec = { name: 'tampered.test', records: [{ type: 'TXT', name: '@', value: 'a\n@ IN NS evil.' }] };
    await expect(renderDomains([tampered])).rejects.toMatchObject({ code: 'validation_failed' });
  });
});

describe('template engine sandbox', () => {
  const templates = memoryTemplates({
    'unknown.sh.liquid': 'echo {{ nope }}\n',
    'raw.sh.liquid': 'echo {{ value | raw }}\n',
    'filter.sh.liquid': 'echo {{ value | no_such_filter }}\n',
    'proto.sh.liquid': 'echo {{ value.constructor }}\n',
    'echo.sh.liquid': '{% echo value %} {% cycle value, value %} {{ value | upcase }} {{ list | join: "," }}\n',
    'partial.sh.liquid': "{% render 'part.sh.liquid', value: value %}\n",
    'part.sh.liquid': 'echo {{ value }}',
    'dynamic.sh.liquid': '{% render name %}\n',
    'zone.txt.liquid': '{{ value }}\n',
  });
  const shell = createTemplateEngine({ templates, mode: 'shell' });
  const text = createTemplateEngine({ templates, mode: 'text' });
  const value = "a'b";

  it('fails on an unknown variable or filter instead of printing nothing', async () => {
    await expect(shell.renderFile('unknown.sh.liquid', { value })).rejects.toThrow(/undefined variable: nope/);
    await expect(shell.renderFile('filter.sh.liquid', { value })).rejects.toThrow(/undefined filter: no_such_filter/);
    await expect(shell.renderFile('proto.sh.liquid', { value })).rejects.toThrow(/undefined variable/);
  });

  it('has no raw escape hatch', async () => {
    await expect(shell.renderFile('raw.sh.liquid', { value })).rejects.toThrow(/raw filter is disabled/);
    await expect(text.renderFile('raw.sh.liquid', { value })).rejects.toThrow(/raw filter is disabled/);
  });

  it('quotes echo, cycle and filtered outputs too', async () => {
    expect(await shell.renderFile('echo.sh.liquid', { value, list: ['x', "y'"] })).toBe("'a'\\''b' 'a'\\''b' 'A'\\''B' 'x,y'\\'''\n");
    await expect(shell.renderFile('echo.sh.liquid', { value: { a: 1 }, list: [] })).rejects.toThrow(/Cannot shell-quote/);
  });

  it('reads partials through the TemplateSource by literal name only', async () => {
    expect(await shell.renderFile('partial.sh.liquid', { value })).toBe("echo 'a'\\''b'\n");
    await expect(shell.renderFile('dynamic.sh.liquid', { name: 'part.sh.liquid' })).rejects.toThrow(/Failed to lookup "name"/);
  });

  it('prints file values as they are, single-line only', async () => {
    expect(await text.renderFile('zone.txt.liquid', { value: '"quoted" $(x)' })).toBe('"quoted" $(x)\n');
    await expect(text.renderFile('zone.txt.liquid', { value: 'a\nb' })).rejects.toThrow(/line break/);
  });

  it('turns a template error into a render_failed error naming the template', async () => {
    const toy: BackendDefinition<Record<string, never>> = { name: 'toy', label: 'Toy', templates: 'toy', config: {}, context: () => ({}) };
    const broken = memoryTemplates({ 'toy/save.sh.liquid': 'echo {{ missing }}\n', 'toy/commit.sh.liquid': 'true\n' });
    const items: UnitItem[] = [
      { operationId: 'op', action: 'save', service: { id: 's', accountId: 'a', name: 'n', kind: 'toy', spec: {}, backendState: {} } },
    ];
    await expect(renderUnitOfWork({ templates: broken, tenant, host: makeHost({}), backend: toy, items })).rejects.toMatchObject({
      code: 'render_failed',
      message: expect.stringMatching(/toy\/save\.sh\.liquid.*undefined variable: missing/),
    });
  });
});
