// The provisioning state of a domain, announced politely when it changes.
import { Link } from '@/components/link';
import { AutoRefresh } from '@/components/auto-refresh';
import { StateBadge } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import type { DomainService } from '@/server/types';

export async function DomainStatus({ service, href, operationHref }: { service: DomainService; href: string; operationHref?: string }) {
  const { t } = await getI18n();
  const busy = service.state === 'pending' || service.state === 'deleting';
  return (
    <div
      className={`notice notice-${service.state === 'failed' ? 'error' : service.state === 'applied' ? 'success' : 'info'}`}
      role="status"
      aria-live="polite"
    >
      <p>
        <strong>{t('domains.provisioning')}:</strong> <StateBadge state={service.state} /> {t(`domains.stateHelp.${service.state}`)}{' '}
        {busy && <Link href={href}>{t('common.reload')}</Link>}
        {service.state === 'failed' && operationHref && <Link href={operationHref}>{t('domains.seeOperation')}</Link>}
      </p>
      {busy && <AutoRefresh />}
    </div>
  );
}
