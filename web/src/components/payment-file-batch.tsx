// The staff page of a payment file batch: SEPA direct debits (pain.008) and refund credit transfers (pain.001) share
// it — a summary with the state, the file's digest and download, "mark executed" (credit transfers: "cancel", with a
// reason), and a table of the batch's items.
import type { ReactNode } from 'react';
import { ActionButton } from '@/components/action-button';
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { Badge, DescriptionList, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { getFormat } from '@/server/format';
import type { FormAction } from './form-state';

/** The badge tone of a payment file's state, on its page and in the lists. */
export const BATCH_STATE_TONE = { generated: 'info', executed: 'success', cancelled: 'neutral' } as const;

interface FileBatch {
  id: string;
  messageId: string;
  state: 'generated' | 'executed' | 'cancelled';
  createdAt: string;
  painVersion: string;
  count: number;
  controlSum: string;
  file: { sha256: string };
  executedAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
}

/** One column of the items table; `numeric` right-aligns it. */
export interface BatchColumn<T> {
  header: string;
  cell: (item: T) => ReactNode;
  className?: string;
  numeric?: boolean;
}

export async function PaymentFileBatch<T extends { endToEndId: string }>(props: {
  batch: FileBatch & { items: T[] };
  title: string;
  description: string;
  /** The message definition without its version, e.g. `pain.008.001`. */
  message: string;
  /** Facts shown after "created" (e.g. the execution date). */
  facts?: [string, ReactNode][];
  countLabel: string;
  download: { href: string; label: string };
  /** "Mark executed", when the viewer may write; shown while the batch is `generated`. */
  markExecuted?: FormAction;
  /** "Cancel" with a required reason, when the viewer may write; shown while the batch is `generated`. */
  cancel?: { action: FormAction; label: string; reasonLabel: string; hint: string };
  items: { title: string; id: string; columns: BatchColumn<T>[] };
}) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const { batch } = props;
  return (
    <>
      <PageHeader title={`${props.title} ${batch.messageId}`} description={props.description} />
      <Section title={t('sepa.summary')} id="summary">
        <DescriptionList
          items={[
            [t('sepa.state'), <Badge tone={BATCH_STATE_TONE[batch.state]}>{t(`sepa.states.${batch.state}`)}</Badge>],
            [t('sepa.created'), fmt.dateTime(batch.createdAt)],
            ...(props.facts ?? []),
            [t('sepa.painVersion'), `${props.message}.${batch.painVersion}`],
            [props.countLabel, fmt.number(batch.count)],
            [t('sepa.total'), fmt.money(batch.controlSum, 'EUR')],
            ['SHA-256', <span className="mono">{batch.file.sha256}</span>],
            ...(batch.executedAt ? ([[t('sepa.executedAt'), fmt.dateTime(batch.executedAt)]] as [string, ReactNode][]) : []),
            ...(batch.cancelledAt
              ? ([
                  [t('sepa.cancelledAt'), fmt.dateTime(batch.cancelledAt)],
                  [t('sepa.cancelReason'), batch.cancelReason ?? ''],
                ] as [string, ReactNode][])
              : []),
          ]}
        />
        <p className="form-actions">
          <a className="button button-secondary" href={props.download.href} download>
            {props.download.label}
          </a>
          {props.markExecuted && batch.state === 'generated' && (
            <ActionButton action={props.markExecuted} variant="primary" label={t('sepa.markExecuted')} />
          )}
        </p>
        {props.cancel && batch.state === 'generated' && (
          <details className="disclosure">
            <summary>{props.cancel.label}</summary>
            <ActionForm action={props.cancel.action} aria-label={props.cancel.label}>
              <p className="hint">{props.cancel.hint}</p>
              <div className="form-row">
                <Field name="reason" label={props.cancel.reasonLabel} required maxLength={1000} />
                <div>
                  <SubmitButton variant="danger">{props.cancel.label}</SubmitButton>
                </div>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>
      <Section title={props.items.title} id={props.items.id}>
        <Table caption={props.items.title}>
          <thead>
            <tr>
              {props.items.columns.map((column) => (
                <th key={column.header} scope="col" className={column.numeric ? 'num' : undefined}>
                  {column.header}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {batch.items.map((item) => (
              <tr key={item.endToEndId}>
                {props.items.columns.map((column) => (
                  <td key={column.header} className={column.numeric ? 'num' : column.className}>
                    {column.cell(item)}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </Table>
      </Section>
    </>
  );
}
