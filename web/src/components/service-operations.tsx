// Operations as staff see them: the table of the operations log and of a service's page (each row links to the
// operation's page: script, output, retry), and the "Operations" section of a service's staff page (domains and
// every other kind): its latest operations, newest first, and a link to all of them.
import { Link } from '@/components/link';
import { EmptyState, Section, StateBadge, Table } from '@/components/ui';
import { getI18n } from '@/i18n/server';
import { getFormat } from '@/server/format';
import type { Operation, Page } from '@/server/types';

export async function OperationsTable({
  operations,
  caption,
  withService = false,
  withAttempt = false,
}: {
  operations: Operation[];
  caption: string;
  /** Name the service of each operation (the tenant-wide log). */
  withService?: boolean;
  /** Show each operation's attempt number (retries are a new attempt). */
  withAttempt?: boolean;
}) {
  const { t } = await getI18n();
  const fmt = await getFormat();
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <th scope="col">{t('operations.created')}</th>
          {withService && <th scope="col">{t('operations.service')}</th>}
          <th scope="col">{t('operations.action')}</th>
          <th scope="col">{t('operations.state')}</th>
          {withAttempt && <th scope="col">{t('operations.attempt')}</th>}
          <th scope="col">{t('operations.error')}</th>
        </tr>
      </thead>
      <tbody>
        {operations.map((op) => (
          <tr key={op.id}>
            <th scope="row">
              <Link
                href={`/admin/operations/${op.id}`}
                aria-label={
                  withService
                    ? t('operations.openNamedService', { name: op.serviceName, date: fmt.dateTime(op.createdAt) })
                    : t('operations.openNamed', { date: fmt.dateTime(op.createdAt) })
                }
              >
                {fmt.dateTime(op.createdAt)}
              </Link>
            </th>
            {withService && (
              <td>
                {op.serviceName} <span className="muted">({op.kind === 'domain' ? t('services.kinds.domain') : op.kind})</span>
              </td>
            )}
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
  );
}

export async function ServiceOperations({
  serviceId,
  operations,
  title,
  withAttempt = false,
}: {
  serviceId: string;
  operations: Page<Operation>;
  title: string;
  withAttempt?: boolean;
}) {
  const { t } = await getI18n();
  return (
    <Section
      title={title}
      id="operations"
      actions={<Link href={`/admin/operations?serviceId=${encodeURIComponent(serviceId)}`}>{t('domains.allOperations')}</Link>}
    >
      {operations.items.length === 0 ? (
        <EmptyState>{t('operations.empty')}</EmptyState>
      ) : (
        <OperationsTable operations={operations.items} caption={title} withAttempt={withAttempt} />
      )}
    </Section>
  );
}
