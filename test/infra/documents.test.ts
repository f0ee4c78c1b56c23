import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestConsort } from './consort-app';

describe('documents stack', () => {
  let template: Template;
  let documentsId: string;
  beforeAll(() => {
    const { stacks } = createTestConsort();
    template = Template.fromStack(stacks.documents);
    documentsId = stacks.documents.getLogicalId(stacks.documents.documentsBucket.node.defaultChild as never);
  });

  it('blocks public access, encrypts and enforces TLS on every bucket', () => {
    const buckets = template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe(
        'AES256',
      );
    }
    template.resourcePropertiesCountIs(
      'AWS::S3::BucketPolicy',
      {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      },
      2,
    );
  });

  it('versions the documents bucket and logs access to the access-log bucket', () => {
    const documents = template.findResources('AWS::S3::Bucket')[documentsId];
    expect(documents?.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
    expect(documents?.Properties.LoggingConfiguration.DestinationBucketName).toEqual({ Ref: expect.stringMatching(/^AccessLogs/) });
    expect(documents?.DeletionPolicy).toBe('Retain');
  });
});
