import { startScheduledBillingRuns } from '@consort/shared/bills/run-use-cases';
import { getDeps } from '../lib/deps';

/** rate(1 hour): start each tenant's scheduled billing run when due (once per month) and resume runs whose execution died. */
export async function handler(): Promise<{ started: string[]; resumed: string[] }> {
  const deps = await getDeps();
  const out = await startScheduledBillingRuns(deps);
  if (out.started.length || out.resumed.length) deps.log.info('Billing runs', out);
  return out;
}
