'use server';
// Staff changes to an order: ignore it (never billed), schedule or withdraw its cancellation. Each returns to the
// order page with `?done=` so the page says what changed and its forms start afresh from the new state.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { api } from '../api';
import type { Order } from '../types';
import { handleForm, str } from './form';

/** What the order page confirms after a change (`?done=`). */
export type OrderChange = 'ignored' | 'unignored' | 'scheduled' | 'withdrawn';

async function patchOrder(orderId: string, body: { ignored?: boolean; cancelledOn?: string | null }, done: OrderChange) {
  const order = await api<Order>('PATCH', `/v1/orders/${encodeURIComponent(orderId)}`, body);
  revalidatePath(`/admin/orders/${orderId}`);
  revalidatePath('/admin/orders');
  revalidatePath(`/admin/accounts/${order.accountId}`);
  redirect(`/admin/orders/${encodeURIComponent(orderId)}?done=${done}#actions`);
}

export async function setOrderIgnored(orderId: string, ignored: boolean, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, () => patchOrder(orderId, { ignored }, ignored ? 'ignored' : 'unignored'));
}

export async function scheduleCancellation(orderId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, () => patchOrder(orderId, { cancelledOn: str(formData, 'cancelledOn') }, 'scheduled'));
}

export async function withdrawCancellation(orderId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, () => patchOrder(orderId, { cancelledOn: null }, 'withdrawn'));
}
