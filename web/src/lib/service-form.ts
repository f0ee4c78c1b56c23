// A generated service form (GET /v1/service-types) ↔ form fields: the submitted strings parsed back into a spec
// (numbers, booleans, lists, JSON) and a stored spec turned into the fields' initial values. Pure, no imports but
// types, so unit tests run it as it is. The API validates the result with the kind's zod schema.
import type { FormDescription, FormField } from '@consort/shared/services/forms';

/** Form field name of a spec field: the API's 422 paths (`spec.quotaMb`) name the field directly. */
export const fieldName = (field: Pick<FormField, 'name'>) => `spec.${field.name}`;

export interface ParsedSubmission {
  spec: Record<string, unknown>;
  /** Problems found before the API (e.g. JSON that does not parse), by form field name. */
  errors: Record<string, string[]>;
}

const lines = (text: string) =>
  text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);

/**
 * Parse a submission. `get(name)` returns every value submitted under a name (FormData.getAll). Fields that are
 * not in `fields` (identity fields on a change, fields a customer may not set) are left out; the caller merges the
 * result over the stored spec. Empty optional values are left out so the schema's default applies; an empty
 * secret keeps the stored one.
 */
export function parseSubmission(fields: readonly FormField[], get: (name: string) => string[]): ParsedSubmission {
  const spec: Record<string, unknown> = {};
  const errors: Record<string, string[]> = {};
  for (const field of fields) {
    const raw = get(fieldName(field));
    const first = raw[0] ?? '';
    const text = field.widget === 'textarea' ? first.replace(/\s+$/, '') : first.trim();
    switch (field.value) {
      case 'boolean':
        spec[field.name] = raw.length > 0;
        break;
      case 'number': {
        if (!text) break;
        const n = Number(text);
        // Not a number: sent as typed, so the schema's message ("expected number") names the field.
        spec[field.name] = Number.isFinite(n) ? n : text;
        break;
      }
      case 'strings': {
        const values = field.widget === 'multi-select' ? raw.filter(Boolean) : lines(raw.join('\n'));
        spec[field.name] = field.ref?.itemKey ? values.map((v) => ({ [field.ref!.itemKey!]: v })) : values;
        break;
      }
      case 'json': {
        if (!text) break;
        try {
          spec[field.name] = JSON.parse(text);
        } catch {
          errors[fieldName(field)] = ['This is not valid JSON'];
        }
        break;
      }
      default:
        if (text) spec[field.name] = text;
    }
  }
  return { spec, errors };
}

/** Initial values of the fields from a stored spec (or the schema defaults for a new service); never a secret. */
export function initialValues(form: FormDescription, spec?: Record<string, unknown>): Record<string, string | string[] | boolean> {
  const values: Record<string, string | string[] | boolean> = {};
  for (const field of form.fields) {
    if (field.secret) continue;
    const value = spec ? spec[field.name] : field.default;
    if (value === undefined || value === null) continue;
    if (field.value === 'boolean') values[field.name] = value === true;
    else if (field.value === 'strings') {
      const items = Array.isArray(value) ? value : [];
      const names = items.map((v) =>
        field.ref?.itemKey && typeof v === 'object' && v ? (v as Record<string, unknown>)[field.ref.itemKey] : v,
      );
      values[field.name] = field.widget === 'multi-select' ? names.map(String) : names.map(String).join('\n');
    } else if (field.value === 'json') values[field.name] = JSON.stringify(value, null, 2);
    else values[field.name] = String(value);
  }
  return values;
}

/** Which fields a form shows as inputs: on a change, identity fields are shown read-only and not submitted. */
export function editableFields(form: FormDescription, mode: 'create' | 'change'): FormField[] {
  return form.fields.filter((f) => mode === 'create' || !f.identity);
}
