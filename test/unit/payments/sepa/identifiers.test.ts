import { describe, expect, it } from 'vitest';
import { isSepaIdentifier, isSepaText, toSepaText } from '@consort/shared/payments/sepa/charset';
import {
  checkIban,
  creditorIdentifier,
  creditorIdentifierError,
  isValidBic,
  isValidCreditorIdentifier,
  isValidIban,
  needsDebtorAddress,
} from '@consort/shared/payments/sepa/identifiers';
import { sequenceType } from '@consort/shared/payments/sepa/sequence';
import { mayRepresent, returnPolicy } from '@consort/shared/payments/sepa/reasons';

describe('IBAN and BIC', () => {
  it('accepts valid IBANs in any spacing and returns the electronic form', () => {
    expect(checkIban('es91 2100 0418 4502 0005 1332')).toEqual({ ok: true, iban: 'ES9121000418450200051332', country: 'ES' });
    expect(isValidIban('DE89370400440532013000')).toBe(true);
    expect(isValidIban('FR1420041010050500013M02606')).toBe(true);
  });

  it('refuses a Spanish IBAN whose mod-97 is right but whose national check digits are wrong', () => {
    const check = checkIban('ES5121000813990123456789');
    expect(check.ok).toBe(false);
    expect(!check.ok && check.errors.join(' ')).toMatch(/national check digits/);
  });

  it('refuses a wrong mod-97, a wrong length and a non-SEPA country', () => {
    expect(checkIban('ES9221000418450200051332').ok).toBe(false);
    expect(checkIban('ES91210004184502000513').ok).toBe(false);
    // Brazil has IBANs but is not in SEPA.
    const br = checkIban('BR1800360305000010009795493C1');
    expect(br.ok).toBe(false);
    expect(isValidIban('es9121000418450200051332')).toBe(false); // not in electronic form
  });

  it('needs a postal address for debtors outside the EEA only', () => {
    expect(['ES', 'DE', 'FR', 'NO', 'IS', 'LI'].map(needsDebtorAddress)).toEqual([false, false, false, false, false, false]);
    expect(['CH', 'GB', 'MC', 'SM', 'AD', 'VA'].map(needsDebtorAddress)).toEqual([true, true, true, true, true, true]);
  });

  it('checks BICs of 8 or 11 characters', () => {
    expect(isValidBic('CAIXESBBXXX')).toBe(true);
    expect(isValidBic('CAIXESBB')).toBe(true);
    expect(isValidBic('CAIXESB')).toBe(false);
    expect(isValidBic('caixesbb')).toBe(false);
    expect(isValidBic('CAIX1SBB')).toBe(false);
  });
});

describe('creditor identifier', () => {
  it('computes Spanish check digits from the NIF, ignoring the business code', () => {
    expect(creditorIdentifier('ES', 'G12345674')).toBe('ES37000G12345674');
    expect(creditorIdentifier('ES', 'G12345674', '001')).toBe('ES37001G12345674');
    expect(isValidCreditorIdentifier('ES37000G12345674')).toBe(true);
    expect(isValidCreditorIdentifier('ES37001G12345674')).toBe(true);
  });

  it('validates other countries with generic ISO 7064 mod 97-10', () => {
    // German CI from the Bundesbank's example.
    expect(isValidCreditorIdentifier('DE98ZZZ09999999999')).toBe(true);
    expect(creditorIdentifier('DE', '09999999999', 'ZZZ')).toBe('DE98ZZZ09999999999');
  });

  it('refuses wrong check digits, a wrong Spanish length and garbage', () => {
    expect(creditorIdentifierError('ES38000G12345674')).toMatch(/check digits/);
    expect(creditorIdentifierError('ES37000G1234567')).toMatch(/16 characters/);
    expect(creditorIdentifierError('hello')).toBeDefined();
    expect(() => creditorIdentifier('ES', 'G12345674', '0000')).toThrow(RangeError);
  });
});

describe('EPC character set', () => {
  it('transliterates a Spanish name with accents and an ampersand into the basic set', () => {
    const name = toSepaText('Muñoz Peña & Cía.', 70);
    expect(name).toBe('Munoz Pena + Cia.');
    expect(isSepaText(name)).toBe(true);
  });

  it('makes hostile and non-Latin text compliant and bounded', () => {
    const inputs = [
      'Ærøskøbing Straße Łódź Ðorđe',
      '<script>alert("x")</script>',
      'Tab\there\nnewline\u0000nul',
      '東京 株式会社 😀',
      'Ελληνικά Кириллица',
      "O'Brien; DROP TABLE --",
      'ﬁ ligature ½ ™ € 50% #1 @home',
    ];
    for (const input of inputs) {
      const out = toSepaText(input, 70);
      expect(isSepaText(out), `${input} → ${out}`).toBe(true);
      expect(out.length).toBeLessThanOrEqual(70);
    }
    expect(toSepaText('Ærøskøbing Straße Łódź Ðorđe', 70)).toBe('AEroskobing Strasse Lodz Dorde');
    expect(toSepaText('a'.repeat(200), 140)).toHaveLength(140);
  });

  it('checks identifiers: basic set, 1–35, no leading or trailing slash, no double slash', () => {
    expect(isSepaIdentifier('MANDATE-0001')).toBe(true);
    expect(isSepaIdentifier('MAND_ñ#1')).toBe(false);
    expect(isSepaIdentifier('/ABC')).toBe(false);
    expect(isSepaIdentifier('ABC/')).toBe(false);
    expect(isSepaIdentifier('A//B')).toBe(false);
    expect(isSepaIdentifier('A'.repeat(36))).toBe(false);
    expect(isSepaIdentifier('')).toBe(false);
  });
});

describe('sequence type and return policy', () => {
  it('derives FRST/RCUR/OOFF/FNAL from the mandate history', () => {
    expect(sequenceType({ kind: 'recurrent', previousCollections: 0 })).toBe('FRST');
    expect(sequenceType({ kind: 'recurrent', previousCollections: 0, firstAs: 'RCUR' })).toBe('RCUR');
    expect(sequenceType({ kind: 'recurrent', previousCollections: 3 })).toBe('RCUR');
    expect(sequenceType({ kind: 'recurrent', previousCollections: 3, final: true })).toBe('FNAL');
    expect(sequenceType({ kind: 'one-off', previousCollections: 0 })).toBe('OOFF');
    expect(() => sequenceType({ kind: 'one-off', previousCollections: 1 })).toThrow(RangeError);
  });

  it('invalidates mandates on AC04/AC06/MD07, revokes on MD01 and re-presents AM04/MS03 at most twice', () => {
    expect(returnPolicy('AC04').mandate).toBe('invalidate');
    expect(returnPolicy('AC06').mandate).toBe('invalidate');
    expect(returnPolicy('MD07').mandate).toBe('invalidate');
    expect(returnPolicy('MD01').mandate).toBe('revoke');
    expect(returnPolicy('MS02')).toMatchObject({ mandate: 'keep', maxRepresentations: 0 });
    expect(returnPolicy('XX99')).toMatchObject({ mandate: 'keep', maxRepresentations: 0 });
    expect(mayRepresent([])).toBe(true);
    expect(mayRepresent(['AM04'])).toBe(true);
    expect(mayRepresent(['AM04', 'MS03'])).toBe(true);
    expect(mayRepresent(['AM04', 'AM04', 'AM04'])).toBe(false);
    expect(mayRepresent(['MS02'])).toBe(false);
    expect(mayRepresent(['AC04'])).toBe(false);
  });
});
