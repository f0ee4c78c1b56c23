import { ArnFormat, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { billingRunDefinition } from '@consort/functions/workflows/billing-run-definition';
import { provisioningDefinition } from '@consort/functions/workflows/provisioning-definition';
import { AppFunction, type MailSender, type RuntimeEnvironment, type StripeConfig } from '../constructs/app-function';
import { QueueWithDlq } from '../constructs/queue-with-dlq';
import { acknowledge } from '../nag';

export interface AsyncStackProps extends StackProps {
  table: ITable;
  secretsKey: IKey;
  /** Name of the documents bucket (documentsBucketName). */
  documentsBucketName: string;
  /** Verified SES sender, or '' when the deployment sends no mail. */
  mailFrom: string;
  /** Sender of bill e-mails (billing runs with auto-send); undefined = no SES grant. */
  mail?: MailSender;
  /** Stripe platform keys: the billing-run steps charge saved cards when bills close; undefined = no cards. */
  stripe?: StripeConfig;
}

/** Longest one billing-run step may take (a page of accounts, or closing/sending one page's bills). */
const BILLING_STEP_LIMIT = Duration.minutes(10);

/** Longest a provisioning workflow can run: the EXPRESS limit (and the per-script timeout on AWS). */
const WORKFLOW_LIMIT = Duration.minutes(5);
/** The queue consumer waits for StartSyncExecution, so it outlives one workflow. */
const CONSUMER_TIMEOUT = Duration.seconds(WORKFLOW_LIMIT.toSeconds() + 30);

/**
 * Provisioning: SQS FIFO (group = tenant#host) → consumer Lambda → EXPRESS state machine started
 * synchronously → the steps Lambda for each Task state. See docs/decisions.md "SQS FIFO per host".
 */
export class AsyncStack extends Stack {
  readonly queue: QueueWithDlq;
  readonly stateMachine: StateMachine;
  readonly stepsFunction: AppFunction;
  readonly queueFunction: AppFunction;
  /** Billing runs: a STANDARD machine started asynchronously (StartExecution) by the API and the billing-runs schedule. */
  readonly billingRunStateMachine: StateMachine;
  readonly billingRunStepsFunction: AppFunction;
  /** Environment shared by every function; other stacks extend theirs from it. */
  readonly runtimeEnvironment: RuntimeEnvironment;

  constructor(scope: Construct, id: string, props: AsyncStackProps) {
    super(scope, id, props);

    this.queue = new QueueWithDlq(this, 'Provisioning', {
      queueName: `${this.stackName}-provisioning.fifo`,
      fifo: true,
      // One full run plus a retry of StartSyncExecution. AWS suggests 6× the function timeout for
      // event source mappings, but a failed record blocks its host's FIFO group until it reappears,
      // and 33 minutes of blocked provisioning is worse than an early redelivery.
      visibilityTimeout: Duration.seconds(CONSUMER_TIMEOUT.toSeconds() * 3),
      maxReceiveCount: 5,
    });

    // The steps function must know the machine's ARN (every function parses the full environment),
    // but the machine's definition references the function: name the machine, derive its ARN.
    const stateMachineName = `${this.stackName}-provisioning`;
    const stateMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: stateMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const billingRunMachineName = `${this.stackName}-billing-runs`;
    const billingRunMachineArn = this.formatArn({
      service: 'states',
      resource: 'stateMachine',
      resourceName: billingRunMachineName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.runtimeEnvironment = {
      TABLE_NAME: props.table.tableName,
      PROVISIONING_QUEUE_URL: this.queue.queue.queueUrl,
      PROVISIONING_STATE_MACHINE_ARN: stateMachineArn,
      BILLING_RUN_STATE_MACHINE_ARN: billingRunMachineArn,
      DOCUMENTS_BUCKET: props.documentsBucketName,
      MAIL_FROM: props.mailFrom,
      SECRETS_KEY_ID: props.secretsKey.keyArn,
    };

    this.stepsFunction = new AppFunction(this, 'ProvisioningSteps', {
      entry: 'functions/src/workflows/steps.ts',
      environment: this.runtimeEnvironment,
      timeout: WORKFLOW_LIMIT,
      withTemplates: true,
    });
    this.stepsFunction.allowTableReadWrite(props.table);
    this.stepsFunction.allowSecrets(props.secretsKey);
    // SSM hosts: the Execute step sends the script and polls it inside the task (docs/decisions.md "SSM Run Command").
    this.stepsFunction.allowSsmRunCommand();

    const logs = new LogGroup(this, 'ProvisioningWorkflowLogs', {
      // The vendedlogs prefix keeps CloudWatch Logs resource policies small (AWS recommendation).
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stateMachine = new StateMachine(this, 'ProvisioningWorkflow', {
      stateMachineName,
      stateMachineType: StateMachineType.EXPRESS,
      definitionBody: DefinitionBody.fromString(JSON.stringify(provisioningDefinition(this.stepsFunction.functionArn))),
      tracingEnabled: true,
      // Level ALL without execution data: step inputs and outputs carry rendered scripts, which hold
      // service secrets (mailbox passwords); the operation log in DynamoDB is the record of a run.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
    });
    // Exact function ARN (no `:*` qualifier wildcard, as grantInvoke would add).
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.stepsFunction.functionArn] }),
    );
    acknowledge(
      this.stateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups…) and X-Ray actions only accept "*" as resource; both are required by SF1/SF2.',
    );

    this.queueFunction = new AppFunction(this, 'ProvisioningQueue', {
      entry: 'functions/src/queues/provisioning.ts',
      environment: this.runtimeEnvironment,
      timeout: CONSUMER_TIMEOUT,
      memorySize: 512,
    });
    this.queueFunction.fn.addEventSource(new SqsEventSource(this.queue.queue, { batchSize: 10, reportBatchItemFailures: true }));
    this.stateMachine.grantStartSyncExecution(this.queueFunction.role);

    // Billing runs (docs/billing.md "Billing runs"): every step reads and commits the run record, closes bills
    // (render models) and sends them (PDFs in the documents bucket, SES).
    this.billingRunStepsFunction = new AppFunction(this, 'BillingRunSteps', {
      entry: 'functions/src/workflows/billing-run-steps.ts',
      environment: this.runtimeEnvironment,
      timeout: Duration.seconds(BILLING_STEP_LIMIT.toSeconds() + 60),
      memorySize: 1024,
    });
    this.billingRunStepsFunction.allowTableReadWrite(props.table);
    this.billingRunStepsFunction.allowSecrets(props.secretsKey);
    this.billingRunStepsFunction.allowDocuments(props.documentsBucketName);
    if (props.stripe) this.billingRunStepsFunction.allowStripe(props.stripe);
    if (props.mail) this.billingRunStepsFunction.allowMail(props.mail);
    const billingRunLogs = new LogGroup(this, 'BillingRunWorkflowLogs', {
      logGroupName: `/aws/vendedlogs/states/${billingRunMachineName}`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.billingRunStateMachine = new StateMachine(this, 'BillingRunWorkflow', {
      stateMachineName: billingRunMachineName,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(JSON.stringify(billingRunDefinition(this.billingRunStepsFunction.functionArn))),
      tracingEnabled: true,
      // Without execution data: step payloads are ids and one page of account ids; the run record holds the rest.
      logs: { destination: billingRunLogs, level: LogLevel.ALL, includeExecutionData: false },
      timeout: Duration.days(2),
    });
    this.billingRunStateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.billingRunStepsFunction.functionArn] }),
    );
    acknowledge(
      this.billingRunStateMachine,
      'AwsSolutions-IAM5[Resource::*]',
      'CloudWatch Logs delivery (logs:CreateLogDelivery, PutResourcePolicy, DescribeLogGroups…) and X-Ray actions only accept "*" as resource; both are required by SF1/SF2.',
    );
  }
}
