// A bill's lines and its totals by tax rate (staff and member portal). Amounts are the API's decimal strings,
// formatted exactly (`fmt.money`), never added up here: the API's totals are the bill's.
import { Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { getFormat } from '@/server/format';
import type { Bill, BillLine } from '@/server/types';

export async function BillLinesTable({
  bill,
  caption,
  actions,
  explain = true,
}: {
  bill: Pick<Bill, 'lines' | 'currency'>;
  caption: string;
  /** Show the engine's (English) explanation of each line: staff only. */
  explain?: boolean;
  /** Controls per line (open bills in the staff portal). */
  actions?: (line: BillLine) => React.ReactNode;
}) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const money = (amount: string) => fmt.money(amount, bill.currency);
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">{t('bills.lineDescription')}</th>
          <th scope="col" className="num">
            {t('bills.quantity')}
          </th>
          <th scope="col" className="num">
            {t('bills.unitPrice')}
          </th>
          <th scope="col" className="num">
            {t('bills.discounts')}
          </th>
          <th scope="col" className="num">
            {t('bills.lineTotal')}
          </th>
          <th scope="col">{t('bills.tax')}</th>
          {actions && <th scope="col">{t('common.actions')}</th>}
        </tr>
      </thead>
      <tbody>
        {bill.lines.map((line) => (
          <tr key={line.id}>
            <th scope="row">
              {line.description}
              {(line.periodStart || line.periodEnd) && (
                <div className="muted">{t('bills.period', { from: fmt.day(line.periodStart), to: fmt.day(line.periodEnd) })}</div>
              )}
              {explain && line.explanation && (
                <details className="explanation">
                  <summary>{t('bills.explanation')}</summary>
                  <p>{line.explanation}</p>
                </details>
              )}
            </th>
            <td className="num">{fmt.decimal(line.quantity)}</td>
            <td className="num">{money(line.unitPrice)}</td>
            <td className="num">
              {line.discounts?.length
                ? line.discounts.map((d, i) => (
                    <div key={i} title={d.explanation}>
                      {d.reason}: {money(d.amount)}
                    </div>
                  ))
                : '—'}
            </td>
            <td className="num">{money(line.total)}</td>
            <td>
              {fmt.decimal(line.tax.rate)} % <span className="muted">({line.tax.code})</span>
            </td>
            {actions && <td>{actions(line)}</td>}
          </tr>
        ))}
      </tbody>
    </Table>
  );
}

/** Base and tax per rate (rounded once per rate, as the API computed them), then the bill's totals. */
export async function BillTotals({ bill, caption }: { bill: Pick<Bill, 'totals' | 'currency'>; caption: string }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const money = (amount: string) => fmt.money(amount, bill.currency);
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">{t('bills.taxRate')}</th>
          <th scope="col" className="num">
            {t('bills.base')}
          </th>
          <th scope="col" className="num">
            {t('bills.tax')}
          </th>
        </tr>
      </thead>
      <tbody>
        {bill.totals.taxes.map((tax) => (
          <tr key={`${tax.code}-${tax.rate}-${tax.mention ?? ''}`}>
            <th scope="row">
              {fmt.decimal(tax.rate)} % <span className="muted">({tax.code})</span>
              {tax.mention && <div className="muted">{tax.mention}</div>}
            </th>
            <td className="num">{money(tax.base)}</td>
            <td className="num">{money(tax.tax)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th scope="row">{t('bills.totalBase')}</th>
          <td className="num">{money(bill.totals.base)}</td>
          <td className="num">{money(bill.totals.tax)}</td>
        </tr>
        <tr>
          <th scope="row">{t('bills.total')}</th>
          <td className="num" colSpan={2}>
            <strong>{money(bill.totals.total)}</strong>
          </td>
        </tr>
      </tfoot>
    </Table>
  );
}
