import type { Metadata } from 'next';
import { Link } from '@/components/link';
import { PageHeader, Section, StateBadge, Table, EmptyState } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { getFormat } from '@/server/format';
import { getMe } from '@/server/queries';
import type { Account, DomainService, Host, Operation, Page, Route } from '@/server/types';

export async function generateMetadata(): Promise<Metadata> {
  const { t } = await getI18n();
  return { title: t('dashboard.title') };
}

const COUNT_LIMIT = 200;

/** "12", or "200+" when the list has more pages. */
function count<T>(page: Page<T> | undefined): string | undefined {
  if (!page) return undefined;
  return page.nextCursor ? `${page.items.length}+` : String(page.items.length);
}

export default async function DashboardPage() {
  const { t } = await getI18n();
  const fmt = await getFormat();
  const me = await getMe();
  const has = (p: string) => me.permissions.includes(p);
  const [accounts, domains, hosts, routes, failed, recent] = await Promise.all([
    has('accounts:read') ? apiGet<Page<Account>>('/v1/accounts', { limit: COUNT_LIMIT }) : undefined,
    has('services:read') ? apiGet<Page<DomainService>>('/v1/services', { kind: 'domain', limit: COUNT_LIMIT }) : undefined,
    has('hosts:read') ? apiGet<Page<Host>>('/v1/hosts', { limit: COUNT_LIMIT }) : undefined,
    has('hosts:read') ? apiGet<Page<Route>>('/v1/routes', { limit: COUNT_LIMIT }) : undefined,
    has('operations:read') ? apiGet<Page<Operation>>('/v1/operations', { state: 'failed', limit: COUNT_LIMIT }) : undefined,
    has('operations:read') ? apiGet<Page<Operation>>('/v1/operations', { limit: 10 }) : undefined,
  ]);
  const stats = [
    { href: '/admin/accounts', label: t('dashboard.accounts'), value: count(accounts) },
    { href: '/admin/domains', label: t('dashboard.domains'), value: count(domains) },
    { href: '/admin/hosts', label: t('dashboard.hosts'), value: count(hosts) },
    { href: '/admin/operations?state=failed', label: t('dashboard.failedOperations'), value: count(failed) },
  ].filter((s) => s.value !== undefined);
  const steps = [
    { done: (hosts?.items.length ?? 0) > 0, href: '/admin/hosts', label: t('dashboard.stepHost') },
    { done: (routes?.items.length ?? 0) > 0, href: '/admin/hosts#routes', label: t('dashboard.stepRoute') },
    { done: (accounts?.items.length ?? 0) > 0, href: '/admin/accounts', label: t('dashboard.stepAccount') },
    { done: (domains?.items.length ?? 0) > 0, href: '/admin/domains', label: t('dashboard.stepDomain') },
  ];
  const showSteps = has('hosts:write') && steps.some((s) => !s.done);
  return (
    <>
      <PageHeader title={t('dashboard.title')} description={t('dashboard.welcome', { name: me.user.name, tenant: me.tenant.name })} />
      <ul className="stats" aria-label={t('dashboard.summary')}>
        {stats.map((s) => (
          <li key={s.href}>
            <Link className="stat" href={s.href}>
              <span className="stat-value">{s.value}</span>
              <span className="stat-label">{s.label}</span>
            </Link>
          </li>
        ))}
      </ul>
      {showSteps && (
        <Section title={t('dashboard.gettingStarted')} id="getting-started">
          <ol>
            {steps.map((s) => (
              <li key={s.href}>
                {s.done ? <s>{s.label}</s> : <Link href={s.href}>{s.label}</Link>}
                {s.done && <span className="visually-hidden"> ({t('dashboard.done')})</span>}
              </li>
            ))}
          </ol>
        </Section>
      )}
      {recent && (
        <Section
          title={t('dashboard.recentOperations')}
          id="recent-operations"
          actions={<Link href="/admin/operations">{t('dashboard.allOperations')}</Link>}
        >
          {recent.items.length === 0 ? (
            <EmptyState>{t('operations.empty')}</EmptyState>
          ) : (
            <Table caption={t('dashboard.recentOperations')}>
              <thead>
                <tr>
                  <th scope="col">{t('operations.service')}</th>
                  <th scope="col">{t('operations.action')}</th>
                  <th scope="col">{t('operations.state')}</th>
                  <th scope="col">{t('operations.created')}</th>
                </tr>
              </thead>
              <tbody>
                {recent.items.map((op) => (
                  <tr key={op.id}>
                    <td>
                      <Link href={`/admin/operations/${op.id}`}>{op.serviceName}</Link>
                    </td>
                    <td>{t(`operations.actions.${op.action}`)}</td>
                    <td>
                      <StateBadge state={op.state} />
                    </td>
                    <td>{fmt.dateTime(op.createdAt)}</td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
        </Section>
      )}
    </>
  );
}
