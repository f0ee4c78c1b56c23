import { describe, expect, it } from 'vitest';
import {
  addBusinessDays,
  collectionDate,
  earliestCollectionDate,
  easterSunday,
  isTargetBusinessDay,
  targetHolidays,
  weekday,
} from '@consort/shared/payments/sepa/calendar';

describe('TARGET2 calendar', () => {
  it('knows Easter for several years', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2038)).toBe('2038-04-25');
  });

  it('closes on weekends, 1 Jan, Good Friday, Easter Monday, 1 May, 25 and 26 Dec', () => {
    expect(targetHolidays(2026)).toEqual(['2026-01-01', '2026-04-03', '2026-04-06', '2026-05-01', '2026-12-25', '2026-12-26']);
    expect(weekday('2026-12-05')).toBe(6);
    expect(isTargetBusinessDay('2026-12-05')).toBe(false);
    expect(isTargetBusinessDay('2026-12-06')).toBe(false);
    expect(isTargetBusinessDay('2026-12-07')).toBe(true);
    expect(isTargetBusinessDay('2026-04-03')).toBe(false);
    expect(isTargetBusinessDay('2026-04-06')).toBe(false);
    expect(isTargetBusinessDay('2026-12-24')).toBe(true);
    // Local holidays (6 Dec in Spain, 8 Dec) are TARGET days.
    expect(isTargetBusinessDay('2026-12-08')).toBe(true);
  });

  it('counts business days over Christmas and Easter', () => {
    expect(addBusinessDays('2026-12-24', 1)).toBe('2026-12-28');
    expect(addBusinessDays('2026-04-02', 1)).toBe('2026-04-07');
    expect(addBusinessDays('2026-12-05', 0)).toBe('2026-12-07');
    expect(addBusinessDays('2026-12-31', 1)).toBe('2027-01-04');
  });

  it('puts the earliest collection after the lead days and the pre-notification period', () => {
    // Thursday 24 Dec, 2 business days of lead time: Mon 28, Tue 29.
    expect(earliestCollectionDate('2026-12-24', 2)).toBe('2026-12-29');
    expect(earliestCollectionDate('2026-12-24', 1)).toBe('2026-12-28');
    // 14 days of notice win over 2 lead days; 7 Jan 2027 is a Thursday.
    expect(earliestCollectionDate('2026-12-24', 2, 14)).toBe('2027-01-07');
    expect(collectionDate('2027-02-06', '2027-01-07')).toBe('2027-02-08');
    expect(collectionDate('2026-01-01', '2027-01-07')).toBe('2027-01-07');
  });
});
