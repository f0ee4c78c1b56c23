'use client';
// Upload a bank file (pain.002, camt.054, camt.053), see what it matches (collections, or refunds' credit transfers),
// then apply it. Both buttons post the same
// form; the result table comes back in the form state.
import { useActionState } from 'react';
import type { ImportResult } from '@consort/shared/payments/bank-returns';
import { bankFile } from '@/server/actions/sepa';
import { interpolate } from '@/i18n/locales';
import { FormStateProvider, SubmitButton, TextAreaField } from './form';
import { IDLE, type FormState } from './form-state';

export interface BankImportLabels {
  file: string;
  fileHint: string;
  content: string;
  preview: string;
  apply: string;
  errorTitle: string;
  previewTitle: string;
  appliedTitle: string;
  alreadyImported: string;
  summary: string;
  entry: string;
  outcome: string;
  reason: string;
  amount: string;
  match: string;
  action: string;
  mandate: string;
  unmatched: string;
  /** Before a refund's id, when a line is about a refund's credit transfer. */
  refund: string;
  actions: Record<string, string>;
}

export function BankImportForm({ labels }: { labels: BankImportLabels }) {
  const [state, formAction] = useActionState(bankFile, IDLE as FormState<ImportResult>);
  const result = state.status === 'success' ? state.data : undefined;
  return (
    <FormStateProvider value={state}>
      <form action={formAction} className="form" aria-label={labels.preview} encType="multipart/form-data">
        {state.status === 'error' && (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">{state.message ?? labels.errorTitle}</p>
            {state.fieldErrors?.file?.map((e) => (
              <p key={e}>{e}</p>
            ))}
          </div>
        )}
        <div className="field">
          <label htmlFor="bank-file">{labels.file}</label>
          <input id="bank-file" name="file" type="file" accept=".xml,application/xml,text/xml" aria-describedby="bank-file-hint" />
          <p id="bank-file-hint" className="hint">
            {labels.fileHint}
          </p>
        </div>
        <TextAreaField name="content" label={labels.content} rows={4} className="mono" />
        <div className="form-actions">
          <SubmitButton name="mode" value="preview" variant="secondary">
            {labels.preview}
          </SubmitButton>
          <SubmitButton name="mode" value="apply">
            {labels.apply}
          </SubmitButton>
        </div>
      </form>
      {result && (
        <section aria-label={result.id ? labels.appliedTitle : labels.previewTitle} className="notice notice-success" role="status">
          <p className="notice-title">
            {result.alreadyImported ? labels.alreadyImported : result.id ? labels.appliedTitle : labels.previewTitle}
          </p>
          <p>
            {interpolate(labels.summary, {
              format: result.format,
              messageId: result.messageId,
              entries: String(result.summary.entries),
              matched: String(result.summary.matched),
              unmatched: String(result.summary.unmatched),
              changes: String(result.summary.changes),
            })}
          </p>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{labels.entry}</th>
                <th scope="col">{labels.outcome}</th>
                <th scope="col">{labels.reason}</th>
                <th scope="col" className="num">
                  {labels.amount}
                </th>
                <th scope="col">{labels.match}</th>
                <th scope="col">{labels.action}</th>
                <th scope="col">{labels.mandate}</th>
              </tr>
            </thead>
            <tbody>
              {result.lines.map((line) => (
                <tr key={line.ref}>
                  <td className="mono">
                    {line.endToEndId ?? line.mandateId ?? line.originalPaymentInfoId ?? line.originalMessageId ?? line.ref}
                  </td>
                  <td>{line.outcome}</td>
                  <td>{line.reasonCode ? `${line.reasonCode}${line.policy ? ` — ${line.policy}` : ''}` : ''}</td>
                  <td className="num">{line.amount ?? ''}</td>
                  <td className="mono">
                    {!line.match
                      ? labels.unmatched
                      : line.match.refunds
                        ? line.match.refunds.map((r) => `${labels.refund} ${r.refundId} (${r.transactionId})`).join(', ')
                        : line.match.transactionIds.join(', ')}
                  </td>
                  <td>
                    {labels.actions[line.action] ?? line.action}
                    {line.note ? ` (${line.note})` : ''}
                  </td>
                  <td>{line.mandateAction ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </FormStateProvider>
  );
}
