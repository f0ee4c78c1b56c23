import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { ActionForm, SubmitButton } from '@/components/form';
import { HostFields } from '@/components/host-fields';
import { DescriptionList, PageHeader, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { deleteHost, updateHost } from '@/server/actions/hosts';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { Host, Page, Route, ServiceKind } from '@/server/types';

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const host = await apiGet<Host>(`/v1/hosts/${encodeURIComponent(id)}`);
  return { title: host.name };
}

export default async function HostPage({ params }: { params: Params }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [host, routes, kinds, canWrite] = await Promise.all([
    apiGet<Host>(`/v1/hosts/${encodeURIComponent(id)}`),
    apiGet<Page<Route>>('/v1/routes', { limit: 200 }),
    apiGet<{ items: ServiceKind[] }>('/v1/service-kinds'),
    can('hosts:write'),
  ]);
  const hostRoutes = routes.items.filter((r) => r.hostId === host.id);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/hosts">← {t('hosts.title')}</Link>
      </p>
      <PageHeader title={host.name} description={host.description} />
      <Section title={t('hosts.detailsTitle')} id="details">
        <DescriptionList
          items={[
            [t('hosts.address'), <span key="a" className="mono">{`${host.address}:${host.port}`}</span>],
            [t('hosts.username'), host.username],
            [t('hosts.transport'), t(`hosts.transports.${host.transport}`)],
            [
              t('hosts.fingerprint'),
              host.hostKeyFingerprint ? <span className="mono">{host.hostKeyFingerprint}</span> : t('hosts.notPinned'),
            ],
            [t('routes.title'), hostRoutes.length ? hostRoutes.map((r) => `${r.kind} → ${r.backend}`).join(', ') : '—'],
            [t('common.created'), fmt.dateTime(host.createdAt)],
            [t('common.updated'), fmt.dateTime(host.updatedAt)],
          ]}
        />
      </Section>
      {canWrite && (
        <Section title={t('hosts.editTitle')} id="edit">
          <ActionForm action={updateHost.bind(null, host.id)} aria-labelledby="edit-title">
            <HostFields host={host} kinds={kinds.items} />
            <div className="form-actions">
              <SubmitButton>{t('common.saveChanges')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
      {canWrite && (
        <Section title={t('hosts.dangerTitle')} id="danger" description={t('hosts.deleteHint')}>
          <ActionButton
            action={deleteHost.bind(null, host.id)}
            label={t('hosts.delete')}
            confirm={t('hosts.confirmDelete', { name: host.name })}
            variant="danger"
          />
        </Section>
      )}
    </>
  );
}
