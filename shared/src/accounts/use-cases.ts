import { z } from 'zod';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { NotFoundError } from '../core/errors';
import { newId } from '../core/ids';
import { PageQuery } from '../core/schemas';
import { parseInput } from '../core/validate';
import { AccountInput, AccountPatch, ContactInput, ContactPatch, type Account, type Contact } from './model';

/** Customers see only their own account; a foreign id is "not found", never "forbidden" (no existence leaks). */
export async function getAccountOrThrow(deps: CoreDeps, actor: Actor, accountId: string): Promise<Account> {
  authorize(actor, 'accounts:read');
  if (actor.type === 'customer' && actor.accountId !== accountId) throw new NotFoundError('Account', accountId);
  const account = await deps.store.accounts.get(actor.tenantId, accountId);
  if (!account) throw new NotFoundError('Account', accountId);
  return account;
}

const AccountQuery = PageQuery.extend({ q: z.string().trim().max(100).optional() });

export async function listAccounts(deps: CoreDeps, actor: Actor, query: unknown) {
  authorize(actor, 'accounts:read');
  const q = parseInput(AccountQuery, query);
  if (actor.type === 'customer') return { items: [await getAccountOrThrow(deps, actor, actor.accountId)] };
  return deps.store.accounts.list(actor.tenantId, q);
}

export async function createAccount(deps: CoreDeps, actor: Actor, input: unknown): Promise<Account> {
  authorize(actor, 'accounts:write');
  const data = parseInput(AccountInput, input);
  const now = deps.clock.now().toISOString();
  const account: Account = {
    ...data,
    id: newId('account', deps.clock),
    tenantId: actor.tenantId,
    active: true,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.accounts.put(account);
  return account;
}

export async function updateAccount(deps: CoreDeps, actor: Actor, accountId: string, input: unknown): Promise<Account> {
  authorize(actor, 'accounts:write');
  const account = await getAccountOrThrow(deps, actor, accountId);
  const patch = parseInput(AccountPatch, input);
  if (actor.type === 'customer') {
    delete patch.active; // customers cannot (de)activate themselves
    delete patch.tags; // tags place services on hosts (route rules): staff only
    delete patch.limits; // self-service limits are set by staff
  }
  const next: Account = { ...account, ...stripUndefined(patch), updatedAt: deps.clock.now().toISOString() };
  await deps.store.accounts.put(next);
  return next;
}

export async function deleteAccount(deps: CoreDeps, actor: Actor, accountId: string): Promise<void> {
  authorize(actor, 'accounts:write');
  if (actor.type === 'customer') throw new NotFoundError('Account', accountId);
  await getAccountOrThrow(deps, actor, accountId);
  await deps.store.accounts.delete(actor.tenantId, accountId);
}

export async function listContacts(deps: CoreDeps, actor: Actor, accountId: string) {
  await getAccountOrThrow(deps, actor, accountId);
  return { items: await deps.store.contacts.list(actor.tenantId, accountId) };
}

export async function getContactOrThrow(deps: CoreDeps, actor: Actor, accountId: string, contactId: string): Promise<Contact> {
  await getAccountOrThrow(deps, actor, accountId);
  const contact = await deps.store.contacts.get(actor.tenantId, accountId, contactId);
  if (!contact) throw new NotFoundError('Contact', contactId);
  return contact;
}

export async function createContact(deps: CoreDeps, actor: Actor, accountId: string, input: unknown): Promise<Contact> {
  authorize(actor, 'accounts:write');
  await getAccountOrThrow(deps, actor, accountId);
  const data = parseInput(ContactInput, input);
  const now = deps.clock.now().toISOString();
  const contact: Contact = {
    ...data,
    id: newId('contact', deps.clock),
    tenantId: actor.tenantId,
    accountId,
    createdAt: now,
    updatedAt: now,
  };
  await deps.store.contacts.put(contact);
  return contact;
}

export async function updateContact(deps: CoreDeps, actor: Actor, accountId: string, contactId: string, input: unknown): Promise<Contact> {
  authorize(actor, 'accounts:write');
  const contact = await getContactOrThrow(deps, actor, accountId, contactId);
  const patch = parseInput(ContactPatch, input);
  const next: Contact = { ...contact, ...stripUndefined(patch), updatedAt: deps.clock.now().toISOString() };
  await deps.store.contacts.put(next);
  return next;
}

export async function deleteContact(deps: CoreDeps, actor: Actor, accountId: string, contactId: string): Promise<void> {
  authorize(actor, 'accounts:write');
  await getContactOrThrow(deps, actor, accountId, contactId);
  await deps.store.contacts.delete(actor.tenantId, accountId, contactId);
}

/** Drop keys whose value is undefined so a partial patch never erases fields. */
export function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
