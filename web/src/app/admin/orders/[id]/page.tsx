import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { OrderStatus } from '@/components/orders-table';
import { DescriptionList, EmptyState, Notice, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { scheduleCancellation, setOrderIgnored, withdrawCancellation } from '@/server/actions/orders';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { Account, BillableService, Order, Service } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const DONE = {
  ignored: 'orders.ignoredSaved',
  unignored: 'orders.unignoredSaved',
  scheduled: 'orders.scheduled',
  withdrawn: 'orders.withdrawn',
} as const;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const { t } = await getI18n();
  const order = await apiGet<Order>(`/v1/orders/${encodeURIComponent(id)}`);
  return { title: t('orders.detailTitle', { name: order.description }) };
}

export default async function OrderPage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const { done } = await searchParams;
  const doneKey = typeof done === 'string' && done in DONE ? DONE[done as keyof typeof DONE] : undefined;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const order = await apiGet<Order>(`/v1/orders/${encodeURIComponent(id)}`);
  // Names for the links; a missing permission or a deleted record leaves the id.
  const [account, definition, service] = await Promise.all([
    has('accounts:read') ? apiGet<Account>(`/v1/accounts/${encodeURIComponent(order.accountId)}`).catch(() => undefined) : undefined,
    has('catalog:read')
      ? apiGet<BillableService>(`/v1/billable-services/${encodeURIComponent(order.billableServiceId)}`).catch(() => undefined)
      : undefined,
    has('services:read') ? apiGet<Service>(`/v1/services/${encodeURIComponent(order.serviceId)}`).catch(() => undefined) : undefined,
  ]);
  const canWrite = has('orders:write');
  const today = fmt.today();
  const serviceLink =
    service?.kind === 'domain' ? (
      <Link href={`/admin/domains/${service.id}`}>{service.name}</Link>
    ) : (
      (service?.name ?? <span className="mono">{order.serviceId}</span>)
    );

  return (
    <>
      <p className="breadcrumb">
        <Link href={account ? `/admin/accounts/${account.id}#orders` : '/admin/orders'}>
          ← {account ? account.name : t('orders.title')}
        </Link>
      </p>
      <PageHeader
        title={t('orders.detailTitle', { name: order.description })}
        description={definition?.name}
        actions={<OrderStatus order={order} />}
      />

      <Section title={t('orders.detailsTitle')} id="details">
        <DescriptionList
          items={[
            [t('orders.account'), account ? <Link href={`/admin/accounts/${account.id}`}>{account.name}</Link> : order.accountId],
            [t('orders.service'), serviceLink],
            [
              t('orders.billableService'),
              definition ? <Link href={`/admin/catalog/${definition.id}`}>{definition.name}</Link> : order.billableServiceId,
            ],
            [t('orders.registeredOn'), fmt.day(order.registeredOn)],
            [
              t('orders.cancelledOn'),
              order.cancelledOn
                ? `${fmt.day(order.cancelledOn)}${order.cancelReason ? ` — ${t(`orders.cancelReasons.${order.cancelReason}`)}` : ''}`
                : undefined,
            ],
            [
              t('orders.revokedCancellation'),
              order.revokedCancellation
                ? t('orders.revokedOn', {
                    cancelledOn: fmt.day(order.revokedCancellation.cancelledOn),
                    revokedOn: fmt.day(order.revokedCancellation.revokedOn),
                  })
                : undefined,
            ],
            [t('orders.billedOn'), order.billedOn ? fmt.day(order.billedOn) : t('orders.notBilled')],
            [t('orders.billedUntil'), order.billedUntil ? fmt.day(order.billedUntil) : t('orders.notBilled')],
            [t('orders.billedMetric'), order.billedMetric !== undefined ? fmt.decimal(order.billedMetric) : undefined],
            [t('orders.creditUsedUntil'), order.creditUsedUntil ? fmt.day(order.creditUsedUntil) : undefined],
            [t('orders.ignored'), order.ignored ? t('common.yes') : t('common.no')],
          ]}
        />
      </Section>

      {canWrite && (
        <Section title={t('orders.actionsTitle')} id="actions">
          {doneKey && (
            <Notice tone="success" role="status">
              <p>{t(doneKey)}</p>
            </Notice>
          )}
          <div className="form">
            <div>
              {order.ignored ? (
                <ActionButton action={setOrderIgnored.bind(null, order.id, false)} label={t('orders.unignore')} />
              ) : (
                <ActionButton action={setOrderIgnored.bind(null, order.id, true)} label={t('orders.ignore')} />
              )}
              {!order.ignored && <p className="field-hint">{t('orders.ignoreHint')}</p>}
            </div>
            <h3 className="subsection-title" id="schedule-title">
              {order.cancelledOn ? t('orders.moveTitle') : t('orders.scheduleTitle')}
            </h3>
            <ActionForm
              key={order.cancelledOn ?? 'none'}
              action={scheduleCancellation.bind(null, order.id)}
              aria-labelledby="schedule-title"
            >
              <div className="form-row">
                <Field
                  name="cancelledOn"
                  type="date"
                  label={t('orders.cancelOn')}
                  hint={t('orders.cancelOnHint')}
                  required
                  min={order.registeredOn}
                  defaultValue={order.cancelledOn ?? today}
                />
                <div>
                  <SubmitButton variant="secondary">{t('orders.schedule')}</SubmitButton>
                </div>
              </div>
            </ActionForm>
            {order.cancelledOn && (
              <div>
                <ActionButton
                  action={withdrawCancellation.bind(null, order.id)}
                  label={t('orders.withdraw')}
                  confirm={t('orders.confirmWithdraw', { name: order.description })}
                />
              </div>
            )}
          </div>
        </Section>
      )}

      <Section title={t('orders.metricTitle')} id="metric" description={t('orders.metricDescription')}>
        {order.metricHistory.length === 0 ? (
          <EmptyState>{t('orders.metricEmpty')}</EmptyState>
        ) : (
          <Table caption={t('orders.metricTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('orders.metricOn')}</th>
                <th scope="col" className="num">
                  {t('orders.metricValue')}
                </th>
              </tr>
            </thead>
            <tbody>
              {order.metricHistory.map((point) => (
                <tr key={point.on}>
                  <th scope="row">{fmt.day(point.on)}</th>
                  <td className="num">{fmt.decimal(point.value)}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>

      <Section title={t('orders.deactivationsTitle')} id="deactivations">
        {order.deactivations.length === 0 ? (
          <EmptyState>{t('orders.deactivationsEmpty')}</EmptyState>
        ) : (
          <Table caption={t('orders.deactivationsTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('orders.deactivatedFrom')}</th>
                <th scope="col">{t('orders.deactivatedUntil')}</th>
              </tr>
            </thead>
            <tbody>
              {order.deactivations.map((d) => (
                <tr key={d.from}>
                  <th scope="row">{fmt.day(d.from)}</th>
                  <td>{d.until ? fmt.day(d.until) : t('orders.stillDeactivated')}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
    </>
  );
}
