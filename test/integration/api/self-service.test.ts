import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { apiClient, signupTenant, type ApiClient } from '../../support/api-client';
import { settledService, startTestStack } from '../../support/stack';

// Customer self-service over the API: what a customer may do per service type (the type's declared permissions),
// within the limits staff set on the account (counts per kind, the mailbox quota cap), and nothing on other
// accounts' services. Staff are not limited.

let stack: LocalStack;
let owner: ApiClient;
let customer: ApiClient;
let accountId: string;
let otherAccountId: string;
let otherMailboxId: string;

const paths = (res: { body: { error?: { details?: { path: (string | number)[] }[] } } }) =>
  (res.body.error?.details ?? []).map((d) => d.path.join('.'));

beforeAll(async () => {
  stack = await startTestStack();
  const signup = await signupTenant(stack.apiUrl, 'Self');
  owner = signup.client;
  accountId = (await owner.post('/v1/accounts', { name: 'Self Service', email: 'self@example.org', country: 'ES' })).body.id;
  otherAccountId = (await owner.post('/v1/accounts', { name: 'Other', email: 'other@example.org', country: 'ES' })).body.id;
  // Mail reaches a local host whose Postfix/Dovecot settings point into a scratch folder (every command `true`),
  // so a deleted mailbox really ends "deleted" and frees its slot.
  const dir = mkdtempSync(join(tmpdir(), 'consort-self-'));
  const host = await owner.post('/v1/hosts', {
    name: 'mail-local',
    address: '127.0.0.1',
    transport: 'local',
    config: {
      'postfix.maps_dir': join(dir, 'postfix'),
      'postfix.postmap': 'true',
      'postfix.reload': 'true',
      'dovecot.passwd_file': join(dir, 'dovecot/users'),
      'dovecot.passwd_group': '',
      'dovecot.sieve_dir': join(dir, 'sieve'),
      'dovecot.sievec': 'true',
      'dovecot.reload': 'true',
      'mail.vmail_root': join(dir, 'vmail'),
    },
  });
  expect(host.status, JSON.stringify(host.body)).toBe(201);
  for (const [kind, backend] of [
    ['mailbox', 'postfix'],
    ['mailbox', 'dovecot'],
    ['autoresponse', 'dovecot'],
  ]) {
    expect((await owner.post('/v1/routes', { kind, backend, hostId: host.body.id })).status).toBe(201);
  }
  for (const [account, name] of [
    [accountId, 'self-service.test'],
    [otherAccountId, 'other-service.test'],
  ]) {
    const domain = await owner.post('/v1/services', { accountId: account, kind: 'domain', spec: { name } });
    expect(domain.status, JSON.stringify(domain.body)).toBe(201);
  }
  const theirs = await owner.post('/v1/services', {
    accountId: otherAccountId,
    kind: 'mailbox',
    spec: { name: 'bob', domain: 'other-service.test', password: 'bobs-password-1' },
  });
  otherMailboxId = theirs.body.service.id;
  const login = { name: 'Carla', email: 'carla@self.example.org', password: 'carla-password-1' };
  expect((await owner.post('/v1/users', { ...login, role: 'customer', accountId })).status).toBe(201);
  const session = await apiClient(stack.apiUrl).post('/v1/auth/sessions', { ...login, organisation: signup.tenant.slug });
  customer = apiClient(stack.apiUrl, session.body.token);
});

afterAll(async () => {
  await stack?.stop();
});

describe('customer self-service', () => {
  it('lists each kind with its schema, form and what the caller may do', async () => {
    const res = await customer.get('/v1/service-types');
    expect(res.status).toBe(200);
    const byKind = Object.fromEntries(res.body.items.map((t: { kind: string }) => [t.kind, t]));
    expect(byKind.mailbox.permissions).toMatchObject({ create: true, change: true, delete: true });
    expect(byKind.mailbox.form.fields.map((f: { name: string }) => f.name)).toEqual(['name', 'domain', 'password', 'quotaMb']);
    expect(byKind.mailbox.schema.properties.quotaMb).toMatchObject({ type: 'integer' });
    expect(byKind.website.permissions).toMatchObject({ create: false, change: false, delete: false });
    const staff = await owner.get('/v1/service-types');
    const staffMailbox = staff.body.items.find((t: { kind: string }) => t.kind === 'mailbox');
    expect(staffMailbox.form.fields.map((f: { name: string }) => f.name)).toContain('disabled');
  });

  it('gives the forms in the requested language and refuses an unknown one', async () => {
    const res = await customer.get('/v1/service-types?locale=ca');
    expect(res.status).toBe(200);
    const mailbox = res.body.items.find((t: { kind: string }) => t.kind === 'mailbox');
    expect(mailbox.label).toBe('Bústia');
    expect(mailbox.form.label).toBe('Bústia');
    expect(mailbox.form.fields.find((f: { name: string }) => f.name === 'password')).toMatchObject({
      label: 'Contrasenya',
      help: 'Com a mínim 10 caràcters',
    });
    const english = await customer.get('/v1/service-types');
    expect(english.body.items.find((t: { kind: string }) => t.kind === 'mailbox').form.fields[0].label).toBe('Name (before the @)');
    const bad = await customer.get('/v1/service-types?locale=xx');
    expect(bad.status).toBe(422);
    expect(bad.body.error.details).toEqual([expect.objectContaining({ path: ['locale'], message: 'Use one of the languages en, es, ca' })]);
  });

  it('only staff set the limits', async () => {
    const denied = await customer.patch(`/v1/accounts/${accountId}`, { limits: { services: { mailbox: 100 } } });
    expect(denied.status).toBe(403);
    const res = await owner.patch(`/v1/accounts/${accountId}`, {
      limits: { services: { mailbox: 1, database: 3, autoresponse: 5 }, mailboxQuotaMb: 2048 },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect((await customer.get(`/v1/accounts/${accountId}`)).body.limits).toEqual({
      services: { mailbox: 1, database: 3, autoresponse: 5 },
      mailboxQuotaMb: 2048,
    });
    const bad = await owner.patch(`/v1/accounts/${accountId}`, { limits: { services: { mailbox: -1 } } });
    expect(bad.status).toBe(422);
    const badKind = await owner.patch(`/v1/accounts/${accountId}`, { limits: { services: { 'Web Site': 1 } } });
    expect(badKind.status).toBe(422);
    expect(JSON.stringify(badKind.body)).toContain('Use a service kind');
  });

  it('creates within the limits and is refused beyond them; staff are not limited', async () => {
    const tooBig = await customer.post('/v1/services', {
      accountId,
      kind: 'mailbox',
      spec: { name: 'carla', domain: 'self-service.test', password: 'carla-mail-pass', quotaMb: 4096 },
    });
    expect(tooBig.status).toBe(422);
    expect(paths(tooBig)).toEqual(['spec.quotaMb']);
    const first = await customer.post('/v1/services', {
      accountId,
      kind: 'mailbox',
      spec: { name: 'carla', domain: 'self-service.test', password: 'carla-mail-pass', quotaMb: 2048 },
    });
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    const second = await customer.post('/v1/services', {
      accountId,
      kind: 'mailbox',
      spec: { name: 'dani', domain: 'self-service.test', password: 'dani-mail-pass' },
    });
    expect(second.status).toBe(409);
    expect(second.body.error.message).toMatch(/at most 1 mailbox/);
    const byStaff = await owner.post('/v1/services', {
      accountId,
      kind: 'mailbox',
      spec: { name: 'dani', domain: 'self-service.test', password: 'dani-mail-pass', quotaMb: 8192 },
    });
    expect(byStaff.status, JSON.stringify(byStaff.body)).toBe(201);
  });

  it('refuses kinds and fields outside the permissions with 403', async () => {
    const site = await customer.post('/v1/services', {
      accountId,
      kind: 'website',
      spec: { name: 'site', domains: ['self-service.test'] },
    });
    expect(site.status).toBe(403);
    expect(site.body.error.message).toMatch(/cannot create website/);
    const domain = await customer.post('/v1/services', { accountId, kind: 'domain', spec: { name: 'new-one.test' } });
    expect(domain.status).toBe(403);
    const reply = await customer.post('/v1/services', {
      accountId,
      kind: 'autoresponse',
      spec: { mailbox: 'carla@self-service.test', subject: 'Away', body: 'Back soon' },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(201);
  });

  it('changes permitted fields, refuses the others, and caps the quota', async () => {
    const list = await customer.get('/v1/services?kind=mailbox');
    const mine = list.body.items.find((s: { name: string }) => s.name === 'carla@self-service.test');
    const base = mine.spec;
    const password = await customer.patch(`/v1/services/${mine.id}`, { spec: { ...base, password: 'a-new-password-2' } });
    expect(password.status, JSON.stringify(password.body)).toBe(200);
    expect(password.body.service.spec.passwordHash).not.toBe(base.passwordHash);
    const current = password.body.service.spec;
    const disable = await customer.patch(`/v1/services/${mine.id}`, { spec: { ...current, disabled: true } });
    expect(disable.status).toBe(403);
    expect(disable.body.error.message).toMatch(/cannot set disabled/);
    const bigger = await customer.patch(`/v1/services/${mine.id}`, { spec: { ...current, quotaMb: 4096 } });
    expect(bigger.status).toBe(422);
    expect(paths(bigger)).toEqual(['spec.quotaMb']);
    // The staff-made mailbox above the cap keeps its quota through a customer's password change.
    const dani = list.body.items.find((s: { name: string }) => s.name === 'dani@self-service.test');
    const daniChange = await customer.patch(`/v1/services/${dani.id}`, { spec: { ...dani.spec, password: 'dani-new-pass-3' } });
    expect(daniChange.status, JSON.stringify(daniChange.body)).toBe(200);
    expect(daniChange.body.service.spec.quotaMb).toBe(8192);
  });

  it('manages forwards, databases and their users (grants only on own databases of the same engine)', async () => {
    const forward = await customer.post('/v1/services', {
      accountId,
      kind: 'mailaddress',
      spec: { name: 'info', domain: 'self-service.test', mailboxes: ['carla@self-service.test'], forwards: ['carla@example.net'] },
    });
    expect(forward.status, JSON.stringify(forward.body)).toBe(201);
    const noForward = await customer.patch(`/v1/services/${forward.body.service.id}`, {
      spec: { ...forward.body.service.spec, forwards: [] },
    });
    expect(noForward.status, JSON.stringify(noForward.body)).toBe(200);
    // Someone else's mailbox is not a choice: 422 at the field, as for staff.
    const theirs = await customer.post('/v1/services', {
      accountId,
      kind: 'mailaddress',
      spec: { name: 'sales', domain: 'self-service.test', mailboxes: ['bob@other-service.test'] },
    });
    expect(theirs.status).toBe(422);
    expect(paths(theirs)).toContain('spec.mailboxes.0');

    const pg = await customer.post('/v1/services', { accountId, kind: 'database', spec: { name: 'shopdb', engine: 'postgresql' } });
    expect(pg.status, JSON.stringify(pg.body)).toBe(201);
    const user = await customer.post('/v1/services', {
      accountId,
      kind: 'databaseuser',
      spec: { username: 'shop_user', engine: 'postgresql', password: 'shop-user-pass-1', grants: [{ database: 'shopdb' }] },
    });
    expect(user.status, JSON.stringify(user.body)).toBe(201);
    const mysqlUser = await customer.post('/v1/services', {
      accountId,
      kind: 'databaseuser',
      spec: { username: 'shopreader', engine: 'mysql', password: 'mysql-user-pass-1', grants: [{ database: 'shopdb' }] },
    });
    expect(mysqlUser.status).toBe(422);
    expect(paths(mysqlUser)).toContain('spec.grants.0.database');
  });

  it("answers 404 for another account's services, as reads and as writes", async () => {
    expect((await customer.get(`/v1/services/${otherMailboxId}`)).status).toBe(404);
    const theirs = (await owner.get(`/v1/services/${otherMailboxId}`)).body;
    expect((await customer.patch(`/v1/services/${otherMailboxId}`, { spec: { ...theirs.spec, password: 'stolen-pass-1' } })).status).toBe(
      404,
    );
    expect((await customer.delete(`/v1/services/${otherMailboxId}`)).status).toBe(404);
    const create = await customer.post('/v1/services', {
      accountId: otherAccountId,
      kind: 'mailbox',
      spec: { name: 'eve', domain: 'other-service.test', password: 'eves-password-1' },
    });
    expect(create.status).toBe(404);
    expect((await owner.get(`/v1/services/${otherMailboxId}`)).body.version).toBe(theirs.version);
  });

  it('lets concurrent creates take only the free slots of a limit', async () => {
    const create = (name: string) => customer.post('/v1/services', { accountId, kind: 'database', spec: { name, engine: 'mysql' } });
    const names = ['db_one', 'db_two', 'db_three', 'db_four', 'db_five'];
    const attempts = await Promise.all(names.map(create));
    // Racing creates may lose to each other ("try again"), never pass the limit together.
    const created = attempts.filter((a) => a.status === 201).length;
    expect(created).toBeGreaterThanOrEqual(1);
    expect(created).toBeLessThanOrEqual(2);
    expect(attempts.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    // Retried one at a time, the free slots fill and the rest are refused with the limit.
    const retries = [];
    for (const [i, attempt] of attempts.entries()) if (attempt.status !== 201) retries.push(await create(names[i]!));
    expect(created + retries.filter((r) => r.status === 201).length).toBe(2);
    expect(retries.filter((r) => r.status !== 201).every((r) => /at most 3 database/.test(r.body.error.message))).toBe(true);
    expect((await customer.get('/v1/services?kind=database')).body.items).toHaveLength(3);
  });

  it('frees a slot when a service is deleted (services staff made count too)', async () => {
    const mailboxes = (await customer.get('/v1/services?kind=mailbox')).body.items as { id: string; name: string }[];
    const erin = { accountId, kind: 'mailbox', spec: { name: 'erin', domain: 'self-service.test', password: 'erins-password-1' } };
    const carla = mailboxes.find((s) => s.name === 'carla@self-service.test')!.id;
    // carla stays (see below): staff make room for two mailboxes, which carla and dani (made by staff) fill.
    const limits = { services: { mailbox: 2, database: 3, autoresponse: 5 }, mailboxQuotaMb: 2048 };
    expect((await owner.patch(`/v1/accounts/${accountId}`, { limits })).status).toBe(200);
    // Its vacation reply and the address delivering to it still need it: a 409 naming them, nothing written.
    const refused = await customer.delete(`/v1/services/${carla}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.dependents.map((d: { kind: string }) => d.kind).sort()).toEqual(['autoresponse', 'mailaddress']);
    expect((await customer.post('/v1/services', erin)).status).toBe(409); // carla and dani (made by staff) fill the limit
    const dani = mailboxes.find((s) => s.name === 'dani@self-service.test')!.id;
    expect((await customer.delete(`/v1/services/${dani}`)).status).toBe(202);
    expect((await settledService(stack, owner, dani)).service.state).toBe('deleted');
    const again = await customer.post('/v1/services', erin);
    expect(again.status, JSON.stringify(again.body)).toBe(201);
    // Domains: records only; deleting is staff's.
    const domain = (await customer.get('/v1/services?kind=domain')).body.items[0];
    expect((await customer.delete(`/v1/services/${domain.id}`)).status).toBe(403);
  });
});
