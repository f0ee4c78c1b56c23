import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// System users through the API, applied over a real OpenSSH server by the unix backend, and checked on the "host":
// the passwd/group/shadow files (with shadow-utils' own pwck/grpck), the home, and authorized_keys (ssh-keygen).
// The host is sandboxed: `unix.prefix` points useradd/usermod/userdel at a scratch root this test creates
// (`--prefix`: <root>/etc/passwd, homes under <root>/home), so no account of this machine is touched. Creating
// users, even in a scratch root, takes root.

const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT && process.env.CI === 'true')
  throw new Error('test/hosts/systemuser.test.ts needs root (useradd --prefix, chown); run .ci/run as root');
if (!IS_ROOT) console.warn('Skipping test/hosts/systemuser.test.ts: creating users in a scratch root needs root.');
const ready =
  requireTool(SSHD, 'openssh-server') &&
  requireTool('/usr/sbin/useradd', 'passwd') &&
  requireTool('setpriv', 'util-linux') &&
  requireTool('/usr/sbin/pwck', 'passwd') &&
  IS_ROOT;

const key = (comment: string) => ssh2.utils.generateKeyPairSync('ed25519', { comment }).public.trim();

describe.skipIf(!ready)('system users over SSH (sandboxed unix host)', () => {
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountId: string;
  let hostId: string;
  let root: string;
  const laptop = key('alice@laptop');
  const phone = key('alice@phone');

  const file = (path: string) => readFileSync(join(root, path), 'utf8');
  const passwdLine = (name: string) =>
    file('etc/passwd')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
  const shadowLine = (name: string) =>
    file('etc/shadow')
      .split('\n')
      .find((l) => l.startsWith(`${name}:`));
  const groupMembers = (group: string) =>
    (
      file('etc/group')
        .split('\n')
        .find((l) => l.startsWith(`${group}:`))
        ?.split(':')[3] ?? ''
    )
      .split(',')
      .filter(Boolean);

  const settled = (serviceId: string) => settledService(stack, owner, serviceId);

  /** The checkers shadow-utils ships: consistent passwd/shadow and group/gshadow, existing homes, known members. */
  function checkFiles() {
    for (const [tool, args] of [
      // -R chroots into the scratch root, so members and homes are looked up there, not on this machine.
      ['/usr/sbin/pwck', ['-R', root, '-r', '-q']],
      ['/usr/sbin/grpck', ['-R', root, '-r']],
    ] as const) {
      const result = spawnSync(tool, args, { encoding: 'utf8' });
      expect(result.status, `${tool}: ${result.stdout}${result.stderr}`).toBe(0);
    }
  }

  beforeAll(async () => {
    // The scratch root: a minimal /etc for shadow-utils, with ids far from this machine's own.
    root = mkdtempSync(join(tmpdir(), 'consort-unix-'));
    chmodSync(root, 0o755); // users reach their homes through it (keys are written as the user)
    mkdirSync(join(root, 'etc'));
    mkdirSync(join(root, 'home'));
    writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/bash\nbob:x:42500:42500:Bob, not from Consort:/home/bob:/bin/sh\n');
    writeFileSync(join(root, 'etc/group'), 'root:x:0:\nbob:x:42500:\n');
    writeFileSync(join(root, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nbob:*:19000:0:99999:7:::\n', { mode: 0o600 });
    writeFileSync(join(root, 'etc/gshadow'), 'root:*::\nbob:!::\n', { mode: 0o600 });
    writeFileSync(join(root, 'etc/login.defs'), 'USERGROUPS_ENAB yes\nUID_MIN 42000\nUID_MAX 42999\nGID_MIN 42000\nGID_MAX 42999\n');

    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'Unix');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountId = (await owner.post('/v1/accounts', { name: 'Unix Customer', email: 'unix@example.org', country: 'ES' })).body.id;
    const host = await owner.post('/v1/hosts', {
      name: 'sftp1',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: { 'unix.prefix': root, 'unix.home_base': '/home', 'unix.allowed_groups': 'sftponly' },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    hostId = host.body.id;
    expect((await owner.post('/v1/routes', { kind: 'systemuser', backend: 'unix', hostId })).status).toBe(201);
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  let aliceId: string;

  it('creates the user with its shell, home, group and keys', async () => {
    const created = await owner.post('/v1/services', {
      accountId,
      kind: 'systemuser',
      spec: { username: 'alice', shell: '/bin/bash', groups: ['sftponly'], authorizedKeys: [laptop, phone] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    aliceId = created.body.service.id;
    const { service, op } = await settled(aliceId);
    expect(service.state, JSON.stringify(op.logs)).toBe('applied');

    const [, , uid, gid, gecos, home, shell] = passwdLine('alice')!.split(':');
    expect({ gecos, home, shell }).toEqual({ gecos: `Consort ${aliceId}`, home: '/home/alice', shell: '/bin/bash' });
    expect(groupMembers('sftponly')).toEqual(['alice']);
    expect(shadowLine('alice')!.split(':')[1]).toBe('*'); // no password login, not locked
    checkFiles();

    const homeDir = join(root, 'home/alice');
    expect(statSync(homeDir)).toMatchObject({ uid: Number(uid), gid: Number(gid) });
    expect(statSync(homeDir).mode & 0o777).toBe(0o750);
    expect(statSync(join(homeDir, '.ssh')).mode & 0o777).toBe(0o700);
    const keysFile = join(homeDir, '.ssh/authorized_keys');
    expect(statSync(keysFile)).toMatchObject({ uid: Number(uid), gid: Number(gid) });
    expect(statSync(keysFile).mode & 0o777).toBe(0o600);
    const keys = readFileSync(keysFile, 'utf8');
    expect(keys.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([laptop, phone]);
    // OpenSSH reads the file as two keys.
    const fingerprints = execFileSync('ssh-keygen', ['-l', '-f', keysFile], { encoding: 'utf8' }).trim().split('\n');
    expect(fingerprints.map((l) => l.split(' ').slice(2).join(' '))).toEqual(['alice@laptop (ED25519)', 'alice@phone (ED25519)']);
  });

  it('is idempotent: saving the same spec again leaves every file as it was', async () => {
    const snapshot = () => ({
      passwd: file('etc/passwd'),
      group: file('etc/group'),
      shadow: file('etc/shadow'),
      keys: file('home/alice/.ssh/authorized_keys'),
      home: statSync(join(root, 'home/alice')).mode,
    });
    const before = snapshot();
    const spec = (await owner.get(`/v1/services/${aliceId}`)).body.spec;
    expect((await owner.patch(`/v1/services/${aliceId}`, { spec })).status).toBe(200);
    const { service, op } = await settled(aliceId);
    expect(service.state, JSON.stringify(op.logs)).toBe('applied');
    expect(snapshot()).toEqual(before);
  });

  it('changes shell, groups and keys in place (same uid)', async () => {
    const uid = passwdLine('alice')!.split(':')[2];
    await owner.patch(`/v1/services/${aliceId}`, {
      spec: { username: 'alice', shell: '/usr/sbin/nologin', groups: [], authorizedKeys: [phone] },
    });
    const { service, op } = await settled(aliceId);
    expect(service.state, JSON.stringify(op.logs)).toBe('applied');
    expect(passwdLine('alice')!.split(':')).toEqual([
      'alice',
      'x',
      uid,
      expect.any(String),
      `Consort ${aliceId}`,
      '/home/alice',
      '/usr/sbin/nologin',
    ]);
    expect(groupMembers('sftponly')).toEqual([]);
    expect(file('home/alice/.ssh/authorized_keys')).toContain(phone);
    expect(file('home/alice/.ssh/authorized_keys')).not.toContain(laptop);
    checkFiles();
  });

  it('disables (locked, expired, nologin) and enables again', async () => {
    const spec = { username: 'alice', shell: '/bin/bash', authorizedKeys: [phone] };
    await owner.patch(`/v1/services/${aliceId}`, { spec: { ...spec, disabled: true } });
    expect((await settled(aliceId)).service.state).toBe('applied');
    const locked = shadowLine('alice')!.split(':');
    expect(locked[1]).toBe('!*');
    expect(locked[7]).toBe('1'); // account expired on 1970-01-02: sshd and PAM refuse even keys
    expect(passwdLine('alice')!.split(':')[6]).toBe('/usr/sbin/nologin');

    await owner.patch(`/v1/services/${aliceId}`, { spec });
    expect((await settled(aliceId)).service.state).toBe('applied');
    const unlocked = shadowLine('alice')!.split(':');
    expect([unlocked[1], unlocked[7]]).toEqual(['*', '']);
    expect(passwdLine('alice')!.split(':')[6]).toBe('/bin/bash');
    checkFiles();
  });

  it('refuses invalid input with 422 before anything runs', async () => {
    for (const spec of [
      { username: 'root' },
      { username: 'a.com; rm -rf /' },
      { username: '$(id)' },
      { username: 'alice2', shell: '/bin/zsh' },
      { username: 'alice2', groups: ['sudo'] },
      { username: 'alice2', authorizedKeys: [`command="id" ${phone}`] },
    ]) {
      const res = await owner.post('/v1/services', { accountId, kind: 'systemuser', spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
    }
    expect(passwdLine('alice2')).toBeUndefined();
  });

  it('fails, touching nothing, for a group the host does not offer', async () => {
    const created = await owner.post('/v1/services', { accountId, kind: 'systemuser', spec: { username: 'carol', groups: ['web'] } });
    expect(created.status).toBe(201);
    const { service, op } = await settled(created.body.service.id);
    expect(service.state).toBe('failed');
    expect(op.error).toMatch(/does not offer the group web/);
    expect(passwdLine('carol')).toBeUndefined();
  });

  it('never takes over an account it did not create', async () => {
    const before = passwdLine('bob');
    const created = await owner.post('/v1/services', { accountId, kind: 'systemuser', spec: { username: 'bob', shell: '/bin/bash' } });
    const { service, op } = await settled(created.body.service.id);
    expect(service.state).toBe('failed');
    expect(op.logs.at(-1).stderr).toMatch(/a user named bob already exists on this host and is not managed by this service/);
    expect(passwdLine('bob')).toBe(before);
  });

  it('writes keys as the user: a ~/.ssh symlink cannot make root write elsewhere', async () => {
    const ssh = join(root, 'home/alice/.ssh');
    const etcBefore = readdirSync(join(root, 'etc')).sort();
    rmSync(ssh, { recursive: true });
    symlinkSync(join(root, 'etc'), ssh); // root-owned: the user cannot write there, so neither can the script
    await owner.patch(`/v1/services/${aliceId}`, { spec: { username: 'alice', shell: '/bin/bash', authorizedKeys: [laptop] } });
    const { service, op } = await settled(aliceId);
    expect(service.state).toBe('failed');
    expect(op.logs.at(-1).stderr).toMatch(/could not write the SSH keys of alice/);
    expect(readdirSync(join(root, 'etc')).sort()).toEqual(etcBefore);
    expect(lstatSync(ssh).isSymbolicLink()).toBe(true);
    rmSync(ssh);
    expect((await owner.post(`/v1/operations/${op.id}/retry`)).status).toBe(202);
    expect((await settled(aliceId)).service.state).toBe('applied');
    expect(file('home/alice/.ssh/authorized_keys')).toContain(laptop);
  });

  it('deletes the user and keeps its home (unix.remove_home=false)', async () => {
    expect((await owner.delete(`/v1/services/${aliceId}`)).status).toBe(202);
    const { service, op } = await settled(aliceId);
    expect(service.state, JSON.stringify(op.logs)).toBe('deleted');
    expect(passwdLine('alice')).toBeUndefined();
    expect(shadowLine('alice')).toBeUndefined();
    expect(existsSync(join(root, 'home/alice/.ssh/authorized_keys'))).toBe(true);
    checkFiles();
  });
});
