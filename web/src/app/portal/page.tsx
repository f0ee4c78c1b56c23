import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { EmptyState, PageHeader, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { DomainService, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('portal.title') };
}

export default async function PortalHome() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [me, domains] = await Promise.all([getMe(), apiGet<Page<DomainService>>('/v1/services', { kind: 'domain', limit: 200 })]);
  return (
    <>
      <PageHeader title={t('portal.title')} description={t('portal.welcome', { name: me.user.name })} />
      <Section title={t('portal.domainsTitle')} id="domains">
        {domains.items.length === 0 ? (
          <EmptyState>{t('portal.noDomains')}</EmptyState>
        ) : (
          <Table caption={t('portal.domainsTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('domains.name')}</th>
                <th scope="col">{t('services.state')}</th>
                <th scope="col">{t('domains.records')}</th>
                <th scope="col">{t('common.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {domains.items.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <Link href={`/portal/domains/${d.id}`}>{d.name}</Link>
                  </th>
                  <td>
                    <StateBadge state={d.state} />
                  </td>
                  <td>{fmt.number(d.spec.records?.length ?? 0)}</td>
                  <td>{fmt.dateTime(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
