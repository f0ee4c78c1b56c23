import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { redirect } from 'next/navigation';
import { ActionForm, Field, SubmitButton } from '@/components/form';
import { Notice } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { login } from '@/server/actions/session';
import { getAuth, homeFor } from '@/server/auth';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('login.title') };
}

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { t } = await getI18n();
  const params = await searchParams;
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v) ?? '';
  const auth = await getAuth();
  if (auth && params.reason !== 'expired') redirect(homeFor(auth.user.role));
  return (
    <div className="card auth-card">
      <h1>{t('login.title')}</h1>
      <p className="page-description">{t('login.intro')}</p>
      {params.reason === 'expired' && (
        <Notice tone="warning" role="status">
          {t('login.expired')}
        </Notice>
      )}
      {params.error && <Notice tone="error">{t('login.failed')}</Notice>}
      <ActionForm action={login} aria-label={t('login.title')}>
        <input type="hidden" name="next" value={one(params.next)} />
        <Field
          name="organisation"
          label={t('login.organisation')}
          hint={t('login.organisationHint')}
          required
          autoComplete="organization"
          autoCapitalize="none"
          spellCheck={false}
          defaultValue={one(params.organisation)}
        />
        <Field name="email" type="email" label={t('fields.email')} required autoComplete="username" />
        <Field name="password" type="password" label={t('fields.password')} required autoComplete="current-password" />
        <div className="form-actions">
          <SubmitButton>{t('login.submit')}</SubmitButton>
        </div>
      </ActionForm>
      <p className="auth-alt">
        {t('login.noAccount')} <Link href="/signup">{t('login.signUpLink')}</Link>
      </p>
    </div>
  );
}
