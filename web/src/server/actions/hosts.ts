'use server';
// Hosts (servers Consort provisions) and routes (which hosts run which backend for a service kind).
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate, type Translate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api } from '../api';
import type { Host, Route } from '../types';
import { FormInputError, handleForm, num, optional, str } from './form';

/** `key=value` lines → a config record; blank lines and `#` comments are skipped. */
function parseConfig(t: Translate, text: string): Record<string, string> {
  const config: Record<string, string> = {};
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) return problems.push(t('hosts.configLineProblem', { line: i + 1 }));
    config[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  });
  if (problems.length) throw new FormInputError({ config: problems });
  return config;
}

function hostBody(t: Translate, formData: FormData) {
  return {
    name: str(formData, 'name'),
    address: str(formData, 'address'),
    port: num(formData, 'port') ?? 22,
    username: str(formData, 'username') || 'root',
    transport: str(formData, 'transport') || 'ssh',
    instanceId: optional(formData, 'instanceId'),
    hostKeyFingerprint: optional(formData, 'hostKeyFingerprint'),
    config: parseConfig(t, String(formData.get('config') ?? '')),
    description: optional(formData, 'description'),
  };
}

const hostFields = (path: (string | number)[]) => (path[0] === 'config' ? 'config' : path.join('.'));

export async function createHost(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(
    formData,
    async () => {
      const host = await api<Host>('POST', '/v1/hosts', hostBody(t, formData));
      revalidatePath('/admin/hosts');
      return { status: 'success', message: t('hosts.created', { name: host.name }) };
    },
    { fieldFor: hostFields },
  );
}

export async function updateHost(hostId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(
    formData,
    async () => {
      const { hostKeyFingerprint, ...body } = hostBody(t, formData);
      // An empty fingerprint field keeps the pinned key (clearing it is a separate, explicit action).
      await api<Host>('PATCH', `/v1/hosts/${encodeURIComponent(hostId)}`, {
        ...body,
        ...(hostKeyFingerprint ? { hostKeyFingerprint } : {}),
      });
      revalidatePath('/admin/hosts');
      revalidatePath(`/admin/hosts/${hostId}`);
      return { status: 'success', message: t('hosts.saved') };
    },
    { fieldFor: hostFields },
  );
}

export async function deleteHost(hostId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/hosts/${encodeURIComponent(hostId)}`);
    revalidatePath('/admin/hosts');
    redirect('/admin/hosts');
  });
}

export async function createRoute(_state: FormState, formData: FormData): Promise<FormState> {
  const t = createTranslate(await getLocale());
  return handleForm(
    formData,
    async () => {
      const [kind = '', backend = ''] = str(formData, 'kindBackend').split(':');
      await api<Route>('POST', '/v1/routes', { kind, backend, hostId: str(formData, 'hostId'), active: formData.get('active') === 'on' });
      revalidatePath('/admin/hosts');
      return { status: 'success', message: t('routes.created') };
    },
    { fields: ['active'], fieldFor: (path) => (path[0] === 'kind' || path[0] === 'backend' ? 'kindBackend' : path.join('.')) },
  );
}

export async function deleteRoute(routeId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/routes/${encodeURIComponent(routeId)}`);
    revalidatePath('/admin/hosts');
  });
}

/** Replace the tenant's provisioning key pair (owners and admins); the page then shows the new public key. */
export async function rotateProvisioningKey(_state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('POST', '/v1/tenant/provisioning-key/rotate');
    revalidatePath('/admin/hosts');
  });
}
