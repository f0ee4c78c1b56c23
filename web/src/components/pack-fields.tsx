// The fields of a pack, shared by the create and edit forms: its flags and its rates (one row per rate).
import { CheckboxField, Field, TextAreaField } from '@/components/form';
import { RowsEditor } from '@/components/rows-editor';
import { Notice } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import type { BillableService, Pack } from '@/server/types';

export async function PackFields({ pack, definitions, currency }: { pack?: Pack; definitions: BillableService[]; currency: string }) {
  const { t } = await getI18n();
  const rates = (pack?.rates ?? []).map((r) => ({ billableServiceId: r.billableServiceId, from: String(r.from), price: r.price }));
  return (
    <>
      <div className="form-grid">
        <Field name="name" label={t('packs.name')} required maxLength={120} defaultValue={pack?.name} />
        <TextAreaField
          name="description"
          label={t('packs.descriptionLabel')}
          className="field-wide field-prose"
          rows={2}
          maxLength={1000}
          defaultValue={pack?.description}
        />
      </div>
      <CheckboxField name="isDefault" label={t('packs.isDefault')} defaultChecked={pack?.isDefault ?? false} />
      <CheckboxField name="isCombinable" label={t('packs.isCombinable')} defaultChecked={pack?.isCombinable ?? true} />
      <CheckboxField name="allowMultiple" label={t('packs.allowMultiple')} defaultChecked={pack?.allowMultiple ?? false} />
      <fieldset className="fieldset form-section">
        <legend>{t('packs.ratesLegend')}</legend>
        <p className="field-hint">
          {t('packs.ratesHint')} {t('packs.ratePriceHint', { currency })}
        </p>
        {definitions.length === 0 ? (
          <Notice tone="info">{t('packs.needServices')}</Notice>
        ) : (
          <RowsEditor
            prefix="rate"
            rows={rates}
            blankRows={rates.length === 0 ? 3 : 2}
            labels={{ row: t('packs.rate'), add: t('packs.addRate'), remove: t('packs.removeRateNamed'), removeShort: t('common.remove') }}
            columns={[
              {
                name: 'billableServiceId',
                label: t('packs.rateService'),
                type: 'select',
                placeholder: t('packs.chooseService'),
                options: definitions.map((d) => ({ value: d.id, label: d.name })),
                blank: '',
                wide: true,
              },
              { name: 'from', label: t('packs.rateFrom'), type: 'number', min: 0, max: 1_000_000_000 },
              { name: 'price', label: t('packs.ratePrice'), inputMode: 'decimal' },
            ]}
          />
        )}
      </fieldset>
    </>
  );
}
