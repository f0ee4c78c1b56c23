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

  it('lets only the steps function run SSM commands: AWS-RunShellScript on tagged instances, polling and cancel', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown; Condition?: unknown }[],
    );
    const ssm = statements.filter((s) => [s.Action].flat().some((a) => a.startsWith('ssm:')));
    const send = ssm.filter((s) => s.Action === 'ssm:SendCommand');
    expect(send).toHaveLength(2);
    expect(JSON.stringify(send)).toContain('document/AWS-RunShellScript');
    const onInstances = send.find((s) => s.Condition);
    expect(onInstances?.Condition).toEqual({ StringEquals: { 'ssm:resourceTag/consort:provisioning': 'true' } });
    expect(JSON.stringify(onInstances?.Resource)).toMatch(/:instance\/\*.*:managed-instance\/\*/);
    // CDK merges them with the X-Ray statement (both on "*"); SSM actions on "*" are only these two.
    const polling = ssm.find((s) => [s.Action].flat().includes('ssm:GetCommandInvocation'));
    expect(polling?.Resource).toBe('*');
    expect([polling?.Action].flat().filter((a) => a?.startsWith('ssm:'))).toEqual(['ssm:CancelCommand', 'ssm:GetCommandInvocation']);
    // Only the provisioning steps function holds them.
    const holders = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) => JSON.stringify(p).includes('ssm:SendCommand'));
    expect(holders).toHaveLength(1);
    expect(JSON.stringify(holders[0]!.Properties.Roles)).toContain('ProvisioningSteps');
  });
});
