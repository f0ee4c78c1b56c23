// Dates, numbers and durations in the request's language and the organisation's time zone.
import { cache } from 'react';
import { getLocale } from '@/i18n/server';
import { getAuth } from './auth';
import { getTenant } from './queries';

export interface Format {
  dateTime(iso: string | undefined): string;
  date(iso: string | undefined): string;
  number(n: number): string;
  duration(ms: number): string;
}

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
  return {
    dateTime: safe(dateTime),
    date: safe(date),
    number: (n) => number.format(n),
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
