// The two halves of the catalog (billable services, packs) as a small in-page navigation.
import { Link } from '@/components/link';
import { getI18n } from '@/i18n/server';

export async function CatalogTabs({ current }: { current: 'services' | 'packs' }) {
  const { t } = await getI18n();
  const tabs = [
    { key: 'services', href: '/admin/catalog', label: t('catalog.servicesTab') },
    { key: 'packs', href: '/admin/catalog/packs', label: t('catalog.packsTab') },
  ] as const;
  return (
    <nav className="subnav" aria-label={t('catalog.sectionsLabel')}>
      <ul>
        {tabs.map((tab) => (
          <li key={tab.key}>
            <Link href={tab.href} aria-current={tab.key === current ? 'page' : undefined}>
              {tab.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
