import { describe, expect, it } from 'vitest';
import { countryName, formatDate, formatMoney, formatNumber, formatPeriod, formatRate, toWinAnsi } from '@consort/shared/documents/format';
import { billDocumentKey, billFileName } from '@consort/shared/documents/keys';
import { documentTitle, fill } from '@consort/shared/documents/messages';
import { createInvoiceModel } from '../../fixtures/factories/render-models';

describe('document formatting (by hand, stable across ICU versions)', () => {
  it('prints decimals as given: grouped, padded, never rounded', () => {
    expect(formatNumber('1234567.5', 'es', 2)).toBe('1.234.567,50');
    expect(formatNumber('1234567.5', 'en', 2)).toBe('1,234,567.50');
    expect(formatNumber('0.0125', 'es', 2)).toBe('0,0125');
    expect(formatNumber('12.000000', 'ca')).toBe('12');
    expect(formatNumber('-0.00', 'es', 2)).toBe('0,00');
    expect(formatNumber('-25', 'es', 2)).toBe('-25,00');
    expect(formatNumber('007.10', 'en')).toBe('7.1');
  });

  it('places the currency per locale', () => {
    expect(formatMoney('80.45', 'EUR', 'es')).toBe('80,45\u00a0€');
    expect(formatMoney('80.45', 'EUR', 'en')).toBe('€80.45');
    expect(formatMoney('-26', 'EUR', 'en')).toBe('-€26.00');
    expect(formatMoney('1250', 'USD', 'ca')).toBe('1.250,00\u00a0$');
    expect(formatMoney('99.9', 'CHF', 'en')).toBe('99.90\u00a0CHF');
    expect(formatMoney('1500', 'JPY', 'es')).toBe('1.500\u00a0JPY');
  });

  it('prints rates, dates, periods and countries', () => {
    expect(formatRate('21.00', 'es')).toBe('21\u00a0%');
    expect(formatRate('5.5', 'en')).toBe('5.5%');
    expect(formatDate('2025-03-01', 'ca')).toBe('01/03/2025');
    expect(formatDate('2025-03-01', 'en')).toBe('1 Mar 2025');
    expect(formatPeriod('2025-03-01', '2025-03-31', 'es')).toBe('01/03/2025 – 31/03/2025');
    expect(formatPeriod(undefined, undefined, 'es')).toBeUndefined();
    expect(countryName('ES', 'ca')).toBe('Espanya');
    expect(countryName('JP', 'es')).toBe('JP');
  });

  it('keeps WinAnsi text and reduces the rest to base letters', () => {
    expect(toWinAnsi('Associació · l’Hospitalet — 12 € “ok”')).toBe('Associació · l’Hospitalet — 12 € “ok”');
    expect(toWinAnsi('Łódź Kraków Dvořák')).toBe('Lódz Kraków Dvorák');
    expect(toWinAnsi('東京 ok')).toBe('?? ok');
    expect(toWinAnsi('a\u2212b')).toBe('a-b');
  });

  it('titles documents and fills placeholders', () => {
    expect(documentTitle('amendment', 'es')).toBe('Factura rectificativa');
    expect(documentTitle('fee', 'ca')).toBe('Quota de soci');
    expect(documentTitle('quote', 'en')).toBe('Quote');
    expect(fill('Page {page} of {pages}', { page: '1' })).toBe('Page 1 of {pages}');
  });
});

describe('document keys', () => {
  it('start with the tenant and sanitise the number', () => {
    expect(billDocumentKey('tnt_01J', createInvoiceModel('es'))).toBe('tnt_01J/bills/2025/invoice/F2025_000123.pdf');
    expect(billFileName('Factura rectificativa', createInvoiceModel('es'))).toBe('Factura_rectificativa-F2025_000123.pdf');
    expect(billFileName('Quota de soci', createInvoiceModel('ca'))).toBe('Quota_de_soci-F2025_000123.pdf');
  });
});
