'use server';
// SEPA mandates from the portals: a customer signs one online (the browser's address and user agent go with it as
// evidence), staff record one signed on paper, customers and staff revoke one.
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import type { Mandate } from '@consort/shared/payments/mandates';
import { api } from '../api';
import { handleForm, optional, str } from './form';

/** What the web server saw of the browser: the first `x-forwarded-for` hop (CloudFront, Next's own proxy) and the UA. */
async function browserEvidence(): Promise<{ ip?: string; userAgent?: string }> {
  const h = await headers();
  const ip = (h.get('x-forwarded-for') ?? '').split(',')[0]?.trim() || h.get('x-real-ip') || undefined;
  const userAgent = h.get('user-agent') ?? undefined;
  return { ...(ip ? { ip: ip.slice(0, 64) } : {}), ...(userAgent ? { userAgent: userAgent.slice(0, 500) } : {}) };
}

/** Member portal: sign a mandate online, then back to the payments page naming the new reference. */
export async function signMandate(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  let reference = '';
  const state = await handleForm(
    formData,
    async () => {
      const mandate = await api<Mandate>('POST', `/v1/accounts/${encodeURIComponent(accountId)}/mandates`, {
        debtor: { name: str(formData, 'debtor.name'), iban: str(formData, 'debtor.iban') },
        accepted: formData.get('accepted') === 'on',
        makeDefault: formData.get('makeDefault') === 'on',
        signature: await browserEvidence(),
      });
      reference = mandate.reference;
      revalidatePath('/portal/payments');
    },
    { fields: ['accepted', 'makeDefault'] },
  );
  if (reference) redirect(`/portal/payments?mandate=${encodeURIComponent(reference)}#mandates`);
  return state;
}

/** Staff: record a mandate the customer signed on paper (signature day, optional reference, scheme and type). */
export async function recordPaperMandate(accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(
    formData,
    async () => {
      await api('POST', `/v1/accounts/${encodeURIComponent(accountId)}/mandates`, {
        debtor: { name: str(formData, 'debtor.name'), iban: str(formData, 'debtor.iban') },
        signedOn: str(formData, 'signedOn'),
        ...(optional(formData, 'reference') ? { reference: optional(formData, 'reference') } : {}),
        scheme: str(formData, 'scheme'),
        kind: str(formData, 'kind'),
        makeDefault: formData.get('makeDefault') === 'on',
      });
      revalidatePath(`/admin/accounts/${accountId}`);
    },
    { fields: ['makeDefault'] },
  );
}

/** Revoke a mandate (its payment source goes with it); `back` is the page to refresh. */
export async function revokeMandate(
  accountId: string,
  mandateId: string,
  back: string,
  _state: FormState,
  formData: FormData,
): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', `/v1/accounts/${encodeURIComponent(accountId)}/mandates/${encodeURIComponent(mandateId)}`);
    revalidatePath(back);
  });
}
