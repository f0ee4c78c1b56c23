// "Preview billing until [date]": a GET form (a dry run changes nothing, and the result can be bookmarked) whose
// submission makes the page ask POST /v1/billing/preview and show each proposed line with its arithmetic, the
// orders skipped and why, and the grand total. Amounts stay the API's decimal strings.
import { Link } from '@/components/link';
import { Field, FormStateProvider } from '@/components/form';
import type { FormState } from '@/components/form-state';
import { Badge, EmptyState, Notice, Section, Table } from '@/components/ui';
import { translateApiMessage } from '@/i18n';
import { getI18n } from '@/i18n/server';
import { api, ApiError } from '@/server/api';
import { getFormat } from '@/server/format';
import type { BillingPreview as Preview } from '@/server/types';

const SECTION_ID = 'billing-preview';

type Outcome = { preview: Preview } | { fieldError: string } | { error: string };

async function runPreview(accountId: string | undefined, billUntil: string): Promise<Outcome> {
  const { locale, t } = await getI18n();
  try {
    return { preview: await api<Preview>('POST', '/v1/billing/preview', { accountId, billUntil: billUntil || undefined }) };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 422) {
      const issue = error.issues.find((i) => i.path[0] === 'billUntil') ?? error.issues[0];
      return { fieldError: translateApiMessage(locale, issue?.message ?? error.message) };
    }
    if (error.status === 403) return { error: t('form.forbidden', { reason: translateApiMessage(locale, error.message) }) };
    if (error.status >= 500) return { error: t('form.unavailable') };
    return { error: translateApiMessage(locale, error.message) };
  }
}

export async function BillingPreview({
  path,
  accountId,
  billUntil,
  keep = {},
  accountName,
  orderName,
}: {
  /** The page the form returns to. */
  path: string;
  /** One account, or every account when left out. */
  accountId?: string;
  /** The submitted day (`''` = today); undefined when nothing was asked yet. */
  billUntil?: string;
  /** Query parameters of the page to keep (e.g. a filter). */
  keep?: Record<string, string | undefined>;
  /** Account names by id; an account column shows when given. */
  accountName?: ReadonlyMap<string, string>;
  /** Order descriptions by id, for the skipped orders. */
  orderName?: ReadonlyMap<string, string>;
}) {
  const { locale, t } = await getI18n();
  const fmt = await getFormat();
  const outcome = billUntil !== undefined ? await runPreview(accountId, billUntil) : undefined;
  const formState: FormState =
    outcome && 'fieldError' in outcome
      ? { status: 'error', fieldErrors: { billUntil: [outcome.fieldError] }, values: { billUntil: billUntil ?? '' } }
      : { status: 'idle' };
  const preview = outcome && 'preview' in outcome ? outcome.preview : undefined;
  const period = (start: string, end: string) =>
    start === end ? (
      <span className="nowrap">{fmt.day(start)}</span>
    ) : (
      <>
        <span className="nowrap">{fmt.day(start)}</span> – <span className="nowrap">{fmt.day(end)}</span>
      </>
    );

  return (
    <Section
      title={t('preview.title')}
      id={SECTION_ID}
      description={accountId ? t('preview.accountDescription') : t('preview.description')}
    >
      <form method="get" action={`${path}#${SECTION_ID}`} className="form" aria-label={t('preview.title')}>
        {Object.entries(keep).map(([name, value]) => value && <input key={name} type="hidden" name={name} value={value} />)}
        <FormStateProvider value={formState}>
          <div className="form-row">
            <Field
              name="billUntil"
              type="date"
              label={t('preview.billUntil')}
              hint={t('preview.billUntilHint')}
              defaultValue={billUntil || fmt.today()}
            />
            <div>
              <button type="submit" className="button button-secondary">
                {t('preview.submit')}
              </button>
            </div>
          </div>
        </FormStateProvider>
      </form>

      {outcome && 'error' in outcome && (
        <Notice tone="error" role="alert">
          <p>{outcome.error}</p>
        </Notice>
      )}

      {preview && (
        <div className="preview-result">
          <h3 className="subsection-title">{t('preview.resultTitle', { date: fmt.day(preview.billUntil) })}</h3>
          <p role="status" className="preview-summary">
            {preview.proposals.length === 0
              ? t('preview.noLines', { date: fmt.day(preview.billUntil) })
              : t('preview.summary', {
                  count: fmt.number(preview.proposals.length),
                  date: fmt.day(preview.billUntil),
                  total: fmt.money(preview.total, preview.currency),
                })}
          </p>
          {locale !== 'en' && <p className="field-hint">{t('preview.explanationsNote')}</p>}
          {preview.proposals.length > 0 && (
            <Table caption={t('preview.linesCaption', { date: fmt.day(preview.billUntil) })}>
              <thead>
                <tr>
                  <th scope="col">{t('preview.line')}</th>
                  {accountName && <th scope="col">{t('preview.account')}</th>}
                  <th scope="col">{t('preview.period')}</th>
                  <th scope="col" className="num">
                    {t('preview.size')}
                  </th>
                  <th scope="col" className="num">
                    {t('preview.quantity')}
                  </th>
                  <th scope="col" className="num">
                    {t('preview.unitPrice')}
                  </th>
                  <th scope="col">{t('preview.discounts')}</th>
                  <th scope="col" className="num">
                    {t('preview.total')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {preview.proposals.map((p, i) => (
                  <tr key={`${p.orderId}-${p.periodStart}-${p.kind}-${i}`}>
                    <th scope="row" className="preview-line">
                      <Link href={`/admin/orders/${p.orderId}`}>{p.description}</Link>{' '}
                      {p.kind !== 'charge' && <Badge tone={p.kind === 'refund' ? 'info' : 'warning'}>{t(`preview.kinds.${p.kind}`)}</Badge>}{' '}
                      {p.isFee && <Badge>{t('preview.fee')}</Badge>}
                      <p className="explanation">
                        <span className="visually-hidden">{t('preview.explanation')}: </span>
                        {p.explanation}
                      </p>
                    </th>
                    {accountName && (
                      <td>
                        {accountName.has(p.accountId) ? (
                          <Link href={`/admin/accounts/${p.accountId}`}>{accountName.get(p.accountId)}</Link>
                        ) : (
                          <span className="mono">{p.accountId}</span>
                        )}
                      </td>
                    )}
                    <td>{period(p.periodStart, p.periodEnd)}</td>
                    <td className="num">{fmt.decimal(p.size)}</td>
                    <td className="num">{fmt.decimal(p.quantity)}</td>
                    <td className="num">{fmt.money(p.unitPrice, p.currency)}</td>
                    <td>
                      {p.discounts.length === 0 ? (
                        '—'
                      ) : (
                        <ul className="plain-list">
                          {p.discounts.map((d, j) => (
                            <li key={j}>
                              <strong>{t(`preview.discountReasons.${d.reason}`)}</strong>{' '}
                              <span className="num-inline">{fmt.money(d.amount, p.currency)}</span>
                              <p className="explanation">{d.explanation}</p>
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td className="num">
                      <strong>{fmt.money(p.total, p.currency)}</strong>
                    </td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row" colSpan={accountName ? 7 : 6}>
                    {t('preview.grandTotal')}
                  </th>
                  <td className="num">
                    <strong>{fmt.money(preview.total, preview.currency)}</strong>
                  </td>
                </tr>
              </tfoot>
            </Table>
          )}

          <h3 className="subsection-title">{t('preview.skippedTitle')}</h3>
          {preview.skipped.length === 0 ? (
            <EmptyState>{t('preview.skippedEmpty')}</EmptyState>
          ) : (
            <Table caption={t('preview.skippedCaption', { date: fmt.day(preview.billUntil) })}>
              <thead>
                <tr>
                  <th scope="col">{t('preview.order')}</th>
                  <th scope="col">{t('preview.reason')}</th>
                  <th scope="col">{t('preview.skipDetail')}</th>
                </tr>
              </thead>
              <tbody>
                {preview.skipped.map((s) => (
                  <tr key={s.orderId}>
                    <th scope="row">
                      <Link href={`/admin/orders/${s.orderId}`}>{orderName?.get(s.orderId) ?? s.orderId}</Link>
                    </th>
                    <td>{t(`preview.skipReasons.${s.reason}`)}</td>
                    <td className="explanation">{s.explanation}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </div>
      )}
    </Section>
  );
}
