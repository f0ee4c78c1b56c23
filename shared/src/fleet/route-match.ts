import { z } from 'zod';
import {
  checkPredicate,
  describePredicate,
  FieldConditionSchema,
  fieldShape,
  matches,
  type FieldCondition,
  type PredicateIssue,
} from '../catalog/predicate';

// Route rules as data (thesis §5.3: orchestra's `O['pk']%3==0` expressions, without eval). A rule is a condition tree
// over a "routing document" built from the service and its account; its leaves are the catalog's typed field
// comparisons plus `hashmod` for round-robin placement. Paths are checked against the kind's zod spec on save.

/** Stable round-robin: the service's `field` hashed with {@link stableHash}, modulo `n`, equals `k`. */
export interface HashModCondition {
  hashmod: { field: string; n: number; k: number };
}

/** A route's condition tree: all of / any of / not / a field comparison / a hash-mod bucket. */
export type RouteMatch = { all: RouteMatch[] } | { any: RouteMatch[] } | { not: RouteMatch } | HashModCondition | FieldCondition;

const MAX_DEPTH = 6;
const MAX_NODES = 48;

const HashMod = z.strictObject({
  hashmod: z
    .strictObject({
      field: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'Use a field such as id or spec.name'),
      n: z.number().int().min(2, 'Split into at least 2 buckets').max(1000),
      k: z.number().int().min(0),
    })
    .refine((h) => h.k < h.n, { path: ['k'], message: 'The bucket k must be between 0 and n − 1' }),
});

function measure(m: RouteMatch): { depth: number; nodes: number } {
  const children = 'all' in m ? m.all : 'any' in m ? m.any : 'not' in m ? [m.not] : [];
  let depth = 0;
  let nodes = 1;
  for (const c of children) {
    const sub = measure(c);
    depth = Math.max(depth, sub.depth);
    nodes += sub.nodes;
  }
  return { depth: depth + 1, nodes };
}

const AllOf = z.lazy(() => z.strictObject({ all: z.array(RouteMatch).max(MAX_NODES) }));
const AnyOf = z.lazy(() => z.strictObject({ any: z.array(RouteMatch).max(MAX_NODES) }));
const NotOf = z.lazy(() => z.strictObject({ not: RouteMatch }));

/** The branch a node is written as (its key), so that errors point inside it instead of at the whole union. */
function branchOf(value: unknown): z.ZodType | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  if ('all' in value) return AllOf;
  if ('any' in value) return AnyOf;
  if ('not' in value) return NotOf;
  if ('hashmod' in value) return HashMod;
  if ('field' in value) return FieldConditionSchema;
  return undefined;
}

/** The rule schema (recursive, depth ≤ 6, ≤ 48 nodes). Structure only; {@link checkRouteMatch} checks the fields. */
export const RouteMatch: z.ZodType<RouteMatch> = z
  .custom<RouteMatch>(() => true)
  .superRefine((value, ctx) => {
    const branch = branchOf(value);
    if (!branch) {
      ctx.addIssue({
        code: 'custom',
        message: 'Use {all: [...]}, {any: [...]}, {not: ...}, {hashmod: {field, n, k}} or {field, op, value}',
      });
      return;
    }
    const parsed = branch.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return;
    }
    const { depth, nodes } = measure(value);
    if (depth > MAX_DEPTH) ctx.addIssue({ code: 'custom', message: `Nest conditions at most ${MAX_DEPTH} levels deep` });
    if (nodes > MAX_NODES) ctx.addIssue({ code: 'custom', message: `Use at most ${MAX_NODES} conditions` });
  }) as z.ZodType<RouteMatch>;

/**
 * What a rule sees of a service: `id`, `name`, `accountId`, `account.tags` and `spec.<field>` (the kind's own spec).
 * Built by {@link routingDocument}; its schema by {@link routingSchema}.
 */
export interface RoutingDocument {
  id: string;
  name: string;
  accountId: string;
  account: { tags: string[] };
  spec: unknown;
}

/** The routing document of a service and its account (tags default to none). */
export function routingDocument(
  service: { id: string; name: string; accountId: string; spec: unknown },
  account: { tags?: string[] } | undefined,
): RoutingDocument {
  return { id: service.id, name: service.name, accountId: service.accountId, account: { tags: account?.tags ?? [] }, spec: service.spec };
}

/** The schema rules are checked against for a kind: the routing document with the kind's spec under `spec`. */
export function routingSchema(spec: z.ZodType): z.ZodType {
  return z.object({
    id: z.string(),
    name: z.string(),
    accountId: z.string(),
    account: z.object({ tags: z.array(z.string()) }),
    spec,
  });
}

/**
 * 32-bit FNV-1a over the UTF-8 bytes of `text`, finished with MurmurHash3's fmix32 avalanche so that the low bits
 * (what `mod n` keeps) depend on every input byte. Unsigned; the same in every language and runtime.
 * @example stableHash('svc_01') % 3 // always the same bucket for this id
 */
export function stableHash(text: string): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function read(doc: unknown, path: string): unknown {
  let current: unknown = doc;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

/** The bucket (0 … n−1) a value falls in; numbers hash as their decimal text, so 7 and "7" share a bucket. */
export function hashBucket(value: string | number | boolean, n: number): number {
  return stableHash(String(value)) % n;
}

/**
 * Whether a service (as a routing document) satisfies a rule. Pure; a missing field or a non-scalar value under
 * `hashmod` is "false", never an error. No rule (undefined) matches every service.
 */
export function routeMatches(match: RouteMatch | undefined, doc: RoutingDocument): boolean {
  if (!match) return true;
  if ('all' in match) return match.all.every((m) => routeMatches(m, doc));
  if ('any' in match) return match.any.some((m) => routeMatches(m, doc));
  if ('not' in match) return !routeMatches(match.not, doc);
  if ('hashmod' in match) {
    const value = read(doc, match.hashmod.field);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return false;
    return hashBucket(value, match.hashmod.n) === match.hashmod.k;
  }
  return matches(match, doc);
}

/**
 * Check a rule's fields, operators and values against a kind's spec (through {@link routingSchema}).
 * @returns one issue per problem, with its path inside the rule; empty when the rule fits.
 */
export function checkRouteMatch(match: RouteMatch, spec: z.ZodType, kind: string, path: (string | number)[] = []): PredicateIssue[] {
  const schema = routingSchema(spec);
  const visit = (m: RouteMatch, at: (string | number)[]): PredicateIssue[] => {
    if ('all' in m) return m.all.flatMap((c, i) => visit(c, [...at, 'all', i]));
    if ('any' in m) return m.any.flatMap((c, i) => visit(c, [...at, 'any', i]));
    if ('not' in m) return visit(m.not, [...at, 'not']);
    if ('hashmod' in m) {
      const shape = fieldShape(schema, m.hashmod.field);
      const where = [...at, 'hashmod', 'field'];
      if (!shape) return [{ path: where, message: `A ${kind} has no field "${m.hashmod.field}"` }];
      if (shape.type === 'array' || shape.type === 'object') {
        return [{ path: where, message: `"${m.hashmod.field}" is not a single value: hash a field such as id or name` }];
      }
      return [];
    }
    return checkPredicate(m, schema, kind, at);
  };
  return visit(match, path);
}

/**
 * The rule in words, for the operation's reason and the staff UI.
 * @example describeRouteMatch({ hashmod: { field: 'id', n: 3, k: 0 } }) // 'hash(id) mod 3 = 0'
 */
export function describeRouteMatch(match: RouteMatch | undefined): string {
  if (!match) return 'every service';
  if ('all' in match) {
    if (match.all.length === 0) return 'every service';
    return match.all.map((m) => ('any' in m ? `(${describeRouteMatch(m)})` : describeRouteMatch(m))).join(' and ');
  }
  if ('any' in match) {
    if (match.any.length === 0) return 'no service';
    return match.any.map((m) => ('all' in m && m.all.length > 1 ? `(${describeRouteMatch(m)})` : describeRouteMatch(m))).join(' or ');
  }
  if ('not' in match) return `not (${describeRouteMatch(match.not)})`;
  if ('hashmod' in match) return `hash(${match.hashmod.field}) mod ${match.hashmod.n} = ${match.hashmod.k}`;
  return describePredicate(match);
}
