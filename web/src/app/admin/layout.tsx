// The staff portal: a sidebar with the sections the user's role may open.
import { Link } from '@/components/link';
import { redirect } from 'next/navigation';
import { LanguageSwitcher } from '@/components/language-switcher';
import { NavLink } from '@/components/nav-link';
import { SignOutButton } from '@/components/sign-out';
import type { MessageKey } from '@/i18n';
import { getI18n } from '@/i18n/server';
import { getMe } from '@/server/queries';

const NAV: { href: string; label: MessageKey; permission?: string; exact?: boolean }[] = [
  { href: '/admin', label: 'nav.dashboard', exact: true },
  { href: '/admin/accounts', label: 'nav.accounts', permission: 'accounts:read' },
  { href: '/admin/domains', label: 'nav.domains', permission: 'services:read' },
  { href: '/admin/services', label: 'selfService.nav', permission: 'services:read' },
  { href: '/admin/hosts', label: 'nav.hosts', permission: 'hosts:read' },
  { href: '/admin/operations', label: 'nav.operations', permission: 'operations:read' },
  { href: '/admin/rollouts', label: 'rollouts.nav', permission: 'hosts:write' },
  { href: '/admin/templates', label: 'templates.nav', permission: 'templates:manage' },
  { href: '/admin/catalog', label: 'nav.catalog', permission: 'catalog:read' },
  { href: '/admin/orders', label: 'nav.orders', permission: 'orders:read' },
  { href: '/admin/bills', label: 'bills.nav', permission: 'bills:read' },
  { href: '/admin/billing/runs', label: 'billingRuns.nav', permission: 'bills:read' },
  { href: '/admin/payments/transactions', label: 'payments.nav', permission: 'payments:read' },
  { href: '/admin/payments/batches', label: 'sepa.navBatches', permission: 'payments:read' },
  { href: '/admin/payments/imports', label: 'sepa.navImports', permission: 'payments:read' },
  { href: '/admin/api-keys', label: 'nav.apiKeys', permission: 'apikeys:manage' },
  { href: '/admin/settings', label: 'nav.settings', permission: 'tenant:manage' },
];

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const me = await getMe();
  if (me.user.role === 'customer') redirect('/portal');
  const { locale, t } = await getI18n();
  const items = NAV.filter((item) => !item.permission || me.permissions.includes(item.permission));
  return (
    <div className="admin-shell">
      <aside className="sidebar">
        <Link href="/admin" className="brand">
          Consort <span>{t('nav.admin')}</span>
        </Link>
        <p className="sidebar-tenant">{me.tenant.name}</p>
        <nav aria-label={t('nav.main')}>
          <ul className="nav-list">
            {items.map((item) => (
              <li key={item.href}>
                <NavLink href={item.href} exact={item.exact}>
                  {t(item.label)}
                </NavLink>
              </li>
            ))}
          </ul>
        </nav>
      </aside>
      <div className="admin-content">
        <header className="topbar">
          <div className="user-menu">
            <span className="user-name">
              {me.user.name} · {t(`roles.${me.user.role}`)}
            </span>
            <LanguageSwitcher current={locale} label={t('common.language')} />
            <SignOutButton label={t('nav.signOut')} />
          </div>
        </header>
        <main id="main" tabIndex={-1} className="admin-main">
          {children}
        </main>
      </div>
    </div>
  );
}
