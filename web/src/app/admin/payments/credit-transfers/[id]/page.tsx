import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { PaymentFileBatch } from '@/components/payment-file-batch';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { cancelCreditTransfer, markCreditTransferExecuted } from '@/server/actions/refunds';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { CreditTransferBatch } from '@consort/shared/payments/model';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('refunds.creditTransferTitle') };
}

/** Staff: one credit-transfer batch — its refunds, the pain.001 file to download, "mark executed" or "cancel". */
export default async function CreditTransferPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [batch, canWrite] = await Promise.all([
    apiGet<CreditTransferBatch>(`/v1/payments/sepa/credit-transfers/${encodeURIComponent(id)}`),
    can('payments:write'),
  ]);
  return (
    <PaymentFileBatch
      batch={batch}
      title={t('refunds.creditTransferTitle')}
      description={t('refunds.creditTransferDescription')}
      message="pain.001.001"
      facts={[[t('refunds.executionDate'), fmt.day(batch.executionDate)]]}
      countLabel={t('refunds.transfers')}
      download={{ href: `/admin/payments/credit-transfers/${encodeURIComponent(batch.id)}/file`, label: t('refunds.download') }}
      {...(canWrite
        ? {
            markExecuted: markCreditTransferExecuted.bind(null, batch.id),
            cancel: {
              action: cancelCreditTransfer.bind(null, batch.id),
              label: t('refunds.cancelBatch'),
              reasonLabel: t('refunds.cancelReason'),
              hint: t('refunds.cancelHint'),
            },
          }
        : {})}
      items={{
        title: t('refunds.transfers'),
        id: 'transfers',
        columns: [
          { header: t('refunds.creditor'), cell: (item) => <Link href={`/admin/accounts/${item.accountId}`}>{item.creditorName}</Link> },
          { header: t('sepa.iban'), cell: (item) => item.iban, className: 'mono' },
          { header: t('sepa.endToEndId'), cell: (item) => item.endToEndId, className: 'mono' },
          {
            header: t('refunds.transactionTitle'),
            cell: (item) => (
              <Link href={`/admin/payments/transactions/${item.transactionId}`} className="mono">
                {item.transactionId}
              </Link>
            ),
          },
          { header: t('sepa.amount'), cell: (item) => fmt.money(item.amount, 'EUR'), numeric: true },
        ],
      }}
    />
  );
}
