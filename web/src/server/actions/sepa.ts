'use server';
// SEPA in the staff portal: create a direct debit batch, mark it executed, and preview or apply a bank file.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import type { ImportResult } from '@consort/shared/payments/bank-returns';
import type { SepaBatch } from '@consort/shared/payments/batches';
import { api } from '../api';
import { FormInputError, handleForm, optional, str } from './form';

/** Collect every unpaid bill of accounts paying by SEPA, then show the new batch. */
export async function createSepaBatch(_state: FormState, formData: FormData): Promise<FormState> {
  let id = '';
  const state = await handleForm(formData, async () => {
    const res = await api<{ batch: SepaBatch }>('POST', '/v1/payments/sepa/batches', {
      collectionDate: optional(formData, 'collectionDate'),
    });
    id = res.batch.id;
    revalidatePath('/admin/payments/batches');
  });
  if (id) redirect(`/admin/payments/batches/${encodeURIComponent(id)}`);
  return state;
}

/** Record that the batch's file went to the bank. */
export async function markSepaBatchExecuted(batchId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/payments/sepa/batches/${encodeURIComponent(batchId)}/executed`);
    revalidatePath(`/admin/payments/batches/${batchId}`);
    revalidatePath('/admin/payments/batches');
  });
}

/** The direct-debit file will not be sent: cancel the batch (its collections fail, the bills can be collected again). */
export async function cancelSepaBatch(batchId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/payments/sepa/batches/${encodeURIComponent(batchId)}/cancel`, { reason: optional(formData, 'reason') });
    revalidatePath(`/admin/payments/batches/${batchId}`);
    revalidatePath('/admin/payments/batches');
    revalidatePath('/admin/payments/transactions');
  });
}

/** Preview (`mode=preview`) or apply (`mode=apply`) a bank file, uploaded or pasted; the result comes back as data. */
export async function bankFile(_state: FormState<ImportResult>, formData: FormData): Promise<FormState<ImportResult>> {
  let result: ImportResult | undefined;
  const mode = str(formData, 'mode') === 'apply' ? 'apply' : 'preview';
  const state = await handleForm(formData, async () => {
    const file = formData.get('file');
    const uploaded = file instanceof File && file.size > 0 ? await file.text() : '';
    const content = uploaded || str(formData, 'content');
    if (!content) throw new FormInputError({ file: ['Choose a pain.002, camt.054 or camt.053 file, or paste it below'] });
    const body = { fileName: file instanceof File && file.name ? file.name : undefined, content };
    result = await api<ImportResult>('POST', mode === 'apply' ? '/v1/payments/sepa/imports' : '/v1/payments/sepa/imports/preview', body);
    if (mode === 'apply') {
      revalidatePath('/admin/payments/imports');
      revalidatePath('/admin/payments/transactions');
    }
  });
  return result ? { status: 'success', data: result, values: { content: str(formData, 'content') } } : (state as FormState<ImportResult>);
}
