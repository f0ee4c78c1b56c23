import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { EmptyState, PageHeader, Pager, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import { getServiceTypes } from '@/server/services';
import type { Account, Page, Service } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('selfService.adminTitle') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function ServicesPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const params = await searchParams;
  const me = await getMe();
  const types = await getServiceTypes();
  const kind = types.find((ty) => ty.kind === one(params.kind))?.kind;
  const accountId = one(params.accountId);
  const cursor = one(params.cursor);
  const [services, accounts] = await Promise.all([
    apiGet<Page<Service>>('/v1/services', { kind, accountId, cursor, limit: 50 }),
    me.permissions.includes('accounts:read') ? apiGet<Page<Account>>('/v1/accounts', { limit: 200 }) : undefined,
  ]);
  const accountName = new Map((accounts?.items ?? []).map((a) => [a.id, a.name]));
  const label = new Map(types.map((ty) => [ty.kind, ty.label]));
  const canOperations = me.permissions.includes('operations:read');
  const creatable = types.filter((ty) => ty.permissions.create);
  return (
    <>
      <PageHeader title={t('selfService.adminTitle')} description={t('selfService.adminDescription')} />
      <Section title={t('selfService.listTitle')} id="services">
        <form method="get" className="inline-form" aria-label={t('selfService.filterLabel')}>
          <label htmlFor="kind-filter">{t('selfService.kind')}</label>
          <select id="kind-filter" name="kind" defaultValue={kind ?? ''}>
            <option value="">{t('selfService.allKinds')}</option>
            {types.map((ty) => (
              <option key={ty.kind} value={ty.kind}>
                {ty.label}
              </option>
            ))}
          </select>
          {accounts && (
            <>
              <label htmlFor="account-filter">{t('selfService.account')}</label>
              <select id="account-filter" name="accountId" defaultValue={accountId ?? ''}>
                <option value="">{t('selfService.allAccounts')}</option>
                {accounts.items.map((a) => (
                  <option key={a.id} value={a.id}>
                    {a.name}
                  </option>
                ))}
              </select>
            </>
          )}
          <button type="submit" className="button button-secondary">
            {t('common.filter')}
          </button>
          {(kind || accountId) && <Link href="/admin/services">{t('common.clear')}</Link>}
        </form>
        {services.items.length === 0 ? (
          <EmptyState>{t('selfService.empty')}</EmptyState>
        ) : (
          <Table caption={t('selfService.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('selfService.name')}</th>
                <th scope="col">{t('selfService.kind')}</th>
                <th scope="col">{t('selfService.account')}</th>
                <th scope="col">{t('services.state')}</th>
                <th scope="col">{t('selfService.lastOperation')}</th>
                <th scope="col">{t('common.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {services.items.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link href={`/admin/services/${s.id}`}>{s.name}</Link>
                  </th>
                  <td>{label.get(s.kind) ?? s.kind}</td>
                  <td>
                    {accountName.has(s.accountId) ? (
                      <Link href={`/admin/accounts/${s.accountId}`}>{accountName.get(s.accountId)}</Link>
                    ) : (
                      <span className="mono">{s.accountId}</span>
                    )}
                  </td>
                  <td>
                    <StateBadge state={s.state} />
                  </td>
                  <td>
                    {canOperations && s.lastOperationId ? (
                      <Link href={`/admin/operations/${s.lastOperationId}`} aria-label={t('selfService.openOperationOf', { name: s.name })}>
                        {t('selfService.openOperation')}
                      </Link>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td>{fmt.dateTime(s.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
        <Pager basePath="/admin/services" query={{ kind, accountId }} nextCursor={services.nextCursor} hasCursor={!!cursor} />
      </Section>
      {creatable.length > 0 && (
        <Section title={t('selfService.newTitle')} id="new-service">
          <ul>
            {creatable.map((ty) => (
              <li key={ty.kind}>
                <Link href={`/admin/services/new?kind=${ty.kind}${accountId ? `&accountId=${encodeURIComponent(accountId)}` : ''}`}>
                  {t('selfService.newOfKind', { kind: ty.label })}
                </Link>
              </li>
            ))}
          </ul>
        </Section>
      )}
    </>
  );
}
