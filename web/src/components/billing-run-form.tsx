'use client';
// "Start a run": the day to bill until and what to do with the bills afterwards.
import { ActionForm, CheckboxField, Field, SubmitButton } from '@/components/form';
import { startBillingRun } from '@/server/actions/billing-runs';

export function BillingRunForm({
  labels,
  today,
}: {
  labels: { billUntil: string; billUntilHint: string; autoClose: string; autoSend: string; start: string };
  today: string;
}) {
  return (
    <ActionForm action={startBillingRun}>
      <Field name="billUntil" type="date" label={labels.billUntil} hint={labels.billUntilHint} defaultValue={today} />
      <CheckboxField name="autoClose" label={labels.autoClose} />
      <CheckboxField name="autoSend" label={labels.autoSend} />
      <SubmitButton>{labels.start}</SubmitButton>
    </ActionForm>
  );
}
