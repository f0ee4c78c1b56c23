import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { OperationsTable } from '@/components/service-operations';
import { EmptyState, PageHeader, Pager, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import type { Operation, OperationState, Page } from '@/server/types';

const STATES: OperationState[] = ['pending', 'queued', 'running', 'applied', 'failed'];

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('operations.title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function OperationsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const params = await searchParams;
  const stateParam = one(params.state);
  const state = STATES.find((s) => s === stateParam);
  const serviceId = one(params.serviceId);
  const cursor = one(params.cursor);
  const operations = await apiGet<Page<Operation>>('/v1/operations', { state, serviceId, cursor, limit: 50 });
  return (
    <>
      <PageHeader title={t('operations.title')} description={t('operations.description')} />
      <Section title={t('operations.logTitle')} id="operations">
        <form method="get" className="inline-form" aria-label={t('operations.filterLabel')}>
          {serviceId && <input type="hidden" name="serviceId" value={serviceId} />}
          <label htmlFor="state-filter">{t('operations.state')}</label>
          <select id="state-filter" name="state" defaultValue={state ?? ''}>
            <option value="">{t('operations.allStates')}</option>
            {STATES.map((s) => (
              <option key={s} value={s}>
                {t(`states.${s}`)}
              </option>
            ))}
          </select>
          <button type="submit" className="button button-secondary">
            {t('common.filter')}
          </button>
          {(state || serviceId) && <Link href="/admin/operations">{t('common.clear')}</Link>}
        </form>
        {serviceId && <p className="muted">{t('operations.filteredByService', { name: operations.items[0]?.serviceName ?? serviceId })}</p>}
        {operations.items.length === 0 ? (
          <EmptyState>{state ? t('operations.emptyFiltered') : t('operations.empty')}</EmptyState>
        ) : (
          <OperationsTable operations={operations.items} caption={t('operations.logTitle')} withService withAttempt />
        )}
        <Pager basePath="/admin/operations" query={{ state, serviceId }} nextCursor={operations.nextCursor} hasCursor={!!cursor} />
      </Section>
    </>
  );
}
