'use client';
// Unexpected failures (API down, a bug): a message, a retry, and the digest to quote to support.
import { useEffect } from 'react';
import { useT } from '@/i18n/client';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useT();
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div className="card auth-card" role="alert">
      <h1>{t('errorTitle')}</h1>
      <p>{t('errorText')}</p>
      {error.digest && <p className="muted">{t('errorReference', { digest: error.digest })}</p>}
      <button type="button" className="button button-primary" onClick={() => reset()}>
        {t('tryAgain')}
      </button>
    </div>
  );
}
