// Presentational building blocks shared by pages (server components).
import { Link } from '@/components/link';
import { getI18n } from '@/i18n/server';

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: React.ReactNode }) {
  return (
    <header className="page-header">
      <div>
        <h1>{title}</h1>
        {description && <p className="page-description">{description}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </header>
  );
}

export function Section({
  title,
  id,
  children,
  description,
  actions,
}: {
  title: string;
  id?: string;
  children: React.ReactNode;
  description?: React.ReactNode;
  actions?: React.ReactNode;
}) {
  const headingId = id ? `${id}-title` : undefined;
  return (
    <section className="card" id={id} aria-labelledby={headingId}>
      <div className="card-header">
        <h2 id={headingId}>{title}</h2>
        {actions}
      </div>
      {description && <div className="card-description">{description}</div>}
      {children}
    </section>
  );
}

const TONES: Record<string, string> = {
  applied: 'success',
  pending: 'warning',
  queued: 'info',
  running: 'info',
  failed: 'danger',
  deleting: 'neutral',
  deleted: 'neutral',
  active: 'success',
  inactive: 'neutral',
  revoked: 'neutral',
};

/** A state shown as text with a colour (the colour is never the only signal). */
export async function StateBadge({ state }: { state: string }) {
  const { t } = await getI18n();
  const known = ['pending', 'queued', 'running', 'applied', 'failed', 'deleting', 'deleted'] as const;
  const label = (known as readonly string[]).includes(state) ? t(`states.${state as (typeof known)[number]}`) : state;
  return <span className={`badge badge-${TONES[state] ?? 'neutral'}`}>{label}</span>;
}

export function Badge({
  tone = 'neutral',
  children,
}: {
  tone?: 'success' | 'warning' | 'info' | 'danger' | 'neutral';
  children: React.ReactNode;
}) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function EmptyState({ children }: { children: React.ReactNode }) {
  return <p className="empty">{children}</p>;
}

export function Notice({
  tone = 'info',
  children,
  role,
}: {
  tone?: 'info' | 'success' | 'warning' | 'error';
  children: React.ReactNode;
  role?: 'status' | 'alert';
}) {
  return (
    <div className={`notice notice-${tone}`} role={role}>
      {children}
    </div>
  );
}

export function DescriptionList({ items }: { items: [string, React.ReactNode][] }) {
  return (
    <dl className="details">
      {items.map(([term, value]) => (
        <div key={term}>
          <dt>{term}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A captioned table in a horizontally scrollable wrapper that keyboard users can focus to scroll (a named group,
 * not a landmark region, so it does not duplicate the section around it).
 */
export function Table({
  caption,
  children,
  captionHidden = true,
}: {
  caption: string;
  children: React.ReactNode;
  captionHidden?: boolean;
}) {
  return (
    <div className="table-wrap" role="group" aria-label={caption} tabIndex={0}>
      <table>
        <caption className={captionHidden ? 'visually-hidden' : undefined}>{caption}</caption>
        {children}
      </table>
    </div>
  );
}

/** "First page / Next page" links for cursor-paginated lists. */
export async function Pager({
  basePath,
  query,
  nextCursor,
  hasCursor,
}: {
  basePath: string;
  query?: Record<string, string | undefined>;
  nextCursor?: string;
  hasCursor: boolean;
}) {
  if (!nextCursor && !hasCursor) return null;
  const { t } = await getI18n();
  const href = (cursor?: string) => {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v) params.set(k, v);
    if (cursor) params.set('cursor', cursor);
    const qs = params.toString();
    return qs ? `${basePath}?${qs}` : basePath;
  };
  return (
    <nav className="pager" aria-label={t('common.pagination')}>
      {hasCursor && <Link href={href()}>{t('common.firstPage')}</Link>}
      {nextCursor && (
        <Link href={href(nextCursor)} rel="next">
          {t('common.nextPage')}
        </Link>
      )}
    </nav>
  );
}
