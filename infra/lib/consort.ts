import { Tags, type App, type Environment } from 'aws-cdk-lib';
import type { MailSender, StripeConfig } from './constructs/app-function';
import { hasStandaloneBuild, nextStandaloneCode, placeholderCode } from './web-asset';
import { ApiStack } from './stacks/api-stack';
import { AsyncStack } from './stacks/async-stack';
import { DataStack } from './stacks/data-stack';
import { documentsBucketName, DocumentsStack } from './stacks/documents-stack';
import { SchedulesStack } from './stacks/schedules-stack';
import { WebStack } from './stacks/web-stack';

/** How the web stack gets its code: the Next.js build, a 503 placeholder, or no web stack at all. */
export type WebMode = 'build' | 'placeholder' | 'skip';

export interface ConsortOptions {
  /** Prefix of stack names (and of the few physical names), so several stages fit in one account. */
  prefix: string;
  env?: Environment;
  web: WebMode;
  webDomainName?: string;
  webCertificateArn?: string;
  webLayerVersion: number;
  /** Sender of bill e-mails; without it the functions get an empty MAIL_FROM and no SES grant. */
  mail?: MailSender;
  /** Stripe platform keys in SSM; without them card payments answer 422 (context `stripeParameters`). */
  stripe?: StripeConfig;
}

export interface ConsortStacks {
  data: DataStack;
  documents: DocumentsStack;
  async: AsyncStack;
  api: ApiStack;
  schedules: SchedulesStack;
  web?: WebStack;
}

/**
 * Options from CDK context (cdk.json or `-c key=value`):
 * `stackPrefix`, `skipWeb`, `webPlaceholder`, `webDomainName`, `webCertificateArn`, `webLayerVersion`,
 * `mailFrom` (verified SES sender) and `mailIdentity` (its SES identity; default: the address's domain),
 * `stripeParameters` (SSM path of the Stripe keys, e.g. `/consort/stripe`).
 */
export function readOptions(app: App): ConsortOptions {
  const ctx = (key: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === null || value === '' ? undefined : String(value);
  };
  const web: WebMode = ctx('skipWeb') === 'true' ? 'skip' : ctx('webPlaceholder') === 'true' ? 'placeholder' : 'build';
  if (Boolean(ctx('webDomainName')) !== Boolean(ctx('webCertificateArn'))) {
    throw new Error('Give webDomainName and webCertificateArn together (an ACM certificate in us-east-1 for that domain).');
  }
  const mailFrom = ctx('mailFrom');
  if (mailFrom && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(mailFrom)) throw new Error(`mailFrom must be an e-mail address, got ${mailFrom}`);
  if (ctx('mailIdentity') && !mailFrom) throw new Error('Give mailIdentity together with mailFrom.');
  const stripeParameters = ctx('stripeParameters');
  if (stripeParameters && !/^(\/[\w.-]+)+$/.test(stripeParameters)) {
    throw new Error(`stripeParameters must be an SSM parameter path such as /consort/stripe, got ${stripeParameters}`);
  }
  const account = process.env.CDK_DEFAULT_ACCOUNT;
  const region = process.env.CDK_DEFAULT_REGION;
  return {
    prefix: ctx('stackPrefix') ?? 'Consort',
    // Unresolved (environment-agnostic) unless the CLI knows the account: synth needs no credentials.
    env: account || region ? { account, region } : undefined,
    web,
    webDomainName: ctx('webDomainName'),
    webCertificateArn: ctx('webCertificateArn'),
    webLayerVersion: Number(ctx('webLayerVersion') ?? 30),
    mail: mailFrom ? { from: mailFrom, identity: ctx('mailIdentity') ?? mailFrom.split('@')[1]! } : undefined,
    stripe: stripeParameters ? { parameterPrefix: stripeParameters } : undefined,
  };
}

/** Every Consort stack, wired together. Used by infra/bin/app.ts and by test/infra. */
export function createConsort(app: App, options: ConsortOptions): ConsortStacks {
  const { prefix, env } = options;
  Tags.of(app).add('project', 'consort');

  const data = new DataStack(app, `${prefix}-Data`, { env, description: 'Consort: DynamoDB table and secrets key' });
  const documents = new DocumentsStack(app, `${prefix}-Documents`, { env, prefix, description: 'Consort: documents bucket (bill PDFs)' });
  const shared = {
    table: data.table,
    secretsKey: data.secretsKey,
    documentsBucketName: documentsBucketName(prefix),
    mailFrom: options.mail?.from ?? '',
  };

  const async = new AsyncStack(app, `${prefix}-Async`, {
    env,
    description: 'Consort: provisioning queue and workflow',
    ...shared,
    mail: options.mail,
    stripe: options.stripe,
  });
  // Outside the async stack the machine's ARN is a plain cross-stack reference.
  const fromAsync = {
    provisioningQueue: async.queue.queue,
    environment: {
      ...async.runtimeEnvironment,
      PROVISIONING_STATE_MACHINE_ARN: async.stateMachine.stateMachineArn,
      BILLING_RUN_STATE_MACHINE_ARN: async.billingRunStateMachine.stateMachineArn,
    },
    billingRunStateMachine: async.billingRunStateMachine,
  };
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    description: 'Consort: HTTP API',
    ...shared,
    ...fromAsync,
    mail: options.mail,
    stripe: options.stripe,
  });
  const schedules = new SchedulesStack(app, `${prefix}-Schedules`, {
    env,
    description: 'Consort: EventBridge schedules',
    table: data.table,
    ...fromAsync,
    stripe: options.stripe,
  });

  // The bucket name is derived, not referenced: keep the deploy order explicit.
  for (const consumer of [async, api, schedules]) consumer.addStackDependency(documents);

  let web: WebStack | undefined;
  if (options.web !== 'skip') {
    if (options.web === 'build' && !hasStandaloneBuild()) {
      throw new Error(
        'web/.next/standalone is missing. Run `npm run build:web` first, or synthesize with ' +
          '`-c webPlaceholder=true` (deploys a 503 placeholder) or `-c skipWeb=true` (no web stack).',
      );
    }
    web = new WebStack(app, `${prefix}-Web`, {
      env,
      description: 'Consort: Next.js web app on Lambda behind CloudFront',
      code: options.web === 'build' ? nextStandaloneCode() : placeholderCode(),
      apiUrl: api.url,
      adapterLayerVersion: options.webLayerVersion,
      domainName: options.webDomainName,
      certificateArn: options.webCertificateArn,
    });
  }
  return { data, documents, async, api, schedules, web };
}
