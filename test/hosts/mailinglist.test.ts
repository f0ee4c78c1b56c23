import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Mailing lists through the API, applied over a real OpenSSH server by the mlmmj backend, and checked on the "host"
// with mlmmj's own tools (mlmmj-list reads the owner and subscribers, mlmmj-sub subscribes as the folder's owner)
// and Postfix's postmap (the maps are built and queried). Everything lives under a scratch folder: the spool, the
// maps; the folder owner is `nobody`. Nothing is written to /var/spool/mlmmj or /etc/postfix.

const POSTMAP = '/usr/sbin/postmap';
const MLMMJ_LIST = '/usr/bin/mlmmj-list';
const MLMMJ_SUB = '/usr/bin/mlmmj-sub';
const TEXTS = '/usr/share/mlmmj/text.skel';
const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT && process.env.CI === 'true')
  throw new Error('test/hosts/mailinglist.test.ts needs root (list folders belong to their own user)');
if (!IS_ROOT) console.warn('Skipping test/hosts/mailinglist.test.ts: giving list folders to their user needs root.');
const ready = requireTool(SSHD, 'openssh-server') && requireTool(MLMMJ_LIST, 'mlmmj') && requireTool(POSTMAP, 'postfix') && IS_ROOT;

describe.skipIf(!ready)('mailing lists over SSH (sandboxed mlmmj host)', () => {
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountA: string;
  let accountB: string;
  let dir: string;
  const spool = () => join(dir, 'spool');
  const listDir = () => join(spool(), 'lists.example-a.test', 'news');
  const control = (name: string) => readFileSync(join(listDir(), 'control', name), 'utf8');
  const maps = () => ({ virtual: join(dir, 'postfix', 'virtual'), transport: join(dir, 'postfix', 'transport') });
  const postmaps = () =>
    existsSync(join(dir, 'postmap.log')) ? readFileSync(join(dir, 'postmap.log'), 'utf8').trim().split('\n').length : 0;

  /** What Postfix would find: `postmap -q` against the indexed map. */
  function lookup(map: 'virtual' | 'transport', key: string): string | undefined {
    const r = spawnSync(POSTMAP, ['-c', join(dir, 'postfix-conf'), '-q', key, `hash:${maps()[map]}`], { encoding: 'utf8' });
    if (r.status === 1) return undefined; // not found
    expect(r.status, r.stderr).toBe(0);
    return r.stdout.trim();
  }

  function mlmmj(tool: string, ...args: string[]): string {
    const r = spawnSync(tool, ['-L', listDir(), ...args], { encoding: 'utf8' });
    expect(r.status, `${tool}: ${r.stdout}${r.stderr}`).toBe(0);
    return r.stdout.trim();
  }

  const settled = (serviceId: string) => settledService(stack, owner, serviceId);

  async function service(accountId: string, kind: string, spec: unknown) {
    const res = await owner.post('/v1/services', { accountId, kind, spec });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.service.id as string;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'consort-lists-'));
    chmodSync(dir, 0o755); // mlmmj-sub drops to the list owner (nobody), who must reach the list folder
    mkdirSync(join(dir, 'postfix'));
    // A scratch Postfix configuration folder for postmap -c (the machine's /etc/postfix may have no main.cf).
    mkdirSync(join(dir, 'postfix-conf'));
    writeFileSync(join(dir, 'postfix-conf', 'main.cf'), 'compatibility_level = 3.6\n');
    // The host's postmap: the real one, and a line per run (one per map per unit of work).
    writeFileSync(join(dir, 'postmap.sh'), `#!/bin/sh\necho "$*" >> '${join(dir, 'postmap.log')}'\nexec ${POSTMAP} "$@"\n`, {
      mode: 0o755,
    });

    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'Lists');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountA = (await owner.post('/v1/accounts', { name: 'List Owner', email: 'a@example.org', country: 'ES' })).body.id;
    accountB = (await owner.post('/v1/accounts', { name: 'Someone Else', email: 'b@example.org', country: 'ES' })).body.id;
    const host = await owner.post('/v1/hosts', {
      name: 'lists1',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: {
        'mlmmj.spool_dir': spool(),
        'mlmmj.user': 'nobody',
        'mlmmj.texts_dir': TEXTS,
        'mlmmj.virtual_map': maps().virtual,
        'mlmmj.transport_map': maps().transport,
        'mlmmj.postmap': `${join(dir, 'postmap.sh')} -c ${join(dir, 'postfix-conf')}`,
        'bind.zones_dir': join(dir, 'zones'),
        'bind.conf_file': join(dir, 'named.conf.consort'),
        'bind.checkzone': 'true',
        'bind.reload': 'true',
      },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    expect((await owner.post('/v1/routes', { kind: 'mailinglist', backend: 'mlmmj', hostId: host.body.id })).status).toBe(201);
    expect((await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id })).status).toBe(201);
    await service(accountA, 'domain', { name: 'example-a.test' });
    await service(accountB, 'domain', { name: 'example-b.test' });
    await stack.idle();
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses with 422 a list on another account’s domain, and crafted values', async () => {
    const base = { name: 'news', domain: 'lists.example-a.test', admin: 'owner@example.org' };
    const cases: [unknown, string][] = [
      [{ ...base, domain: 'example-b.test' }, 'spec.domain'],
      [{ ...base, name: 'news+subscribe' }, 'spec.name'],
      [{ ...base, name: 'postmaster' }, 'spec.name'],
      [{ ...base, admin: 'x@example.org\nBcc: all@example.org' }, 'spec.admin'],
      [{ ...base, description: 'News\nList-Unsubscribe: <mailto:evil@example.org>' }, 'spec.description'],
      [{ ...base, moderated: true }, 'spec'],
    ];
    for (const [spec, path] of cases) {
      const res = await owner.post('/v1/services', { accountId: accountA, kind: 'mailinglist', spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
      expect(
        res.body.error.details.map((d: { path: string[] }) => d.path.join('.')),
        JSON.stringify(spec),
      ).toContain(path);
    }
  });

  let newsId: string;
  const news = {
    name: 'news',
    domain: 'lists.example-a.test',
    admin: 'Owner@Example.org',
    description: 'Notícies de l’associació',
    subjectPrefix: '[news]',
    archive: 'private',
  };

  it('creates the list folder mlmmj reads, owned by the list user, with its texts and Postfix entries', async () => {
    newsId = await service(accountA, 'mailinglist', news);
    const { service: s, op } = await settled(newsId);
    expect(s.state, JSON.stringify(op.logs.map((l: { stderr: string }) => l.stderr))).toBe('applied');
    expect(s.name).toBe('news@lists.example-a.test');

    for (const sub of ['incoming', 'queue/discarded', 'archive', 'subscribers.d', 'digesters.d', 'nomailsubs.d', 'moderation', 'bounce']) {
      expect(statSync(join(listDir(), sub)).isDirectory(), sub).toBe(true);
    }
    expect(statSync(listDir())).toMatchObject({ uid: 65534 });
    expect(statSync(join(listDir(), 'control', 'owner'))).toMatchObject({ uid: 65534 });
    expect(control('listaddress')).toBe('news@lists.example-a.test\n');
    expect(control('prefix')).toBe('[news]\n');
    expect(control('customheaders')).toBe(
      `List-Id: =?UTF-8?B?${Buffer.from(news.description).toString('base64')}?= <news.lists.example-a.test>\n`,
    );
    expect(existsSync(join(listDir(), 'control', 'subonlyget'))).toBe(true);
    expect(existsSync(join(listDir(), 'control', 'noarchive'))).toBe(false);
    // The texts are English mlmmj's own.
    expect(readFileSync(join(listDir(), 'text', 'help'), 'utf8')).toBe(readFileSync(join(TEXTS, 'en', 'help'), 'utf8'));
    // mlmmj itself reads the owner, and subscribes someone as the folder's owner.
    expect(mlmmj(MLMMJ_LIST, '-o')).toBe('owner@example.org');
    mlmmj(MLMMJ_SUB, '-a', 'reader@example.org', '-f', '-q', '-s');
    expect(mlmmj(MLMMJ_LIST, '-s')).toBe('reader@example.org');
    // Postfix: the address goes to the dummy address, which goes to the mlmmj transport and the list folder.
    expect(lookup('virtual', 'news@lists.example-a.test')).toBe('lists.example-a.test--news@localhost.mlmmj');
    expect(lookup('transport', 'lists.example-a.test--news@localhost.mlmmj')).toBe('mlmmj:lists.example-a.test/news');
    expect(postmaps()).toBe(2); // one unit of work: each map built once
  });

  it('is idempotent: saving the same spec again changes no file and keeps the subscribers', async () => {
    const snapshot = () =>
      [...readdirSync(join(listDir(), 'control')).map((f) => join(listDir(), 'control', f)), maps().virtual, maps().transport].map((f) => [
        f,
        readFileSync(f, 'utf8'),
        statSync(f).mtimeMs,
      ]);
    const before = snapshot();
    expect((await owner.patch(`/v1/services/${newsId}`, { spec: news })).status).toBe(200);
    expect((await settled(newsId)).service.state).toBe('applied');
    expect(snapshot()).toEqual(before);
    expect(mlmmj(MLMMJ_LIST, '-c')).toBe('1');
  });

  it('changes the archive, prefix, owner and language in place', async () => {
    const changed = { ...news, admin: 'chair@example.org', subjectPrefix: undefined, archive: 'none', language: 'de' };
    expect((await owner.patch(`/v1/services/${newsId}`, { spec: changed })).status).toBe(200);
    expect((await settled(newsId)).service.state).toBe('applied');
    expect(mlmmj(MLMMJ_LIST, '-o')).toBe('chair@example.org');
    expect(existsSync(join(listDir(), 'control', 'prefix'))).toBe(false);
    expect(existsSync(join(listDir(), 'control', 'subonlyget'))).toBe(false);
    expect(existsSync(join(listDir(), 'control', 'noarchive'))).toBe(true);
    expect(existsSync(join(listDir(), 'control', 'noget'))).toBe(true);
    expect(readFileSync(join(listDir(), 'text', 'help'), 'utf8')).toBe(readFileSync(join(TEXTS, 'de', 'help'), 'utf8'));
    expect(mlmmj(MLMMJ_LIST, '-s')).toBe('reader@example.org');
  });

  it('disables (no Postfix entries, folder kept) and enables again', async () => {
    await owner.patch(`/v1/services/${newsId}`, { spec: { ...news, disabled: true } });
    expect((await settled(newsId)).service.state).toBe('applied');
    expect(lookup('virtual', 'news@lists.example-a.test')).toBeUndefined();
    expect(lookup('transport', 'lists.example-a.test--news@localhost.mlmmj')).toBeUndefined();
    expect(mlmmj(MLMMJ_LIST, '-s')).toBe('reader@example.org');
    await owner.patch(`/v1/services/${newsId}`, { spec: news });
    expect((await settled(newsId)).service.state).toBe('applied');
    expect(lookup('virtual', 'news@lists.example-a.test')).toBe('lists.example-a.test--news@localhost.mlmmj');
  });

  it('keeps other lists’ entries, and deletes the list: folder and Postfix entries gone', async () => {
    const teamId = await service(accountA, 'mailinglist', { name: 'team', domain: 'example-a.test', admin: 'owner@example.org' });
    const team = await settled(teamId);
    expect(team.service.state, JSON.stringify(team.op.logs.map((l: { stderr: string }) => l.stderr))).toBe('applied');
    expect((await owner.delete(`/v1/services/${newsId}`)).status).toBe(202);
    const { service: s, op } = await settled(newsId);
    expect(s.state, JSON.stringify(op.logs.map((l: { stderr: string }) => l.stderr))).toBe('deleted');
    expect(existsSync(listDir())).toBe(false);
    expect(existsSync(join(spool(), 'lists.example-a.test'))).toBe(false);
    expect(lookup('virtual', 'news@lists.example-a.test')).toBeUndefined();
    expect(lookup('transport', 'lists.example-a.test--news@localhost.mlmmj')).toBeUndefined();
    expect(lookup('virtual', 'team@example-a.test')).toBe('example-a.test--team@localhost.mlmmj');
    expect(readFileSync(maps().virtual, 'utf8')).toBe('team@example-a.test example-a.test--team@localhost.mlmmj\n');
  });
});
