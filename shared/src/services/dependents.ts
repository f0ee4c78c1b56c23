import type { CoreDeps } from '../core/deps';
import { ConflictError } from '../core/errors';
import { liveServices, satisfies } from './account-services';
import type { Service } from './model';
import { serviceType } from './registry';

/** A service of the same account that would lose a reference it needs if `target` went away. */
export interface Dependent {
  id: string;
  kind: string;
  name: string;
  /** The reference's own message, e.g. "the website's domain must be a domain of the account". */
  reason: string;
}

/**
 * The services of `target`'s account whose references (`ServiceTypeDefinition.references`) only `target` satisfies:
 * a website on its domain, a mail address on its mailbox, a grant on its database. A reference that another live
 * service still satisfies (a website on `www.example.org` when `example.org` also exists) does not count. Checked
 * before the delete is written, not in its transaction: a service created meanwhile that needs `target` is caught by
 * its own reference check only if it comes second (documented in docs/decisions.md).
 */
export async function dependentsOf(deps: Pick<CoreDeps, 'store'>, target: Service): Promise<Dependent[]> {
  const others = (await liveServices(deps, target.tenantId, target.accountId)).filter((s) => s.id !== target.id);
  const dependents: Dependent[] = [];
  for (const service of others) {
    const type = serviceType(service.kind);
    // Billed-only records (a miscellaneous job "related to" a site) keep a historical link, not a running dependency.
    if (!type?.backends.length) continue;
    const lost = (type.references?.(service.spec) ?? []).find(
      (r) => r.kind === target.kind && r.anyOf.includes(target.name) && !others.some((o) => satisfies(r, o)),
    );
    if (lost) dependents.push({ id: service.id, kind: service.kind, name: service.name, reason: lost.message });
  }
  return dependents;
}

/** Refuse (409, naming each dependent) to delete a service others of its account still need. */
export async function assertNoDependents(deps: Pick<CoreDeps, 'store'>, target: Service): Promise<void> {
  const dependents = await dependentsOf(deps, target);
  if (!dependents.length) return;
  const names = dependents.map((d) => `${serviceType(d.kind)?.label ?? d.kind} ${d.name}`);
  throw new ConflictError(`Other services of this account still use ${target.name}: ${names.join(', ')}. Change or delete them first`, {
    dependents,
  });
}
