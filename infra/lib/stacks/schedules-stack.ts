import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { SCHEDULES, type ScheduleDefinition } from '@consort/functions/schedules/index';
import { AppFunction, type RuntimeEnvironment, type StripeConfig } from '../constructs/app-function';

export interface SchedulesStackProps extends StackProps {
  table: ITable;
  provisioningQueue: IQueue;
  environment: RuntimeEnvironment;
  /** Started by the `billing-runs` schedule (the only job granted StartExecution). */
  billingRunStateMachine: IStateMachine;
  /** Stripe platform keys, given to the schedules that charge cards (`chargesCards`); undefined = no cards. */
  stripe?: StripeConfig;
  /** @default SCHEDULES from functions/src/schedules/index.ts (the local scheduler reads the same list) */
  schedules?: readonly ScheduleDefinition[];
}

/**
 * EventBridge Scheduler: one schedule and one function per entry of SCHEDULES. Jobs are idempotent
 * and run again at the next tick, so a failed invocation is retried briefly and then dropped.
 */
export class SchedulesStack extends Stack {
  readonly functions = new Map<string, AppFunction>();
  readonly schedules = new Map<string, CfnSchedule>();

  constructor(scope: Construct, id: string, props: SchedulesStackProps) {
    super(scope, id, props);

    const role = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: 'EventBridge Scheduler invokes the Consort schedule functions',
    });

    for (const definition of props.schedules ?? SCHEDULES) {
      const id = pascalCase(definition.name);
      const job = new AppFunction(this, id, {
        entry: definition.entry,
        environment: props.environment,
        timeout: Duration.seconds(60),
        memorySize: 512,
      });
      job.allowTableReadWrite(props.table);
      props.provisioningQueue.grantSendMessages(job.role);
      if (definition.name === 'billing-runs') props.billingRunStateMachine.grantStartExecution(job.role);
      // The same Stripe configuration as the API function (dunning's retry-card step charges saved cards).
      if (definition.chargesCards && props.stripe) job.allowStripe(props.stripe);
      this.functions.set(definition.name, job);

      role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [job.functionArn] }));
      const schedule = new CfnSchedule(this, `${id}Schedule`, {
        description: definition.description,
        scheduleExpression: definition.expression,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: job.functionArn,
          roleArn: role.roleArn,
          input: JSON.stringify({ schedule: definition.name }),
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 300 },
        },
      });
      schedule.node.addDependency(role); // the role's policy must exist before the first tick
      this.schedules.set(definition.name, schedule);
    }
  }
}

function pascalCase(name: string): string {
  return name.replace(/(^|[-_\s]+)(\w)/g, (_m, _sep, c: string) => c.toUpperCase());
}
