// The fields of an account, shared by the create and edit forms.
import { Field, SelectField, TextAreaField } from '@/components/form';
import { getI18n } from '@/i18n/server';
import { countryOptions, localeOptions } from '@/server/options';
import type { Account } from '@/server/types';

export const ACCOUNT_TYPES = ['individual', 'organisation', 'association', 'company', 'public_body'] as const;

export async function AccountFields({ account, defaultCountry }: { account?: Account; defaultCountry?: string }) {
  const { locale, t } = await getI18n();
  return (
    <div className="form-grid">
      <Field name="name" label={t('fields.name')} required maxLength={160} defaultValue={account?.name} />
      <SelectField
        name="type"
        label={t('accounts.type')}
        required
        options={ACCOUNT_TYPES.map((type) => ({ value: type, label: t(`accounts.types.${type}`) }))}
        defaultValue={account?.type ?? 'individual'}
      />
      <Field name="email" type="email" label={t('fields.email')} required defaultValue={account?.email} />
      <Field name="phone" type="tel" label={t('fields.phone')} autoComplete="off" defaultValue={account?.phone} />
      <Field name="vatId" label={t('accounts.vatId')} defaultValue={account?.vatId} />
      <Field name="address" label={t('accounts.address')} defaultValue={account?.address} />
      <Field name="city" label={t('accounts.city')} defaultValue={account?.city} />
      <Field name="postcode" label={t('accounts.postcode')} defaultValue={account?.postcode} />
      <SelectField
        name="country"
        label={t('fields.country')}
        required
        options={countryOptions(locale)}
        defaultValue={account?.country ?? defaultCountry ?? 'ES'}
      />
      <SelectField
        name="locale"
        label={t('fields.language')}
        options={localeOptions()}
        placeholder={t('accounts.localeDefault')}
        defaultValue={account?.locale ?? ''}
      />
      <Field
        name="tags"
        label={t('routeRules.accountTags')}
        hint={t('routeRules.accountTagsHint')}
        autoCapitalize="none"
        spellCheck={false}
        defaultValue={account?.tags?.join(', ')}
      />
      <TextAreaField name="comments" label={t('accounts.comments')} rows={3} className="field-wide" defaultValue={account?.comments} />
    </div>
  );
}
