// Step Functions for the embedded runtime: aws-local-stepfunctions runs the very definition CDK deploys, with every
// Task state overridden by name to call the in-process handler (there is no local Lambda service).
import { StateMachine } from 'aws-local-stepfunctions';

// aws-local-stepfunctions 3 needs Node 22's Promise.withResolvers; without it every Task fails on Node 20.
const P = Promise as unknown as { withResolvers?: <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

type Json = Parameters<StateMachine['run']>[0];
type AslDefinition = ConstructorParameters<typeof StateMachine>[0];

export interface LocalStateMachine {
  /** Run one execution to its end (like StartSyncExecution); rejects when the execution fails. */
  execute(input: unknown): Promise<unknown>;
}

interface TaskState {
  Type: string;
  Retry?: unknown[];
}

/**
 * `handlers` maps each Task state name to the function that plays its Lambda. The handler receives the Lambda
 * `Payload` (after `Parameters`) and its return value is wrapped as `{ Payload }`, as `lambda:invoke` returns it.
 * A thrown error keeps its `name`, so Retry/Catch on custom error names behave as on AWS.
 */
export function createLocalStateMachine(
  definition: object,
  handlers: Record<string, (payload: unknown) => Promise<unknown>>,
  options: { retryIntervalsZero?: boolean } = {},
): LocalStateMachine {
  const states = (definition as { States: Record<string, TaskState> }).States;
  const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
  const missing = tasks.map(([name]) => name).filter((name) => !handlers[name]);
  // A Task left without a handler would be sent to the real Lambda service: refuse instead.
  if (missing.length) throw new Error(`No local handler for Task state(s): ${missing.join(', ')}`);
  const machine = new StateMachine(definition as AslDefinition, { validationOptions: { checkArn: true, checkPaths: true } });
  const taskResourceLocalHandlers = Object.fromEntries(
    tasks.map(([name]) => [
      name,
      async (input: Json) => {
        const payload = (input as { Payload?: unknown } | null)?.Payload ?? input;
        const result = await handlers[name]!(payload);
        return { Payload: (result ?? null) as Json } as Json;
      },
    ]),
  );
  const retryIntervalOverrides = options.retryIntervalsZero
    ? Object.fromEntries(tasks.filter(([, s]) => s.Retry?.length).map(([name]) => [name, 0]))
    : undefined;
  return {
    execute: async (input) => {
      const execution = machine.run(input as Json, { overrides: { taskResourceLocalHandlers, retryIntervalOverrides } });
      return execution.result;
    },
  };
}
