import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProvisioningMessageBody } from '../../../functions/src/queues/provisioning';
import type { Operation } from '@consort/shared/provisioning/model';
import { hostMessages, OPERATIONS_PER_MESSAGE } from '@consort/shared/provisioning/use-cases';

// The provisioning queue's messages: a host's operations travel together (one unit of work however the queue batches
// deliveries), and the consumer reads both this format and the one-operation body queued before it.

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const op = (id: string, targets: string[], attempt = 1) => ({ id, tenantId: 't_1', attempt, targets }) as unknown as Operation;

describe('hostMessages', () => {
  it('sends one message per host with its operations in order, in the host’s FIFO group', () => {
    const messages = hostMessages([op('op_a', ['h1', 'h2']), op('op_b', ['h1']), op('op_c', ['h2'], 3)], sha256);
    expect(messages.map((m) => m.groupId)).toEqual(['t_1#h1', 't_1#h2']);
    expect(messages[0]!.body).toEqual({
      tenantId: 't_1',
      hostId: 'h1',
      operations: [
        { id: 'op_a', attempt: 1 },
        { id: 'op_b', attempt: 1 },
      ],
    });
    expect(messages[1]!.body.operations).toEqual([
      { id: 'op_a', attempt: 1 },
      { id: 'op_c', attempt: 3 },
    ]);
  });

  it('keeps the per-attempt deduplication id for one operation and hashes the attempts carried otherwise', () => {
    expect(hostMessages([op('op_a', ['h1'], 2)], sha256)[0]!.deduplicationId).toBe('op_a-2-h1');
    const pair = hostMessages([op('op_a', ['h1']), op('op_b', ['h1'])], sha256)[0]!.deduplicationId;
    expect(pair).toMatch(/^[0-9a-f]{64}$/); // SQS allows 128 characters
    expect(hostMessages([op('op_a', ['h1']), op('op_b', ['h1'], 2)], sha256)[0]!.deduplicationId).not.toBe(pair);
    expect(hostMessages([op('op_a', ['h2']), op('op_b', ['h2'])], sha256)[0]!.deduplicationId).not.toBe(pair);
  });

  it('splits a host’s operations into messages of at most OPERATIONS_PER_MESSAGE, in order', () => {
    const ops = Array.from({ length: OPERATIONS_PER_MESSAGE * 2 + 5 }, (_, i) => op(`op_${String(i).padStart(3, '0')}`, ['h1']));
    const messages = hostMessages(ops, sha256);
    expect(messages.map((m) => m.body.operations.length)).toEqual([OPERATIONS_PER_MESSAGE, OPERATIONS_PER_MESSAGE, 5]);
    expect(messages.flatMap((m) => m.body.operations.map((o) => o.id))).toEqual(ops.map((o) => o.id));
    expect(Buffer.byteLength(JSON.stringify(messages[0]!.body))).toBeLessThan(256 * 1024);
  });
});

describe('ProvisioningMessageBody', () => {
  it('reads a host’s operations, and a one-operation body as a list of one', () => {
    const body = { tenantId: 't_1', hostId: 'h1', operations: [{ id: 'op_a', attempt: 1 }] };
    expect(ProvisioningMessageBody.parse(body)).toEqual(body);
    expect(ProvisioningMessageBody.parse({ tenantId: 't_1', hostId: 'h1', operationId: 'op_a', attempt: 1 })).toEqual(body);
  });

  it('rejects bodies without operations or with a bad attempt', () => {
    expect(ProvisioningMessageBody.safeParse({ tenantId: 't_1', hostId: 'h1', operations: [] }).success).toBe(false);
    expect(ProvisioningMessageBody.safeParse({ tenantId: 't_1', hostId: 'h1', operationId: 'op_a', attempt: 'x' }).success).toBe(false);
    expect(ProvisioningMessageBody.safeParse({ tenantId: 't_1', operations: [{ id: 'op_a', attempt: 1 }] }).success).toBe(false);
  });
});
