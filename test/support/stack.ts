import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { startLocalStack, type LocalStackOptions } from '../../functions/src/local/stack';
import type { ApiClient } from './api-client';

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

/**
 * Wait until the stack has applied everything queued, then read a service and its latest operation (with the
 * per-host logs) — what the host tests check after each create, change or delete.
 */
export async function settledService(stack: { idle(): Promise<void> }, client: ApiClient, serviceId: string) {
  await stack.idle();
  const service = (await client.get(`/v1/services/${serviceId}`)).body;
  const op = (await client.get(`/v1/operations/${service.lastOperationId}`)).body;
  return { service, op };
}
