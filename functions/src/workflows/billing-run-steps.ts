import { z } from 'zod';
import {
  beginStep,
  billAccountsStep,
  closeBillsStep,
  failStep,
  finishStep,
  listAccountsStep,
  sendBillsStep,
  type BillingRunStepHooks,
} from '@consort/shared/bills/run-use-cases';
import { getDeps, type AppDeps } from '../lib/deps';

const Execution = z.object({ tenantId: z.string().min(1), runId: z.string().min(1), attempt: z.number().int().min(1) });
const BillPage = Execution.extend({
  page: z.object({ index: z.number().int().min(0), accountIds: z.array(z.string()), nextCursor: z.string().optional() }),
});
const Failed = Execution.extend({ error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional() });

/** Tuning of the steps: accounts per page and billed at once (defaults in run-use-cases.ts). */
export interface BillingRunStepOptions {
  pageSize?: number;
  concurrency?: number;
}

/** Each step of the billing-run workflow over the shared use cases (the `step` names of billing-run-definition.ts). */
export function billingRunSteps(
  hooks: BillingRunStepHooks = {},
  options: BillingRunStepOptions = {},
): Record<string, (deps: AppDeps, input: unknown) => Promise<unknown>> {
  return {
    begin: (deps, input) => beginStep(deps, Execution.parse(input)),
    listAccounts: (deps, input) => listAccountsStep(deps, Execution.parse(input), options.pageSize),
    billAccounts: (deps, input) => billAccountsStep(deps, BillPage.parse(input), hooks, options.concurrency),
    closeBills: (deps, input) => closeBillsStep(deps, Execution.parse(input)),
    sendBills: (deps, input) => sendBillsStep(deps, Execution.parse(input)),
    finish: (deps, input) => finishStep(deps, Execution.parse(input)),
    markFailed: (deps, input) => failStep(deps, Failed.parse(input)),
  };
}

const STEPS = billingRunSteps();
const StepEvent = z.object({ step: z.string(), input: z.unknown() });

/** The billing-run state machine's Task Lambda: `{ step, input }` → the step's JSON output. */
export async function runBillingRunStep(event: unknown): Promise<unknown> {
  const { step, input } = StepEvent.parse(event);
  const run = STEPS[step];
  if (!run) throw new Error(`Unknown billing-run step ${step}`);
  return run(await getDeps(), input);
}

export const handler = runBillingRunStep;
