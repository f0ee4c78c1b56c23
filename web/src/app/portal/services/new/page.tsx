import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Link } from '@/components/link';
import { ActionForm, SubmitButton } from '@/components/form';
import { ServiceFormFields } from '@/components/service-form-fields';
import { PageHeader, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { initialValues } from '@/lib/service-form';
import { createService } from '@/server/actions/services';
import { getMe } from '@/server/queries';
import { getServiceType, referenceChoices } from '@/server/services';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('selfService.newTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/** A new service of a kind the customer may create, for their own account; `?spec.<field>=` prefills a field. */
export default async function PortalNewServicePage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const params = await searchParams;
  const type = await getServiceType(one(params.kind));
  if (!type || !type.permissions.create) notFound();
  const me = await getMe();
  const prefill = Object.fromEntries(
    type.form.fields.flatMap((f) => {
      const value = one(params[`spec.${f.name}`]);
      return value === undefined || f.secret ? [] : [[f.name, f.value === 'strings' ? [value] : value]];
    }),
  );
  const choices = await referenceChoices(type.form.fields, me.user.accountId ?? '');
  const values = { ...initialValues(type.form), ...initialValues(type.form, prefill) };
  const title = t('selfService.newOfKind', { kind: type.label });
  return (
    <>
      <p className="breadcrumb">
        <Link href="/portal/services">← {t('selfService.portalTitle')}</Link>
      </p>
      <PageHeader title={title} />
      <Section title={title} id="new-service">
        <ActionForm action={createService.bind(null, 'portal', type.kind)} aria-labelledby="new-service-title">
          <ServiceFormFields
            fields={type.form.fields}
            values={values}
            choices={choices}
            labels={{ choose: t('selfService.choose'), noChoices: t('selfService.noChoices'), keepSecret: t('selfService.keepSecret') }}
          />
          <div className="form-actions">
            <SubmitButton>{t('selfService.create')}</SubmitButton>
          </div>
        </ActionForm>
      </Section>
    </>
  );
}
