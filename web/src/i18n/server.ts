// The request's language and formatters for server components and server actions.
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { getAuth } from '@/server/auth';
import { createTranslate, DEFAULT_LOCALE, isLocale, LOCALE_COOKIE, negotiateLocale, type Locale, type Translate } from './index';

/**
 * The language of this request: an explicit choice (cookie, also stored on the user), else the signed-in
 * user's language, else their organisation's, else the browser's, else English.
 */
export const getLocale = cache(async (): Promise<Locale> => {
  const chosen = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(chosen)) return chosen;
  const auth = await getAuth();
  if (isLocale(auth?.user.locale)) return auth.user.locale;
  if (isLocale(auth?.tenant.locale)) return auth.tenant.locale;
  return negotiateLocale((await headers()).get('accept-language')) ?? DEFAULT_LOCALE;
});

export interface I18n {
  locale: Locale;
  t: Translate;
}

export const getI18n = cache(async (): Promise<I18n> => {
  const locale = await getLocale();
  return { locale, t: createTranslate(locale) };
});
