import { electronicFormatIBAN, isSEPACountry, validateBIC, validateIBAN, ValidationErrorsIBAN } from 'ibantools';

// IBAN, BIC and SEPA creditor identifiers. IBANs go through `ibantools`, which also checks national check digits
// (a Spanish IBAN with a right mod-97 but a wrong "DC" is refused — the `iban` and `sepa` packages accept it).

/** Why an IBAN was refused, in words a person can act on. */
const IBAN_ERRORS: Partial<Record<ValidationErrorsIBAN, string>> = {
  [ValidationErrorsIBAN.NoIBANProvided]: 'Enter an IBAN',
  [ValidationErrorsIBAN.NoIBANCountry]: 'The IBAN does not start with a known country code',
  [ValidationErrorsIBAN.WrongBBANLength]: 'The IBAN has the wrong length for its country',
  [ValidationErrorsIBAN.WrongBBANFormat]: 'The IBAN has the wrong format for its country',
  [ValidationErrorsIBAN.ChecksumNotNumber]: 'The IBAN check digits are not numbers',
  [ValidationErrorsIBAN.WrongIBANChecksum]: 'The IBAN check digits are wrong (mistyped?)',
  [ValidationErrorsIBAN.WrongAccountBankBranchChecksum]: 'The national check digits of the account number are wrong (mistyped?)',
};

/** Result of checking an IBAN: the electronic form (no spaces, upper case) or the reasons it is not valid. */
export type IbanCheck = { ok: true; iban: string; country: string } | { ok: false; errors: string[] };

/** Validate an IBAN (ISO 13616 mod 97 plus the country's BBAN format and national check digits) and SEPA membership. */
export function checkIban(input: string): IbanCheck {
  const iban = electronicFormatIBAN(input) ?? '';
  const result = validateIBAN(iban);
  if (!result.valid) {
    const errors = [...new Set(result.errorCodes.map((c) => IBAN_ERRORS[c] ?? 'The IBAN is not valid'))];
    return { ok: false, errors };
  }
  const country = iban.slice(0, 2);
  if (!isSEPACountry(country)) return { ok: false, errors: [`${country} is not in the SEPA area`] };
  return { ok: true, iban, country };
}

/** Whether `iban` is a valid SEPA IBAN in electronic form. */
export function isValidIban(iban: string): boolean {
  const check = checkIban(iban);
  return check.ok && check.iban === iban;
}

/** A BIC is optional everywhere (IBAN-only SEPA); when given it must be 8 or 11 characters of the SWIFT format. */
export function isValidBic(bic: string): boolean {
  return /^[A-Z0-9]{8}([A-Z0-9]{3})?$/.test(bic) && validateBIC(bic).valid;
}

/** Letters A–Z as 10–35, digits as themselves (ISO 7064 / ISO 13616 conversion). */
function toDigits(text: string): string {
  return [...text.toUpperCase()].map((c) => (c >= 'A' && c <= 'Z' ? String(c.charCodeAt(0) - 55) : c)).join('');
}

/** ISO 7064 MOD 97-10 remainder of a digit string of any length (piecewise, no big integers needed). */
function mod97(digits: string): number {
  let rest = 0;
  for (let i = 0; i < digits.length; i += 7) rest = Number(String(rest) + digits.slice(i, i + 7)) % 97;
  return rest;
}

/**
 * The creditor identifier (EPC262-08): country, 2 check digits, 3-character business code ("sufijo", usually `000`)
 * and the national id. The check digits cover the national id and the country only — not the business code.
 * @example creditorIdentifier('ES', 'G12345674') // 'ES37000G12345674'
 */
export function creditorIdentifier(country: string, nationalId: string, businessCode = '000'): string {
  const id = nationalId.toUpperCase().replace(/[^A-Z0-9]/g, '');
  const code = businessCode.toUpperCase();
  if (!/^[A-Z]{2}$/.test(country)) throw new RangeError(`"${country}" is not a country code`);
  if (!/^[A-Z0-9]{3}$/.test(code)) throw new RangeError('The business code has 3 letters or digits');
  if (id.length < 1 || id.length > 28) throw new RangeError('The national identifier has 1–28 letters or digits');
  const check = 98 - mod97(toDigits(`${id}${country}00`));
  return `${country}${String(check).padStart(2, '0')}${code}${id}`;
}

/** Why a creditor identifier is not valid, or undefined when it is. Spain: exactly `ES` + 2 + 3 + 9 characters. */
export function creditorIdentifierError(ci: string): string | undefined {
  if (!/^[A-Z]{2}[0-9]{2}[A-Z0-9]{3}[A-Z0-9]{1,28}$/.test(ci) || ci.length > 35) {
    return 'Use a creditor identifier such as ES37000G12345674 (country, check digits, business code, national id)';
  }
  if (ci.startsWith('ES') && ci.length !== 16)
    return 'A Spanish creditor identifier has 16 characters (ES, 2 check digits, 3-character suffix, NIF)';
  const id = ci.slice(7);
  if (mod97(toDigits(`${id}${ci.slice(0, 4)}`)) !== 1) return 'The creditor identifier check digits are wrong';
  return undefined;
}

/** Whether `ci` is a valid creditor identifier. */
export function isValidCreditorIdentifier(ci: string): boolean {
  return creditorIdentifierError(ci) === undefined;
}

/** EU member states plus Iceland, Liechtenstein and Norway. */
export const EEA_COUNTRIES: ReadonlySet<string> = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO'.split(' '),
);

/**
 * Whether a debtor with an IBAN of `country` needs a structured postal address in SEPA files: payers whose bank is
 * in a non-EEA SEPA country (CH, GB, MC, SM, AD, VA…) do, and we write no addresses yet, so they are refused.
 */
export function needsDebtorAddress(country: string): boolean {
  return !EEA_COUNTRIES.has(country);
}
