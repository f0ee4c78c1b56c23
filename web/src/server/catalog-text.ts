// Catalog values in words, in the request's language (kinds, metrics, periods, predicates).
import type { Translate } from '@/i18n';
import type { BillableService, Duration, Metric, ServiceKind } from './types';

/** A service kind's name: ours when the catalog has one, else the API's label, else the code. */
export function kindLabel(t: Translate, kinds: readonly ServiceKind[] | undefined, kind: string): string {
  if (kind === 'domain') return t('services.kinds.domain');
  return kinds?.find((k) => k.kind === kind)?.label ?? kind;
}

export function metricText(t: Translate, metric: Metric): string {
  return metric.type === 'count'
    ? t('catalog.metricCount', { mode: t(`catalog.countModes.${metric.mode}`).toLowerCase() })
    : t('catalog.metricNamed', { name: metric.name, mode: t(`catalog.usageModes.${metric.mode}`).toLowerCase() });
}

export function durationText(t: Translate, duration: Duration | null | undefined): string {
  return duration ? t('catalog.duration', { count: duration.count, unit: t(`catalog.units.${duration.unit}`) }) : t('common.none');
}

/** "12.50 € per year" (the price formatted by the caller). */
export function priceText(t: Translate, definition: Pick<BillableService, 'billingPeriod' | 'pricingPeriod'>, price: string): string {
  if (definition.billingPeriod === 'once') return `${price} (${t('catalog.periodUnits.once')})`;
  const unit = definition.pricingPeriod === 'billing' ? definition.billingPeriod : definition.pricingPeriod;
  return t('catalog.pricePer', { price, period: t(`catalog.periodUnits.${unit}`) });
}
