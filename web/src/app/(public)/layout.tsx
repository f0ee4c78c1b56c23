// Shell of the pages anyone can open: landing, sign-in, signup.
import { Link } from '@/components/link';
import { LanguageSwitcher } from '@/components/language-switcher';
import { getI18n } from '@/i18n/server';

export default async function PublicLayout({ children }: { children: React.ReactNode }) {
  const { locale, t } = await getI18n();
  return (
    <div className="public-shell">
      <header className="topbar">
        <Link href="/" className="brand">
          Consort
        </Link>
        <LanguageSwitcher current={locale} label={t('common.language')} />
      </header>
      <main id="main" tabIndex={-1} className="public-main">
        {children}
      </main>
    </div>
  );
}
