import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The same batch built in processes on opposite sides of the date line gives the same file: dates come from the
// tenant's time zone (Europe/Madrid) and the clock, never from the process's TZ.

const probe = fileURLToPath(new URL('../../../support/sepa-tz-probe.ts', import.meta.url));
const tsx = fileURLToPath(new URL('../../../../node_modules/.bin/tsx', import.meta.url));

function run(tz: string): { tz: string; localHour: number; today: string; date: string; xml: string } {
  return JSON.parse(execFileSync(tsx, [probe], { env: { ...process.env, TZ: tz }, encoding: 'utf8' }));
}

describe('SEPA dates and the process time zone', () => {
  it('Pacific/Kiritimati (UTC+14) and America/Los_Angeles (UTC-8) produce the same dates and the same file', () => {
    const east = run('Pacific/Kiritimati');
    const west = run('America/Los_Angeles');
    // The processes really were in different days (13:30 on 1 Dec vs 15:30 on 30 Nov).
    expect([east.localHour, west.localHour]).toEqual([13, 15]);
    expect(east.today).toBe('2026-12-01');
    expect(west.today).toBe('2026-12-01');
    // Tue 1 Dec + 2 TARGET days = Thu 3 Dec; the requested Fri 4 Dec is later and a business day.
    expect(east.date).toBe('2026-12-04');
    expect(west.xml).toBe(east.xml);
    expect(east.xml).toContain('<ReqdColltnDt>2026-12-04</ReqdColltnDt>');
    expect(east.xml).toContain('<CreDtTm>2026-11-30T23:30:00Z</CreDtTm>');
  }, 60_000);
});
