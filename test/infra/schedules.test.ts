import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULES } from '@consort/functions/schedules/index';
import { createTestConsort } from './consort-app';

describe('schedules stack', () => {
  let built: ReturnType<typeof createTestConsort>;
  let template: Template;
  beforeAll(() => {
    built = createTestConsort();
    template = Template.fromStack(built.stacks.schedules);
  });

  it('has one EventBridge Scheduler schedule per SCHEDULES entry', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(SCHEDULES.length);
    expect(schedules.map((s) => s.Properties.ScheduleExpression).sort()).toEqual(SCHEDULES.map((s) => s.expression).sort());
  });

  it('targets each schedule at the function built from its entry, through a role that may invoke only it', () => {
    const stack = built.stacks.schedules;
    for (const definition of SCHEDULES) {
      const job = stack.functions.get(definition.name);
      expect(job, definition.name).toBeDefined();
      const functionId = stack.getLogicalId(job!.fn.node.defaultChild as never);
      template.hasResourceProperties('AWS::Scheduler::Schedule', {
        ScheduleExpression: definition.expression,
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: { 'Fn::GetAtt': [functionId, 'Arn'] }, RetryPolicy: { MaximumRetryAttempts: 2 } },
      });
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: {
          Statement: [{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [functionId, 'Arn'] } }],
        },
      });
      // AppFunction describes a function by its entry file.
      template.hasResourceProperties('AWS::Lambda::Function', { Description: definition.entry });
    }
  });
});
