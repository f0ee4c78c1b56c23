'use server';
// Services through their generated forms (both portals): the submitted fields are parsed back into a spec
// (lib/service-form.ts) and sent to the API, which validates them with the kind's schema and enforces what the
// caller may do; 422 issues come back next to their fields.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { editableFields, fieldName, parseSubmission } from '@/lib/service-form';
import { api } from '../api';
import { getMe } from '../queries';
import { getServiceType } from '../services';
import type { Service, ServiceChange } from '../types';
import { FormInputError, handleForm, str } from './form';

/** Which portal the action serves: decides the redirect, never taken from the request. */
type Scope = 'admin' | 'portal';
const base = (scope: Scope) => `/${scope}/services`;

/** A 422 at `spec.grants.0.database` belongs to the field `spec.grants`; the rest of the path prefixes the message. */
function fieldFor(path: (string | number)[]) {
  if (path[0] !== 'spec' || path.length < 2) return path[0] === 'accountId' ? 'accountId' : undefined;
  const field = `spec.${path[1]}`;
  return path.length > 2 ? { field, prefix: path.slice(2).join('.') } : field;
}

function parse(fields: Parameters<typeof parseSubmission>[0], formData: FormData) {
  const parsed = parseSubmission(fields, (name) => formData.getAll(name).filter((v): v is string => typeof v === 'string'));
  if (Object.keys(parsed.errors).length) throw new FormInputError(parsed.errors);
  return parsed.spec;
}

const options = (fields: Parameters<typeof parseSubmission>[0]) => ({
  fieldFor,
  fields: fields.map(fieldName),
  secret: fields.filter((f) => f.secret).map(fieldName),
});

/** Create a service of `kind`: staff choose the account, a customer's is their own. */
export async function createService(scope: Scope, kind: string, _state: FormState, formData: FormData): Promise<FormState> {
  const type = await getServiceType(kind);
  const fields = type ? editableFields(type.form, 'create') : [];
  return handleForm(
    formData,
    async () => {
      if (!type) throw FormInputError.form(`Unknown service kind ${kind}`);
      const me = await getMe();
      const accountId = scope === 'portal' ? (me.user.accountId ?? '') : str(formData, 'accountId');
      const spec = parse(fields, formData);
      const created = await api<ServiceChange>('POST', '/v1/services', { accountId, kind, spec });
      revalidatePath(base(scope));
      redirect(`${base(scope)}/${encodeURIComponent(created.service.id)}?created=1`);
    },
    options(fields),
  );
}

/** Change the fields of the form over the stored spec (identity fields and fields the caller cannot set stay). */
export async function updateService(scope: Scope, serviceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const path = `/v1/services/${encodeURIComponent(serviceId)}`;
  const current = await api<Service>('GET', path);
  const type = await getServiceType(current.kind);
  const fields = type ? editableFields(type.form, 'change') : [];
  return handleForm(
    formData,
    async () => {
      const spec = { ...current.spec, ...parse(fields, formData) };
      await api<ServiceChange>('PATCH', path, { spec });
      revalidatePath(`${base(scope)}/${encodeURIComponent(serviceId)}`);
      redirect(`${base(scope)}/${encodeURIComponent(serviceId)}?saved=1`);
    },
    options(fields),
  );
}

/** Disable or enable a service whose spec has a `disabled` flag (the hosts converge to it on the next save). */
export async function setServiceDisabled(scope: Scope, serviceId: string, disabled: boolean, _state: FormState, formData: FormData) {
  return handleForm(formData, async () => {
    const path = `/v1/services/${encodeURIComponent(serviceId)}`;
    const current = await api<Service>('GET', path);
    await api<ServiceChange>('PATCH', path, { spec: { ...current.spec, disabled } });
    revalidatePath(`${base(scope)}/${encodeURIComponent(serviceId)}`);
    redirect(`${base(scope)}/${encodeURIComponent(serviceId)}?saved=1`);
  });
}

export async function deleteService(scope: Scope, serviceId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api<ServiceChange>('DELETE', `/v1/services/${encodeURIComponent(serviceId)}`);
    revalidatePath(base(scope));
    redirect(`${base(scope)}/${encodeURIComponent(serviceId)}?deleted=1`);
  });
}

/** Staff set an account's self-service limits: a count per kind (empty = no limit) and the largest mailbox quota. */
export async function updateAccountLimits(accountId: string, kinds: string[], _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      const count = (name: string) => {
        const text = str(formData, name);
        if (!text) return undefined;
        const n = Number(text);
        return Number.isFinite(n) ? n : text;
      };
      const services = Object.fromEntries(
        kinds.flatMap((kind) => (count(`limit.${kind}`) === undefined ? [] : [[kind, count(`limit.${kind}`)]])),
      );
      const mailboxQuotaMb = count('mailboxQuotaMb');
      await api('PATCH', `/v1/accounts/${encodeURIComponent(accountId)}`, { limits: { services, mailboxQuotaMb } });
      revalidatePath(`/admin/accounts/${encodeURIComponent(accountId)}`);
      return { status: 'success' as const };
    },
    {
      fieldFor: (path) =>
        path[0] === 'limits' && path[1] === 'services' && path[2] !== undefined
          ? `limit.${path[2]}`
          : path[0] === 'limits' && path[1] === 'mailboxQuotaMb'
            ? 'mailboxQuotaMb'
            : undefined,
    },
  );
}
