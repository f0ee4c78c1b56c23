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

/**
 * Messages matched by pattern: zod's generic ones (the API's schemas use them where no custom message is set), then
 * the domain's own messages with a variable part (a name, a size, a count). Custom messages without one are exact
 * entries in the catalogs' `apiMessages`; test/unit/i18n/api-messages.test.ts checks that every one is covered.
 */
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
  [/^Invalid discriminator value\. Expected /, () => ['apiGeneric.option']],
  [/^Unrecognized key: (.+)$/, (m) => ['apiGeneric.unknownKey', { key: m[1] ?? '' }]],
  [/^Unrecognized keys: (.+)$/, (m) => ['apiGeneric.unknownKeys', { keys: m[1] ?? '' }]],
  [/^Invalid (string|email|input)/, () => ['apiGeneric.invalid']],
  // A service's references to other services of its account (services/*: `references`).
  [
    /^Add the domain (\S+) \(or (\S+)\) to this account first$/,
    (m) => ['apiGeneric.addDomainFirst', { domain: m[1] ?? '', name: m[2] ?? '' }],
  ],
  [/^This account has no mailbox (\S+)$/, (m) => ['apiGeneric.noMailbox', { name: m[1] ?? '' }]],
  [/^This account has no system user (\S+)$/, (m) => ['apiGeneric.noSystemUser', { name: m[1] ?? '' }]],
  [/^This account has no web app (\S+)$/, (m) => ['apiGeneric.noWebApp', { name: m[1] ?? '' }]],
  [
    /^This account has no (mysql|postgresql) database user (\S+)$/,
    (m) => ['apiGeneric.noDatabaseUser', { engine: m[1] ?? '', name: m[2] ?? '' }],
  ],
  [/^This account has no (mysql|postgresql) database (\S+)$/, (m) => ['apiGeneric.noDatabase', { engine: m[1] ?? '', name: m[2] ?? '' }]],
  [/^This account has no ([a-z][a-z0-9-]*) named (.+)$/, (m) => ['apiGeneric.noService', { kind: m[1] ?? '', name: m[2] ?? '' }]],
  // Choices and sizes (database character sets and collations, php.ini sizes).
  [/^Use one of: (.+)$/, (m) => ['apiGeneric.oneOf', { choices: m[1] ?? '' }]],
  [/^With (\S+) use one of: (.+)$/, (m) => ['apiGeneric.oneOfWith', { value: m[1] ?? '', choices: m[2] ?? '' }]],
  [
    /^Use a size such as (\d+[KMG]) \(K, M or G\), from (\d+[KMG]) to (\d+[KMG])$/,
    (m) => ['apiGeneric.iniSize', { example: m[1] ?? '', min: m[2] ?? '', max: m[3] ?? '' }],
  ],
  // Domain names, IBANs and SSH keys.
  [/^\.(\S+) is not a valid top-level domain$/, (m) => ['apiGeneric.topLevelDomain', { tld: m[1] ?? '' }]],
  [/^([A-Z]{2}) is not in the SEPA area$/, (m) => ['apiGeneric.notSepa', { country: m[1] ?? '' }]],
  [
    /^Unsupported key type (".*"); use (\S+) or (\S+)$/,
    (m) => ['apiGeneric.sshKeyType', { type: m[1] ?? '', first: m[2] ?? '', second: m[3] ?? '' }],
  ],
  [
    /^The key data does not hold an? (\S+) key \(it says (".*")\)$/,
    (m) => ['apiGeneric.sshKeyData', { type: m[1] ?? '', found: m[2] ?? '' }],
  ],
  [/^The key data does not hold an? (\S+) key \(it says nothing readable\)$/, (m) => ['apiGeneric.sshKeyUnreadable', { type: m[1] ?? '' }]],
  [
    /^This RSA key has (\d+) bits; use at least (\d+) \(or an ed25519 key\)$/,
    (m) => ['apiGeneric.rsaBits', { bits: m[1] ?? '', min: m[2] ?? '' }],
  ],
  // Limits, refunds and mandates.
  [/^At most (\d+) for this account$/, (m) => ['apiGeneric.accountMax', { max: m[1] ?? '' }]],
  [/^At most (\d+\.\d+)$/, (m) => ['apiGeneric.max', { max: m[1] ?? '' }]],
  [/^Limit (\d+) reached$/, (m) => ['apiGeneric.limitReached', { limit: m[1] ?? '' }]],
  [/^On or before (\d{4}-\d{2}-\d{2})$/, (m) => ['apiGeneric.onOrBefore', { date: m[1] ?? '' }]],
];

/** A known API message in `locale`: an exact catalog entry or a pattern; undefined for an unknown one. */
function knownApiMessage(locale: Locale, message: string): string | undefined {
  const messages = messagesFor(locale).apiMessages;
  if (Object.hasOwn(messages, message)) return messages[message];
  for (const [pattern, toKey] of GENERIC_API_MESSAGES) {
    const match = pattern.exec(message);
    if (match) {
      const [key, vars] = toKey(match);
      return createTranslate(locale)(key, vars);
    }
  }
  return undefined;
}

/** Translate a message that came from the API (they are English); unknown ones are shown as they are. */
export function translateApiMessage(locale: Locale, message: string): string {
  const known = knownApiMessage(locale, message);
  if (known !== undefined) return known;
  // Several reasons joined by "; " (a refund's IBAN lists them all): translated when every one is known.
  const parts = message.split('; ');
  if (parts.length > 1) {
    const translated = parts.map((part) => knownApiMessage(locale, part));
    if (translated.every((t) => t !== undefined)) return translated.join('; ');
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
