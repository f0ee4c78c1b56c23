'use client';
// The template editor: one textarea, a service to preview with, and two submit buttons — Preview (renders the
// candidate through the API, stores nothing, keeps the text) and Save (a new version, checked by the API).
import { useActionState } from 'react';
import { templateEditorAction, type TemplatePreview } from '@/server/actions/templates';
import { Field, FormStateProvider, SelectField, SubmitButton, TextAreaField, type Option } from './form';
import { IDLE, type FormState } from './form-state';
import { DiffView } from './diff-view';

export interface TemplateEditorLabels {
  form: string;
  text: string;
  textHint: string;
  service: string;
  noServices: string;
  comment: string;
  preview: string;
  save: string;
  errorTitle: string;
  previewTitle: string;
  previewErrors: string;
  renderedOn: string;
  diffTitle: string;
  noDiff: string;
}

export function TemplateEditor({
  backend,
  file,
  initialText,
  services,
  labels,
}: {
  backend: string;
  file: string;
  initialText: string;
  services: Option[];
  labels: TemplateEditorLabels;
}) {
  const [state, formAction] = useActionState(templateEditorAction.bind(null, backend, file), IDLE as FormState<TemplatePreview>);
  const preview = state.status === 'success' ? state.data : undefined;
  return (
    <FormStateProvider value={state}>
      <form action={formAction} className="form" aria-label={labels.form}>
        {state.status === 'error' && (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">{state.message ?? labels.errorTitle}</p>
            {state.formErrors && state.formErrors.length > 0 && (
              <ul>
                {state.formErrors.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            )}
          </div>
        )}
        {state.status === 'success' && state.message && (
          <p className="notice notice-success" role="status">
            {state.message}
          </p>
        )}
        <TextAreaField
          name="text"
          label={labels.text}
          hint={labels.textHint}
          defaultValue={initialText}
          rows={24}
          className="mono"
          spellCheck={false}
          required
        />
        <div className="form-grid">
          {services.length > 0 ? (
            <SelectField name="serviceId" label={labels.service} options={services} defaultValue={services[0]?.value} />
          ) : (
            <p className="field-hint">{labels.noServices}</p>
          )}
          <Field name="comment" label={labels.comment} maxLength={500} />
        </div>
        <div className="form-actions">
          {services.length > 0 && (
            <SubmitButton name="intent" value="preview" variant="secondary">
              {labels.preview}
            </SubmitButton>
          )}
          <SubmitButton name="intent" value="save">
            {labels.save}
          </SubmitButton>
        </div>
      </form>
      {preview && (
        <section className="card" aria-labelledby="preview-title" id="preview">
          <h2 id="preview-title">{labels.previewTitle}</h2>
          {preview.errors.length > 0 && (
            <div className="notice notice-error" role="alert">
              <p className="notice-title">{labels.previewErrors}</p>
              <ul>
                {preview.errors.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            </div>
          )}
          {preview.hostName && <p>{labels.renderedOn.replace('{host}', preview.hostName)}</p>}
          <h3>{labels.diffTitle}</h3>
          <DiffView diff={preview.diff} empty={labels.noDiff} />
          {preview.scripts.map((s) => (
            <details key={s.action} className="disclosure" open={s.action === 'save'}>
              <summary>{s.action}</summary>
              <pre className="log">{s.script}</pre>
            </details>
          ))}
        </section>
      )}
    </FormStateProvider>
  );
}
