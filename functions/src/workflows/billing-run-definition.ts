/**
 * The billing-run state machine, in JSONPath (aws-local-stepfunctions ignores JSONata). CDK deploys it as a STANDARD
 * machine started asynchronously (a run over thousands of accounts outlives any synchronous call); locally the same
 * definition runs in aws-local-stepfunctions with each Task overridden by state name (functions/src/local/stack.ts).
 *
 * The state carries ids only — `{ tenantId, runId, attempt, phase, page? }` with at most one page of account ids —
 * and every Task persists its progress on the run record, so a new execution (resume) continues where the last
 * committed step left off. Every Task invokes the one "billing-run steps" Lambda with `{ step, input }`.
 */
export const BILLING_RUN_TASK_STATES = [
  'Begin',
  'ListAccounts',
  'BillAccounts',
  'CloseBills',
  'SendBills',
  'Finish',
  'MarkFailed',
] as const;
export type BillingRunTaskState = (typeof BILLING_RUN_TASK_STATES)[number];

/** Step name passed to the steps handler for each Task state. */
export const BILLING_RUN_STEP_OF_STATE: Record<BillingRunTaskState, string> = {
  Begin: 'begin',
  ListAccounts: 'listAccounts',
  BillAccounts: 'billAccounts',
  CloseBills: 'closeBills',
  SendBills: 'sendBills',
  Finish: 'finish',
  MarkFailed: 'markFailed',
};

/** Error name a step throws when its execution no longer owns the run (it was resumed elsewhere, or finished). */
export const SUPERSEDED_ERROR = 'BillingRunSuperseded';

const retry = [
  { ErrorEquals: ['TransientError'], IntervalSeconds: 2, MaxAttempts: 4, BackoffRate: 2 },
  {
    ErrorEquals: ['Lambda.ServiceException', 'Lambda.TooManyRequestsException', 'Lambda.SdkClientException'],
    IntervalSeconds: 2,
    MaxAttempts: 3,
    BackoffRate: 2,
  },
];

const catchAll = [
  { ErrorEquals: [SUPERSEDED_ERROR], Next: 'Superseded' },
  { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' },
];

function task(state: BillingRunTaskState, functionArn: string, next: string | undefined, extra: object = {}) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: functionArn, Payload: { step: BILLING_RUN_STEP_OF_STATE[state], 'input.$': '$' } },
    OutputPath: '$.Payload',
    ...(next ? { Next: next } : { End: true }),
    ...extra,
  };
}

/** Amazon States Language document; `stepsFunctionArn` is the steps Lambda (any ARN-shaped string locally). */
export function billingRunDefinition(stepsFunctionArn: string) {
  const step = (state: BillingRunTaskState, next: string) =>
    task(state, stepsFunctionArn, next, { TimeoutSeconds: 600, Retry: retry, Catch: catchAll });
  return {
    Comment: 'Bill every account of a tenant page by page, then optionally close and send the bills; progress on the run record.',
    StartAt: 'Begin',
    States: {
      Begin: step('Begin', 'Route'),
      Route: {
        Type: 'Choice',
        Choices: [
          { Variable: '$.phase', StringEquals: 'billing', Next: 'ListAccounts' },
          { Variable: '$.phase', StringEquals: 'closing', Next: 'CloseBills' },
          { Variable: '$.phase', StringEquals: 'sending', Next: 'SendBills' },
        ],
        Default: 'Finish',
      },
      ListAccounts: step('ListAccounts', 'BillAccounts'),
      BillAccounts: step('BillAccounts', 'Route'),
      CloseBills: step('CloseBills', 'Route'),
      SendBills: step('SendBills', 'Route'),
      Finish: task('Finish', stepsFunctionArn, undefined, { Retry: retry, Catch: catchAll }),
      MarkFailed: task('MarkFailed', stepsFunctionArn, 'Failed', { Retry: retry }),
      Failed: { Type: 'Fail', Error: 'BillingRunFailed', Cause: 'See the run record for the error' },
      Superseded: { Type: 'Succeed' },
    },
  };
}
