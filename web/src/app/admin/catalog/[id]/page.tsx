import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionButton } from '@/components/action-button';
import { BillableServiceFields } from '@/components/billable-service-fields';
import { ActionForm, SubmitButton } from '@/components/form';
import { PredicateView } from '@/components/predicate-view';
import { Badge, DescriptionList, Notice, PageHeader, Section } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { deleteBillableService, updateBillableService } from '@/server/actions/catalog';
import { apiGet } from '@/server/api';
import { durationText, kindLabel, metricText, priceText } from '@/server/catalog-text';
import { getFormat } from '@/server/format';
import { can, getTenant } from '@/server/queries';
import type { BillableService, ServiceKind } from '@/server/types';

type Params = Promise<{ id: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { id } = await params;
  const definition = await apiGet<BillableService>(`/v1/billable-services/${encodeURIComponent(id)}`);
  return { title: definition.name };
}

export default async function BillableServicePage({ params, searchParams }: { params: Params; searchParams: SearchParams }) {
  const { id } = await params;
  const query = await searchParams;
  const { locale, t } = await getI18n();
  const fmt = await getFormat();
  const [d, kinds, tenant, canWrite] = await Promise.all([
    apiGet<BillableService>(`/v1/billable-services/${encodeURIComponent(id)}`),
    apiGet<{ items: ServiceKind[] }>('/v1/service-kinds'),
    getTenant(),
    can('catalog:write'),
  ]);
  const created = typeof query.created === 'string' && /^\d+$/.test(query.created) ? Number(query.created) : undefined;
  const yesNo = (b: boolean) => (b ? t('common.yes') : t('common.no'));
  const monthName = (m: number) => new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' }).format(Date.UTC(2000, m - 1, 1));
  const fixedPoint =
    d.billingPoint === 'fixed'
      ? [d.fixedMonth !== undefined ? monthName(d.fixedMonth) : undefined, d.fixedDay !== undefined ? fmt.number(d.fixedDay) : undefined]
          .filter(Boolean)
          .join(' · ') || t('catalog.organisationDefault')
      : undefined;

  return (
    <>
      <p className="breadcrumb">
        <Link href="/admin/catalog">← {t('catalog.title')}</Link>
      </p>
      <PageHeader
        title={d.name}
        description={kindLabel(t, kinds.items, d.serviceKind)}
        actions={d.isActive ? <Badge tone="success">{t('catalog.active')}</Badge> : <Badge>{t('catalog.inactive')}</Badge>}
      />
      {created !== undefined && (
        <Notice tone="success" role="status">
          <p>
            {t('catalog.created')} {created > 0 ? t('catalog.ordersSynced', { count: fmt.number(created) }) : t('catalog.noOrdersSynced')}
          </p>
        </Notice>
      )}

      <Section title={t('catalog.detailsTitle')} id="definition" description={d.description || undefined}>
        <DescriptionList
          items={[
            [t('catalog.kind'), kindLabel(t, kinds.items, d.serviceKind)],
            [t('catalog.matches'), <PredicateView key="predicate" t={t} predicate={d.predicate} />],
            [t('catalog.price'), priceText(t, d, fmt.money(d.nominalPrice, tenant.currency))],
            [t('catalog.period'), t(`catalog.billingPeriods.${d.billingPeriod}`)],
            [t('catalog.paymentStyle'), t(`catalog.paymentStyles.${d.paymentStyle}`)],
            [t('catalog.billingPoint'), [t(`catalog.billingPoints.${d.billingPoint}`), fixedPoint].filter(Boolean).join(': ')],
            [t('catalog.pricingPeriod'), t(`catalog.pricingPeriods.${d.pricingPeriod}`)],
            [t('catalog.metric'), metricText(t, d.metric)],
            [t('catalog.ratingAlgorithm'), t(`catalog.ratingAlgorithms.${d.ratingAlgorithm}`)],
            [
              t('catalog.taxCategory'),
              <span key="tax" className="mono">
                {d.taxCategory}
              </span>,
            ],
            [t('catalog.onRegister'), t(`catalog.onRegisters.${d.onRegister}`)],
            [t('catalog.onCancel'), t(`catalog.onCancels.${d.onCancel}`)],
            [t('catalog.onDeactivation'), t(`catalog.onDeactivations.${d.onDeactivation}`)],
            [t('catalog.rechargeShort'), yesNo(d.rechargeOnRevokedCancel)],
            [t('catalog.trialCount'), durationText(t, d.trialPeriod)],
            [t('catalog.ignoreCount'), durationText(t, d.ignorePeriod)],
            [t('catalog.isFeeShort'), yesNo(d.isFee)],
            [t('common.created'), fmt.dateTime(d.createdAt)],
            [t('common.updated'), fmt.dateTime(d.updatedAt)],
          ]}
        />
        {canWrite && (
          <details className="disclosure" style={{ marginTop: '1rem' }}>
            <summary>{t('catalog.editTitle')}</summary>
            <ActionForm action={updateBillableService.bind(null, d.id)} aria-label={t('catalog.editTitle')}>
              <BillableServiceFields definition={d} kinds={kinds.items} currency={tenant.currency} />
              <div className="form-actions">
                <SubmitButton>{t('common.saveChanges')}</SubmitButton>
              </div>
            </ActionForm>
          </details>
        )}
      </Section>

      {canWrite && (
        <Section title={t('catalog.dangerTitle')} id="danger" description={t('catalog.deleteHint')}>
          <ActionButton
            action={deleteBillableService.bind(null, d.id)}
            label={t('catalog.delete')}
            confirm={t('catalog.confirmDelete', { name: d.name })}
            variant="danger"
          />
        </Section>
      )}
    </>
  );
}
