import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as CloudFrontFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { FunctionUrlOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  Function as LambdaFunction,
  FunctionUrlAuthType,
  InvokeMode,
  LayerVersion,
  Runtime,
  Tracing,
  type Code,
} from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge, REASONS } from '../nag';

export interface WebStackProps extends StackProps {
  /** The web function's package: `nextStandaloneCode()` or `placeholderCode()` (infra/lib/web-asset.ts). */
  code: Code;
  /** Base URL of the REST API (routes under /v1). */
  apiUrl: string;
  /** Version of the Lambda Web Adapter layer (context `webLayerVersion`). */
  adapterLayerVersion: number;
  /** Custom domain served by CloudFront; needs `certificateArn` (ACM, us-east-1). */
  domainName?: string;
  certificateArn?: string;
}

/**
 * Viewer-request function: keep the viewer's host for next-auth (AUTH_TRUST_HOST), because the origin
 * request policy must replace Host with the function URL's own host.
 */
const FORWARD_HOST = `function handler(event) {
  var request = event.request;
  if (request.headers.host) request.headers['x-forwarded-host'] = { value: request.headers.host.value };
  request.headers['x-forwarded-proto'] = { value: 'https' };
  return request;
}`;

/**
 * The Next.js app (staff and customer portals) on Lambda: the standalone server runs behind the AWS
 * Lambda Web Adapter layer, exposed by a streaming Function URL, fronted by CloudFront (HTTPS, caching of
 * `/_next/static/*`, security headers, access logs, optional custom domain). See docs/decisions.md
 * "Web on AWS".
 */
export class WebStack extends Stack {
  readonly webFunction: LambdaFunction;
  readonly distribution: Distribution;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);

    // Signs next-auth session cookies; Lambda resolves it at deploy time into the function's environment.
    const authSecret = new Secret(this, 'AuthSecret', {
      description: 'Consort web: NEXTAUTH_SECRET',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledge(
      authSecret,
      'AwsSolutions-SMG4',
      'The next-auth signing secret has no rotation Lambda: rotating it signs every user out, so it is rotated by hand (docs/aws.md) rather than on a timer.',
    );

    const logGroup = new LogGroup(this, 'WebLogs', { retention: RetentionDays.ONE_MONTH });
    const role = new Role(this, 'WebRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    // x86_64: the standalone build traces native packages (sharp for next/image) for the build machine,
    // which is linux-x64 here and in CI.
    const adapter = LayerVersion.fromLayerVersionArn(
      this,
      'WebAdapter',
      `arn:${Aws.PARTITION}:lambda:${Aws.REGION}:753240598075:layer:LambdaAdapterLayerX86:${props.adapterLayerVersion}`,
    );
    this.webFunction = new LambdaFunction(this, 'Web', {
      description: 'Consort web (Next.js standalone behind the Lambda Web Adapter)',
      code: props.code,
      handler: 'run.sh',
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.X86_64,
      layers: [adapter],
      memorySize: 1024,
      timeout: Duration.seconds(30),
      tracing: Tracing.ACTIVE,
      role,
      logGroup,
      environment: {
        CONSORT_RUNTIME: 'aws',
        CONSORT_API_URL: props.apiUrl,
        NODE_ENV: 'production',
        AWS_LAMBDA_EXEC_WRAPPER: '/opt/bootstrap',
        AWS_LWA_INVOKE_MODE: 'response_stream',
        // A TCP check: rendering "/" on every cold start would call the API before the first request.
        AWS_LWA_READINESS_CHECK_PROTOCOL: 'tcp',
        PORT: '8080',
        HOSTNAME: '0.0.0.0',
        NEXTAUTH_SECRET: authSecret.secretValue.unsafeUnwrap(),
        AUTH_TRUST_HOST: 'true',
        ...(props.domainName ? { NEXTAUTH_URL: `https://${props.domainName}` } : {}),
      },
    });
    acknowledge(this.webFunction, 'AwsSolutions-L1', REASONS.nodeRuntime);
    acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', REASONS.xrayWildcard);

    const url = this.webFunction.addFunctionUrl({ authType: FunctionUrlAuthType.NONE, invokeMode: InvokeMode.RESPONSE_STREAM });
    const origin = new FunctionUrlOrigin(url, { readTimeout: Duration.seconds(30) });

    const logBucket = new Bucket(this, 'CdnLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront standard logs are delivered with an ACL.
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
    });
    acknowledge(
      logBucket,
      'AwsSolutions-S1',
      'This bucket receives CloudFront access logs; logging the log bucket would only move the finding.',
    );

    const forwardHost = new CloudFrontFunction(this, 'ForwardHost', {
      code: FunctionCode.fromInline(FORWARD_HOST),
      runtime: FunctionRuntime.JS_2_0,
    });
    const certificate = props.certificateArn ? Certificate.fromCertificateArn(this, 'Certificate', props.certificateArn) : undefined;

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Consort web',
      defaultBehavior: {
        origin,
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_ALL,
        cachePolicy: CachePolicy.CACHING_DISABLED,
        originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
        responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        functionAssociations: [{ function: forwardHost, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: {
        // Content-hashed build assets: cache at the edge for as long as Next says (immutable).
        '/_next/static/*': {
          origin,
          viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: CachePolicy.CACHING_OPTIMIZED,
          responseHeadersPolicy: ResponseHeadersPolicy.SECURITY_HEADERS,
        },
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket,
      logFilePrefix: 'cloudfront/',
      ...(props.domainName && certificate
        ? { domainNames: [props.domainName], certificate, minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2021 }
        : {}),
    });
    new CfnOutput(this, 'WebUrl', {
      value: props.domainName ? `https://${props.domainName}` : this.url,
      description: 'Where users open Consort',
    });
    if (!certificate) {
      acknowledge(
        this.distribution,
        'AwsSolutions-CFR4',
        'Without a custom domain the distribution uses the *.cloudfront.net certificate, whose TLS policy cannot be set. Deploy with -c webDomainName=… -c webCertificateArn=… to get TLSv1.2_2021.',
      );
    }
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'Tenants are hosting organisations anywhere and their customers log in from anywhere: no country can be excluded up front.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      "No WAF web ACL by default: it is a fixed monthly cost per deployment and the rules depend on the operator. Attach one through the distribution's webAclId when managed rules are wanted (docs/aws.md).",
    );
  }

  /** https URL users open. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
