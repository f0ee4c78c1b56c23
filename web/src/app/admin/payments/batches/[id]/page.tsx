import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { Link } from '@/components/link';
import { Badge, DescriptionList, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { markSepaBatchExecuted } from '@/server/actions/sepa';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { SepaBatch } from '@consort/shared/payments/batches';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('sepa.batchTitle') };
}

/** Staff: one batch — its collections, the file to download, "mark executed". */
export default async function SepaBatchPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [batch, canWrite] = await Promise.all([
    apiGet<SepaBatch>(`/v1/payments/sepa/batches/${encodeURIComponent(id)}`),
    can('payments:write'),
  ]);
  return (
    <>
      <PageHeader title={`${t('sepa.batchTitle')} ${batch.messageId}`} description={t('sepa.batchDescription')} />
      <Section title={t('sepa.summary')} id="summary">
        <DescriptionList
          items={[
            [t('sepa.state'), <Badge tone={batch.state === 'executed' ? 'success' : 'info'}>{t(`sepa.states.${batch.state}`)}</Badge>],
            [t('sepa.created'), fmt.dateTime(batch.createdAt)],
            [t('sepa.painVersion'), `pain.008.001.${batch.painVersion}`],
            [t('sepa.count'), fmt.number(batch.count)],
            [t('sepa.total'), fmt.money(batch.controlSum, 'EUR')],
            ['SHA-256', <span className="mono">{batch.file.sha256}</span>],
            ...(batch.executedAt ? ([[t('sepa.executedAt'), fmt.dateTime(batch.executedAt)]] as [string, React.ReactNode][]) : []),
          ]}
        />
        <p className="form-actions">
          <a className="button button-secondary" href={`/admin/payments/batches/${encodeURIComponent(batch.id)}/file`} download>
            {t('sepa.download')}
          </a>
          {canWrite && batch.state === 'generated' && (
            <ActionButton action={markSepaBatchExecuted.bind(null, batch.id)} variant="primary" label={t('sepa.markExecuted')} />
          )}
        </p>
      </Section>
      <Section title={t('sepa.collections')} id="collections">
        <Table caption={t('sepa.collections')}>
          <thead>
            <tr>
              <th scope="col">{t('sepa.debtor')}</th>
              <th scope="col">{t('sepa.mandate')}</th>
              <th scope="col">{t('sepa.endToEndId')}</th>
              <th scope="col">{t('sepa.sequence')}</th>
              <th scope="col">{t('sepa.collectionDate')}</th>
              <th scope="col">{t('sepa.bills')}</th>
              <th scope="col" className="num">
                {t('sepa.amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {batch.items.map((item) => (
              <tr key={item.endToEndId}>
                <td>
                  <Link href={`/admin/accounts/${item.accountId}`}>{item.debtorName}</Link>
                </td>
                <td className="mono">{item.mandateReference}</td>
                <td className="mono">{item.endToEndId}</td>
                <td>{item.sequenceType}</td>
                <td>{fmt.day(item.collectionDate)}</td>
                <td>
                  {item.billIds.map((billId) => (
                    <Link key={billId} href={`/admin/bills/${billId}`} className="mono">
                      {billId}{' '}
                    </Link>
                  ))}
                </td>
                <td className="num">{fmt.money(item.amount, 'EUR')}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    </>
  );
}
