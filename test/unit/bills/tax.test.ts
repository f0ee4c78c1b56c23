import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { computeTotals, taxRulesFor } from '@consort/shared/bills/tax/index';
import { spainTaxRules } from '@consort/shared/bills/tax/spain';
import type { TaxContext } from '@consort/shared/bills/tax/rules';
import type { LineTax } from '@consort/shared/bills/model';
import { ValidationError } from '@consort/shared/core/errors';
import { Money } from '@consort/shared/core/money';

const es = (customer: TaxContext['customer'], overrides: Partial<TaxContext> = {}): TaxContext => ({
  documentType: 'invoice',
  feeMode: 'receipt',
  customer,
  locale: 'es',
  ...overrides,
});
const decide = (category: string, ctx: TaxContext) => {
  const d = spainTaxRules.decide(category, ctx);
  return { code: d.code, rate: d.rate.toFixed(), mention: d.mention };
};

describe('Spanish tax rules', () => {
  it('applies the regime rates to domestic customers', () => {
    const home = es({ country: 'ES', postcode: '08001' });
    expect(decide('standard', home)).toEqual({ code: 'S', rate: '21', mention: undefined });
    expect(decide('reduced', home)).toEqual({ code: 'S', rate: '10', mention: undefined });
    expect(decide('super-reduced', home)).toEqual({ code: 'S', rate: '4', mention: undefined });
    expect(decide('exempt', home)).toMatchObject({ code: 'E', rate: '0', mention: expect.stringContaining('art. 20 LIVA') });
  });

  it('refuses a category the regime does not have, naming the field', () => {
    try {
      spainTaxRules.decide('luxury', es({ country: 'ES' }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect((error as ValidationError).details).toEqual([{ path: ['taxCategory'], message: expect.stringContaining('standard') }]);
    }
  });

  it('reverse-charges EU businesses with a VAT number, with the legal mention in every language', () => {
    for (const locale of ['es', 'en', 'ca'] as const) {
      const d = decide('standard', es({ country: 'DE', vatId: 'DE123456789', type: 'company' }, { locale }));
      expect(d).toMatchObject({ code: 'AE', rate: '0' });
      expect(d.mention).toContain('Inversión del sujeto pasivo');
    }
  });

  it('charges Spanish VAT to EU consumers (below the OSS threshold)', () => {
    expect(decide('standard', es({ country: 'FR' }))).toEqual({ code: 'S', rate: '21', mention: undefined });
  });

  it('does not charge VAT outside the EU or outside the Spanish VAT territory, and says why', () => {
    expect(decide('standard', es({ country: 'US', vatId: '12-3456789' }))).toMatchObject({
      code: 'O',
      rate: '0',
      mention: expect.stringContaining('art. 69.Uno LIVA'),
    });
    for (const postcode of ['35001', '38300', '51001', '52001']) {
      expect(decide('standard', es({ country: 'ES', postcode }))).toMatchObject({
        code: 'O',
        mention: expect.stringContaining('Canarias'),
      });
    }
  });

  it('never taxes membership fees: receipts carry nothing, exempt invoices the art. 20.Uno.12 mention', () => {
    const customer = { country: 'ES' };
    expect(decide('standard', es(customer, { documentType: 'fee', feeMode: 'receipt' }))).toEqual({
      code: 'O',
      rate: '0',
      mention: undefined,
    });
    expect(decide('standard', es(customer, { documentType: 'fee-amendment', feeMode: 'exempt-invoice' }))).toMatchObject({
      code: 'E',
      rate: '0',
      mention: expect.stringContaining('20.Uno.12'),
    });
    expect(spainTaxRules.hasBreakdown({ documentType: 'fee', feeMode: 'receipt' })).toBe(false);
    expect(spainTaxRules.hasBreakdown({ documentType: 'fee', feeMode: 'exempt-invoice' })).toBe(true);
    expect(spainTaxRules.hasBreakdown({ documentType: 'invoice', feeMode: 'receipt' })).toBe(true);
  });

  it('is found by tenant country; other countries have no rules yet', () => {
    expect(taxRulesFor('es')).toBe(spainTaxRules);
    expect(taxRulesFor('FR')).toBeUndefined();
  });
});

const S21: LineTax = { code: 'S', rate: new Money(21) };
const S10: LineTax = { code: 'S', rate: new Money(10) };
const line = (total: string, tax: LineTax = S21) => ({ total: new Money(total), tax });

describe('totals per rate (EN 16931 BR-CO-17)', () => {
  it('rounds the tax once on the summed base of each rate, not per line', () => {
    // Ten lines of 0.05 at 21%: per line 0.0105 → 0.01 (0.10 in all); on the base 0.50 × 21% = 0.105 → 0.11.
    const totals = computeTotals(Array.from({ length: 10 }, () => line('0.05')));
    expect(totals.taxes.map((t) => [t.code, t.rate.toFixed(), t.base.toFixed(2), t.tax.toFixed(2)])).toEqual([['S', '21', '0.50', '0.11']]);
    expect(totals.total.toFixed(2)).toBe('0.61');
  });

  it('rounds half up', () => {
    // 2.50 × 21% = 0.525 → 0.53 (banker's rounding would give 0.52).
    expect(computeTotals([line('2.50')]).tax.toFixed(2)).toBe('0.53');
    expect(computeTotals([line('-2.50')]).tax.toFixed(2)).toBe('-0.53');
  });

  it('keeps one group per (code, rate), highest rate first, and reconciles to the cent', () => {
    const exempt: LineTax = { code: 'E', rate: new Money(0), mention: 'Exenta' };
    const reverse: LineTax = { code: 'AE', rate: new Money(0), mention: 'ISP' };
    const totals = computeTotals([
      line('10.01', S10),
      line('33.33'),
      line('5', exempt),
      line('0.99', S10),
      line('7', reverse),
      line('0.01'),
    ]);
    expect(totals.taxes.map((t) => `${t.code}${t.rate} ${t.base.toFixed(2)} ${t.tax.toFixed(2)} ${t.mention ?? ''}`)).toEqual([
      'S21 33.34 7.00 ',
      'S10 11.00 1.10 ',
      'AE0 7.00 0.00 ISP',
      'E0 5.00 0.00 Exenta',
    ]);
    expect(totals.base.toFixed(2)).toBe('56.34');
    expect(totals.tax.toFixed(2)).toBe('8.10');
    expect(totals.total.eq(totals.base.plus(totals.tax))).toBe(true);
    expect(totals.taxes.reduce((s, t) => s.plus(t.base), new Money(0)).eq(totals.base)).toBe(true);
  });

  it('adds 0.1 + 0.2 exactly and 10,000 lines to the cent', () => {
    expect(computeTotals([line('0.1'), line('0.2')]).base.toFixed()).toBe('0.3');
    const many = computeTotals(Array.from({ length: 10_000 }, () => line('0.01')));
    expect(many.base.toFixed(2)).toBe('100.00');
    expect(many.tax.toFixed(2)).toBe('21.00');
    expect(many.total).toBeInstanceOf(Decimal);
  });

  it('lists no tax for documents without a breakdown (fee receipts)', () => {
    const totals = computeTotals([line('30', { code: 'O', rate: new Money(0) })], false);
    expect(totals.taxes).toEqual([]);
    expect(totals.tax.toFixed(2)).toBe('0.00');
    expect(totals.total.toFixed(2)).toBe('30.00');
  });
});
