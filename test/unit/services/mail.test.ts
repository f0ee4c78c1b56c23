import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { ValidationError } from '@consort/shared/core/errors';
import { parseInput } from '@consort/shared/core/validate';
import type { Host } from '@consort/shared/fleet/model';
import { hostConfig, renderUnitOfWork } from '@consort/shared/provisioning/render';
import {
  autoresponse,
  AutoresponseSpec,
  dovecotPasswordHash,
  mailAddress,
  MailAddressSpec,
  mailbox,
  MailboxSpec,
  sha512Crypt,
  verifyDovecotPassword,
} from '@consort/shared/services/mail/index';
import { createTemplateEngine } from '@consort/shared/provisioning/liquid';
import type { Tenant } from '@consort/shared/tenancy/model';
import { requireTool } from '../../setup/require-tool';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: { dns: { nameservers: ['ns1.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] } },
};
const host = (config: Record<string, string> = {}): Host => ({
  id: 'host_1',
  tenantId: 'ten_1',
  name: 'mail1',
  address: '192.0.2.25',
  port: 22,
  username: 'root',
  transport: 'ssh',
  config,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
});

const issues = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof ValidationError) return (error.details as { path: string[] }[]).map((d) => d.path.join('.'));
    throw error;
  }
  return [];
};

describe('SHA512-CRYPT', () => {
  it('matches the reference vectors of the SHA-crypt specification (Drepper)', () => {
    expect(sha512Crypt('Hello world!', 'saltstring')).toBe(
      '$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1',
    );
    expect(sha512Crypt('Hello world!', 'saltstringsaltst', 10000)).toBe(
      '$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.',
    );
    expect(sha512Crypt('the minimum number is still observed', 'roundstoolow', 1000)).toBe(
      '$6$rounds=1000$roundstoolow$kUMsbe306n21p9R.FRkW3IGn.S9NPN0x50YhH1xhLsPuWGsUSklZt58jaTfF4ZEQpyUNGc0dqbpBYYBaHHrsX.',
    );
  });

  it('salts every hash anew and verifies only the right password', () => {
    const a = dovecotPasswordHash('correct horse battery');
    const b = dovecotPasswordHash('correct horse battery');
    expect(a).toMatch(/^\{SHA512-CRYPT\}\$6\$[./0-9A-Za-z]{16}\$[./0-9A-Za-z]{86}$/);
    expect(a).not.toBe(b);
    expect(verifyDovecotPassword('correct horse battery', a)).toBe(true);
    expect(verifyDovecotPassword('correct horse batterY', a)).toBe(false);
  });

  const doveadm = requireTool('doveadm', 'dovecot-core');
  it.skipIf(!doveadm)('is accepted by Dovecot itself: doveadm pw -t verifies the hash (and refuses a wrong password)', () => {
    for (const password of ['correct horse battery', 'pässwörd with ünïcode ✓', 'it\'s $(id) `x` \\ "q"']) {
      const hash = dovecotPasswordHash(password);
      const ok = spawnSync('doveadm', ['pw', '-t', hash, '-p', password], { encoding: 'utf8' });
      expect(ok.status, ok.stderr).toBe(0);
      expect(ok.stdout).toMatch(/verified/);
      const wrong = spawnSync('doveadm', ['pw', '-t', hash, '-p', `${password}x`], { encoding: 'utf8' });
      expect(wrong.status).not.toBe(0);
    }
  });
});

describe('mailbox spec', () => {
  it('stores only the hash: a new password is hashed, and the stored spec parses back to itself', () => {
    const spec = parseInput(MailboxSpec, { name: 'Alice', domain: 'EXAMPLE.org', password: 'correct horse battery' });
    expect(spec).toEqual({ name: 'alice', domain: 'example.org', quotaMb: 1024, disabled: false, passwordHash: expect.any(String) });
    expect(JSON.stringify(spec)).not.toContain('correct horse');
    expect(verifyDovecotPassword('correct horse battery', spec.passwordHash)).toBe(true);
    expect(parseInput(MailboxSpec, spec)).toEqual(spec);
    // A new password replaces the stored hash.
    const changed = parseInput(MailboxSpec, { ...spec, password: 'another long secret' });
    expect(verifyDovecotPassword('another long secret', changed.passwordHash)).toBe(true);
    expect(mailbox.identity(spec)).toBe('alice@example.org');
    expect(mailbox.metrics.disk!(parseInput(MailboxSpec, { ...spec, quotaMb: 512 }))).toBe(0.5);
  });

  it('refuses a mailbox without a password, short passwords, foreign hashes and odd local parts (422 paths)', () => {
    expect(issues(() => parseInput(MailboxSpec, { name: 'alice', domain: 'example.org' }, ['spec']))).toEqual(['spec.password']);
    expect(issues(() => parseInput(MailboxSpec, { name: 'alice', domain: 'example.org', password: 'short' }, ['spec']))).toEqual([
      'spec.password',
    ]);
    expect(
      issues(() => parseInput(MailboxSpec, { name: 'alice', domain: 'example.org', passwordHash: '{PLAIN}secret' }, ['spec'])),
    ).toEqual(['spec.passwordHash']);
    for (const name of ['a+b', '.alice', 'alice.', 'al..ice', 'al ice', 'alice:x', '\u0430lice', 'a'.repeat(65), '']) {
      expect(issues(() => parseInput(MailboxSpec, { name, domain: 'example.org', password: 'long enough pw' }, ['spec']))).toEqual([
        'spec.name',
      ]);
    }
  });

  it('needs a domain of the account: the mail domain itself or a parent', () => {
    const spec = parseInput(MailboxSpec, { name: 'a', domain: 'mail.shop.example.org', password: 'long enough pw' });
    expect(mailbox.references!(spec)).toEqual([
      expect.objectContaining({ kind: 'domain', anyOf: ['mail.shop.example.org', 'shop.example.org', 'example.org'], path: ['domain'] }),
    ]);
  });
});

describe('mail address spec', () => {
  it('names a catch-all @domain, normalises destinations and refers to the mailboxes it delivers to', () => {
    const spec = parseInput(MailAddressSpec, {
      domain: 'example.org',
      mailboxes: ['Alice@Example.org'],
      forwards: ['Bob+List@Example.NET'],
    });
    expect(spec).toMatchObject({ name: '', mailboxes: ['alice@example.org'], forwards: ['bob+list@example.net'], disabled: false });
    expect(mailAddress.identity(spec)).toBe('@example.org');
    expect(mailAddress.references!(spec).map((r) => [r.kind, r.anyOf, r.path])).toEqual([
      ['domain', ['example.org'], ['domain']],
      ['mailbox', ['alice@example.org'], ['mailboxes', 0]],
    ]);
  });

  it('refuses an address without destinations, duplicates, loops and crafted forwards', () => {
    expect(issues(() => parseInput(MailAddressSpec, { name: 'info', domain: 'example.org' }, ['spec']))).toEqual(['spec.mailboxes']);
    expect(
      issues(() => parseInput(MailAddressSpec, { name: 'info', domain: 'example.org', forwards: ['a@b.org', 'A@b.org'] }, ['spec'])),
    ).toEqual(['spec.forwards.1']);
    expect(
      issues(() => parseInput(MailAddressSpec, { name: 'info', domain: 'example.org', forwards: ['info@example.org'] }, ['spec'])),
    ).toEqual(['spec.forwards']);
    for (const forward of ['a b@x.org', 'a,b@x.org', '"a"@x.org', 'a@x.org, c@y.org', '|/bin/sh@x.org', 'a@x', 'a@@x.org', 'a:b@x.org']) {
      expect(issues(() => parseInput(MailAddressSpec, { name: 'info', domain: 'example.org', forwards: [forward] }, ['spec']))).toEqual([
        'spec.forwards.0',
      ]);
    }
  });
});

describe('vacation reply (Sieve)', () => {
  let dir: string;
  const sievec = requireTool('sievec', 'dovecot-sieve');
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'consort-sieve-'));
    writeFileSync(join(dir, 'dovecot.conf'), `base_dir = ${dir}/run\nstate_dir = ${dir}/state\nlog_path = ${dir}/log\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function sieveOf(input: Record<string, unknown>) {
    const spec = parseInput(AutoresponseSpec, input);
    const backend = autoresponse.backends[0]!;
    const context = backend.context({
      service: { id: 'svc_1', accountId: 'acc_1', name: spec.mailbox, spec, state: {} },
      tenant,
      config: hostConfig(backend, host()),
    });
    const engine = createTemplateEngine({ templates: TEMPLATES, mode: 'text' });
    return { spec, text: String(await engine.renderFile(`${backend.templates}/vacation.sieve.liquid`, context)) };
  }

  it('refuses control characters in the subject, an empty body and an end before the start', () => {
    const base = { mailbox: 'alice@example.org', subject: 'Away', body: 'Back soon' };
    expect(issues(() => parseInput(AutoresponseSpec, { ...base, subject: 'Away\nBcc: x@y.org' }, ['spec']))).toEqual(['spec.subject']);
    expect(issues(() => parseInput(AutoresponseSpec, { ...base, body: ' \n ' }, ['spec']))).toEqual(['spec.body']);
    expect(issues(() => parseInput(AutoresponseSpec, { ...base, from: '2026-08-02', until: '2026-08-01' }, ['spec']))).toEqual([
      'spec.until',
    ]);
    expect(issues(() => parseInput(AutoresponseSpec, { ...base, from: '2026-02-30' }, ['spec']))).toEqual(['spec.from']);
  });

  it.skipIf(!sievec)('compiles with sievec, and crafted text stays text: the program is the one vacation action', async () => {
    const { text } = await sieveOf({
      mailbox: 'alice@example.org',
      subject: 'Away "quoted" \\ "; discard; "',
      body: 'Hello,\n.\n..two dots\n.\r\n;\n}\ndiscard;\nredirect "x@evil.example";\ntext:\nBye',
      from: '2026-08-01',
      until: '2026-08-31',
      days: 3,
    });
    const script = join(dir, 'alice.sieve');
    writeFileSync(script, text);
    const compiled = spawnSync('sievec', ['-c', join(dir, 'dovecot.conf'), script, join(dir, 'alice.svbin')], { encoding: 'utf8' });
    expect(compiled.status, compiled.stderr + text).toBe(0);
    const dump = spawnSync('sieve-dump', ['-c', join(dir, 'dovecot.conf'), join(dir, 'alice.svbin')], { encoding: 'utf8' });
    expect(dump.status, dump.stderr).toBe(0);
    // The main program: two date tests, then exactly one VACATION; no DISCARD or REDIRECT from the crafted text.
    const ops = [...dump.stdout.matchAll(/^[0-9a-f]{8}: +(?:\d+: )?([A-Z][A-Z_]+)\b/gm)].map((m) => m[1]);
    expect(ops.filter((op) => !['DEBUG', 'EXTENSIONS', 'JMPFALSE', 'JMPTRUE', 'JMP'].includes(op!))).toEqual([
      'CURRENTDATE',
      'CURRENTDATE',
      'VACATION',
    ]);
    expect(dump.stdout).toContain('"Away \\"quoted\\" \\\\ \\"; discard; \\""'.replace(/\\(["\\])/g, '$1'));
    expect(dump.stdout).toMatch(/seconds: NUM 259200/); // :days 3
  });

  it('renders an always-on reply without date tests', async () => {
    const { text } = await sieveOf({ mailbox: 'alice@example.org', subject: 'Away', body: 'Back soon' });
    expect(text).toContain('if true {');
    expect(text).toContain(':addresses ["alice@example.org"] :subject "Away" text:\nBack soon\n.\n;');
  });
});

describe('rendered units', () => {
  it('writes the passwd-file line Dovecot reads: hash, ids, home and quota; disabled adds noauthenticate/nologin', async () => {
    const spec = parseInput(MailboxSpec, { name: 'alice', domain: 'example.org', password: 'correct horse battery', quotaMb: 2048 });
    const backend = mailbox.backends.find((b) => b.name === 'dovecot')!;
    const context = (s: typeof spec) =>
      backend.context({
        service: { id: 'svc_1', accountId: 'acc_1', name: 'alice@example.org', spec: s, state: {} },
        tenant,
        config: hostConfig(backend, host({ 'mail.vmail_root': '/srv/vmail/', 'mail.uid': '2000', 'mail.gid': '2001' })),
      });
    expect(context(spec).passwd_line).toBe(
      `alice@example.org:${spec.passwordHash}:2000:2001::/srv/vmail/example.org/alice::userdb_quota_rule=*:storage=2048M`,
    );
    expect(context({ ...spec, disabled: true }).passwd_line).toMatch(/storage=2048M noauthenticate nologin reason=disabled$/);
    const { script } = await renderUnitOfWork({
      templates: TEMPLATES,
      tenant,
      host: host(),
      backend,
      items: [
        {
          operationId: 'op_1',
          action: 'save',
          service: { id: 'svc_1', accountId: 'acc_1', name: 'alice@example.org', kind: 'mailbox', spec, backendState: {} },
        },
      ],
    });
    expect(script).toContain(`passwd_file='/etc/dovecot/consort/users'`);
    expect(script).toContain(`consort_command reload 'doveadm auth cache flush'`);
  });

  it('refuses host settings that are not plain paths or ids', () => {
    const spec = parseInput(MailboxSpec, { name: 'alice', domain: 'example.org', password: 'correct horse battery' });
    const dovecot = mailbox.backends.find((b) => b.name === 'dovecot')!;
    const postfix = mailbox.backends.find((b) => b.name === 'postfix')!;
    const run = (backend: typeof dovecot, config: Record<string, string>) => () =>
      backend.context({
        service: { id: 'svc_1', accountId: 'acc_1', name: 'alice@example.org', spec, state: {} },
        tenant,
        config: hostConfig(backend, host(config)),
      });
    expect(run(dovecot, { 'mail.uid': '0' })).toThrow(/mail.uid must be a numeric id above 0/);
    expect(run(dovecot, { 'dovecot.passwd_file': 'users; id' })).toThrow(/dovecot.passwd_file must be an absolute path/);
    expect(run(postfix, { 'postfix.map_type': 'pcre' })).toThrow(/postfix.map_type must be one of hash, lmdb, cdb, btree/);
  });
});
