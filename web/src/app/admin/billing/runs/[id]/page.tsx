import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { AutoRefresh } from '@/components/auto-refresh';
import { Badge, DescriptionList, EmptyState, Notice, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { resumeBillingRun } from '@/server/actions/billing-runs';
import { apiGet } from '@/server/api';
import { isResumable, type BillingRun } from '@/server/billing-runs';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const STATE_TONE = { running: 'info', completed: 'success', failed: 'danger' } as const;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const run = await apiGet<BillingRun>(`/v1/billing/runs/${encodeURIComponent(id)}`);
  return { title: t('billingRuns.detailTitle', { date: fmt.dateTime(run.startedAt) }) };
}

export default async function BillingRunPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const { done } = await searchParams;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const run = await apiGet<BillingRun>(`/v1/billing/runs/${encodeURIComponent(id)}`);
  const { totals } = run;
  const canResume = me.permissions.includes('bills:write') && isResumable(run, new Date());
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/billing/runs">{t('billingRuns.title')}</Link>
      </p>
      <PageHeader title={t('billingRuns.detailTitle', { date: fmt.dateTime(run.startedAt) })} />
      {run.state === 'running' && !canResume && (
        <>
          <AutoRefresh everyMs={2000} />
          <p className="muted" role="status">
            {t('billingRuns.refreshing')} <Link href={`/admin/billing/runs/${encodeURIComponent(run.id)}`}>{t('billingRuns.reload')}</Link>
          </p>
        </>
      )}
      {done === 'resumed' && (
        <Notice tone="success" role="status">
          {t('billingRuns.resumed')}
        </Notice>
      )}
      {run.failure && (
        <Notice tone="error" role="alert">
          {t('billingRuns.failure', { message: run.failure.message || run.failure.code })}
        </Notice>
      )}
      <Section title={t('billingRuns.progress')} id="progress">
        <p>
          <progress max={100} value={run.percentDone} aria-label={t('billingRuns.progress')} />{' '}
          <strong>{t('billingRuns.accountsOf', { n: fmt.number(totals.accountsDone), total: fmt.number(totals.accounts) })}</strong>
          {' · '}
          {t(`billingRuns.phases.${run.phase}`)}
        </p>
        <DescriptionList
          items={[
            [
              t('billingRuns.state'),
              <Badge key="s" tone={STATE_TONE[run.state]}>
                {t(`billingRuns.states.${run.state}`)}
              </Badge>,
            ],
            [t('billingRuns.trigger'), t(`billingRuns.triggers.${run.trigger}`)],
            [
              t('billingRuns.startedBy'),
              <span key="b" className="mono">
                {run.startedBy}
              </span>,
            ],
            [t('billingRuns.billUntil'), fmt.day(run.billUntil)],
            [t('billingRuns.autoClose'), run.options.autoClose ? t('billingRuns.yes') : t('billingRuns.no')],
            [t('billingRuns.autoSend'), run.options.autoSend ? t('billingRuns.yes') : t('billingRuns.no')],
            [t('billingRuns.ordersBilled'), fmt.number(totals.ordersBilled)],
            [t('billingRuns.billsCreated'), fmt.number(totals.billsCreated)],
            [t('billingRuns.billsAppended'), fmt.number(totals.billsAppended)],
            [t('billingRuns.closed'), fmt.number(totals.closed)],
            [t('billingRuns.sent'), fmt.number(totals.sent)],
            [t('billingRuns.attempt'), fmt.number(run.attempt)],
            [t('billingRuns.started'), fmt.dateTime(run.startedAt)],
            [t('billingRuns.updatedAt'), fmt.dateTime(run.updatedAt)],
            [t('billingRuns.finishedAt'), fmt.dateTime(run.finishedAt)],
          ]}
        />
        {canResume && (
          <>
            <p className="field-hint">{t('billingRuns.resumeHint')}</p>
            <ActionButton action={resumeBillingRun.bind(null, run.id)} label={t('billingRuns.resume')} variant="primary" />
          </>
        )}
      </Section>
      <Section title={t('billingRuns.errorsTitle', { count: fmt.number(totals.errors) })} id="errors">
        {run.errors.length === 0 ? (
          <EmptyState>{t('billingRuns.noErrors')}</EmptyState>
        ) : (
          <>
            {totals.errors > run.errors.length && (
              <p className="muted">
                {t('billingRuns.errorsMore', { shown: fmt.number(run.errors.length), count: fmt.number(totals.errors) })}
              </p>
            )}
            <Table caption={t('billingRuns.errors')}>
              <thead>
                <tr>
                  <th scope="col">{t('billingRuns.account')}</th>
                  <th scope="col">{t('billingRuns.bill')}</th>
                  <th scope="col">{t('billingRuns.code')}</th>
                  <th scope="col">{t('billingRuns.message')}</th>
                </tr>
              </thead>
              <tbody>
                {run.errors.map((e, i) => (
                  <tr key={i}>
                    <td>{e.accountId ? <Link href={`/admin/accounts/${encodeURIComponent(e.accountId)}`}>{e.accountId}</Link> : '—'}</td>
                    <td>{e.billId ? <Link href={`/admin/bills/${encodeURIComponent(e.billId)}`}>{e.billId}</Link> : '—'}</td>
                    <td className="mono">{e.code}</td>
                    <td>{e.message}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          </>
        )}
      </Section>
    </>
  );
}
