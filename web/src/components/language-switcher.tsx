'use client';
// Three buttons (one per language) in a form posted to the `setLocale` server action: no JavaScript needed.
import { usePathname, useSearchParams } from 'next/navigation';
import { setLocale } from '@/server/actions/session';
import { LOCALE_NAMES, LOCALES, type Locale } from '@/i18n/locales';

export function LanguageSwitcher({ current, label }: { current: Locale; label: string }) {
  const pathname = usePathname();
  const search = useSearchParams().toString();
  return (
    <form action={setLocale} className="language-switcher" aria-label={label}>
      <input type="hidden" name="returnTo" value={search ? `${pathname}?${search}` : pathname} />
      {LOCALES.map((locale) => (
        <button
          key={locale}
          type="submit"
          name="locale"
          value={locale}
          lang={locale}
          aria-pressed={locale === current}
          className={locale === current ? 'lang lang-current' : 'lang'}
        >
          {LOCALE_NAMES[locale]}
        </button>
      ))}
    </form>
  );
}
