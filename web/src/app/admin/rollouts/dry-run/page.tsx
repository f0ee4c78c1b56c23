import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { PageHeader, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { api } from '@/server/api';
import type { DryRun } from '../types';

type Search = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('rollouts.dryRunTitle') };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';

/** The rollout form's dry run (GET): renders each host's scripts through the API; nothing is queued or stored. */
export default async function DryRunPage({ searchParams }: { searchParams: Search }) {
  const q = await searchParams;
  const { t } = await getI18n();
  let filter: unknown;
  try {
    filter = one(q.filter).trim() ? JSON.parse(one(q.filter)) : undefined;
  } catch {
    filter = { invalid: one(q.filter) }; // the API answers with a clear 422
  }
  const threshold = one(q.errorThreshold).trim() || '0';
  const result = await api<DryRun>('POST', '/v1/rollouts', {
    kind: one(q.kind),
    ...(filter ? { filter } : {}),
    maxConcurrency: Number(one(q.maxConcurrency) || 5),
    errorThreshold: /^\d+$/.test(threshold) ? Number(threshold) : threshold,
    dryRun: true,
  });
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/rollouts">← {t('rollouts.back')}</Link>
      </p>
      <PageHeader
        title={`${t('rollouts.dryRunTitle')}: ${result.kind}`}
        description={t('rollouts.dryRunDescription', { services: result.services, hosts: result.hosts.length })}
      />
      {result.hosts.map((h) => (
        <Section key={h.hostId} title={h.hostName} id={`host-${h.hostId}`}>
          {h.units.map((u) => (
            <details key={u.backend} className="disclosure" open={result.hosts.length <= 3}>
              <summary>
                {u.backend}: {u.services.join(', ')}
              </summary>
              <pre className="log">{u.script}</pre>
            </details>
          ))}
        </Section>
      ))}
      {result.unrouted.length > 0 && (
        <Section title={t('rollouts.unrouted')} id="unrouted">
          <ul>
            {result.unrouted.map((u) => (
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
