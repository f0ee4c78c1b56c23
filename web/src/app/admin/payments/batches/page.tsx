import type { Metadata } from 'next';
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { Link } from '@/components/link';
import { Badge, DescriptionList, EmptyState, Notice, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { createSepaBatch } from '@/server/actions/sepa';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { SepaBatchSummary } from '@consort/shared/payments/batches';
import type { SepaSettings } from '@consort/shared/payments/mandates';
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
  const [page, settings, canWrite] = await Promise.all([
    apiGet<Page<SepaBatchSummary>>('/v1/payments/sepa/batches', { cursor, limit: 50 }),
    apiGet<SepaSettings | { configured: false }>('/v1/payments/sepa/settings'),
    can('payments:write'),
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
                    <Badge tone={b.state === 'executed' ? 'success' : 'info'}>{t(`sepa.states.${b.state}`)}</Badge>
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/payments/batches" nextCursor={page.nextCursor} hasCursor={!!cursor} />
      </Section>
    </>
  );
}
