import { describe, expect, it } from 'vitest';
import { misc, MiscSpec } from '@consort/shared/services/misc/index';

const base = { name: 'migration', description: 'Site migration' };

describe('miscellaneous spec', () => {
  it('keeps quantities as exact decimal text and feeds the hours or units metric', () => {
    const hours = MiscSpec.parse({ ...base, unit: 'hours', quantity: 2.5 });
    expect(hours.quantity).toBe('2.5');
    expect([misc.metrics.hours!(hours), misc.metrics.units!(hours), misc.metrics.quantity!(hours)]).toEqual(['2.5', '0', '2.5']);
    const units = MiscSpec.parse({ ...base, quantity: '0.1000' });
    expect(units).toMatchObject({ unit: 'units', quantity: '0.1' });
    expect([misc.metrics.hours!(units), misc.metrics.units!(units)]).toEqual(['0', '0.1']);
  });

  it('refuses zero, negative, overlong and imprecise quantities', () => {
    for (const quantity of [0, -1, '0', '1e3', '1.00001', 1_000_001, 'NaN', '', ' ', '3 hours', true, null]) {
      expect(MiscSpec.safeParse({ ...base, quantity }).success, JSON.stringify(quantity)).toBe(false);
    }
  });

  it('refers to the related service of the same account by kind and name', () => {
    const spec = MiscSpec.parse({ ...base, quantity: 1, relatedTo: { kind: 'website', name: 'shop' } });
    expect(misc.references!(spec)).toEqual([expect.objectContaining({ kind: 'website', anyOf: ['shop'], path: ['relatedTo', 'name'] })]);
    expect(misc.references!(MiscSpec.parse({ ...base, quantity: 1 }))).toEqual([]);
    expect(MiscSpec.safeParse({ ...base, quantity: 1, relatedTo: { kind: 'Web Site', name: 'shop' } }).success).toBe(false);
    expect(misc.backends).toEqual([]);
  });
});
