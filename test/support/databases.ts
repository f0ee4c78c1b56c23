import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../functions/src/local/preflight';

// Real database servers for the hosts tests. MariaDB: the machine's own server (CI machines run it; started here the
// way the machine starts it when it is down). PostgreSQL: a private cluster per test file (initdb in a scratch
// folder, its own port and socket), because the machine's cluster trusts every local TCP connection, so logging in
// with a password there would prove nothing; the private one checks SCRAM passwords on 127.0.0.1.

export const MARIADB_SOCKET = '/run/mysqld/mysqld.sock';

/** `mysql` as root over the machine's socket; stdout of the statement(s), tab-separated rows. */
export async function mysqlRoot(sql: string): Promise<string> {
  const args = ['--user=root', `--socket=${MARIADB_SOCKET}`, '--batch', '--skip-column-names', '--raw'];
  const result = await run('mysql', args, sql);
  if (result.status !== 0) throw new Error(`mysql failed: ${result.stderr}`);
  return result.stdout;
}

/** `mysql` as a user over TCP with a password: whether it logged in, and what it printed. */
export async function mysqlAs(user: string, password: string, sql: string, database?: string) {
  const args = ['--host=127.0.0.1', '--port=3306', `--user=${user}`, '--batch', '--skip-column-names', ...(database ? [database] : [])];
  const result = await run('mysql', args, sql, { MYSQL_PWD: password });
  return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
}

function mariadbUp(): boolean {
  return spawnSync('mysql', ['--user=root', `--socket=${MARIADB_SOCKET}`, '-e', 'SELECT 1'], { encoding: 'utf8' }).status === 0;
}

/** Start the machine's MariaDB if it is down (as the machine's image does), and wait until it answers. */
export async function ensureMariaDb(): Promise<void> {
  if (mariadbUp()) return;
  execFileSync('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd']);
  for (let i = 0; i < 100 && !mariadbUp(); i++) await new Promise((r) => setTimeout(r, 200));
  if (!mariadbUp()) throw new Error('MariaDB did not start (start-stop-daemon --start --exec /usr/sbin/mariadbd)');
}

/** The newest PostgreSQL server binaries installed (Debian: /usr/lib/postgresql/<major>/bin). */
export function postgresBin(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const majors = readdirSync(base)
    .filter((v) => existsSync(join(base, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return majors[0] ? join(base, majors[0], 'bin') : undefined;
}

export interface TestPostgres {
  port: number;
  /** The socket directory (host setting postgresql.host). */
  socketDir: string;
  /** psql as the superuser `postgres` over the socket; stdout, unaligned and without headers. */
  sql(sql: string, database?: string): Promise<string>;
  /** psql as a user over TCP with a password: whether it logged in, and what it printed. */
  as(user: string, password: string, sql: string, database: string): Promise<{ ok: boolean; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/**
 * A private PostgreSQL cluster: superuser `postgres` trusted on its own socket only, SCRAM-SHA-256 on 127.0.0.1.
 * Runs as the `postgres` user when started by root (the server refuses to run as root).
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql');
  const root = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'consort-pg-'));
  chmodSync(dir, 0o755);
  const data = join(dir, 'data');
  const socketDir = join(dir, 'sock');
  mkdirSync(socketDir);
  if (root) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(dir, uid, gid);
    chownSync(socketDir, uid, gid);
  }
  const asServer = (cmd: string, args: string[]) =>
    root ? execFileSync('runuser', ['-u', 'postgres', '--', join(bin, cmd), ...args], { cwd: dir }) : execFileSync(join(bin, cmd), args);
  asServer('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '-E',
    'UTF8',
    '--locale=C.UTF-8',
    '--auth-local=trust',
    '--auth-host=scram-sha-256',
    '-N',
  ]);
  const port = await freePort();
  asServer('pg_ctl', [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'server.log'),
    '-o',
    `-p ${port} -k ${socketDir} -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=16MB`,
    'start',
  ]);
  const psql = join(bin, 'psql');
  return {
    port,
    socketDir,
    sql: async (sql, database = 'postgres') => {
      const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', socketDir, '-p', String(port), '-U', 'postgres', '-d', database];
      const result = await run(psql, args, sql);
      if (result.status !== 0) throw new Error(`psql failed: ${result.stderr}`);
      return result.stdout;
    },
    as: async (user, password, sql, database) => {
      const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database];
      const result = await run(psql, args, sql, { PGPASSWORD: password, PGCONNECT_TIMEOUT: '5' });
      return { ok: result.status === 0, stdout: result.stdout, stderr: result.stderr };
    },
    stop: async () => {
      try {
        asServer('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * A command with `input` on stdin, without blocking the event loop: a test that waits synchronously for seconds lets
 * the local API server's keep-alive timer fire just as the next request reuses the connection (ECONNRESET).
 */
function run(command: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Whether this process may run the PostgreSQL server (as itself, or as `postgres` through runuser when root). */
export function canRunPostgres(): boolean {
  if (process.getuid?.() !== 0) return userInfo().username !== 'root';
  return spawnSync('id', ['-u', 'postgres']).status === 0;
}
