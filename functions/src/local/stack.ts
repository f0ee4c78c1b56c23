import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AesSecretBox } from '@consort/shared/adapters/crypto/aes-secret-box';
import { nodeCrypto } from '@consort/shared/adapters/crypto/node-crypto';
import { DynamoStore } from '@consort/shared/adapters/dynamodb/dynamo-store';
import { LocalTransport } from '@consort/shared/adapters/local/local-transport';
import { SsmTransport } from '@consort/shared/adapters/aws/ssm-transport';
import { MaildirMailer } from '@consort/shared/adapters/mail/maildir-mailer';
import { S3DocumentStore } from '@consort/shared/adapters/s3/s3-document-store';
import { SqsProvisioningQueue } from '@consort/shared/adapters/sqs/sqs-provisioning-queue';
import { generateProvisioningKeyPair } from '@consort/shared/adapters/ssh/keys';
import { SshTransport } from '@consort/shared/adapters/ssh/ssh-transport';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { systemClock, type Clock } from '@consort/shared/core/clock';
import { handler as apiHandler } from '../http/api';
import { setDeps, type AppDeps } from '../lib/deps';
import { handler as provisioningQueueHandler } from '../queues/provisioning';
import { SCHEDULES } from '../schedules';
import { handler as outboxSweep } from '../schedules/outbox-sweep';
import { handler as billingRunsSchedule } from '../schedules/billing-runs';
import { handler as dunningSchedule } from '../schedules/dunning';
import { resumeStaleBillingRuns } from '@consort/shared/bills/run-use-cases';
import { sweepOutbox } from '@consort/shared/provisioning/use-cases';
import { localBillingRuns } from './billing-runs';
import { provisioningDefinition, PROVISIONING_TASK_STATES } from '../workflows/provisioning-definition';
import { runStep } from '../workflows/steps';
import { seedDemo, type DemoLogin } from './demo';
import { hasCommand } from './preflight';
import { ensureTable, startDynamoLocal } from './dynamodb';
import { ensureBucket, ensureQueue, startFauxqs } from './fauxqs';
import { startHttpServer } from './http-server';
import { startFakeStripe } from './fake-stripe';
import { SdkStripeGateway, stripeClient, type StripeEndpoint } from '@consort/shared/adapters/stripe/stripe-gateway';
import { startScheduler } from './scheduler';
import { startSqsPoller } from './sqs-poller';
import { createLocalStateMachine } from './step-functions';
import { startWeb } from './web';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export interface LocalStackOptions {
  /** Persistent data folder (DynamoDB files, master key, demo host). Undefined = in-memory DynamoDB and a temp folder. */
  dataDir?: string;
  /** Reuse a running DynamoDB Local (tests start one per run). */
  dynamoEndpoint?: string;
  tableName?: string;
  /** 0 = any free port. */
  apiPort?: number;
  /** Each API request's time before it answers 503 `timeout` (API Gateway's 29 s; tests lower it). */
  apiTimeoutMs?: number;
  dynamoPort?: number;
  web?: false | { port: number; mode?: 'dev' | 'prod' };
  seedDemo?: boolean;
  /** Allow hosts with the `local` transport (scripts run on this machine). Default true in the embedded runtime. */
  allowLocalTransport?: boolean;
  /**
   * SSM Run Command for `ssm` hosts: the region (credentials from the usual AWS chain). Left out, the embedded
   * runtime refuses SSM hosts with a clear message (there is no SSM emulator).
   */
  ssm?: { region: string; endpoint?: string };
  /** Remove retry back-off pauses in the workflow (tests). */
  fastRetries?: boolean;
  /** Run the outbox sweeper and other schedules. Default true. */
  schedules?: boolean;
  clock?: Clock;
  /** Lower scrypt cost (tests only). */
  weakPasswordHashing?: boolean;
  log?: (prefix: string, line: string) => void;
  /**
   * Stripe: platform keys (and, for a fake server, its endpoint); left out, the stack starts the loopback fake Stripe
   * server (./fake-stripe.ts) and points both ways at it; false: no card payments.
   */
  stripe?: false | { secretKey: string; webhookSecret: string; endpoint?: StripeEndpoint };
}

export interface LocalStack {
  apiUrl: string;
  webUrl?: string;
  dataDir: string;
  deps: AppDeps;
  demo?: DemoLogin;
  /** Resolves when no provisioning message is queued or running (rejects after `timeoutMs`, default 60 s). */
  idle(options?: { timeoutMs?: number }): Promise<void>;
  /** Resolves when every billing-run execution started so far has ended. */
  billingRunsIdle(): Promise<void>;
  stop(): Promise<void>;
}

function secretFile(dataDir: string, name: string, make: () => string): string {
  const file = join(dataDir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

function masterKey(dataDir: string): Buffer {
  const key = Buffer.from(
    secretFile(dataDir, 'master.key', () => randomBytes(32).toString('base64')),
    'base64',
  );
  if (key.length !== 32) throw new Error(`${join(dataDir, 'master.key')} must hold a base64 32-byte key`);
  return key;
}

/**
 * The embedded runtime: DynamoDB Local, fauxqs (SQS), the provisioning state machine in aws-local-stepfunctions,
 * an SQS poller playing the Lambda event source, the local scheduler, the API server and (optionally) Next.js —
 * all calling the same handlers as on AWS.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const log = options.log ?? ((prefix: string, line: string) => console.log(`[${prefix}] ${line}`));
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch((e) => log('stack', `stop error: ${String(e)}`));
    stops.length = 0;
  };
  try {
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'consort-'));
    mkdirSync(dataDir, { recursive: true });
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const region = 'eu-west-1';

    let dynamoEndpoint = options.dynamoEndpoint;
    if (!dynamoEndpoint) {
      const dynamo = await startDynamoLocal({
        dataDir: options.dataDir ? join(dataDir, 'dynamodb') : undefined,
        port: options.dynamoPort,
        log: (l) => log('dynamodb', l),
      });
      stops.push(dynamo.stop);
      dynamoEndpoint = dynamo.endpoint;
    }
    const dynamoClient = new DynamoDBClient({ endpoint: dynamoEndpoint, region, credentials });
    stops.push(async () => dynamoClient.destroy());
    const tableName = options.tableName ?? 'consort';
    await ensureTable(dynamoClient, tableName);
    const db = DynamoDBDocumentClient.from(dynamoClient, { marshallOptions: { removeUndefinedValues: true } });

    const fauxqs = await startFauxqs({ port: 0 });
    stops.push(fauxqs.stop);
    const sqs = new SQSClient({ endpoint: fauxqs.endpoint, region, credentials });
    stops.push(async () => sqs.destroy());
    const queueUrl = await ensureQueue(sqs, 'consort-provisioning.fifo', {
      fifo: true,
      dlqName: 'consort-provisioning-dlq.fifo',
      maxReceiveCount: 5,
    });
    // S3 on the same fauxqs server, in memory like its queues: a missing bill PDF is re-rendered from the
    // bill's frozen model on download (documents/use-cases.ts getBillPdf), byte-identical.
    const s3 = new S3Client({
      endpoint: fauxqs.endpoint,
      region,
      credentials,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
    stops.push(async () => s3.destroy());
    const documentsBucket = await ensureBucket(s3, 'consort-documents');

    const stateMachine = createLocalStateMachine(
      provisioningDefinition('arn:aws:lambda:eu-west-1:000000000000:function:consort-provisioning-steps'),
      Object.fromEntries(PROVISIONING_TASK_STATES.map((state) => [state, (payload: unknown) => runStep(payload)])),
      { retryIntervalsZero: options.fastRetries ?? false },
    );

    // Stripe: real keys when given, otherwise the loopback fake (its webhooks go to this stack's API once it listens).
    let stripe: SdkStripeGateway | undefined;
    let stripeWebhooks: ((url: string) => void) | undefined;
    if (options.stripe) {
      stripe = new SdkStripeGateway(stripeClient(options.stripe.secretKey, options.stripe.endpoint), options.stripe.webhookSecret);
    } else if (options.stripe === undefined) {
      const fake = await startFakeStripe({ log: (l) => log('stripe', l) });
      stops.push(fake.stop);
      stripeWebhooks = fake.setWebhookUrl;
      stripe = new SdkStripeGateway(
        stripeClient('sk_test_consort_local', { host: fake.host, port: fake.port, protocol: 'http' }),
        fake.webhookSecret,
      );
    }
    const clock = options.clock ?? systemClock;
    const billingRuns = localBillingRuns(() => deps, { fastRetries: options.fastRetries, log: (l) => log('billing-run', l) });
    stops.push(() => Promise.race([billingRuns.idle(), new Promise<void>((done) => setTimeout(done, 10_000).unref())]));
    const deps: AppDeps = {
      store: new DynamoStore(db, tableName),
      clock,
      crypto: options.weakPasswordHashing ? nodeCrypto({ N: 2 ** 10 }) : nodeCrypto(),
      keyPairs: { generate: generateProvisioningKeyPair },
      secrets: new AesSecretBox(masterKey(dataDir)),
      queue: new SqsProvisioningQueue(sqs, queueUrl),
      templates: new FileTemplateSource(join(REPO_ROOT, 'templates')),
      transports: {
        ssh: new SshTransport(),
        local: new LocalTransport(),
        ...(options.ssm ? { ssm: new SsmTransport(new SSMClient({ region: options.ssm.region, endpoint: options.ssm.endpoint })) } : {}),
      },
      scriptTimeoutMs: 120_000,
      allowLocalTransport: options.allowLocalTransport ?? true,
      allowSsmTransport: Boolean(options.ssm),
      log: {
        info: (m, d) => log('api', d ? `${m} ${JSON.stringify(d)}` : m),
        warn: (m, d) => log('api', `WARN ${m}${d ? ` ${JSON.stringify(d)}` : ''}`),
        error: (m, d) => log('api', `ERROR ${m}${d ? ` ${JSON.stringify(d)}` : ''}`),
      },
      runProvisioning: (input) => stateMachine.execute(input),
      stripe,
      startBillingRun: (execution) => billingRuns.start(execution),
      // fauxqs ignores If-None-Match on PutObject: check with HeadObject first (S3DocumentStore docs).
      documents: new S3DocumentStore(s3, documentsBucket, { headCheck: true }),
      mailer: new MaildirMailer(join(dataDir, 'mail'), { address: 'consort@consort.localhost', name: 'Consort' }, clock),
    };
    setDeps(deps);
    // Executions were in memory: runs a previous process left running (lease expired) continue in the background.
    void resumeStaleBillingRuns(deps).then(
      (resumed) => resumed.length && log('billing-run', `resumed ${resumed.join(', ')}`),
      (error: unknown) => log('billing-run', `resuming stale runs failed: ${String(error)}`),
    );

    // The queue and the workflow executions were in memory too: operations a previous process left pending, queued or
    // running (killed mid-script) have no message or worker any more. This process is the only worker, so all of
    // them are orphaned: re-send them now (hosts that already reported are skipped; scripts are idempotent).
    void sweepOutbox(deps, { olderThanMs: 0, requeueAfterMs: 0, orphanedAfterMs: 0 }).then(
      (count) => count && log('queue', `re-sent ${count} operation(s) a previous process left unfinished`),
      (error: unknown) => log('queue', `recovering unfinished operations failed: ${String(error)}`),
    );

    const poller = startSqsPoller({
      sqs,
      queueUrl,
      handler: provisioningQueueHandler,
      // fauxqs hands out one message per FIFO group per receive, so a batch of several only mixes hosts, and the
      // loop would wait for the slowest of them before taking more. One message per loop and ten loops: up to ten
      // hosts run at once (Lambda runs a FIFO queue's groups in parallel too) and a slow host holds up no other.
      batchSize: 1,
      concurrency: 10,
      waitTimeSeconds: 1,
      log: (l) => log('queue', l),
    });
    stops.push(poller.stop);

    if (options.schedules ?? true) {
      const handlers: Record<string, () => Promise<unknown>> = {
        'outbox-sweep': outboxSweep,
        'billing-runs': billingRunsSchedule,
        dunning: dunningSchedule,
      };
      const scheduler = startScheduler({
        schedules: SCHEDULES,
        run: async (schedule) => {
          const run = handlers[schedule.name];
          if (!run) throw new Error(`No local handler for schedule ${schedule.name}`);
          await run();
        },
        log: (l) => log('schedule', l),
      });
      stops.push(scheduler.stop);
    }

    const api = await startHttpServer({
      port: options.apiPort ?? 0,
      handler: apiHandler,
      log: (l) => log('api', l),
      timeoutMs: options.apiTimeoutMs,
    });
    stops.push(api.stop);
    stripeWebhooks?.(`${api.url}/v1/webhooks/stripe`);

    let demo: DemoLogin | undefined;
    if (options.seedDemo) demo = await seedDemo(deps, { dataDir, hasCheckzone: hasCommand('named-checkzone') });

    let webUrl: string | undefined;
    if (options.web) {
      const web = await startWeb({
        port: options.web.port,
        apiUrl: api.url,
        authSecret: secretFile(dataDir, 'nextauth.secret', () => randomBytes(32).toString('base64url')),
        mode: options.web.mode,
        log: (l) => log('web', l),
      });
      stops.push(web.stop);
      webUrl = web.url;
    }

    return { apiUrl: api.url, webUrl, dataDir, deps, demo, idle: (o) => poller.idle(o), billingRunsIdle: () => billingRuns.idle(), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
