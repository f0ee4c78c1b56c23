import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { createTemplateEngine } from '@consort/shared/provisioning/liquid';
import { hostConfig } from '@consort/shared/provisioning/render';
import {
  DnsRecordInput,
  domain,
  DomainName,
  DomainSpec,
  isIPv6,
  nextSerial,
  normaliseDomainName,
  quoteTxt,
  RecordName,
  recordData,
  type DnsRecord,
} from '@consort/shared/services/domain/index';
import type { Host } from '@consort/shared/fleet/model';
import type { Tenant } from '@consort/shared/tenancy/model';

const TEMPLATES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates');
const bind = domain.backends[0]!;

function tenant(dns: Partial<Tenant['settings']['dns']> = {}): Pick<Tenant, 'id' | 'slug' | 'settings'> {
  return {
    id: 'ten_1',
    slug: 'acme',
    settings: {
      dns: {
        nameservers: ['ns1.acme-dns.net.', 'ns2.acme-dns.net'],
        hostmaster: 'hostmaster@acme-dns.net',
        ttl: 3600,
        defaultRecords: [],
        ...dns,
      },
    },
  };
}

function host(config: Record<string, string> = {}): Host {
  return {
    id: 'host_1',
    tenantId: 'ten_1',
    name: 'ns1',
    address: '192.0.2.53',
    port: 22,
    username: 'root',
    transport: 'ssh',
    config,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

function context(
  spec: unknown,
  options: { state?: Record<string, unknown>; tenant?: ReturnType<typeof tenant>; config?: Record<string, string> } = {},
) {
  return bind.context({
    service: { id: 'svc_1', accountId: 'acc_1', name: 'x', spec: DomainSpec.parse(spec), state: options.state ?? { serial: 2024030501 } },
    tenant: options.tenant ?? tenant(),
    config: hostConfig(bind, host(options.config)),
  });
}

function issues(
  schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string; path: PropertyKey[] }[] } } },
  value: unknown,
) {
  const result = schema.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.error!.issues;
}

describe('domain names', () => {
  it('normalises case, a final dot and international names to punycode', () => {
    // Prepare / Act / Assess in one line each: the schema is a pure function.
    expect(DomainName.parse('Example.ORG.')).toBe('example.org');
    expect(DomainName.parse('  bücher.de ')).toBe('xn--bcher-kva.de');
    expect(DomainName.parse('Exämple.org')).toBe('xn--exmple-cua.org');
    expect(DomainName.parse('例え.テスト')).toBe('xn--r8jz45g.xn--zckzah');
    expect(DomainName.parse('xn--bcher-kva.de')).toBe('xn--bcher-kva.de');
    expect(normaliseDomainName('sub.example.co.uk')).toBe('sub.example.co.uk');
  });

  it.each([
    ['', /Enter a domain name/],
    ['example', /top-level domain/],
    ['exa mple.org', /spaces/],
    ['-example.org', /hyphen/],
    ['example-.org', /hyphen/],
    ['example..org', /empty parts/],
    [`${'a'.repeat(64)}.org`, /63 characters/],
    [`${'abcdefghi.'.repeat(26)}org`, /253 characters/],
    ['example.123', /not a valid top-level domain/],
    ['http://example.org', /letters, digits, hyphens/],
    ['user@example.org', /letters, digits, hyphens/],
    ['exam_ple.org', /letters, digits, hyphens/],
    ['*.example.org', /letters, digits, hyphens/],
    ['ex$(id).org', /letters, digits, hyphens/],
  ])('rejects %j with a clear message', (input, message) => {
    const [issue] = issues(DomainName, input);
    expect(issue!.message).toMatch(message);
  });
});

describe('record names and values', () => {
  it('accepts @, relative names, service labels and a leading wildcard, normalised', () => {
    expect(RecordName.parse('@')).toBe('@');
    expect(RecordName.parse('WWW')).toBe('www');
    expect(RecordName.parse('_dmarc')).toBe('_dmarc');
    expect(RecordName.parse('*.dev')).toBe('*.dev');
    expect(RecordName.parse('café')).toBe('xn--caf-dma');
    for (const bad of ['www.example.org.', 'a..b', 'dev.*', 'a b', '-x', '$(id)', '']) {
      expect(issues(RecordName, bad)[0]!.message).toMatch(/Use @ or a name relative to the domain/);
    }
  });

  it('checks addresses and points at the field', () => {
    expect(issues(DnsRecordInput, { type: 'A', name: 'www', value: '999.1.1.1' })[0]!.path).toEqual(['value']);
    expect(issues(DnsRecordInput, { type: 'A', name: 'www', value: '01.2.3.4' })[0]!.message).toMatch(/IPv4/);
    expect(DnsRecordInput.parse({ type: 'AAAA', name: 'www', value: '2001:DB8::1' })).toMatchObject({ value: '2001:db8::1' });
    for (const ok of ['::1', '::', '1::', '2001:db8:0:0:0:0:0:1', '::ffff:192.0.2.1', 'fe80::1:2']) expect(isIPv6(ok), ok).toBe(true);
    for (const bad of [
      '1:2:3:4:5:6:7:8:9',
      '2001:db8::1::2',
      '12345::',
      ':1::',
      'fe80::1%eth0',
      '1.2.3.4',
      '::ffff:999.0.0.1',
      '1:2:3:4:5:6:7::8',
    ]) {
      expect(isIPv6(bad), bad).toBe(false);
    }
  });

  it('rejects a CNAME at the apex, SRV names without _service._proto, and CAA values that could break quoting', () => {
    expect(issues(DnsRecordInput, { type: 'CNAME', name: '@', value: 'x.example.net.' })[0]!.message).toMatch(/apex/);
    expect(issues(DnsRecordInput, { type: 'SRV', name: 'sip', priority: 1, weight: 1, port: 5060, value: 'sip' })[0]!.message).toMatch(
      /_sip\._tcp/,
    );
    expect(issues(DnsRecordInput, { type: 'CAA', name: '@', tag: 'issue', value: 'ca.example"; evil' })[0]!.message).toMatch(/Quotes/);
    expect(issues(DnsRecordInput, { type: 'CAA', name: '@', tag: 'iodef', value: 'security@example.org' })[0]!.path).toEqual(['value']);
    expect(issues(DnsRecordInput, { type: 'TXT', name: '@', value: 'line one\nline two' })[0]!.message).toMatch(/Line breaks/);
  });

  it('writes MX, SRV, CAA and NS data in zone-file form', () => {
    const parse = (r: unknown) => DnsRecordInput.parse(r) as DnsRecord;
    expect(recordData(parse({ type: 'MX', name: '@', priority: 10, value: 'Mail.Example.org.' }))).toBe('10 mail.example.org.');
    expect(recordData(parse({ type: 'SRV', name: '_sip._tcp', priority: 10, weight: 5, port: 5060, value: 'sip.example.net.' }))).toBe(
      '10 5 5060 sip.example.net.',
    );
    expect(recordData(parse({ type: 'CAA', name: '@', tag: 'issue', value: 'letsencrypt.org; validationmethods=dns-01' }))).toBe(
      '0 issue "letsencrypt.org; validationmethods=dns-01"',
    );
    expect(recordData(parse({ type: 'CAA', name: '@', flags: 128, tag: 'iodef', value: 'mailto:security@example.org' }))).toBe(
      '128 iodef "mailto:security@example.org"',
    );
    expect(recordData(parse({ type: 'NS', name: 'sub', value: 'ns1.example.net.' }))).toBe('ns1.example.net.');
  });
});

describe('TXT quoting', () => {
  it('escapes quotes and backslashes and writes other bytes as \\DDD', () => {
    expect(quoteTxt('v=spf1 mx -all')).toBe('"v=spf1 mx -all"');
    expect(quoteTxt('say "hi" \\ bye')).toBe('"say \\"hi\\" \\\\ bye"');
    expect(quoteTxt('é')).toBe('"\\195\\169"');
    expect(quoteTxt('')).toBe('""');
    expect(quoteTxt('$(rm -rf /) `id`')).toBe('"$(rm -rf /) `id`"');
  });

  it('splits long values into strings of at most 255 bytes', () => {
    const quoted = quoteTxt('a'.repeat(600));
    const chunks = quoted.split(' ');
    expect(chunks.map((c) => c.length - 2)).toEqual([255, 255, 90]);
    // 255 two-byte characters are 510 bytes: two full strings of 255 bytes each.
    expect(quoteTxt('é'.repeat(255)).split(' ')).toHaveLength(2);
  });
});

describe('SOA serial', () => {
  const day = (iso: string) => new Date(iso);

  it('starts at YYYYMMDD00, increments within a day, and resets on a new day', () => {
    expect(nextSerial(undefined, day('2024-03-05T10:00:00Z'))).toBe(2024030500);
    expect(nextSerial(2024030500, day('2024-03-05T23:59:59Z'))).toBe(2024030501);
    expect(nextSerial(2024030507, day('2024-03-05T12:00:00Z'))).toBe(2024030508);
    expect(nextSerial(2024030507, day('2024-03-06T00:00:00Z'))).toBe(2024030600);
  });

  it('never goes backwards, even after 99 changes in a day or a clock behind the zone', () => {
    expect(nextSerial(2024030599, day('2024-03-05T12:00:00Z'))).toBe(2024030600);
    expect(nextSerial(2024030600, day('2024-03-06T08:00:00Z'))).toBe(2024030601);
    expect(nextSerial(2024030600, day('2024-03-01T08:00:00Z'))).toBe(2024030601);
  });

  it('is carried in the service state by the service type', () => {
    const first = domain.nextState!({}, day('2024-03-05T10:00:00Z'));
    const second = domain.nextState!(first, day('2024-03-05T11:00:00Z'));
    expect([first.serial, second.serial]).toEqual([2024030500, 2024030501]);
  });
});

describe('tenant defaults', () => {
  it('fills the TTL and default records only when the spec leaves them out', () => {
    const t = tenant({ ttl: 7200, defaultRecords: [{ type: 'MX', name: '@', priority: 10, value: 'mx.acme-dns.net.' }] });
    const filled = domain.withDefaults!(DomainSpec.parse({ name: 'example.org' }), t);
    expect(filled).toEqual({
      name: 'example.org',
      ttl: 7200,
      records: [{ type: 'MX', name: '@', priority: 10, value: 'mx.acme-dns.net.' }],
    });
    const own = domain.withDefaults!(DomainSpec.parse({ name: 'example.org', ttl: 300, records: [] }), t);
    expect(own).toMatchObject({ ttl: 300, records: [] });
  });

  it('adds the tenant nameservers unless the zone has its own apex NS records', () => {
    const ctx = context({ name: 'example.org', records: [{ type: 'A', name: '@', value: '192.0.2.1' }] });
    expect(ctx.records).toEqual([
      { owner: '@', ttl: '', type: 'NS', data: 'ns1.acme-dns.net.' },
      { owner: '@', ttl: '', type: 'NS', data: 'ns2.acme-dns.net.' },
      { owner: '@', ttl: '', type: 'A', data: '192.0.2.1' },
    ]);
    expect(ctx.primary_ns).toBe('ns1.acme-dns.net.');
    const own = context({ name: 'example.org', records: [{ type: 'NS', name: '@', value: 'ns.elsewhere.net.' }] });
    expect(own.records).toEqual([{ owner: '@', ttl: '', type: 'NS', data: 'ns.elsewhere.net.' }]);
    expect(own.primary_ns).toBe('ns.elsewhere.net.');
  });

  it('writes the hostmaster as an SOA mailbox and refuses settings that are not host names or numbers', () => {
    expect(context({ name: 'example.org' }, { tenant: tenant({ hostmaster: 'dns.admin@acme-dns.net' }) }).hostmaster).toBe(
      'dns\\.admin.acme-dns.net.',
    );
    expect(() => context({ name: 'example.org' }, { tenant: tenant({ nameservers: ['ns1.example.net. ; evil'] }) })).toThrow(
      /not a host name/,
    );
    expect(() => context({ name: 'example.org' }, { config: { 'bind.soa_refresh': '1h' } })).toThrow(/bind.soa_refresh/);
    expect(context({ name: 'example.org' }, { config: { 'bind.soa_refresh': '7200' } }).refresh).toBe(7200);
  });
});

describe('zone file', () => {
  const engine = createTemplateEngine({ templates: new FileTemplateSource(TEMPLATES), mode: 'text' });
  const spec = {
    name: 'Example.org',
    ttl: 3600,
    records: [
      { type: 'A', name: '@', value: '192.0.2.10' },
      { type: 'AAAA', name: 'www', value: '2001:db8::10', ttl: 300 },
      { type: 'CNAME', name: 'ftp', value: 'www' },
      { type: 'MX', name: '@', priority: 10, value: 'mail.example.org.' },
      { type: 'A', name: 'mail', value: '192.0.2.25' },
      { type: 'TXT', name: '@', value: `v=spf1 mx -all "quoted" ${'x'.repeat(300)}` },
      { type: 'SRV', name: '_sip._tcp', priority: 10, weight: 5, port: 5060, value: 'mail' },
      { type: 'CAA', name: '@', tag: 'issue', value: 'letsencrypt.org' },
      { type: 'NS', name: 'lab', value: 'ns.lab.example.net.' },
    ],
  };

  it('has $ORIGIN, $TTL, the SOA with the serial and timers, the tenant NS and every record', async () => {
    const zone: string = await engine.renderFile('provisioning/domain/bind/zone.db.liquid', context(spec));
    const lines = zone.split('\n').map((l) => l.replace(/\s+/g, ' ').trim());
    expect(lines).toContain('$ORIGIN example.org.');
    expect(lines).toContain('$TTL 3600');
    expect(lines).toContain('@ IN SOA ns1.acme-dns.net. hostmaster.acme-dns.net. (');
    expect(lines).toContain('2024030501 ; serial (YYYYMMDDnn)');
    expect(lines).toContain('10800 ; refresh');
    expect(lines).toContain('1209600 ; expire');
    expect(lines).toContain('@ IN NS ns2.acme-dns.net.');
    expect(lines).toContain('www 300 IN AAAA 2001:db8::10');
    expect(lines).toContain('ftp IN CNAME www');
    expect(lines).toContain('@ IN MX 10 mail.example.org.');
    expect(lines).toContain(`@ IN TXT "v=spf1 mx -all \\"quoted\\" ${'x'.repeat(231)}" "${'x'.repeat(69)}"`);
    expect(lines).toContain('_sip._tcp IN SRV 10 5 5060 mail');
    expect(lines).toContain('@ IN CAA 0 issue "letsencrypt.org"');
    expect(lines).toContain('lab IN NS ns.lab.example.net.');
  });

  it('passes named-checkzone when it is installed', async (ctx) => {
    let checker = '';
    try {
      checker = execFileSync('sh', ['-c', 'command -v named-checkzone'], { encoding: 'utf8' }).trim();
    } catch {
      ctx.skip();
    }
    const dir = mkdtempSync(join(tmpdir(), 'consort-zone-'));
    const file = join(dir, 'example.org.db');
    writeFileSync(file, await engine.renderFile('provisioning/domain/bind/zone.db.liquid', context(spec)));
    try {
      expect(execFileSync(checker, ['example.org', file], { encoding: 'utf8' })).toMatch(/loaded serial 2024030501\nOK/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a value that would start a new line in the file, even if a schema let it through', async () => {
    const ctx = { ...context(spec), records: [{ owner: '@', ttl: '', type: 'TXT', data: '"ok"\n@ IN NS evil.example.' }] };
    await expect(engine.renderFile('provisioning/domain/bind/zone.db.liquid', ctx)).rejects.toThrow(/line break/);
  });
});
