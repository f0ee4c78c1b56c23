import { z } from 'zod';
import type { RouteDefinition } from './route';

const ErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
    },
  },
};

function jsonSchema(schema: z.ZodType): Record<string, unknown> {
  const out = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
}

/** OpenAPI 3.1 document generated from the route table and its zod schemas (no hand-written spec to drift). */
export function openApiDocument(routes: readonly RouteDefinition[], serverUrl = '/') {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const queryParams: unknown[] = [];
    if (r.query) {
      const js = jsonSchema(r.query) as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(js.properties ?? {})) {
        queryParams.push({ name, in: 'query', required: js.required?.includes(name) ?? false, schema });
      }
    }
    const responses: Record<string, unknown> = {
      [r.status]:
        r.status === 204
          ? { description: 'No content' }
          : { description: 'OK', content: { 'application/json': { schema: r.response ? jsonSchema(r.response) : {} } } },
      '422': { description: 'Validation failed', content: { 'application/json': { schema: ErrorSchema } } },
    };
    if (!r.isPublic) {
      responses['401'] = { description: 'Missing or invalid token', content: { 'application/json': { schema: ErrorSchema } } };
      responses['403'] = { description: 'Role not allowed', content: { 'application/json': { schema: ErrorSchema } } };
      responses['404'] = { description: 'Not found (or another tenant’s)', content: { 'application/json': { schema: ErrorSchema } } };
    }
    if (['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method))
      responses['409'] = { description: 'Conflict', content: { 'application/json': { schema: ErrorSchema } } };
    paths[r.path] ??= {};
    paths[r.path]![r.method.toLowerCase()] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method.toLowerCase()}${r.path.replace(/\{(\w+)\}/g, 'By_$1').replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      ...(r.isPublic ? { security: [] } : {}),
      parameters: [...params, ...queryParams],
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body) } } } } : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Consort API',
      version: '1.0.0',
      description: 'Multi-tenant hosting control panel and billing. Errors are `{error:{code,message,details}}`.',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'A portal session token (`cs_sess_…`) or a scoped API key (`cs_key_…`).' },
      },
    },
    paths,
  };
}
