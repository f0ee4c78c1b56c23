/**
 * EventBridge schedules. The CDK schedules stack and the local scheduler (croner) both read this list,
 * so a schedule exists in both runtimes or in neither.
 */
export interface ScheduleDefinition {
  name: string;
  description: string;
  /** EventBridge Scheduler expression: `rate(1 minute)` or `cron(m h dom mon dow year)`. */
  expression: string;
  /** Entry file (relative to the repository root) exporting `handler`. */
  entry: string;
  /** The job may charge saved cards (Stripe keys on AWS: infra SchedulesStack, docs/aws.md). */
  chargesCards?: boolean;
}

export const SCHEDULES: readonly ScheduleDefinition[] = [
  {
    name: 'outbox-sweep',
    description: 'Dispatch provisioning operations whose inline dispatch did not happen (crash, throttling).',
    expression: 'rate(1 minute)',
    entry: 'functions/src/schedules/outbox-sweep.ts',
  },
  {
    name: 'billing-runs',
    description: 'Start the scheduled billing run of every tenant whose day has come (once a month); resume runs that died.',
    expression: 'rate(1 hour)',
    entry: 'functions/src/schedules/billing-runs.ts',
    // Only starts workflow executions: the billing-run steps function, which closes bills and charges cards, holds
    // the Stripe keys (infra AsyncStack), not this job.
  },
  {
    name: 'dunning',
    description: 'Daily dunning: reminders, card retry, suspension of overdue accounts; reactivation once they have paid.',
    expression: 'cron(0 6 * * ? *)',
    entry: 'functions/src/schedules/dunning.ts',
    chargesCards: true,
  },
];
