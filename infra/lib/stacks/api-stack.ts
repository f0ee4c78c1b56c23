import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { AppFunction, type MailSender, type RuntimeEnvironment, type StripeConfig } from '../constructs/app-function';
import { acknowledge } from '../nag';

/** JSON access log line with HTTP API variables (REST's standard fields include some HTTP APIs reject). */
const HTTP_API_ACCESS_LOG = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    ip: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    requestTime: '$context.requestTime',
    httpMethod: '$context.httpMethod',
    routeKey: '$context.routeKey',
    path: '$context.path',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
  }),
);

export interface ApiStackProps extends StackProps {
  table: ITable;
  secretsKey: IKey;
  /** Name of the documents bucket (documentsBucketName). */
  documentsBucketName: string;
  provisioningQueue: IQueue;
  environment: RuntimeEnvironment;
  /** Sender of bill e-mails (the API sends bills); undefined = no SES grant. */
  mail?: MailSender;
  /** Stripe platform keys (card payments, refunds, the webhook); undefined = no cards. */
  stripe?: StripeConfig;
  /** The billing-run workflow the API starts (POST /v1/billing/runs, …/resume). */
  billingRunStateMachine: IStateMachine;
}

/**
 * The REST API: one HTTP API route, `ANY /v1/{proxy+}`, to one "lambdalith" that owns routing,
 * authentication (session tokens and API keys) and the OpenAPI document (docs/decisions.md).
 */
export class ApiStack extends Stack {
  readonly api: HttpApi;
  readonly apiFunction: AppFunction;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);

    this.apiFunction = new AppFunction(this, 'Api', { entry: 'functions/src/http/api.ts', environment: props.environment });
    this.apiFunction.allowTableReadWrite(props.table);
    this.apiFunction.allowSecrets(props.secretsKey);
    this.apiFunction.allowDocuments(props.documentsBucketName);
    if (props.mail) this.apiFunction.allowMail(props.mail);
    if (props.stripe) this.apiFunction.allowStripe(props.stripe);
    // Inline dispatch of outbox operations (the sweep schedule catches what this misses).
    props.provisioningQueue.grantSendMessages(this.apiFunction.role);
    props.billingRunStateMachine.grantStartExecution(this.apiFunction.role);

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.THREE_MONTHS });
    this.api = new HttpApi(this, 'HttpApi', {
      description: 'Consort REST API (/v1)',
      createDefaultStage: false,
    });
    this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: { destination: new LogGroupLogDestination(accessLogs), format: HTTP_API_ACCESS_LOG },
      // Per-account ceiling in front of per-tenant limits in the app; tune with real traffic.
      throttle: { rateLimit: 200, burstLimit: 400 },
    });
    this.api.addRoutes({
      path: '/v1/{proxy+}',
      methods: [HttpMethod.ANY],
      integration: new HttpLambdaIntegration('ApiIntegration', this.apiFunction.fn),
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint, description: 'Base URL of the REST API (routes under /v1)' });
    acknowledge(
      this.api,
      'AwsSolutions-APIG4',
      'Authentication happens in the API Lambda for every non-public route (opaque session tokens and scoped API keys looked up by GetItem, docs/decisions.md "Tokens"); public routes (signup, login, the OpenAPI document) are marked as such in the route table. A gateway authorizer would duplicate that lookup on every request.',
    );
  }

  /** Base URL of the API, e.g. https://abc.execute-api.eu-west-1.amazonaws.com (routes live under /v1). */
  get url(): string {
    return this.api.apiEndpoint;
  }
}
