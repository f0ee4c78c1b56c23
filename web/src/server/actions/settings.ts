'use server';
// Organisation settings (name, language, time zone, DNS defaults), the user's own name, and staff users.
import { revalidatePath } from 'next/cache';
import type { FormState } from '@/components/form-state';
import { createTranslate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api } from '../api';
import type { Tenant, User } from '../types';
import { handleForm, num, optional, str } from './form';
import { parseRecordsField, recordLinesFieldFor } from './records-field';

export async function updateTenant(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(formData, async () => {
    await api<Tenant>('PATCH', '/v1/tenant', {
      name: str(formData, 'name'),
      locale: str(formData, 'locale'),
      timeZone: str(formData, 'timeZone'),
    });
    revalidatePath('/', 'layout');
    return { status: 'success', message: t('settings.saved') };
  });
}

export async function updateDnsDefaults(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  const recordsText = String(formData.get('defaultRecords') ?? '');
  const recordsFieldFor = recordLinesFieldFor(t, 'defaultRecords', recordsText);
  return handleForm(
    formData,
    async () => {
      const nameservers = String(formData.get('nameservers') ?? '')
        .split(/[\s,]+/)
        .map((n) => n.trim())
        .filter(Boolean);
      const defaultRecords = parseRecordsField(t, 'defaultRecords', recordsText);
      await api<Tenant>('PATCH', '/v1/tenant', {
        settings: { dns: { nameservers, hostmaster: str(formData, 'hostmaster'), ttl: num(formData, 'ttl'), defaultRecords } },
      });
      revalidatePath('/admin/settings');
      return { status: 'success', message: t('settings.saved') };
    },
    {
      fieldFor: (path) => {
        const rest = path.slice(path.indexOf('dns') + 1);
        const [field] = rest;
        if (field === 'defaultRecords') return recordsFieldFor(['records', ...rest.slice(1)]);
        return typeof field === 'string' ? field : undefined;
      },
    },
  );
}

export async function updateProfile(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(formData, async () => {
    await api<User>('PATCH', '/v1/me', { name: str(formData, 'name') });
    revalidatePath('/', 'layout');
    return { status: 'success', message: t('settings.saved') };
  });
}

export async function createStaffUser(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(
    formData,
    async () => {
      const user = await api<User>('POST', '/v1/users', {
        name: str(formData, 'name'),
        email: str(formData, 'email'),
        role: str(formData, 'role'),
        password: String(formData.get('password') ?? ''),
        locale: optional(formData, 'locale'),
      });
      revalidatePath('/admin/settings');
      return { status: 'success', message: t('team.created', { email: user.email }) };
    },
    { secret: ['password'] },
  );
}
