// Message catalogs and the `t()` helper. Server components get one from `getI18n()` (./server.ts), client
// components from `useT()` (./client.tsx). How to add a string: docs/web.md.
import { ca } from './ca';
import { en, type Messages } from './en';
import { es } from './es';
import { interpolate, isLocale, type Locale, type Vars } from './locales';

export type { Messages };

export { DEFAULT_LOCALE, interpolate, isLocale, LOCALE_COOKIE, LOCALE_NAMES, LOCALES, type Locale, type Vars } from './locales';

const CATALOGS: Record<Locale, Messages> = { en, es, ca };

export function messagesFor(locale: Locale): Messages {
  return CATALOGS[locale];
}

/** Dotted paths of every string in the catalog: `'accounts.title' | 'common.save' | …`. */
type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>;
}[keyof T & string];
export type MessageKey = Leaves<Omit<Messages, 'apiMessages'>>;

export type Translate = (key: MessageKey, vars?: Vars) => string;

function lookup(messages: Messages, key: string): string | undefined {
  let node: unknown = messages;
  for (const part of key.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return typeof node === 'string' ? node : undefined;
}

/** A `t()` bound to one catalog; a missing key shows the English text, then the key itself. */
export function createTranslate(locale: Locale): Translate {
  const messages = messagesFor(locale);
  return (key, vars) => interpolate(lookup(messages, key) ?? lookup(en, key) ?? key, vars);
}

/** zod's generic messages (the API's schemas use them where no custom message is set). */
const GENERIC_API_MESSAGES: [RegExp, (m: RegExpExecArray) => [MessageKey, Vars?]][] = [
  [/^Invalid input: expected \w+, received undefined$/, () => ['apiGeneric.required']],
  [/^Invalid input: expected number, received \w+$/, () => ['apiGeneric.number']],
  [/^Too small: expected number to be >=?(\S+)$/, (m) => ['apiGeneric.min', { min: m[1] ?? '' }]],
  [/^Too big: expected number to be <=?(\S+)$/, (m) => ['apiGeneric.max', { max: m[1] ?? '' }]],
  [/^Too small: expected string to have >=1 characters?$/, () => ['apiGeneric.required']],
  [/^Too small: expected string to have >=(\d+) characters?$/, (m) => ['apiGeneric.minLength', { min: m[1] ?? '' }]],
  [/^Too big: expected string to have <=(\d+) characters?$/, (m) => ['apiGeneric.maxLength', { max: m[1] ?? '' }]],
  [/^Too small: expected array to have >=(\d+) items?$/, (m) => ['apiGeneric.minItems', { min: m[1] ?? '' }]],
  [/^Too big: expected array to have <=(\d+) items?$/, (m) => ['apiGeneric.maxItems', { max: m[1] ?? '' }]],
  [/^Invalid option: expected one of /, () => ['apiGeneric.option']],
  [/^Invalid (string|email|input)/, () => ['apiGeneric.invalid']],
];

/** Translate a message that came from the API (they are English); unknown ones are shown as they are. */
export function translateApiMessage(locale: Locale, message: string): string {
  const exact = messagesFor(locale).apiMessages[message];
  if (exact) return exact;
  for (const [pattern, toKey] of GENERIC_API_MESSAGES) {
    const match = pattern.exec(message);
    if (match) {
      const [key, vars] = toKey(match);
      return createTranslate(locale)(key, vars);
    }
  }
  return message;
}

/** The best of our locales for an Accept-Language header. */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale | undefined {
  if (!acceptLanguage) return undefined;
  const ranked = acceptLanguage
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) || 0 : 1 };
    })
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (isLocale(base)) return base;
  }
  return undefined;
}
