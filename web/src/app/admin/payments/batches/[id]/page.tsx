import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { PaymentFileBatch } from '@/components/payment-file-batch';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { cancelSepaBatch, markSepaBatchExecuted } from '@/server/actions/sepa';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { SepaBatch } from '@consort/shared/payments/batches';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('sepa.batchTitle') };
}

/** Staff: one batch — its collections, the file to download, "mark executed" or "cancel". */
export default async function SepaBatchPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [batch, canWrite] = await Promise.all([
    apiGet<SepaBatch>(`/v1/payments/sepa/batches/${encodeURIComponent(id)}`),
    can('payments:write'),
  ]);
  return (
    <PaymentFileBatch
      batch={batch}
      title={t('sepa.batchTitle')}
      description={t('sepa.batchDescription')}
      message="pain.008.001"
      countLabel={t('sepa.count')}
      download={{ href: `/admin/payments/batches/${encodeURIComponent(batch.id)}/file`, label: t('sepa.download') }}
      {...(canWrite
        ? {
            markExecuted: markSepaBatchExecuted.bind(null, batch.id),
            cancel: {
              action: cancelSepaBatch.bind(null, batch.id),
              label: t('sepa.cancelBatch'),
              reasonLabel: t('sepa.cancelBatchReason'),
              hint: t('sepa.cancelBatchHint'),
            },
          }
        : {})}
      items={{
        title: t('sepa.collections'),
        id: 'collections',
        columns: [
          { header: t('sepa.debtor'), cell: (item) => <Link href={`/admin/accounts/${item.accountId}`}>{item.debtorName}</Link> },
          { header: t('sepa.mandate'), cell: (item) => item.mandateReference, className: 'mono' },
          { header: t('sepa.endToEndId'), cell: (item) => item.endToEndId, className: 'mono' },
          { header: t('sepa.sequence'), cell: (item) => item.sequenceType },
          { header: t('sepa.collectionDate'), cell: (item) => fmt.day(item.collectionDate) },
          {
            header: t('sepa.bills'),
            cell: (item) =>
              item.billIds.map((billId) => (
                <Link key={billId} href={`/admin/bills/${billId}`} className="mono">
                  {billId}{' '}
                </Link>
              )),
          },
          { header: t('sepa.amount'), cell: (item) => fmt.money(item.amount, 'EUR'), numeric: true },
        ],
      }}
    />
  );
}
