import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { BillableServiceFields } from '@/components/billable-service-fields';
import { CatalogTabs } from '@/components/catalog-tabs';
import { ActionForm, SubmitButton } from '@/components/form';
import { Badge, EmptyState, PageHeader, Section, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { createBillableService } from '@/server/actions/catalog';
import { apiGet } from '@/server/api';
import { kindLabel, metricText, priceText } from '@/server/catalog-text';
import { getFormat } from '@/server/format';
import { can, getTenant } from '@/server/queries';
import type { BillableService, ServiceKind } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('catalog.title') };
}

export default async function CatalogPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const [definitions, kinds, tenant, canWrite] = await Promise.all([
    apiGet<{ items: BillableService[] }>('/v1/billable-services'),
    apiGet<{ items: ServiceKind[] }>('/v1/service-kinds'),
    getTenant(),
    can('catalog:write'),
  ]);
  return (
    <>
      <PageHeader title={t('catalog.title')} description={t('catalog.description')} />
      <CatalogTabs current="services" />
      <Section title={t('catalog.listTitle')} id="billable-services">
        {definitions.items.length === 0 ? (
          <EmptyState>{t('catalog.empty')}</EmptyState>
        ) : (
          <Table caption={t('catalog.listTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('catalog.name')}</th>
                <th scope="col">{t('catalog.kind')}</th>
                <th scope="col">{t('catalog.period')}</th>
                <th scope="col">{t('catalog.price')}</th>
                <th scope="col">{t('catalog.metric')}</th>
                <th scope="col">{t('catalog.status')}</th>
              </tr>
            </thead>
            <tbody>
              {definitions.items.map((d) => (
                <tr key={d.id}>
                  <th scope="row">
                    <Link href={`/admin/catalog/${d.id}`}>{d.name}</Link>
                  </th>
                  <td>{kindLabel(t, kinds.items, d.serviceKind)}</td>
                  <td>
                    {t(`catalog.billingPeriods.${d.billingPeriod}`)}
                    <div className="muted">{t(`catalog.paymentStyles.${d.paymentStyle}`)}</div>
                  </td>
                  <td className="num">{priceText(t, d, fmt.money(d.nominalPrice, tenant.currency))}</td>
                  <td>{metricText(t, d.metric)}</td>
                  <td>{d.isActive ? <Badge tone="success">{t('catalog.active')}</Badge> : <Badge>{t('catalog.inactive')}</Badge>}</td>
                </tr>
              ))}
            </tbody>
          </Table>
        )}
      </Section>
      {canWrite && (
        <Section title={t('catalog.createTitle')} id="new-billable-service">
          <ActionForm action={createBillableService} aria-labelledby="new-billable-service-title">
            <BillableServiceFields kinds={kinds.items} currency={tenant.currency} />
            <div className="form-actions">
              <SubmitButton>{t('catalog.create')}</SubmitButton>
            </div>
          </ActionForm>
        </Section>
      )}
    </>
  );
}
