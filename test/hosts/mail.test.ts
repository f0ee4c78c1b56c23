import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Mailboxes, mail addresses and vacation replies through the API, applied over a real OpenSSH server to two
// sandboxed mail hosts — "mx" (Postfix backends) and "imap" (Dovecot backends) — and checked with the daemons' own
// tools: `postmap -q` on the tables a scratch main.cf names, `postfix -c <scratch> check`, `doveconf -n` on a scratch
// dovecot.conf, `doveadm auth test` against a Dovecot started on that configuration (no listeners, base_dir in
// the scratch folder), and `sievec`/`sieve-test` on the vacation script. Nothing is written to /etc/postfix,
// /etc/dovecot or /var/spool/postfix; `postfix check` and starting Dovecot need root.

const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT && process.env.CI === 'true')
  throw new Error('test/hosts/mail.test.ts needs root (postfix check, dovecot); run .ci/run as root');
if (!IS_ROOT) console.warn('Skipping test/hosts/mail.test.ts: postfix check and a sandboxed Dovecot need root.');
const ready =
  requireTool(SSHD, 'openssh-server') &&
  requireTool('postmap', 'postfix') &&
  requireTool('doveconf', 'dovecot-core') &&
  requireTool('sievec', 'dovecot-sieve') &&
  requireTool('flock', 'util-linux') &&
  IS_ROOT;

const DOMAIN = 'example-a.test';
const ALICE = `alice@${DOMAIN}`;
const BOB = `bob@${DOMAIN}`;

describe.skipIf(!ready)('mail over SSH (sandboxed Postfix and Dovecot hosts)', () => {
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountA: string;
  let accountB: string;
  let dir: string;
  let dovecot: ChildProcess | undefined;
  const ids: Record<string, string> = {};

  const path = (...parts: string[]) => join(dir, ...parts);
  const postfixConf = () => path('postfix');
  const dovecotConf = () => path('dovecot', 'dovecot.conf');
  const reloads = (daemon: 'postfix' | 'dovecot') =>
    existsSync(path(`${daemon}.reloads`))
      ? readFileSync(path(`${daemon}.reloads`), 'utf8')
          .trim()
          .split('\n').length
      : 0;

  /**
   * Run a host tool without blocking the event loop: the API server runs in this process, and a blocked loop lets
   * its keep-alive timer and the client's next request race (ECONNRESET).
   */
  function run(command: string, args: string[], input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', reject);
      child.on('close', (status) => resolve({ status, stdout, stderr }));
      if (input !== undefined) {
        child.stdin!.on('error', reject); // EPIPE: the tool exited without reading its input
        child.stdin!.end(input);
      }
    });
  }

  /** `postmap -q key` on the table main.cf names for `parameter` (so the test also proves main.cf points at it). */
  async function lookup(parameter: string, key: string): Promise<string | undefined> {
    const table = (await run('postconf', ['-c', postfixConf(), '-h', parameter])).stdout.trim();
    expect(table).toMatch(/^hash:\//);
    const result = await run('postmap', ['-c', postfixConf(), '-q', key, table]);
    if (result.status === 1) return undefined; // not found
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  }

  async function authTest(user: string, password: string): Promise<boolean> {
    const result = await run('doveadm', ['-c', dovecotConf(), 'auth', 'test', user, password]);
    expect([0, 77], result.stderr).toContain(result.status);
    return result.status === 0;
  }

  /** The daemons' own verdicts on the whole configuration. */
  async function checkConfigs() {
    const check = await run('postfix', ['-c', postfixConf(), 'check']);
    expect(check.status, check.stderr).toBe(0);
    const conf = await run('doveconf', ['-c', dovecotConf(), '-n']);
    expect(conf.status, conf.stderr).toBe(0);
    expect(conf.stdout).toContain(`args = scheme=SHA512-CRYPT username_format=%u ${path('dovecot', 'users')}`);
  }

  const settled = (serviceId: string) => settledService(stack, owner, serviceId);

  async function create(key: string, accountId: string, kind: string, spec: unknown) {
    const res = await owner.post('/v1/services', { accountId, kind, spec });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids[key] = res.body.service.id;
    const { service, op } = await settled(ids[key]!);
    expect(service.state, JSON.stringify(op.logs ?? op.error)).toBe('applied');
    return service;
  }

  async function change(key: string, spec: unknown, expected = 'applied') {
    const res = await owner.patch(`/v1/services/${ids[key]}`, { spec });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { service, op } = await settled(ids[key]!);
    expect(service.state, JSON.stringify(op.logs)).toBe(expected);
    return { service, op };
  }

  async function remove(key: string) {
    expect((await owner.delete(`/v1/services/${ids[key]}`)).status).toBe(202);
    const { service, op } = await settled(ids[key]!);
    expect(service.state, JSON.stringify(op.logs)).toBe('deleted');
  }

  /** Every file the backends write, as text. */
  function snapshot() {
    const files = [
      'maps/mailboxes',
      'maps/addresses',
      'maps/virtual_mailbox_domains',
      'maps/virtual_mailbox_maps',
      'maps/virtual_alias_maps',
      'dovecot/users',
      `sieve/${DOMAIN}/alice.sieve`,
    ];
    return Object.fromEntries(files.map((f) => [f, existsSync(path(f)) ? readFileSync(path(f), 'utf8') : undefined]));
  }

  const isoDay = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'consort-mail-'));
    chmodSync(dir, 0o755); // Dovecot's auth process (user dovecot) reads the passwd-file below it
    for (const d of ['postfix', 'maps', 'queue', 'data', 'vmail', 'dovecot/run', 'dovecot/state', 'sieve', 'zones']) {
      mkdirSync(path(d), { recursive: true });
    }
    // Postfix: Debian's main.cf template and master.cf in a scratch config directory, paths moved into the sandbox
    // with postconf, and the three virtual tables the mail backends generate.
    copyFileSync('/usr/share/postfix/main.cf.debian', path('postfix', 'main.cf'));
    copyFileSync('/etc/postfix/master.cf', path('postfix', 'master.cf'));
    const settings = {
      queue_directory: path('queue'),
      data_directory: path('data'),
      compatibility_level: '3.6',
      myhostname: 'mx.consort.test',
      mydestination: '',
      virtual_mailbox_domains: `hash:${path('maps', 'virtual_mailbox_domains')}`,
      virtual_mailbox_maps: `hash:${path('maps', 'virtual_mailbox_maps')}`,
      virtual_alias_maps: `hash:${path('maps', 'virtual_alias_maps')}`,
      virtual_mailbox_base: path('vmail'),
      virtual_transport: 'lmtp:unix:private/dovecot-lmtp',
    };
    const postconf = await run('postconf', ['-c', postfixConf(), '-e', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`)]);
    expect(postconf.status, postconf.stderr).toBe(0);

    // Dovecot: users from the generated passwd-file, vacation scripts run before the user's own (sieve_before).
    writeFileSync(
      dovecotConf(),
      [
        `base_dir = ${path('dovecot', 'run')}`,
        `state_dir = ${path('dovecot', 'state')}`,
        `log_path = ${path('dovecot', 'dovecot.log')}`,
        'protocols = none', // no listeners: auth (for doveadm auth test) and config only
        'ssl = no',
        'first_valid_uid = 1000',
        'mail_location = maildir:~/Maildir',
        'mail_plugins = quota',
        // Only for sieve-test, which drops root privileges to the mail user.
        'mail_uid = nobody',
        'mail_gid = nogroup',
        'passdb {',
        '  driver = passwd-file',
        `  args = scheme=SHA512-CRYPT username_format=%u ${path('dovecot', 'users')}`,
        '}',
        'userdb {',
        '  driver = passwd-file',
        `  args = username_format=%u ${path('dovecot', 'users')}`,
        '}',
        'plugin {',
        '  quota = maildir:User quota',
        `  sieve_before = ${path('sieve')}/%d/%n.sieve`,
        '}',
        '',
      ].join('\n'),
    );
    dovecot = spawn('dovecot', ['-F', '-c', dovecotConf()], { stdio: ['ignore', 'ignore', 'pipe'] });
    // Reload commands record that they ran (one line per unit of work); Dovecot's flushes its real auth cache.
    writeFileSync(path('postfix-reload.sh'), `#!/bin/sh\necho reload >> '${path('postfix.reloads')}'\n`, { mode: 0o755 });
    writeFileSync(
      path('dovecot-reload.sh'),
      `#!/bin/sh\necho reload >> '${path('dovecot.reloads')}'\nexec doveadm -c '${dovecotConf()}' auth cache flush\n`,
      { mode: 0o755 },
    );
    for (let i = 0; i < 50 && !existsSync(path('dovecot', 'run', 'auth-client')); i++) await new Promise((r) => setTimeout(r, 100));

    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'Mail');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountA = (await owner.post('/v1/accounts', { name: 'Mail Customer', email: 'a@example.org', country: 'ES' })).body.id;
    accountB = (await owner.post('/v1/accounts', { name: 'Someone Else', email: 'b@example.org', country: 'ES' })).body.id;
    const mx = await owner.post('/v1/hosts', {
      name: 'mx',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: {
        'postfix.maps_dir': path('maps'),
        'postfix.postmap': `postmap -c ${postfixConf()}`,
        'postfix.reload': path('postfix-reload.sh'),
        'bind.zones_dir': path('zones'),
        'bind.conf_file': path('named.conf.consort'),
        'bind.checkzone': 'true',
        'bind.reload': 'true',
      },
    });
    expect(mx.status, JSON.stringify(mx.body)).toBe(201);
    const imap = await owner.post('/v1/hosts', {
      name: 'imap',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: {
        'dovecot.passwd_file': path('dovecot', 'users'),
        'dovecot.sieve_dir': path('sieve'),
        'dovecot.sievec': `sievec -c ${dovecotConf()}`,
        'dovecot.reload': path('dovecot-reload.sh'),
        'mail.vmail_root': path('vmail'),
      },
    });
    expect(imap.status, JSON.stringify(imap.body)).toBe(201);
    for (const [kind, backend, host] of [
      ['domain', 'bind', mx],
      ['mailbox', 'postfix', mx],
      ['mailbox', 'dovecot', imap],
      ['mailaddress', 'postfix', mx],
      ['autoresponse', 'dovecot', imap],
    ] as const) {
      const route = await owner.post('/v1/routes', { kind, backend, hostId: host.body.id });
      expect(route.status, JSON.stringify(route.body)).toBe(201);
    }
    await create('domainA', accountA, 'domain', { name: DOMAIN });
    await create('domainB', accountB, 'domain', { name: 'example-b.test' });
    await create('carol', accountB, 'mailbox', { name: 'carol', domain: 'example-b.test', password: 'carol password 1' });
  });

  afterAll(async () => {
    if (dovecot && dovecot.exitCode === null) {
      const exited = new Promise((r) => dovecot!.once('exit', r));
      dovecot.kill('SIGTERM');
      await exited;
    }
    await stack?.stop();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses with 422 mail on another account’s domain or mailbox, and crafted values', async () => {
    const cases: [string, unknown, string][] = [
      ['mailbox', { name: 'x', domain: 'example-b.test', password: 'long enough pw' }, 'spec.domain'],
      ['mailbox', { name: 'x', domain: 'unknown.test', password: 'long enough pw' }, 'spec.domain'],
      ['mailbox', { name: 'x', domain: DOMAIN }, 'spec.password'],
      ['mailbox', { name: 'x:0:0', domain: DOMAIN, password: 'long enough pw' }, 'spec.name'],
      ['mailaddress', { name: 'info', domain: DOMAIN, mailboxes: ['carol@example-b.test'] }, 'spec.mailboxes.0'],
      ['mailaddress', { name: 'info', domain: DOMAIN, forwards: ['a@b.test, c@d.test'] }, 'spec.forwards.0'],
      ['autoresponse', { mailbox: 'carol@example-b.test', subject: 'Away', body: 'x' }, 'spec.mailbox'],
      ['autoresponse', { mailbox: ALICE, subject: 'Away\nBcc: x@y.test', body: 'x' }, 'spec.subject'],
    ];
    for (const [kind, spec, field] of cases) {
      const res = await owner.post('/v1/services', { accountId: accountA, kind, spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
      expect(res.body.error.details.map((d: { path: string[] }) => d.path.join('.'))).toContain(field);
    }
  });

  it('creates mailboxes, an address with a forward, a catch-all and a vacation reply, accepted by each daemon', async () => {
    const alice = await create('alice', accountA, 'mailbox', {
      name: 'alice',
      domain: DOMAIN,
      password: 'first password 1',
      quotaMb: 2048,
    });
    expect(alice.spec.password).toBeUndefined();
    expect(alice.spec.passwordHash).toMatch(/^\{SHA512-CRYPT\}\$6\$/);
    // One unit of work on each host: one Postfix and one Dovecot reload.
    expect([reloads('postfix'), reloads('dovecot')]).toEqual([2, 2]); // carol (beforeAll), then alice
    await create('bob', accountA, 'mailbox', { name: 'bob', domain: DOMAIN, password: 'bob password 1' });
    await create('info', accountA, 'mailaddress', { name: 'info', domain: DOMAIN, mailboxes: [ALICE], forwards: ['someone@example.net'] });
    await create('catchall', accountA, 'mailaddress', { domain: DOMAIN, mailboxes: [BOB] });
    await create('vacation', accountA, 'autoresponse', {
      mailbox: ALICE,
      subject: 'Out of office "until Monday"',
      body: 'Hello,\n.\nI am away and will answer on my return.\n-- \nAlice',
      from: isoDay(-2),
      until: isoDay(30),
      days: 3,
    });

    // Postfix: the tables main.cf names answer the expected lookups.
    expect(await lookup('virtual_mailbox_domains', DOMAIN)).toBe('OK');
    expect(await lookup('virtual_mailbox_domains', 'example-b.test')).toBe('OK');
    expect(await lookup('virtual_mailbox_maps', ALICE)).toBe(`${DOMAIN}/alice/`);
    expect(await lookup('virtual_mailbox_maps', BOB)).toBe(`${DOMAIN}/bob/`);
    expect(await lookup('virtual_alias_maps', `info@${DOMAIN}`)).toBe(`${ALICE},someone@example.net`);
    expect(await lookup('virtual_alias_maps', `@${DOMAIN}`)).toBe(BOB);
    // Each mailbox maps to itself, so the catch-all (looked up after user@domain) does not take its mail.
    expect(await lookup('virtual_alias_maps', ALICE)).toBe(ALICE);
    expect(await lookup('virtual_alias_maps', `nobody@${DOMAIN}`)).toBeUndefined();

    // Dovecot: the password logs in, a wrong one does not; the user has the quota and home from the spec.
    expect(await authTest(ALICE, 'first password 1')).toBe(true);
    expect(await authTest(ALICE, 'first password 2')).toBe(false);
    expect(await authTest(BOB, 'bob password 1')).toBe(true);
    const user = await run('doveadm', ['-c', dovecotConf(), 'user', ALICE]);
    expect(user.status, user.stderr).toBe(0);
    expect(user.stdout).toMatch(/quota_rule\s+\*:storage=2048M/);
    expect(user.stdout).toContain(path('vmail', DOMAIN, 'alice'));
    // The passwd-file holds hashes: not world-readable.
    expect((await run('stat', ['-c', '%a', path('dovecot', 'users')])).stdout.trim()).toBe('640');

    // Sieve: the installed script compiles, and sieve-test shows the vacation reply for a message to Alice.
    const script = path('sieve', DOMAIN, 'alice.sieve');
    const compiled = await run('sievec', ['-c', dovecotConf(), script, path('check.svbin')]);
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(existsSync(path('sieve', DOMAIN, 'alice.svbin'))).toBe(true);
    writeFileSync(
      path('message.eml'),
      `From: someone@example.net\r\nTo: ${ALICE}\r\nSubject: Hello\r\nMessage-ID: <1@example.net>\r\n\r\nHi Alice\r\n`,
    );
    const trial = await run('sieve-test', [
      '-c',
      dovecotConf(),
      '-a',
      ALICE,
      '-r',
      ALICE,
      '-f',
      'someone@example.net',
      script,
      path('message.eml'),
    ]);
    expect(trial.status, trial.stderr).toBe(0);
    expect(trial.stdout).toMatch(/send vacation message:\s+=> seconds : 259200\s+=> subject : Out of office "until Monday"/);
    expect(trial.stdout).toMatch(/START MESSAGE\s+Hello,\s+\.\s+I am away/);

    await checkConfigs();
  });

  it('is idempotent: saving every service again, and running a logged script again, leave every file as it was', async () => {
    const before = snapshot();
    for (const key of ['alice', 'bob', 'info', 'catchall', 'vacation']) {
      const spec = (await owner.get(`/v1/services/${ids[key]}`)).body.spec;
      await change(key, spec);
    }
    expect(snapshot()).toEqual(before);
    // The Postfix unit of alice's last save, run a second time by hand over the same shell.
    const { op } = await settled(ids.alice!);
    const log = op.logs.find((l: { backend: string }) => l.backend === 'postfix');
    const again = await run('bash', ['-s'], log.script);
    expect(again.status, again.stderr).toBe(0);
    expect(snapshot()).toEqual(before);
    expect(await authTest(ALICE, 'first password 1')).toBe(true);
    await checkConfigs();
  });

  it('reflects changes: a new password, new destinations, a disabled mailbox (no login, mail still accepted)', async () => {
    const alice = (await owner.get(`/v1/services/${ids.alice}`)).body.spec;
    await change('alice', { ...alice, password: 'second password 2' });
    expect(await authTest(ALICE, 'second password 2')).toBe(true);
    expect(await authTest(ALICE, 'first password 1')).toBe(false);

    await change('info', { name: 'info', domain: DOMAIN, mailboxes: [ALICE, BOB], forwards: [] });
    expect(await lookup('virtual_alias_maps', `info@${DOMAIN}`)).toBe(`${ALICE},${BOB}`);

    const bob = (await owner.get(`/v1/services/${ids.bob}`)).body.spec;
    await change('bob', { ...bob, disabled: true });
    expect(await authTest(BOB, 'bob password 1')).toBe(false);
    expect((await run('doveadm', ['-c', dovecotConf(), 'user', BOB])).status).toBe(0); // delivery still finds the user
    expect(await lookup('virtual_mailbox_maps', BOB)).toBe(`${DOMAIN}/bob/`); // and Postfix still accepts the mail
    await change('bob', { ...bob, disabled: false });
    expect(await authTest(BOB, 'bob password 1')).toBe(true);

    await change('info', { name: 'info', domain: DOMAIN, mailboxes: [ALICE], disabled: true });
    expect(await lookup('virtual_alias_maps', `info@${DOMAIN}`)).toBeUndefined();

    const vacation = (await owner.get(`/v1/services/${ids.vacation}`)).body.spec;
    await change('vacation', { ...vacation, disabled: true });
    expect(existsSync(path('sieve', DOMAIN, 'alice.sieve'))).toBe(false);
    await checkConfigs();
  });

  it('keeps the installed vacation script when sievec rejects a change', async () => {
    const vacation = { ...(await owner.get(`/v1/services/${ids.vacation}`)).body.spec, disabled: false };
    await change('vacation', vacation);
    const before = readFileSync(path('sieve', DOMAIN, 'alice.sieve'), 'utf8');
    // The host's Sieve turns the vacation extension off: sievec itself rejects the script, which is not installed.
    const strict = path('dovecot', 'strict.conf');
    writeFileSync(strict, `!include ${dovecotConf()}\nplugin {\n  sieve_extensions = -vacation\n}\n`);
    const imap = (await owner.get('/v1/hosts')).body.items.find((h: { name: string }) => h.name === 'imap');
    await owner.patch(`/v1/hosts/${imap.id}`, { config: { ...imap.config, 'dovecot.sievec': `sievec -c ${strict}` } });
    const { op } = await change('vacation', { ...vacation, subject: 'Changed' }, 'failed');
    expect(op.logs.at(-1).stderr).toMatch(/unknown Sieve capability `vacation'/);
    expect(op.logs.at(-1).stderr).toMatch(/sievec rejected the vacation script of alice@example-a\.test/);
    expect(readFileSync(path('sieve', DOMAIN, 'alice.sieve'), 'utf8')).toBe(before);
    await owner.patch(`/v1/hosts/${imap.id}`, { config: imap.config });
    await change('vacation', { ...vacation, subject: 'Changed' });
    expect(readFileSync(path('sieve', DOMAIN, 'alice.sieve'), 'utf8')).toContain(':subject "Changed"');
  });

  it('deletes: lookups, logins and scripts are gone; the other account’s mailbox stays', async () => {
    await remove('vacation');
    expect(existsSync(path('sieve', DOMAIN, 'alice.sieve'))).toBe(false);
    expect(existsSync(path('sieve', DOMAIN, 'alice.svbin'))).toBe(false);
    await remove('info');
    await remove('catchall');
    expect(await lookup('virtual_alias_maps', `@${DOMAIN}`)).toBeUndefined();
    await remove('alice');
    expect(await lookup('virtual_mailbox_maps', ALICE)).toBeUndefined();
    expect(await lookup('virtual_alias_maps', ALICE)).toBeUndefined();
    expect(await authTest(ALICE, 'second password 2')).toBe(false);
    expect(readFileSync(path('dovecot', 'users'), 'utf8')).not.toContain(ALICE);
    await remove('bob');
    expect(await lookup('virtual_mailbox_domains', DOMAIN)).toBeUndefined();
    // Account B's mailbox was never touched.
    expect(await lookup('virtual_mailbox_maps', 'carol@example-b.test')).toBe('example-b.test/carol/');
    expect(await authTest('carol@example-b.test', 'carol password 1')).toBe(true);
    await checkConfigs();
  });
});
