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

  it('targets each schedule at the function built from its entry, through a role that may invoke only those functions', () => {
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
      // AppFunction describes a function by its entry file.
      template.hasResourceProperties('AWS::Lambda::Function', { Description: definition.entry });
    }
    // The scheduler's role invokes the schedule functions and nothing else.
    const schedulerRole = stack.getLogicalId(stack.node.findChild('SchedulerRole').node.defaultChild as never);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === schedulerRole),
    );
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string; Resource: unknown }[]);
    expect(new Set(statements.map((s) => s.Action))).toEqual(new Set(['lambda:InvokeFunction']));
    const jobs = SCHEDULES.map((d) => ({
      'Fn::GetAtt': [stack.getLogicalId(stack.functions.get(d.name)!.fn.node.defaultChild as never), 'Arn'],
    }));
    const invoked = statements.flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    expect(invoked).toHaveLength(jobs.length);
    expect(invoked).toEqual(expect.arrayContaining(jobs));
  });
});
