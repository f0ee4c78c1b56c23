// The local stand-in for EventBridge Scheduler: the same SCHEDULES list, run by croner in UTC.
import { Cron } from 'croner';
import type { ScheduleDefinition } from '../schedules';

export interface LocalScheduler {
  /** Run one schedule now (as `aws scheduler` would with a one-off invocation). */
  trigger(name: string): Promise<void>;
  stop(): Promise<void>;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON = /^cron\((.+)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86400, days: 86400 };

/**
 * An EventBridge schedule expression as croner input. `rate(n unit)` becomes an interval in seconds; the six
 * EventBridge cron fields (minute hour day-of-month month day-of-week year) become croner's five, with the
 * day-of-week numbers shifted (EventBridge 1 = Sunday, croner 0 = Sunday). Only `*` is accepted for the year.
 */
export function toCronerSchedule(expression: string): { pattern: string } | { intervalSeconds: number } {
  const rate = RATE.exec(expression);
  if (rate) {
    const amount = Number(rate[1]);
    if (amount < 1) throw new Error(`Invalid schedule ${expression}: the rate must be at least 1`);
    return { intervalSeconds: amount * UNIT_SECONDS[rate[2]!]! };
  }
  const cron = CRON.exec(expression);
  if (!cron) throw new Error(`Invalid schedule ${expression}: use rate(…) or cron(…)`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`Invalid schedule ${expression}: cron() needs 6 fields`);
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (year !== '*') throw new Error(`Invalid schedule ${expression}: the local scheduler supports only * for the year`);
  const shiftedDow = dow.replace(/\d+/g, (d, offset: number, whole: string) => (whole[offset - 1] === '#' ? d : String(Number(d) - 1)));
  return { pattern: `${minute} ${hour} ${dom} ${month} ${shiftedDow}` };
}

export function startScheduler(options: {
  schedules: readonly ScheduleDefinition[];
  run: (schedule: ScheduleDefinition) => Promise<void>;
  log?: (line: string) => void;
}): LocalScheduler {
  const running = new Map<string, Promise<void>>();
  const invoke = (schedule: ScheduleDefinition) => {
    // Like a Lambda target with reserved concurrency 1: an overlapping tick is skipped, not queued.
    const current = running.get(schedule.name);
    if (current) return current;
    const started = Date.now();
    const run = options
      .run(schedule)
      .then(
        () => options.log?.(`${schedule.name} ok in ${Date.now() - started} ms`),
        (error: unknown) => options.log?.(`${schedule.name} failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => running.delete(schedule.name));
    running.set(schedule.name, run);
    return run;
  };
  const jobs = options.schedules.map((schedule) => {
    const parsed = toCronerSchedule(schedule.expression);
    const job =
      'pattern' in parsed
        ? new Cron(parsed.pattern, { timezone: 'UTC', protect: true }, () => void invoke(schedule))
        : new Cron('* * * * * *', { interval: parsed.intervalSeconds, protect: true }, () => void invoke(schedule));
    return { schedule, job };
  });
  options.log?.(`${jobs.length} schedule(s): ${options.schedules.map((s) => `${s.name} ${s.expression}`).join(', ')}`);
  return {
    trigger: async (name) => {
      const found = jobs.find((j) => j.schedule.name === name);
      if (!found) throw new Error(`No schedule ${name}`);
      await invoke(found.schedule);
    },
    stop: async () => {
      for (const { job } of jobs) job.stop();
      await Promise.allSettled(running.values());
    },
  };
}
