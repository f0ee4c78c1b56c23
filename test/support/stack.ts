import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalStack, type LocalStackOptions } from '../../functions/src/local/stack';

/** A local stack on the run's shared DynamoDB Local, with its own table (tests isolate by table). */
export function startTestStack(options: LocalStackOptions = {}) {
  return startLocalStack({
    dynamoEndpoint: inject('dynamoEndpoint'),
    tableName: `t-${randomBytes(6).toString('hex')}`,
    apiPort: 0,
    schedules: false,
    fastRetries: true,
    weakPasswordHashing: true,
    log: process.env.CONSORT_TEST_LOGS ? undefined : () => {},
    ...options,
  });
}
