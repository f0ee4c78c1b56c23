import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { Badge, EmptyState, PageHeader, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import { getServiceTypes } from '@/server/services';
import type { Account, Page, Service } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('selfService.portalTitle') };
}

/** The customer's services grouped by kind, with what they may create and how much of each limit is used. */
export default async function PortalServicesPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const [types, services, account] = await Promise.all([
    getServiceTypes(),
    apiGet<Page<Service>>('/v1/services', { limit: 200 }),
    me.user.accountId ? apiGet<Account>(`/v1/accounts/${encodeURIComponent(me.user.accountId)}`).catch(() => undefined) : undefined,
  ]);
  const shown = services.items.filter((s) => s.state !== 'deleted');
  const groups = types
    .map((type) => ({ type, items: shown.filter((s) => s.kind === type.kind) }))
    .filter((g) => g.items.length > 0 || g.type.permissions.create);
  return (
    <>
      <PageHeader title={t('selfService.portalTitle')} description={t('selfService.portalDescription')} />
      {groups.map(({ type, items }) => {
        const limit = account?.limits?.services?.[type.kind];
        const live = items.filter((s) => s.state !== 'deleting').length;
        const id = `kind-${type.kind}`;
        return (
          <Section
            key={type.kind}
            title={type.label}
            id={id}
            actions={
              type.permissions.create ? (
                limit !== undefined && live >= limit ? (
                  <Badge tone="warning">{t('selfService.limitReached')}</Badge>
                ) : (
                  <Link href={`/portal/services/new?kind=${type.kind}`}>{t('selfService.newOfKind', { kind: type.label })}</Link>
                )
              ) : undefined
            }
            description={
              limit !== undefined && type.permissions.create
                ? t('selfService.usage', { count: fmt.number(live), limit: fmt.number(limit) })
                : undefined
            }
          >
            {items.length === 0 ? (
              <EmptyState>{t('selfService.groupEmpty')}</EmptyState>
            ) : (
              <Table caption={type.label}>
                <thead>
                  <tr>
                    <th scope="col">{t('selfService.name')}</th>
                    <th scope="col">{t('services.state')}</th>
                    <th scope="col">{t('common.updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((s) => (
                    <tr key={s.id}>
                      <th scope="row">
                        <Link href={s.kind === 'domain' ? `/portal/domains/${s.id}` : `/portal/services/${s.id}`}>{s.name}</Link>
                      </th>
                      <td>
                        <StateBadge state={s.state} />
                      </td>
                      <td>{fmt.dateTime(s.updatedAt)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
            )}
          </Section>
        );
      })}
    </>
  );
}
