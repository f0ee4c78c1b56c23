import { sweepRollouts } from '@consort/shared/provisioning/rollout-use-cases';
import { sweepOutbox } from '@consort/shared/provisioning/use-cases';
import { getDeps } from '../lib/deps';

/**
 * rate(1 minute): dispatch operations left in the outbox for more than 30 s (inline dispatch failed or crashed), and
 * repair running rollouts a crash left stuck (operations not created, or settled but not counted, for 5 minutes).
 */
export async function handler(): Promise<{ dispatched: number; rollouts: number }> {
  const deps = await getDeps();
  const dispatched = await sweepOutbox(deps, { olderThanMs: 30_000 });
  if (dispatched) deps.log.info('Outbox sweep dispatched operations', { dispatched });
  const rollouts = await sweepRollouts(deps);
  if (rollouts) deps.log.info('Outbox sweep repaired rollouts', { rollouts });
  return { dispatched, rollouts };
}
