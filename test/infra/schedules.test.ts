import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { SCHEDULES } from '@consort/functions/schedules/index';
import type { AppFunction } from '../../infra/lib/constructs/app-function';
import { createTestConsort, nagFindings } from './consort-app';

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

describe('Stripe keys for the jobs that charge cards', () => {
  const PREFIX = '/consort-test/stripe';
  let built: ReturnType<typeof createTestConsort>;
  beforeAll(() => {
    built = createTestConsort({ stripeParameters: PREFIX });
  });

  /** The function's STRIPE_PARAMETERS and whether its role may read the parameters under it. */
  function stripeOf(stack: Stack, fn: AppFunction) {
    const template = Template.fromStack(stack);
    const fnId = stack.getLogicalId(fn.fn.node.defaultChild as never);
    const roleId = stack.getLogicalId(fn.role.node.defaultChild as never);
    const env = (template.findResources('AWS::Lambda::Function')[fnId]!.Properties.Environment.Variables ?? {}) as Record<string, unknown>;
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
    const grant = statements.find((s) => [s.Action].flat().includes('ssm:GetParameters'));
    return { parameters: env.STRIPE_PARAMETERS, resource: grant ? JSON.stringify(grant.Resource) : undefined };
  }

  it('gives the dunning schedule and the billing-run steps the same Stripe configuration as the API function', () => {
    const { api, schedules, async } = built.stacks;
    const fromApi = stripeOf(api, api.apiFunction);
    expect(fromApi.parameters).toBe(PREFIX);
    expect(fromApi.resource).toContain(`:parameter${PREFIX}/*`);
    const charging = SCHEDULES.filter((s) => s.chargesCards).map((s) => s.name);
    expect(charging).toContain('dunning');
    for (const name of charging) expect(stripeOf(schedules, schedules.functions.get(name)!), name).toEqual(fromApi);
    expect(stripeOf(async, async.billingRunStepsFunction)).toEqual(fromApi);
    // Jobs that never charge cards get neither the path nor the grant.
    expect(stripeOf(schedules, schedules.functions.get('outbox-sweep')!)).toEqual({ parameters: undefined, resource: undefined });
    // The path-scoped wildcard is acknowledged: cdk-nag finds nothing new.
    for (const stack of [api, schedules, async]) expect(nagFindings(stack), stack.stackName).toEqual([]);
  });

  it('gives no function Stripe access when the deployment has no keys', () => {
    const plain = createTestConsort();
    const { api, schedules } = plain.stacks;
    expect(stripeOf(api, api.apiFunction)).toEqual({ parameters: undefined, resource: undefined });
    expect(stripeOf(schedules, schedules.functions.get('dunning')!)).toEqual({ parameters: undefined, resource: undefined });
  });

  it('refuses a stripeParameters value that is not an SSM path', () => {
    expect(() => createTestConsort({ stripeParameters: 'consort stripe' })).toThrow(/SSM parameter path/);
  });
});
