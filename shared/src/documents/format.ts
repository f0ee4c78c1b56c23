import type { Locale } from '../core/schemas';
import { documentMessages } from './messages';

// Formatting is done by hand rather than with Intl: a frozen render model must print the same bytes
// years later, and Intl output changes with Node's ICU data (ICU 72 swapped spaces in several
// locales' patterns). These few rules are stable by construction.

const SEPARATORS: Record<Locale, { group: string; decimal: string }> = {
  en: { group: ',', decimal: '.' },
  es: { group: '.', decimal: ',' },
  ca: { group: '.', decimal: ',' },
};

const CURRENCY_SYMBOLS: Record<string, string> = { EUR: '€', USD: '$', GBP: '£' };
/** ISO 4217 currencies without minor units that we may print. */
const ZERO_DECIMAL = new Set(['JPY', 'KRW', 'CLP', 'ISK', 'VND', 'XAF', 'XOF']);

function split(value: string): { negative: boolean; int: string; frac: string } {
  const negative = value.startsWith('-');
  const [int = '0', frac = ''] = (negative ? value.slice(1) : value).split('.');
  return { negative: negative && /[1-9]/.test(int + frac), int: int.replace(/^0+(?=\d)/, ''), frac };
}

/**
 * A decimal string in the locale's notation, never rounded: `minDigits` pads the fraction, extra
 * digits the model carries (e.g. a unit price of 0.0125) are kept.
 */
export function formatNumber(value: string, locale: Locale, minDigits = 0): string {
  const { negative, int, frac } = split(value);
  const { group, decimal } = SEPARATORS[locale];
  let digits = frac.replace(/0+$/, '');
  if (digits.length < minDigits) digits = digits.padEnd(minDigits, '0');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${negative ? '-' : ''}${grouped}${digits ? decimal + digits : ''}`;
}

/** An amount with its currency: `€1,234.50` (en), `1.234,50 €` (es, ca), `1.234,50 CHF`. */
export function formatMoney(value: string, currency: string, locale: Locale): string {
  const number = formatNumber(value, locale, ZERO_DECIMAL.has(currency) ? 0 : 2);
  const symbol = CURRENCY_SYMBOLS[currency];
  if (locale === 'en' && symbol) return number.startsWith('-') ? `-${symbol}${number.slice(1)}` : `${symbol}${number}`;
  return `${number}\u00a0${symbol ?? currency}`;
}

/** A tax rate: `21%` (en), `21 %` (es, ca). */
export function formatRate(value: string, locale: Locale): string {
  return `${formatNumber(value, locale)}${locale === 'en' ? '%' : '\u00a0%'}`;
}

/** A calendar date: `01/03/2025` in es/ca, `1 Mar 2025` in en. */
export function formatDate(date: string, locale: Locale): string {
  const [year = '', month = '', day = ''] = date.split('-');
  if (locale === 'en') return `${Number(day)} ${documentMessages('en').months[Number(month) - 1] ?? month} ${year}`;
  return `${day}/${month}/${year}`;
}

/** A billing period: `1 Mar 2025 – 31 Mar 2025`. */
export function formatPeriod(start: string | undefined, end: string | undefined, locale: Locale): string | undefined {
  if (!start && !end) return undefined;
  if (start && end) return `${formatDate(start, locale)} – ${formatDate(end, locale)}`;
  return formatDate((start ?? end) as string, locale);
}

const COUNTRIES: Record<string, Record<Locale, string>> = {
  ES: { en: 'Spain', es: 'España', ca: 'Espanya' },
  AD: { en: 'Andorra', es: 'Andorra', ca: 'Andorra' },
  PT: { en: 'Portugal', es: 'Portugal', ca: 'Portugal' },
  FR: { en: 'France', es: 'Francia', ca: 'França' },
  DE: { en: 'Germany', es: 'Alemania', ca: 'Alemanya' },
  IT: { en: 'Italy', es: 'Italia', ca: 'Itàlia' },
  NL: { en: 'Netherlands', es: 'Países Bajos', ca: 'Països Baixos' },
  BE: { en: 'Belgium', es: 'Bélgica', ca: 'Bèlgica' },
  IE: { en: 'Ireland', es: 'Irlanda', ca: 'Irlanda' },
  GB: { en: 'United Kingdom', es: 'Reino Unido', ca: 'Regne Unit' },
  US: { en: 'United States', es: 'Estados Unidos', ca: 'Estats Units' },
  CH: { en: 'Switzerland', es: 'Suiza', ca: 'Suïssa' },
};

/** A country name for the address block; unknown codes print as the ISO code. */
export function countryName(code: string, locale: Locale): string {
  return COUNTRIES[code]?.[locale] ?? code;
}

// Helvetica (a PDF standard font, nothing embedded) covers WinAnsi only. Other characters would
// print as wrong glyphs, so they are reduced to their base letter when Unicode decomposition gives
// one (ő → o) and to "?" otherwise. docs/decisions.md "Bill PDFs use Helvetica".
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const isWinAnsi = (c: string) => {
  const code = c.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || c === '\n' || WIN_ANSI_EXTRA.has(c);
};
const FALLBACKS: Record<string, string> = { ł: 'l', Ł: 'L', đ: 'd', Đ: 'D', ı: 'i', ß: 'ß', '\u2212': '-', '\u2009': ' ', '\u202f': ' ' };

/** Text safe for the standard PDF fonts (see above). */
export function toWinAnsi(text: string): string {
  let out = '';
  for (const c of text) {
    if (isWinAnsi(c)) out += c;
    else if (FALLBACKS[c]) out += FALLBACKS[c];
    else {
      const base = [...c.normalize('NFKD')].filter(isWinAnsi).join('');
      out += base || '?';
    }
  }
  return out;
}
