'use server';
// Refunds in the staff portal: refund a payment (card → Stripe, others → credit transfer), record a transfer the bank
// sent back, pay the waiting refunds with a credit-transfer batch (pain.001), mark it executed or cancel it.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import type { CreditTransferBatch } from '@consort/shared/payments/model';
import { api } from '../api';
import { handleForm, optional } from './form';

/** Refund (part of) a succeeded transaction. */
export async function refundTransaction(transactionId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/payments/transactions/${encodeURIComponent(transactionId)}/refund`, {
      amount: optional(formData, 'amount'),
      reason: optional(formData, 'reason'),
      iban: optional(formData, 'iban'),
      name: optional(formData, 'name'),
    });
    revalidatePath(`/admin/payments/transactions/${transactionId}`);
    revalidatePath('/admin/payments/transactions');
    revalidatePath('/admin/payments/batches');
  });
}

/** The bank sent a refund's credit transfer back: the refund is returned, its money refundable again. */
export async function recordRefundReturn(transactionId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const refundId = optional(formData, 'refundId') ?? '';
    await api('POST', `/v1/payments/transactions/${encodeURIComponent(transactionId)}/refunds/${encodeURIComponent(refundId)}/return`, {
      reason: optional(formData, 'reason'),
      code: optional(formData, 'code'),
      bankCharges: optional(formData, 'bankCharges'),
    });
    revalidatePath(`/admin/payments/transactions/${transactionId}`);
    revalidatePath('/admin/payments/transactions');
  });
}

/** Pay every refund waiting for a credit transfer, then show the new batch. */
export async function createCreditTransfer(_state: FormState, formData: FormData): Promise<FormState> {
  let id = '';
  const state = await handleForm(formData, async () => {
    const batch = await api<CreditTransferBatch>('POST', '/v1/payments/sepa/credit-transfers', {
      executionDate: optional(formData, 'executionDate'),
    });
    id = batch.id;
    revalidatePath('/admin/payments/batches');
  });
  if (id) redirect(`/admin/payments/credit-transfers/${encodeURIComponent(id)}`);
  return state;
}

/** Record that the credit-transfer file went to the bank: its refunds succeed. */
export async function markCreditTransferExecuted(batchId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/payments/sepa/credit-transfers/${encodeURIComponent(batchId)}/executed`);
    revalidatePath(`/admin/payments/credit-transfers/${batchId}`);
    revalidatePath('/admin/payments/batches');
    revalidatePath('/admin/payments/transactions');
  });
}

/** The credit-transfer file will not be executed: cancel the batch (its refunds wait for the next one). */
export async function cancelCreditTransfer(batchId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/payments/sepa/credit-transfers/${encodeURIComponent(batchId)}/cancel`, { reason: optional(formData, 'reason') });
    revalidatePath(`/admin/payments/credit-transfers/${batchId}`);
    revalidatePath('/admin/payments/batches');
    revalidatePath('/admin/payments/transactions');
  });
}
