import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROVISIONING_TASK_STATES } from '@consort/functions/workflows/provisioning-definition';
import { createTestConsort } from './consort-app';

/** The provisioning (EXPRESS) machine's definition with CloudFormation's Fn::Join flattened (function ARNs become "<ARN>"). */
function definitionOf(template: Template): { States: Record<string, { Type: string; Resource?: string }> } {
  const [machine] = Object.values(
    template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineType: 'EXPRESS' } }),
  );
  const parts = machine?.Properties.DefinitionString['Fn::Join'][1] as unknown[];
  return JSON.parse(parts.map((p) => (typeof p === 'string' ? p : '<ARN>')).join(''));
}

describe('async stack (provisioning)', () => {
  let template: Template;
  let stepsFunctionId: string;
  beforeAll(() => {
    const { stacks } = createTestConsort();
    template = Template.fromStack(stacks.async);
    stepsFunctionId = stacks.async.getLogicalId(stacks.async.stepsFunction.fn.node.defaultChild as never);
  });

  it('has a FIFO provisioning queue with explicit dedup ids and a FIFO dead-letter queue', () => {
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.stringLikeRegexp('provisioning\\.fifo$'),
      FifoQueue: true,
      ContentBasedDeduplication: false,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] }, maxReceiveCount: 5 },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { QueueName: Match.stringLikeRegexp('provisioning-dlq\\.fifo$'), FifoQueue: true });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0 });
  });

  it('consumes the queue in batches of 10 with partial batch responses', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ProvisioningQueue'), 'Arn'] },
    });
  });

  it('runs an EXPRESS, traced, logged state machine whose four Task states invoke the steps function', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'EXPRESS',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    const definition = definitionOf(template);
    const tasks = Object.entries(definition.States).filter(([, state]) => state.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual([...PROVISIONING_TASK_STATES].sort());
    const [machine] = Object.values(
      template.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineType: 'EXPRESS' } }),
    );
    const arns = (machine?.Properties.DefinitionString['Fn::Join'][1] as unknown[]).filter((p) => typeof p !== 'string');
    expect(arns).toHaveLength(PROVISIONING_TASK_STATES.length);
    for (const arn of arns) expect(arn).toEqual({ 'Fn::GetAtt': [stepsFunctionId, 'Arn'] });
  });

  it('lets the machine invoke exactly the steps function, and the consumer start it synchronously', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stepsFunctionId, 'Arn'] } },
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          { Action: 'states:StartSyncExecution', Effect: 'Allow', Resource: { Ref: Match.stringLikeRegexp('ProvisioningWorkflow') } },
        ]),
      },
    });
  });

  it('ships templates/ with the steps function', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CONSORT_TEMPLATES_DIR: '/var/task/templates' }) },
      Timeout: 300,
    });
  });
});
