import { describe, expect, it } from 'vitest';
import { ZodError, z } from 'zod';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '@consort/shared/core/errors';
import { toHttpError } from '../../../functions/src/middleware/errors';
import { openApiDocument } from '../../../functions/src/http/openapi';
import { matchRoute, ROUTES } from '../../../functions/src/http/routes';

describe('route table', () => {
  it('matches paths with parameters and reports allowed methods', () => {
    const m = matchRoute('PATCH', '/v1/accounts/acc_1/contacts/con_2');
    expect(m.route?.path).toBe('/v1/accounts/{accountId}/contacts/{contactId}');
    expect(m.params).toEqual({ accountId: 'acc_1', contactId: 'con_2' });
    expect(matchRoute('PUT', '/v1/accounts').allowed.sort()).toEqual(['GET', 'POST']);
    expect(matchRoute('GET', '/v1/accounts/a/b/c').route).toBeUndefined();
    expect(matchRoute('GET', '/v1/accounts/').route?.path).toBe('/v1/accounts');
  });

  it('has no duplicate method + path', () => {
    const keys = ROUTES.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('only signup, sign-in, the document and the signed Stripe webhook are public', () => {
    expect(
      ROUTES.filter((r) => r.isPublic)
        .map((r) => r.path)
        .sort(),
    ).toEqual(['/v1/auth/sessions', '/v1/openapi.json', '/v1/signup', '/v1/webhooks/stripe']);
  });
});

describe('OpenAPI document', () => {
  const doc = openApiDocument(ROUTES) as any;

  it('covers every route with a unique operationId and path parameters', () => {
    const ids: string[] = [];
    for (const r of ROUTES) {
      const op = doc.paths[r.path][r.method.toLowerCase()];
      expect(op, `${r.method} ${r.path}`).toBeDefined();
      ids.push(op.operationId);
      const params = [...r.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(op.parameters.filter((p: any) => p.in === 'path').map((p: any) => p.name)).toEqual(params);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes request bodies from the zod schemas', () => {
    const schema = doc.paths['/v1/accounts'].post.requestBody.content['application/json'].schema;
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'email', 'country']));
    expect(schema.properties.type.enum).toContain('association');
    expect(doc.paths['/v1/signup'].post.security).toEqual([]);
  });
});

describe('error mapping', () => {
  it('maps domain errors to statuses and hides unexpected ones', () => {
    expect(toHttpError(new ValidationError('bad', [{ path: ['x'] }])).statusCode).toBe(422);
    expect(toHttpError(new NotFoundError('Account', 'acc_1')).body.error).toEqual({
      code: 'not_found',
      message: 'Account acc_1 not found',
    });
    expect(toHttpError(new ConflictError('taken')).statusCode).toBe(409);
    expect(toHttpError(new TransientError('busy')).statusCode).toBe(503);
    const zod = toHttpError(z.string().safeParse(1).error as ZodError);
    expect(zod.statusCode).toBe(422);
    const boom = toHttpError(new Error('secret internals'));
    expect(boom.statusCode).toBe(500);
    expect(JSON.stringify(boom.body)).not.toContain('secret internals');
    expect(boom.unexpected).toBe(true);
  });
});
