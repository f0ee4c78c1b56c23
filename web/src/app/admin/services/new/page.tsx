import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Link } from '@/components/link';
import { ActionForm, SubmitButton } from '@/components/form';
import { ServiceFormFields } from '@/components/service-form-fields';
import { Notice, PageHeader, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { initialValues } from '@/lib/service-form';
import { createService } from '@/server/actions/services';
import { apiGet } from '@/server/api';
import { getServiceType, getServiceTypes, referenceChoices } from '@/server/services';
import type { Account, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('selfService.newTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

/** Step 1: the kind; step 2: the account (reference choices are that account's own); step 3: the generated form. */
export default async function NewServicePage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const params = await searchParams;
  const kind = one(params.kind);
  const type = await getServiceType(kind);
  if (!type) {
    const types = (await getServiceTypes()).filter((ty) => ty.permissions.create);
    return (
      <>
        <p className="breadcrumb">
          <Link href="/admin/services">← {t('selfService.adminTitle')}</Link>
        </p>
        <PageHeader title={t('selfService.newTitle')} />
        <Section title={t('selfService.chooseKind')} id="kinds">
          <ul>
            {types.map((ty) => (
              <li key={ty.kind}>
                <Link href={`/admin/services/new?kind=${ty.kind}`}>{ty.label}</Link>
              </li>
            ))}
          </ul>
        </Section>
      </>
    );
  }
  if (!type.permissions.create) notFound();
  const accounts = await apiGet<Page<Account>>('/v1/accounts', { limit: 200 });
  const account = accounts.items.find((a) => a.id === one(params.accountId));
  const title = t('selfService.newOfKind', { kind: type.label });
  const choices = account ? await referenceChoices(type.form.fields, account.id) : {};
  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/services">← {t('selfService.adminTitle')}</Link>
      </p>
      <PageHeader title={title} />
      <Section title={t('selfService.account')} id="account">
        <form method="get" className="inline-form" aria-label={t('selfService.account')}>
          <input type="hidden" name="kind" value={type.kind} />
          <label htmlFor="account-choice">{t('selfService.account')}</label>
          <select id="account-choice" name="accountId" defaultValue={account?.id ?? ''} required>
            <option value="">{t('selfService.choose')}</option>
            {accounts.items.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
          <button type="submit" className="button button-secondary">
            {t('selfService.continue')}
          </button>
        </form>
        {!account && <Notice tone="info">{t('selfService.chooseAccountFirst')}</Notice>}
      </Section>
      {account && (
        <Section title={title} id="new-service">
          <ActionForm action={createService.bind(null, 'admin', type.kind)} aria-labelledby="new-service-title">
            <input type="hidden" name="accountId" value={account.id} />
            <ServiceFormFields
              fields={type.form.fields}
              values={initialValues(type.form)}
              choices={choices}
              labels={{ choose: t('selfService.choose'), noChoices: t('selfService.noChoices'), keepSecret: t('selfService.keepSecret') }}
            />
            <div className="form-actions">
              <SubmitButton>{t('selfService.create')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
    </>
  );
}
