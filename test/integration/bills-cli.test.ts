// `npx consort bills export` against a local stack: the accountant's CSV through the API, as a user would run it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '@consort/shared/core/clock';
import { csvField } from '../../functions/src/cli/bills';
import type { LocalStack } from '../../functions/src/local/stack';
import { apiClient, signupTenant } from '../support/api-client';
import { startTestStack } from '../support/stack';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/consort.mjs', import.meta.url));

function consort(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let stack: LocalStack;
let key: string;

beforeAll(async () => {
  stack = await startTestStack({ clock: fixedClock('2026-03-10T10:00:00Z') });
  const t = await signupTenant(stack.apiUrl, 'Export');
  key = (await t.client.post('/v1/api-keys', { name: 'accountant', role: 'accountant' })).body.secret;
  const staff = apiClient(stack.apiUrl, key);
  await staff.patch('/v1/billing/settings', { issuer: { legalName: 'Export SL', taxId: 'B87654321', addressLines: ['C/ Sol 2'] } });
  const account = await t.client.post('/v1/accounts', {
    name: '=HYPERLINK("x"), Ltd',
    email: 'a@example.org',
    country: 'ES',
    address: 'C/ Lluna 3',
  });
  for (const unitPrice of ['100.00', '50.00']) {
    const bill = await staff.post('/v1/bills', { accountId: account.body.id, lines: [{ description: 'Hosting', unitPrice }] });
    expect((await staff.post(`/v1/bills/${bill.body.id}/close`)).status).toBe(200);
  }
  const fee = await staff.post('/v1/bills', {
    accountId: account.body.id,
    type: 'fee',
    lines: [{ description: 'Fee', unitPrice: '30.00' }],
  });
  await staff.post(`/v1/bills/${fee.body.id}/close`);
});

afterAll(async () => {
  await stack?.stop();
});

describe('consort bills export', () => {
  it('writes a year’s bills as CSV in number order, with the SHA-256 on stderr', async () => {
    const { code, stdout, stderr } = await consort([
      'bills',
      'export',
      '--year',
      '2026',
      '--type',
      'invoice',
      '--api',
      stack.apiUrl,
      '--key',
      key,
    ]);
    expect(code, stderr).toBe(0);
    const rows = stdout.trimEnd().split('\r\n');
    expect(rows[0]).toBe(
      'type,number,issued_on,due_on,state,customer_name,customer_tax_id,customer_country,currency,base,tax,total,tax_breakdown,amends,account_id,bill_id',
    );
    expect(rows.slice(1).map((r) => r.split(',').slice(0, 5).join(','))).toEqual([
      'invoice,I2026-0001,2026-03-10,2026-04-09,closed',
      'invoice,I2026-0002,2026-03-10,2026-04-09,closed',
    ]);
    expect(rows[1]).toContain(`"'=HYPERLINK(""x""), Ltd"`);
    expect(rows[1]).toContain(',EUR,100.00,21.00,121.00,S 21%: 100.00 + 21.00,');
    expect(stderr).toMatch(/^2 bills, sha256 [0-9a-f]{64}\n$/);
  });

  it('exports every numbered type when none is given, from the environment’s API and key', async () => {
    const { code, stdout } = await consort(['bills', 'export'], { CONSORT_API_URL: stack.apiUrl, CONSORT_API_KEY: key });
    expect(code).toBe(0);
    expect(
      stdout
        .trimEnd()
        .split('\r\n')
        .slice(1)
        .map((r) => r.split(',')[1]),
    ).toEqual(['I2026-0001', 'I2026-0002', 'F2026-0001']);
  });

  it('explains bad arguments (exit 1) and API refusals (exit 2)', async () => {
    const bad = await consort(['bills', 'export', '--type', 'receipt', '--api', stack.apiUrl, '--key', key]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--type');
    const refused = await consort(['bills', 'export', '--api', stack.apiUrl, '--key', 'cs_key_nonsense_000000000000']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('401');
  });

  it('quotes CSV fields and defuses formulas', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a "b", c')).toBe('"a ""b"", c"');
    expect(csvField('-5.00')).toBe('-5.00');
    expect(csvField('@SUM(A1)', true)).toBe("'@SUM(A1)");
  });
});
