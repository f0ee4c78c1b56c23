'use server';
// Provisioning operations: retry a failed one.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { api } from '../api';
import type { Operation } from '../types';
import { handleForm } from './form';

export async function retryOperation(operationId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api<{ operation: Operation }>('POST', `/v1/operations/${encodeURIComponent(operationId)}/retry`);
    revalidatePath('/admin/operations');
    redirect(`/admin/operations/${encodeURIComponent(operationId)}`);
  });
}
