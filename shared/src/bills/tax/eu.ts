/** EU member states (ISO 3166-1 alpha-2; Greece is GR here, EL only inside VAT numbers). */
export const EU_COUNTRIES: ReadonlySet<string> = new Set([
  'AT',
  'BE',
  'BG',
  'HR',
  'CY',
  'CZ',
  'DK',
  'EE',
  'FI',
  'FR',
  'DE',
  'GR',
  'HU',
  'IE',
  'IT',
  'LV',
  'LT',
  'LU',
  'MT',
  'NL',
  'PL',
  'PT',
  'RO',
  'SK',
  'SI',
  'ES',
  'SE',
]);

/** Whether a country is an EU member state. */
export function isEuCountry(country: string): boolean {
  return EU_COUNTRIES.has(country.toUpperCase());
}
