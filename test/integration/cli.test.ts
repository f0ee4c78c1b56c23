// The real `consort` CLI, spawned as a user would run it: one JSON request on stdin, one JSON response on stdout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { THESIS_TABLE } from '../fixtures/factories/packs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/consort.mjs', import.meta.url));

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

const consort = (args: string[], input?: string) => run(process.execPath, [BIN, ...args], input);

/** Like Promise.all over `items`, at most 4 CLI processes at a time (the machine is shared). */
async function each<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(4, items.length) }, worker));
  return results;
}

async function engine(request: unknown): Promise<{ code: number | null; body: any }> {
  const { code, stdout, stderr } = await consort(['engine'], typeof request === 'string' ? request : JSON.stringify(request));
  expect(stdout.trim().split('\n'), stderr).toHaveLength(1);
  return { code, body: JSON.parse(stdout) };
}

const PACKS = [
  {
    name: 'Default',
    default: true,
    combinable: true,
    allowMultiple: false,
    contracted: 1,
    rates: [
      { from: 1, price: '15.00' },
      { from: 5, price: '10.00' },
      { from: 10, price: '5.00' },
    ],
  },
  {
    name: 'Organisation member',
    default: false,
    combinable: true,
    allowMultiple: false,
    contracted: 1,
    rates: [
      { from: 1, price: '0.00' },
      { from: 2, price: '10.00' },
    ],
  },
];

// Each case spawns a process (~0.5 s of CPU); generous timeouts because the machine may be busy.
describe('npx consort engine', { timeout: 240_000 }, () => {
  it('runs from the repository root through npx', async () => {
    const request = { op: 'size', billingPeriod: 'annual', pricingPeriod: 'billing', start: '2024-03-15', end: '2025-01-01' };
    const { code, stdout } = await run('npx', ['--no-install', 'consort', 'engine'], JSON.stringify(request));
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ size: '0.80' });
  });

  it('rates the thesis table with all three algorithms', async () => {
    const cases = (['progressive', 'best', 'match'] as const).flatMap((algorithm) =>
      Object.entries(THESIS_TABLE[algorithm]).map(([n, expected]) => ({ algorithm, n: Number(n), expected })),
    );
    const results = await each(cases, ({ algorithm, n }) =>
      engine({ op: 'rate', algorithm, quantity: n, nominalPrice: '10.00', packs: PACKS }),
    );
    results.forEach(({ code, body }, i) => {
      const { algorithm, n, expected } = cases[i]!;
      expect(code, `${algorithm} ${n}`).toBe(0);
      expect(body, `${algorithm} ${n}`).toEqual({
        lines: expected.lines.map(([quantity, price]) => ({ quantity, price })),
        total: expected.total,
      });
    });
  });

  it('rates with no packs at the nominal price, and zero units as nothing', async () => {
    const [none, zero] = await Promise.all([
      engine({ op: 'rate', algorithm: 'best', quantity: 3, nominalPrice: '2.5', packs: [] }),
      engine({ op: 'rate', algorithm: 'progressive', quantity: 0, nominalPrice: '2.50', packs: PACKS }),
    ]);
    expect(none.body).toEqual({ lines: [{ quantity: 3, price: '2.50' }], total: '7.50' });
    expect(zero.body).toEqual({ lines: [], total: '0.00' });
  });

  it('answers billing points', async () => {
    const base = {
      op: 'billingPoint',
      billingPeriod: 'annual',
      billingPoint: 'fixed',
      paymentStyle: 'prepay',
      date: '2024-03-15',
      registeredOn: '2023-06-10',
      cancelledOn: null,
      onCancel: 'nothing',
      fixedMonth: 1,
    };
    const cases: [Record<string, unknown>, string][] = [
      [{}, '2025-01-01'],
      [{ paymentStyle: 'postpay' }, '2024-01-01'],
      [{ fixedMonth: 4 }, '2024-04-01'],
      [{ billingPeriod: 'monthly', billingPoint: 'on-register', registeredOn: '2023-01-31', date: '2024-01-15' }, '2024-02-29'],
      [
        { billingPeriod: 'monthly', billingPoint: 'on-register', registeredOn: '2023-01-31', date: '2024-04-02', paymentStyle: 'postpay' },
        '2024-04-30',
      ],
      [{ billingPeriod: 'quarterly' }, '2024-04-01'],
      [{ billingPeriod: 'once' }, '2023-06-10'],
      [{ cancelledOn: '2024-05-01', onCancel: 'refund' }, '2024-05-01'],
      [{ cancelledOn: '2024-05-01', onCancel: 'nothing' }, '2025-01-01'],
    ];
    const results = await each(cases, ([overrides]) => engine({ ...base, ...overrides }));
    results.forEach(({ code, body }, i) => {
      expect(code).toBe(0);
      expect(body, JSON.stringify(cases[i]![0])).toEqual({ billingPoint: cases[i]![1] });
    });
  });

  it('answers sizes with 2 decimals', async () => {
    const cases: [string, string, string, string, string][] = [
      ['annual', 'billing', '2024-03-15', '2025-01-01', '0.80'],
      ['monthly', 'billing', '2024-03-15', '2024-04-01', '0.57'],
      ['monthly', 'billing', '2024-01-31', '2024-03-01', '1.03'],
      ['annual', 'monthly', '2024-03-15', '2025-01-01', '9.55'],
      ['once', 'billing', '2024-03-15', '2025-01-01', '1.00'],
    ];
    const results = await each(cases, ([billingPeriod, pricingPeriod, start, end]) =>
      engine({ op: 'size', billingPeriod, pricingPeriod, start, end }),
    );
    results.forEach(({ code, body }, i) => {
      expect(code).toBe(0);
      expect(body).toEqual({ size: cases[i]![4] });
    });
  });

  it('answers pricing slots', async () => {
    const [fixed, onRegister] = await Promise.all([
      engine({ op: 'pricingSlots', pricingPeriod: 'monthly', billingPoint: 'fixed', start: '2024-03-15', end: '2024-06-01' }),
      engine({ op: 'pricingSlots', pricingPeriod: 'annual', billingPoint: 'on-register', start: '2024-02-29', end: '2025-03-01' }),
    ]);
    expect(fixed.body).toEqual({
      slots: [
        ['2024-03-01', '2024-04-01'],
        ['2024-04-01', '2024-05-01'],
        ['2024-05-01', '2024-06-01'],
      ],
    });
    expect(onRegister.body).toEqual({
      slots: [
        ['2024-02-29', '2025-02-28'],
        ['2025-02-28', '2026-02-28'],
      ],
    });
  });

  it('answers bad requests with a JSON validation error and exit code 1', async () => {
    const rateRequest = { op: 'rate', algorithm: 'best', quantity: 3, nominalPrice: '10.00', packs: PACKS };
    const cases: [unknown, (string | number)[]][] = [
      ['{"op": "rate", ', []],
      ['', []],
      [[1, 2], []],
      [{ op: 'invoice' }, ['op']],
      [{ ...rateRequest, algorithm: 'cheapest' }, ['algorithm']],
      [{ ...rateRequest, quantity: -1 }, ['quantity']],
      [{ ...rateRequest, quantity: 2.5 }, ['quantity']],
      [{ ...rateRequest, nominalPrice: 10 }, ['nominalPrice']],
      [
        {
          ...rateRequest,
          packs: [
            {
              ...PACKS[0],
              rates: [
                { from: 0, price: '1' },
                { from: 1, price: '2' },
              ],
            },
          ],
        },
        ['packs', 0, 'rates', 1, 'from'],
      ],
      [{ ...rateRequest, packs: [{ ...PACKS[0], rates: [] }] }, ['packs', 0, 'rates']],
      [{ op: 'size', billingPeriod: 'monthly', pricingPeriod: 'billing', start: '2023-02-29', end: '2024-01-01' }, ['start']],
      [{ op: 'size', billingPeriod: 'monthly', pricingPeriod: 'billing', start: '2024-03-01', end: '2024-02-01' }, ['end']],
      [{ op: 'size', billingPeriod: 'weekly', pricingPeriod: 'billing', start: '2024-03-01', end: '2024-04-01' }, ['billingPeriod']],
      [
        { op: 'billingPoint', billingPeriod: 'monthly', billingPoint: 'fixed', paymentStyle: 'prepay', date: '2024-03-15' },
        ['registeredOn'],
      ],
      [{ op: 'pricingSlots', pricingPeriod: 'billing', billingPoint: 'fixed', start: '2024-03-01', end: '2024-04-01' }, ['pricingPeriod']],
    ];
    const results = await each(cases, ([request]) => engine(request));
    results.forEach(({ code, body }, i) => {
      const label = JSON.stringify(cases[i]![0]);
      expect(code, label).toBe(1);
      expect(body.error.code, label).toBe('validation_failed');
      expect(typeof body.error.message).toBe('string');
      expect(
        body.error.details.map((d: { path: unknown }) => d.path),
        label,
      ).toContainEqual(cases[i]![1]);
      for (const detail of body.error.details) expect(typeof detail.message).toBe('string');
    });
  });

  it('prints help, and refuses unknown commands', async () => {
    const [help, unknown] = await Promise.all([consort(['help']), consort(['frobnicate'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/consort engine|engine {3}Read one JSON request/);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
  });
});
