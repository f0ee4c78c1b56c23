'use server';
// Rollouts: start a bulk re-apply (the dry run is a GET page, /admin/rollouts/dry-run).
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api } from '../api';
import { FormInputError, handleForm, num, str } from './form';

/** `"10%"` stays a percentage; a plain number is a count of hosts. */
function threshold(text: string): number | string {
  const value = text.trim();
  return /^\d+$/.test(value) ? Number(value) : value;
}

export async function startRollout(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  let id = '';
  const state = await handleForm(
    formData,
    async () => {
      const filterText = str(formData, 'filter');
      let filter: unknown;
      try {
        filter = filterText.trim() ? JSON.parse(filterText) : undefined;
      } catch {
        throw new FormInputError({ filter: [t('routeRules.matchInvalid')] });
      }
      const rollout = await api<{ id: string }>('POST', '/v1/rollouts', {
        kind: str(formData, 'kind'),
        ...(filter ? { filter } : {}),
        maxConcurrency: num(formData, 'maxConcurrency') ?? 5,
        errorThreshold: threshold(str(formData, 'errorThreshold') || '0'),
      });
      id = rollout.id;
      return { status: 'success' };
    },
    {
      fields: ['kind', 'filter', 'maxConcurrency', 'errorThreshold'],
      fieldFor: (path) => (path[0] === 'filter' ? { field: 'filter', prefix: path.slice(1).join('.') || undefined } : path.join('.')),
    },
  );
  if (id) redirect(`/admin/rollouts/${id}`);
  return state;
}
