import { describe, expect, it } from 'vitest';
import {
  checkPredicate,
  describePredicate,
  fieldShape,
  matches,
  Predicate,
  type Predicate as PredicateType,
} from '@consort/shared/catalog/predicate';
import { DomainSpec } from '@consort/shared/services/domain/index';
import { MailboxSpec } from '../../fixtures/factories/billing';

const big = { name: 'info', quota: 20480, filtering: 'strict', isActive: true, forwards: ['a@x.org', 'b@x.org'] };
const small = { name: 'bob', quota: 1024, filtering: 'none', isActive: false, forwards: [] };

describe('matches', () => {
  it('compares numbers as decimals ("mailbox where quota > 10 GB" with quota in MB)', () => {
    const overTenGb: PredicateType = { field: 'quota', op: 'gt', value: 10240 };
    expect(matches(overTenGb, big)).toBe(true);
    expect(matches(overTenGb, small)).toBe(false);
    // Decimal strings compare exactly: 0.1 + 0.2 is not a concern here.
    expect(matches({ field: 'quota', op: 'eq', value: '20480.0' }, big)).toBe(true);
    expect(matches({ field: 'quota', op: 'gte', value: '20480' }, big)).toBe(true);
    expect(matches({ field: 'quota', op: 'lt', value: 20480 }, big)).toBe(false);
    expect(matches({ field: 'quota', op: 'lte', value: 20480 }, big)).toBe(true);
    expect(matches({ field: 'quota', op: 'ne', value: 1 }, big)).toBe(true);
  });

  it('supports all / any / not, and the empty all matches everything', () => {
    const p: PredicateType = {
      all: [
        { field: 'quota', op: 'gt', value: 10240 },
        { any: [{ field: 'filtering', op: 'eq', value: 'strict' }, { not: { field: 'isActive', op: 'eq', value: true } }] },
      ],
    };
    expect(matches(p, big)).toBe(true);
    expect(matches(p, { ...big, filtering: 'spam' })).toBe(false);
    expect(matches(p, { ...big, filtering: 'spam', isActive: false })).toBe(true);
    expect(matches({ all: [] }, small)).toBe(true);
    expect(matches({ any: [] }, small)).toBe(false);
  });

  it('in, contains, exists; arrays compare by length', () => {
    expect(matches({ field: 'filtering', op: 'in', value: ['spam', 'strict'] }, big)).toBe(true);
    expect(matches({ field: 'filtering', op: 'in', value: ['spam'] }, big)).toBe(false);
    expect(matches({ field: 'name', op: 'contains', value: 'nf' }, big)).toBe(true);
    expect(matches({ field: 'forwards', op: 'contains', value: 'b@x.org' }, big)).toBe(true);
    expect(matches({ field: 'forwards', op: 'exists' }, big)).toBe(true);
    expect(matches({ field: 'forwards', op: 'exists' }, small)).toBe(false);
    expect(matches({ field: 'forwards', op: 'exists', value: false }, small)).toBe(true);
    expect(matches({ field: 'forwards', op: 'gt', value: 1 }, big)).toBe(true);
  });

  it('treats missing fields and type mismatches as false, never as errors', () => {
    expect(matches({ field: 'limits.messages', op: 'gt', value: 5 }, big)).toBe(false);
    expect(matches({ field: 'limits.messages', op: 'gt', value: 5 }, { ...big, limits: { messages: 6 } })).toBe(true);
    expect(matches({ field: 'name', op: 'gt', value: 5 }, big)).toBe(false);
    expect(matches({ field: 'constructor', op: 'exists' }, big)).toBe(false);
    expect(matches({ field: 'quota', op: 'eq', value: 'lots' }, big)).toBe(false);
  });
});

describe('Predicate schema', () => {
  it('accepts the AST and rejects anything else with a clear message', () => {
    expect(Predicate.safeParse({ all: [{ field: 'quota', op: 'gt', value: 10 }] }).success).toBe(true);
    const bad = Predicate.safeParse({ field: 'quota', op: 'greater', value: 10 });
    expect(bad.success).toBe(false);
    expect(Predicate.safeParse({ eval: 'rm -rf /' }).success).toBe(false);
    const noValue = Predicate.safeParse({ field: 'quota', op: 'gt' });
    expect(noValue.success).toBe(false);
    const listForGt = Predicate.safeParse({ field: 'quota', op: 'gt', value: [1, 2] });
    expect(listForGt.success).toBe(false);
    const textForGt = Predicate.safeParse({ field: 'quota', op: 'gt', value: 'ten' });
    expect(JSON.stringify(textForGt.error?.issues)).toContain('compares numbers');
    expect(Predicate.safeParse({ field: 'a..b', op: 'exists' }).success).toBe(false);
  });

  it('limits depth and size', () => {
    let deep: PredicateType = { field: 'quota', op: 'exists' };
    for (let i = 0; i < 9; i++) deep = { not: deep };
    expect(JSON.stringify(Predicate.safeParse(deep).error?.issues)).toContain('levels deep');
    const wide = { any: Array.from({ length: 64 }, () => ({ field: 'quota', op: 'exists' })) };
    expect(JSON.stringify(Predicate.safeParse(wide).error?.issues)).toContain('at most 64 conditions');
  });
});

describe('checkPredicate against the spec schema', () => {
  it('knows field types through optional, default and nested objects', () => {
    expect(fieldShape(MailboxSpec, 'quota')).toEqual({ type: 'number' });
    expect(fieldShape(MailboxSpec, 'filtering')).toEqual({ type: 'enum', values: ['none', 'spam', 'strict'] });
    expect(fieldShape(MailboxSpec, 'limits.messages')).toEqual({ type: 'number' });
    expect(fieldShape(MailboxSpec, 'forwards')).toEqual({ type: 'array', element: { type: 'string' } });
    expect(fieldShape(MailboxSpec, 'nope')).toBeUndefined();
    expect(fieldShape(DomainSpec, 'name')).toEqual({ type: 'string' });
    expect(fieldShape(DomainSpec, 'ttl')).toEqual({ type: 'number' });
  });

  it('reports unknown fields, wrong operators and values outside an enum, with paths', () => {
    const issues = checkPredicate(
      {
        all: [
          { field: 'quoat', op: 'gt', value: 10 },
          { field: 'name', op: 'gt', value: 3 },
          { field: 'filtering', op: 'eq', value: 'paranoid' },
          { field: 'isActive', op: 'gt', value: 1 },
          { field: 'forwards', op: 'eq', value: 'x' },
          { field: 'quota', op: 'eq', value: 'big' },
          { field: 'quota', op: 'gt', value: 10240 },
        ],
      },
      MailboxSpec,
      'mailbox',
    );
    expect(issues).toEqual([
      { path: ['all', 0, 'field'], message: 'A mailbox has no field "quoat"' },
      { path: ['all', 1, 'op'], message: '"name" is text: use eq, ne, in, contains or exists' },
      { path: ['all', 2, 'value'], message: '"paranoid" is not a choice of "filtering" (none, spam, strict)' },
      { path: ['all', 3, 'op'], message: '"isActive" is yes/no: use eq or ne' },
      { path: ['all', 4, 'op'], message: '"forwards" is a list: use contains, exists or compare its length with gt/lt' },
      { path: ['all', 5, 'value'], message: '"quota" is a number: compare it with a number' },
    ]);
  });
});

describe('describePredicate', () => {
  it('reads like the staff wrote it', () => {
    expect(describePredicate({ all: [] })).toBe('every service');
    expect(describePredicate({ field: 'quota', op: 'gt', value: 10240 })).toBe('quota > 10240');
    expect(
      describePredicate({
        all: [
          { field: 'quota', op: 'gte', value: 10 },
          { any: [{ field: 'filtering', op: 'in', value: ['spam', 'strict'] }, { not: { field: 'forwards', op: 'exists' } }] },
        ],
      }),
    ).toBe('quota ≥ 10 and (filtering is one of "spam", "strict" or not (forwards is set))');
  });
});
