// A table of orders (the account page and /admin/orders): what is billed, since when, until when, and its state.
import { Link } from '@/components/link';
import { Badge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { getFormat } from '@/server/format';
import type { Order } from '@/server/types';

/** An order's state as a badge: ignored, cancelled, ending on a date, or active. */
export async function OrderStatus({ order }: { order: Order }) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  if (order.ignored) return <Badge tone="warning">{t('orders.ignored')}</Badge>;
  if (order.cancelledOn && order.cancelledOn <= fmt.today()) return <Badge>{t('orders.cancelled')}</Badge>;
  if (order.cancelledOn) return <Badge tone="info">{t('orders.cancelScheduled', { date: fmt.day(order.cancelledOn) })}</Badge>;
  return <Badge tone="success">{t('orders.active')}</Badge>;
}

export async function OrdersTable({
  orders,
  caption,
  definitionName,
  accountName,
}: {
  orders: Order[];
  caption: string;
  /** Billable service names by id (ids are shown when the user cannot read the catalog). */
  definitionName: ReadonlyMap<string, string>;
  /** Account names by id; the account column shows only when given. */
  accountName?: ReadonlyMap<string, string>;
}) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">{t('orders.descriptionLabel')}</th>
          {accountName && <th scope="col">{t('orders.account')}</th>}
          <th scope="col">{t('orders.billableService')}</th>
          <th scope="col">{t('orders.registeredOn')}</th>
          <th scope="col">{t('orders.cancelledOn')}</th>
          <th scope="col">{t('orders.billedUntil')}</th>
          <th scope="col">{t('orders.status')}</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((o) => (
          <tr key={o.id}>
            <th scope="row">
              <Link href={`/admin/orders/${o.id}`}>{o.description || o.id}</Link>
            </th>
            {accountName && (
              <td>
                {accountName.has(o.accountId) ? (
                  <Link href={`/admin/accounts/${o.accountId}`}>{accountName.get(o.accountId)}</Link>
                ) : (
                  <span className="mono">{o.accountId}</span>
                )}
              </td>
            )}
            <td>
              {definitionName.has(o.billableServiceId) ? (
                <Link href={`/admin/catalog/${o.billableServiceId}`}>{definitionName.get(o.billableServiceId)}</Link>
              ) : (
                <span className="mono">{o.billableServiceId}</span>
              )}
            </td>
            <td>{fmt.day(o.registeredOn)}</td>
            <td>{o.cancelledOn ? fmt.day(o.cancelledOn) : '—'}</td>
            <td>{o.billedUntil ? fmt.day(o.billedUntil) : <span className="muted">{t('orders.notBilled')}</span>}</td>
            <td>
              <OrderStatus order={o} />
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
