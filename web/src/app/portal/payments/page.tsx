import type { Metadata } from 'next';
import { ActionButton } from '@/components/action-button';
import { ActionForm, CheckboxField, Field, SubmitButton } from '@/components/form';
import { Link } from '@/components/link';
import { MandatesTable, type MandateList } from '@/components/mandates-table';
import { Badge, EmptyState, Notice, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { signMandate } from '@/server/actions/mandates';
import { makeDefaultSource, removeSource, saveCard } from '@/server/actions/payments';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { PaymentSource, Transaction } from '@consort/shared/payments/model';
import type { Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('payments.portalTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/**
 * The customer's saved payment methods, SEPA mandates (sign one online, revoke) and payment history (their own
 * account only: the API decides).
 */
export default async function PortalPaymentsPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const { saved, mandate: signed } = await searchParams;
  const accountId = (me.user as { accountId?: string }).accountId ?? '';
  const account = `/v1/accounts/${encodeURIComponent(accountId)}`;
  const [sources, mandates, history] = await Promise.all([
    apiGet<{ items: PaymentSource[] }>(`${account}/payment-sources`),
    apiGet<MandateList>(`${account}/mandates`),
    apiGet<Page<Transaction>>('/v1/payments/transactions', { limit: 50 }),
  ]);
  const creditor = mandates.creditor;
  // Confirm only a mandate of this account (the reference comes from the URL).
  const signedMandate = typeof signed === 'string' ? mandates.items.find((m) => m.reference === signed) : undefined;
  return (
    <>
      <PageHeader title={t('payments.portalTitle')} description={t('payments.portalDescription')} />
      {saved && <Notice tone="success">{t('payments.cardSaved')}</Notice>}
      {signedMandate && (
        <Notice tone="success" role="status">
          {t('mandates.signed', { reference: signedMandate.reference })}
        </Notice>
      )}
      <Section title={t('payments.sourcesTitle')} id="sources">
        {sources.items.length === 0 ? (
          <EmptyState>{t('payments.noSources')}</EmptyState>
        ) : (
          <Table caption={t('payments.sourcesTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('payments.source')}</th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('common.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {sources.items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.label} {s.isDefault && <Badge tone="success">{t('payments.default')}</Badge>}
                  </th>
                  <td>{t(`payments.methods.${s.method}`)}</td>
                  <td>
                    {!s.isDefault && (
                      <ActionButton action={makeDefaultSource.bind(null, accountId, s.id)} label={t('payments.makeDefault')} />
                    )}{' '}
                    {s.mandateId ? (
                      // A direct debit source goes when its mandate is revoked (below), never on its own.
                      <span className="muted">{t('mandates.sourceHint')}</span>
                    ) : (
                      <ActionButton
                        action={removeSource.bind(null, accountId, s.id)}
                        label={t('common.remove')}
                        variant="danger"
                        confirm={t('payments.removeConfirm')}
                        accessibleName={`${t('common.remove')} ${s.label}`}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <p className="form-actions">
          <ActionButton action={saveCard.bind(null, accountId)} label={t('payments.saveCard')} />
        </p>
      </Section>
      <Section
        title={t('mandates.title')}
        id="mandates"
        description={creditor ? t('mandates.portalDescription', { creditor: creditor.name }) : t('mandates.notOffered')}
      >
        <MandatesTable
          accountId={accountId}
          mandates={mandates.items}
          canRevoke
          back="/portal/payments"
          creditorName={creditor?.name ?? me.tenant.name}
        />
        {creditor && (
          <details className="disclosure" style={{ marginTop: '1rem' }} open={mandates.items.length === 0}>
            <summary>{t('mandates.addTitle')}</summary>
            <ActionForm action={signMandate.bind(null, accountId)} aria-label={t('mandates.addTitle')}>
              <p className="field-hint">{t('mandates.addDescription')}</p>
              <div className="form-grid">
                <Field name="debtor.name" label={t('mandates.holder')} hint={t('mandates.holderHint')} required maxLength={140} />
                <Field
                  name="debtor.iban"
                  label={t('mandates.iban')}
                  hint={t('mandates.ibanHint')}
                  required
                  maxLength={50}
                  autoComplete="off"
                  spellCheck={false}
                />
              </div>
              <fieldset className="fieldset">
                <legend>{t('mandates.textTitle')}</legend>
                <p>{t('mandates.text', { creditor: creditor.name })}</p>
                <p className="muted">{t('mandates.creditorLine', { name: creditor.name, id: creditor.id })}</p>
              </fieldset>
              <CheckboxField name="accepted" label={t('mandates.accept')} />
              <CheckboxField name="makeDefault" label={t('mandates.makeDefault')} defaultChecked />
              <div className="form-actions">
                <SubmitButton>{t('mandates.sign')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>
      <Section title={t('payments.historyTitle')} id="history">
        {history.items.length === 0 ? (
          <EmptyState>{t('payments.noHistory')}</EmptyState>
        ) : (
          <Table caption={t('payments.historyTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('payments.date')}</th>
                <th scope="col">{t('payments.method')}</th>
                <th scope="col">{t('payments.bills')}</th>
                <th scope="col">{t('payments.state')}</th>
                <th scope="col" className="num">
                  {t('payments.amount')}
                </th>
              </tr>
            </thead>
            <tbody>
              {history.items.map((tx) => (
                <tr key={tx.id}>
                  <td>{fmt.day(tx.createdAt.slice(0, 10))}</td>
                  <td>{t(`payments.methods.${tx.method}`)}</td>
                  <td>
                    {tx.allocations.map((a) => (
                      <Link key={a.billId} href={`/portal/bills/${a.billId}`} className="mono">
                        {a.billId}
                      </Link>
                    ))}
                  </td>
                  <td>{t(`payments.states.${tx.state}`)}</td>
                  <td className="num">{fmt.money(tx.amount, tx.currency)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
