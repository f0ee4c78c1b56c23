'use server';
// Domains (DNS zones) and their records. A record change PATCHes the whole spec, which queues provisioning.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate, type Translate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { RECORD_TYPES } from '@/lib/zone-lines';
import { api } from '../api';
import type { DnsRecordInput, DomainService, ServiceChange } from '../types';
import { FormInputError, handleForm, num, str } from './form';
import { parseRecordsField, recordLinesFieldFor } from './records-field';

/** Where the domain page lives for each portal (never taken from the request). */
type Scope = 'admin' | 'portal';
const domainPath = (scope: Scope, id: string) => `/${scope === 'portal' ? 'portal' : 'admin'}/domains/${encodeURIComponent(id)}`;

export async function createDomain(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  const recordsText = String(formData.get('records') ?? '');
  return handleForm(
    formData,
    async () => {
      const records = parseRecordsField(t, 'records', recordsText);
      const ttl = num(formData, 'ttl');
      const { service } = await api<ServiceChange>('POST', '/v1/services', {
        accountId: str(formData, 'accountId'),
        kind: 'domain',
        spec: { name: str(formData, 'name'), ...(records.length ? { records } : {}), ...(ttl !== undefined ? { ttl } : {}) },
      });
      revalidatePath('/admin/domains');
      redirect(domainPath('admin', service.id));
    },
    { fieldFor: recordLinesFieldFor(t, 'records', recordsText) },
  );
}

/** A record from the record form's fields; empty numeric fields are left out so the API reports them. */
function recordFromForm(formData: FormData): DnsRecordInput {
  const type = str(formData, 'type').toUpperCase();
  const name = str(formData, 'name') || '@';
  const ttl = num(formData, 'ttl');
  const value = type === 'TXT' ? String(formData.get('value') ?? '') : str(formData, 'value');
  const base: Record<string, unknown> = { type, name, ...(ttl !== undefined ? { ttl } : {}) };
  switch (type) {
    case 'MX':
      return { ...base, priority: num(formData, 'priority'), value } as DnsRecordInput;
    case 'SRV':
      return {
        ...base,
        priority: num(formData, 'priority'),
        weight: num(formData, 'weight'),
        port: num(formData, 'port'),
        value,
      } as DnsRecordInput;
    case 'CAA':
      return { ...base, flags: num(formData, 'flags') ?? 0, tag: str(formData, 'tag'), value } as DnsRecordInput;
    default:
      return { ...base, value } as DnsRecordInput;
  }
}

/** The domain as it is now; refuses to overwrite a change made since the form was rendered. */
async function currentDomain(t: Translate, serviceId: string, expectedVersion: string): Promise<DomainService> {
  const service = await api<DomainService>('GET', `/v1/services/${encodeURIComponent(serviceId)}`);
  if (expectedVersion && String(service.version) !== expectedVersion) throw FormInputError.form(t('records.changedMeanwhile'));
  return service;
}

async function patchRecords(service: DomainService, records: DnsRecordInput[]) {
  return api<ServiceChange>('PATCH', `/v1/services/${encodeURIComponent(service.id)}`, { spec: { ...service.spec, records } });
}

/** Add a record (`index` empty) or replace the record at `index`. */
export async function saveRecord(scope: Scope, serviceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  let edited: number | undefined;
  return handleForm(
    formData,
    async () => {
      const service = await currentDomain(t, serviceId, str(formData, 'version'));
      const records = [...((service.spec.records ?? []) as DnsRecordInput[])];
      const record = recordFromForm(formData);
      if (!(RECORD_TYPES as readonly string[]).includes(record.type)) throw new FormInputError({ type: [t('records.problemType')] });
      const indexText = str(formData, 'index');
      edited = indexText === '' ? records.length : Number(indexText);
      if (!Number.isInteger(edited) || edited < 0 || edited > records.length) throw FormInputError.form(t('records.changedMeanwhile'));
      records[edited] = record;
      await patchRecords(service, records);
      revalidatePath(domainPath(scope, serviceId));
      redirect(`${domainPath(scope, serviceId)}?saved=1`);
    },
    {
      // Issues about the edited record go next to its fields; issues about other records to the summary.
      fieldFor: (path) => {
        const at = path.indexOf('records');
        if (at === -1 || path[at + 1] !== edited) return undefined;
        const field = path[at + 2];
        return typeof field === 'string' ? field : 'type';
      },
    },
  );
}

export async function removeRecord(scope: Scope, serviceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(formData, async () => {
    const service = await currentDomain(t, serviceId, str(formData, 'version'));
    const index = Number(str(formData, 'index'));
    const records = ((service.spec.records ?? []) as DnsRecordInput[]).filter((_, i) => i !== index);
    await patchRecords(service, records);
    revalidatePath(domainPath(scope, serviceId));
    redirect(domainPath(scope, serviceId));
  });
}

export async function deleteDomain(serviceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/services/${encodeURIComponent(serviceId)}`);
    revalidatePath('/admin/domains');
    redirect(domainPath('admin', serviceId));
  });
}
