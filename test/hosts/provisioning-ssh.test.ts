import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../support/api-client';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// The whole slice over a real OpenSSH server: a domain created through the API is rendered, sent over SSH
// (ssh2, the tenant's own key pair) and checked by named-checkzone on the host; the host key is pinned on
// first use; a failing script and an unreachable host show up as failed operations that retry to success.

const ready = requireTool(SSHD, 'openssh-server') && requireTool('named-checkzone', 'bind9-utils');

describe.skipIf(!ready)('provisioning over SSH', () => {
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountId: string;
  let hostId: string;
  let zonesDir: string;

  async function settled(serviceId: string) {
    await stack.idle();
    return (await owner.get(`/v1/services/${serviceId}`)).body;
  }

  beforeAll(async () => {
    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'Ssh');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    zonesDir = join(sshd.dir, 'bind', 'zones');
    mkdirSync(zonesDir, { recursive: true });
    accountId = (await owner.post('/v1/accounts', { name: 'SSH Customer', email: 'ssh@example.org', country: 'ES' })).body.id;
    const host = await owner.post('/v1/hosts', {
      name: 'ns1',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: {
        'bind.zones_dir': zonesDir,
        'bind.conf_file': join(sshd.dir, 'bind', 'named.conf.consort'),
        'bind.checkzone': 'named-checkzone',
        'bind.reload': 'true',
      },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    hostId = host.body.id;
    expect((await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
  });

  it('the local transport is refused where the platform does not allow it', async () => {
    const res = await owner.post('/v1/hosts', { name: 'sneaky', address: '127.0.0.1', transport: 'local' });
    expect(res.status).toBe(422);
  });

  it('provisions a valid zone over SSH and pins the host key', async () => {
    const created = await owner.post('/v1/services', {
      accountId,
      kind: 'domain',
      spec: {
        name: 'ssh-zone.test',
        records: [
          { type: 'A', name: '@', value: '192.0.2.53' },
          { type: 'AAAA', name: 'www', value: '2001:db8::53' },
          { type: 'MX', name: '@', priority: 10, value: 'mx.ssh-zone.test.' },
          { type: 'A', name: 'mx', value: '192.0.2.25' },
          { type: 'TXT', name: '_dmarc', value: 'v=DMARC1; p=reject; rua=mailto:dmarc@ssh-zone.test' },
          { type: 'SRV', name: '_sip._tcp', priority: 10, weight: 5, port: 5060, value: 'sip.example.net.' },
          { type: 'CAA', name: '@', flags: 0, tag: 'issue', value: 'letsencrypt.org' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const service = await settled(created.body.service.id);
    const op = (await owner.get(`/v1/operations/${service.lastOperationId}`)).body;
    expect(service.state, JSON.stringify(op.logs)).toBe('applied');
    const zoneFile = join(zonesDir, 'ssh-zone.test.db');
    expect(existsSync(zoneFile)).toBe(true);
    // Check the zone independently of the script, with BIND's own checker.
    const check = execFileSync('named-checkzone', ['ssh-zone.test', zoneFile], { encoding: 'utf8' });
    expect(check).toMatch(/OK/);
    expect(readFileSync(zoneFile, 'utf8')).toContain('2001:db8::53');
    const host = (await owner.get(`/v1/hosts/${hostId}`)).body;
    expect(host.hostKeyFingerprint).toBe(sshd.fingerprint);
  });

  it('shows a zone the checker rejects as failed with its stderr, keeps the old zone, and retries', async () => {
    const created = await owner.post('/v1/services', {
      accountId,
      kind: 'domain',
      spec: { name: 'conflict.test', records: [{ type: 'A', name: 'www', value: '192.0.2.1' }] },
    });
    expect((await settled(created.body.service.id)).state).toBe('applied');
    // A CNAME next to other data at the same name passes our schema but not named-checkzone.
    const bad = await owner.patch(`/v1/services/${created.body.service.id}`, {
      spec: {
        name: 'conflict.test',
        records: [
          { type: 'A', name: 'www', value: '192.0.2.1' },
          { type: 'CNAME', name: 'www', value: 'elsewhere.example.net.' },
        ],
      },
    });
    expect(bad.status).toBe(200);
    const failed = await settled(created.body.service.id);
    expect(failed.state).toBe('failed');
    const op = (await owner.get(`/v1/operations/${failed.lastOperationId}`)).body;
    expect(op.logs.at(-1).exitCode).not.toBe(0);
    expect(op.logs.at(-1).stderr).toMatch(/CNAME/i);
    expect(readFileSync(join(zonesDir, 'conflict.test.db'), 'utf8')).not.toContain('elsewhere');
  });

  it('retries an operation that failed because the host was unreachable', async () => {
    await owner.patch(`/v1/hosts/${hostId}`, { port: 1, hostKeyFingerprint: sshd.fingerprint });
    const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'unreachable.test' } });
    const failed = await settled(created.body.service.id);
    expect(failed.state).toBe('failed');
    const op = (await owner.get(`/v1/operations/${failed.lastOperationId}`)).body;
    expect(op.error).toMatch(/Transient|connect|refused/i);
    await owner.patch(`/v1/hosts/${hostId}`, { port: sshd.port, hostKeyFingerprint: sshd.fingerprint });
    expect((await owner.post(`/v1/operations/${op.id}/retry`)).status).toBe(202);
    expect((await settled(created.body.service.id)).state).toBe('applied');
  });

  it('refuses a host whose key changed (never retried into success)', async () => {
    await owner.patch(`/v1/hosts/${hostId}`, { hostKeyFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'mitm.test' } });
    const failed = await settled(created.body.service.id);
    expect(failed.state).toBe('failed');
    const op = (await owner.get(`/v1/operations/${failed.lastOperationId}`)).body;
    expect(op.error).toMatch(/host_key_mismatch/);
    expect(existsSync(join(zonesDir, 'mitm.test.db'))).toBe(false);
    await owner.patch(`/v1/hosts/${hostId}`, { hostKeyFingerprint: sshd.fingerprint });
  });

  it('replaces the tenant key: the host refuses the new key until its public half is installed', async () => {
    const support = await owner.post('/v1/api-keys', { name: 'support', role: 'support' });
    expect((await apiClient(stack.apiUrl, support.body.secret).post('/v1/tenant/provisioning-key/rotate')).status).toBe(403);
    const before = (await owner.get('/v1/tenant')).body.provisioningPublicKey as string;
    const rotated = await owner.post('/v1/tenant/provisioning-key/rotate');
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(200);
    const after = rotated.body.provisioningPublicKey as string;
    expect(after).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5\S+ consort-/);
    expect(after).not.toBe(before);
    expect((await owner.get('/v1/tenant')).body.provisioningPublicKey).toBe(after);

    // The host still trusts only the old key: the change fails and nothing is written there.
    const created = await owner.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'rotated.test' } });
    const failed = await settled(created.body.service.id);
    expect(failed.state).toBe('failed');
    expect(existsSync(join(zonesDir, 'rotated.test.db'))).toBe(false);
    // Installed on the host, the new key applies the retried change.
    writeFileSync(join(sshd.dir, 'authorized_keys'), `${after}\n`, { mode: 0o600 });
    expect((await owner.post(`/v1/operations/${failed.lastOperationId}/retry`)).status).toBe(202);
    expect((await settled(created.body.service.id)).state).toBe('applied');
    expect(existsSync(join(zonesDir, 'rotated.test.db'))).toBe(true);
  });
});
