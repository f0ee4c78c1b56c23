// Generated service forms: the kinds with their forms and the caller's permissions (GET /v1/service-types), and
// the choices of reference fields, taken from the account's own services only.
import { cache } from 'react';
import type { FormDescription, FormField, ServicePermissions } from '@consort/shared/services/forms';
import type { Option } from '@/components/form';
import { getLocale } from '@/i18n/server';
import { apiGet } from './api';
import type { Page, Service } from './types';

export interface ServiceTypeInfo {
  kind: string;
  label: string;
  permissions: ServicePermissions;
  /** What customers may do with the kind (the same for every caller). */
  customer: ServicePermissions;
  form: FormDescription;
}

/**
 * Every kind with its generated form for the signed-in user (customers: only the fields they may set), its labels in
 * the request's language (the API falls back to English per text).
 */
export const getServiceTypes = cache(
  async () => (await apiGet<{ items: ServiceTypeInfo[] }>('/v1/service-types', { locale: await getLocale() })).items,
);

/** One kind, or undefined for an unknown one. */
export async function getServiceType(kind: string | undefined): Promise<ServiceTypeInfo | undefined> {
  return kind ? (await getServiceTypes()).find((t) => t.kind === kind) : undefined;
}

const isLive = (s: Service) => s.state !== 'deleting' && s.state !== 'deleted';

/**
 * Choices of each reference field: the account's live services of the referenced kind; when the field asks for
 * shared values (`same`, e.g. a grant's database of the user's engine) and the spec has them, only matching ones.
 */
export async function referenceChoices(
  fields: readonly FormField[],
  accountId: string,
  spec: Record<string, unknown> = {},
): Promise<Record<string, Option[]>> {
  const kinds = [...new Set(fields.flatMap((f) => (f.ref ? [f.ref.kind] : [])))];
  const pages = await Promise.all(kinds.map((kind) => apiGet<Page<Service>>('/v1/services', { kind, accountId, limit: 200 })));
  const byKind = new Map(kinds.map((kind, i) => [kind, pages[i]!.items.filter(isLive)]));
  const choices: Record<string, Option[]> = {};
  for (const field of fields) {
    if (!field.ref) continue;
    const same = Object.entries(field.ref.same ?? {});
    choices[field.name] = (byKind.get(field.ref.kind) ?? [])
      .filter((s) => same.every(([theirs, ours]) => spec[ours] === undefined || s.spec[theirs] === spec[ours]))
      .map((s) => {
        const extra = same.map(([theirs]) => s.spec[theirs]).filter((v) => typeof v === 'string');
        return { value: s.name, label: extra.length ? `${s.name} (${extra.join(', ')})` : s.name };
      });
  }
  return choices;
}

/** The portal and admin paths of a service's page (domains keep their records editor page). */
export function servicePath(scope: 'admin' | 'portal', service: Pick<Service, 'id' | 'kind'>): string {
  return `/${scope}/services/${encodeURIComponent(service.id)}`;
}
