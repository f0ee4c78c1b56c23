import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ServiceOperations } from '@/components/service-operations';
import { ActionButton } from '@/components/action-button';
import { DomainStatus } from '@/components/domain-status';
import { RecordsEditor } from '@/components/records-editor';
import { DescriptionList, Notice, PageHeader, Section, StateBadge } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { deleteDomain } from '@/server/actions/domains';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe, getTenant } from '@/server/queries';
import type { Account, DomainService, Operation, Page } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const service = await apiGet<DomainService>(`/v1/services/${encodeURIComponent(id)}`);
  return { title: service.name };
}

export default async function DomainPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const service = await apiGet<DomainService>(`/v1/services/${encodeURIComponent(id)}`);
  const [account, operations, tenant] = await Promise.all([
    has('accounts:read') ? apiGet<Account>(`/v1/accounts/${encodeURIComponent(service.accountId)}`).catch(() => undefined) : undefined,
    has('operations:read') ? apiGet<Page<Operation>>('/v1/operations', { serviceId: id, limit: 10 }) : undefined,
    getTenant(),
  ]);
  const editParam = Array.isArray(query.edit) ? query.edit[0] : query.edit;
  const editIndex = editParam !== undefined && /^\d+$/.test(editParam) ? Number(editParam) : undefined;
  const base = `/admin/domains/${service.id}`;
  const canWrite = has('services:write');

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/domains">← {t('domains.title')}</Link>
      </p>
      <PageHeader title={service.name} description={t('services.kinds.domain')} actions={<StateBadge state={service.state} />} />
      {query.saved && (
        <Notice tone="success" role="status">
          {t('records.savedQueued')}
        </Notice>
      )}
      <DomainStatus
        service={service}
        href={base}
        operationHref={has('operations:read') && service.lastOperationId ? `/admin/operations/${service.lastOperationId}` : undefined}
      />

      <Section title={t('domains.detailsTitle')} id="details">
        <DescriptionList
          items={[
            [t('domains.account'), account ? <Link href={`/admin/accounts/${account.id}`}>{account.name}</Link> : service.accountId],
            [t('services.state'), <StateBadge key="state" state={service.state} />],
            [t('domains.version'), fmt.number(service.version)],
            [t('domains.ttl'), fmt.number(service.spec.ttl ?? tenant.settings.dns.ttl)],
            [t('settings.nameservers'), tenant.settings.dns.nameservers.join(', ')],
            [t('common.created'), fmt.dateTime(service.createdAt)],
            [t('common.updated'), fmt.dateTime(service.updatedAt)],
          ]}
        />
      </Section>

      <RecordsEditor service={service} scope="admin" editIndex={editIndex} canEdit={canWrite} defaultTtl={tenant.settings.dns.ttl} />

      {operations && <ServiceOperations serviceId={service.id} operations={operations} title={t('domains.operationsTitle')} withAttempt />}

      {canWrite && service.state !== 'deleting' && service.state !== 'deleted' && (
        <Section title={t('domains.dangerTitle')} id="danger" description={t('domains.deleteHint')}>
          <ActionButton
            action={deleteDomain.bind(null, service.id)}
            label={t('domains.delete')}
            confirm={t('domains.confirmDelete', { name: service.name })}
            variant="danger"
          />
        </Section>
      )}
    </>
  );
}
