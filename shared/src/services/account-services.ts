import type { CoreDeps } from '../core/deps';
import type { ServiceReference } from './define-service-type';
import type { Service } from './model';

/** Not on its way out: neither being deleted nor deleted. */
export const isLive = (s: Service) => s.state !== 'deleting' && s.state !== 'deleted';

/** The live services of one account (of one kind, when given), read page by page. */
export async function liveServices(deps: Pick<CoreDeps, 'store'>, tenantId: string, accountId: string, kind?: string): Promise<Service[]> {
  const services: Service[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.services.list(tenantId, { kind, accountId, limit: 200, cursor });
    services.push(...page.items.filter((s) => s.accountId === accountId && (!kind || s.kind === kind) && isLive(s)));
    cursor = page.nextCursor;
  } while (cursor);
  return services;
}

/** Whether `service` satisfies a reference: its kind, one of the names, and the spec fields the reference asks for. */
export function satisfies(ref: ServiceReference, service: Service): boolean {
  return (
    service.kind === ref.kind &&
    ref.anyOf.includes(service.name) &&
    Object.entries(ref.spec ?? {}).every(([k, v]) => (service.spec as Record<string, unknown>)[k] === v)
  );
}
