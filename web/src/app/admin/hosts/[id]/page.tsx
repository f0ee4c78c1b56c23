import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { ActionForm, CheckboxField, Field, SubmitButton, TextAreaField } from '@/components/form';
import { HostFields } from '@/components/host-fields';
import { Badge, DescriptionList, EmptyState, PageHeader, Section } from '@/components/ui';
import { describeRouteMatch } from '@consort/shared/fleet/route-match';
import { getI18n } from '@/i18n/server';
import { deleteHost, updateHost } from '@/server/actions/hosts';
import { saveRoute } from '@/server/actions/routes';
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
            ...(host.instanceId
              ? ([
                  [
                    t('ssmHosts.instanceId'),
                    <span key="i" className="mono">
                      {host.instanceId}
                    </span>,
                  ],
                ] as [string, React.ReactNode][])
              : []),
            [
              t('hosts.fingerprint'),
              host.hostKeyFingerprint ? <span className="mono">{host.hostKeyFingerprint}</span> : t('hosts.notPinned'),
            ],
            [t('common.created'), fmt.dateTime(host.createdAt)],
            [t('common.updated'), fmt.dateTime(host.updatedAt)],
          ]}
        />
      </Section>
      <Section title={t('routeRules.title')} id="route-rules" description={t('routeRules.priorityHint')}>
        {hostRoutes.length === 0 ? (
          <EmptyState>{t('routeRules.empty')}</EmptyState>
        ) : (
          hostRoutes.map((r) => (
            <div key={r.id} className="route-rule" style={{ marginBottom: '1.5rem' }}>
              <h3>
                {r.kind} → {r.backend}{' '}
                {r.active ? <Badge tone="success">{t('routes.active')}</Badge> : <Badge>{t('routes.inactive')}</Badge>}
              </h3>
              <p>
                {t('routeRules.rule')}: <span className="mono">{r.match ? describeRouteMatch(r.match) : t('routeRules.every')}</span> ·{' '}
                {t('routeRules.priority')}: {r.priority ?? 100}
              </p>
              {canWrite && (
                <ActionForm
                  action={saveRoute.bind(null, { id: r.id, kind: r.kind, hostId: r.hostId })}
                  aria-label={`${r.kind} → ${r.backend}`}
                >
                  <div className="form-grid">
                    <Field
                      name="priority"
                      type="number"
                      min={0}
                      max={1000}
                      label={t('routeRules.priority')}
                      defaultValue={String(r.priority ?? 100)}
                    />
                  </div>
                  <CheckboxField name="active" label={t('routes.activeLabel')} defaultChecked={r.active} />
                  <TextAreaField
                    name="match"
                    label={t('routeRules.match')}
                    hint={t('routeRules.matchHint')}
                    rows={4}
                    className="mono"
                    spellCheck={false}
                    defaultValue={r.match ? JSON.stringify(r.match, null, 2) : ''}
                  />
                  <div className="form-actions">
                    <SubmitButton name="intent" value="save">
                      {t('routeRules.save')}
                    </SubmitButton>
                    <SubmitButton name="intent" value="preview" variant="secondary">
                      {t('routeRules.preview')}
                    </SubmitButton>
                  </div>
                </ActionForm>
              )}
            </div>
          ))
        )}
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
