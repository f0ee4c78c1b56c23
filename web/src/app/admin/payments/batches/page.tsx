import type { Metadata } from 'next';
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { Link } from '@/components/link';
import { BATCH_STATE_TONE } from '@/components/payment-file-batch';
import { Badge, DescriptionList, EmptyState, Notice, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { createCreditTransfer } from '@/server/actions/refunds';
import { createSepaBatch } from '@/server/actions/sepa';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { SepaBatchSummary } from '@consort/shared/payments/batches';
import type { SepaSettings } from '@consort/shared/payments/mandates';
import type { CreditTransferBatch, Refund } from '@consort/shared/payments/model';
import type { Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('sepa.batchesTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Staff: SEPA direct debit batches, newest first, and the button that collects what is owed. */
export default async function SepaBatchesPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const { cursor: rawCursor } = await searchParams;
  const cursor = (Array.isArray(rawCursor) ? rawCursor[0] : rawCursor) || undefined;
  const [page, settings, canWrite, waiting, transfers] = await Promise.all([
    apiGet<Page<SepaBatchSummary>>('/v1/payments/sepa/batches', { cursor, limit: 50 }),
    apiGet<SepaSettings | { configured: false }>('/v1/payments/sepa/settings'),
    can('payments:write'),
    apiGet<{ items: { transactionId: string; accountId: string; refund: Refund }[] }>('/v1/payments/sepa/refunds'),
    apiGet<Page<Omit<CreditTransferBatch, 'items'>>>('/v1/payments/sepa/credit-transfers', { limit: 20 }),
  ]);
  const configured = 'creditorId' in settings;
  return (
    <>
      <PageHeader title={t('sepa.batchesTitle')} description={t('sepa.batchesDescription')} />
      <Section title={t('sepa.settingsTitle')} id="settings">
        {configured ? (
          <DescriptionList
            items={[
              [t('sepa.creditorId'), <span className="mono">{settings.creditorId}</span>],
              [t('sepa.creditorName'), settings.creditorName],
              [t('sepa.iban'), <span className="mono">{settings.iban}</span>],
              [t('sepa.painVersion'), `pain.008.001.${settings.painVersion}`],
              [t('sepa.leadDays'), String(settings.leadDays)],
            ]}
          />
        ) : (
          <Notice tone="warning">
            <p className="notice-title">{t('sepa.notConfigured')}</p>
            <p>{t('sepa.notConfiguredText')}</p>
          </Notice>
        )}
      </Section>
      {canWrite && configured && (
        <Section title={t('sepa.createTitle')} id="create">
          <ActionForm action={createSepaBatch} aria-label={t('sepa.create')}>
            <Field name="collectionDate" type="date" label={t('sepa.collectionDate')} hint={t('sepa.collectionDateHint')} />
            <div className="form-actions">
              <SubmitButton>{t('sepa.create')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
      <Section title={t('sepa.batchesTitle')} id="batches">
        {page.items.length === 0 ? (
          <EmptyState>{t('sepa.noBatches')}</EmptyState>
        ) : (
          <Table caption={t('sepa.batchesTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('sepa.created')}</th>
                <th scope="col">{t('sepa.messageId')}</th>
                <th scope="col" className="num">
                  {t('sepa.count')}
                </th>
                <th scope="col" className="num">
                  {t('sepa.total')}
                </th>
                <th scope="col">{t('sepa.state')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((b) => (
                <tr key={b.id}>
                  <td>{fmt.dateTime(b.createdAt)}</td>
                  <td>
                    <Link href={`/admin/payments/batches/${b.id}`} className="mono">
                      {b.messageId}
                    </Link>
                  </td>
                  <td className="num">{fmt.number(b.count)}</td>
                  <td className="num">{fmt.money(b.controlSum, 'EUR')}</td>
                  <td>
                    <Badge tone={BATCH_STATE_TONE[b.state]}>{t(`sepa.states.${b.state}`)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/payments/batches" nextCursor={page.nextCursor} hasCursor={!!cursor} />
      </Section>
      <Section title={t('refunds.creditTransfersTitle')} id="credit-transfers">
        <p className="muted">{t('refunds.creditTransfersDescription')}</p>
        <h3>{t('refunds.waiting')}</h3>
        {waiting.items.length === 0 ? (
          <EmptyState>{t('refunds.noWaiting')}</EmptyState>
        ) : (
          <Table caption={t('refunds.waiting')}>
            <thead>
              <tr>
                <th scope="col">{t('refunds.created')}</th>
                <th scope="col">{t('refunds.creditor')}</th>
                <th scope="col">{t('refunds.transactionTitle')}</th>
                <th scope="col" className="num">
                  {t('sepa.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {waiting.items.map((w) => (
                <tr key={w.refund.id}>
                  <td>{fmt.dateTime(w.refund.createdAt)}</td>
                  <td>
                    {w.refund.creditor?.name} <span className="mono">{w.refund.creditor?.iban}</span>
                  </td>
                  <td>
                    <Link href={`/admin/payments/transactions/${w.transactionId}`} className="mono">
                      {w.transactionId}
                    </Link>
                  </td>
                  <td className="num">{fmt.money(w.refund.amount, 'EUR')}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        {canWrite && configured && waiting.items.length > 0 && (
          <ActionForm action={createCreditTransfer} aria-label={t('refunds.createCreditTransfer')}>
            <Field name="executionDate" type="date" label={t('refunds.executionDate')} hint={t('refunds.executionDateHint')} />
            <div className="form-actions">
              <SubmitButton>{t('refunds.createCreditTransfer')}</SubmitButton>
            </div>
          </ActionForm>
        )}
        {transfers.items.length === 0 ? (
          <EmptyState>{t('refunds.noCreditTransfers')}</EmptyState>
        ) : (
          <Table caption={t('refunds.creditTransfersTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('sepa.created')}</th>
                <th scope="col">{t('sepa.messageId')}</th>
                <th scope="col">{t('refunds.executionDate')}</th>
                <th scope="col" className="num">
                  {t('refunds.transfers')}
                </th>
                <th scope="col" className="num">
                  {t('sepa.total')}
                </th>
                <th scope="col">{t('sepa.state')}</th>
              </tr>
            </thead>
            <tbody>
              {transfers.items.map((b) => (
                <tr key={b.id}>
                  <td>{fmt.dateTime(b.createdAt)}</td>
                  <td>
                    <Link href={`/admin/payments/credit-transfers/${b.id}`} className="mono">
                      {b.messageId}
                    </Link>
                  </td>
                  <td>{fmt.day(b.executionDate)}</td>
                  <td className="num">{fmt.number(b.count)}</td>
                  <td className="num">{fmt.money(b.controlSum, 'EUR')}</td>
                  <td>
                    <Badge tone={BATCH_STATE_TONE[b.state]}>{t(`sepa.states.${b.state}`)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
