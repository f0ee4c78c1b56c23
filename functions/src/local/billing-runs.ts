// Billing runs in the embedded runtime: the billing-run definition in aws-local-stepfunctions, each Task calling the
// in-process step. Executions live in memory and run in the background (not awaited by the HTTP request that starts
// them); a run whose process stopped is resumed at the next start (resumeStaleBillingRuns in ./stack.ts).
import type { BillingRunExecution } from '@consort/shared/bills/runs';
import type { BillingRunStepHooks } from '@consort/shared/bills/run-use-cases';
import type { AppDeps } from '../lib/deps';
import { billingRunDefinition, BILLING_RUN_TASK_STATES } from '../workflows/billing-run-definition';
import { billingRunSteps, type BillingRunStepOptions } from '../workflows/billing-run-steps';
import { createLocalStateMachine } from './step-functions';

export interface LocalBillingRuns {
  /** Start an execution in the background (the AppDeps port). */
  start(execution: BillingRunExecution): Promise<void>;
  /** Resolves when every execution started so far has ended. */
  idle(): Promise<void>;
}

/** A launcher of local billing-run executions over `deps` (`hooks` lets tests stop a step half-way). */
export function localBillingRuns(
  deps: () => AppDeps,
  options: { fastRetries?: boolean; hooks?: BillingRunStepHooks; steps?: BillingRunStepOptions; log?: (line: string) => void } = {},
): LocalBillingRuns {
  const steps = billingRunSteps(options.hooks, options.steps);
  const machine = createLocalStateMachine(
    billingRunDefinition('arn:aws:lambda:eu-west-1:000000000000:function:consort-billing-run-steps'),
    Object.fromEntries(
      BILLING_RUN_TASK_STATES.map((state) => [
        state,
        (payload: unknown) => {
          const { step, input } = payload as { step: string; input: unknown };
          return steps[step]!(deps(), input);
        },
      ]),
    ),
    { retryIntervalsZero: options.fastRetries ?? false },
  );
  const running = new Set<Promise<unknown>>();
  return {
    start: async (execution) => {
      const run = machine
        .execute(execution)
        .then(
          () => options.log?.(`billing run ${execution.runId} (attempt ${execution.attempt}) ended`),
          (error: unknown) =>
            options.log?.(
              `billing run ${execution.runId} (attempt ${execution.attempt}) failed: ${error instanceof Error ? error.message : String(error)}`,
            ),
        )
        .finally(() => running.delete(run));
      running.add(run);
    },
    idle: async () => {
      while (running.size) await Promise.allSettled([...running]);
    },
  };
}
