'use server';
// Billing runs from the staff portal: start one (it runs in the background) and resume one that stopped. Both go to
// the run's page, which follows its progress.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { api } from '../api';
import type { BillingRun } from '../billing-runs';
import { handleForm, optional } from './form';

export async function startBillingRun(_state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      const run = await api<BillingRun>('POST', '/v1/billing/runs', {
        billUntil: optional(formData, 'billUntil'),
        autoClose: formData.get('autoClose') === 'on',
        autoSend: formData.get('autoSend') === 'on',
      });
      revalidatePath('/admin/billing/runs');
      redirect(`/admin/billing/runs/${encodeURIComponent(run.id)}`);
    },
    { fields: ['autoClose', 'autoSend'] },
  );
}

export async function resumeBillingRun(runId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api<BillingRun>('POST', `/v1/billing/runs/${encodeURIComponent(runId)}/resume`);
    revalidatePath(`/admin/billing/runs/${runId}`);
    redirect(`/admin/billing/runs/${encodeURIComponent(runId)}?done=resumed`);
  });
}
