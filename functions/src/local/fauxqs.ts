// SQS and S3 for the embedded runtime: fauxqs 1.9.2 in-process (ESM only; 2.x needs Node >= 22.5). In memory: queued
// messages are lost on restart, which the outbox sweeper makes up for (operations stay in the table's outbox).
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { startFauxqs as start } from 'fauxqs';

export interface LocalSqs {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startFauxqs(options: { port?: number } = {}): Promise<LocalSqs> {
  const server = await start({ port: options.port ?? 0, host: '127.0.0.1', logger: false, defaultRegion: 'eu-west-1' });
  return { endpoint: `http://127.0.0.1:${server.port}`, stop: () => server.stop() };
}

export interface QueueOptions {
  fifo?: boolean;
  /** Dead-letter queue name; created with the same FIFO setting. */
  dlqName?: string;
  maxReceiveCount?: number;
  visibilityTimeoutSeconds?: number;
}

async function createQueue(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
  // Never build queue URLs by hand: fauxqs answers with an unresolvable host that the SDK ignores anyway.
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`Queue ${name} has no URL`);
  return QueueUrl;
}

/** Create a queue (and its DLQ with a redrive policy) as the CDK async stack does. Returns the queue URL. */
export async function ensureQueue(sqs: SQSClient, name: string, options: QueueOptions = {}): Promise<string> {
  const base: Record<string, string> = {};
  if (options.fifo) {
    base.FifoQueue = 'true';
    base.ContentBasedDeduplication = 'false';
  }
  const attributes: Record<string, string> = { ...base, VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 330) };
  if (options.dlqName) {
    const dlqUrl = await createQueue(sqs, options.dlqName, base);
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: options.maxReceiveCount ?? 5 });
  }
  return createQueue(sqs, name, attributes);
}

/** Create an S3 bucket on fauxqs unless it exists (the documents stack's bucket, locally). Returns its name. */
export async function ensureBucket(s3: S3Client, name: string): Promise<string> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: name }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: name }));
  }
  return name;
}
