// The "Bills" section of an account's staff page: its latest bills, a link to all of them, and "New bill".
import { Link } from '@/components/link';
import { billReference, BillStateBadge, isOverdue } from '@/components/bill-state';
import { ActionForm, SelectField, SubmitButton } from '@/components/form';
import { Badge, EmptyState, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { createBill } from '@/server/actions/bills';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { BillSummary, Page } from '@/server/types';

/** Bills shown on the account page (the rest are one link away). */
const SHOWN = 20;

export async function AccountBills({ accountId }: { accountId: string }) {
  const me = await getMe();
  if (!me.permissions.includes('bills:read')) return null;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const bills = await apiGet<Page<BillSummary>>('/v1/bills', { accountId, limit: SHOWN });
  const today = fmt.today();
  const all = `/admin/bills?accountId=${encodeURIComponent(accountId)}`;
  return (
    <Section
      title={t('bills.accountTitle')}
      id="bills"
      actions={
        <Link href={all} className="button button-secondary button-small">
          {t('bills.allOfAccount')}
        </Link>
      }
    >
      {bills.items.length === 0 ? (
        <EmptyState>{t('bills.accountEmpty')}</EmptyState>
      ) : (
        <Table caption={t('bills.accountTitle')}>
          <thead>
            <tr>
              <th scope="col">{t('bills.reference')}</th>
              <th scope="col">{t('bills.type')}</th>
              <th scope="col">{t('bills.state')}</th>
              <th scope="col">{t('bills.issuedOn')}</th>
              <th scope="col">{t('bills.dueOn')}</th>
              <th scope="col" className="num">
                {t('bills.total')}
              </th>
            </tr>
          </thead>
          <tbody>
            {bills.items.map((bill) => (
              <tr key={bill.id}>
                <th scope="row">
                  <Link href={`/admin/bills/${bill.id}`}>{billReference(t, bill)}</Link>
                </th>
                <td>{t(`bills.types.${bill.type}`)}</td>
                <td>
                  <BillStateBadge state={bill.state} />
                </td>
                <td>{fmt.day(bill.issuedOn)}</td>
                <td>
                  {fmt.day(bill.dueOn)} {isOverdue(bill, today) && <Badge tone="danger">{t('bills.overdue')}</Badge>}
                </td>
                <td className="num">{fmt.money(bill.totals.total, bill.currency)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      {bills.nextCursor && (
        <p>
          <Link href={all}>{t('bills.allOfAccount')}</Link>
        </p>
      )}
      {me.permissions.includes('bills:write') && (
        <ActionForm action={createBill} aria-label={t('bills.newBill')}>
          <input type="hidden" name="accountId" value={accountId} />
          <div className="form-row">
            <SelectField
              name="type"
              label={t('bills.newBillType')}
              defaultValue="invoice"
              options={(['invoice', 'fee', 'quote'] as const).map((type) => ({ value: type, label: t(`bills.types.${type}`) }))}
            />
            <div>
              <SubmitButton variant="secondary">{t('bills.newBill')}</SubmitButton>
            </div>
          </div>
        </ActionForm>
      )}
    </Section>
  );
}
