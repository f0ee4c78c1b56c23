import { getI18n } from '@/i18n/server';

/** Shown while a page waits for the API (instead of an empty content area). */
export default async function Loading() {
  const { t } = await getI18n();
  return (
    <p className="loading" role="status">
      {t('common.loading')}
    </p>
  );
}
