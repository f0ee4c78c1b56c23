import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { DomainStatus } from '@/components/domain-status';
import { RecordsEditor } from '@/components/records-editor';
import { Notice, PageHeader, StateBadge } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getMe } from '@/server/queries';
import type { DomainService } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const service = await apiGet<DomainService>(`/v1/services/${encodeURIComponent(id)}`);
  return { title: service.name };
}

export default async function PortalDomainPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const { t } = await getI18n();
  const [service, me] = await Promise.all([apiGet<DomainService>(`/v1/services/${encodeURIComponent(id)}`), getMe()]);
  const editParam = Array.isArray(query.edit) ? query.edit[0] : query.edit;
  const editIndex = editParam !== undefined && /^\d+$/.test(editParam) ? Number(editParam) : undefined;
  return (
    <>
      <p className="breadcrumb">
        <Link href="/portal">← {t('portal.domainsTitle')}</Link>
      </p>
      <PageHeader title={service.name} description={t('services.kinds.domain')} actions={<StateBadge state={service.state} />} />
      {query.saved && (
        <Notice tone="success" role="status">
          {t('records.savedQueued')}
        </Notice>
      )}
      <DomainStatus service={service} href={`/portal/domains/${service.id}`} />
      <RecordsEditor service={service} scope="portal" editIndex={editIndex} canEdit={me.permissions.includes('services:write')} />
    </>
  );
}
