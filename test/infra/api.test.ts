import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestConsort, nagFindings } from './consort-app';

describe('api stack', () => {
  let template: Template;
  beforeAll(() => {
    template = Template.fromStack(createTestConsort().stacks.api);
  });

  it('routes ANY /v1/{proxy+} to the API lambdalith', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'ANY /v1/{proxy+}' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
  });

  it('logs access and throttles on the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('\\$context.requestId') },
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
    });
  });

  it('lets the API use the secrets key, read and add documents, and send to the provisioning queue', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'] }),
          Match.objectLike({ Action: ['s3:GetObject', 's3:PutObject'] }),
          Match.objectLike({ Action: Match.arrayWith(['sqs:SendMessage']) }),
        ]),
      },
    });
  });

  it('grants no SES action without a sender, and an empty MAIL_FROM', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toContain('ses:');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAIL_FROM: '' }) },
    });
  });

  it('with -c mailFrom, lets the API send as that address only, on its domain identity', () => {
    const stack = createTestConsort({ mailFrom: 'billing@pangea.example' }).stacks.api;
    const api = Template.fromStack(stack);
    api.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Effect: 'Allow',
            Action: ['ses:SendEmail', 'ses:SendRawEmail'],
            Resource: {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':ses:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':identity/pangea.example',
                ],
              ],
            },
            Condition: { StringEquals: { 'ses:FromAddress': 'billing@pangea.example' } },
          },
        ]),
      },
    });
    api.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAIL_FROM: 'billing@pangea.example' }) },
    });
    // No wildcard in the grant, so nothing for cdk-nag to flag or for us to acknowledge.
    expect(nagFindings(stack)).toEqual([]);
  });

  it('refuses a mailFrom that is not an address', () => {
    expect(() => createTestConsort({ mailFrom: 'billing' })).toThrow(/mailFrom/);
  });
});
