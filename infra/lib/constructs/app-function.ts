import { fileURLToPath } from 'node:url';
import { Aws, Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE } from '@consort/shared/adapters/dynamodb/table';
import { acknowledge, nagValue, REASONS } from '../nag';

/** Repository root: entries, `package-lock.json` and `templates/` are resolved from here. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where provisioning functions find `templates/` inside the deployment package. */
export const TEMPLATES_DIR = '/var/task/templates';

/**
 * ESM bundles still contain CommonJS dependencies (ssh2, liquidjs' deps) that call `require` and read
 * `__dirname` (ssh2's pageant agent and its WASM poly1305 loader): give the module real ones.
 */
export const CREATE_REQUIRE_BANNER = [
  "import { createRequire as __consortCreateRequire } from 'node:module';",
  "import { fileURLToPath as __consortFileURLToPath } from 'node:url';",
  'const require = __consortCreateRequire(import.meta.url);',
  'const __filename = __consortFileURLToPath(import.meta.url);',
  "const __dirname = __consortFileURLToPath(new URL('.', import.meta.url));",
].join(' ');

/**
 * The environment every Consort function receives (read by functions/src/lib/aws-deps.ts, which
 * parses all of it at cold start, so every function gets every value).
 */
export interface RuntimeEnvironment {
  TABLE_NAME: string;
  PROVISIONING_QUEUE_URL: string;
  PROVISIONING_STATE_MACHINE_ARN: string;
  /** The STANDARD billing-run machine (started by the API and the billing-runs schedule). */
  BILLING_RUN_STATE_MACHINE_ARN: string;
  DOCUMENTS_BUCKET: string;
  /** Verified SES sender address for bill e-mails; empty when the deployment sends no mail (context `mailFrom`). */
  MAIL_FROM: string;
  /** KMS key ARN that seals tenants' SSH private keys. */
  SECRETS_KEY_ID: string;
}

export interface AppFunctionProps {
  /** Handler file, relative to the repository root; it exports `handler`. */
  entry: string;
  environment: RuntimeEnvironment;
  description?: string;
  /** @default 29 seconds */
  timeout?: Duration;
  /** @default 1024 MB (arm64: CPU scales with memory, which shortens cold starts and SSH handshakes) */
  memorySize?: number;
  /** Copy the repository's `templates/` into the package and set CONSORT_TEMPLATES_DIR. */
  withTemplates?: boolean;
  /** @default 'consort' */
  serviceName?: string;
}

/**
 * A Consort Lambda: nodejs22.x on arm64, ESM bundled locally with esbuild (no Docker), active tracing,
 * its own log group with a retention, and a role that starts empty. Grants are explicit and narrow
 * (see the `allow*` methods); `cdk-nag` findings that every function shares are acknowledged here.
 *
 * @example
 * const api = new AppFunction(this, 'Api', { entry: 'functions/src/http/api.ts', environment });
 * api.allowTableReadWrite(props.table);
 */
export class AppFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: AppFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    // A role of our own instead of AWSLambdaBasicExecutionRole: logs go to this log group only.
    this.role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    this.logGroup.grantWrite(this.role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: `${REPO_ROOT}${props.entry}`,
      handler: 'handler',
      description: props.description ?? props.entry,
      projectRoot: REPO_ROOT,
      depsLockFilePath: `${REPO_ROOT}package-lock.json`,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(29),
      tracing: Tracing.ACTIVE,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        CONSORT_RUNTIME: 'aws',
        POWERTOOLS_SERVICE_NAME: props.serviceName ?? 'consort',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
        ...(props.withTemplates ? { CONSORT_TEMPLATES_DIR: TEMPLATES_DIR } : {}),
      },
      bundling: bundlingOptions(props.withTemplates ?? false),
    });

    acknowledge(this, 'AwsSolutions-L1', REASONS.nodeRuntime);
    acknowledge(this, 'AwsSolutions-IAM5[Resource::*]', REASONS.xrayWildcard);
  }

  get functionArn(): string {
    return this.fn.functionArn;
  }

  /**
   * Item reads and writes on the table and Query on its named indexes. No Scan (no request path
   * scans, docs/decisions.md) and no table-level management actions.
   */
  allowTableReadWrite(table: ITable): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:Query',
          'dynamodb:PutItem',
          'dynamodb:UpdateItem',
          'dynamodb:DeleteItem',
          'dynamodb:BatchWriteItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:DescribeTable',
        ],
        resources: [table.tableArn, ...TABLE.indexes.map((index) => `${table.tableArn}/index/${index.name}`)],
      }),
    );
  }

  /** Seal and unseal tenant secrets (SSH private keys) with the platform KMS key. */
  allowSecrets(key: IKey): void {
    key.grant(this.role, 'kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey');
  }

  /**
   * Read and add documents in the bucket named `bucketName` (bill PDFs are immutable once issued: no
   * delete). Takes the name (documentsBucketName) rather than the bucket so the object ARN, which
   * cdk-nag reports as a wildcard, is the same string before and after synthesis.
   */
  allowDocuments(bucketName: string): void {
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${bucketName}`;
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:GetObject', 's3:PutObject'], resources: [`${bucketArn}/*`] }));
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucketArn] }));
    acknowledge(
      this,
      `AwsSolutions-IAM5[Resource::${nagValue(this, `${bucketArn}/*`)}]`,
      'Object-level S3 actions need an object ARN; "<bucket>/*" is scoped to the documents bucket, and delete is not granted.',
    );
  }

  /**
   * Send e-mail through SES v2 as `sender.from` only: SendEmail (and SendRawEmail, which SES also
   * evaluates for raw content) on the one verified identity, with `ses:FromAddress` pinned. No
   * wildcard, so cdk-nag has nothing to acknowledge. In the SES sandbox SES also checks the
   * recipients' identities; request production access rather than widening this (docs/aws.md).
   */
  allowMail(sender: MailSender): void {
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [`arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/${sender.identity}`],
        conditions: { StringEquals: { 'ses:FromAddress': sender.from } },
      }),
    );
  }

  /**
   * Run provisioning scripts through SSM Run Command: SendCommand with the AWS-RunShellScript document only, on EC2
   * or hybrid managed instances of this account and region that carry the tag `consort:provisioning=true` (operators
   * opt instances in; nothing else can be targeted), plus GetCommandInvocation and CancelCommand, which have no
   * resource-level permissions ("*", already acknowledged on every function for X-Ray).
   */
  /**
   * Card payments (Stripe): the SecureString parameters `<prefix>/secret-key` and `<prefix>/webhook-secret` are read
   * (decrypted with the account's default `aws/ssm` key) at cold start by functions/src/lib/aws-deps.ts, which finds
   * the prefix in STRIPE_PARAMETERS. Only functions that may charge or refund cards get this: the API, the
   * billing-run steps (automatic charge on close) and the schedules marked `chargesCards` (dunning's card retry).
   */
  allowStripe(stripe: StripeConfig): void {
    this.fn.addEnvironment('STRIPE_PARAMETERS', stripe.parameterPrefix);
    const parameters = `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter${stripe.parameterPrefix}/*`;
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ssm:GetParameters'], resources: [parameters] }));
    acknowledge(
      this,
      `AwsSolutions-IAM5[Resource::${nagValue(this, parameters)}]`,
      'Read-only access to the Stripe parameters under one path (secret key and webhook secret), nothing else.',
    );
  }

  allowSsmRunCommand(): void {
    const instances = [
      `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:instance/*`,
      `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:managed-instance/*`,
    ];
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}::document/AWS-RunShellScript`],
      }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: instances,
        conditions: { StringEquals: { 'ssm:resourceTag/consort:provisioning': 'true' } },
      }),
    );
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['ssm:GetCommandInvocation', 'ssm:CancelCommand'], resources: ['*'] }));
    for (const arn of instances) {
      acknowledge(
        this,
        `AwsSolutions-IAM5[Resource::${nagValue(this, arn)}]`,
        'SendCommand targets instances by id chosen per host at run time; the statement is limited to instances tagged consort:provisioning=true in this account and region.',
      );
    }
  }
}

/** Where bill e-mails come from: an address whose identity (domain or address) is verified in SES. */
/** Where the Stripe platform keys are (context `stripeParameters`, docs/aws.md). */
export interface StripeConfig {
  /** SSM parameter path, e.g. `/consort/stripe`: `<prefix>/secret-key` and `<prefix>/webhook-secret` (SecureString). */
  parameterPrefix: string;
}

export interface MailSender {
  /** e.g. `billing@example.org` */
  from: string;
  /** The verified SES identity that covers `from`: its domain (default) or the address itself. */
  identity: string;
}

/**
 * pdfkit (under @react-pdf/renderer) loads the standard fonts' metrics lazily with
 * `createRequire(import.meta.url)('#standard-fonts/Helvetica')`, a package.json "imports" lookup that
 * esbuild cannot follow, so a bundle fails on its first PDF. Ship those files next to the bundle and a
 * package.json that maps the specifier (test/integration/documents/bundle.test.ts runs the result).
 */
export function standardFontsCommands(inputDir: string, outputDir: string): string[] {
  return [
    `mkdir -p "${outputDir}/standard-fonts"`,
    `cp -r "${inputDir}/node_modules/pdfkit/js/standard-fonts/." "${outputDir}/standard-fonts/"`,
    `printf '%s' '{"type":"module","imports":{"#standard-fonts/*":"./standard-fonts/*.cjs"}}' > "${outputDir}/package.json"`,
  ];
}

function bundlingOptions(withTemplates: boolean): NodejsFunctionProps['bundling'] {
  return {
    format: OutputFormat.ESM,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: CREATE_REQUIRE_BANNER,
    minify: true,
    sourceMap: true,
    sourcesContent: false,
    // Bundle the SDK: the versions we test with, not whatever the runtime ships.
    bundleAwsSDK: true,
    // ssh2 loads two optional native add-ons inside try/catch and falls back to pure JS (node:crypto
    // plus a WASM poly1305). Leave those requires unresolved so the arm64 package never carries an
    // x64 `.node` file built on the developer's machine.
    externalModules: ['cpu-features', '*.node'],
    commandHooks: {
      beforeBundling: () => [],
      beforeInstall: () => [],
      afterBundling: (inputDir: string, outputDir: string) => [
        ...standardFontsCommands(inputDir, outputDir),
        ...(withTemplates ? [`cp -r "${inputDir}/templates" "${outputDir}/templates"`] : []),
      ],
    },
  };
}
