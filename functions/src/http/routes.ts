import { accountRoutes } from './accounts';
import { billRoutes } from './bills';
import { billingRunRoutes } from './billing-runs';
import { catalogRoutes } from './catalog';
import { fleetRoutes } from './fleet';
import { openApiDocument } from './openapi';
import { rolloutRoutes } from './rollouts';
import { paymentRoutes } from './payments';
import { route, type Method, type RouteDefinition } from './route';
import { sepaRoutes } from './sepa';
import { serviceRoutes } from './services';
import { templateRoutes } from './templates';
import { tenancyRoutes } from './tenancy';

const apiRoutes: RouteDefinition[] = [
  ...tenancyRoutes,
  ...accountRoutes,
  ...fleetRoutes,
  ...rolloutRoutes,
  ...templateRoutes,
  ...serviceRoutes,
  ...catalogRoutes,
  ...billRoutes,
  ...paymentRoutes,
  ...sepaRoutes,
  ...billingRunRoutes,
];

let cachedDocument: unknown;

/** Every `/v1` route. The API Lambda routes with this table and the OpenAPI document is generated from it. */
export const ROUTES: readonly RouteDefinition[] = [
  ...apiRoutes,
  route({
    method: 'GET',
    path: '/v1/openapi.json',
    tag: 'Meta',
    isPublic: true,
    status: 200,
    summary: 'This OpenAPI 3.1 document',
    handle: async () => (cachedDocument ??= openApiDocument(ROUTES)),
  }),
];

interface CompiledRoute {
  def: RouteDefinition;
  pattern: RegExp;
  names: string[];
}

const compiled: CompiledRoute[] = ROUTES.map((def) => {
  const names: string[] = [];
  const pattern = new RegExp(
    `^${def.path.replace(/\{(\w+)\}/g, (_, name: string) => {
      names.push(name);
      return '([^/]+)';
    })}/?$`,
  );
  return { def, pattern, names };
});

/** Find the route for a request: `route` on a match; `allowed` methods when only the path matches (405). */
export function matchRoute(method: string, path: string): { route?: RouteDefinition; params: Record<string, string>; allowed: Method[] } {
  const allowed: Method[] = [];
  for (const c of compiled) {
    const m = c.pattern.exec(path);
    if (!m) continue;
    if (c.def.method !== method) {
      allowed.push(c.def.method);
      continue;
    }
    const params: Record<string, string> = {};
    c.names.forEach((name, i) => {
      params[name] = decodeURIComponent(m[i + 1] ?? '');
    });
    return { route: c.def, params, allowed };
  }
  return { params: {}, allowed };
}
