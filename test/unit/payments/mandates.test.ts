import { describe, expect, it } from 'vitest';
import { mandateStatus, SepaSettings } from '@consort/shared/payments/mandates';

describe('mandate status', () => {
  const active = { status: 'active' as const, signedOn: '2023-01-15' };

  it('lapses 36 months after the last collection, or after the signature when never used', () => {
    expect(mandateStatus(active, '2026-01-14')).toBe('active');
    expect(mandateStatus(active, '2026-01-15')).toBe('lapsed');
    expect(mandateStatus({ ...active, lastCollectionOn: '2025-06-30' }, '2028-06-29')).toBe('active');
    expect(mandateStatus({ ...active, lastCollectionOn: '2025-06-30' }, '2028-06-30')).toBe('lapsed');
  });

  it('keeps revoked and invalid as stored', () => {
    expect(mandateStatus({ ...active, status: 'revoked' }, '2023-02-01')).toBe('revoked');
    expect(mandateStatus({ ...active, status: 'invalid' }, '2023-02-01')).toBe('invalid');
  });
});

describe('SEPA settings', () => {
  it('fills defaults and normalises the IBAN and creditor id', () => {
    const s = SepaSettings.parse({ creditorId: 'es37000g12345674', creditorName: 'Xarxa', iban: 'ES91 2100 0418 4502 0005 1332' });
    expect(s).toEqual({
      creditorId: 'ES37000G12345674',
      creditorName: 'Xarxa',
      iban: 'ES9121000418450200051332',
      painVersion: '08',
      leadDays: 2,
      preNotificationDays: 14,
      firstAs: 'FRST',
      batchBooking: true,
    });
  });

  it('refuses a bad creditor id, IBAN or BIC with readable messages', () => {
    const r = SepaSettings.safeParse({ creditorId: 'ES38000G12345674', creditorName: 'X', iban: 'ES5121000813990123456789', bic: 'NOPE' });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^creditorId: .*check digits/),
        expect.stringMatching(/^iban: .*national check digits/),
        expect.stringMatching(/^bic: /),
      ]),
    );
  });
});
