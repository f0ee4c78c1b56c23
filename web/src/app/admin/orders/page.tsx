import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { BillingPreview } from '@/components/billing-preview';
import { OrdersTable } from '@/components/orders-table';
import { EmptyState, PageHeader, Pager, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getMe } from '@/server/queries';
import type { Account, BillableService, Order, Page } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('orders.title') };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;
const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) || undefined;

export default async function OrdersPage({ searchParams }: { searchParams: SearchParams }) {
  const { t } = await getI18n();
  const params = await searchParams;
  const cursor = one(params.cursor);
  const accountId = one(params.accountId);
  const billUntil = Array.isArray(params.billUntil) ? params.billUntil[0] : params.billUntil;
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const [orders, definitions, accounts] = await Promise.all([
    apiGet<Page<Order>>('/v1/orders', { accountId, cursor, limit: 50 }),
    has('catalog:read') ? apiGet<{ items: BillableService[] }>('/v1/billable-services') : undefined,
    has('accounts:read') ? apiGet<Page<Account>>('/v1/accounts', { limit: 200 }) : undefined,
  ]);
  const definitionName = new Map((definitions?.items ?? []).map((d) => [d.id, d.name]));
  const accountName = new Map((accounts?.items ?? []).map((a) => [a.id, a.name]));
  const orderName = new Map(orders.items.map((o) => [o.id, o.description]));
  return (
    <>
      <PageHeader title={t('orders.title')} description={t('orders.description')} />
      <Section title={t('orders.listTitle')} id="orders">
        {accountId && (
          <p className="muted">
            {t('orders.filteredByAccount', { name: accountName.get(accountId) ?? accountId })}{' '}
            <Link href="/admin/orders">{t('common.clear')}</Link>
          </p>
        )}
        {orders.items.length === 0 ? (
          <EmptyState>{accountId ? t('orders.accountEmpty') : t('orders.empty')}</EmptyState>
        ) : (
          <OrdersTable orders={orders.items} caption={t('orders.listTitle')} definitionName={definitionName} accountName={accountName} />
        )}
        <Pager basePath="/admin/orders" query={{ accountId }} nextCursor={orders.nextCursor} hasCursor={!!cursor} />
      </Section>
      <BillingPreview
        path="/admin/orders"
        accountId={accountId}
        billUntil={billUntil}
        keep={{ accountId, cursor }}
        accountName={accountName}
        orderName={orderName}
      />
    </>
  );
}
