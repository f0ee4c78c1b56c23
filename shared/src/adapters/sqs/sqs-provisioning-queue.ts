import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { TransientError } from '../../core/errors';
import type { ProvisioningQueue } from '../../ports/crypto';

/** ProvisioningQueue over an SQS FIFO queue (group = tenant#host keeps each host's changes in order). */
export class SqsProvisioningQueue implements ProvisioningQueue {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(messages: Parameters<ProvisioningQueue['send']>[0]): Promise<void> {
    for (let i = 0; i < messages.length; i += 10) {
      const batch = messages.slice(i, i + 10);
      const out = await this.sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((m, j) => ({
            Id: String(j),
            MessageBody: JSON.stringify(m.body),
            MessageGroupId: m.groupId,
            MessageDeduplicationId: m.deduplicationId,
          })),
        }),
      );
      if (out.Failed?.length) throw new TransientError(`SQS refused ${out.Failed.length} message(s): ${out.Failed[0]?.Message ?? ''}`);
    }
  }
}
