'use server';
// Customer accounts, their contacts and their portal logins.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api } from '../api';
import type { Account, Contact, User } from '../types';
import { handleForm, optional, str } from './form';

function accountBody(formData: FormData) {
  return {
    name: str(formData, 'name'),
    type: str(formData, 'type'),
    email: str(formData, 'email'),
    phone: optional(formData, 'phone'),
    vatId: optional(formData, 'vatId'),
    address: optional(formData, 'address'),
    city: optional(formData, 'city'),
    postcode: optional(formData, 'postcode'),
    country: str(formData, 'country'),
    locale: optional(formData, 'locale'),
    comments: optional(formData, 'comments'),
    // Staff labels that route rules read (`account.tags contains …`); "premium, eu" → ["premium", "eu"].
    tags: str(formData, 'tags')
      .split(/[\s,]+/)
      .filter(Boolean),
  };
}

export async function createAccount(_state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const account = await api<Account>('POST', '/v1/accounts', accountBody(formData));
    revalidatePath('/admin/accounts');
    redirect(`/admin/accounts/${encodeURIComponent(account.id)}`);
  });
}

export async function updateAccount(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      await api<Account>('PATCH', `/v1/accounts/${encodeURIComponent(accountId)}`, {
        ...accountBody(formData),
        active: formData.get('active') === 'on',
      });
      revalidatePath(`/admin/accounts/${accountId}`);
      const t = createTranslate(await getLocale());
      return { status: 'success', message: t('accounts.saved') };
    },
    { fields: ['active'] },
  );
}

export async function deleteAccount(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/accounts/${encodeURIComponent(accountId)}`);
    revalidatePath('/admin/accounts');
    redirect('/admin/accounts');
  });
}

export async function addContact(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      await api<Contact>('POST', `/v1/accounts/${encodeURIComponent(accountId)}/contacts`, {
        name: str(formData, 'name'),
        email: str(formData, 'email'),
        phone: optional(formData, 'phone'),
        usages: formData.getAll('usages').filter((u): u is string => typeof u === 'string'),
      });
      revalidatePath(`/admin/accounts/${accountId}`);
      const t = createTranslate(await getLocale());
      return { status: 'success', message: t('contacts.added') };
    },
    { fields: ['usages'] },
  );
}

export async function removeContact(accountId: string, contactId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/accounts/${encodeURIComponent(accountId)}/contacts/${encodeURIComponent(contactId)}`);
    revalidatePath(`/admin/accounts/${accountId}`);
  });
}

export async function createCustomerUser(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      const user = await api<User>('POST', '/v1/users', {
        name: str(formData, 'name'),
        email: str(formData, 'email'),
        password: String(formData.get('password') ?? ''),
        role: 'customer',
        accountId,
        locale: optional(formData, 'locale'),
      });
      revalidatePath(`/admin/accounts/${accountId}`);
      const t = createTranslate(await getLocale());
      return { status: 'success', message: t('customerUsers.created', { email: user.email }) };
    },
    { secret: ['password'] },
  );
}
