import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { Link } from '@/components/link';
import { Badge, DescriptionList, EmptyState, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { connectStripe, setAutoCharge, moveTransaction } from '@/server/actions/payments';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { PaymentSettings, Transaction, TransactionState } from '@consort/shared/payments/model';
import type { Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('payments.transactionsTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const TONE: Record<TransactionState, 'success' | 'warning' | 'info' | 'danger' | 'neutral'> = {
  created: 'neutral',
  processing: 'info',
  succeeded: 'success',
  failed: 'danger',
  returned: 'warning',
  refunded: 'neutral',
};

/** Staff: every transaction, newest first, with the tenant's Stripe connection above. */
export default async function TransactionsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const { cursor: rawCursor, state: rawState } = await searchParams;
  const cursor = (Array.isArray(rawCursor) ? rawCursor[0] : rawCursor) || undefined;
  const state = (Array.isArray(rawState) ? rawState[0] : rawState) || undefined;
  const [page, settings, canWrite, canConnect] = await Promise.all([
    apiGet<Page<Transaction>>('/v1/payments/transactions', { cursor, state, limit: 50 }),
    apiGet<PaymentSettings & { cardPayments: boolean }>('/v1/payments/settings'),
    can('payments:write'),
    can('tenant:manage'),
  ]);
  return (
    <>
      <PageHeader title={t('payments.transactionsTitle')} description={t('payments.transactionsDescription')} />
      <Section title={t('payments.stripeTitle')} id="stripe">
        <DescriptionList
          items={[
            [
              t('payments.stripeAccount'),
              settings.stripe ? <span className="mono">{settings.stripe.accountId}</span> : t('payments.notConnected'),
            ],
            [t('payments.cardPayments'), settings.cardPayments ? t('common.yes') : t('common.no')],
            [t('payments.autoCharge'), settings.autoCharge ? t('payments.autoChargeOn') : t('payments.autoChargeOff')],
          ]}
        />
        {((canConnect && !settings.cardPayments) || canWrite) && (
          <p className="form-actions">
            {canConnect && !settings.cardPayments && (
              <ActionButton action={connectStripe} variant="primary" label={t('payments.connectStripe')} />
            )}
            {canWrite && (
              <ActionButton
                action={setAutoCharge.bind(null, !settings.autoCharge)}
                label={settings.autoCharge ? t('payments.autoChargeTurnOff') : t('payments.autoChargeTurnOn')}
                {...(settings.autoCharge ? { confirm: t('payments.autoChargeTurnOffConfirm') } : {})}
              />
            )}
          </p>
        )}
      </Section>
      <Section title={t('payments.transactionsTitle')} id="transactions">
        {page.items.length === 0 ? (
          <EmptyState>{t('payments.noTransactions')}</EmptyState>
        ) : (
          <Table caption={t('payments.transactionsTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('payments.date')}</th>
                <th scope="col">{t('payments.account')}</th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('payments.bills')}</th>
                <th scope="col">{t('payments.state')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
                {canWrite && <th scope="col">{t('common.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {page.items.map((tx) => (
                <tr key={tx.id}>
                  <td>
                    <Link href={`/admin/payments/transactions/${tx.id}`}>{fmt.day(tx.createdAt.slice(0, 10))}</Link>
                  </td>
                  <td>
                    <Link href={`/admin/accounts/${tx.accountId}`} className="mono">
                      {tx.accountId}
                    </Link>
                  </td>
                  <td>{t(`payments.methods.${tx.method}`)}</td>
                  <td>
                    {tx.allocations.map((a) => (
                      <Link key={a.billId} href={`/admin/bills/${a.billId}`} className="mono">
                        {a.billId}
                      </Link>
                    ))}
                  </td>
                  <td>
                    <Badge tone={TONE[tx.state]}>{t(`payments.states.${tx.state}`)}</Badge>
                    {tx.failure && <span className="muted"> {tx.failure.message}</span>}
                  </td>
                  <td className="num">{fmt.money(tx.amount, tx.currency)}</td>
                  {canWrite && (
                    <td>
                      {(tx.method === 'transfer' || tx.method === 'manual') && (tx.state === 'created' || tx.state === 'processing') && (
                        <ActionButton
                          action={moveTransaction.bind(null, tx.id)}
                          hidden={{ to: 'succeeded' }}
                          label={t('payments.markReceived')}
                          accessibleName={`${t('payments.markReceived')} ${tx.id}`}
                        />
                      )}
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/payments/transactions" query={{ state }} nextCursor={page.nextCursor} hasCursor={!!cursor} />
      </Section>
    </>
  );
}
