import type { Metadata } from 'next';
import { BankImportForm } from '@/components/bank-import-form';
import { EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { can } from '@/server/queries';
import type { ImportResult } from '@consort/shared/payments/bank-returns';
import type { Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('sepa.importsTitle') };
}

/** Staff: upload a bank file (pain.002, camt.054, camt.053), preview its matches, apply it; earlier imports below. */
export default async function BankImportsPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [page, canWrite] = await Promise.all([
    apiGet<Page<Omit<ImportResult, 'lines'>>>('/v1/payments/sepa/imports', { limit: 50 }),
    can('payments:write'),
  ]);
  return (
    <>
      <PageHeader title={t('sepa.importsTitle')} description={t('sepa.importsDescription')} />
      {canWrite && (
        <Section title={t('sepa.importTitle')} id="import">
          <BankImportForm
            labels={{
              file: t('sepa.file'),
              fileHint: t('sepa.fileHint'),
              content: t('sepa.content'),
              preview: t('sepa.preview'),
              apply: t('sepa.apply'),
              errorTitle: t('sepa.importError'),
              previewTitle: t('sepa.previewTitle'),
              appliedTitle: t('sepa.appliedTitle'),
              alreadyImported: t('sepa.alreadyImported'),
              summary: t('sepa.importSummary'),
              entry: t('sepa.entry'),
              outcome: t('sepa.outcome'),
              reason: t('sepa.reason'),
              amount: t('sepa.amount'),
              match: t('sepa.match'),
              action: t('sepa.action'),
              mandate: t('sepa.mandate'),
              unmatched: t('sepa.unmatched'),
              refund: t('sepa.refundMatch'),
              actions: {
                none: t('sepa.actions.none'),
                fail: t('sepa.actions.fail'),
                succeed: t('sepa.actions.succeed'),
                return: t('sepa.actions.return'),
                requeue: t('sepa.actions.requeue'),
              },
            }}
          />
        </Section>
      )}
      <Section title={t('sepa.importsTitle')} id="imports">
        {page.items.length === 0 ? (
          <EmptyState>{t('sepa.noImports')}</EmptyState>
        ) : (
          <Table caption={t('sepa.importsTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('sepa.importedAt')}</th>
                <th scope="col">{t('sepa.format')}</th>
                <th scope="col">{t('sepa.messageId')}</th>
                <th scope="col" className="num">
                  {t('sepa.matched')}
                </th>
                <th scope="col" className="num">
                  {t('sepa.unmatched')}
                </th>
                <th scope="col" className="num">
                  {t('sepa.changes')}
                </th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((i) => (
                <tr key={i.sha256}>
                  <td>{fmt.dateTime(i.importedAt)}</td>
                  <td>{i.format}</td>
                  <td className="mono">{i.messageId}</td>
                  <td className="num">{fmt.number(i.summary.matched)}</td>
                  <td className="num">{fmt.number(i.summary.unmatched)}</td>
                  <td className="num">{fmt.number(i.summary.changes)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
