import type { Metadata } from 'next';
import { ActionForm, Field, SelectField, SubmitButton } from '@/components/form';
import { Link } from '@/components/link';
import { Badge, DescriptionList, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { recordRefundReturn, refundTransaction } from '@/server/actions/refunds';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import { refundable, refundedAmount, wentOut, type RefundState, type Transaction } from '@consort/shared/payments/model';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('refunds.transactionTitle') };
}

const REFUND_TONE: Record<RefundState, 'success' | 'info' | 'danger' | 'neutral'> = {
  pending: 'neutral',
  batched: 'info',
  succeeded: 'success',
  failed: 'danger',
  returned: 'danger',
};

/** Staff: one transaction — what it paid, its refunds, the refund form, and recording a transfer that came back. */
export default async function TransactionPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [tx, canWrite] = await Promise.all([
    apiGet<Transaction>(`/v1/payments/transactions/${encodeURIComponent(id)}`),
    can('payments:write'),
  ]);
  const left = refundable(tx);
  const refunds = tx.refunds ?? [];
  // Credit transfers that went out (in a file, or executed) can come back; card refunds come back through Stripe.
  const returnable = refunds.filter((r) => r.creditor && wentOut(r));
  return (
    <>
      <PageHeader title={`${t('refunds.transactionTitle')} ${tx.id}`} description={t('refunds.transactionDescription')} />
      <Section title={t('refunds.summary')} id="summary">
        <DescriptionList
          items={[
            [
              t('payments.state'),
              <Badge tone={tx.state === 'succeeded' ? 'success' : 'neutral'}>{t(`payments.states.${tx.state}`)}</Badge>,
            ],
            [t('payments.method'), t(`payments.methods.${tx.method}`)],
            [
              t('payments.account'),
              <Link href={`/admin/accounts/${tx.accountId}`} className="mono">
                {tx.accountId}
              </Link>,
            ],
            [t('payments.amount'), fmt.money(tx.amount, tx.currency)],
            [t('refunds.refunded'), fmt.money(refundedAmount(tx).toFixed(2), tx.currency)],
            [t('refunds.refundable'), fmt.money(left.toFixed(2), tx.currency)],
            [
              t('payments.bills'),
              tx.allocations.map((a) => (
                <Link key={a.billId} href={`/admin/bills/${a.billId}`} className="mono">
                  {a.billId}{' '}
                </Link>
              )),
            ],
            ...(tx.failure ? ([[t('refunds.failure'), tx.failure.message]] as [string, React.ReactNode][]) : []),
          ]}
        />
      </Section>
      <Section title={t('refunds.title')} id="refunds">
        {refunds.length === 0 ? (
          <EmptyState>{t('refunds.noRefunds')}</EmptyState>
        ) : (
          <Table caption={t('refunds.title')}>
            <thead>
              <tr>
                <th scope="col">{t('refunds.created')}</th>
                <th scope="col">{t('refunds.state')}</th>
                <th scope="col">{t('refunds.creditor')}</th>
                <th scope="col">{t('refunds.reason')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {refunds.map((r) => (
                <tr key={r.id}>
                  <td>{fmt.dateTime(r.createdAt)}</td>
                  <td>
                    <Badge tone={REFUND_TONE[r.state]}>{t(`refunds.states.${r.state}`)}</Badge>
                    {r.failure && (
                      <span className="muted">
                        {' '}
                        {r.failure.code !== 'returned' && r.failure.code !== r.failure.message ? `${r.failure.code}: ` : ''}
                        {r.failure.message}
                      </span>
                    )}
                    {r.bankCharges && (
                      <span className="muted">
                        {' '}
                        ({t('refunds.bankCharges')} {fmt.money(r.bankCharges, tx.currency)})
                      </span>
                    )}
                  </td>
                  <td>
                    {r.creditor ? (
                      <>
                        {r.creditor.name} <span className="mono">{r.creditor.iban}</span>
                      </>
                    ) : (
                      <span className="mono">{r.stripeRefundId ?? 'Stripe'}</span>
                    )}
                    {r.creditTransfer && (
                      <>
                        {' '}
                        <Link href={`/admin/payments/credit-transfers/${r.creditTransfer.batchId}`} className="mono">
                          {r.creditTransfer.endToEndId}
                        </Link>
                      </>
                    )}
                  </td>
                  <td>{r.reason}</td>
                  <td className="num">{fmt.money(r.amount, tx.currency)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
      {canWrite && tx.state === 'succeeded' && left.gt(0) && (
        <Section title={t('refunds.refundTitle')} id="refund">
          <p className="muted">{t(tx.method === 'card' ? 'refunds.cardHint' : 'refunds.transferHint')}</p>
          <ActionForm action={refundTransaction.bind(null, tx.id)} aria-label={t('refunds.refund')}>
            <Field
              name="amount"
              label={t('payments.amount')}
              hint={t('refunds.amountHint', { amount: left.toFixed(2) })}
              inputMode="decimal"
            />
            <Field name="reason" label={t('refunds.reason')} />
            {tx.method !== 'card' && (
              <>
                <Field name="iban" label={t('refunds.iban')} hint={t('refunds.ibanHint')} />
                <Field name="name" label={t('refunds.name')} />
              </>
            )}
            <div className="form-actions">
              <SubmitButton>{t('refunds.refund')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
      {canWrite && returnable.length > 0 && (
        <Section title={t('refunds.returnTitle')} id="return">
          <p className="muted">{t('refunds.returnHint')}</p>
          <ActionForm action={recordRefundReturn.bind(null, tx.id)} aria-label={t('refunds.recordReturn')}>
            <SelectField
              name="refundId"
              label={t('refunds.returnRefund')}
              required
              options={returnable.map((r) => ({
                value: r.id,
                label: `${fmt.money(r.amount, tx.currency)} — ${r.creditor!.name} ${r.creditTransfer?.endToEndId ?? r.id}`,
              }))}
            />
            <Field name="reason" label={t('refunds.returnReason')} required />
            <Field name="code" label={t('refunds.returnCode')} hint={t('refunds.returnCodeHint')} />
            <Field name="bankCharges" label={t('refunds.bankCharges')} inputMode="decimal" />
            <div className="form-actions">
              <SubmitButton>{t('refunds.recordReturn')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
    </>
  );
}
