import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { Link } from '@/components/link';
import { Badge, DescriptionList, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { markCreditTransferExecuted } from '@/server/actions/refunds';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { CreditTransferBatch } from '@consort/shared/payments/model';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('refunds.creditTransferTitle') };
}

/** Staff: one credit-transfer batch — its refunds, the pain.001 file to download, "mark executed". */
export default async function CreditTransferPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [batch, canWrite] = await Promise.all([
    apiGet<CreditTransferBatch>(`/v1/payments/sepa/credit-transfers/${encodeURIComponent(id)}`),
    can('payments:write'),
  ]);
  return (
    <>
      <PageHeader title={`${t('refunds.creditTransferTitle')} ${batch.messageId}`} description={t('refunds.creditTransferDescription')} />
      <Section title={t('sepa.summary')} id="summary">
        <DescriptionList
          items={[
            [t('sepa.state'), <Badge tone={batch.state === 'executed' ? 'success' : 'info'}>{t(`sepa.states.${batch.state}`)}</Badge>],
            [t('sepa.created'), fmt.dateTime(batch.createdAt)],
            [t('refunds.executionDate'), fmt.day(batch.executionDate)],
            [t('sepa.painVersion'), `pain.001.001.${batch.painVersion}`],
            [t('refunds.transfers'), fmt.number(batch.count)],
            [t('sepa.total'), fmt.money(batch.controlSum, 'EUR')],
            ['SHA-256', <span className="mono">{batch.file.sha256}</span>],
            ...(batch.executedAt ? ([[t('sepa.executedAt'), fmt.dateTime(batch.executedAt)]] as [string, React.ReactNode][]) : []),
          ]}
        />
        <p className="form-actions">
          <a className="button button-secondary" href={`/admin/payments/credit-transfers/${encodeURIComponent(batch.id)}/file`} download>
            {t('refunds.download')}
          </a>
          {canWrite && batch.state === 'generated' && (
            <ActionButton action={markCreditTransferExecuted.bind(null, batch.id)} variant="primary" label={t('sepa.markExecuted')} />
          )}
        </p>
      </Section>
      <Section title={t('refunds.transfers')} id="transfers">
        <Table caption={t('refunds.transfers')}>
          <thead>
            <tr>
              <th scope="col">{t('refunds.creditor')}</th>
              <th scope="col">{t('sepa.iban')}</th>
              <th scope="col">{t('sepa.endToEndId')}</th>
              <th scope="col">{t('refunds.transactionTitle')}</th>
              <th scope="col" className="num">
                {t('sepa.amount')}
              </th>
            </tr>
          </thead>
          <tbody>
            {batch.items.map((item) => (
              <tr key={item.endToEndId}>
                <td>
                  <Link href={`/admin/accounts/${item.accountId}`}>{item.creditorName}</Link>
                </td>
                <td className="mono">{item.iban}</td>
                <td className="mono">{item.endToEndId}</td>
                <td>
                  <Link href={`/admin/payments/transactions/${item.transactionId}`} className="mono">
                    {item.transactionId}
                  </Link>
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
