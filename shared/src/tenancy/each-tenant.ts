import type { CoreDeps } from '../core/deps';

/**
 * Run `fn` for every tenant, one after another, page by page of the platform directory (system sweeps and schedules
 * only: the outbox sweeper, rollout repair, dunning, scheduled billing runs).
 */
export async function eachTenant(deps: Pick<CoreDeps, 'store'>, fn: (tenantId: string) => Promise<void>): Promise<void> {
  let cursor: string | undefined;
  do {
    const page = await deps.store.tenants.listIds(cursor);
    for (const tenantId of page.items) await fn(tenantId);
    cursor = page.nextCursor;
  } while (cursor);
}
