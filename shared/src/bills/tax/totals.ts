import Decimal from 'decimal.js';
import { Money } from '../../core/money';
import type { BillLine, BillTotals, TaxSubtotal } from '../model';

const ZERO = new Money(0);

/**
 * Bill totals: line bases grouped by (tax code, rate); each group's tax is its summed base × rate / 100 rounded
 * half-up to cents once (EN 16931 BR-CO-17), never per line. Groups come out by rate (highest first), then code.
 * Without a breakdown (membership fee receipts) the tax is 0 and no groups are listed.
 * @example computeTotals(lines).taxes // [{ code: 'S', rate: 21, base: 100.05, tax: 21.01 }]
 */
export function computeTotals(lines: readonly Pick<BillLine, 'total' | 'tax'>[], withBreakdown = true): BillTotals {
  const groups = new Map<string, TaxSubtotal>();
  for (const line of lines) {
    const key = `${line.tax.code}\u0000${line.tax.rate.toFixed()}`;
    const group = groups.get(key);
    if (group) group.base = group.base.plus(line.total);
    else
      groups.set(key, {
        code: line.tax.code,
        rate: line.tax.rate,
        base: new Money(line.total),
        tax: ZERO,
        ...(line.tax.mention ? { mention: line.tax.mention } : {}),
      });
  }
  const taxes = [...groups.values()]
    .map((g) => ({ ...g, tax: g.base.times(g.rate).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP) }))
    .sort((a, b) => b.rate.comparedTo(a.rate) || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
  const base = lines.reduce((sum, l) => sum.plus(l.total), ZERO);
  const tax = withBreakdown ? taxes.reduce((sum, g) => sum.plus(g.tax), ZERO) : ZERO;
  return { base, tax, total: base.plus(tax), taxes: withBreakdown ? taxes : [] };
}
