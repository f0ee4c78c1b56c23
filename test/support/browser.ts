// Browser tests' shared setup: the local stack with the web app on the run's DynamoDB Local, Debian's Chromium
// driven by playwright-core, and on failure a screenshot plus the last log lines of every component.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { expect, inject, onTestFailed } from 'vitest';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../functions/src/local/stack';

declare module 'vitest' {
  // Provided by the run's global setup (one DynamoDB Local per run).
  interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

export const CHROMIUM = process.env.CONSORT_CHROMIUM ?? '/usr/bin/chromium';
const IS_CI = process.env.CI === 'true';
/** `prod` (default): `next build` when web/ changed, then the standalone server. `dev`: `next dev` (compiles per page). */
const WEB_MODE = process.env.CONSORT_E2E_WEB_MODE === 'dev' ? 'dev' : 'prod';
const ARTIFACTS = fileURLToPath(new URL('../../test-results/e2e', import.meta.url));

/** Locally, no browser means nothing to test; in CI a missing browser is a broken setup and must fail. */
export const browserTestsRunnable = existsSync(CHROMIUM) || IS_CI;

export interface BrowserSession {
  stack: LocalStack;
  browser: Browser;
  context: BrowserContext;
  page: Page;
  webUrl: string;
  /** A fresh folder for the test's files (removed by `close`). */
  workDir: string;
  /** Every component's log lines, and the browser's console. */
  logs: string[];
  close(): Promise<void>;
}

/** Start the stack with the web app and a headless Chromium on it (one page, English, generous timeouts). */
export async function startBrowserSession(options: Partial<LocalStackOptions> = {}): Promise<BrowserSession> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (install Debian's chromium or set CONSORT_CHROMIUM)`);
  const logs: string[] = [];
  const workDir = mkdtempSync(join(tmpdir(), 'consort-e2e-'));
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  try {
    stack = await startLocalStack({
      dynamoEndpoint: inject('dynamoEndpoint'),
      tableName: `e2e-${randomBytes(3).toString('hex')}`,
      apiPort: 0,
      web: { port: 0, mode: WEB_MODE },
      allowLocalTransport: true,
      dataDir: join(workDir, 'data'),
      schedules: false,
      fastRetries: true,
      weakPasswordHashing: true,
      log: (prefix, line) => logs.push(`[${prefix}] ${line}`),
      ...options,
    });
    if (!stack.webUrl) throw new Error('The local stack started without the web app');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const context = await browser.newContext({ baseURL: stack.webUrl, locale: 'en-GB', acceptDownloads: true });
    context.setDefaultTimeout(30_000);
    context.setDefaultNavigationTimeout(60_000);
    const page = await context.newPage();
    page.on('console', (m) => m.type() !== 'debug' && logs.push(`[browser:${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => logs.push(`[browser:pageerror] ${e.message}`));
    page.on('requestfailed', (r) => logs.push(`[browser:requestfailed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
    const started = stack;
    const launched = browser;
    return {
      stack: started,
      browser: launched,
      context,
      page,
      webUrl: started.webUrl!,
      workDir,
      logs,
      close: async () => {
        await launched.close();
        await started.stop();
        rmSync(workDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    rmSync(workDir, { recursive: true, force: true });
    throw error;
  }
}

/** Call first in a test: on failure, a screenshot in test-results/e2e/ and the last log lines. */
export function reportFailures(session: () => BrowserSession | undefined, name: string) {
  onTestFailed(async () => {
    const s = session();
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, `${name}.png`);
    await s?.page.screenshot({ path: file, fullPage: true }).catch(() => undefined);
    console.error(`Screenshot: ${file}\nPage: ${s?.page.url()}\n--- last log lines ---\n${(s?.logs ?? []).slice(-150).join('\n')}`);
  });
}

// playwright-core has no web-first assertions (those live in @playwright/test): wait, then assert.

/** Resolves when the (first) element is visible. */
export const shows = (locator: Locator) => locator.first().waitFor({ state: 'visible' });

/** `expect.poll` with a timeout suited to server-rendered pages. */
export const eventually = <T>(read: () => Promise<T>) => expect.poll(read, { timeout: 20_000 });

/** Wait for a page by its path (a regex on the whole URL would also match `?next=/portal`). */
export const atPath = (path: string | RegExp) => (url: URL) => (typeof path === 'string' ? url.pathname === path : path.test(url.pathname));

/** Sign in through the login form and wait for the landing path. */
export async function signIn(page: Page, login: { organisation: string; email: string; password: string }, landing: string) {
  await page.goto('/login');
  await page.getByLabel('Organisation').fill(login.organisation);
  await page.getByLabel('E-mail').fill(login.email);
  await page.getByLabel('Password').fill(login.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(atPath(landing));
}
