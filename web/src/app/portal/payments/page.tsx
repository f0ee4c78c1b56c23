import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { Link } from '@/components/link';
import { Badge, EmptyState, Notice, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { makeDefaultSource, removeSource, saveCard } from '@/server/actions/payments';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { PaymentSource, Transaction } from '@consort/shared/payments/model';
import type { Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('payments.portalTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The customer's saved payment methods and payment history (their own account only: the API decides). */
export default async function PortalPaymentsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const { saved } = await searchParams;
  const accountId = (me.user as { accountId?: string }).accountId ?? '';
  const [sources, history] = await Promise.all([
    apiGet<{ items: PaymentSource[] }>(`/v1/accounts/${encodeURIComponent(accountId)}/payment-sources`),
    apiGet<Page<Transaction>>('/v1/payments/transactions', { limit: 50 }),
  ]);
  return (
    <>
      <PageHeader title={t('payments.portalTitle')} description={t('payments.portalDescription')} />
      {saved && <Notice tone="success">{t('payments.cardSaved')}</Notice>}
      <Section title={t('payments.sourcesTitle')} id="sources">
        {sources.items.length === 0 ? (
          <EmptyState>{t('payments.noSources')}</EmptyState>
        ) : (
          <Table caption={t('payments.sourcesTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('payments.source')}</th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {sources.items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.label} {s.isDefault && <Badge tone="success">{t('payments.default')}</Badge>}
                  </th>
                  <td>{t(`payments.methods.${s.method}`)}</td>
                  <td>
                    {!s.isDefault && (
                      <ActionButton action={makeDefaultSource.bind(null, accountId, s.id)} label={t('payments.makeDefault')} />
                    )}{' '}
                    <ActionButton
                      action={removeSource.bind(null, accountId, s.id)}
                      label={t('common.remove')}
                      variant="danger"
                      confirm={t('payments.removeConfirm')}
                      accessibleName={`${t('common.remove')} ${s.label}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <p className="form-actions">
          <ActionButton action={saveCard.bind(null, accountId)} label={t('payments.saveCard')} />
        </p>
      </Section>
      <Section title={t('payments.historyTitle')} id="history">
        {history.items.length === 0 ? (
          <EmptyState>{t('payments.noHistory')}</EmptyState>
        ) : (
          <Table caption={t('payments.historyTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('payments.date')}</th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('payments.bills')}</th>
                <th scope="col">{t('payments.state')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {history.items.map((tx) => (
                <tr key={tx.id}>
                  <td>{fmt.day(tx.createdAt.slice(0, 10))}</td>
                  <td>{t(`payments.methods.${tx.method}`)}</td>
                  <td>
                    {tx.allocations.map((a) => (
                      <Link key={a.billId} href={`/portal/bills/${a.billId}`} className="mono">
                        {a.billId}
                      </Link>
                    ))}
                  </td>
                  <td>{t(`payments.states.${tx.state}`)}</td>
                  <td className="num">{fmt.money(tx.amount, tx.currency)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
