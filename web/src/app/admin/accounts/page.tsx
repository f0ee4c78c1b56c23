import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { AccountFields } from '@/components/account-fields';
import { ActionForm, SubmitButton } from '@/components/form';
import { Badge, EmptyState, PageHeader, Pager, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { createAccount } from '@/server/actions/accounts';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { countryName } from '@/server/options';
import { can, getTenant } from '@/server/queries';
import type { Account, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('accounts.title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function AccountsPage({ searchParams }: { searchParams: SearchParams }) {
  const { locale, t } = await getI18n();
  const fmt = await getFormat();
  const params = await searchParams;
  const q = one(params.q);
  const cursor = one(params.cursor);
  const [accounts, canWrite, tenant] = await Promise.all([
    apiGet<Page<Account>>('/v1/accounts', { q, cursor, limit: 50 }),
    can('accounts:write'),
    getTenant(),
  ]);
  return (
    <>
      <PageHeader title={t('accounts.title')} description={t('accounts.description')} />
      <Section title={t('accounts.listTitle')} id="accounts">
        <form role="search" method="get" className="inline-form" aria-label={t('accounts.searchLabel')}>
          <label htmlFor="account-search" className="visually-hidden">
            {t('accounts.searchLabel')}
          </label>
          <input id="account-search" type="search" name="q" defaultValue={q} placeholder={t('accounts.searchPlaceholder')} />
          <button type="submit" className="button button-secondary">
            {t('common.search')}
          </button>
          {q && <Link href="/admin/accounts">{t('common.clear')}</Link>}
        </form>
        {accounts.items.length === 0 ? (
          <EmptyState>{q ? t('accounts.noMatches') : t('accounts.empty')}</EmptyState>
        ) : (
          <Table caption={t('accounts.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('fields.name')}</th>
                <th scope="col">{t('accounts.type')}</th>
                <th scope="col">{t('fields.email')}</th>
                <th scope="col">{t('fields.country')}</th>
                <th scope="col">{t('accounts.status')}</th>
                <th scope="col">{t('common.created')}</th>
              </tr>
            </thead>
            <tbody>
              {accounts.items.map((a) => (
                <tr key={a.id}>
                  <th scope="row">
                    <Link href={`/admin/accounts/${a.id}`}>{a.name}</Link>
                  </th>
                  <td>{t(`accounts.types.${a.type}`)}</td>
                  <td>{a.email}</td>
                  <td>{countryName(locale, a.country)}</td>
                  <td>{a.active ? <Badge tone="success">{t('accounts.active')}</Badge> : <Badge>{t('accounts.inactive')}</Badge>}</td>
                  <td>{fmt.date(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/accounts" query={{ q }} nextCursor={accounts.nextCursor} hasCursor={!!cursor} />
      </Section>
      {canWrite && (
        <Section title={t('accounts.createTitle')} id="new-account">
          <ActionForm action={createAccount} aria-labelledby="new-account-title">
            <AccountFields defaultCountry={tenant.country} />
            <div className="form-actions">
              <SubmitButton>{t('accounts.create')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
    </>
  );
}
