'use server';
// API keys: the secret is returned once, shown once, never stored by the web app.
import { revalidatePath } from 'next/cache';
import type { FormState } from '@/components/form-state';
import { api } from '../api';
import type { ApiKey } from '../types';
import { handleForm, str } from './form';

export interface CreatedKey {
  name: string;
  secret: string;
}

export async function createApiKey(_state: FormState, formData: FormData): Promise<FormState<CreatedKey>> {
  return handleForm(formData, async () => {
    const { apiKey, secret } = await api<{ apiKey: ApiKey; secret: string }>('POST', '/v1/api-keys', {
      name: str(formData, 'name'),
      role: str(formData, 'role'),
    });
    revalidatePath('/admin/api-keys');
    return { status: 'success', data: { name: apiKey.name, secret } };
  }) as Promise<FormState<CreatedKey>>;
}

export async function revokeApiKey(keyId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/api-keys/${encodeURIComponent(keyId)}`);
    revalidatePath('/admin/api-keys');
  });
}
