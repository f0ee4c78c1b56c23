import { Link } from '@/components/link';
import { getI18n } from '@/i18n/server';
import { getAuth, homeFor } from '@/server/auth';

export default async function LandingPage() {
  const { t } = await getI18n();
  const auth = await getAuth();
  return (
    <>
      <section className="hero" aria-labelledby="hero-title">
        <h1 id="hero-title">{t('landing.title')}</h1>
        <p>{t('landing.tagline')}</p>
        <div className="hero-actions">
          {auth ? (
            <Link className="button button-primary" href={homeFor(auth.user.role)}>
              {t('landing.openPanel')}
            </Link>
          ) : (
            <>
              <Link className="button button-primary" href="/signup">
                {t('landing.signUp')}
              </Link>
              <Link className="button button-secondary" href="/login">
                {t('landing.signIn')}
              </Link>
            </>
          )}
        </div>
      </section>
      <section aria-labelledby="features-title">
        <h2 id="features-title">{t('landing.featuresTitle')}</h2>
        <ul className="feature-list">
          <li>
            <strong>{t('landing.featureAccountsTitle')}</strong>
            {t('landing.featureAccounts')}
          </li>
          <li>
            <strong>{t('landing.featureDnsTitle')}</strong>
            {t('landing.featureDns')}
          </li>
          <li>
            <strong>{t('landing.featureHostsTitle')}</strong>
            {t('landing.featureHosts')}
          </li>
          <li>
            <strong>{t('landing.featurePortalTitle')}</strong>
            {t('landing.featurePortal')}
          </li>
        </ul>
      </section>
    </>
  );
}
