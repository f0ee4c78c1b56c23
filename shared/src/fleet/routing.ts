import { DEFAULT_ROUTE_PRIORITY, type Route } from './model';
import { describeRouteMatch, routeMatches, type RoutingDocument } from './route-match';

/** One (backend, host) pair an operation runs on, and the route that chose it. */
export interface RoutedUnit {
  hostId: string;
  backend: string;
  routeId: string;
}

/** Where a service goes: its units, or why it goes nowhere. */
export type Routing = { units: RoutedUnit[] } | { units: []; reason: string };

/**
 * The (backend, host) units of a service of `kind`: the active routes of the kind whose rule matches, keeping only
 * those with the lowest priority number (every one of them: several hosts may share a tier). Deterministic order
 * (priority, host, backend). Pure.
 */
export function resolveRouting(routes: readonly Route[], kind: string, doc: RoutingDocument): Routing {
  const active = routes.filter((r) => r.kind === kind && r.active);
  if (active.length === 0) return { units: [], reason: `No active route for ${kind}: add one under Hosts → Routes, then retry` };
  const matching = active.filter((r) => routeMatches(r.match, doc));
  if (matching.length === 0) {
    const rules = active
      .slice(0, 5)
      .map((r) => describeRouteMatch(r.match))
      .join('; ');
    return {
      units: [],
      reason:
        `No route matches ${kind} ${doc.name}: ${active.length} active route(s) checked (${rules}${active.length > 5 ? '; …' : ''}). ` +
        'Change a route rule under Hosts → Routes, then retry',
    };
  }
  const best = Math.min(...matching.map(priorityOf));
  const units = matching
    .filter((r) => priorityOf(r) === best)
    .map((r) => ({ hostId: r.hostId, backend: r.backend, routeId: r.id }))
    .sort((a, b) => a.hostId.localeCompare(b.hostId) || a.backend.localeCompare(b.backend));
  return { units };
}

/** A route's priority (routes stored before priorities existed count as the default). */
export function priorityOf(route: Pick<Route, 'priority'>): number {
  return route.priority ?? DEFAULT_ROUTE_PRIORITY;
}
