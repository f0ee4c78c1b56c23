import { Link } from '@/components/link';
import { getI18n } from '@/i18n/server';

export default async function Forbidden() {
  const { t } = await getI18n();
  return (
    <main id="main" tabIndex={-1} className="public-main">
      <div className="card auth-card">
        <h1>{t('errors.forbiddenTitle')}</h1>
        <p>{t('errors.forbidden')}</p>
        <Link href="/">{t('errors.home')}</Link>
      </div>
    </main>
  );
}
