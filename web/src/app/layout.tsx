import type { Metadata } from 'next';
import { messagesFor } from '@/i18n';
import { I18nProvider } from '@/i18n/client';
import { getI18n } from '@/i18n/server';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return {
    title: { template: '%s · Consort', default: 'Consort' },
    description: t('landing.tagline'),
    robots: { index: false, follow: false },
  };
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const { locale, t } = await getI18n();
  return (
    <html lang={locale}>
      <body>
        <a className="skip-link" href="#main">
          {t('common.skipToContent')}
        </a>
        <I18nProvider messages={messagesFor(locale).client}>{children}</I18nProvider>
      </body>
    </html>
  );
}
