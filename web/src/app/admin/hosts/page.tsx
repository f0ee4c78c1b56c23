import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { ActionForm, CheckboxField, SelectField, SubmitButton } from '@/components/form';
import { HostFields } from '@/components/host-fields';
import { Badge, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { describeRouteMatch } from '@consort/shared/fleet/route-match';
import { getI18n } from '@/i18n/server';
import { createHost, createRoute, deleteHost, deleteRoute, rotateProvisioningKey } from '@/server/actions/hosts';
import { apiGet } from '@/server/api';
import { can, getTenant } from '@/server/queries';
import type { Host, Page, Route, ServiceKind } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('hosts.title') };
}

export default async function HostsPage() {
  const { t } = await getI18n();
  const [hosts, routes, kinds, tenant, canWrite, canManage] = await Promise.all([
    apiGet<Page<Host>>('/v1/hosts', { limit: 200 }),
    apiGet<Page<Route>>('/v1/routes', { limit: 200 }),
    apiGet<{ items: ServiceKind[] }>('/v1/service-kinds'),
    getTenant(),
    can('hosts:write'),
    can('tenant:manage'),
  ]);
  const hostName = new Map(hosts.items.map((h) => [h.id, h.name]));
  const kindLabel = (kind: string) =>
    kind === 'domain' ? t('services.kinds.domain') : (kinds.items.find((k) => k.kind === kind)?.label ?? kind);
  const backendLabel = (kind: string, backend: string) =>
    kinds.items.find((k) => k.kind === kind)?.backends.find((b) => b.name === backend)?.label ?? backend;
  const kindBackendOptions = kinds.items.flatMap((k) =>
    k.backends.map((b) => ({ value: `${k.kind}:${b.name}`, label: `${kindLabel(k.kind)} → ${b.label}` })),
  );

  return (
    <>
      <PageHeader title={t('hosts.title')} description={t('hosts.description')} />

      <Section title={t('hosts.keyTitle')} id="provisioning-key" description={t('hosts.keyDescription')}>
        <label htmlFor="provisioning-key-value" className="visually-hidden">
          {t('hosts.keyTitle')}
        </label>
        <textarea
          id="provisioning-key-value"
          className="key-box"
          readOnly
          value={tenant.provisioningPublicKey}
          rows={3}
          spellCheck={false}
        />
        <p className="field-hint">{t('hosts.keyHint')}</p>
        {canManage && (
          <p className="form-actions">
            <ActionButton
              action={rotateProvisioningKey}
              label={t('hosts.rotateKey')}
              confirm={t('hosts.rotateKeyConfirm')}
              variant="danger"
            />
          </p>
        )}
      </Section>

      <Section title={t('hosts.listTitle')} id="hosts">
        {hosts.items.length === 0 ? (
          <EmptyState>{t('hosts.empty')}</EmptyState>
        ) : (
          <Table caption={t('hosts.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('hosts.name')}</th>
                <th scope="col">{t('hosts.address')}</th>
                <th scope="col">{t('hosts.username')}</th>
                <th scope="col">{t('hosts.transport')}</th>
                <th scope="col">{t('hosts.fingerprint')}</th>
                {canWrite && (
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {hosts.items.map((h) => (
                <tr key={h.id}>
                  <th scope="row">
                    <Link href={`/admin/hosts/${h.id}`}>{h.name}</Link>
                    {h.description && <div className="muted">{h.description}</div>}
                  </th>
                  <td className="mono">
                    {h.address}:{h.port}
                  </td>
                  <td className="mono">{h.username}</td>
                  <td>{t(`hosts.transports.${h.transport}`)}</td>
                  <td className="mono">
                    {h.hostKeyFingerprint ?? <span className="muted">{h.transport === 'ssh' ? t('hosts.notPinned') : '—'}</span>}
                  </td>
                  {canWrite && (
                    <td className="actions">
                      <Link
                        className="button button-secondary button-small"
                        href={`/admin/hosts/${h.id}`}
                        aria-label={t('hosts.editNamed', { name: h.name })}
                      >
                        {t('common.edit')}
                      </Link>
                      <ActionButton
                        action={deleteHost.bind(null, h.id)}
                        label={t('common.delete')}
                        accessibleName={t('hosts.deleteNamed', { name: h.name })}
                        confirm={t('hosts.confirmDelete', { name: h.name })}
                        variant="danger"
                      />
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canWrite && (
          <details className="disclosure" style={{ marginTop: '1rem' }} open={hosts.items.length === 0}>
            <summary>{t('hosts.createTitle')}</summary>
            <ActionForm action={createHost} aria-label={t('hosts.createTitle')}>
              <HostFields kinds={kinds.items} />
              <div className="form-actions">
                <SubmitButton>{t('hosts.create')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>

      <Section title={t('routes.title')} id="routes" description={t('routes.description')}>
        {routes.items.length === 0 ? (
          <EmptyState>{t('routes.empty')}</EmptyState>
        ) : (
          <Table caption={t('routes.title')}>
            <thead>
              <tr>
                <th scope="col">{t('routes.kind')}</th>
                <th scope="col">{t('routes.backend')}</th>
                <th scope="col">{t('routes.host')}</th>
                <th scope="col">{t('routeRules.rule')}</th>
                <th scope="col">{t('routeRules.priority')}</th>
                <th scope="col">{t('routes.status')}</th>
                {canWrite && (
                  <th scope="col">
                    <span className="visually-hidden">{t('common.actions')}</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {routes.items.map((r) => {
                const described = `${kindLabel(r.kind)} → ${backendLabel(r.kind, r.backend)} → ${hostName.get(r.hostId) ?? r.hostId}`;
                return (
                  <tr key={r.id}>
                    <th scope="row">{kindLabel(r.kind)}</th>
                    <td>{backendLabel(r.kind, r.backend)}</td>
                    <td>{hostName.has(r.hostId) ? <Link href={`/admin/hosts/${r.hostId}`}>{hostName.get(r.hostId)}</Link> : r.hostId}</td>
                    <td className="mono">{r.match ? describeRouteMatch(r.match) : t('routeRules.every')}</td>
                    <td>{r.priority ?? 100}</td>
                    <td>{r.active ? <Badge tone="success">{t('routes.active')}</Badge> : <Badge>{t('routes.inactive')}</Badge>}</td>
                    {canWrite && (
                      <td className="actions">
                        <ActionButton
                          action={deleteRoute.bind(null, r.id)}
                          label={t('common.delete')}
                          accessibleName={t('routes.deleteNamed', { route: described })}
                          confirm={t('routes.confirmDelete', { route: described })}
                          variant="danger"
                        />
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        {canWrite && hosts.items.length > 0 && (
          <details className="disclosure" style={{ marginTop: '1rem' }} open={routes.items.length === 0}>
            <summary>{t('routes.createTitle')}</summary>
            <ActionForm action={createRoute} aria-label={t('routes.createTitle')}>
              <div className="form-grid">
                <SelectField
                  name="kindBackend"
                  label={t('routes.kindBackend')}
                  required
                  options={kindBackendOptions}
                  defaultValue={kindBackendOptions[0]?.value}
                />
                <SelectField
                  name="hostId"
                  label={t('routes.host')}
                  required
                  placeholder={t('routes.chooseHost')}
                  options={hosts.items.map((h) => ({ value: h.id, label: `${h.name} (${h.address})` }))}
                  defaultValue={hosts.items.length === 1 ? hosts.items[0]?.id : ''}
                />
              </div>
              <CheckboxField name="active" label={t('routes.activeLabel')} defaultChecked />
              <div className="form-actions">
                <SubmitButton>{t('routes.create')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>
    </>
  );
}
