import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '@consort/shared/core/actor';
import type { ProvisioningQueue } from '@consort/shared/ports/crypto';
import { dispatchOperation } from '@consort/shared/provisioning/use-cases';
import { createService } from '@consort/shared/services/use-cases';
import type { LocalStack } from '../../functions/src/local/stack';
import { handler as queueConsumer } from '../../functions/src/queues/provisioning';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// A host's queued backlog joins the unit of work of the message being worked on (provisioning/worker.ts
// `queuedBacklog`): changes that queue up behind each other on one host run as one script with one reload, and when
// such a combined script fails, its operations run again one by one so that only the change at fault fails.
// The messages are captured instead of delivered, then run through the state machine in the order SQS would.

let stack: LocalStack;
let owner: ApiClient;
let actor: Actor;
let accountId: string;
let dir: string;

type Message = Parameters<ProvisioningQueue['send']>[0][number];

/** Run `work` with the queue's messages kept from the poller; returns them. */
async function capture(work: () => Promise<unknown>): Promise<Message[]> {
  const messages: Message[] = [];
  const real = stack.deps.queue;
  stack.deps.queue = { send: async (batch) => void messages.push(...batch) } as ProvisioningQueue;
  try {
    await work();
  } finally {
    stack.deps.queue = real;
  }
  return messages;
}

/** Create domains through the use case and dispatch each on its own: one message each, kept from the poller. */
async function queued(names: string[]): Promise<{ operationIds: string[]; messages: Message[] }> {
  const operationIds: string[] = [];
  const messages = await capture(async () => {
    for (const name of names) {
      const { operation } = await createService(stack.deps, actor, { accountId, kind: 'domain', spec: { name } });
      await dispatchOperation(stack.deps, actor.tenantId, operation.id);
      operationIds.push(operation.id);
    }
  });
  expect(messages).toHaveLength(names.length);
  return { operationIds, messages };
}

async function logsOf(operationId: string) {
  const op = (await owner.get(`/v1/operations/${operationId}`)).body;
  return { state: op.state as string, logs: op.logs as { script: string; startedAt: string; exitCode: number | null; stderr: string }[] };
}

beforeAll(async () => {
  stack = await startTestStack();
  const t = await signupTenant(stack.apiUrl, 'Backlog');
  owner = t.client;
  const me = (await owner.get('/v1/me')).body;
  actor = { type: 'staff', tenantId: me.tenant.id, userId: me.user.id, role: 'owner' };
  dir = mkdtempSync(join(tmpdir(), 'consort-backlog-'));
  // A zone checker that refuses zones whose name starts with "refused-" (every other zone passes).
  const checker = join(dir, 'checkzone');
  writeFileSync(checker, '#!/bin/sh\ncase "$1" in refused-*) echo "zone $1: refused by the test checker" >&2; exit 1;; esac\nexit 0\n');
  chmodSync(checker, 0o755);
  accountId = (await owner.post('/v1/accounts', { name: 'Bulk Owner', email: 'bulk@example.org', country: 'ES' })).body.id;
  const host = await owner.post('/v1/hosts', {
    name: 'ns-backlog',
    address: '127.0.0.1',
    transport: 'local',
    config: {
      'bind.zones_dir': join(dir, 'zones'),
      'bind.conf_file': join(dir, 'named.conf.consort'),
      'bind.checkzone': checker,
      'bind.reload': 'true',
    },
  });
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  expect((await owner.post('/v1/routes', { kind: 'domain', backend: 'bind', hostId: host.body.id })).status).toBe(201);
});

afterAll(async () => {
  await stack?.stop();
});

describe('a host’s queued backlog', () => {
  it('runs with the first message as one script; the later messages find their operations done', async () => {
    const names = ['bulk-1.test', 'bulk-2.test', 'bulk-3.test', 'bulk-4.test'];
    const { operationIds, messages } = await queued(names);
    // Only the first message is worked on: it takes the three queued behind it.
    await stack.deps.runProvisioning(messages[0]!.body);
    const runs = await Promise.all(operationIds.map(logsOf));
    expect(runs.map((r) => r.state)).toEqual(['applied', 'applied', 'applied', 'applied']);
    expect(new Set(runs.map((r) => r.logs[0]!.startedAt)).size).toBe(1);
    for (const name of names) expect(runs[0]!.logs[0]!.script).toContain(name);
    expect(readFileSync(join(dir, 'named.conf.consort'), 'utf8')).toContain('bulk-4.test');
    // The other messages arrive later and change nothing.
    for (const m of messages.slice(1)) await stack.deps.runProvisioning(m.body);
    const after = await Promise.all(operationIds.map(logsOf));
    expect(after.map((r) => r.logs.length)).toEqual([1, 1, 1, 1]);
  });

  it('the queue consumer starts no workflow for a message whose operations another message took in', async () => {
    const { operationIds, messages } = await queued(['skip-1.test', 'skip-2.test']);
    const real = stack.deps.runProvisioning;
    let executions = 0;
    stack.deps.runProvisioning = (input) => {
      executions += 1;
      return real(input);
    };
    const event = (m: Message, i: number): SQSEvent => ({
      Records: [{ messageId: `msg-${i}`, body: JSON.stringify(m.body) } as SQSRecord],
    });
    try {
      expect(await queueConsumer(event(messages[0]!, 0))).toEqual({ batchItemFailures: [] });
      expect(executions).toBe(1); // both domains, from the first message
      expect(await queueConsumer(event(messages[1]!, 1))).toEqual({ batchItemFailures: [] });
      expect(executions).toBe(1); // the second message had nothing left: no execution
    } finally {
      stack.deps.runProvisioning = real;
    }
    expect((await Promise.all(operationIds.map(logsOf))).map((r) => r.state)).toEqual(['applied', 'applied']);
  });

  it('splits a failed combined script: each operation runs again alone and only the change at fault fails', async () => {
    const names = ['fine-1.test', 'refused-zone.test', 'fine-2.test'];
    const { operationIds, messages } = await queued(names);
    const resent = await capture(() => stack.deps.runProvisioning(messages[0]!.body));
    // The combined script failed on the refused zone: no operation is failed for it; each is queued to run alone and
    // sent again in a message of its own.
    expect(resent.map((m) => m.body.operations.map((o) => o.id))).toEqual(operationIds.map((id) => [id]));
    for (const id of operationIds) {
      const op = (await stack.deps.store.operations.get(actor.tenantId, id))!;
      expect(op.state).toBe('queued');
      expect(op.aloneAttempt).toBe(1);
      expect(op.logs).toHaveLength(0);
    }
    // Delivered in queue order: the original messages, then the re-sent ones — one operation per script.
    for (const m of [...messages.slice(1), ...resent]) await stack.deps.runProvisioning(m.body);
    const runs = await Promise.all(operationIds.map(logsOf));
    expect(runs.map((r) => r.state)).toEqual(['applied', 'failed', 'applied']);
    expect(runs.map((r) => r.logs.length)).toEqual([1, 1, 1]);
    expect(new Set(runs.map((r) => r.logs[0]!.startedAt)).size).toBe(3);
    expect(runs[1]!.logs[0]!.stderr).toContain('refused by the test checker');
    expect(runs[0]!.logs[0]!.script).not.toContain('refused-zone.test');
    const conf = readFileSync(join(dir, 'named.conf.consort'), 'utf8');
    expect(conf).toContain('fine-1.test');
    expect(conf).toContain('fine-2.test');
    expect(conf).not.toContain('refused-zone.test');
  });
});
