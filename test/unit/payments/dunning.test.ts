import { describe, expect, it } from 'vitest';
import { DEFAULT_DUNNING_LADDER, DunningLadder, DunningSettings, daysPastDue, dueDunningSteps } from '@consort/shared/payments/dunning';

const bills = [
  { id: 'bil_a', dueOn: '2026-03-01' },
  { id: 'bil_b', dueOn: '2026-03-20' },
];

describe('dunning ladder', () => {
  it('counts days from the oldest overdue bill', () => {
    expect(daysPastDue(bills, '2026-03-08')).toBe(7);
    expect(daysPastDue(bills, '2026-02-27')).toBe(0);
    expect(daysPastDue([], '2026-03-08')).toBe(0);
  });

  it('returns nothing before the first step or without overdue bills', () => {
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 0, bills, '2026-03-07')).toEqual([]);
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 0, [], '2026-09-01')).toEqual([]);
  });

  it('takes each reached step once: a call after storing the level returns nothing', () => {
    const first = dueDunningSteps(DEFAULT_DUNNING_LADDER, 0, bills, '2026-03-08');
    expect(first).toEqual([{ index: 0, step: { afterDays: 7, action: 'remind' } }]);
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 1, bills, '2026-03-08')).toEqual([]);
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 1, bills, '2026-03-14')).toEqual([]);
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 1, bills, '2026-03-15').map((s) => s.index)).toEqual([1]);
  });

  it('catches up on every step reached when runs were missed, in ladder order', () => {
    const steps = dueDunningSteps(DEFAULT_DUNNING_LADDER, 1, bills, '2026-03-31');
    expect(steps.map((s) => s.step.action)).toEqual(['remind', 'retry-card', 'suspend']);
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 4, bills, '2026-04-30').map((s) => s.step.action)).toEqual(['terminate']);
    expect(dueDunningSteps(DEFAULT_DUNNING_LADDER, 5, bills, '2027-01-01')).toEqual([]);
  });

  it('validates ladders: increasing days, one suspend and one terminate at most', () => {
    expect(DunningLadder.safeParse(DEFAULT_DUNNING_LADDER).success).toBe(true);
    const same = DunningLadder.safeParse([
      { afterDays: 7, action: 'remind' },
      { afterDays: 7, action: 'suspend' },
    ]);
    expect(same.success).toBe(false);
    expect(same.error?.issues[0]).toMatchObject({ path: [1, 'afterDays'] });
    expect(
      DunningLadder.safeParse([
        { afterDays: 7, action: 'suspend' },
        { afterDays: 9, action: 'suspend' },
      ]).success,
    ).toBe(false);
    expect(DunningLadder.safeParse([{ afterDays: 0, action: 'remind' }]).success).toBe(false);
    expect(DunningLadder.safeParse([{ afterDays: 3, action: 'delete-everything' }]).success).toBe(false);
    expect(DunningSettings.parse({})).toEqual({ enabled: true, ladder: DEFAULT_DUNNING_LADDER });
  });
});
