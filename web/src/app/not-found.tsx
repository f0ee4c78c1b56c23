import { Link } from '@/components/link';
import { getI18n } from '@/i18n/server';

export default async function NotFound() {
  const { t } = await getI18n();
  return (
    <main id="main" tabIndex={-1} className="public-main">
      <div className="card auth-card">
        <h1>{t('errors.notFoundTitle')}</h1>
        <p>{t('errors.notFound')}</p>
        <Link href="/">{t('errors.home')}</Link>
      </div>
    </main>
  );
}
