import { Aws, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag';

/**
 * The documents bucket's name, known without a cross-stack reference (account and region are pseudo
 * parameters), so consumers' IAM statements read the same before and after synthesis.
 */
export function documentsBucketName(prefix: string): string {
  return `${prefix.toLowerCase()}-documents-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

export interface DocumentsStackProps extends StackProps {
  /** Stack-name prefix, also used in the bucket name (see documentsBucketName). */
  prefix: string;
}

/**
 * Documents: bill PDFs (immutable once issued, hence versioning and no delete grant) and the bucket
 * that receives the documents bucket's server access logs.
 */
export class DocumentsStack extends Stack {
  readonly documentsBucket: Bucket;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: DocumentsStackProps) {
    super(scope, id, { terminationProtection: true, ...props });

    this.accessLogsBucket = new Bucket(this, 'AccessLogs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      // Server access logging only delivers to SSE-S3 buckets.
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      lifecycleRules: [{ expiration: Duration.days(400) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledge(
      this.accessLogsBucket,
      'AwsSolutions-S1',
      'This is the access-log destination itself; logging it into itself would loop and into another bucket would only move the finding.',
    );

    this.documentsBucket = new Bucket(this, 'Documents', {
      bucketName: documentsBucketName(props.prefix),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      versioned: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: 'documents/',
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
