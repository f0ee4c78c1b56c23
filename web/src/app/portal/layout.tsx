// The member portal: the customer's own services.
import { Link } from '@/components/link';
import { redirect } from 'next/navigation';
import { LanguageSwitcher } from '@/components/language-switcher';
import { NavLink } from '@/components/nav-link';
import { SignOutButton } from '@/components/sign-out';
import { getI18n } from '@/i18n/server';
import { getMe } from '@/server/queries';

export default async function PortalLayout({ children }: { children: React.ReactNode }) {
  const me = await getMe();
  if (me.user.role !== 'customer') redirect('/admin');
  const { locale, t } = await getI18n();
  return (
    <div className="public-shell">
      <header className="topbar">
        <div className="portal-nav">
          <Link href="/portal" className="brand">
            {me.tenant.name} <span>· {t('nav.portal')}</span>
          </Link>
          <nav aria-label={t('nav.main')}>
            <NavLink href="/portal" exact>
              {t('nav.myDomains')}
            </NavLink>
            <NavLink href="/portal/services">{t('selfService.portalNav')}</NavLink>
            <NavLink href="/portal/bills">{t('bills.portalNav')}</NavLink>
            <NavLink href="/portal/payments">{t('payments.portalNav')}</NavLink>
          </nav>
        </div>
        <div className="user-menu">
          <span className="user-name">{me.user.name}</span>
          <LanguageSwitcher current={locale} label={t('common.language')} />
          <SignOutButton label={t('nav.signOut')} />
        </div>
      </header>
      <main id="main" tabIndex={-1} className="portal-main">
        {children}
      </main>
    </div>
  );
}
