import type { z } from 'zod';
import type { SqlDialect } from '../provisioning/sql';
import type { Tenant } from '../tenancy/model';
import type { CustomerPermissions, ServiceUiHints } from './ui';

/** What a backend's template context builder receives. */
export interface BackendContextInput<Spec> {
  service: { id: string; accountId: string; name: string; spec: Spec; state: Record<string, unknown> };
  tenant: Pick<Tenant, 'id' | 'slug' | 'settings'>;
  /** Host configuration: backend defaults overridden by the host's own values. */
  config: Record<string, string>;
}

/**
 * A backend turns a service into shell scripts for one daemon (BIND, Apache, Postfix…).
 * Templates live in `templates/<templates>/{save,delete}.sh.liquid` plus optional file templates,
 * and `commit.sh.liquid`, run once per unit of work (the single daemon reload).
 */
export interface BackendDefinition<Spec> {
  name: string;
  label: string;
  /** Folder under `templates/`. */
  templates: string;
  /** Host configuration keys this backend reads, with defaults (Pysk: per-server config with overrides). */
  config: Record<string, string>;
  /** Variables for the templates of one service. */
  context(input: BackendContextInput<Spec>): Record<string, unknown>;
  /** File templates rendered first and passed to the script as variables (e.g. `zone` → zone.db.liquid). */
  files?: Record<string, string>;
  /** Like `files`, for a delete (a save renders `files` only). */
  deleteFiles?: Record<string, string>;
  /** Files named `*.sql.liquid` are rendered with this dialect's SQL quoting (every value a literal or an `ident`). */
  sql?: SqlDialect;
}

/** Another service, in the same account, that a spec needs: "a service of `kind` named one of `anyOf`". */
export interface ServiceReference {
  kind: string;
  /** Any one of these names satisfies the reference (e.g. a host name and each of its parent domains). */
  anyOf: string[];
  /** Where the reference is in the spec, for the validation message. */
  path: (string | number)[];
  message: string;
  /** Spec fields the referenced service must have, e.g. `{ engine: 'mysql' }` for a MySQL user's grant. */
  spec?: Record<string, string>;
  /**
   * The referenced service must run on every host this one is routed to (a website and the web app whose PHP-FPM
   * socket it uses): checked when a change is dispatched (provisioning/use-cases.ts), which fails it with the hosts.
   */
  sameHost?: boolean;
}

export interface ServiceTypeDefinition<Kind extends string, Spec extends z.ZodType> {
  kind: Kind;
  label: string;
  /** Validates and normalises a spec submitted by a user. */
  spec: Spec;
  /** The unique name of a service of this kind inside a tenant (e.g. the domain name). */
  identity(spec: z.output<Spec>): string;
  /** Fill tenant defaults into a new spec (e.g. default DNS records). */
  withDefaults?(spec: z.output<Spec>, tenant: Pick<Tenant, 'settings'>): z.output<Spec>;
  /** Backend-derived state to carry forward on each change (e.g. the DNS serial). */
  nextState?(previous: Record<string, unknown>, now: Date): Record<string, unknown>;
  /** Services of the same account this spec needs (a website's domains and system user); checked on create and change. */
  references?(spec: z.output<Spec>): ServiceReference[];
  /** Named metrics that pricing rules can reference (no eval); fractional quantities as decimal text ("1.5"). */
  metrics: Record<string, (spec: z.output<Spec>) => number | string>;
  /** Empty for billed-only kinds (miscellaneous): their changes are applied as they are written, on no host. */
  backends: readonly BackendDefinition<z.output<Spec>>[];
  /** Labels, widgets, order, secrets and reference choices for the generated forms; optional (the schema suffices). */
  ui?: ServiceUiHints;
  /** What customers may do with their own services of this kind; absent = staff only. */
  customer?: CustomerPermissions;
}

/** Declare a hosting service type; register it in `services/registry.ts`. */
export function defineServiceType<Kind extends string, Spec extends z.ZodType>(
  def: ServiceTypeDefinition<Kind, Spec>,
): ServiceTypeDefinition<Kind, Spec> {
  return def;
}
