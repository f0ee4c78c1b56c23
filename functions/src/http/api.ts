import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DomainError } from '@consort/shared/core/errors';
import { authenticate } from '@consort/shared/tenancy/use-cases';
import { getDeps } from '../lib/deps';
import { toHttpError } from '../middleware/errors';
import { matchRoute } from './routes';

const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

function json(statusCode: number, body: unknown, extra: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...JSON_HEADERS, ...extra }, body: body === undefined ? '' : JSON.stringify(body) };
}

function readBody(event: APIGatewayProxyEventV2): unknown {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  const type = event.headers['content-type'] ?? '';
  if (type && !type.includes('json')) throw new DomainError('validation_failed', 'Send the body as application/json');
  try {
    return JSON.parse(text);
  } catch {
    throw new DomainError('validation_failed', 'The body is not valid JSON');
  }
}

function bearer(event: APIGatewayProxyEventV2): string | undefined {
  const header = event.headers.authorization ?? event.headers.Authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Route the request, authenticate, run the route's use case and map the outcome to JSON. */
async function route(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const deps = await getDeps();
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath;
  try {
    const { route: def, params, allowed } = matchRoute(method, path);
    if (!def) {
      if (allowed.length)
        return json(405, { error: { code: 'method_not_allowed', message: `Use ${allowed.join(', ')}` } }, { allow: allowed.join(', ') });
      return json(404, { error: { code: 'not_found', message: `No route ${method} ${path}` } });
    }
    const token = bearer(event);
    const actor = def.isPublic ? { type: 'system' as const, tenantId: '', reason: 'public' } : await authenticate(deps, token);
    const body = ['POST', 'PATCH', 'PUT'].includes(method) ? (readBody(event) ?? {}) : undefined;
    const result = await def.handle({
      deps,
      actor,
      params,
      query: (event.queryStringParameters as Record<string, string>) ?? {},
      body,
      token,
      event,
    });
    return def.status === 204 ? { statusCode: 204, headers: { 'cache-control': 'no-store' } } : json(def.status, result);
  } catch (error) {
    const mapped = toHttpError(error);
    if (mapped.unexpected)
      deps.log.error('Unhandled error', {
        path,
        method,
        requestId: context.awsRequestId,
        error: error instanceof Error ? error.stack : String(error),
      });
    return json(mapped.statusCode, mapped.body, mapped.statusCode === 401 ? { 'www-authenticate': 'Bearer' } : {});
  }
}

/**
 * What a request that outlives the function's time answers (middy stops waiting for it 5 ms before the Lambda
 * timeout, 29 s behind API Gateway): 503 `timeout`, never an opaque 500 or 502. The work it started may still finish
 * (a close queued behind others of its series, say), so the message tells the caller to look before repeating it.
 */
export function timeoutResponse(): APIGatewayProxyStructuredResultV2 {
  return json(
    503,
    { error: { code: 'timeout', message: 'The request took too long and was cut off; it may still complete: check before repeating it' } },
    { 'retry-after': '2' },
  );
}

// ANY /v1/{proxy+} — the API "lambdalith": one function, routed by the shared table in ./routes.
export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({ timeoutEarlyResponse: timeoutResponse }).handler(
  route,
);
