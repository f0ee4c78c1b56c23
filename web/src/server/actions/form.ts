// Turning API answers into form state: field errors next to fields, a summary for the rest.
import { unstable_rethrow } from 'next/navigation';
import { createTranslate, translateApiMessage } from '@/i18n';
import { getLocale } from '@/i18n/server';
import type { FormState } from '@/components/form-state';
import { ApiError, type ApiIssue } from '../api';
import { log } from '../log';

/** A problem found before calling the API (e.g. a malformed `key=value` line), shown like an API 422. */
export class FormInputError extends Error {
  constructor(
    readonly fieldErrors: Record<string, string[]>,
    readonly formErrors: string[] = [],
  ) {
    super('Invalid form input');
    this.name = 'FormInputError';
  }

  /** A problem with the whole form (shown as its summary). */
  static form(message: string): FormInputError {
    return new FormInputError({}, [message]);
  }
}

export interface HandleFormOptions {
  /** Fields whose values are never sent back to the browser (passwords). */
  secret?: string[];
  /** Field names that may be missing from the submission (unchecked checkboxes) but exist in the form. */
  fields?: string[];
  /**
   * Map an issue path to a field name (optionally with a prefix for the message, e.g. "Line 3"); undefined =
   * show it in the summary. Default: the path joined by dots.
   */
  fieldFor?: (path: (string | number)[]) => string | { field: string; prefix?: string } | undefined;
}

/** The submitted values (strings only, secrets left out), to refill the form after an error. */
export function formValues(formData: FormData, secret: string[] = []): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of formData.entries()) {
    if (key.startsWith('$ACTION') || secret.includes(key) || typeof value !== 'string') continue;
    values[key] = key in values ? `${values[key]}\n${value}` : value;
  }
  return values;
}

/** `formData.get(name)` as a trimmed string ('' when absent). */
export function str(formData: FormData, name: string): string {
  const value = formData.get(name);
  return typeof value === 'string' ? value.trim() : '';
}

/** A trimmed string, or undefined when empty (optional API fields). */
export function optional(formData: FormData, name: string): string | undefined {
  return str(formData, name) || undefined;
}

/** A number, or undefined when empty; a non-number is passed on as the text so the API reports it. */
export function num(formData: FormData, name: string): number | undefined {
  const text = str(formData, name);
  if (!text) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : (text as unknown as number);
}

/**
 * Run a form's work and map failures to {@link FormState}. Redirects and other framework signals pass through;
 * API errors become messages (422 issues next to their fields), anything else a generic message.
 */
export async function handleForm(
  formData: FormData,
  work: () => Promise<FormState | void>,
  options: HandleFormOptions = {},
): Promise<FormState> {
  try {
    return (await work()) ?? { status: 'success' };
  } catch (error) {
    unstable_rethrow(error);
    const locale = await getLocale();
    const t = createTranslate(locale);
    const values = formValues(formData, options.secret);
    if (error instanceof FormInputError) {
      const hasFields = Object.keys(error.fieldErrors).length > 0;
      return {
        status: 'error',
        message: hasFields ? t('form.checkFields') : error.formErrors[0],
        formErrors: hasFields ? error.formErrors : error.formErrors.slice(1),
        fieldErrors: error.fieldErrors,
        values,
      };
    }
    if (error instanceof ApiError) {
      const present = new Set([...formData.keys(), ...(options.fields ?? [])]);
      const fieldFor = options.fieldFor ?? ((path: (string | number)[]) => path.join('.'));
      const fieldErrors: Record<string, string[]> = {};
      const formErrors: string[] = [];
      for (const issue of error.issues as ApiIssue[]) {
        const message = translateApiMessage(locale, issue.message);
        const target = fieldFor(issue.path);
        const field = typeof target === 'string' ? target : target?.field;
        const prefix = typeof target === 'object' && target.prefix ? `${target.prefix}: ` : '';
        if (field && present.has(field)) (fieldErrors[field] ??= []).push(`${prefix}${message}`);
        else formErrors.push(issue.path.length ? `${issue.path.join('.')}: ${message}` : message);
      }
      const message =
        error.status === 422 && Object.keys(fieldErrors).length
          ? t('form.checkFields')
          : error.status === 403
            ? t('form.forbidden', { reason: translateApiMessage(locale, error.message) })
            : error.status >= 500
              ? t('form.unavailable')
              : translateApiMessage(locale, error.message);
      return { status: 'error', message, formErrors, fieldErrors, values };
    }
    log.error('Form action failed', { error: error instanceof Error ? error.stack : String(error) });
    return { status: 'error', message: t('form.unexpected'), values };
  }
}
