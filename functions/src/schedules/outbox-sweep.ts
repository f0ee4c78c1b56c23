import { sweepOutbox } from '@consort/shared/provisioning/use-cases';
import { getDeps } from '../lib/deps';

/** rate(1 minute): dispatch operations left in the outbox for more than 30 s (inline dispatch failed or crashed). */
export async function handler(): Promise<{ dispatched: number }> {
  const deps = await getDeps();
  const dispatched = await sweepOutbox(deps, { olderThanMs: 30_000 });
  if (dispatched) deps.log.info('Outbox sweep dispatched operations', { dispatched });
  return { dispatched };
}
