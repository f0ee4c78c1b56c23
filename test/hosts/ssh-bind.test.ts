import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateProvisioningKeyPair } from '@consort/shared/adapters/ssh/keys';
import { SshTransport } from '@consort/shared/adapters/ssh/ssh-transport';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { DomainError, TransientError } from '@consort/shared/core/errors';
import type { Host } from '@consort/shared/fleet/model';
import { renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import { domain, DomainSpec } from '@consort/shared/services/domain/index';
import type { Tenant } from '@consort/shared/tenancy/model';
import { SSHD, startSshd, type TestSshd } from '../support/sshd';

// The BIND backend over a real OpenSSH server: scripts rendered from the real templates, sent by SshTransport
// (ssh2, the tenant's key, script on stdin to `bash -s`) and checked by named-checkzone on the "host".

function findCheckzone(): string | undefined {
  for (const path of ['/usr/bin/named-checkzone', '/usr/sbin/named-checkzone']) if (existsSync(path)) return path;
  try {
    return execFileSync('sh', ['-c', 'command -v named-checkzone'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

const CHECKZONE = findCheckzone();
const missing = [
  existsSync(SSHD) ? '' : `${SSHD} (apt-get install openssh-server)`,
  CHECKZONE ? '' : 'named-checkzone (apt-get install bind9-utils)',
].filter(Boolean);
const IS_CI = process.env.CI === 'true';
if (missing.length && !IS_CI) console.warn(`Skipping test/hosts/ssh-bind.test.ts: missing ${missing.join(' and ')}`);

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../templates'));
const bind = domain.backends[0]!;
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_ssh',
  slug: 'ssh',
  settings: {
    dns: {
      nameservers: ['ns1.consort-test.net.', 'ns2.consort-test.net.'],
      hostmaster: 'hostmaster@consort-test.net',
      ttl: 3600,
      defaultRecords: [],
    },
  },
};

async function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

// In CI a missing tool is a failure, not a skip: the suite runs and its setup says what to install.
describe.skipIf(missing.length > 0 && !IS_CI)('BIND over SSH (real sshd)', { timeout: 30_000 }, () => {
  const keys = generateProvisioningKeyPair('consort ssh-bind test');
  const transport = new SshTransport({ readyTimeoutMs: 5_000 });
  let sshd: TestSshd;
  let host: Host;
  let zonesDir: string;
  let confFile: string;

  function item(spec: unknown, action: 'save' | 'delete' = 'save', serial = 2024030501): UnitItem {
    const parsed = DomainSpec.parse(spec);
    return {
      operationId: `op_${parsed.name}`,
      action,
      service: { id: `svc_${parsed.name}`, accountId: 'acc_1', name: parsed.name, kind: 'domain', spec: parsed, backendState: { serial } },
    };
  }

  async function run(items: UnitItem[], target: Partial<Host> = {}) {
    const { script } = await renderUnitOfWork({ templates: TEMPLATES, tenant, host, backend: bind, items });
    return transport.run({ ...host, ...target }, script, { privateKey: keys.privateKey, timeoutMs: 20_000 });
  }

  beforeAll(async () => {
    if (missing.length) throw new Error(`This suite needs ${missing.join(' and ')}`);
    sshd = await startSshd([keys.publicKey]);
    zonesDir = join(sshd.dir, 'bind', 'zones');
    confFile = join(sshd.dir, 'bind', 'named.conf.consort');
    host = {
      id: 'host_ssh',
      tenantId: tenant.id,
      name: 'ns-test',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: { 'bind.zones_dir': zonesDir, 'bind.conf_file': confFile, 'bind.checkzone': CHECKZONE!, 'bind.reload': 'true' },
      createdAt: '2024-01-01T00:00:00.000Z',
      updatedAt: '2024-01-01T00:00:00.000Z',
    };
  });

  afterAll(async () => {
    await sshd?.stop();
  });

  it('installs a zone that named-checkzone accepts, reports the host key, and lists the zone once after two runs', async () => {
    const spec = {
      name: 'ssh-bind.test',
      records: [
        { type: 'A', name: '@', value: '192.0.2.53' },
        { type: 'AAAA', name: 'www', value: '2001:db8::53' },
        { type: 'MX', name: '@', priority: 10, value: 'mx' },
        { type: 'A', name: 'mx', value: '192.0.2.25' },
        { type: 'TXT', name: '_dmarc', value: "v=DMARC1; p=reject; $(touch /tmp/consort-pwned) 'q'" },
        { type: 'SRV', name: '_sip._tcp', priority: 10, weight: 5, port: 5060, value: 'mx' },
        { type: 'CAA', name: '@', tag: 'issue', value: 'letsencrypt.org' },
      ],
    };
    const first = await run([item(spec)]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.hostKeyFingerprint).toBe(sshd.fingerprint);
    expect(first.stdout).toContain('>>> save domain ssh-bind.test (operation op_ssh-bind.test)');
    expect(first.durationMs).toBeGreaterThanOrEqual(0);

    const second = await run([item(spec, 'save', 2024030502)], { hostKeyFingerprint: first.hostKeyFingerprint });
    expect(second.exitCode, second.stderr).toBe(0);

    const zoneFile = join(zonesDir, 'ssh-bind.test.db');
    expect(execFileSync(CHECKZONE!, ['ssh-bind.test', zoneFile], { encoding: 'utf8' })).toMatch(/loaded serial 2024030502\nOK/);
    expect(
      readFileSync(confFile, 'utf8').match(/zone "ssh-bind\.test" \{ type primary; file "[^"]+\/ssh-bind\.test\.db"; \};/g),
    ).toHaveLength(1);
    expect(existsSync('/tmp/consort-pwned')).toBe(false);
  });

  it('fails with the checker message on stderr for a zone the schema allows but BIND refuses, keeping the old zone', async () => {
    const good = await run([item({ name: 'conflict.test', records: [{ type: 'A', name: 'www', value: '192.0.2.1' }] })]);
    expect(good.exitCode, good.stderr).toBe(0);
    // A CNAME next to other data at the same name: valid record by record, invalid as a zone.
    const bad = await run([
      item({
        name: 'conflict.test',
        records: [
          { type: 'A', name: 'www', value: '192.0.2.1' },
          { type: 'CNAME', name: 'www', value: 'elsewhere.example.net.' },
        ],
      }),
    ]);
    expect(bad.exitCode).not.toBe(0);
    expect(bad.stderr).toMatch(/CNAME and other data/);
    expect(bad.stderr).toMatch(/rejected the zone conflict\.test/);
    expect(readFileSync(join(zonesDir, 'conflict.test.db'), 'utf8')).not.toContain('elsewhere');
  });

  it('deletes a zone and its stanza', async () => {
    expect((await run([item({ name: 'short-lived.test' })])).exitCode).toBe(0);
    expect(readFileSync(confFile, 'utf8')).toContain('"short-lived.test"');
    const deleted = await run([item({ name: 'short-lived.test' }, 'delete')]);
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(existsSync(join(zonesDir, 'short-lived.test.db'))).toBe(false);
    expect(readFileSync(confFile, 'utf8')).not.toContain('short-lived.test');
    expect(readFileSync(confFile, 'utf8')).toContain('"ssh-bind.test"');
  });

  it('refuses a host whose key differs from the pinned one, before running anything', async () => {
    const error = await run([item({ name: 'mitm.test' })], {
      hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).not.toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ code: 'host_key_mismatch', details: { seen: sshd.fingerprint } });
    expect(existsSync(join(zonesDir, 'mitm.test.db'))).toBe(false);
  });

  it('reports an unreachable host as transient and a refused key as host_auth_failed', async () => {
    await expect(run([item({ name: 'unreachable.test' })], { port: await closedPort() })).rejects.toBeInstanceOf(TransientError);
    const stranger = generateProvisioningKeyPair('not authorized');
    const error = await transport.run(host, 'true', { privateKey: stranger.privateKey, timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'host_auth_failed', message: expect.stringMatching(/authorized_keys/) });
    expect(error).not.toBeInstanceOf(TransientError);
  });

  it('returns output and exit codes as results, and stops a script that runs past its timeout', async () => {
    const result = await transport.run(host, 'echo out; echo err >&2; exit 3\n', { privateKey: keys.privateKey, timeoutMs: 10_000 });
    expect(result).toMatchObject({ stdout: 'out\n', stderr: 'err\n', exitCode: 3 });
    const slow = await transport.run(host, 'echo started; sleep 30\n', { privateKey: keys.privateKey, timeoutMs: 6_000 });
    expect(slow.exitCode).toBeNull();
    expect(slow.stdout).toBe('started\n');
    expect(slow.stderr).toMatch(/stopped after/);
  });
});
