import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { BillPaySlot } from '@/components/bill-pay-slot';
import { billReference, BillStateBadge, isOverdue } from '@/components/bill-state';
import { Badge, EmptyState, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import type { BillSummary, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('bills.portalTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** The customer's issued bills: the API answers for their own account only and never lists open bills. */
export default async function PortalBillsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const { cursor: rawCursor } = await searchParams;
  const cursor = (Array.isArray(rawCursor) ? rawCursor[0] : rawCursor) || undefined;
  const bills = await apiGet<Page<BillSummary>>('/v1/bills', { cursor, limit: 50 });
  const today = fmt.today();
  return (
    <>
      <PageHeader title={t('bills.portalTitle')} description={t('bills.portalDescription')} />
      <Section title={t('bills.portalListTitle')} id="bills">
        {bills.items.length === 0 ? (
          <EmptyState>{t('bills.portalEmpty')}</EmptyState>
        ) : (
          <Table caption={t('bills.portalListTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('bills.number')}</th>
                <th scope="col">{t('bills.type')}</th>
                <th scope="col">{t('bills.issuedOn')}</th>
                <th scope="col">{t('bills.dueOn')}</th>
                <th scope="col">{t('bills.state')}</th>
                <th scope="col" className="num">
                  {t('bills.total')}
                </th>
                <th scope="col">{t('bills.document')}</th>
              </tr>
            </thead>
            <tbody>
              {bills.items.map((bill) => {
                const reference = billReference(t, bill);
                return (
                  <tr key={bill.id}>
                    <th scope="row">
                      <Link href={`/portal/bills/${bill.id}`} className="mono">
                        {reference}
                      </Link>
                    </th>
                    <td>{t(`bills.types.${bill.type}`)}</td>
                    <td>{fmt.day(bill.issuedOn)}</td>
                    <td>
                      {fmt.day(bill.dueOn)} {isOverdue(bill, today) && <Badge tone="danger">{t('bills.overdue')}</Badge>}
                    </td>
                    <td>
                      <BillStateBadge state={bill.state} />
                    </td>
                    <td className="num">{fmt.money(bill.totals.total, bill.currency)}</td>
                    <td>
                      <a
                        href={`/portal/bills/${encodeURIComponent(bill.id)}/pdf`}
                        download
                        aria-label={t('bills.downloadNamed', { reference })}
                      >
                        {t('bills.pdf')}
                      </a>{' '}
                      <BillPaySlot bill={bill} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </Table>
        )}
        <Pager basePath="/portal/bills" nextCursor={bills.nextCursor} hasCursor={!!cursor} />
      </Section>
    </>
  );
}
