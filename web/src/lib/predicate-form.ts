// A billable service's predicate as form fields and back. The builder edits the common shape — every service, or a
// flat list of conditions combined with all/any — and anything deeper (nesting, `not`) is edited as JSON.
import type { FieldCondition, Predicate, PredicateOp, PredicateValue } from '@/server/types';

export const PREDICATE_OPS: readonly PredicateOp[] = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'contains', 'exists'];

export type PredicateMode = 'all' | 'conditions' | 'json';
export type Combinator = 'all' | 'any';

/** What the form shows for a predicate. */
export interface PredicateFormValues {
  mode: PredicateMode;
  combinator: Combinator;
  /** One row per condition: field, op and value as text. */
  rows: { field: string; op: string; value: string }[];
  json: string;
}

const isCondition = (p: Predicate): p is FieldCondition => 'field' in p;

function valueText(value: PredicateValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map(valueText).join(', ');
  return String(value);
}

/** Whether a condition's value can be typed in the builder's text box and read back unchanged. */
function roundTrips(c: FieldCondition): boolean {
  const scalars = Array.isArray(c.value) ? c.value : [c.value];
  return scalars.every(
    (v) =>
      v === undefined ||
      typeof v === 'boolean' ||
      typeof v === 'number' ||
      (typeof v === 'string' &&
        v.trim() === v &&
        v !== '' &&
        v !== 'true' &&
        v !== 'false' &&
        !(Array.isArray(c.value) && v.includes(','))),
  );
}

/** The form's values for a stored predicate (every service when there is none). */
export function predicateToForm(predicate: Predicate | undefined): PredicateFormValues {
  const json = predicate ? JSON.stringify(predicate, null, 2) : '';
  const empty = { combinator: 'all' as const, rows: [], json };
  if (!predicate || ('all' in predicate && predicate.all.length === 0)) return { mode: 'all', ...empty, json: '' };
  const list: Predicate[] | undefined = isCondition(predicate)
    ? [predicate]
    : 'all' in predicate
      ? predicate.all
      : 'any' in predicate
        ? predicate.any
        : undefined;
  if (!list || !list.every((p) => isCondition(p) && roundTrips(p))) return { mode: 'json', ...empty };
  return {
    mode: 'conditions',
    combinator: 'any' in predicate ? 'any' : 'all',
    rows: (list as FieldCondition[]).map((c) => ({ field: c.field, op: c.op, value: valueText(c.value) })),
    json,
  };
}

/** A typed value: true/false become booleans; numbers stay text (the API reads "10.5" exactly). */
function scalar(text: string): PredicateValue {
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

/** One row of the builder as a condition; undefined for a blank row. */
export function rowToCondition(field: string, op: string, valueText: string): FieldCondition | undefined {
  const text = valueText.trim();
  if (!field.trim() && !text) return undefined;
  const condition = { field: field.trim(), op: op as PredicateOp };
  if (op === 'exists') return text ? { ...condition, value: !/^(false|no|0)$/i.test(text) } : condition;
  if (op === 'in') return { ...condition, value: text ? text.split(',').map((v) => scalar(v.trim())) : [] };
  return { ...condition, value: scalar(text) };
}
