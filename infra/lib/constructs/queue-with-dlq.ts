import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface QueueWithDlqProps {
  /** Physical name of the main queue; must end in `.fifo` when `fifo` is true. */
  queueName: string;
  fifo: boolean;
  /** Must exceed the consumer's timeout; see docs/aws.md for how it was chosen. */
  visibilityTimeout: Duration;
  /** Receives before a message moves to the DLQ. @default 5 */
  maxReceiveCount?: number;
}

/**
 * A queue that always has a dead-letter queue (of the same kind: FIFO needs a FIFO DLQ), SSE,
 * TLS-only access, and an alarm as soon as anything lands in the DLQ.
 */
export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;
  readonly deadLetterAlarm: Alarm;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const dlqName = props.fifo ? props.queueName.replace(/\.fifo$/, '-dlq.fifo') : `${props.queueName}-dlq`;
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: dlqName,
      fifo: props.fifo || undefined,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: props.queueName,
      fifo: props.fifo || undefined,
      // Producers send a MessageDeduplicationId (`<op>-<attempt>-<host>`); content-based dedup would
      // drop a legitimate retry whose body happens to repeat.
      contentBasedDeduplication: props.fifo ? false : undefined,
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount ?? 5 },
    });
    this.deadLetterAlarm = new Alarm(this, 'DeadLetterAlarm', {
      alarmDescription: `Messages in ${dlqName}: provisioning work that failed ${props.maxReceiveCount ?? 5} times. Inspect, fix, then redrive.`,
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) }),
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
