import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTableInput, TABLE } from '@consort/shared/adapters/dynamodb/table';
import { createTestConsort } from './consort-app';

describe('data stack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(createTestConsort().stacks.data);
  });

  it('creates the one table with the keys and indexes the local runtime creates', () => {
    const local = createTableInput('ignored');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: local.KeySchema,
      GlobalSecondaryIndexes: local.GlobalSecondaryIndexes,
    });
    const [table] = Object.values(template.findResources('AWS::DynamoDB::Table'));
    const definitions = (table?.Properties.AttributeDefinitions as { AttributeName: string }[]).map((d) => d.AttributeName).sort();
    expect(definitions).toEqual(local.AttributeDefinitions.map((d) => d.AttributeName).sort());
  });

  it('protects the table: point-in-time recovery, deletion protection, retained, TTL on', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
        TimeToLiveSpecification: { AttributeName: TABLE.ttlAttribute, Enabled: true },
      },
    });
  });

  it('creates a rotating, retained KMS key for tenant secrets', () => {
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });
});
