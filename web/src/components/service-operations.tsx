// The "Operations" section of a service's staff page (domains and every other kind): its latest operations, newest
// first, each linking to its page (script, output, retry), and a link to all of them.
import { Link } from '@/components/link';
import { EmptyState, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { getFormat } from '@/server/format';
import type { Operation, Page } from '@/server/types';

export async function ServiceOperations({
  serviceId,
  operations,
  title,
  withAttempt = false,
}: {
  serviceId: string;
  operations: Page<Operation>;
  title: string;
  /** Show each operation's attempt number (retries are a new attempt). */
  withAttempt?: boolean;
}) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  return (
    <Section
      title={title}
      id="operations"
      actions={<Link href={`/admin/operations?serviceId=${encodeURIComponent(serviceId)}`}>{t('domains.allOperations')}</Link>}
    >
      {operations.items.length === 0 ? (
        <EmptyState>{t('operations.empty')}</EmptyState>
      ) : (
        <Table caption={title}>
          <thead>
            <tr>
              <th scope="col">{t('operations.created')}</th>
              <th scope="col">{t('operations.action')}</th>
              <th scope="col">{t('operations.state')}</th>
              {withAttempt && <th scope="col">{t('operations.attempt')}</th>}
              <th scope="col">{t('operations.error')}</th>
            </tr>
          </thead>
          <tbody>
            {operations.items.map((op) => (
              <tr key={op.id}>
                <th scope="row">
                  <Link href={`/admin/operations/${op.id}`} aria-label={t('operations.openNamed', { date: fmt.dateTime(op.createdAt) })}>
                    {fmt.dateTime(op.createdAt)}
                  </Link>
                </th>
                <td>{t(`operations.actions.${op.action}`)}</td>
                <td>
                  <StateBadge state={op.state} />
                </td>
                {withAttempt && <td>{fmt.number(op.attempt)}</td>}
                <td>{op.error ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </Section>
  );
}
