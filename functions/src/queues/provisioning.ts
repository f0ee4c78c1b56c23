import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { hasLiveWork } from '@consort/shared/provisioning/worker';
import { getDeps } from '../lib/deps';

const Attempt = z.object({ id: z.string(), attempt: z.number().int() });
/** A host's operations (current format) or one operation (messages sent before the format changed, still queued). */
export const ProvisioningMessageBody = z.union([
  z.object({ tenantId: z.string(), hostId: z.string(), operations: z.array(Attempt).min(1) }),
  z
    .object({ tenantId: z.string(), hostId: z.string(), operationId: z.string(), attempt: z.number().int() })
    .transform(({ tenantId, hostId, operationId, attempt }) => ({ tenantId, hostId, operations: [{ id: operationId, attempt }] })),
]);

/**
 * SQS FIFO → provisioning workflow. Each record carries a host's operations; records of one message group
 * (tenant#host) run together as one unit of work, in order; groups run in parallel. If a group's workflow cannot
 * run at all, that group's records are reported as failures (FIFO: the rest of a group must not overtake them) and
 * SQS redelivers them.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const deps = await getDeps();
  const groups = new Map<string, { records: SQSRecord[]; messages: z.infer<typeof ProvisioningMessageBody>[] }>();
  for (const record of event.Records) {
    const parsed = ProvisioningMessageBody.safeParse(safeJson(record.body));
    if (!parsed.success) {
      deps.log.error('Dropping malformed provisioning message', { messageId: record.messageId, issues: parsed.error.issues });
      continue; // a retry cannot fix it: acknowledge
    }
    const key = `${parsed.data.tenantId}#${parsed.data.hostId}`;
    const group = groups.get(key) ?? { records: [], messages: [] };
    group.records.push(record);
    group.messages.push(parsed.data);
    groups.set(key, group);
  }
  const failures: SQSBatchResponse['batchItemFailures'] = [];
  await Promise.all(
    [...groups.values()].map(async ({ records, messages }) => {
      const first = messages[0]!;
      const input = { tenantId: first.tenantId, hostId: first.hostId, operations: messages.flatMap((m) => m.operations) };
      try {
        // Nothing left to do (taken in by an earlier message's unit, or a replay): no workflow execution.
        if (!(await hasLiveWork(deps, input))) return;
        await deps.runProvisioning(input);
      } catch (error) {
        deps.log.error('Provisioning workflow did not run', { tenantId: first.tenantId, hostId: first.hostId, error: String(error) });
        failures.push(...records.map((r) => ({ itemIdentifier: r.messageId })));
      }
    }),
  );
  return { batchItemFailures: failures };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
