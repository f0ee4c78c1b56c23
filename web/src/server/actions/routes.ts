'use server';
// Route rules on the host page: save a route's priority, state and rule, or preview which services the rule takes.
import { revalidatePath } from 'next/cache';
import type { FormState } from '@/components/form-state';
import { createTranslate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api } from '../api';
import type { Route } from '../types';
import { FormInputError, handleForm, num, str } from './form';

interface Preview {
  scanned: number;
  matchedCount: number;
  items: { name: string }[];
}

/** The rule field as JSON (empty = every service); a syntax error is reported on the field. */
function parseRule(text: string, message: string): unknown {
  if (!text.trim()) return null;
  try {
    return JSON.parse(text);
  } catch {
    throw new FormInputError({ match: [message] });
  }
}

export async function saveRoute(route: Pick<Route, 'id' | 'kind' | 'hostId'>, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(
    formData,
    async () => {
      const match = parseRule(str(formData, 'match'), t('routeRules.matchInvalid'));
      if (formData.get('intent') === 'preview') {
        const preview = await api<Preview>('POST', '/v1/routes/preview', { kind: route.kind, ...(match ? { match } : {}) });
        const names = preview.items.slice(0, 20).map((s) => s.name);
        const more = preview.matchedCount > names.length ? ` (+${preview.matchedCount - names.length})` : '';
        return {
          status: 'success',
          message: preview.matchedCount
            ? t('routeRules.previewResult', { count: preview.matchedCount, scanned: preview.scanned, names: names.join(', ') + more })
            : t('routeRules.previewNone', { scanned: preview.scanned }),
        };
      }
      await api<Route>('PATCH', `/v1/routes/${encodeURIComponent(route.id)}`, {
        priority: num(formData, 'priority') ?? 100,
        active: formData.get('active') === 'on',
        match,
      });
      revalidatePath(`/admin/hosts/${route.hostId}`);
      revalidatePath('/admin/hosts');
      return { status: 'success', message: t('routeRules.saved') };
    },
    {
      fields: ['priority', 'active', 'match'],
      fieldFor: (path) => (path[0] === 'match' ? { field: 'match', prefix: path.slice(1).join('.') || undefined } : path.join('.')),
    },
  );
}
