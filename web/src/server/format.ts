// Dates, numbers and durations in the request's language and the organisation's time zone.
import { cache } from 'react';
import { getLocale } from '@/i18n/server';
import { getAuth } from './auth';
import { getTenant } from './queries';

export interface Format {
  dateTime(iso: string | undefined): string;
  date(iso: string | undefined): string;
  /** A calendar day (`YYYY-MM-DD`, no time zone): the same day everywhere. */
  day(localDate: string | undefined): string;
  /** Today in the organisation's time zone, as `YYYY-MM-DD` (for date inputs and comparisons). */
  today(): string;
  number(n: number): string;
  /** A decimal string ("0.57", "10240") formatted without ever becoming a JS number (exact). */
  decimal(text: string): string;
  /** An amount (decimal string) in a currency, exact: "12.5" → "€12.50"; text that is not a decimal is shown as is. */
  money(amount: string, currency: string): string;
  duration(ms: number): string;
}

/** A decimal as the API writes amounts, quantities and metric values. */
const DECIMAL = /^-?\d{1,20}(\.\d{1,20})?$/;

export const getFormat = cache(async (): Promise<Format> => {
  const locale = await getLocale();
  const timeZone = (await getAuth()) ? (await getTenant()).timeZone : undefined;
  const zone = timeZone && isTimeZone(timeZone) ? timeZone : 'UTC';
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: zone });
  const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: zone });
  const number = new Intl.NumberFormat(locale);
  const seconds = new Intl.NumberFormat(locale, { style: 'unit', unit: 'second', maximumFractionDigits: 1 });
  const millis = new Intl.NumberFormat(locale, { style: 'unit', unit: 'millisecond', maximumFractionDigits: 0 });
  const safe = (f: Intl.DateTimeFormat) => (iso: string | undefined) => {
    if (!iso) return '—';
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : f.format(d);
  };
  const day = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' });
  const isoDay = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone });
  // Intl formats numeric strings exactly (ECMA-402 NumberFormat v3): money never passes through a JS number.
  const exact = new Intl.NumberFormat(locale, { maximumFractionDigits: 20 });
  const currencies = new Map<string, Intl.NumberFormat>();
  const currency = (code: string) => {
    let f = currencies.get(code);
    if (!f) {
      f = new Intl.NumberFormat(locale, { style: 'currency', currency: code, minimumFractionDigits: 2, maximumFractionDigits: 20 });
      currencies.set(code, f);
    }
    return f;
  };
  return {
    dateTime: safe(dateTime),
    date: safe(date),
    day: (text) => {
      if (!text) return '—';
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
      return m ? day.format(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : text;
    },
    today: () => isoDay.format(new Date()),
    number: (n) => number.format(n),
    decimal: (text) => (DECIMAL.test(text) ? exact.format(text as Intl.StringNumericLiteral) : text),
    money: (amount, code) => {
      if (!DECIMAL.test(amount)) return `${amount} ${code}`;
      try {
        return currency(code).format(amount as Intl.StringNumericLiteral);
      } catch {
        return `${exact.format(amount as Intl.StringNumericLiteral)} ${code}`;
      }
    },
    duration: (ms) => (ms < 1000 ? millis.format(ms) : seconds.format(ms / 1000)),
  };
});

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
