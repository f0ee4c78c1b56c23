'use server';
// Payments from the portals: pay a bill online (to Stripe Checkout and back), save a card, choose or forget a saved
// source; staff connect the tenant to Stripe and record a transaction as received or failed.
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { api } from '../api';
import { handleForm, optional, str } from './form';

/** This site's origin as the browser sees it (return addresses for Stripe's hosted pages). */
async function origin(): Promise<string> {
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? 'localhost';
  const proto = h.get('x-forwarded-proto') ?? (host.startsWith('127.0.0.1') || host.startsWith('localhost') ? 'http' : 'https');
  return `${proto}://${host}`;
}

/** Member "Pay": a Checkout Session for what is owed, then the browser goes to Stripe's page. */
export async function payBill(billId: string, _state: FormState, formData: FormData): Promise<FormState> {
  let url = '';
  const state = await handleForm(formData, async () => {
    const back = `${await origin()}/portal/bills/${encodeURIComponent(billId)}`;
    const res = await api<{ url: string }>('POST', `/v1/bills/${encodeURIComponent(billId)}/pay`, {
      successUrl: `${back}?paid=1`,
      cancelUrl: back,
    });
    url = res.url;
  });
  if (url) redirect(url);
  return state;
}

/** Save a card for automatic charges (setup-mode Checkout), back to the payments page. */
export async function saveCard(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  let url = '';
  const state = await handleForm(formData, async () => {
    const back = `${await origin()}/portal/payments`;
    const res = await api<{ url: string }>('POST', `/v1/accounts/${encodeURIComponent(accountId)}/payment-sources/setup`, {
      successUrl: `${back}?saved=1`,
      cancelUrl: back,
    });
    url = res.url;
  });
  if (url) redirect(url);
  return state;
}

/** Make a saved source the default. */
export async function makeDefaultSource(accountId: string, sourceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/accounts/${encodeURIComponent(accountId)}/payment-sources/${encodeURIComponent(sourceId)}/default`);
    revalidatePath('/portal/payments');
  });
}

/** Forget a saved source. */
export async function removeSource(accountId: string, sourceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/accounts/${encodeURIComponent(accountId)}/payment-sources/${encodeURIComponent(sourceId)}`);
    revalidatePath('/portal/payments');
  });
}

/** Staff: connect the tenant's Stripe account (onboarding link). */
export async function connectStripe(_state: FormState, formData: FormData): Promise<FormState> {
  let url = '';
  const state = await handleForm(formData, async () => {
    const back = `${await origin()}/admin/payments/transactions`;
    const res = await api<{ url: string }>('POST', '/v1/payments/stripe/onboarding', { returnUrl: back });
    url = res.url;
  });
  if (url) redirect(url);
  return state;
}

/** Staff: turn the automatic charge of a default saved card on close on or off (tenant payment settings). */
export async function setAutoCharge(enabled: boolean, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('PATCH', '/v1/payments/settings', { autoCharge: enabled });
    revalidatePath('/admin/payments/transactions');
  });
}

/** Staff: move a transaction (a transfer received, a payment failed…). */
export async function moveTransaction(transactionId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', `/v1/payments/transactions/${encodeURIComponent(transactionId)}/transition`, {
      to: str(formData, 'to'),
      reason: optional(formData, 'reason'),
    });
    revalidatePath('/admin/payments/transactions');
  });
}
