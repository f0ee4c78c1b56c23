import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { KmsSecretBox } from '@consort/shared/adapters/aws/kms-secret-box';
import { SsmTransport } from '@consort/shared/adapters/aws/ssm-transport';
import { nodeCrypto } from '@consort/shared/adapters/crypto/node-crypto';
import { S3DocumentStore } from '@consort/shared/adapters/s3/s3-document-store';
import { SesMailer, unconfiguredMailer } from '@consort/shared/adapters/ses/ses-mailer';
import { DynamoStore } from '@consort/shared/adapters/dynamodb/dynamo-store';
import { SqsProvisioningQueue } from '@consort/shared/adapters/sqs/sqs-provisioning-queue';
import { SdkStripeGateway, stripeClient } from '@consort/shared/adapters/stripe/stripe-gateway';
import { generateProvisioningKeyPair } from '@consort/shared/adapters/ssh/keys';
import { SshTransport } from '@consort/shared/adapters/ssh/ssh-transport';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { systemClock } from '@consort/shared/core/clock';
import { TransientError } from '@consort/shared/core/errors';
import type { AppDeps } from './deps';

/** Environment set by the CDK stacks (infra/lib/constructs/app-function.ts); parsed once at cold start. */
const Env = z.object({
  TABLE_NAME: z.string().min(1),
  PROVISIONING_QUEUE_URL: z.string().url(),
  PROVISIONING_STATE_MACHINE_ARN: z.string().min(1),
  BILLING_RUN_STATE_MACHINE_ARN: z.string().min(1),
  SECRETS_KEY_ID: z.string().min(1),
  DOCUMENTS_BUCKET: z.string().min(3),
  /** Verified SES sender; empty when the deployment has no mail configured (sends then fail clearly). */
  MAIL_FROM: z.union([z.literal(''), z.email()]).default(''),
  MAIL_FROM_NAME: z.string().default('Consort'),
  CONSORT_TEMPLATES_DIR: z.string().default('/var/task/templates'),
  /** Stripe platform secret key and Connect webhook signing secret; both empty = no card payments (422). */
  STRIPE_SECRET_KEY: z.string().default(''),
  STRIPE_WEBHOOK_SECRET: z.string().default(''),
  /**
   * SSM path holding them instead (`<path>/secret-key`, `<path>/webhook-secret`, SecureString), set by the CDK stacks
   * on the functions that charge cards (context `stripeParameters`, docs/aws.md).
   */
  STRIPE_PARAMETERS: z.string().default(''),
});

/** The Stripe keys: from the environment, else read once (decrypted) from the SSM parameters under STRIPE_PARAMETERS. */
async function stripeKeys(env: z.infer<typeof Env>, ssm: SSMClient): Promise<{ secretKey: string; webhookSecret: string } | undefined> {
  if (env.STRIPE_SECRET_KEY && env.STRIPE_WEBHOOK_SECRET)
    return { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET };
  if (!env.STRIPE_PARAMETERS) return undefined;
  const names = [`${env.STRIPE_PARAMETERS}/secret-key`, `${env.STRIPE_PARAMETERS}/webhook-secret`];
  const out = await ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true }));
  const value = (name: string) => out.Parameters?.find((p) => p.Name === name)?.Value;
  const [secretKey, webhookSecret] = names.map(value);
  if (!secretKey || !webhookSecret)
    throw new Error(`Stripe parameters missing under ${env.STRIPE_PARAMETERS}: ${(out.InvalidParameters ?? []).join(', ')}`);
  return { secretKey, webhookSecret };
}

/** The AWS composition root: the only place (with the local stack) that constructs SDK clients. */
export async function createAwsDeps(): Promise<AppDeps> {
  const env = Env.parse(process.env);
  const ssmClient = new SSMClient({});
  const stripeConfig = await stripeKeys(env, ssmClient);
  const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'consort' });
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } });
  const sqs = new SQSClient({});
  const sfn = new SFNClient({});
  return {
    store: new DynamoStore(db, env.TABLE_NAME),
    clock: systemClock,
    crypto: nodeCrypto(),
    keyPairs: { generate: generateProvisioningKeyPair },
    secrets: new KmsSecretBox(new KMSClient({}), env.SECRETS_KEY_ID),
    queue: new SqsProvisioningQueue(sqs, env.PROVISIONING_QUEUE_URL),
    documents: new S3DocumentStore(new S3Client({}), env.DOCUMENTS_BUCKET),
    mailer: env.MAIL_FROM
      ? new SesMailer(new SESv2Client({}), { from: { address: env.MAIL_FROM, name: env.MAIL_FROM_NAME } }, systemClock)
      : unconfiguredMailer,
    templates: new FileTemplateSource(env.CONSORT_TEMPLATES_DIR),
    stripe: stripeConfig ? new SdkStripeGateway(stripeClient(stripeConfig.secretKey), stripeConfig.webhookSecret) : undefined,
    transports: { ssh: new SshTransport(), ssm: new SsmTransport(ssmClient) },
    scriptTimeoutMs: 240_000,
    allowLocalTransport: false,
    allowSsmTransport: true,
    log: {
      info: (m, d) => logger.info(m, d ?? {}),
      warn: (m, d) => logger.warn(m, d ?? {}),
      error: (m, d) => logger.error(m, d ?? {}),
    },
    async runProvisioning(input) {
      const out = await sfn.send(
        new StartSyncExecutionCommand({ stateMachineArn: env.PROVISIONING_STATE_MACHINE_ARN, input: JSON.stringify(input) }),
      );
      // FAILED means MarkFailed itself failed (the workflow catches everything else): let SQS redeliver.
      if (out.status !== 'SUCCEEDED')
        throw new TransientError(`Provisioning workflow ${out.status}: ${out.error ?? ''} ${out.cause ?? ''}`);
      return out.output ? JSON.parse(out.output) : undefined;
    },
    async startBillingRun(execution) {
      // The name makes the start idempotent: one execution per tenant, run and attempt (unique per machine for 90 days;
      // ≤ 80 characters: tnt_ + 26, brn_scheduled_YYYY-MM or brn_ + 26, the attempt).
      const name = `${execution.tenantId}-${execution.runId}-${execution.attempt}`;
      try {
        await sfn.send(
          new StartExecutionCommand({ stateMachineArn: env.BILLING_RUN_STATE_MACHINE_ARN, name, input: JSON.stringify(execution) }),
        );
      } catch (error) {
        if (!(error instanceof ExecutionAlreadyExists)) throw error;
      }
    },
  };
}
