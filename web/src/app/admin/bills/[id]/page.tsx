import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { billReference, BillStateBadge, billTitle, isOverdue } from '@/components/bill-state';
import { BillLinesTable, BillTotals } from '@/components/bill-lines';
import { ActionForm, Field, RadioGroup, SelectField, SubmitButton } from '@/components/form';
import { Badge, DescriptionList, EmptyState, Notice, PageHeader, Section, Table } from '@/components/ui';
import type { Translate } from '@/i18n';
import { getI18n } from '@/i18n/server';
import {
  addBillLine,
  amendBill,
  billTransition,
  convertQuote,
  deleteBill,
  deleteBillLine,
  editBillLine,
  moveBillLine,
  regenerateBillPdf,
  type BillTransition,
} from '@/server/actions/bills';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { Account, Bill, BillLine, BillSummary, Page, User } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const DONE = {
  close: 'bills.done.close',
  send: 'bills.done.send',
  'mark-paid': 'bills.done.markPaid',
  'mark-returned': 'bills.done.markReturned',
  'mark-irrecoverable': 'bills.done.markIrrecoverable',
  discard: 'bills.done.discard',
  'undo-discard': 'bills.done.undoDiscard',
  created: 'bills.done.created',
  converted: 'bills.done.converted',
  amended: 'bills.done.amended',
  lines: 'bills.done.lines',
} as const;

/** Actions without input: one button each (in lifecycle order). */
const BUTTONS: { action: BillTransition; label: Parameters<Translate>[0] }[] = [
  { action: 'send', label: 'bills.actions.send' },
  { action: 'mark-paid', label: 'bills.actions.markPaid' },
  { action: 'mark-returned', label: 'bills.actions.markReturned' },
  { action: 'undo-discard', label: 'bills.actions.undoDiscard' },
];

/** Actions that must say why. */
const WITH_REASON: { action: BillTransition; label: Parameters<Translate>[0] }[] = [
  { action: 'mark-irrecoverable', label: 'bills.actions.markIrrecoverable' },
  { action: 'discard', label: 'bills.actions.discard' },
];

const AUDIT_ACTIONS = new Set([
  'create',
  'close',
  'send',
  'mark-paid',
  'mark-returned',
  'mark-irrecoverable',
  'discard',
  'undo-discard',
  'convert',
  'amend',
  'merge',
]);

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const { t } = await getI18n();
  const bill = await apiGet<Bill>(`/v1/bills/${encodeURIComponent(id)}`);
  return { title: billTitle(t, bill) };
}

export default async function BillPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const { done } = await searchParams;
  const doneKey = typeof done === 'string' && done in DONE ? DONE[done as keyof typeof DONE] : undefined;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const bill = await apiGet<Bill>(`/v1/bills/${encodeURIComponent(id)}`);
  const open = bill.state === 'open';
  const amendmentType = bill.type === 'invoice' ? 'amendment' : bill.type === 'fee' ? 'fee-amendment' : undefined;
  const [account, siblings, amendments, users] = await Promise.all([
    has('accounts:read') ? apiGet<Account>(`/v1/accounts/${encodeURIComponent(bill.accountId)}`).catch(() => undefined) : undefined,
    open ? apiGet<Page<BillSummary>>('/v1/bills', { accountId: bill.accountId, state: 'open', type: bill.type, limit: 50 }) : undefined,
    amendmentType ? apiGet<Page<BillSummary>>('/v1/bills', { accountId: bill.accountId, type: amendmentType, limit: 200 }) : undefined,
    has('users:manage') ? apiGet<Page<User>>('/v1/users', { limit: 200 }).catch(() => undefined) : undefined,
  ]);
  const canWrite = has('bills:write');
  const can = (action: string) => canWrite && bill.actions.includes(action);
  const moveTargets = (siblings?.items ?? []).filter((b) => b.id !== bill.id && b.currency === bill.currency);
  const amendedBy = (amendments?.items ?? []).filter((b) => b.amends?.billId === bill.id);
  const userName = new Map((users?.items ?? []).map((u) => [u.id, u.name]));
  const actorLabel = (actor: string) => {
    const [kind, ref] = actor.split(':', 2) as [string, string | undefined];
    const name = ref ? userName.get(ref) : undefined;
    const known = ['staff', 'apikey', 'customer', 'system'].includes(kind) ? t(`bills.actors.${kind as 'staff'}`) : kind;
    return `${name ?? ref ?? ''} (${known})`;
  };
  const today = fmt.today();
  const pdfLabel = open ? t('bills.downloadDraft') : t('bills.downloadPdf');

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/bills">← {t('bills.listTitle')}</Link>
      </p>
      <PageHeader
        title={billTitle(t, bill)}
        description={account?.name}
        actions={
          <>
            <BillStateBadge state={bill.state} /> {isOverdue(bill, today) && <Badge tone="danger">{t('bills.overdue')}</Badge>}
          </>
        }
      />
      {doneKey && (
        <Notice tone="success" role="status">
          <p>{t(doneKey)}</p>
        </Notice>
      )}

      <Section title={t('bills.detailsTitle')} id="details">
        <DescriptionList
          items={[
            [t('bills.number'), bill.number ? <span className="mono">{bill.number}</span> : t('bills.notNumbered')],
            [t('bills.provisionalId'), <span className="mono">{bill.id}</span>],
            [t('bills.type'), t(`bills.types.${bill.type}`)],
            [t('bills.state'), <BillStateBadge state={bill.state} />],
            [t('bills.account'), <Link href={`/admin/accounts/${bill.accountId}`}>{account?.name ?? bill.accountId}</Link>],
            [t('bills.issuedOn'), fmt.day(bill.issuedOn)],
            [t('bills.dueOn'), fmt.day(bill.dueOn)],
            [t('bills.currency'), bill.currency],
            [t('bills.total'), fmt.money(bill.totals.total, bill.currency)],
            [t('bills.sentTo'), bill.sentTo?.length ? bill.sentTo.join(', ') : undefined],
            [t('bills.notes'), bill.notes],
            [t('common.created'), fmt.dateTime(bill.createdAt)],
          ]}
        />
      </Section>

      {(bill.amends || bill.quoteOf || bill.convertedTo || amendedBy.length > 0) && (
        <Section title={t('bills.relatedTitle')} id="related">
          <ul className="plain-list">
            {bill.amends && (
              <li>
                {t('bills.amendsBill', { number: bill.amends.number, date: fmt.day(bill.amends.issuedOn) })}{' '}
                <Link href={`/admin/bills/${bill.amends.billId}`}>{t('bills.openOriginal')}</Link>
                <br />
                <span className="muted">
                  {t('bills.amendCause')}: {bill.amends.cause} · {t(`bills.modes.${bill.amends.mode}`)}
                </span>
              </li>
            )}
            {bill.quoteOf && (
              <li>
                {t('bills.fromQuote')} <Link href={`/admin/bills/${bill.quoteOf.billId}`}>{bill.quoteOf.billId}</Link>
              </li>
            )}
            {bill.convertedTo && (
              <li>
                {t('bills.convertedTo')} <Link href={`/admin/bills/${bill.convertedTo}`}>{bill.convertedTo}</Link>
              </li>
            )}
            {amendedBy.map((a) => (
              <li key={a.id}>
                {t('bills.amendedBy')} <Link href={`/admin/bills/${a.id}`}>{billTitle(t, a)}</Link> — <BillStateBadge state={a.state} />{' '}
                {fmt.money(a.totals.total, a.currency)}
              </li>
            ))}
          </ul>
        </Section>
      )}

      <Section title={t('bills.actionsTitle')} id="actions" description={open ? t('bills.openHint') : t('bills.issuedHint')}>
        <div className="form">
          <p>
            <a className="button button-secondary button-small" href={`/admin/bills/${encodeURIComponent(bill.id)}/pdf`} download>
              {pdfLabel}
            </a>
          </p>
          {canWrite && !open && bill.state !== 'converted' && (
            <ActionForm action={regenerateBillPdf.bind(null, bill.id)} className="inline-form" aria-label={t('bills.regeneratePdf')}>
              <SubmitButton variant="secondary" className="button-small">
                {t('bills.regeneratePdf')}
              </SubmitButton>
            </ActionForm>
          )}
          {can('close') && (
            <ActionForm action={billTransition.bind(null, bill.id, 'close')} aria-label={t('bills.actions.close')}>
              <div className="form-row">
                <Field name="reason" label={t('bills.reasonOptional')} maxLength={1000} />
                {bill.currency !== 'EUR' && (
                  <Field name="exchangeRate" label={t('bills.exchangeRate')} hint={t('bills.exchangeRateHint')} inputMode="decimal" />
                )}
                <div>
                  <SubmitButton>{t('bills.actions.close')}</SubmitButton>
                </div>
              </div>
            </ActionForm>
          )}
          {BUTTONS.filter((b) => can(b.action)).length > 0 && (
            <div className="form-actions">
              {BUTTONS.filter((b) => can(b.action)).map((b) => (
                <ActionButton key={b.action} action={billTransition.bind(null, bill.id, b.action)} label={t(b.label)} variant="secondary" />
              ))}
            </div>
          )}
          {WITH_REASON.filter((b) => can(b.action)).map((b) => (
            <details key={b.action} className="disclosure">
              <summary>{t(b.label)}</summary>
              <ActionForm action={billTransition.bind(null, bill.id, b.action)} aria-label={t(b.label)}>
                <div className="form-row">
                  <Field name="reason" label={t('bills.reason')} required maxLength={1000} />
                  <div>
                    <SubmitButton variant="danger">{t(b.label)}</SubmitButton>
                  </div>
                </div>
              </ActionForm>
            </details>
          ))}
          {can('convert') && (
            <div>
              <ActionButton action={convertQuote.bind(null, bill.id)} label={t('bills.actions.convert')} variant="primary" />
            </div>
          )}
          {can('amend') && (
            <details className="disclosure">
              <summary>{t('bills.actions.amend')}</summary>
              <ActionForm action={amendBill.bind(null, bill.id)} aria-label={t('bills.actions.amend')}>
                <Field name="cause" label={t('bills.amendCause')} hint={t('bills.amendCauseHint')} required maxLength={500} />
                <RadioGroup
                  name="mode"
                  label={t('bills.amendMode')}
                  defaultValue="differences"
                  options={[
                    { value: 'differences', label: t('bills.modes.differences') },
                    { value: 'substitution', label: t('bills.modes.substitution') },
                  ]}
                />
                <fieldset className="field fieldset">
                  <legend>{t('bills.amendLines')}</legend>
                  <p className="field-hint">{t('bills.amendLinesHint')}</p>
                  {bill.lines.map((line) => (
                    <Field
                      key={line.id}
                      name={`line.${line.id}`}
                      label={t('bills.correctBase', { description: line.description, total: fmt.money(line.total, bill.currency) })}
                      inputMode="decimal"
                    />
                  ))}
                </fieldset>
                <div className="form-actions">
                  <SubmitButton>{t('bills.amendSubmit')}</SubmitButton>
                </div>
              </ActionForm>
            </details>
          )}
          {can('delete') && (
            <div>
              <ActionButton
                action={deleteBill.bind(null, bill.id, bill.accountId)}
                label={t('bills.actions.delete')}
                variant="danger"
                confirm={t('bills.confirmDelete', { reference: billReference(t, bill) })}
              />
            </div>
          )}
        </div>
      </Section>

      <Section title={t('bills.linesTitle')} id="lines">
        {bill.lines.length === 0 ? (
          <EmptyState>{t('bills.noLines')}</EmptyState>
        ) : (
          <BillLinesTable
            bill={bill}
            caption={t('bills.linesTitle')}
            actions={open && canWrite ? (line) => <LineActions bill={bill} line={line} moveTargets={moveTargets} t={t} /> : undefined}
          />
        )}
        {open && canWrite && (
          <details className="disclosure" style={{ marginTop: '1rem' }}>
            <summary>{t('bills.addLine')}</summary>
            <ActionForm action={addBillLine.bind(null, bill.id)} aria-label={t('bills.addLine')}>
              <LineFields t={t} />
              <div className="form-actions">
                <SubmitButton>{t('bills.addLine')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>

      <Section title={t('bills.totalsTitle')} id="totals">
        <BillTotals bill={bill} caption={t('bills.totalsTitle')} />
      </Section>

      <Section title={t('bills.auditTitle')} id="audit">
        <Table caption={t('bills.auditTitle')}>
          <thead>
            <tr>
              <th scope="col">{t('bills.auditAt')}</th>
              <th scope="col">{t('bills.auditAction')}</th>
              <th scope="col">{t('bills.auditStates')}</th>
              <th scope="col">{t('bills.auditActor')}</th>
              <th scope="col">{t('bills.auditReason')}</th>
            </tr>
          </thead>
          <tbody>
            {bill.audit.map((entry, i) => (
              <tr key={i}>
                <th scope="row">{fmt.dateTime(entry.at)}</th>
                <td>{AUDIT_ACTIONS.has(entry.action) ? t(`bills.auditActions.${entry.action}`) : entry.action}</td>
                <td>
                  {entry.from ? `${t(`bills.states.${entry.from}`)} → ` : ''}
                  {t(`bills.states.${entry.to}`)}
                </td>
                <td>{actorLabel(entry.actor)}</td>
                <td>{entry.reason ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    </>
  );
}

/** The fields of a typed line (add and edit). */
function LineFields({ t, line }: { t: Translate; line?: BillLine }) {
  return (
    <div className="form-grid">
      <Field
        name="description"
        label={t('bills.lineDescription')}
        required
        maxLength={500}
        defaultValue={line?.description}
        className="field-wide"
      />
      <Field name="quantity" label={t('bills.quantity')} inputMode="decimal" defaultValue={line?.quantity ?? '1'} />
      <Field name="unitPrice" label={t('bills.unitPrice')} inputMode="decimal" required defaultValue={line?.unitPrice} />
      <Field
        name="taxCategory"
        label={t('bills.taxCategory')}
        hint={t('bills.taxCategoryHint')}
        defaultValue={line?.taxCategory ?? 'standard'}
      />
      <Field name="periodStart" type="date" label={t('bills.periodStart')} defaultValue={line?.periodStart} />
      <Field name="periodEnd" type="date" label={t('bills.periodEnd')} defaultValue={line?.periodEnd} />
    </div>
  );
}

/** Edit (typed lines), move and remove for a line of an open bill. */
function LineActions({ bill, line, moveTargets, t }: { bill: Bill; line: BillLine; moveTargets: BillSummary[]; t: Translate }) {
  return (
    <div className="line-actions">
      <ActionButton
        action={deleteBillLine.bind(null, bill.id, line.id)}
        label={t('common.remove')}
        accessibleName={t('bills.removeLine', { description: line.description })}
        variant="danger"
        confirm={line.orderId ? t('bills.confirmRemoveOrderLine', { description: line.description }) : undefined}
      />
      {line.kind === 'manual' && (
        <details className="disclosure">
          <summary aria-label={t('bills.editLineNamed', { description: line.description })}>{t('common.edit')}</summary>
          <ActionForm
            action={editBillLine.bind(null, bill.id, line.id)}
            aria-label={t('bills.editLineNamed', { description: line.description })}
          >
            <LineFields t={t} line={line} />
            <div className="form-actions">
              <SubmitButton>{t('common.saveChanges')}</SubmitButton>
            </div>
          </ActionForm>
        </details>
      )}
      {moveTargets.length > 0 && (
        <details className="disclosure">
          <summary aria-label={t('bills.moveLineNamed', { description: line.description })}>{t('bills.moveLine')}</summary>
          <ActionForm
            action={moveBillLine.bind(null, bill.id, line.id)}
            aria-label={t('bills.moveLineNamed', { description: line.description })}
          >
            <SelectField
              name="toBillId"
              label={t('bills.moveTo')}
              required
              options={moveTargets.map((b) => ({ value: b.id, label: `${b.id} (${b.lineCount})` }))}
            />
            <SubmitButton variant="secondary">{t('bills.moveLine')}</SubmitButton>
          </ActionForm>
        </details>
      )}
    </div>
  );
}
