import { z } from 'zod';
import { AccountInput, AccountPatch, ContactInput, ContactPatch } from '@consort/shared/accounts/model';
import * as Accounts from '@consort/shared/accounts/use-cases';
import { PageQuery } from '@consort/shared/core/schemas';
import { route } from './route';

// Customer accounts and their contacts.
export const accountRoutes = [
  route({
    method: 'GET',
    path: '/v1/accounts',
    tag: 'Accounts',
    status: 200,
    summary: 'List customer accounts (newest first)',
    query: PageQuery.extend({ q: z.string().optional() }),
    handle: ({ deps, actor, query }) => Accounts.listAccounts(deps, actor, query),
  }),
  route({
    method: 'POST',
    path: '/v1/accounts',
    tag: 'Accounts',
    status: 201,
    summary: 'Create a customer account',
    body: AccountInput,
    handle: ({ deps, actor, body }) => Accounts.createAccount(deps, actor, body),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}',
    tag: 'Accounts',
    status: 200,
    summary: 'Get an account',
    handle: ({ deps, actor, params }) => Accounts.getAccountOrThrow(deps, actor, params.accountId!),
  }),
  route({
    method: 'PATCH',
    path: '/v1/accounts/{accountId}',
    tag: 'Accounts',
    status: 200,
    summary: 'Change an account',
    body: AccountPatch,
    handle: ({ deps, actor, params, body }) => Accounts.updateAccount(deps, actor, params.accountId!, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/accounts/{accountId}',
    tag: 'Accounts',
    status: 204,
    summary: 'Delete an account without services',
    handle: ({ deps, actor, params }) => Accounts.deleteAccount(deps, actor, params.accountId!),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}/contacts',
    tag: 'Accounts',
    status: 200,
    summary: "An account's contacts",
    handle: ({ deps, actor, params }) => Accounts.listContacts(deps, actor, params.accountId!),
  }),
  route({
    method: 'POST',
    path: '/v1/accounts/{accountId}/contacts',
    tag: 'Accounts',
    status: 201,
    summary: 'Add a contact',
    body: ContactInput,
    handle: ({ deps, actor, params, body }) => Accounts.createContact(deps, actor, params.accountId!, body),
  }),
  route({
    method: 'GET',
    path: '/v1/accounts/{accountId}/contacts/{contactId}',
    tag: 'Accounts',
    status: 200,
    summary: 'Get a contact',
    handle: ({ deps, actor, params }) => Accounts.getContactOrThrow(deps, actor, params.accountId!, params.contactId!),
  }),
  route({
    method: 'PATCH',
    path: '/v1/accounts/{accountId}/contacts/{contactId}',
    tag: 'Accounts',
    status: 200,
    summary: 'Change a contact',
    body: ContactPatch,
    handle: ({ deps, actor, params, body }) => Accounts.updateContact(deps, actor, params.accountId!, params.contactId!, body),
  }),
  route({
    method: 'DELETE',
    path: '/v1/accounts/{accountId}/contacts/{contactId}',
    tag: 'Accounts',
    status: 204,
    summary: 'Remove a contact',
    handle: ({ deps, actor, params }) => Accounts.deleteContact(deps, actor, params.accountId!, params.contactId!),
  }),
];
