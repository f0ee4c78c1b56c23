import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { AutoRefresh } from '@/components/auto-refresh';
import { DescriptionList, EmptyState, Notice, PageHeader, Section, StateBadge } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { retryOperation } from '@/server/actions/operations';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { ApiKey, Host, Operation, Page, User } from '@/server/types';

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const { t } = await getI18n();
  const op = await apiGet<Operation>(`/v1/operations/${encodeURIComponent(id)}`);
  return { title: t('operations.detailTitle', { name: op.serviceName }) };
}

export default async function OperationPage({ params }: { params: Params }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const [op, hosts, users, keys] = await Promise.all([
    apiGet<Operation>(`/v1/operations/${encodeURIComponent(id)}`),
    has('hosts:read') ? apiGet<Page<Host>>('/v1/hosts') : undefined,
    has('users:manage') ? apiGet<Page<User>>('/v1/users', { limit: 200 }) : undefined,
    has('apikeys:manage') ? apiGet<Page<ApiKey>>('/v1/api-keys') : undefined,
  ]);
  const canRetry = has('operations:retry');
  const hostName = (hostId: string) => hosts?.items.find((h) => h.id === hostId)?.name ?? hostId;
  // createdBy is "staff:<userId>", "customer:<userId>", "apikey:<keyId>" or "system:<reason>".
  const [actorType = '', actorId = ''] = op.createdBy.split(':');
  const startedBy =
    actorType === 'apikey'
      ? t('operations.byApiKey', { name: keys?.items.find((k) => k.id === actorId)?.name ?? actorId })
      : actorType === 'system'
        ? t('operations.bySystem')
        : (users?.items.find((u) => u.id === actorId)?.name ?? op.createdBy);
  const busy = op.state === 'pending' || op.state === 'queued' || op.state === 'running';
  const logs = [...op.logs].reverse();
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/operations">← {t('operations.title')}</Link>
      </p>
      <PageHeader
        title={t('operations.detailTitle', { name: op.serviceName })}
        description={`${t(`operations.actions.${op.action}`)} · ${op.kind === 'domain' ? t('services.kinds.domain') : op.kind}`}
        actions={
          <>
            <StateBadge state={op.state} />
            {canRetry && op.state === 'failed' && (
              <ActionButton action={retryOperation.bind(null, op.id)} label={t('operations.retry')} variant="primary" />
            )}
          </>
        }
      />
      {busy && (
        <Notice tone="info" role="status">
          {t('operations.inProgress')} <Link href={`/admin/operations/${op.id}`}>{t('common.reload')}</Link>
          <AutoRefresh />
        </Notice>
      )}
      {op.state === 'failed' && op.error && (
        <Notice tone="error" role="alert">
          {t('operations.failedWith', { error: op.error })}
        </Notice>
      )}
      <Section title={t('operations.summaryTitle')} id="summary">
        <DescriptionList
          items={[
            [
              t('operations.service'),
              op.kind === 'domain' ? <Link href={`/admin/domains/${op.serviceId}`}>{op.serviceName}</Link> : op.serviceName,
            ],
            [t('operations.state'), <StateBadge key="s" state={op.state} />],
            [t('operations.attempt'), fmt.number(op.attempt)],
            [t('operations.version'), fmt.number(op.serviceVersion)],
            [t('operations.targets'), op.targets.length ? op.targets.map(hostName).join(', ') : '—'],
            [t('operations.createdBy'), startedBy],
            [t('operations.created'), fmt.dateTime(op.createdAt)],
            [t('common.updated'), fmt.dateTime(op.updatedAt)],
          ]}
        />
      </Section>
      <Section title={t('operations.logsTitle')} id="logs" description={t('operations.logsDescription')}>
        {logs.length === 0 ? (
          <EmptyState>{busy ? t('operations.noLogsYet') : t('operations.noLogs')}</EmptyState>
        ) : (
          logs.map((log, i) => {
            const prefix = `log-${i}`;
            return (
              <article key={prefix} className="log-entry" aria-labelledby={`${prefix}-title`}>
                <h3 id={`${prefix}-title`}>
                  {t('operations.logHeading', { attempt: log.attempt, host: log.hostName, backend: log.backend })}
                </h3>
                <DescriptionList
                  items={[
                    [
                      t('operations.exitCode'),
                      log.exitCode === null ? '—' : <span className={log.exitCode === 0 ? '' : 'field-error'}>{log.exitCode}</span>,
                    ],
                    [t('operations.duration'), fmt.duration(log.durationMs)],
                    [t('operations.started'), fmt.dateTime(log.startedAt)],
                    ...(log.error ? ([[t('operations.error'), log.error]] as [string, React.ReactNode][]) : []),
                    ...(log.templates?.length
                      ? ([
                          [
                            t('templates.usedInRun'),
                            <Link key="templates" href="/admin/templates">
                              {log.templates.map((u) => `${u.path} v${u.version}`).join(', ')}
                            </Link>,
                          ],
                        ] as [string, React.ReactNode][])
                      : []),
                  ]}
                />
                <h4 id={`${prefix}-script`}>{t('operations.script')}</h4>
                <pre role="group" aria-labelledby={`${prefix}-script`} tabIndex={0}>
                  <code>{log.script}</code>
                </pre>
                <h4 id={`${prefix}-stdout`}>{t('operations.stdout')}</h4>
                {log.stdout ? (
                  <pre role="group" className="wrap" aria-labelledby={`${prefix}-stdout`} tabIndex={0}>
                    {log.stdout}
                  </pre>
                ) : (
                  <p className="muted">{t('operations.noOutput')}</p>
                )}
                <h4 id={`${prefix}-stderr`}>{t('operations.stderr')}</h4>
                {log.stderr ? (
                  <pre role="group" className="wrap" aria-labelledby={`${prefix}-stderr`} tabIndex={0}>
                    {log.stderr}
                  </pre>
                ) : (
                  <p className="muted">{t('operations.noOutput')}</p>
                )}
              </article>
            );
          })
        )}
      </Section>
    </>
  );
}
