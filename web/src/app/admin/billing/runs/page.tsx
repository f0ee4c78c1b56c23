import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { BillingRunForm } from '@/components/billing-run-form';
import { Badge, EmptyState, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import type { BillingRun } from '@/server/billing-runs';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('billingRuns.title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const STATE_TONE = { running: 'info', completed: 'success', failed: 'danger' } as const;

export default async function BillingRunsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const { cursor } = await searchParams;
  const me = await getMe();
  const runs = await apiGet<Page<BillingRun>>('/v1/billing/runs', { limit: 25, cursor: typeof cursor === 'string' ? cursor : undefined });
  return (
    <>
      <PageHeader title={t('billingRuns.title')} description={t('billingRuns.description')} />
      {me.permissions.includes('bills:write') && (
        <Section title={t('billingRuns.startTitle')} id="start">
          <BillingRunForm
            today={fmt.today()}
            labels={{
              billUntil: t('billingRuns.billUntil'),
              billUntilHint: t('billingRuns.billUntilHint'),
              autoClose: t('billingRuns.autoClose'),
              autoSend: t('billingRuns.autoSend'),
              start: t('billingRuns.start'),
            }}
          />
        </Section>
      )}
      <Section title={t('billingRuns.listTitle')} id="runs">
        {runs.items.length === 0 ? (
          <EmptyState>{t('billingRuns.empty')}</EmptyState>
        ) : (
          <Table caption={t('billingRuns.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('billingRuns.started')}</th>
                <th scope="col">{t('billingRuns.trigger')}</th>
                <th scope="col">{t('billingRuns.billUntil')}</th>
                <th scope="col">{t('billingRuns.state')}</th>
                <th scope="col">{t('billingRuns.progress')}</th>
                <th scope="col">{t('billingRuns.billsCreated')}</th>
                <th scope="col">{t('billingRuns.errors')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.items.map((run) => (
                <tr key={run.id}>
                  <td>
                    <Link href={`/admin/billing/runs/${encodeURIComponent(run.id)}`}>{fmt.dateTime(run.startedAt)}</Link>
                  </td>
                  <td>{t(`billingRuns.triggers.${run.trigger}`)}</td>
                  <td>{fmt.day(run.billUntil)}</td>
                  <td>
                    <Badge tone={STATE_TONE[run.state]}>{t(`billingRuns.states.${run.state}`)}</Badge>
                  </td>
                  <td>{t('billingRuns.accountsOf', { n: fmt.number(run.totals.accountsDone), total: fmt.number(run.totals.accounts) })}</td>
                  <td>{fmt.number(run.totals.billsCreated)}</td>
                  <td>{fmt.number(run.totals.errors)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/billing/runs" nextCursor={runs.nextCursor} hasCursor={typeof cursor === 'string'} />
      </Section>
    </>
  );
}
