'use client';
// Create an API key; the secret appears once, in this form's success state.
import { useActionState } from 'react';
import type { CreatedKey } from '@/server/actions/api-keys';
import { createApiKey } from '@/server/actions/api-keys';
import { Field, SelectField, SubmitButton, FormStateProvider, type Option } from './form';
import { IDLE, type FormState } from './form-state';
import { interpolate } from '@/i18n/locales';

export function ApiKeyForm({
  roles,
  labels,
}: {
  roles: Option[];
  labels: { name: string; nameHint: string; role: string; submit: string; secretTitle: string; secretHint: string; errorTitle: string };
}) {
  const [state, formAction] = useActionState(createApiKey, IDLE as FormState<CreatedKey>);
  return (
    <FormStateProvider value={state}>
      {state.status === 'success' && state.data && (
        <div className="notice notice-success" role="status">
          <p className="notice-title">{interpolate(labels.secretTitle, { name: state.data.name })}</p>
          <p>{labels.secretHint}</p>
          <code className="secret" aria-label={interpolate(labels.secretTitle, { name: state.data.name })}>
            {state.data.secret}
          </code>
        </div>
      )}
      <form action={formAction} className="form" aria-label={labels.submit}>
        {state.status === 'error' && (
          <div className="notice notice-error" role="alert">
            <p className="notice-title">{state.message ?? labels.errorTitle}</p>
          </div>
        )}
        <div className="form-grid">
          <Field name="name" label={labels.name} hint={labels.nameHint} required maxLength={100} />
          <SelectField name="role" label={labels.role} required options={roles} defaultValue="sysadmin" />
        </div>
        <div className="form-actions">
          <SubmitButton>{labels.submit}</SubmitButton>
        </div>
      </form>
    </FormStateProvider>
  );
}
