// The Next.js app (web/) as a child process of the embedded runtime: `next dev` for `npm start`, or the production
// standalone server, as deployed to AWS (built on demand when web/ changed since the last build).
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './preflight';

export interface WebOptions {
  /** 0 = any free port. */
  port: number;
  /** Base URL of the REST API the app calls from its server. */
  apiUrl: string;
  /** Encrypts next-auth session cookies. */
  authSecret: string;
  /** `dev` (default): `next dev`, pages compile on first visit. `prod`: `next build` if needed, then the standalone server. */
  mode?: 'dev' | 'prod';
  log: (line: string) => void;
  /** How long to wait for the first answer (a cold `next dev` compiles the page first). */
  readyTimeoutMs?: number;
}

export interface WebServer {
  url: string;
  stop(): Promise<void>;
}

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const WEB_DIR = join(REPO_ROOT, 'web');
/**
 * `next dev` output, away from `.next`: `next build` empties `.next` (and must keep writing `.next/standalone`
 * for infra), which would break a dev server running from the same checkout. Under node_modules so that git,
 * eslint and prettier ignore it; web/tsconfig.json includes its generated types.
 */
const DEV_DIST_DIR = 'node_modules/.cache/next-dev';

function nextBin(): string {
  return createRequire(join(WEB_DIR, 'package.json')).resolve('next/dist/bin/next');
}

/** Newest modification time of the files a build depends on. */
function newestSource(): number {
  let newest = 0;
  const visit = (path: string) => {
    if (!existsSync(path)) return;
    const stat = statSync(path);
    if (stat.isDirectory()) for (const entry of readdirSync(path)) visit(join(path, entry));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of ['src', 'public', 'next.config.ts', 'package.json', 'tsconfig.json']) visit(join(WEB_DIR, p));
  return newest;
}

/** Whether `.next` holds a standalone production build newer than every source file. */
export function hasFreshBuild(): boolean {
  const buildId = join(WEB_DIR, '.next', 'BUILD_ID');
  const server = [join(WEB_DIR, '.next', 'standalone', 'web', 'server.js'), join(WEB_DIR, '.next', 'standalone', 'server.js')];
  return existsSync(buildId) && server.some((s) => existsSync(s)) && statSync(buildId).mtimeMs >= newestSource();
}

function pipeLines(child: ChildProcess, log: (line: string) => void) {
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) log(line.trimEnd());
    });
    stream?.on('end', () => buffer.trim() && log(buffer.trimEnd()));
  }
}

function childEnv(extra: Record<string, string>, mode: 'dev' | 'prod'): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...extra };
  // `next dev` sets development itself and warns about anything else (vitest sets NODE_ENV=test).
  if (mode === 'prod') {
    env.NODE_ENV = 'production';
    delete env.CONSORT_WEB_DIST_DIR;
  } else delete env.NODE_ENV;
  return env;
}

const BUILD_LOCK = join(WEB_DIR, 'node_modules', '.cache', 'next-build.lock');
/** A lock older than this is left over from a killed build. */
const STALE_LOCK_MS = 30 * 60_000;

/**
 * Hold the build lock while `fn` runs: browser test files start in parallel worker processes and each may find the
 * build stale; one builds, the others wait and then find it fresh (two `next build` into one `.next` corrupt it).
 */
async function withBuildLock<T>(fn: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(BUILD_LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const since = statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs;
      if (since !== undefined && Date.now() - since > STALE_LOCK_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      else await new Promise((ok) => setTimeout(ok, 1000));
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(BUILD_LOCK, { recursive: true, force: true });
  }
}

/** `next build`, once, when the last build is older than web/'s sources (one build at a time per checkout). */
export async function buildWeb(log: (line: string) => void): Promise<void> {
  if (hasFreshBuild()) return;
  await withBuildLock(async () => {
    if (hasFreshBuild()) return;
    await runBuild(log);
  });
}

async function runBuild(log: (line: string) => void): Promise<void> {
  log('building the web app (next build)…');
  const started = Date.now();
  const child = spawn(process.execPath, [nextBin(), 'build'], {
    cwd: WEB_DIR,
    env: childEnv({}, 'prod'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  pipeLines(child, log);
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', ok);
  });
  if (code !== 0) throw new Error(`next build failed (exit ${code}); see the [web] log above`);
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * The standalone server (`output: 'standalone'`; `next start` refuses that configuration), with the static assets
 * it expects next to it — what infra/lib/web-asset.ts packages for Lambda.
 */
function standaloneServer(): string {
  const standalone = join(WEB_DIR, '.next', 'standalone');
  const appDir = [join(standalone, 'web'), standalone].find((dir) => existsSync(join(dir, 'server.js')));
  if (!appDir) throw new Error(`No server.js under ${standalone}: is output: 'standalone' set in web/next.config.ts?`);
  cpSync(join(WEB_DIR, '.next', 'static'), join(appDir, '.next', 'static'), { recursive: true });
  if (existsSync(join(WEB_DIR, 'public'))) cpSync(join(WEB_DIR, 'public'), join(appDir, 'public'), { recursive: true });
  return join(appDir, 'server.js');
}

async function waitUntilReady(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null | undefined;
  child.once('exit', (code) => (exited = code));
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`the web app exited (code ${exited}) before answering`);
    try {
      const res = await fetch(`${url}/login`, { redirect: 'manual', signal: AbortSignal.timeout(30_000) });
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // Not listening yet, or still compiling.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the web app did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s`);
}

/** Start the web app and wait until it answers; `stop()` ends its whole process group. */
export async function startWeb(options: WebOptions): Promise<WebServer> {
  const mode = options.mode ?? 'dev';
  const port = options.port || (await freePort());
  // Bound to loopback only; browsers reach it as localhost (cookies and next-auth use this origin).
  const url = `http://localhost:${port}`;
  if (mode === 'prod') await buildWeb(options.log);

  const args = mode === 'prod' ? [standaloneServer()] : [nextBin(), 'dev', '-p', String(port), '-H', '127.0.0.1'];
  const child = spawn(process.execPath, args, {
    cwd: WEB_DIR,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv(
      {
        CONSORT_API_URL: options.apiUrl,
        NEXTAUTH_SECRET: options.authSecret,
        NEXTAUTH_URL: url,
        PORT: String(port),
        HOSTNAME: '127.0.0.1',
        ...(mode === 'dev' ? { CONSORT_WEB_DIST_DIR: DEV_DIST_DIR } : {}),
      },
      mode,
    ),
  });
  pipeLines(child, options.log);

  let stopped: Promise<void> | undefined;
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  // If this process ends without stop(), do not leave Next running in its own process group.
  const onExit = () => killGroup('SIGKILL');
  process.once('exit', onExit);

  const stop = () =>
    (stopped ??= new Promise<void>((ok) => {
      process.off('exit', onExit);
      if (child.exitCode !== null || child.signalCode !== null) return ok();
      const timer = setTimeout(() => killGroup('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(timer);
        ok();
      });
      killGroup('SIGTERM');
    }));

  try {
    await waitUntilReady(`http://127.0.0.1:${port}`, child, options.readyTimeoutMs ?? 180_000);
  } catch (error) {
    await stop();
    throw error;
  }
  options.log(`ready at ${url} (${mode})`);
  return { url, stop };
}
