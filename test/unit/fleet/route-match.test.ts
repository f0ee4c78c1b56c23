import { describe, expect, it } from 'vitest';
import { DEFAULT_ROUTE_PRIORITY, RouteInput, type Route } from '@consort/shared/fleet/model';
import {
  checkRouteMatch,
  describeRouteMatch,
  hashBucket,
  RouteMatch,
  routeMatches,
  routingDocument,
  stableHash,
  type RoutingDocument,
} from '@consort/shared/fleet/route-match';
import { resolveRouting } from '@consort/shared/fleet/routing';
import { serviceType } from '@consort/shared/services/registry';

const website = serviceType('website')!;
const domain = serviceType('domain')!;

function doc(over: Partial<RoutingDocument> & { spec?: Record<string, unknown> } = {}): RoutingDocument {
  return routingDocument(
    { id: over.id ?? 'svc_1', name: over.name ?? 'shop', accountId: over.accountId ?? 'acc_1', spec: over.spec ?? { protocol: 'https' } },
    { tags: over.account?.tags ?? [] },
  );
}

function route(over: Partial<Route>): Route {
  return {
    id: over.id ?? 'rte_x',
    tenantId: 'tnt_1',
    kind: 'website',
    backend: 'nginx',
    hostId: 'hst_a',
    active: true,
    priority: DEFAULT_ROUTE_PRIORITY,
    createdAt: '2026-01-01T00:00:00.000Z',
    ...over,
  };
}

describe('stable hash', () => {
  it('keeps its pinned values (a change of the function would move services between hosts)', () => {
    expect(['', 'svc_1', 'example.org', 'acc_42'].map(stableHash)).toEqual([2872998923, 2039747974, 2753394979, 2546517544]);
    expect(stableHash('svc_01jabc')).not.toBe(stableHash('svc_01jabd'));
    expect(stableHash('ü')).not.toBe(stableHash('u'));
  });

  it('matches an independent FNV-1a + fmix32 computation written with BigInt', () => {
    const reference = (text: string) => {
      let h = 0x811c9dc5n;
      for (const b of Buffer.from(text, 'utf8')) h = ((h ^ BigInt(b)) * 0x01000193n) & 0xffffffffn;
      h ^= h >> 16n;
      h = (h * 0x85ebca6bn) & 0xffffffffn;
      h ^= h >> 13n;
      h = (h * 0xc2b2ae35n) & 0xffffffffn;
      h ^= h >> 16n;
      return Number(h);
    };
    for (const text of ['', 'a', 'svc_01jq3z8m1x', 'café.example', '0', '123456789', 'x'.repeat(300)]) {
      expect(stableHash(text), text).toBe(reference(text));
    }
  });

  it('spreads ULID-like ids evenly over 3 buckets (each within 5% of a third over 30,000 ids)', () => {
    const counts = [0, 0, 0];
    // Ids created in the same millisecond share their prefix: the low bits must still depend on the tail.
    for (let i = 0; i < 30_000; i += 1) counts[hashBucket(`svc_01jq3z8m1x${i.toString(32).padStart(12, '0')}`, 3)]! += 1;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500);
  });

  it('is stable: the same id always lands in the same bucket, and numbers hash as their text', () => {
    expect(hashBucket('svc_abc', 7)).toBe(hashBucket('svc_abc', 7));
    expect(hashBucket(7, 5)).toBe(hashBucket('7', 5));
  });
});

describe('route rules', () => {
  it('accepts field comparisons, account tags, account ids and hash-mod, nested', () => {
    const rule: RouteMatch = {
      all: [
        { field: 'spec.protocol', op: 'in', value: ['https', 'https-redirect'] },
        {
          any: [
            { field: 'account.tags', op: 'contains', value: 'premium' },
            { field: 'accountId', op: 'in', value: ['acc_9'] },
          ],
        },
        { hashmod: { field: 'id', n: 2, k: hashBucket('svc_1', 2) } },
      ],
    };
    expect(RouteMatch.safeParse(rule).success).toBe(true);
    expect(checkRouteMatch(rule, website.spec, 'website')).toEqual([]);
    expect(routeMatches(rule, doc({ account: { tags: ['premium'] } }))).toBe(true);
    expect(routeMatches(rule, doc({ accountId: 'acc_9' }))).toBe(true);
    expect(routeMatches(rule, doc())).toBe(false); // neither tagged nor listed
    expect(routeMatches(rule, doc({ spec: { protocol: 'http' }, account: { tags: ['premium'] } }))).toBe(false);
    expect(routeMatches(undefined, doc())).toBe(true);
    expect(routeMatches({ not: rule }, doc())).toBe(true);
  });

  it('rejects malformed rules structurally (bad operator, k ≥ n, n < 2, unknown keys)', () => {
    for (const bad of [
      { field: 'spec.protocol', op: 'like', value: 'x' },
      { hashmod: { field: 'id', n: 3, k: 3 } },
      { hashmod: { field: 'id', n: 1, k: 0 } },
      { hashmod: { field: 'id', n: 3, k: 0 }, extra: true },
      { eval: "O['pk']%3==0" },
      { all: [{ field: '__proto__.x;', op: 'eq', value: 1 }] },
    ]) {
      expect(RouteMatch.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("checks paths against the kind's spec and the routing document", () => {
    expect(checkRouteMatch({ field: 'spec.nope', op: 'eq', value: 1 }, website.spec, 'website')).toEqual([
      { path: ['field'], message: 'A website has no field "spec.nope"' },
    ]);
    expect(checkRouteMatch({ field: 'spec.protocol', op: 'eq', value: 'gopher' }, website.spec, 'website')[0]?.path).toEqual(['value']);
    expect(checkRouteMatch({ field: 'account.tags', op: 'eq', value: 'x' }, website.spec, 'website')[0]?.path).toEqual(['op']);
    expect(checkRouteMatch({ all: [{ hashmod: { field: 'spec.domains', n: 2, k: 0 } }] }, website.spec, 'website', ['match'])).toEqual([
      { path: ['match', 'all', 0, 'hashmod', 'field'], message: '"spec.domains" is not a single value: hash a field such as id or name' },
    ]);
    expect(checkRouteMatch({ hashmod: { field: 'owner', n: 2, k: 0 } }, domain.spec, 'domain')[0]?.message).toMatch(/no field "owner"/);
    expect(checkRouteMatch({ hashmod: { field: 'spec.name', n: 2, k: 0 } }, domain.spec, 'domain')).toEqual([]);
  });

  it('describes rules in words', () => {
    expect(describeRouteMatch(undefined)).toBe('every service');
    expect(
      describeRouteMatch({ all: [{ hashmod: { field: 'id', n: 3, k: 0 } }, { field: 'account.tags', op: 'contains', value: 'eu' }] }),
    ).toBe('hash(id) mod 3 = 0 and account.tags contains "eu"');
  });

  it('defaults priority to 100 and active to true on input', () => {
    expect(RouteInput.parse({ kind: 'domain', backend: 'bind', hostId: 'hst_1' })).toMatchObject({ priority: 100, active: true });
  });
});

describe('resolving routes into units', () => {
  it('gives one unit per matching route of the best priority: primary and secondaries all apply', () => {
    const routes = [
      route({ id: 'r1', kind: 'domain', backend: 'bind', hostId: 'ns1' }),
      route({ id: 'r2', kind: 'domain', backend: 'bind', hostId: 'ns2' }),
      route({ id: 'r3', kind: 'domain', backend: 'bind', hostId: 'ns3', active: false }),
      route({ id: 'r4', kind: 'website', backend: 'nginx', hostId: 'web1' }),
    ];
    expect(resolveRouting(routes, 'domain', doc({ name: 'example.org' }))).toEqual({
      units: [
        { hostId: 'ns1', backend: 'bind', routeId: 'r1' },
        { hostId: 'ns2', backend: 'bind', routeId: 'r2' },
      ],
    });
  });

  it('lets a lower priority number override the general routes (a dedicated host for premium accounts)', () => {
    const routes = [
      route({ id: 'general', hostId: 'web1' }),
      route({ id: 'premium', hostId: 'web9', priority: 10, match: { field: 'account.tags', op: 'contains', value: 'premium' } }),
    ];
    expect(resolveRouting(routes, 'website', doc({ account: { tags: ['premium'] } })).units.map((u) => u.hostId)).toEqual(['web9']);
    expect(resolveRouting(routes, 'website', doc()).units.map((u) => u.hostId)).toEqual(['web1']);
  });

  it('places each service on exactly one of three round-robin hosts, the same one every time', () => {
    const routes = [0, 1, 2].map((k) => route({ id: `rr${k}`, hostId: `web${k}`, match: { hashmod: { field: 'id', n: 3, k } } }));
    const counts: Record<string, number> = {};
    for (let i = 0; i < 3000; i += 1) {
      const d = doc({ id: `svc_01jq${i.toString(36).padStart(8, '0')}` });
      const { units } = resolveRouting(routes, 'website', d);
      expect(units).toHaveLength(1);
      expect(resolveRouting(routes, 'website', d).units).toEqual(units);
      counts[units[0]!.hostId] = (counts[units[0]!.hostId] ?? 0) + 1;
    }
    for (const host of ['web0', 'web1', 'web2']) expect(Math.abs(counts[host]! - 1000)).toBeLessThan(100);
  });

  it('explains why nothing matches, and when no route exists at all', () => {
    const routes = [route({ id: 'r', match: { field: 'account.tags', op: 'contains', value: 'beta' } })];
    const none = resolveRouting(routes, 'website', doc({ name: 'shop' }));
    expect(none).toEqual({
      units: [],
      reason: expect.stringMatching(/^No route matches website shop: 1 active route\(s\) checked \(account.tags contains "beta"\)/),
    });
    const missing = resolveRouting(routes, 'domain', doc());
    expect('reason' in missing && missing.reason).toMatch(/^No active route for domain/);
  });

  it('keeps two backends on one host as two units (e.g. nginx and Apache on the same machine)', () => {
    const routes = [route({ id: 'a', backend: 'nginx', hostId: 'web1' }), route({ id: 'b', backend: 'apache', hostId: 'web1' })];
    expect(resolveRouting(routes, 'website', doc()).units).toEqual([
      { hostId: 'web1', backend: 'apache', routeId: 'b' },
      { hostId: 'web1', backend: 'nginx', routeId: 'a' },
    ]);
  });
});
