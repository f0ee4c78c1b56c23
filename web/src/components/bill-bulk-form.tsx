'use client';
// The bills list as one form: a checkbox per bill (the table comes from the server as children) and a button per bulk
// action. The action reports every selected bill on its own; the download actions end with a link to one ZIP of the
// PDFs, which starts by itself when JavaScript runs.
import { useActionState, useEffect, useRef, useState } from 'react';
import { Link } from '@/components/link';
import { bulkBills, type BulkOutcome } from '@/server/actions/bills';
import { FormStateProvider, SubmitButton } from './form';
import { IDLE, type FormState } from './form-state';
import { interpolate } from '@/i18n/locales';

export interface BulkLabels {
  form: string;
  close: string;
  send: string;
  closeSendDownload: string;
  markPaid: string;
  download: string;
  resultsTitle: string;
  bill: string;
  outcome: string;
  ok: string;
  failed: string;
  downloadZip: string;
  selectAll: string;
  confirmClose: string;
}

export function BillBulkForm({ labels, children }: { labels: BulkLabels; children: React.ReactNode }) {
  const [state, formAction] = useActionState(bulkBills, IDLE as FormState<BulkOutcome>);
  const zipRef = useRef<HTMLAnchorElement>(null);
  const resultsRef = useRef<HTMLDivElement>(null);
  const outcome = state.status === 'success' ? state.data : undefined;
  const zipHref = outcome?.downloadIds.length
    ? `/admin/bills/pdfs?${new URLSearchParams(outcome.downloadIds.map((id) => ['id', id])).toString()}`
    : undefined;

  useEffect(() => {
    if (state.status === 'idle') return;
    resultsRef.current?.focus();
    if (zipHref) zipRef.current?.click();
  }, [state, zipHref]);

  return (
    <FormStateProvider value={state}>
      <div ref={resultsRef} tabIndex={-1} className="bulk-results">
        {state.status === 'error' && (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">{state.message}</p>
          </div>
        )}
        {outcome && (
          <div className={`notice ${outcome.results.some((r) => !r.ok) ? 'notice-warning' : 'notice-success'}`} role="status">
            <p className="notice-title">{state.message}</p>
            <div className="table-wrap" role="group" aria-label={labels.resultsTitle} tabIndex={0}>
              <table>
                <caption className="visually-hidden">{labels.resultsTitle}</caption>
                <thead>
                  <tr>
                    <th scope="col">{labels.bill}</th>
                    <th scope="col">{labels.outcome}</th>
                  </tr>
                </thead>
                <tbody>
                  {outcome.results.map((r) => (
                    <tr key={r.billId}>
                      <th scope="row">
                        <Link href={`/admin/bills/${encodeURIComponent(r.billId)}`}>{r.label}</Link>
                      </th>
                      <td>
                        <span className={`badge badge-${r.ok ? 'success' : 'danger'}`}>{r.ok ? labels.ok : labels.failed}</span> {r.message}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {zipHref && (
              <p>
                <a ref={zipRef} href={zipHref} download className="button button-primary button-small">
                  {interpolate(labels.downloadZip, { count: String(outcome.downloadIds.length) })}
                </a>
              </p>
            )}
          </div>
        )}
      </div>
      <form action={formAction} className="form" aria-label={labels.form}>
        <SelectAll label={labels.selectAll} />
        {children}
        <div className="form-actions bulk-actions">
          <SubmitButton
            name="op"
            value="close"
            variant="secondary"
            onClick={(e) => {
              if (!window.confirm(labels.confirmClose)) e.preventDefault();
            }}
          >
            {labels.close}
          </SubmitButton>
          <SubmitButton name="op" value="send" variant="secondary">
            {labels.send}
          </SubmitButton>
          <SubmitButton
            name="op"
            value="close-send-download"
            onClick={(e) => {
              if (!window.confirm(labels.confirmClose)) e.preventDefault();
            }}
          >
            {labels.closeSendDownload}
          </SubmitButton>
          <SubmitButton name="op" value="mark-paid" variant="secondary">
            {labels.markPaid}
          </SubmitButton>
          <SubmitButton name="op" value="download" variant="secondary">
            {labels.download}
          </SubmitButton>
        </div>
      </form>
    </FormStateProvider>
  );
}

/** "Select all" for the form's bill checkboxes (only with JavaScript; without it each box is ticked by hand). */
function SelectAll({ label }: { label: string }) {
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  if (!ready) return null;
  return (
    <label className="check bulk-select-all">
      <input
        type="checkbox"
        onChange={(e) => {
          const form = e.currentTarget.form;
          form?.querySelectorAll<HTMLInputElement>('input[type="checkbox"][name="billId"]').forEach((box) => {
            box.checked = e.currentTarget.checked;
          });
        }}
      />{' '}
      {label}
    </label>
  );
}
