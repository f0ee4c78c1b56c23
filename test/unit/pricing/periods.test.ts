import { describe, expect, it } from 'vitest';
import { addMonths, daysInMonth, toLocalDate } from '@consort/shared/core/dates';
import {
  billingPoint,
  nextBillingPoint,
  periodEnd,
  periodMonths,
  periodSize,
  periodSizeExact,
  pricingSlots,
  type BillingPointInput,
} from '@consort/shared/pricing/periods';
import { seeded } from '../../support/random';

const base: BillingPointInput = {
  billingPeriod: 'monthly',
  billingPoint: 'fixed',
  paymentStyle: 'prepay',
  date: '2024-03-15',
  registeredOn: '2023-06-10',
  cancelledOn: null,
  onCancel: 'nothing',
};
const point = (overrides: Partial<BillingPointInput>) => billingPoint({ ...base, ...overrides });

describe('billingPoint', () => {
  it('matches the issue example: annual, fixed 1 January, prepay', () => {
    expect(point({ billingPeriod: 'annual', fixedMonth: 1 })).toBe('2025-01-01');
  });

  it('monthly: postpay bills to the anchor day of this month, prepay to that of next month', () => {
    expect(point({ paymentStyle: 'postpay' })).toBe('2024-03-01');
    expect(point({ paymentStyle: 'prepay' })).toBe('2024-04-01');
    expect(point({ paymentStyle: 'prepay', date: '2024-12-20' })).toBe('2025-01-01');
    expect(point({ paymentStyle: 'postpay', fixedDay: 20 })).toBe('2024-03-20');
    // on-register: the registration day, compared by month only
    expect(point({ billingPoint: 'on-register', paymentStyle: 'postpay' })).toBe('2024-03-10');
    expect(point({ billingPoint: 'on-register', paymentStyle: 'postpay', date: '2024-03-05' })).toBe('2024-03-10');
    expect(point({ billingPoint: 'on-register', paymentStyle: 'prepay' })).toBe('2024-04-10');
  });

  it('clamps a 31st to the end of short months (30 Apr, 29 Feb)', () => {
    const on31 = { billingPoint: 'on-register' as const, registeredOn: '2023-01-31' };
    expect(point({ ...on31, paymentStyle: 'postpay', date: '2024-04-15' })).toBe('2024-04-30');
    expect(point({ ...on31, paymentStyle: 'prepay', date: '2024-01-15' })).toBe('2024-02-29');
    expect(point({ ...on31, paymentStyle: 'prepay', date: '2023-01-15' })).toBe('2023-02-28');
    expect(point({ ...on31, paymentStyle: 'prepay', date: '2024-02-15' })).toBe('2024-03-31');
    expect(point({ paymentStyle: 'postpay', fixedDay: 31, date: '2024-02-03' })).toBe('2024-02-29');
    expect(point({ billingPeriod: 'annual', billingPoint: 'on-register', registeredOn: '2020-02-29', date: '2024-06-01' })).toBe(
      '2025-02-28',
    );
  });

  it('annual prepay: this year if the month is before the anchor month, else next year', () => {
    const april = { billingPeriod: 'annual' as const, fixedMonth: 4 };
    expect(point({ ...april, date: '2024-03-31' })).toBe('2024-04-01');
    expect(point({ ...april, date: '2024-04-01' })).toBe('2025-04-01');
    expect(point({ ...april, date: '2024-04-30' })).toBe('2025-04-01');
    expect(point({ ...april, date: '2024-11-02' })).toBe('2025-04-01');
  });

  it('annual postpay: this year if the month is at or after the anchor month, else the previous year', () => {
    const april = { billingPeriod: 'annual' as const, fixedMonth: 4, paymentStyle: 'postpay' as const };
    expect(point({ ...april, date: '2024-03-31' })).toBe('2023-04-01');
    expect(point({ ...april, date: '2024-04-01' })).toBe('2024-04-01');
    expect(point({ ...april, date: '2024-12-31' })).toBe('2024-04-01');
    expect(point({ billingPeriod: 'annual', paymentStyle: 'postpay', billingPoint: 'on-register' })).toBe('2023-06-10');
    expect(point({ billingPeriod: 'annual', paymentStyle: 'postpay', fixedMonth: 3, fixedDay: 20 })).toBe('2024-03-20');
  });

  it('quarterly and half-yearly: periods of 3 or 6 months counted from the anchor month', () => {
    // fixed 1 January: quarters start in Jan, Apr, Jul, Oct
    expect(point({ billingPeriod: 'quarterly' })).toBe('2024-04-01');
    expect(point({ billingPeriod: 'quarterly', paymentStyle: 'postpay' })).toBe('2024-01-01');
    expect(point({ billingPeriod: 'quarterly', date: '2024-04-01' })).toBe('2024-07-01');
    expect(point({ billingPeriod: 'quarterly', date: '2024-12-31' })).toBe('2025-01-01');
    // registered 10 June: quarters start on the 10th of Jun, Sep, Dec, Mar
    expect(point({ billingPeriod: 'quarterly', billingPoint: 'on-register' })).toBe('2024-06-10');
    expect(point({ billingPeriod: 'quarterly', billingPoint: 'on-register', paymentStyle: 'postpay' })).toBe('2024-03-10');
    expect(point({ billingPeriod: 'quarterly', billingPoint: 'on-register', date: '2024-02-29', paymentStyle: 'postpay' })).toBe(
      '2023-12-10',
    );
    // half-years from April: Apr and Oct
    expect(point({ billingPeriod: 'half-yearly', fixedMonth: 4 })).toBe('2024-04-01');
    expect(point({ billingPeriod: 'half-yearly', fixedMonth: 4, paymentStyle: 'postpay' })).toBe('2023-10-01');
    expect(point({ billingPeriod: 'half-yearly', fixedMonth: 4, date: '2024-10-01' })).toBe('2025-04-01');
  });

  it('one-time services bill on the registration date', () => {
    expect(point({ billingPeriod: 'once' })).toBe('2023-06-10');
    expect(point({ billingPeriod: 'once', paymentStyle: 'postpay', date: '2030-01-01' })).toBe('2023-06-10');
  });

  it('a cancellation before the point ends billing there unless the policy is nothing', () => {
    expect(point({ cancelledOn: '2024-03-20', onCancel: 'discount' })).toBe('2024-03-20');
    expect(point({ cancelledOn: '2024-03-20', onCancel: 'compensate' })).toBe('2024-03-20');
    expect(point({ cancelledOn: '2024-03-20', onCancel: 'refund' })).toBe('2024-03-20');
    expect(point({ cancelledOn: '2024-03-20', onCancel: 'nothing' })).toBe('2024-04-01');
    expect(point({ cancelledOn: '2024-04-01', onCancel: 'discount' })).toBe('2024-04-01');
    expect(point({ cancelledOn: '2024-05-01', onCancel: 'discount' })).toBe('2024-04-01');
    expect(point({ cancelledOn: undefined, onCancel: 'discount' })).toBe('2024-04-01');
  });

  it('rejects a fixed month or day that does not exist', () => {
    expect(() => point({ fixedMonth: 13 })).toThrow(RangeError);
    expect(() => point({ fixedDay: 0 })).toThrow(RangeError);
    expect(() => point({ fixedDay: 32 })).toThrow(RangeError);
  });

  it('prepay is always after the date and postpay never a month after it (random cases)', () => {
    const random = seeded(21);
    for (let i = 0; i < 3000; i++) {
      const year = random.int(2000, 2040);
      const month = random.int(1, 12);
      const date = toLocalDate(year, month, random.int(1, daysInMonth(year, month)));
      const input = {
        ...base,
        billingPeriod: random.pick(['monthly', 'quarterly', 'half-yearly', 'annual'] as const),
        billingPoint: random.pick(['fixed', 'on-register'] as const),
        registeredOn: toLocalDate(random.int(1999, 2040), random.int(1, 12), random.int(1, 28)),
        fixedMonth: random.int(1, 12),
        fixedDay: random.int(1, 31),
        date,
      };
      const months = periodMonths(input.billingPeriod);
      const prepaid = billingPoint({ ...input, paymentStyle: 'prepay' });
      const postpaid = billingPoint({ ...input, paymentStyle: 'postpay' });
      // Prepay is one period after postpay, on the same anchor
      expect(nextBillingPoint(input, postpaid)).toBe(prepaid);
      expect(addMonths(postpaid, months).slice(0, 7)).toBe(prepaid.slice(0, 7));
      // Both lie in the period around `date`'s month
      expect(prepaid.slice(0, 7) > date.slice(0, 7)).toBe(true);
      expect(postpaid.slice(0, 7) <= date.slice(0, 7)).toBe(true);
      expect(addMonths(postpaid, months).slice(0, 7) > date.slice(0, 7)).toBe(true);
    }
  });
});

describe('nextBillingPoint and periodEnd', () => {
  it('walks anchored boundaries without drift', () => {
    const anchor = { billingPeriod: 'monthly' as const, billingPoint: 'on-register' as const, registeredOn: '2024-01-31' };
    const walk = ['2024-01-31'];
    for (let i = 0; i < 4; i++) walk.push(nextBillingPoint(anchor, walk[walk.length - 1]!));
    expect(walk).toEqual(['2024-01-31', '2024-02-29', '2024-03-31', '2024-04-30', '2024-05-31']);
    expect(nextBillingPoint({ billingPeriod: 'quarterly', billingPoint: 'fixed', registeredOn: '2024-02-10' }, '2024-03-31')).toBe(
      '2024-04-01',
    );
    expect(
      nextBillingPoint({ billingPeriod: 'annual', billingPoint: 'fixed', registeredOn: '2020-01-01', fixedMonth: 4 }, '2024-04-01'),
    ).toBe('2025-04-01');
  });

  it('periodEnd adds one period, clamped; a one-time service has no length', () => {
    expect(periodEnd('2024-01-31', 'monthly')).toBe('2024-02-29');
    expect(periodEnd('2024-01-31', 'quarterly')).toBe('2024-04-30');
    expect(periodEnd('2024-08-31', 'half-yearly')).toBe('2025-02-28');
    expect(periodEnd('2024-02-29', 'annual')).toBe('2025-02-28');
    expect(periodEnd('2024-02-29', 'once')).toBe('2024-02-29');
  });
});

describe('periodSize', () => {
  const size = (
    billingPeriod: Parameters<typeof periodSize>[0]['billingPeriod'],
    pricingPeriod: 'billing' | 'monthly' | 'annual',
    start: string,
    end: string,
  ) => periodSize({ billingPeriod, pricingPeriod, start, end }).toFixed(2);

  it('matches the issue examples', () => {
    expect(size('annual', 'billing', '2024-03-15', '2025-01-01')).toBe('0.80');
    expect(size('monthly', 'billing', '2024-03-15', '2024-04-01')).toBe('0.57');
    expect(size('monthly', 'billing', '2024-01-31', '2024-03-01')).toBe('1.03');
    expect(size('annual', 'monthly', '2024-03-15', '2025-01-01')).toBe('9.55');
  });

  it('counts whole periods as 1 and one-time services as 1', () => {
    expect(size('monthly', 'billing', '2024-02-01', '2024-03-01')).toBe('1.00');
    expect(size('monthly', 'billing', '2024-01-31', '2024-02-29')).toBe('1.00');
    expect(size('annual', 'billing', '2024-02-29', '2025-02-28')).toBe('1.00');
    expect(size('annual', 'billing', '2024-01-01', '2026-07-01')).toBe('2.50');
    expect(size('quarterly', 'billing', '2024-01-01', '2024-04-01')).toBe('1.00');
    expect(size('half-yearly', 'billing', '2024-01-01', '2025-01-01')).toBe('2.00');
    expect(size('once', 'billing', '2024-01-01', '2025-06-07')).toBe('1.00');
    expect(size('once', 'monthly', '2024-01-01', '2024-01-01')).toBe('1.00');
    expect(size('monthly', 'billing', '2024-05-10', '2024-05-10')).toBe('0.00');
  });

  it('prices a period in months or years whatever the billing period', () => {
    expect(size('monthly', 'annual', '2024-01-01', '2024-04-01')).toBe('0.25');
    expect(size('quarterly', 'monthly', '2024-01-01', '2024-04-01')).toBe('3.00');
    // quarterly priced per quarter: (1 month + 15/30 days) / 3
    expect(size('quarterly', 'billing', '2024-03-01', '2024-04-16')).toBe('0.50');
    // annual: years + leftover months / 12 + days / days in end's year
    expect(size('annual', 'billing', '2023-01-01', '2024-07-16')).toBe(((1 + 6 / 12 + 15 / 366) as number).toFixed(2));
  });

  it('rounds half-up to 2 decimals', () => {
    // half-yearly priced per half-year: 21 days / 28 (Feb 2023) / 6 = 0.125 exactly
    expect(
      periodSizeExact({ billingPeriod: 'half-yearly', pricingPeriod: 'billing', start: '2023-02-01', end: '2023-02-22' }).toString(),
    ).toBe('0.125');
    expect(size('half-yearly', 'billing', '2023-02-01', '2023-02-22')).toBe('0.13');
  });

  it('refuses a period that ends before it starts', () => {
    expect(() => size('monthly', 'billing', '2024-05-10', '2024-05-09')).toThrow(RangeError);
  });
});

describe('pricingSlots', () => {
  it('matches the issue example: fixed monthly slots from the 1st of the start month', () => {
    expect(pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', start: '2024-03-15', end: '2024-06-01' })).toEqual([
      ['2024-03-01', '2024-04-01'],
      ['2024-04-01', '2024-05-01'],
      ['2024-05-01', '2024-06-01'],
    ]);
  });

  it('lets the last slot end after the end', () => {
    expect(pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', start: '2024-03-15', end: '2024-05-02' })).toEqual([
      ['2024-03-01', '2024-04-01'],
      ['2024-04-01', '2024-05-01'],
      ['2024-05-01', '2024-06-01'],
    ]);
    expect(pricingSlots({ pricingPeriod: 'annual', billingPoint: 'fixed', start: '2024-03-15', end: '2025-02-01' })).toEqual([
      ['2024-01-01', '2025-01-01'],
      ['2025-01-01', '2026-01-01'],
    ]);
  });

  it('on-register slots start at the start date itself, clamped per month without drift', () => {
    expect(pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'on-register', start: '2024-01-31', end: '2024-04-15' })).toEqual([
      ['2024-01-31', '2024-02-29'],
      ['2024-02-29', '2024-03-31'],
      ['2024-03-31', '2024-04-30'],
    ]);
    expect(pricingSlots({ pricingPeriod: 'annual', billingPoint: 'on-register', start: '2024-02-29', end: '2026-01-01' })).toEqual([
      ['2024-02-29', '2025-02-28'],
      ['2025-02-28', '2026-02-28'],
    ]);
  });

  it('uses the tenant fixed month and day when given', () => {
    expect(pricingSlots({ pricingPeriod: 'annual', billingPoint: 'fixed', fixedMonth: 4, start: '2024-03-15', end: '2024-06-01' })).toEqual(
      [
        ['2023-04-01', '2024-04-01'],
        ['2024-04-01', '2025-04-01'],
      ],
    );
    expect(pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', fixedDay: 15, start: '2024-03-10', end: '2024-04-15' })).toEqual(
      [
        ['2024-02-15', '2024-03-15'],
        ['2024-03-15', '2024-04-15'],
      ],
    );
    expect(pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', fixedDay: 15, start: '2024-03-15', end: '2024-03-16' })).toEqual(
      [['2024-03-15', '2024-04-15']],
    );
  });

  it('has no slots for an empty period and refuses a reversed one', () => {
    expect(pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', start: '2024-03-15', end: '2024-03-15' })).toEqual([]);
    expect(() => pricingSlots({ pricingPeriod: 'monthly', billingPoint: 'fixed', start: '2024-03-15', end: '2024-03-14' })).toThrow(
      RangeError,
    );
  });

  it('covers [start, end) with contiguous slots (random cases)', () => {
    const random = seeded(31);
    for (let i = 0; i < 1000; i++) {
      const year = random.int(2000, 2040);
      const month = random.int(1, 12);
      const start = toLocalDate(year, month, random.int(1, daysInMonth(year, month)));
      const end = addMonths(start, random.int(0, 30));
      const input = {
        pricingPeriod: random.pick(['monthly', 'annual'] as const),
        billingPoint: random.pick(['fixed', 'on-register'] as const),
        fixedMonth: random.int(1, 12),
        fixedDay: random.int(1, 28),
        start,
        end,
      };
      const slots = pricingSlots(input);
      if (start === end) {
        expect(slots).toEqual([]);
        continue;
      }
      expect(slots[0]![0] <= start).toBe(true);
      expect(slots[slots.length - 1]![1] >= end).toBe(true);
      expect(slots[slots.length - 1]![0] < end).toBe(true);
      slots.forEach(([from, to], j) => {
        expect(from < to).toBe(true);
        if (j > 0) expect(from).toBe(slots[j - 1]![1]);
        // a fixed slot on a day every month has is exactly one pricing period long
        if (input.billingPoint === 'fixed') {
          expect(periodSizeExact({ billingPeriod: 'monthly', pricingPeriod: input.pricingPeriod, start: from, end: to }).toString()).toBe(
            '1',
          );
        }
      });
      if (input.billingPoint === 'on-register') expect(slots[0]![0]).toBe(start);
    }
  });
});
