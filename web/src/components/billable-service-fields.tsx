// The fields of a billable service definition, shared by the create and edit forms. Grouped in fieldsets; fields
// that depend on another choice (fixed month/day, metric parts, the predicate builder) render for everybody and are
// hidden with JavaScript while they do not apply.
import { CheckboxField, Field, RadioGroup, SelectField, TextAreaField } from '@/components/form';
import { RowsEditor } from '@/components/rows-editor';
import { ShowWhen } from '@/components/show-when';
import type { Translate } from '@/i18n';
import { getI18n } from '@/i18n/server';
import { PREDICATE_OPS, predicateToForm } from '@/lib/predicate-form';
import { kindLabel } from '@/server/catalog-text';
import type { BillableService, ServiceKind } from '@/server/types';

const BILLING_PERIODS = ['once', 'monthly', 'quarterly', 'half-yearly', 'annual'] as const;
const PRICING_PERIODS = ['billing', 'monthly', 'annual'] as const;
const PAYMENT_STYLES = ['prepay', 'postpay'] as const;
const COUNT_MODES = ['active', 'registered', 'renewed', 'registered-and-renewed'] as const;
const USAGE_MODES = ['current', 'max-during-period', 'sum-during-period'] as const;
const RATING_ALGORITHMS = ['progressive', 'best', 'match'] as const;
const ON_REGISTER = ['prorate', 'full', 'discount-to-billing-point'] as const;
const ON_CANCEL = ['nothing', 'discount', 'compensate', 'refund'] as const;
const ON_DEACTIVATION = ['nothing', 'discount'] as const;
const UNITS = ['days', 'months'] as const;

/** Options whose labels come from a catalog section: `options(['a','b'], (v) => t(`x.${v}`))`. */
function options<T extends string>(values: readonly T[], label: (value: T) => string) {
  return values.map((value) => ({ value, label: label(value) }));
}

function monthOptions(locale: string) {
  const name = new Intl.DateTimeFormat(locale, { month: 'long', timeZone: 'UTC' });
  return Array.from({ length: 12 }, (_, i) => ({ value: String(i + 1), label: name.format(Date.UTC(2000, i, 1)) }));
}

function PredicateFields({ t, definition }: { t: Translate; definition?: BillableService }) {
  const form = predicateToForm(definition?.predicate);
  return (
    <div className="field-wide form">
      <RadioGroup
        name="predicateMode"
        label={t('catalog.predicate.label')}
        options={[
          { value: 'all', label: t('catalog.predicate.all') },
          { value: 'conditions', label: t('catalog.predicate.conditions') },
          { value: 'json', label: t('catalog.predicate.json') },
        ]}
        defaultValue={form.mode}
      />
      <ShowWhen field="predicateMode" values={['conditions']}>
        <RadioGroup
          name="predicateCombinator"
          label={t('catalog.predicate.combinator')}
          options={[
            { value: 'all', label: t('catalog.predicate.combinators.all') },
            { value: 'any', label: t('catalog.predicate.combinators.any') },
          ]}
          defaultValue={form.combinator}
        />
        <div className="field-hint">
          <p>{t('catalog.predicate.fieldHint')}</p>
          <p>{t('catalog.predicate.valueHint')}</p>
          <p>{t('catalog.predicate.conditionsHint')}</p>
        </div>
        <RowsEditor
          prefix="cond"
          rows={form.rows}
          blankRows={form.rows.length === 0 ? 3 : 2}
          labels={{
            row: t('catalog.predicate.condition'),
            add: t('catalog.predicate.add'),
            remove: t('catalog.predicate.removeNamed'),
            removeShort: t('common.remove'),
          }}
          columns={[
            { name: 'field', label: t('catalog.predicate.field'), maxLength: 200 },
            {
              name: 'op',
              label: t('catalog.predicate.op'),
              type: 'select',
              options: options(PREDICATE_OPS, (op) => t(`catalog.predicate.ops.${op}`)),
              blank: 'eq',
            },
            { name: 'value', label: t('catalog.predicate.value'), maxLength: 2000, wide: true },
          ]}
        />
      </ShowWhen>
      <ShowWhen field="predicateMode" values={['json']}>
        <TextAreaField
          name="predicateJson"
          label={t('catalog.predicate.jsonLabel')}
          hint={t('catalog.predicate.jsonHint')}
          rows={6}
          spellCheck={false}
          defaultValue={form.json}
        />
      </ShowWhen>
    </div>
  );
}

export async function BillableServiceFields({
  definition,
  kinds,
  currency,
}: {
  definition?: BillableService;
  kinds: ServiceKind[];
  currency: string;
}) {
  const { locale, t } = await getI18n();
  const d = definition;
  const metric = d?.metric ?? { type: 'count' as const, mode: 'active' as const };
  return (
    <>
      <fieldset className="fieldset form-section">
        <legend>{t('catalog.fieldsets.what')}</legend>
        <div className="form-grid">
          <Field name="name" label={t('catalog.name')} hint={t('catalog.nameHint')} required maxLength={120} defaultValue={d?.name} />
          {d ? (
            <div className="field">
              <span className="field-label">{t('catalog.kind')}</span>
              <p className="field-static">{kindLabel(t, kinds, d.serviceKind)}</p>
              <p className="field-hint">{t('catalog.kindFixed', { kind: kindLabel(t, kinds, d.serviceKind) })}</p>
            </div>
          ) : (
            <SelectField
              name="serviceKind"
              label={t('catalog.kind')}
              hint={t('catalog.kindHint')}
              required
              placeholder={t('catalog.chooseKind')}
              options={kinds.map((k) => ({ value: k.kind, label: kindLabel(t, kinds, k.kind) }))}
              defaultValue={kinds.length === 1 ? kinds[0]?.kind : ''}
            />
          )}
          <TextAreaField
            name="description"
            label={t('catalog.descriptionLabel')}
            className="field-wide field-prose"
            rows={2}
            maxLength={1000}
            defaultValue={d?.description}
          />
          <PredicateFields t={t} definition={d} />
        </div>
      </fieldset>

      <fieldset className="fieldset form-section">
        <legend>{t('catalog.fieldsets.when')}</legend>
        <div className="form-grid">
          <SelectField
            name="billingPeriod"
            label={t('catalog.period')}
            options={options(BILLING_PERIODS, (p) => t(`catalog.billingPeriods.${p}`))}
            defaultValue={d?.billingPeriod ?? 'monthly'}
          />
          <SelectField
            name="paymentStyle"
            label={t('catalog.paymentStyle')}
            options={options(PAYMENT_STYLES, (p) => t(`catalog.paymentStyles.${p}`))}
            defaultValue={d?.paymentStyle ?? 'prepay'}
          />
          <SelectField
            name="pricingPeriod"
            label={t('catalog.pricingPeriod')}
            hint={t('catalog.pricingPeriodHint')}
            options={options(PRICING_PERIODS, (p) => t(`catalog.pricingPeriods.${p}`))}
            defaultValue={d?.pricingPeriod ?? 'billing'}
          />
          <RadioGroup
            name="billingPoint"
            label={t('catalog.billingPoint')}
            className="field-wide"
            options={[
              { value: 'fixed', label: t('catalog.billingPoints.fixed') },
              { value: 'on-register', label: t('catalog.billingPoints.on-register') },
            ]}
            defaultValue={d?.billingPoint ?? 'fixed'}
          />
          <ShowWhen field="billingPoint" values={['fixed']}>
            <SelectField
              name="fixedMonth"
              label={t('catalog.fixedMonth')}
              hint={t('catalog.fixedMonthHint')}
              placeholder={t('catalog.organisationDefault')}
              options={monthOptions(locale)}
              defaultValue={d?.fixedMonth !== undefined ? String(d.fixedMonth) : ''}
            />
            <Field
              name="fixedDay"
              type="number"
              label={t('catalog.fixedDay')}
              hint={t('catalog.fixedDayHint')}
              min={1}
              max={31}
              defaultValue={d?.fixedDay}
            />
          </ShowWhen>
        </div>
      </fieldset>

      <fieldset className="fieldset form-section">
        <legend>{t('catalog.fieldsets.price')}</legend>
        <div className="form-grid">
          <Field
            name="nominalPrice"
            label={t('catalog.nominalPrice')}
            hint={t('catalog.nominalPriceHint', { currency })}
            required
            inputMode="decimal"
            autoComplete="off"
            defaultValue={d?.nominalPrice}
          />
          <Field
            name="taxCategory"
            label={t('catalog.taxCategory')}
            hint={t('catalog.taxCategoryHint')}
            autoCapitalize="none"
            spellCheck={false}
            maxLength={32}
            defaultValue={d?.taxCategory ?? 'standard'}
          />
          <SelectField
            name="ratingAlgorithm"
            label={t('catalog.ratingAlgorithm')}
            hint={t('catalog.ratingAlgorithmHint')}
            options={options(RATING_ALGORITHMS, (a) => t(`catalog.ratingAlgorithms.${a}`))}
            defaultValue={d?.ratingAlgorithm ?? 'progressive'}
          />
          <RadioGroup
            name="metricType"
            label={t('catalog.metricType')}
            className="field-wide"
            options={[
              { value: 'count', label: t('catalog.metricTypes.count') },
              { value: 'named', label: t('catalog.metricTypes.named') },
            ]}
            defaultValue={metric.type}
          />
          <ShowWhen field="metricType" values={['count']}>
            <SelectField
              name="countMode"
              label={t('catalog.countMode')}
              options={options(COUNT_MODES, (m) => t(`catalog.countModes.${m}`))}
              defaultValue={metric.type === 'count' ? metric.mode : 'active'}
            />
          </ShowWhen>
          <ShowWhen field="metricType" values={['named']}>
            <Field
              name="metricName"
              label={t('catalog.metricName')}
              hint={t('catalog.metricNameHint')}
              autoCapitalize="none"
              spellCheck={false}
              maxLength={40}
              defaultValue={metric.type === 'named' ? metric.name : ''}
            />
            <SelectField
              name="usageMode"
              label={t('catalog.usageMode')}
              options={options(USAGE_MODES, (m) => t(`catalog.usageModes.${m}`))}
              defaultValue={metric.type === 'named' ? metric.mode : 'current'}
            />
          </ShowWhen>
          <CheckboxField name="isFee" label={t('catalog.isFee')} className="field-wide" defaultChecked={d?.isFee ?? false} />
        </div>
      </fieldset>

      <fieldset className="fieldset form-section">
        <legend>{t('catalog.fieldsets.policies')}</legend>
        <div className="form-grid">
          <SelectField
            name="onRegister"
            label={t('catalog.onRegister')}
            hint={t('catalog.onRegisterHint')}
            options={options(ON_REGISTER, (o) => t(`catalog.onRegisters.${o}`))}
            defaultValue={d?.onRegister ?? 'prorate'}
          />
          <SelectField
            name="onCancel"
            label={t('catalog.onCancel')}
            options={options(ON_CANCEL, (o) => t(`catalog.onCancels.${o}`))}
            defaultValue={d?.onCancel ?? 'discount'}
          />
          <SelectField
            name="onDeactivation"
            label={t('catalog.onDeactivation')}
            options={options(ON_DEACTIVATION, (o) => t(`catalog.onDeactivations.${o}`))}
            defaultValue={d?.onDeactivation ?? 'nothing'}
          />
          <CheckboxField
            name="rechargeOnRevokedCancel"
            label={t('catalog.rechargeOnRevokedCancel')}
            className="field-wide"
            defaultChecked={d?.rechargeOnRevokedCancel ?? false}
          />
        </div>
      </fieldset>

      <fieldset className="fieldset form-section">
        <legend>{t('catalog.fieldsets.periods')}</legend>
        <div className="form">
          <div className="form-row">
            <Field
              name="trialCount"
              type="number"
              label={t('catalog.trialCount')}
              hint={`${t('catalog.trialHint')} ${t('catalog.periodCountHint')}`}
              min={1}
              max={366}
              defaultValue={d?.trialPeriod?.count}
            />
            <SelectField
              name="trialUnit"
              label={t('catalog.trialUnit')}
              options={options(UNITS, (u) => t(`catalog.units.${u}`))}
              defaultValue={d?.trialPeriod?.unit ?? 'days'}
            />
          </div>
          <div className="form-row">
            <Field
              name="ignoreCount"
              type="number"
              label={t('catalog.ignoreCount')}
              hint={`${t('catalog.ignoreHint')} ${t('catalog.periodCountHint')}`}
              min={1}
              max={366}
              defaultValue={d?.ignorePeriod?.count}
            />
            <SelectField
              name="ignoreUnit"
              label={t('catalog.ignoreUnit')}
              options={options(UNITS, (u) => t(`catalog.units.${u}`))}
              defaultValue={d?.ignorePeriod?.unit ?? 'days'}
            />
          </div>
        </div>
      </fieldset>

      <CheckboxField name="isActive" label={t('catalog.isActive')} defaultChecked={d?.isActive ?? true} />
    </>
  );
}
