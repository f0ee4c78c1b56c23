import Decimal from 'decimal.js';
import { z } from 'zod';

// A typed, data-only condition over a service's spec ("mailbox where quota > 10240"). It replaces orchestra's
// Python `match` expressions: staff edit it as JSON, nothing is evaluated as code, and field paths and values are
// checked against the service type's zod spec when the definition is saved.

export const PREDICATE_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'ne', 'in', 'contains', 'exists'] as const;
export type PredicateOp = (typeof PREDICATE_OPS)[number];

/** A value a condition compares with. Numbers may also be written as decimal strings ("10.5"). */
export type PredicateValue = string | number | boolean | null | PredicateValue[];

/** One comparison: `field` is a dotted path into the spec (`quota`, `limits.disk`). */
export interface FieldCondition {
  field: string;
  op: PredicateOp;
  value?: PredicateValue;
}

/** A condition tree: all of / any of / not / one comparison. `{ all: [] }` matches every service. */
export type Predicate = { all: Predicate[] } | { any: Predicate[] } | { not: Predicate } | FieldCondition;

const MAX_DEPTH = 8;
const MAX_NODES = 64;

const FieldPath = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'Use a field name such as quota or limits.disk');

const Scalar = z.union([z.string().max(500), z.number().finite(), z.boolean(), z.null()]);
const Value = z.union([Scalar, z.array(Scalar).max(100, 'List at most 100 values')]);

/** One `{field, op, value}` comparison (structure only), reusable inside other condition trees (route rules). */
export const FieldConditionSchema = z
  .strictObject(
    {
      field: FieldPath,
      op: z.enum(PREDICATE_OPS, { message: `Use one of the operators ${PREDICATE_OPS.join(', ')}` }),
      value: Value.optional(),
    },
    { message: 'A condition is {field, op, value}' },
  )
  .superRefine((c, ctx) => {
    if (c.op === 'exists') {
      if (c.value !== undefined && typeof c.value !== 'boolean') {
        ctx.addIssue({ code: 'custom', path: ['value'], message: '"exists" takes true (the field is set) or false' });
      }
      return;
    }
    if (c.value === undefined) ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.op}" needs a value` });
    else if (c.op === 'in' && !Array.isArray(c.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: '"in" needs a list of values' });
    } else if (c.op !== 'in' && Array.isArray(c.value)) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.op}" compares with a single value, not a list` });
    } else if (['gt', 'gte', 'lt', 'lte'].includes(c.op) && decimalOf(c.value) === null) {
      ctx.addIssue({ code: 'custom', path: ['value'], message: `"${c.op}" compares numbers: use a number such as 10 or "10.5"` });
    }
  });

/** The predicate schema (recursive, depth ≤ 8, ≤ 64 nodes). Structure only; see {@link checkPredicate} for fields. */
export const Predicate: z.ZodType<Predicate> = z
  .lazy(() =>
    z.union(
      [
        z.strictObject({ all: z.array(Predicate).max(MAX_NODES) }),
        z.strictObject({ any: z.array(Predicate).max(MAX_NODES) }),
        z.strictObject({ not: Predicate }),
        FieldConditionSchema,
      ],
      { message: 'Use {all: [...]}, {any: [...]}, {not: ...} or {field, op, value}' },
    ),
  )
  .superRefine((p, ctx) => {
    const { depth, nodes } = measure(p);
    if (depth > MAX_DEPTH) ctx.addIssue({ code: 'custom', message: `Nest conditions at most ${MAX_DEPTH} levels deep` });
    if (nodes > MAX_NODES) ctx.addIssue({ code: 'custom', message: `Use at most ${MAX_NODES} conditions` });
  }) as z.ZodType<Predicate>;

/** The predicate that matches every service of the kind. */
export const MATCH_ALL: Predicate = { all: [] };

function measure(p: Predicate): { depth: number; nodes: number } {
  const children = 'all' in p ? p.all : 'any' in p ? p.any : 'not' in p ? [p.not] : [];
  let depth = 0;
  let nodes = 1;
  for (const c of children) {
    const m = measure(c);
    depth = Math.max(depth, m.depth);
    nodes += m.nodes;
  }
  return { depth: depth + 1, nodes };
}

/** A number, or a decimal string, as a Decimal; null for anything else. */
function decimalOf(value: unknown): Decimal | null {
  if (typeof value === 'number') return Number.isFinite(value) ? new Decimal(String(value)) : null;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return new Decimal(value.trim());
  return null;
}

function read(spec: unknown, path: string): unknown {
  let current: unknown = spec;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = Object.prototype.hasOwnProperty.call(current, key) ? (current as Record<string, unknown>)[key] : undefined;
  }
  return current;
}

function equals(actual: unknown, expected: PredicateValue | undefined): boolean {
  if (typeof actual === 'number') {
    const a = decimalOf(actual);
    const b = decimalOf(expected);
    return a !== null && b !== null && a.eq(b);
  }
  return actual === expected;
}

function compare(actual: unknown, op: 'gt' | 'gte' | 'lt' | 'lte', expected: PredicateValue | undefined): boolean {
  // Arrays compare by their length ("more than 10 records").
  const a = Array.isArray(actual) ? new Decimal(actual.length) : typeof actual === 'number' ? decimalOf(actual) : null;
  const b = decimalOf(expected);
  if (!a || !b) return false;
  const c = a.cmp(b);
  return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0;
}

function holds(c: FieldCondition, spec: unknown): boolean {
  const actual = read(spec, c.field);
  switch (c.op) {
    case 'exists': {
      const present = actual !== undefined && actual !== null && actual !== '' && !(Array.isArray(actual) && actual.length === 0);
      return present === (c.value ?? true);
    }
    case 'eq':
      return equals(actual, c.value);
    case 'ne':
      return !equals(actual, c.value);
    case 'in':
      return Array.isArray(c.value) && c.value.some((v) => equals(actual, v));
    case 'contains':
      if (typeof actual === 'string') return typeof c.value === 'string' && actual.includes(c.value);
      if (Array.isArray(actual)) return actual.some((item) => equals(item, c.value as PredicateValue));
      return false;
    default:
      return compare(actual, c.op, c.value);
  }
}

/**
 * Whether a service spec satisfies the predicate. Pure; unknown fields and type mismatches are "false", never errors.
 * @example matches({ field: 'quota', op: 'gt', value: 10240 }, { name: 'info', quota: 20480 }) // true
 */
export function matches(predicate: Predicate, spec: unknown): boolean {
  if ('all' in predicate) return predicate.all.every((p) => matches(p, spec));
  if ('any' in predicate) return predicate.any.some((p) => matches(p, spec));
  if ('not' in predicate) return !matches(predicate.not, spec);
  return holds(predicate, spec);
}

/** What the spec schema says about a field. */
export type FieldShape =
  | { type: 'number' }
  | { type: 'string' }
  | { type: 'boolean' }
  | { type: 'enum'; values: readonly (string | number)[] }
  | { type: 'array'; element: FieldShape }
  | { type: 'object' }
  | { type: 'unknown' };

type Def = { type: string; [key: string]: unknown };
const defOf = (schema: unknown): Def | undefined => (schema as { _zod?: { def?: Def } })?._zod?.def;

/** Strip wrappers (optional, default, nullable, pipes, lazies) down to the schema that describes the value. */
function unwrap(schema: unknown, depth = 0): unknown {
  const def = defOf(schema);
  if (!def || depth > 20) return schema;
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      return unwrap(def.innerType, depth + 1);
    case 'pipe':
      // A transform describes its input; a pipe into a schema (`.pipe(z.email())`) describes its output.
      return unwrap(defOf(def.out)?.type === 'transform' ? def.in : def.out, depth + 1);
    case 'lazy':
      return unwrap((def.getter as () => unknown)(), depth + 1);
    default:
      return schema;
  }
}

function shapeOf(schema: unknown): FieldShape {
  const inner = unwrap(schema);
  const def = defOf(inner);
  switch (def?.type) {
    case 'number':
    case 'int':
    case 'bigint':
      return { type: 'number' };
    case 'string':
    case 'template_literal':
      return { type: 'string' };
    case 'boolean':
      return { type: 'boolean' };
    case 'enum':
      return { type: 'enum', values: Object.values(def.entries as Record<string, string | number>) };
    case 'literal':
      return { type: 'enum', values: (def.values as (string | number)[]).filter((v) => typeof v !== 'object') };
    case 'array':
      return { type: 'array', element: shapeOf(def.element) };
    case 'object':
      return { type: 'object' };
    default:
      return { type: 'unknown' };
  }
}

/**
 * The shape of the field at `path` in a zod spec schema, `undefined` when the spec has no such field, or
 * `{type: 'unknown'}` when the schema cannot be introspected (unions, records…), in which case any check passes.
 */
export function fieldShape(spec: z.ZodType, path: string): FieldShape | undefined {
  let current: unknown = spec;
  for (const key of path.split('.')) {
    const inner = unwrap(current);
    const def = defOf(inner);
    if (def?.type !== 'object') return def?.type === 'record' || def?.type === 'union' || !def ? { type: 'unknown' } : undefined;
    const shape = def.shape as Record<string, unknown>;
    if (!Object.prototype.hasOwnProperty.call(shape, key)) return undefined;
    current = shape[key];
  }
  return shapeOf(current);
}

/** A problem found in a predicate, with the path of the offending node inside it. */
export interface PredicateIssue {
  path: (string | number)[];
  message: string;
}

function conditionIssues(c: FieldCondition, spec: z.ZodType, kind: string, path: (string | number)[]): PredicateIssue[] {
  const shape = fieldShape(spec, c.field);
  if (!shape) return [{ path: [...path, 'field'], message: `A ${kind} has no field "${c.field}"` }];
  const issue = (message: string): PredicateIssue[] => [{ path: [...path, 'value'], message }];
  const values = c.op === 'in' && Array.isArray(c.value) ? c.value : [c.value];
  switch (shape.type) {
    case 'unknown':
      return [];
    case 'number':
      if (c.op === 'contains') return [{ path: [...path, 'op'], message: `"${c.field}" is a number: "contains" does not apply` }];
      if (c.op !== 'exists' && values.some((v) => decimalOf(v) === null))
        return issue(`"${c.field}" is a number: compare it with a number`);
      return [];
    case 'string':
      if (['gt', 'gte', 'lt', 'lte'].includes(c.op)) {
        return [{ path: [...path, 'op'], message: `"${c.field}" is text: use eq, ne, in, contains or exists` }];
      }
      if (c.op !== 'exists' && values.some((v) => typeof v !== 'string')) return issue(`"${c.field}" is text: compare it with text`);
      return [];
    case 'boolean':
      if (!['eq', 'ne', 'exists'].includes(c.op)) return [{ path: [...path, 'op'], message: `"${c.field}" is yes/no: use eq or ne` }];
      if (c.op !== 'exists' && typeof c.value !== 'boolean') return issue(`"${c.field}" is yes/no: compare it with true or false`);
      return [];
    case 'enum':
      if (['gt', 'gte', 'lt', 'lte', 'contains'].includes(c.op)) {
        return [{ path: [...path, 'op'], message: `"${c.field}" is a choice: use eq, ne, in or exists` }];
      }
      if (c.op !== 'exists') {
        const bad = values.find((v) => !shape.values.includes(v as string));
        if (bad !== undefined) return issue(`"${String(bad)}" is not a choice of "${c.field}" (${shape.values.join(', ')})`);
      }
      return [];
    case 'array':
      if (c.op === 'eq' || c.op === 'ne' || c.op === 'in') {
        return [{ path: [...path, 'op'], message: `"${c.field}" is a list: use contains, exists or compare its length with gt/lt` }];
      }
      return [];
    case 'object':
      if (c.op !== 'exists') return [{ path: [...path, 'op'], message: `"${c.field}" is a group of fields: name one of them` }];
      return [];
  }
}

/**
 * Check a predicate's fields, operators and values against a service type's spec schema.
 * @returns one issue per problem; empty when the predicate fits the spec.
 */
export function checkPredicate(predicate: Predicate, spec: z.ZodType, kind: string, path: (string | number)[] = []): PredicateIssue[] {
  if ('all' in predicate) return predicate.all.flatMap((p, i) => checkPredicate(p, spec, kind, [...path, 'all', i]));
  if ('any' in predicate) return predicate.any.flatMap((p, i) => checkPredicate(p, spec, kind, [...path, 'any', i]));
  if ('not' in predicate) return checkPredicate(predicate.not, spec, kind, [...path, 'not']);
  return conditionIssues(predicate, spec, kind, path);
}

const OP_TEXT: Record<PredicateOp, string> = {
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  eq: '=',
  ne: '≠',
  in: 'is one of',
  contains: 'contains',
  exists: 'is set',
};

/**
 * The predicate in words, for explanations and the staff UI.
 * @example describePredicate({ all: [{ field: 'quota', op: 'gt', value: 10240 }] }) // 'quota > 10240'
 */
export function describePredicate(predicate: Predicate): string {
  const text = (v: PredicateValue | undefined): string =>
    Array.isArray(v) ? v.map(text).join(', ') : typeof v === 'string' ? `"${v}"` : String(v);
  if ('all' in predicate) {
    if (predicate.all.length === 0) return 'every service';
    return predicate.all.map((p) => ('any' in p ? `(${describePredicate(p)})` : describePredicate(p))).join(' and ');
  }
  if ('any' in predicate) {
    if (predicate.any.length === 0) return 'no service';
    return predicate.any.map((p) => ('all' in p && p.all.length > 1 ? `(${describePredicate(p)})` : describePredicate(p))).join(' or ');
  }
  if ('not' in predicate) return `not (${describePredicate(predicate.not)})`;
  if (predicate.op === 'exists') return predicate.value === false ? `${predicate.field} is not set` : `${predicate.field} is set`;
  return `${predicate.field} ${OP_TEXT[predicate.op]} ${text(predicate.value)}`;
}
