import type { Metadata } from 'next';
import { AutoRefresh } from '@/components/auto-refresh';
import { Link } from '@/components/link';
import { Badge, DescriptionList, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import type { RolloutView } from '../types';

type Params = Promise<{ id: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('rollouts.title') };
}

const HOST_TONES = { waiting: undefined, running: 'info', done: 'success', failed: 'danger', skipped: 'warning' } as const;

export default async function RolloutPage({ params }: { params: Params }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const rollout = await apiGet<RolloutView>(`/v1/rollouts/${encodeURIComponent(id)}`);
  return (
    <>
      {rollout.state === 'running' && <AutoRefresh />}
      <p className="breadcrumb">
        <Link href="/admin/rollouts">← {t('rollouts.back')}</Link>
      </p>
      <PageHeader title={`${t('rollouts.title')}: ${rollout.kind}`} description={rollout.description} />
      <Section title={t('rollouts.progress')} id="progress">
        <DescriptionList
          items={[
            [t('rollouts.state'), t(`rollouts.states.${rollout.state}`)],
            [t('rollouts.services'), t('rollouts.progressText', rollout.progress.services)],
            [t('rollouts.hosts'), t('rollouts.hostsText', rollout.progress.hosts)],
            [t('rollouts.maxConcurrency'), String(rollout.maxConcurrency)],
            [t('rollouts.threshold'), `${rollout.allowedFailures} (${String(rollout.errorThreshold)})`],
            ...(rollout.stopReason ? ([[t('rollouts.stopReason'), rollout.stopReason]] as [string, string][]) : []),
            [t('rollouts.created'), fmt.dateTime(rollout.createdAt)],
          ]}
        />
        <progress
          max={rollout.progress.services.total}
          value={rollout.progress.services.applied + rollout.progress.services.failed}
          aria-label={t('rollouts.progress')}
          style={{ width: '100%' }}
        />
      </Section>
      <Section title={t('rollouts.hosts')} id="hosts">
        <Table caption={t('rollouts.hosts')}>
          <thead>
            <tr>
              <th scope="col">{t('rollouts.host')}</th>
              <th scope="col">{t('rollouts.state')}</th>
              <th scope="col">{t('rollouts.services')}</th>
            </tr>
          </thead>
          <tbody>
            {rollout.hosts.map((h) => (
              <tr key={h.hostId}>
                <th scope="row">
                  <Link href={`/admin/hosts/${h.hostId}`}>{h.hostName}</Link>
                </th>
                <td>
                  <Badge tone={HOST_TONES[h.state]}>{t(`rollouts.hostStates.${h.state}`)}</Badge>
                </td>
                <td>
                  {t('rollouts.progressText', {
                    applied: h.applied,
                    failed: h.failed,
                    remaining: h.state === 'skipped' ? h.operations.length : h.operations.length - h.applied - h.failed,
                    total: h.operations.length,
                  })}
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
      {rollout.unrouted.length > 0 && (
        <Section title={t('rollouts.unrouted')} id="unrouted">
          <ul>
            {rollout.unrouted.map((u) => (
              <li key={u.serviceId}>
                <strong>{u.name}</strong>: {u.reason}
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}
