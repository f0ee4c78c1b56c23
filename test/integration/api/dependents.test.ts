import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LocalStack } from '../../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../../support/api-client';
import { startTestStack } from '../../support/stack';

// Deleting a service that others of its account still need is refused with a 409 naming them: a domain with mailboxes
// on it, a mailbox with a vacation reply. A reference another service still satisfies does not block (a mailbox on
// lists.example.org is fine without that domain while example.org remains). No hosts: each accepted delete is
// settled as the worker would record it once the host applied it.

let stack: LocalStack;
let owner: ApiClient;
let accountId: string;
let tenantId: string;

beforeAll(async () => {
  stack = await startTestStack();
  const signup = await signupTenant(stack.apiUrl, 'Deps');
  owner = signup.client;
  tenantId = signup.tenant.id;
  accountId = (await owner.post('/v1/accounts', { name: 'Mail User', email: 'mail@example.org', country: 'ES' })).body.id;
});

afterAll(async () => {
  await stack?.stop();
});

/** DELETE, expect 202, and record the delete as applied (what the worker does after the host ran it). */
async function deleted(id: string) {
  const res = await owner.delete(`/v1/services/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  await stack.deps.store.services.settle(tenantId, id, res.body.operation.id, 'deleted', new Date().toISOString());
}

async function create(kind: string, spec: Record<string, unknown>): Promise<string> {
  const res = await owner.post('/v1/services', { accountId, kind, spec });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.service.id as string;
}

it('refuses to delete a service others still need, names them, and allows it once they are gone', async () => {
  const apex = await create('domain', { name: 'example.org' });
  const lists = await create('domain', { name: 'lists.example.org' });
  const mailbox = await create('mailbox', { name: 'alice', domain: 'lists.example.org', password: 'correct horse battery' });
  const vacation = await create('autoresponse', { mailbox: 'alice@lists.example.org', subject: 'Away', body: 'Back on Monday.' });

  // lists.example.org can go: example.org still owns the mailbox's domain.
  await deleted(lists);

  const domainGone = await owner.delete(`/v1/services/${apex}`);
  expect(domainGone.status).toBe(409);
  expect(domainGone.body.error.message).toMatch(/still use example\.org: .*alice@lists\.example\.org/);
  expect(domainGone.body.error.details.dependents).toEqual([expect.objectContaining({ id: mailbox, kind: 'mailbox' })]);
  expect((await owner.get(`/v1/services/${apex}`)).body.state).not.toMatch(/delet/); // nothing was written

  const mailboxGone = await owner.delete(`/v1/services/${mailbox}`);
  expect(mailboxGone.status).toBe(409);
  expect(mailboxGone.body.error.details.dependents).toEqual([expect.objectContaining({ id: vacation, kind: 'autoresponse' })]);

  await deleted(vacation);
  await deleted(mailbox);
  await deleted(apex);
});
