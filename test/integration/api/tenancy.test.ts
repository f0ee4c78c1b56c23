import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

let stack: LocalStack;

beforeAll(async () => {
  stack = await startTestStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('signup and sessions', () => {
  it('signs up a tenant, signs in, and signs out', async () => {
    const t = await signupTenant(stack.apiUrl, 'Signup');
    expect(t.tenant.provisioningPublicKey).toMatch(/^ssh-ed25519 AAAA/);
    const anon = apiClient(stack.apiUrl);
    const login = await anon.post('/v1/auth/sessions', { organisation: t.tenant.slug, email: t.user.email, password: t.password });
    expect(login.status).toBe(201);
    expect(login.body.token).toMatch(/^cs_sess_tnt_/);
    expect(login.body.user.passwordHash).toBeUndefined();
    const session = anon.withToken(login.body.token);
    const me = await session.get('/v1/me');
    expect(me.status).toBe(200);
    expect(me.body.user.role).toBe('owner');
    expect(me.body.permissions).toContain('apikeys:manage');
    expect((await session.delete('/v1/auth/sessions/current')).status).toBe(204);
    expect((await session.get('/v1/me')).status).toBe(401);
  });

  it('gives one generic error for a wrong password, user or organisation', async () => {
    const t = await signupTenant(stack.apiUrl, 'Wrong');
    const anon = apiClient(stack.apiUrl);
    const attempts = [
      { organisation: t.tenant.slug, email: t.user.email, password: 'not-the-password' },
      { organisation: t.tenant.slug, email: 'nobody@example.org', password: t.password },
      { organisation: 'no-such-org', email: t.user.email, password: t.password },
    ];
    for (const body of attempts) {
      const res = await anon.post('/v1/auth/sessions', body);
      expect(res.status).toBe(401);
      expect(res.body.error.message).toBe('Organisation, e-mail or password is wrong');
    }
  });

  it('rejects a taken slug with 409 and bad input with 422 details', async () => {
    const t = await signupTenant(stack.apiUrl, 'Taken');
    const anon = apiClient(stack.apiUrl);
    const dup = await anon.post('/v1/signup', {
      organisation: 'Other',
      slug: t.tenant.slug,
      country: 'ES',
      currency: 'EUR',
      locale: 'en',
      ownerName: 'X',
      email: 'x@example.org',
      password: 'long-enough-password',
    });
    expect(dup.status).toBe(409);
    const bad = await anon.post('/v1/signup', {
      organisation: '',
      slug: 'Bad Slug!',
      country: 'Spain',
      currency: 'euro',
      locale: 'fr',
      ownerName: 'X',
      email: 'nope',
      password: 'short',
    });
    expect(bad.status).toBe(422);
    const paths = bad.body.error.details.map((d: { path: string[] }) => d.path.join('.'));
    for (const field of ['organisation', 'slug', 'country', 'currency', 'locale', 'email', 'password']) expect(paths).toContain(field);
  });

  it('answers malformed JSON, unknown routes and wrong methods without a 500', async () => {
    const anon = apiClient(stack.apiUrl);
    const notJson = await anon.request('POST', '/v1/signup', '{"organisation":', { 'content-type': 'application/json' });
    expect(notJson.status).toBe(422);
    expect((await anon.get('/v1/nothing-here')).status).toBe(404);
    expect((await anon.request('PUT', '/v1/accounts')).status).toBe(405);
    expect((await anon.get('/v1/accounts')).status).toBe(401);
    expect((await apiClient(stack.apiUrl, 'cs_sess_garbage').get('/v1/accounts')).status).toBe(401);
  });
});

describe('API keys and roles', () => {
  it('creates a scoped key that works, is hashed at rest, and stops working when revoked', async () => {
    const t = await signupTenant(stack.apiUrl, 'Keys');
    const created = await t.client.post('/v1/api-keys', { name: 'ci', role: 'support' });
    expect(created.status).toBe(201);
    const secret: string = created.body.secret;
    expect(secret).toMatch(/^cs_key_tnt_/);
    const stored = await stack.deps.store.apiKeys.get(t.tenant.id, created.body.apiKey.id);
    expect(stored?.secretHash).not.toContain(secret.slice(-20));
    const key = apiClient(stack.apiUrl, secret);
    expect((await key.get('/v1/accounts')).status).toBe(200);
    // support may not manage keys, hosts or the tenant
    expect((await key.get('/v1/api-keys')).status).toBe(403);
    expect((await key.post('/v1/hosts', { name: 'h', address: '10.0.0.1' })).status).toBe(403);
    expect((await key.patch('/v1/tenant', { name: 'x' })).status).toBe(403);
    const list = await t.client.get('/v1/api-keys');
    expect(list.body.items[0].secretHash).toBeUndefined();
    expect((await t.client.delete(`/v1/api-keys/${created.body.apiKey.id}`)).status).toBe(204);
    expect((await key.get('/v1/accounts')).status).toBe(401);
    // a tampered secret with a valid prefix fails too
    expect((await apiClient(stack.apiUrl, `${secret.slice(0, -4)}AAAA`).get('/v1/accounts')).status).toBe(401);
  });

  it('does not let a role mint a key or user above itself', async () => {
    const t = await signupTenant(stack.apiUrl, 'Ranks');
    const admin = await t.client.post('/v1/users', {
      name: 'Ada',
      email: 'ada@ranks.example.org',
      role: 'admin',
      password: 'long-enough-password',
    });
    expect(admin.status).toBe(201);
    const login = await apiClient(stack.apiUrl).post('/v1/auth/sessions', {
      organisation: t.tenant.slug,
      email: 'ada@ranks.example.org',
      password: 'long-enough-password',
    });
    const ada = apiClient(stack.apiUrl, login.body.token);
    expect((await ada.post('/v1/api-keys', { name: 'too much', role: 'owner' })).status).toBe(403);
    expect(
      (await ada.post('/v1/users', { name: 'O', email: 'o@ranks.example.org', role: 'owner', password: 'long-enough-password' })).status,
    ).toBe(403);
    expect((await ada.post('/v1/api-keys', { name: 'fine', role: 'sysadmin' })).status).toBe(201);
    const dupUser = await t.client.post('/v1/users', {
      name: 'Ada 2',
      email: 'ADA@ranks.example.org',
      role: 'support',
      password: 'long-enough-password',
    });
    expect(dupUser.status).toBe(409);
  });

  it('confines a customer user to its own account', async () => {
    const t = await signupTenant(stack.apiUrl, 'Customers');
    const mine = await t.client.post('/v1/accounts', { name: 'Mine', email: 'mine@example.org', country: 'ES' });
    const other = await t.client.post('/v1/accounts', { name: 'Other', email: 'other@example.org', country: 'ES' });
    const user = await t.client.post('/v1/users', {
      name: 'Cus',
      email: 'cus@example.org',
      role: 'customer',
      password: 'long-enough-password',
      accountId: mine.body.id,
    });
    expect(user.status).toBe(201);
    const login = await apiClient(stack.apiUrl).post('/v1/auth/sessions', {
      organisation: t.tenant.slug,
      email: 'cus@example.org',
      password: 'long-enough-password',
    });
    const cus = apiClient(stack.apiUrl, login.body.token);
    const accounts = await cus.get('/v1/accounts');
    expect(accounts.body.items.map((a: { id: string }) => a.id)).toEqual([mine.body.id]);
    expect((await cus.get(`/v1/accounts/${other.body.id}`)).status).toBe(404);
    expect((await cus.post('/v1/services', { accountId: other.body.id, kind: 'domain', spec: { name: 'x-other.test' } })).status).toBe(404);
    expect((await cus.get('/v1/hosts')).status).toBe(403);
    expect((await cus.get('/v1/operations')).status).toBe(403);
    expect((await cus.get('/v1/tenant')).body.provisioningPublicKey).toBe('');
  });
});

describe('accounts and contacts', () => {
  it('creates, lists with search and paging, edits and deletes', async () => {
    const t = await signupTenant(stack.apiUrl, 'Accounts');
    for (const name of ['Ana Garcia', 'Bob Builder', 'Carla Gomez']) {
      const res = await t.client.post('/v1/accounts', { name, email: `${name.split(' ')[0]!.toLowerCase()}@example.org`, country: 'ES' });
      expect(res.status).toBe(201);
    }
    const page1 = await t.client.get('/v1/accounts?limit=2');
    expect(page1.body.items).toHaveLength(2);
    expect(page1.body.items[0].name).toBe('Carla Gomez');
    const page2 = await t.client.get(`/v1/accounts?limit=2&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items.map((a: { name: string }) => a.name)).toContain('Ana Garcia');
    const search = await t.client.get('/v1/accounts?q=BUILDER');
    expect(search.body.items.map((a: { name: string }) => a.name)).toEqual(['Bob Builder']);
    const id = search.body.items[0].id;
    const patched = await t.client.patch(`/v1/accounts/${id}`, { phone: '+34 600 000 000' });
    expect(patched.body.phone).toBe('+34 600 000 000');
    expect(patched.body.name).toBe('Bob Builder');
    const bad = await t.client.patch(`/v1/accounts/${id}`, { email: 'not-an-email' });
    expect(bad.status).toBe(422);
    const contact = await t.client.post(`/v1/accounts/${id}/contacts`, {
      name: 'Billing',
      email: 'billing@example.org',
      usages: ['billing'],
    });
    expect(contact.status).toBe(201);
    expect((await t.client.delete(`/v1/accounts/${id}`)).status).toBe(204);
    expect((await t.client.get(`/v1/accounts/${id}`)).status).toBe(404);
    expect((await t.client.get(`/v1/accounts/${id}/contacts`)).status).toBe(404);
  });
});

describe('OpenAPI', () => {
  it('serves a 3.1 document with every route and its request schemas', async () => {
    const res = await apiClient(stack.apiUrl).get('/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const post = res.body.paths['/v1/services'].post;
    expect(post.requestBody.content['application/json'].schema.properties.kind.enum).toContain('domain');
    expect(res.body.paths['/v1/accounts/{accountId}/contacts/{contactId}'].patch).toBeDefined();
    expect(res.body.paths['/v1/operations'].get.parameters.map((p: { name: string }) => p.name)).toContain('state');
  });
});
