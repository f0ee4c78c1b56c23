import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { BillLinesTable, BillTotals } from '@/components/bill-lines';
import { BillPaySlot } from '@/components/bill-pay-slot';
import { BillStateBadge, billTitle, isOverdue } from '@/components/bill-state';
import { Badge, DescriptionList, PageHeader, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import type { Bill } from '@/server/types';

type Params = Promise<{ id: string }>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const { t } = await getI18n();
  return { title: billTitle(t, await apiGet<Bill>(`/v1/bills/${encodeURIComponent(id)}`)) };
}

/** One of the customer's issued bills (another account's, or a draft, is not found: the API decides). */
export default async function PortalBillPage({ params }: { params: Params }) {
  const { id } = await params;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const bill = await apiGet<Bill>(`/v1/bills/${encodeURIComponent(id)}`);
  return (
    <>
      <p className="breadcrumb">
        <Link href="/portal/bills">← {t('bills.portalTitle')}</Link>
      </p>
      <PageHeader
        title={billTitle(t, bill)}
        actions={
          <>
            <BillStateBadge state={bill.state} /> {isOverdue(bill, fmt.today()) && <Badge tone="danger">{t('bills.overdue')}</Badge>}
          </>
        }
      />
      <Section title={t('bills.detailsTitle')} id="details">
        <DescriptionList
          items={
            [
              [t('bills.number'), bill.number ? <span className="mono">{bill.number}</span> : undefined],
              [t('bills.issuedOn'), fmt.day(bill.issuedOn)],
              [t('bills.dueOn'), fmt.day(bill.dueOn)],
              [t('bills.total'), fmt.money(bill.totals.total, bill.currency)],
              [t('bills.amendsBill', { number: bill.amends?.number ?? '', date: fmt.day(bill.amends?.issuedOn) }), bill.amends?.cause],
            ].filter(([, v]) => v !== undefined) as [string, React.ReactNode][]
          }
        />
        <p className="form-actions">
          <a className="button button-secondary" href={`/portal/bills/${encodeURIComponent(bill.id)}/pdf`} download>
            {t('bills.downloadPdf')}
          </a>
          <BillPaySlot bill={bill} />
        </p>
      </Section>
      <Section title={t('bills.linesTitle')} id="lines">
        <BillLinesTable bill={bill} caption={t('bills.linesTitle')} explain={false} />
      </Section>
      <Section title={t('bills.totalsTitle')} id="totals">
        <BillTotals bill={bill} caption={t('bills.totalsTitle')} />
      </Section>
    </>
  );
}
