import { chromium } from 'playwright-core';
import { startLocalStack } from '../functions/src/local/stack';
const stack = await startLocalStack({
  apiPort: 0,
  web: { port: 0, mode: (process.env.MODE as any) ?? 'prod' },
  schedules: false,
  weakPasswordHashing: true,
  log: (p, l) => {
    if (p !== 'api' && p !== 'dynamodb') console.log(`[${p}] ${l}`);
  },
});
const s = Math.random().toString(16).slice(2, 8);
const su = await fetch(`${stack.apiUrl}/v1/signup`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    organisation: 'Dbg ' + s,
    slug: 'dbg-' + s,
    country: 'ES',
    currency: 'EUR',
    locale: 'en',
    timeZone: 'Europe/Madrid',
    ownerName: 'O',
    email: `o${s}@example.org`,
    password: 'correct-horse-battery',
  }),
});
console.log('signup', su.status, (await su.text()).slice(0, 200));
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox'] });
const page = await (await browser.newContext({ baseURL: stack.webUrl })).newPage();
page.on('console', (m) => console.log('[console]', m.type(), m.text()));
page.on(
  'request',
  (r) => r.method() === 'POST' && console.log('[req]', r.method(), r.url(), JSON.stringify(r.headers()['next-action'] ?? '')),
);
page.on('response', (r) => r.request().method() === 'POST' && console.log('[res]', r.status(), r.url(), JSON.stringify(r.headers())));
page.on('requestfinished', (r) => r.method() === 'POST' && console.log('[finished]', r.url()));
page.on('requestfailed', (r) => console.log('[failed]', r.method(), r.url(), r.failure()?.errorText));
await page.goto('/login');
await page
  .getByLabel('Organisation')
  .fill('dbg-' + s)
  .catch((e) => console.log('no org field', e.message));
await page.getByLabel('E-mail').fill(`o${s}@example.org`);
await page.getByLabel('Password').fill('correct-horse-battery');
await page.getByRole('button', { name: 'Sign in' }).click();
await page.waitForURL((u) => u.pathname === '/admin', { timeout: 30000 });
console.log('logged in');
for (let i = 0; i < 3; i++) {
  await page.goto('/admin/accounts');
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Name').fill('Acc ' + i);
  await form.getByLabel('E-mail').fill(`a${i}${s}@example.org`);
  await form.getByLabel('Country').selectOption('ES');
  const t = Date.now();
  await form.getByRole('button', { name: 'Create account' }).click();
  try {
    await page.waitForURL((u) => /^\/admin\/accounts\/[^/]+$/.test(u.pathname), { timeout: 15000 });
    console.log('OK', i, Date.now() - t);
  } catch {
    console.log('HUNG', i);
    await page.screenshot({ path: '.dbg/hung.png' });
  }
}
await browser.close();
await stack.stop();
process.exit(0);
