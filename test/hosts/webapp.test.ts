import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Web apps through the API, applied over a real OpenSSH server by the PHP-FPM backend, and checked with php-fpm
// itself: `php-fpm -t` on the host's pool folder, then a real php-fpm master serving the generated pool, asked
// over FastCGI which user it runs as and which php.ini limits apply. The pools' users (the account's system users)
// live in a scratch passwd: every php-fpm run goes through a wrapper that bind-mounts the scratch passwd/group over
// /etc/passwd and /etc/group in a private mount namespace (unshare -m), so php-fpm resolves them like real users
// and this machine's accounts are never touched. Pools, sockets and logs are under a scratch folder.

const IS_ROOT = process.getuid?.() === 0;
if (!IS_ROOT && process.env.CI === 'true')
  throw new Error('test/hosts/webapp.test.ts needs root (php-fpm switches to the pool user; unshare -m)');
if (!IS_ROOT) console.warn('Skipping test/hosts/webapp.test.ts: running pools as their users needs root.');
const FPM = existsSync('/usr/sbin') ? readdirSync('/usr/sbin').find((f) => /^php-fpm\d+\.\d+$/.test(f)) : undefined;
const VERSION = FPM?.slice('php-fpm'.length) ?? '8.2';
const ready =
  requireTool(SSHD, 'openssh-server') &&
  requireTool(`/usr/sbin/php-fpm${VERSION}`, 'php-fpm') &&
  requireTool('unshare', 'util-linux') &&
  IS_ROOT;

/** One FastCGI request (RFC-less but stable protocol, version 1) to a unix socket; returns the STDOUT stream. */
function fastcgi(socket: string, params: Record<string, string>): Promise<string> {
  const record = (type: number, content: Buffer) => {
    const header = Buffer.alloc(8);
    header.writeUInt8(1, 0);
    header.writeUInt8(type, 1);
    header.writeUInt16BE(1, 2); // request id
    header.writeUInt16BE(content.length, 4);
    return Buffer.concat([header, content]);
  };
  const length = (n: number) =>
    n < 128 ? Buffer.from([n]) : Buffer.from([(n >>> 24) | 0x80, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
  const pairs = Buffer.concat(
    Object.entries(params).map(([k, v]) =>
      Buffer.concat([length(Buffer.byteLength(k)), length(Buffer.byteLength(v)), Buffer.from(k), Buffer.from(v)]),
    ),
  );
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const out: Buffer[] = [];
    const sock = connect(socket, () => {
      sock.write(record(1, Buffer.from([0, 1, 0, 0, 0, 0, 0, 0]))); // BEGIN_REQUEST, responder, no keep-alive
      sock.write(record(4, pairs));
      sock.write(record(4, Buffer.alloc(0)));
      sock.write(record(5, Buffer.alloc(0))); // empty STDIN
    });
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', reject);
    sock.on('close', () => {
      let data = Buffer.concat(chunks);
      while (data.length >= 8) {
        const type = data.readUInt8(1);
        const len = data.readUInt16BE(4);
        const pad = data.readUInt8(6);
        if (type === 6) out.push(data.subarray(8, 8 + len));
        data = data.subarray(8 + len + pad);
      }
      resolve(Buffer.concat(out).toString('utf8'));
    });
  });
}

describe.skipIf(!ready)('web apps over SSH (sandboxed PHP-FPM host)', () => {
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountA: string;
  let accountB: string;
  let dir: string;
  const pools = (version = VERSION) => join(dir, 'php', version, 'pools');
  const reloads = () => (existsSync(join(dir, 'reloads.log')) ? readFileSync(join(dir, 'reloads.log'), 'utf8').trim().split('\n') : []);

  /** php-fpm's verdict on the pool folder as the host's php-fpm.conf includes it. */
  function checkInstalled(version = VERSION) {
    const r = spawnSync(join(dir, 'php-fpm.sh'), ['-t', '-y', join(dir, 'php', version, 'php-fpm.conf')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/test is successful/);
  }

  async function settled(serviceId: string) {
    const { service, op } = await settledService(stack, owner, serviceId);
    return { service, op, stderr: JSON.stringify(op.logs?.map((l: { stderr: string; error?: string }) => l.error ?? l.stderr)) };
  }

  async function service(accountId: string, kind: string, spec: unknown) {
    const res = await owner.post('/v1/services', { accountId, kind, spec });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.service.id as string;
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'consort-php-'));
    chmodSync(dir, 0o755); // pool users reach their scripts below it
    const root = join(dir, 'root');
    for (const d of ['root/etc', 'run', 'home/alice', `php/${VERSION}/pools`, 'php/9.9/pools'])
      mkdirSync(join(dir, d), { recursive: true });
    // The scratch user database: root and the web server's user as on this machine, and the account's users.
    const system = (file: string, names: string[]) =>
      readFileSync(`/etc/${file}`, 'utf8')
        .split('\n')
        .filter((l) => names.includes(l.split(':')[0]!));
    writeFileSync(
      join(root, 'etc/passwd'),
      [...system('passwd', ['root', 'www-data']), 'alice:x:42001:42001::/home/alice:/bin/sh', ''].join('\n'),
    );
    writeFileSync(join(root, 'etc/group'), [...system('group', ['root', 'www-data']), 'alice:x:42001:', ''].join('\n'));
    // php-fpm as the host runs it, seeing the scratch users (private mount namespace; this machine is untouched).
    writeFileSync(
      join(dir, 'php-fpm.sh'),
      [
        '#!/bin/sh',
        `exec unshare -m sh -c 'mount --bind "$0/etc/passwd" /etc/passwd && mount --bind "$0/etc/group" /etc/group && exec /usr/sbin/php-fpm${VERSION} "$@"' '${root}' "$@"`,
        '',
      ].join('\n'),
      { mode: 0o755 },
    );
    writeFileSync(join(dir, 'reload.sh'), `#!/bin/sh\necho "$1" >> '${join(dir, 'reloads.log')}'\n`, { mode: 0o755 });
    // Each version's php-fpm.conf, as an admin writes it: it includes Consort's pool folder.
    for (const version of [VERSION, '9.9']) {
      writeFileSync(
        join(dir, 'php', version, 'php-fpm.conf'),
        [
          '[global]',
          `pid = ${join(dir, 'run', `fpm${version}.pid`)}`,
          `error_log = ${join(dir, `fpm${version}.log`)}`,
          // Debian's own pool (pool.d/www.conf), so the master has a pool when Consort's folder is empty.
          '[www]',
          'user = www-data',
          `listen = ${join(dir, 'run', `www${version}.sock`)}`,
          'pm = ondemand',
          'pm.max_children = 1',
          `include = ${pools(version)}/*.conf`,
          '',
        ].join('\n'),
      );
    }
    writeFileSync(
      join(dir, 'home/alice/info.php'),
      '<?php echo json_encode(["uid" => posix_getuid(), "memory_limit" => ini_get("memory_limit"), "display_errors" => ini_get("display_errors"), "max_execution_time" => ini_get("max_execution_time")]);\n',
    );
    chmodSync(join(dir, 'home/alice/info.php'), 0o644);
    chmodSync(join(dir, 'home/alice'), 0o755);

    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'Php');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountA = (await owner.post('/v1/accounts', { name: 'App Owner', email: 'a@example.org', country: 'ES' })).body.id;
    accountB = (await owner.post('/v1/accounts', { name: 'Someone Else', email: 'b@example.org', country: 'ES' })).body.id;
    const host = await owner.post('/v1/hosts', {
      name: 'php1',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: {
        // The second version shares this machine's php-fpm binary: enough to move pools between version folders.
        'php.versions': `${VERSION} 9.9`,
        'php.pool_dir': join(dir, 'php', '{version}', 'pools'),
        'php.run_dir': join(dir, 'run'),
        'php.fpm': join(dir, 'php-fpm.sh'),
        'php.reload': `${join(dir, 'reload.sh')} {version}`,
        'php.max_children': '8',
      },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    expect((await owner.post('/v1/routes', { kind: 'webapp', backend: 'php-fpm', hostId: host.body.id })).status).toBe(201);
    // What a web app refers to: system users of its account (they only have to exist here; the scratch passwd has alice).
    await service(accountA, 'systemuser', { username: 'alice' });
    await service(accountA, 'systemuser', { username: 'carol' });
    await service(accountB, 'systemuser', { username: 'bruno' });
    await stack.idle();
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('refuses with 422 another account’s user, unknown php.ini options and out-of-range values', async () => {
    const base = { name: 'shop', systemUser: 'alice' };
    const cases: [unknown, string][] = [
      [{ ...base, systemUser: 'bruno' }, 'spec.systemUser'],
      [{ ...base, phpOptions: { disable_functions: '' } }, 'spec.phpOptions'],
      [{ ...base, phpOptions: { memory_limit: '256M\nphp_admin_value[open_basedir] = /' } }, 'spec.phpOptions.memory_limit'],
      [{ ...base, processes: { maxChildren: 500 } }, 'spec.processes.maxChildren'],
      [{ ...base, name: 'shop; rm -rf /' }, 'spec.name'],
    ];
    for (const [spec, path] of cases) {
      const res = await owner.post('/v1/services', { accountId: accountA, kind: 'webapp', spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
      expect(
        res.body.error.details.map((d: { path: string[] }) => d.path.join('.')),
        JSON.stringify(spec),
      ).toContain(path);
    }
  });

  let shopId: string;
  const shop = {
    name: 'shop',
    systemUser: 'alice',
    phpVersion: VERSION,
    processes: { manager: 'ondemand', maxChildren: 3 },
    phpOptions: { memory_limit: '96M', max_execution_time: 20, display_errors: true },
  };

  it('installs a pool php-fpm accepts, with one reload, and php-fpm serves it as the app’s user with its limits', async () => {
    shopId = await service(accountA, 'webapp', shop);
    const { service: s, stderr } = await settled(shopId);
    expect(s.state, stderr).toBe('applied');
    const conf = readFileSync(join(pools(), 'shop.conf'), 'utf8');
    expect(conf).toContain('[shop]\nuser = alice\n');
    expect(conf).toContain(`listen = ${join(dir, 'run', 'shop.sock')}\n`);
    expect(conf).toContain('pm.max_children = 3\n');
    expect(conf).toContain('php_admin_value[memory_limit] = 96M\n');
    expect(conf).toContain('php_flag[display_errors] = on\n');
    expect(reloads()).toEqual([VERSION]);
    checkInstalled();

    const fpm: ChildProcess = spawn(join(dir, 'php-fpm.sh'), ['-F', '-y', join(dir, 'php', VERSION, 'php-fpm.conf')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let fpmLog = '';
    fpm.stderr?.on('data', (d: Buffer) => (fpmLog += d.toString()));
    try {
      const socket = join(dir, 'run', 'shop.sock');
      for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((r) => setTimeout(r, 100));
      expect(existsSync(socket), fpmLog).toBe(true);
      expect(statSync(socket).mode & 0o777).toBe(0o660);
      const script = join(dir, 'home/alice/info.php');
      const response = await fastcgi(socket, {
        SCRIPT_FILENAME: script,
        SCRIPT_NAME: '/info.php',
        REQUEST_METHOD: 'GET',
        SERVER_PROTOCOL: 'HTTP/1.1',
        GATEWAY_INTERFACE: 'CGI/1.1',
      });
      const body = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
      // Debian's php.ini for FPM has display_errors Off, memory_limit 128M, max_execution_time 30: these are the pool's.
      expect(body).toEqual({ uid: 42001, memory_limit: '96M', display_errors: '1', max_execution_time: '20' });
    } finally {
      fpm.kill('SIGTERM');
      if (fpm.exitCode === null) await new Promise((r) => fpm.once('exit', r));
    }
  });

  it('is idempotent: saving the same spec again rewrites nothing and reloads nothing', async () => {
    const before = [readFileSync(join(pools(), 'shop.conf'), 'utf8'), statSync(join(pools(), 'shop.conf')).mtimeMs];
    expect((await owner.patch(`/v1/services/${shopId}`, { spec: shop })).status).toBe(200);
    expect((await settled(shopId)).service.state).toBe('applied');
    expect([readFileSync(join(pools(), 'shop.conf'), 'utf8'), statSync(join(pools(), 'shop.conf')).mtimeMs]).toEqual(before);
    expect(reloads()).toEqual([VERSION]);
  });

  it('keeps the installed pool when php-fpm rejects the change, and says why', async () => {
    const before = readFileSync(join(pools(), 'shop.conf'), 'utf8');
    // carol is a system user of the account in the panel, but not (yet) on this host: php-fpm cannot resolve her.
    expect((await owner.patch(`/v1/services/${shopId}`, { spec: { ...shop, systemUser: 'carol' } })).status).toBe(200);
    const { service: s, stderr } = await settled(shopId);
    expect(s.state).toBe('failed');
    expect(stderr).toMatch(/cannot get uid for user 'carol'/);
    expect(stderr).toMatch(/-t rejected the pool of web app shop/);
    expect(readFileSync(join(pools(), 'shop.conf'), 'utf8')).toBe(before);
    expect(reloads()).toEqual([VERSION]);
    // A limit above the host's php.max_children fails before anything runs, with the host setting named.
    expect((await owner.patch(`/v1/services/${shopId}`, { spec: { ...shop, processes: { maxChildren: 9 } } })).status).toBe(200);
    expect((await settled(shopId)).op.error).toMatch(/at most 8 processes per app \(host setting php.max_children\)/);
    await owner.patch(`/v1/services/${shopId}`, { spec: shop });
    expect((await settled(shopId)).service.state).toBe('applied');
  });

  it('moves the pool to another PHP version, reloading both versions once', async () => {
    await owner.patch(`/v1/services/${shopId}`, { spec: { ...shop, phpVersion: '9.9' } });
    const { service: s, stderr } = await settled(shopId);
    expect(s.state, stderr).toBe('applied');
    expect(existsSync(join(pools(), 'shop.conf'))).toBe(false);
    expect(readFileSync(join(pools('9.9'), 'shop.conf'), 'utf8')).toContain('[shop]');
    expect(reloads().slice(1).sort()).toEqual([VERSION, '9.9'].sort());
    checkInstalled('9.9');
    await owner.patch(`/v1/services/${shopId}`, { spec: shop });
    expect((await settled(shopId)).service.state).toBe('applied');
    expect(readdirSync(pools('9.9')).filter((f) => f.endsWith('.conf'))).toEqual([]);
  });

  it('has no pool when static or disabled, and gets it back when enabled', async () => {
    const staticId = await service(accountA, 'webapp', { name: 'docs', type: 'static', systemUser: 'alice' });
    expect((await settled(staticId)).service.state).toBe('applied');
    expect(existsSync(join(pools(), 'docs.conf'))).toBe(false);
    await owner.patch(`/v1/services/${shopId}`, { spec: { ...shop, disabled: true } });
    expect((await settled(shopId)).service.state).toBe('applied');
    expect(existsSync(join(pools(), 'shop.conf'))).toBe(false);
    checkInstalled();
    await owner.patch(`/v1/services/${shopId}`, { spec: shop });
    expect((await settled(shopId)).service.state).toBe('applied');
    expect(existsSync(join(pools(), 'shop.conf'))).toBe(true);
    checkInstalled();
  });

  it('deletes the app: its pool goes, other pools stay', async () => {
    const blogId = await service(accountA, 'webapp', {
      name: 'blog',
      systemUser: 'alice',
      processes: { manager: 'dynamic', maxChildren: 6 },
    });
    expect((await settled(blogId)).service.state).toBe('applied');
    expect(readFileSync(join(pools(), 'blog.conf'), 'utf8')).toContain(
      'pm.start_servers = 2\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n',
    );
    const reloadsBefore = reloads().length;
    expect((await owner.delete(`/v1/services/${shopId}`)).status).toBe(202);
    const { service: s, stderr } = await settled(shopId);
    expect(s.state, stderr).toBe('deleted');
    expect(readdirSync(pools()).filter((f) => f.endsWith('.conf'))).toEqual(['blog.conf']);
    expect(reloads().length).toBe(reloadsBefore + 1);
    checkInstalled();
  });
});
