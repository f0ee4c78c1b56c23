import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import { describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import type { Host } from '@consort/shared/fleet/model';
import { hostConfig, renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import {
  AuthorizedKey,
  parseAuthorizedKey,
  PosixGroupName,
  PosixUsername,
  systemUser,
  SystemUserSpec,
} from '@consort/shared/services/systemuser/index';
import type { Tenant } from '@consort/shared/tenancy/model';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const unix = systemUser.backends[0]!;
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: { dns: { nameservers: ['ns1.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] } },
};

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHV22GVR2EA9yZ7ORgvwRdPa7H0t1lkLDHg37kSkSU4z alice@laptop';
const ECDSA =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHbMXhUWEcWMiTzf/7E6dmOEzNrm6AV0/fjnS16JfDN+xeXk/AAkluiizYaz+pl9of1SrZS5wC/MLz3WXYf6jok= root@vm';
const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC6BXakhrI+gxv1W7ojcVwixlKF3rVAZevyGbnsaxJ7a/L50P19T7pDeEyTq+0HN6n9QuyQUrHMqOFaprg9juim59wZqgrmd1Fhmu+2Rt6t5gqeTQclVpxLtQcR1hUPdQhJLiW0PReKLb/XOSGkNZ4Yfz9vpYy92uGyxFPOsy7FkQ== root@vm';

/** An OpenSSH key blob from its fields (SSH `string`s), base64 — to craft malformed keys. */
function blob(...fields: (string | Uint8Array)[]): string {
  const parts = fields.map((f) => (typeof f === 'string' ? Buffer.from(f) : Buffer.from(f)));
  return Buffer.concat(parts.flatMap((p) => [Buffer.from([0, 0, p.length >> 8, p.length & 0xff]), p])).toString('base64');
}

function host(config: Record<string, string> = {}): Host {
  return {
    id: 'host_1',
    tenantId: 'ten_1',
    name: 'sftp1',
    address: '192.0.2.22',
    port: 22,
    username: 'root',
    transport: 'ssh',
    config,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

function context(spec: unknown, config: Record<string, string> = {}) {
  return unix.context({
    service: { id: 'svc_1', accountId: 'acc_1', name: 'x', spec: SystemUserSpec.parse(spec), state: {} },
    tenant,
    config: hostConfig(unix, host(config)),
  });
}

function messages(schema: { safeParse(v: unknown): { success: boolean; error?: { issues: { message: string }[] } } }, value: unknown) {
  const result = schema.safeParse(value);
  expect(result.success, `expected ${JSON.stringify(value)} to be rejected`).toBe(false);
  return result.error!.issues.map((i) => i.message).join('\n');
}

async function render(spec: unknown, action: 'save' | 'delete' = 'save', config: Record<string, string> = {}) {
  const parsed = SystemUserSpec.parse(spec);
  const item: UnitItem = {
    operationId: 'op_1',
    action,
    service: { id: 'svc_1', accountId: 'acc_1', name: parsed.username, kind: 'systemuser', spec: parsed, backendState: {} },
  };
  return (await renderUnitOfWork({ templates: TEMPLATES, tenant, host: host(config), backend: unix, items: [item] })).script;
}

describe('user and group names', () => {
  it('accepts POSIX names', () => {
    for (const ok of ['alice', 'a', 'web-1', 'shop_admin', `a${'b'.repeat(31)}`]) expect(PosixUsername.parse(ok)).toBe(ok);
    expect(PosixGroupName.parse('sftponly')).toBe('sftponly');
  });

  it.each([
    ['Alice', /lower-case letter/],
    ['1alice', /lower-case letter/],
    ['_apt', /lower-case letter/],
    ['alice$', /lower-case letter/],
    ['al ice', /lower-case letter/],
    ['alice;id', /lower-case letter/],
    ['-alice', /lower-case letter/],
    [`a${'b'.repeat(32)}`, /1–32 characters/],
    ['\u0430lice', /lower-case letter/], // Cyrillic а
    ['', /lower-case letter/],
    ['root', /reserved/],
    ['www-data', /reserved/],
    ['postgres', /reserved/],
    ['grafana', /reserved/],
  ])('refuses the user name %j', (input, message) => {
    expect(messages(PosixUsername, input)).toMatch(message);
  });

  it('refuses groups that grant administrative rights', () => {
    for (const group of ['sudo', 'root', 'docker', 'shadow', 'adm', 'disk', 'nogroup'])
      expect(messages(PosixGroupName, group)).toMatch(/administrative/);
  });
});

describe('SSH keys', () => {
  it('accepts ed25519, ECDSA and RSA ≥ 2048 keys and normalises blanks', () => {
    expect(AuthorizedKey.parse(ED25519)).toBe(ED25519);
    expect(AuthorizedKey.parse(`  ${ECDSA.replace(' ', '\t\t')}  `)).toBe(ECDSA);
    const rsa = ssh2.utils.generateKeyPairSync('rsa', { bits: 2048, comment: 'ops key' }).public.trim();
    expect(AuthorizedKey.parse(rsa)).toBe(rsa);
    expect(AuthorizedKey.parse(ED25519.replace(' alice@laptop', ''))).toBe(ED25519.replace(' alice@laptop', ''));
    expect(AuthorizedKey.parse(`${ED25519}   and   more  `)).toBe(`${ED25519} and more`);
  });

  it.each([
    ['short RSA', RSA_1024, /1024 bits; use at least 2048/],
    ['options', `command="id" ${ED25519}`, /options such as command=/],
    ['from= option', `from="10.0.0.1",no-pty ${ED25519}`, /options/],
    ['DSA', 'ssh-dss AAAAB3NzaC1kc3MAAACBAP comment', /Unsupported key type/],
    ['truncated', ED25519.replace('kSkSU4z', ''), /base64|cut short/],
    ['type mismatch', ED25519.replace('ssh-ed25519', 'ssh-rsa'), /does not hold a ssh-rsa key/],
    ['a type that does not match the data', ECDSA.replace('nistp256', 'nistp384'), /does not hold a ecdsa-sha2-nistp384 key/],
    [
      'a curve that does not match the type',
      `ecdsa-sha2-nistp384 ${blob('ecdsa-sha2-nistp384', 'nistp256', new Uint8Array(65))}`,
      /names the curve nistp256/,
    ],
    ['extra bytes after the key', `ssh-ed25519 ${blob('ssh-ed25519', new Uint8Array(32), 'more')}`, /extra bytes/],
    ['an ed25519 key of the wrong size', `ssh-ed25519 ${blob('ssh-ed25519', new Uint8Array(31))}`, /cut short/],
    ['not base64', 'ssh-ed25519 $(id) x', /base64/],
    ['two keys on two lines', `${ED25519}\n${ECDSA}`, /line breaks/],
    ['CR', `${ED25519}\r`, /line breaks/],
    ['NUL', `${ED25519}\0`, /line breaks/],
    ['bidi override in the comment', `${ED25519} \u202Egnp.exe`, /control characters/],
    ['only a type', 'ssh-ed25519', /whole public key line/],
    ['private key', '-----BEGIN OPENSSH PRIVATE KEY-----', /private key: paste the public key/],
  ])('refuses %s', (_what, line, message) => {
    expect(messages(AuthorizedKey, line)).toMatch(message);
  });

  it('keeps shell syntax in a comment as text (the script quotes it)', () => {
    const parsed = parseAuthorizedKey(`${ED25519.replace(' alice@laptop', '')} $(touch /tmp/x) 'q'`);
    expect(parsed).toMatchObject({ key: expect.stringMatching(/ \$\(touch \/tmp\/x\) 'q'$/) });
  });
});

describe('system user spec', () => {
  it('defaults to an SFTP-only user without groups or keys', () => {
    expect(SystemUserSpec.parse({ username: 'alice' })).toEqual({
      username: 'alice',
      shell: '/usr/sbin/nologin',
      groups: [],
      authorizedKeys: [],
      disabled: false,
    });
  });

  it('allows only the listed shells, and each group and key once', () => {
    expect(messages(SystemUserSpec, { username: 'alice', shell: '/bin/zsh' })).toMatch(/Invalid option/);
    expect(messages(SystemUserSpec, { username: 'alice', shell: '/bin/bash -c id' })).toMatch(/Invalid option/);
    expect(messages(SystemUserSpec, { username: 'alice', groups: ['web', 'web'] })).toMatch(/listed twice/);
    expect(messages(SystemUserSpec, { username: 'alice', authorizedKeys: [ED25519, ED25519.replace('alice@laptop', 'other')] })).toMatch(
      /listed twice/,
    );
  });

  it('names the service by its user name and counts users and keys', () => {
    const spec = SystemUserSpec.parse({ username: 'alice', authorizedKeys: [ED25519, ECDSA] });
    expect(systemUser.identity(spec)).toBe('alice');
    expect(systemUser.metrics.users!(spec)).toBe(1);
    expect(systemUser.metrics.keys!(spec)).toBe(2);
  });
});

describe('unix backend context', () => {
  it('marks the account with the service id and uses nologin while disabled', () => {
    const ctx = context({ username: 'alice', shell: '/bin/bash', disabled: true });
    expect(ctx).toMatchObject({ username: 'alice', marker: 'Consort svc_1', shell: '/usr/sbin/nologin', is_disabled: 'yes' });
    expect(context({ username: 'alice', shell: '/bin/bash' })).toMatchObject({ shell: '/bin/bash', is_disabled: 'no' });
  });

  it('offers only the groups the host lists, and never a privileged one', () => {
    expect(() => context({ username: 'alice', groups: ['web'] })).toThrow(/does not offer the group web/);
    expect(context({ username: 'alice', groups: ['web', 'sftponly'] }, { 'unix.allowed_groups': 'sftponly, web' }).groups).toBe(
      'web,sftponly',
    );
    expect(() => context({ username: 'alice' }, { 'unix.allowed_groups': 'web sudo' })).toThrow(/"sudo", which is not a group/);
  });

  it('refuses host settings that are not what they claim', () => {
    expect(() => context({ username: 'alice' }, { 'unix.home_mode': '0750; id' })).toThrow(/unix\.home_mode/);
    expect(() => context({ username: 'alice' }, { 'unix.remove_home': 'yes' })).toThrow(/unix\.remove_home must be true or false/);
  });
});

describe('unix scripts', () => {
  it('render a save that bash accepts, with the keys as one quoted file', async () => {
    const script = await render({ username: 'alice', authorizedKeys: [ED25519, ECDSA] });
    expect(spawnSync('bash', ['-n'], { input: script }).status).toBe(0);
    expect(script).toContain("username='alice'");
    expect(script).toContain("marker='Consort svc_1'");
    expect(script).toContain(`authorized_keys='# Written by Consort from the panel: keys added here by hand are replaced on the next change.
${ED25519}
${ECDSA}
'`);
    // Keys are written by the user itself (setpriv), never by root into a folder the user controls.
    expect(script).toMatch(/"\$\{setpriv\[@\]\}" --reuid="\$uid" --regid="\$gid" --clear-groups/);
  });

  it('render a delete that keeps the home unless the host says otherwise', async () => {
    const kept = await render({ username: 'alice' }, 'delete');
    expect(spawnSync('bash', ['-n'], { input: kept }).status).toBe(0);
    expect(kept).toContain("remove_home='no'");
    expect(await render({ username: 'alice' }, 'delete', { 'unix.remove_home': 'true' })).toContain("remove_home='yes'");
  });

  it('refuse a prefix or home base with shell syntax before doing anything', async () => {
    for (const [key, value] of [
      ['unix.prefix', '/tmp/$(id)'],
      ['unix.home_base', "/home'; id; '"],
      ['unix.home_base', 'home'],
    ] as const) {
      const script = await render({ username: 'alice' }, 'save', { [key]: value });
      const run = spawnSync('bash', ['-s'], { input: script, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toMatch(new RegExp(`${key.replace('.', '\\.')} must be an absolute path`));
    }
  });
});
