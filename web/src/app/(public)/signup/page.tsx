import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { ActionForm, Field, SelectField, SubmitButton } from '@/components/form';
import { getI18n } from '@/i18n/server';
import { signup } from '@/server/actions/session';
import { countryOptions, currencyOptions, localeOptions, timeZoneOptions } from '@/server/options';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('signup.title') };
}

export default async function SignupPage() {
  const { locale, t } = await getI18n();
  return (
    <div className="card auth-card wide">
      <h1>{t('signup.title')}</h1>
      <p className="page-description">{t('signup.intro')}</p>
      <ActionForm action={signup} aria-label={t('signup.title')}>
        <fieldset className="fieldset">
          <legend>{t('signup.organisationSection')}</legend>
          <div className="form-grid">
            <Field name="organisation" label={t('signup.organisation')} required maxLength={120} autoComplete="organization" />
            <Field
              name="slug"
              label={t('signup.slug')}
              hint={t('signup.slugHint')}
              required
              pattern="[a-z0-9](?:[a-z0-9\-]{0,38}[a-z0-9])?"
              maxLength={40}
              autoCapitalize="none"
              spellCheck={false}
            />
            <SelectField name="country" label={t('fields.country')} required options={countryOptions(locale)} defaultValue="ES" />
            <SelectField name="currency" label={t('signup.currency')} required options={currencyOptions(locale)} defaultValue="EUR" />
            <SelectField name="locale" label={t('signup.locale')} required options={localeOptions()} defaultValue={locale} />
            <SelectField name="timeZone" label={t('signup.timeZone')} required options={timeZoneOptions()} defaultValue="Europe/Madrid" />
          </div>
        </fieldset>
        <fieldset className="fieldset">
          <legend>{t('signup.ownerSection')}</legend>
          <div className="form-grid">
            <Field name="ownerName" label={t('signup.ownerName')} required maxLength={120} autoComplete="name" />
            <Field name="email" type="email" label={t('fields.email')} required autoComplete="email" />
            <Field
              name="password"
              type="password"
              label={t('fields.password')}
              hint={t('signup.passwordHint')}
              required
              minLength={12}
              autoComplete="new-password"
              className="field-wide"
            />
          </div>
        </fieldset>
        <div className="form-actions">
          <SubmitButton>{t('signup.submit')}</SubmitButton>
        </div>
      </ActionForm>
      <p className="auth-alt">
        {t('signup.haveAccount')} <Link href="/login">{t('signup.signInLink')}</Link>
      </p>
    </div>
  );
}
