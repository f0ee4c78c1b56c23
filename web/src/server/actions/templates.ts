'use server';
// Provisioning templates: preview a candidate (nothing stored), save it as a new version, or revert to the default.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api } from '../api';
import { FormInputError, formValues, handleForm, optional, str } from './form';

export interface TemplatePreview {
  hostName?: string;
  scripts: { action: 'save' | 'delete'; script: string }[];
  errors: string[];
  diff: string;
}

const path = (backend: string, file: string) => `/v1/provisioning/templates/${encodeURIComponent(backend)}/${encodeURIComponent(file)}`;

/** The editor's one action: `intent=preview` renders the candidate for the chosen service, `intent=save` stores it. */
export async function templateEditorAction(
  backend: string,
  file: string,
  _state: FormState,
  formData: FormData,
): Promise<FormState<TemplatePreview>> {
  const t = createTranslate(await getLocale());
  return handleForm(
    formData,
    async () => {
      // Not trimmed (leading blanks and the final newline are part of a template); browsers send CRLF line ends.
      const raw = formData.get('text');
      if (typeof raw !== 'string' || raw === '') throw new FormInputError({ text: [t('templates.textRequired')] });
      const text = raw.replace(/\r\n?/g, '\n');
      if (str(formData, 'intent') === 'preview') {
        const serviceId = str(formData, 'serviceId');
        if (!serviceId) throw new FormInputError({ serviceId: [t('templates.serviceRequired')] });
        const preview = await api<TemplatePreview>('POST', `${path(backend, file)}/preview`, { serviceId, text });
        return { status: 'success', message: t('templates.previewed'), data: preview, values: formValues(formData) };
      }
      const saved = await api<{ version: { version: number } }>('PUT', path(backend, file), {
        text,
        comment: optional(formData, 'comment'),
      });
      revalidatePath(`/admin/templates/${backend}/${file}`);
      return { status: 'success', message: t('templates.saved', { version: saved.version.version }) };
    },
    { fields: ['text', 'serviceId', 'comment'] },
  ) as Promise<FormState<TemplatePreview>>;
}

/** Revert to the default text (a new version that removes the override), then show the page afresh. */
export async function revertTemplate(backend: string, file: string, _state: FormState, formData: FormData): Promise<FormState> {
  let reverted = false;
  const state = await handleForm(formData, async () => {
    const comment = optional(formData, 'comment');
    await api('DELETE', `${path(backend, file)}${comment ? `?comment=${encodeURIComponent(comment)}` : ''}`);
    reverted = true;
  });
  // The revert form belongs to the override, which is gone: a fresh page shows the default in the editor.
  if (reverted) redirect(`/admin/templates/${encodeURIComponent(backend)}/${encodeURIComponent(file)}?reverted=1`);
  return state;
}
