import { runDunning } from '@consort/shared/payments/dunning-run';
import { getDeps } from '../lib/deps';

/** cron daily: take each tenant's due dunning steps (reminders, card retry, suspension) and end settled dunning. */
export async function handler(): Promise<{ steps: string[]; settled: string[] }> {
  const deps = await getDeps();
  const out = await runDunning(deps);
  if (out.steps.length || out.settled.length) deps.log.info('Dunning', { ...out });
  return out;
}
