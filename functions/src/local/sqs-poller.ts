// The local stand-in for the SQS → Lambda event source mapping: long-poll, call the handler with an SQSEvent,
// delete what succeeded and leave `batchItemFailures` for redelivery after the visibility timeout.
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface SqsPoller {
  /** Resolves when the queue is empty (nothing visible, delayed or in flight) and no batch is running. */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  stop(): Promise<void>;
}

function toRecord(message: Message, queueArn: string): SQSRecord {
  const attrs = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attrs.ApproximateReceiveCount ?? '1',
      SentTimestamp: attrs.SentTimestamp ?? String(Date.now()),
      SenderId: attrs.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attrs.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attrs.MessageGroupId,
      MessageDeduplicationId: attrs.MessageDeduplicationId,
      SequenceNumber: attrs.SequenceNumber,
    },
    messageAttributes: {},
    md5OfBody:
      message.MD5OfBody ??
      createHash('md5')
        .update(message.Body ?? '')
        .digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'eu-west-1',
  };
}

export function startSqsPoller(options: {
  sqs: SQSClient;
  queueUrl: string;
  handler: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  batchSize?: number;
  waitTimeSeconds?: number;
  /** Seconds before a failed record is visible again (the queue's default otherwise). */
  retryDelaySeconds?: number;
  /**
   * Receive loops running at once, like concurrent Lambda invocations of an event source mapping (default 1). With
   * a FIFO queue a group's next message is not delivered while one is in flight, so hosts still run in order.
   */
  concurrency?: number;
  log?: (line: string) => void;
}): SqsPoller {
  const { sqs, queueUrl } = options;
  const queueArn = `arn:aws:sqs:eu-west-1:000000000000:${queueUrl.split('/').pop()}`;
  let stopped = false;
  /** Batches being handled right now (one per receive loop at most). */
  let busy = 0;
  /** Messages received and not yet deleted or released; with FIFO they block their group. */
  let pending = 0;
  let lastActivity = Date.now();
  const abort = new AbortController();

  const poll = async () => {
    while (!stopped) {
      let messages: Message[] = [];
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (stopped) return;
        options.log?.(`receive failed: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!messages.length) continue;
      busy += 1;
      pending += messages.length;
      lastActivity = Date.now();
      try {
        const records = messages.map((m) => toRecord(m, queueArn));
        let failed = new Set<string>();
        try {
          const response = await options.handler({ Records: records });
          failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        } catch (error) {
          options.log?.(`handler failed, whole batch will be retried: ${String(error)}`);
          failed = new Set(records.map((r) => r.messageId));
        }
        const done = messages.filter((m) => !failed.has(m.MessageId!));
        const retry = messages.filter((m) => failed.has(m.MessageId!));
        if (done.length)
          await sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        if (retry.length && options.retryDelaySeconds !== undefined)
          await sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: queueUrl,
              Entries: retry.map((m, i) => ({
                Id: String(i),
                ReceiptHandle: m.ReceiptHandle!,
                VisibilityTimeout: options.retryDelaySeconds,
              })),
            }),
          );
        if (retry.length) options.log?.(`${retry.length} record(s) left for redelivery`);
      } catch (error) {
        options.log?.(`batch bookkeeping failed: ${String(error)}`);
      } finally {
        pending -= messages.length;
        busy -= 1;
        lastActivity = Date.now();
      }
    }
  };
  const loop = Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 1) }, () => poll()));

  return {
    idle: async ({ timeoutMs = 60_000 } = {}) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (busy === 0 && pending === 0) {
          const { Attributes = {} } = await sqs.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: [
                'ApproximateNumberOfMessages',
                'ApproximateNumberOfMessagesNotVisible',
                'ApproximateNumberOfMessagesDelayed',
              ],
            }),
          );
          const left =
            Number(Attributes.ApproximateNumberOfMessages ?? 0) +
            Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0) +
            Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0);
          // Re-check after a short quiet period: a message may be between send and receive.
          if (left === 0 && busy === 0 && pending === 0 && Date.now() - lastActivity > 50) return;
        }
        if (Date.now() > deadline) throw new Error(`Provisioning queue not idle after ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: async () => {
      stopped = true;
      abort.abort();
      await loop.catch(() => undefined);
    },
  };
}
