import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { BILLING_RUN_TASK_STATES } from '@consort/functions/workflows/billing-run-definition';
import { createTestConsort } from './consort-app';

// The billing-run workflow on AWS: a STANDARD machine in the async stack whose Tasks invoke the billing-run steps
// function, started (never synchronously) by the API and by the billing-runs schedule only.

describe('billing runs (async, api and schedules stacks)', () => {
  let built: ReturnType<typeof createTestConsort>;
  let asyncTemplate: Template;
  let machineId: string;
  let stepsId: string;
  beforeAll(() => {
    built = createTestConsort();
    asyncTemplate = Template.fromStack(built.stacks.async);
    const stack = built.stacks.async;
    machineId = stack.getLogicalId(stack.billingRunStateMachine.node.defaultChild as never);
    stepsId = stack.getLogicalId(stack.billingRunStepsFunction.fn.node.defaultChild as never);
  });

  it('runs a STANDARD, traced, logged machine whose Task states all invoke the billing-run steps function', () => {
    const machines = asyncTemplate.findResources('AWS::StepFunctions::StateMachine', { Properties: { StateMachineType: 'STANDARD' } });
    expect(Object.keys(machines)).toEqual([machineId]);
    const machine = machines[machineId]!;
    expect(machine.Properties).toMatchObject({
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: { IncludeExecutionData: false },
    });
    const parts = machine.Properties.DefinitionString['Fn::Join'][1] as unknown[];
    const definition = JSON.parse(parts.map((p) => (typeof p === 'string' ? p : '<ARN>')).join(''));
    const tasks = Object.entries(definition.States as Record<string, { Type: string }>).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual([...BILLING_RUN_TASK_STATES].sort());
    const arns = parts.filter((p) => typeof p !== 'string');
    expect(arns).toHaveLength(BILLING_RUN_TASK_STATES.length);
    for (const arn of arns) expect(arn).toEqual({ 'Fn::GetAtt': [stepsId, 'Arn'] });
    asyncTemplate.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stepsId, 'Arn'] } }]),
      },
    });
  });

  it('gives every function the machine ARN, and the steps function a timeout past one step', () => {
    asyncTemplate.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'functions/src/workflows/billing-run-steps.ts',
      Timeout: 660,
      Environment: { Variables: Match.objectLike({ BILLING_RUN_STATE_MACHINE_ARN: Match.anyValue() }) },
    });
  });

  it('lets the API and only the billing-runs schedule start executions', () => {
    const startGrant = (template: Template) =>
      Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
        JSON.stringify(p.Properties.PolicyDocument.Statement).includes('states:StartExecution'),
      );
    expect(startGrant(Template.fromStack(built.stacks.api))).toHaveLength(1);
    const schedules = built.stacks.schedules;
    const granted = startGrant(Template.fromStack(schedules));
    expect(granted).toHaveLength(1);
    const job = schedules.functions.get('billing-runs')!;
    const roleId = schedules.getLogicalId(job.role.node.defaultChild as never);
    expect(granted[0]!.Properties.Roles).toEqual([{ Ref: roleId }]);
    Template.fromStack(schedules).hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 hour)' });
  });
});
