// A local stack in a process of its own, for tests that kill it (SIGKILL, no shutdown) and start it again on the same
// data: DynamoDB is the test run's (it outlives the "crash", as DynamoDB does on AWS); the queue, the workflow
// executions and the API are this process's and die with it. Prints `{"apiUrl": …}` on stdout once it serves.
import { startLocalStack } from '../../functions/src/local/stack';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
};

const stack = await startLocalStack({
  dynamoEndpoint: env('CONSORT_TEST_DYNAMODB'),
  tableName: env('CONSORT_TEST_TABLE'),
  dataDir: env('CONSORT_DATA_DIR'),
  apiPort: 0,
  schedules: false,
  fastRetries: true,
  weakPasswordHashing: true,
  stripe: false,
  log: (prefix, line) => process.stderr.write(`[${prefix}] ${line}\n`),
});
process.stdout.write(`${JSON.stringify({ apiUrl: stack.apiUrl })}\n`);
