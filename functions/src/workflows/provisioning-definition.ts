/**
 * The provisioning state machine, in JSONPath (aws-local-stepfunctions silently ignores JSONata).
 * CDK deploys it as an EXPRESS machine started synchronously by the queue consumer, so one host's
 * units of work run one after another (SQS FIFO group = host). Locally the same definition runs in
 * aws-local-stepfunctions with each Task overridden by state name (see functions/src/local/).
 *
 * Every Task invokes the one "provisioning steps" Lambda with `{ step, input }`.
 */
export const PROVISIONING_TASK_STATES = ['Prepare', 'Execute', 'Complete', 'MarkFailed'] as const;
export type ProvisioningTaskState = (typeof PROVISIONING_TASK_STATES)[number];

/** Step name passed to the steps handler for each Task state. */
export const STEP_OF_STATE: Record<ProvisioningTaskState, string> = {
  Prepare: 'prepare',
  Execute: 'execute',
  Complete: 'complete',
  MarkFailed: 'markFailed',
};

function task(state: ProvisioningTaskState, functionArn: string, next: string | undefined, extra: object = {}) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn, Payload: { step: STEP_OF_STATE[state], 'input.$': '$' } },
    OutputPath: '$.Payload',
    ...(next ? { Next: next } : { End: true }),
    ...extra,
  };
}

const catchAll = [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }];

/** Amazon States Language document; `stepsFunctionArn` is the steps Lambda (any string locally). */
export function provisioningDefinition(stepsFunctionArn: string) {
  return {
    Comment: 'Render one unit of work for a host, run it over the host transport, record the outcome.',
    StartAt: 'Prepare',
    States: {
      Prepare: task('Prepare', stepsFunctionArn, 'HasWork', { Catch: catchAll }),
      HasWork: {
        Type: 'Choice',
        Choices: [{ Variable: '$.hasWork', BooleanEquals: false, Next: 'NothingToDo' }],
        Default: 'Execute',
      },
      NothingToDo: { Type: 'Succeed' },
      Execute: task('Execute', stepsFunctionArn, 'Complete', {
        TimeoutSeconds: 290,
        Retry: [
          { ErrorEquals: ['TransientError'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2 },
          {
            ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException'],
            IntervalSeconds: 2,
            MaxAttempts: 3,
            BackoffRate: 2,
          },
        ],
        Catch: catchAll,
      }),
      Complete: task('Complete', stepsFunctionArn, undefined, { Catch: catchAll }),
      MarkFailed: task('MarkFailed', stepsFunctionArn, undefined),
    },
  };
}
