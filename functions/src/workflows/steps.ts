import { z } from 'zod';
import { STEPS } from '@consort/shared/provisioning/worker';
import { getDeps } from '../lib/deps';

const StepEvent = z.object({ step: z.enum(Object.keys(STEPS) as [keyof typeof STEPS, ...(keyof typeof STEPS)[]]), input: z.unknown() });

/** The provisioning state machine's Task Lambda: `{ step, input }` → the step's JSON output. */
export async function runStep(event: unknown): Promise<unknown> {
  const { step, input } = StepEvent.parse(event);
  const deps = await getDeps();
  return STEPS[step](deps, input);
}

export const handler = runStep;
