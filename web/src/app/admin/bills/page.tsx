import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { BillBulkForm } from '@/components/bill-bulk-form';
import { BILL_STATES, BILL_TYPES, billReference, BillStateBadge, isOverdue } from '@/components/bill-state';
import { Badge, EmptyState, Notice, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { Account, BillState, BillSummary, BillType, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('bills.listTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

export default async function BillsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const params = await searchParams;
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const filters = {
    type: BILL_TYPES.find((v) => v === one(params.type)) as BillType | undefined,
    state: BILL_STATES.find((v) => v === one(params.state)) as BillState | undefined,
    accountId: one(params.accountId),
    from: DAY.test(one(params.from) ?? '') ? one(params.from) : undefined,
    to: DAY.test(one(params.to) ?? '') ? one(params.to) : undefined,
    overdue: one(params.overdue) === 'true' ? 'true' : undefined,
    number: one(params.number)?.trim() || undefined,
  };
  const cursor = one(params.cursor);
  const [bills, accounts] = await Promise.all([
    apiGet<Page<BillSummary>>('/v1/bills', { ...filters, cursor, limit: 50 }),
    has('accounts:read') ? apiGet<Page<Account>>('/v1/accounts', { limit: 200 }) : undefined,
  ]);
  const accountName = new Map((accounts?.items ?? []).map((a) => [a.id, a.name]));
  const filtered = Object.values(filters).some(Boolean);
  const canWrite = has('bills:write');
  const today = fmt.today();
  const done = one(params.done) === 'deleted';

  const table = (
    <Table caption={t('bills.listCaption')}>
      <thead>
        <tr>
          {canWrite && (
            <th scope="col">
              <span className="visually-hidden">{t('bills.select')}</span>
            </th>
          )}
          <th scope="col">{t('bills.reference')}</th>
          <th scope="col">{t('bills.type')}</th>
          <th scope="col">{t('bills.state')}</th>
          <th scope="col">{t('bills.account')}</th>
          <th scope="col">{t('bills.issuedOn')}</th>
          <th scope="col">{t('bills.dueOn')}</th>
          <th scope="col" className="num">
            {t('bills.total')}
          </th>
        </tr>
      </thead>
      <tbody>
        {bills.items.map((bill) => {
          const reference = billReference(t, bill);
          return (
            <tr key={bill.id}>
              {canWrite && (
                <td>
                  <input type="checkbox" name="billId" value={bill.id} aria-label={t('bills.selectBill', { reference })} />
                </td>
              )}
              <th scope="row">
                <Link href={`/admin/bills/${bill.id}`} className={bill.number ? 'mono' : undefined}>
                  {reference}
                </Link>
              </th>
              <td>{t(`bills.types.${bill.type}`)}</td>
              <td>
                <BillStateBadge state={bill.state} />
              </td>
              <td>
                <Link href={`/admin/accounts/${bill.accountId}`}>{accountName.get(bill.accountId) ?? bill.accountId}</Link>
              </td>
              <td>{fmt.day(bill.issuedOn)}</td>
              <td>
                {fmt.day(bill.dueOn)} {isOverdue(bill, today) && <Badge tone="danger">{t('bills.overdue')}</Badge>}
              </td>
              <td className="num">{fmt.money(bill.totals.total, bill.currency)}</td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );

  return (
    <>
      <PageHeader title={t('bills.listTitle')} description={t('bills.listDescription')} />
      {done && (
        <Notice tone="success" role="status">
          <p>{t('bills.deleted')}</p>
        </Notice>
      )}
      <Section title={t('bills.filtersTitle')} id="filters">
        <form method="get" className="form" aria-label={t('bills.filtersTitle')}>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="bill-number">{t('bills.searchNumber')}</label>
              <input id="bill-number" name="number" defaultValue={filters.number ?? ''} placeholder="I2026-0001" />
            </div>
            <div className="field">
              <label htmlFor="bill-type">{t('bills.type')}</label>
              <select id="bill-type" name="type" defaultValue={filters.type ?? ''}>
                <option value="">{t('bills.allTypes')}</option>
                {BILL_TYPES.map((type) => (
                  <option key={type} value={type}>
                    {t(`bills.types.${type}`)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="bill-state">{t('bills.state')}</label>
              <select id="bill-state" name="state" defaultValue={filters.state ?? ''}>
                <option value="">{t('bills.allStates')}</option>
                {BILL_STATES.map((state) => (
                  <option key={state} value={state}>
                    {t(`bills.states.${state}`)}
                  </option>
                ))}
              </select>
            </div>
            {accounts && (
              <div className="field">
                <label htmlFor="bill-account">{t('bills.account')}</label>
                <select id="bill-account" name="accountId" defaultValue={filters.accountId ?? ''}>
                  <option value="">{t('bills.allAccounts')}</option>
                  {accounts.items.map((a) => (
                    <option key={a.id} value={a.id}>
                      {a.name}
                    </option>
                  ))}
                </select>
              </div>
            )}
            <div className="field">
              <label htmlFor="bill-from">{t('bills.issuedFrom')}</label>
              <input id="bill-from" type="date" name="from" defaultValue={filters.from ?? ''} />
            </div>
            <div className="field">
              <label htmlFor="bill-to">{t('bills.issuedTo')}</label>
              <input id="bill-to" type="date" name="to" defaultValue={filters.to ?? ''} />
            </div>
            <div className="field field-check">
              <input id="bill-overdue" type="checkbox" name="overdue" value="true" defaultChecked={!!filters.overdue} />
              <label htmlFor="bill-overdue">{t('bills.onlyOverdue')}</label>
            </div>
          </div>
          {filters.number && <p className="field-hint">{t('bills.numberHint')}</p>}
          <div className="form-actions">
            <button type="submit" className="button button-secondary">
              {t('common.filter')}
            </button>
            {filtered && <Link href="/admin/bills">{t('common.clear')}</Link>}
          </div>
        </form>
      </Section>
      <Section title={t('bills.listCaption')} id="bills">
        {bills.items.length === 0 ? (
          <EmptyState>{filtered ? t('bills.emptyFiltered') : t('bills.empty')}</EmptyState>
        ) : canWrite ? (
          <BillBulkForm
            labels={{
              form: t('bills.bulk.form'),
              close: t('bills.bulk.close'),
              send: t('bills.bulk.send'),
              closeSendDownload: t('bills.bulk.closeSendDownload'),
              markPaid: t('bills.bulk.markPaid'),
              download: t('bills.bulk.download'),
              resultsTitle: t('bills.bulk.resultsTitle'),
              bill: t('bills.reference'),
              outcome: t('bills.bulk.outcome'),
              ok: t('bills.bulk.ok'),
              failed: t('bills.bulk.failed'),
              downloadZip: t('bills.bulk.downloadZip'),
              selectAll: t('bills.bulk.selectAll'),
              confirmClose: t('bills.bulk.confirmClose'),
            }}
          >
            {table}
          </BillBulkForm>
        ) : (
          table
        )}
        <Pager
          basePath="/admin/bills"
          query={Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as Record<string, string>}
          nextCursor={bills.nextCursor}
          hasCursor={!!cursor}
        />
      </Section>
    </>
  );
}
