import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Account, Contact } from '../../accounts/model';
import {
  billableServiceToJSON,
  packToJSON,
  parseBillableService,
  parsePack,
  type BillableService,
  type ContractedPack,
  type Pack,
} from '../../catalog/model';
import { orderToJSON, parseOrder, type Order } from '../../orders/model';
import { ConflictError, TransientError, ValidationError } from '../../core/errors';
import type { Page } from '../../core/schemas';
import type { Host, Route } from '../../fleet/model';
import type { Operation, OperationState } from '../../provisioning/model';
import type { Service } from '../../services/model';
import type { Store } from '../../ports/store';
import type { ApiKey, Session, Tenant, User } from '../../tenancy/model';
import { createBillStore } from './bill-store';
import { createBillingRunStore } from './billing-run-store';
import { createRolloutStore } from './rollout-store';
import { createTemplateStore } from './template-store';
import { createPaymentStore } from './payment-store';
import { createSepaStore } from './sepa-store';
import { indexKeys, KEY_ATTRIBUTES, keys, PLATFORM_PK, SK_PREFIX, skRange } from './keys';

type Item = Record<string, unknown>;

export function strip<T>(item: Item | undefined): T | undefined {
  if (!item) return undefined;
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!KEY_ATTRIBUTES.includes(k)) out[k] = v;
  return out as T;
}

/** Opaque cursor = base64url(LastEvaluatedKey). Decoded cursors must stay inside the caller's partition. */
export function encodeCursor(key: Item | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined, partitionPrefix: string): Item | undefined {
  if (!cursor) return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ValidationError('Invalid cursor');
  }
  if (!key || typeof key !== 'object') throw new ValidationError('Invalid cursor');
  const entries = Object.entries(key as Item);
  const ok = entries.every(
    ([k, v]) => typeof v === 'string' && (!k.endsWith('pk') || v === partitionPrefix || v.startsWith(`${partitionPrefix}#`)),
  );
  if (!ok || !entries.some(([k]) => k === 'pk')) throw new ValidationError('Invalid cursor');
  return key as Item;
}

export function isConditionFailure(error: unknown): boolean {
  if (error instanceof ConditionalCheckFailedException) return true;
  if (error instanceof TransactionCanceledException) {
    return (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed');
  }
  return false;
}

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
]);

/** Maps SDK failures to domain errors: throttling → TransientError; anything else is rethrown as is. */
export async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const name = (error as { name?: string }).name ?? '';
    if (
      THROTTLING.has(name) ||
      (error instanceof TransactionCanceledException && error.CancellationReasons?.some((r) => r.Code === 'TransactionConflict'))
    ) {
      throw new TransientError(`DynamoDB is busy (${name}), try again`, { cause: error });
    }
    throw error;
  }
}

const OUTBOX_ATTRS = ['gsi3pk', 'gsi3sk'];

/** The Store port over one DynamoDB table through the document client it receives. */
export class DynamoStore implements Store {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private billStore?: Store['bills'];

  /** Bills, numbering and bill settings (./bill-store.ts). */
  get bills(): Store['bills'] {
    return (this.billStore ??= createBillStore(this.db, this.tableName));
  }

  private paymentStore?: Store['payments'];

  /** Transactions, payment sources and settings, webhook dedup (./payment-store.ts). */
  get payments(): Store['payments'] {
    return (this.paymentStore ??= createPaymentStore(this.db, this.tableName));
  }

  private sepaStore?: Store['sepa'];

  /** SEPA mandates, creditor settings, batches and bank-file imports (./sepa-store.ts). */
  get sepa(): Store['sepa'] {
    return (this.sepaStore ??= createSepaStore(this.db, this.tableName));
  }

  private billingRunStore?: Store['billingRuns'];

  /** Billing run records and their pages (./billing-run-store.ts). */
  get billingRuns(): Store['billingRuns'] {
    return (this.billingRunStore ??= createBillingRunStore(this.db, this.tableName));
  }

  private rolloutStore?: Store['rollouts'];

  /** Rollouts (./rollout-store.ts). */
  get rollouts(): Store['rollouts'] {
    return (this.rolloutStore ??= createRolloutStore(this.db, this.tableName));
  }

  private templateStore?: Store['templates'];

  /** Template overrides and their versions (./template-store.ts). */
  get templates(): Store['templates'] {
    return (this.templateStore ??= createTemplateStore(this.db, this.tableName));
  }

  private async get<T>(key: { pk: string; sk: string }): Promise<T | undefined> {
    const out = await call(() => this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })));
    return strip<T>(out.Item);
  }

  private async put(item: Item, condition?: string): Promise<void> {
    await call(() => this.db.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: condition })));
  }

  private async query<T>(input: Omit<QueryCommandInput, 'TableName'>, cursor: string | undefined, partition: string): Promise<Page<T>> {
    const out = await call(() =>
      this.db.send(new QueryCommand({ ...input, TableName: this.tableName, ExclusiveStartKey: decodeCursor(cursor, partition) })),
    );
    return { items: (out.Items ?? []).map((i) => strip<T>(i) as T), nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  /** All items of a partition prefix (small, bounded collections: hosts, routes, contacts, API keys). */
  /** The tenant item (under `condition`) and its sealed provisioning key, as transaction items (signup, key rotation). */
  private tenantWithKey(tenant: Tenant, sealedPrivateKey: string, condition: string) {
    return [
      {
        Put: {
          TableName: this.tableName,
          Item: { ...keys.tenant(tenant.id), entity: 'tenant', ...tenant },
          ConditionExpression: condition,
        },
      },
      { Put: { TableName: this.tableName, Item: { ...keys.secret(tenant.id, 'provisioning-key'), sealed: sealedPrivateKey } } },
    ];
  }

  private async queryAll<T>(pk: string, skPrefix: string): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.query<T>(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': pk, ...skRange(skPrefix) },
        },
        cursor,
        pk,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  readonly tenants: Store['tenants'] = {
    create: async (tenant, owner, sealedPrivateKey) => {
      try {
        await call(() =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...keys.slug(tenant.slug), tenantId: tenant.id },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: { TableName: this.tableName, Item: { ...keys.tenantDirectory(tenant.id), tenantId: tenant.id, slug: tenant.slug } },
                },
                ...this.tenantWithKey(tenant, sealedPrivateKey, 'attribute_not_exists(pk)'),
                { Put: { TableName: this.tableName, Item: { ...keys.email(tenant.id, owner.email), userId: owner.id } } },
                { Put: { TableName: this.tableName, Item: { ...keys.user(tenant.id, owner.id), entity: 'user', ...owner } } },
              ],
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error))
          throw new ConflictError(`The address ${tenant.slug} is taken`, [{ path: ['slug'], message: 'Already taken' }]);
        throw error;
      }
    },
    get: (tid) => this.get<Tenant>(keys.tenant(tid)),
    idBySlug: async (slug) => (await this.get<{ tenantId: string }>(keys.slug(slug)))?.tenantId,
    update: (tenant) => this.put({ ...keys.tenant(tenant.id), entity: 'tenant', ...tenant }, 'attribute_exists(pk)'),
    listIds: async (cursor) => {
      const page = await this.query<{ tenantId: string }>(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': PLATFORM_PK, ...skRange('TENANT#') },
          Limit: 100,
        },
        cursor,
        PLATFORM_PK,
      );
      return { items: page.items.map((i) => i.tenantId), nextCursor: page.nextCursor };
    },
    sealedPrivateKey: async (tid) => (await this.get<{ sealed: string }>(keys.secret(tid, 'provisioning-key')))?.sealed,
    replaceProvisioningKey: async (tenant, sealedPrivateKey) => {
      await call(() =>
        this.db.send(
          new TransactWriteCommand({
            TransactItems: this.tenantWithKey(tenant, sealedPrivateKey, 'attribute_exists(pk)'),
          }),
        ),
      );
    },
  };

  readonly users: Store['users'] = {
    get: (tid, uid) => this.get<User>(keys.user(tid, uid)),
    getByEmail: async (tid, email) => {
      const claim = await this.get<{ userId: string }>(keys.email(tid, email));
      return claim ? this.get<User>(keys.user(tid, claim.userId)) : undefined;
    },
    list: (tid, { limit, cursor }) =>
      this.query<User>(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange('USER#') },
          Limit: limit,
        },
        cursor,
        tid,
      ),
    create: async (user) => {
      const index = user.accountId ? indexKeys.userOfAccount(user.tenantId, user.accountId, user.id) : {};
      try {
        await call(() =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...keys.email(user.tenantId, user.email), userId: user.id },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...keys.user(user.tenantId, user.id), ...index, entity: 'user', ...user },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error))
          throw new ConflictError(`A user with e-mail ${user.email} already exists`, [{ path: ['email'], message: 'Already in use' }]);
        throw error;
      }
    },
    update: async (user) => {
      const index = user.accountId ? indexKeys.userOfAccount(user.tenantId, user.accountId, user.id) : {};
      await this.put({ ...keys.user(user.tenantId, user.id), ...index, entity: 'user', ...user }, 'attribute_exists(pk)');
    },
  };

  readonly sessions: Store['sessions'] = {
    create: (session) =>
      this.put({
        ...keys.session(session.tenantId, session.tokenHash),
        entity: 'session',
        ...session,
        expiresAtEpoch: Math.floor(Date.parse(session.expiresAt) / 1000),
      }),
    get: async (tid, hash, now) => {
      const session = await this.get<Session>(keys.session(tid, hash));
      return session && Date.parse(session.expiresAt) > now.getTime() ? session : undefined;
    },
    delete: async (tid, hash) => {
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.session(tid, hash) })));
    },
  };

  readonly apiKeys: Store['apiKeys'] = {
    get: (tid, kid) => this.get<ApiKey>(keys.apiKey(tid, kid)),
    list: (tid) => this.queryAll<ApiKey>(tid, 'APIKEY#'),
    put: (key) => this.put({ ...keys.apiKey(key.tenantId, key.id), entity: 'apikey', ...key }),
  };

  readonly accounts: Store['accounts'] = {
    get: (tid, aid) => this.get<Account>(keys.account(tid, aid)),
    list: (tid, { limit, cursor, q }) =>
      this.query<Account>(
        {
          KeyConditionExpression: SK_PREFIX,
          ...(q
            ? {
                FilterExpression: 'contains(searchText, :q)',
                ExpressionAttributeValues: { ':pk': tid, ...skRange('ACCOUNT#'), ':q': q.toLowerCase() },
              }
            : { ExpressionAttributeValues: { ':pk': tid, ...skRange('ACCOUNT#') } }),
          Limit: limit,
          ScanIndexForward: false,
        },
        cursor,
        tid,
      ).then((page) => ({ ...page, items: page.items.map(({ searchText: _s, ...a }: Account & { searchText?: string }) => a) })),
    put: (account) =>
      this.put({
        ...keys.account(account.tenantId, account.id),
        entity: 'account',
        ...account,
        searchText: [account.name, account.email, account.vatId ?? ''].join(' ').toLowerCase(),
      }),
    delete: async (tid, aid) => {
      if ((await this.services.countByAccount(tid, aid)) > 0) {
        throw new ConflictError('This account still has services; delete them first');
      }
      const contacts = await this.contacts.list(tid, aid);
      for (const c of contacts) await this.contacts.delete(tid, aid, c.id);
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.account(tid, aid) })));
    },
  };

  readonly contacts: Store['contacts'] = {
    get: (tid, aid, cid) => this.get<Contact>(keys.contact(tid, aid, cid)),
    list: (tid, aid) => this.queryAll<Contact>(tid, `CONTACT#${aid}#`),
    put: (contact) => this.put({ ...keys.contact(contact.tenantId, contact.accountId, contact.id), entity: 'contact', ...contact }),
    delete: async (tid, aid, cid) => {
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.contact(tid, aid, cid) })));
    },
  };

  readonly hosts: Store['hosts'] = {
    get: (tid, hid) => this.get<Host>(keys.host(tid, hid)),
    list: (tid) => this.queryAll<Host>(tid, 'HOST#'),
    put: (host) => this.put({ ...keys.host(host.tenantId, host.id), entity: 'host', ...host }),
    delete: async (tid, hid) => {
      const routes = await this.routes.list(tid);
      if (routes.some((r) => r.hostId === hid)) throw new ConflictError('Routes still point at this host; delete them first');
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.host(tid, hid) })));
    },
  };

  readonly routes: Store['routes'] = {
    get: (tid, rid) => this.get<Route>(keys.route(tid, rid)),
    list: (tid) => this.queryAll<Route>(tid, 'ROUTE#'),
    put: (route) => this.put({ ...keys.route(route.tenantId, route.id), entity: 'route', ...route }),
    delete: async (tid, rid) => {
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.route(tid, rid) })));
    },
  };

  private serviceItem(service: Service): Item {
    return {
      ...keys.service(service.tenantId, service.id),
      ...indexKeys.serviceOfAccount(service.tenantId, service.accountId, service.kind, service.name),
      ...indexKeys.serviceOfKind(service.tenantId, service.kind, service.name),
      entity: 'service',
      ...service,
    };
  }

  private operationItem(op: Operation): Item {
    return {
      ...keys.operation(op.tenantId, op.id),
      ...indexKeys.operationOfService(op.tenantId, op.serviceId, op.id),
      ...indexKeys.operationByState(op.tenantId, op.state, op.id),
      ...(op.state === 'pending' ? indexKeys.outbox(op.tenantId, op.id) : {}),
      entity: 'operation',
      ...op,
    };
  }

  private orderItem(order: Order): Item {
    return {
      ...keys.order(order.tenantId, order.id),
      ...indexKeys.orderOfService(order.tenantId, order.serviceId, order.id),
      ...indexKeys.orderOfAccount(order.tenantId, order.accountId, order.registeredOn, order.id),
      entity: 'order',
      ...orderToJSON(order),
    };
  }

  readonly services: Store['services'] = {
    get: (tid, sid) => this.get<Service>(keys.service(tid, sid)),
    list: (tid, { kind, accountId, limit, cursor }) => {
      if (accountId) {
        return this.query<Service>(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            ExpressionAttributeValues: { ':pk': `${tid}#ACCOUNT#${accountId}`, ':sk': kind ? `SERVICE#${kind}#` : 'SERVICE#' },
            Limit: limit,
          },
          cursor,
          tid,
        );
      }
      if (kind) {
        return this.query<Service>(
          {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': `${tid}#KIND#${kind}` },
            Limit: limit,
          },
          cursor,
          tid,
        );
      }
      return this.query<Service>(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange('SERVICE#') },
          Limit: limit,
          ScanIndexForward: false,
        },
        cursor,
        tid,
      );
    },
    countByAccount: async (tid, aid) => {
      const out = await call(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            FilterExpression: '#state <> :deleted',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':pk': `${tid}#ACCOUNT#${aid}`, ':sk': 'SERVICE#', ':deleted': 'deleted' },
            Select: 'COUNT',
          }),
        ),
      );
      return out.Count ?? 0;
    },
    creationSeq: async (tid, aid) => (await this.get<{ seq?: number }>(keys.serviceSeq(tid, aid)))?.seq ?? 0,
    create: async (service, operation, orders = [], options = {}) => {
      const { expectSeq } = options;
      try {
        await call(() =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: { ...keys.uniqueName(service.tenantId, service.kind, service.name), serviceId: service.id },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  ConditionCheck: {
                    TableName: this.tableName,
                    Key: keys.account(service.tenantId, service.accountId),
                    ConditionExpression: 'attribute_exists(pk)',
                  },
                },
                ...(expectSeq === undefined
                  ? []
                  : [
                      {
                        Update: {
                          TableName: this.tableName,
                          Key: keys.serviceSeq(service.tenantId, service.accountId),
                          UpdateExpression: 'SET seq = :next',
                          ConditionExpression: expectSeq === 0 ? 'attribute_not_exists(seq)' : 'seq = :seen',
                          ExpressionAttributeValues: { ':next': expectSeq + 1, ...(expectSeq === 0 ? {} : { ':seen': expectSeq }) },
                        },
                      },
                    ]),
                { Put: { TableName: this.tableName, Item: this.serviceItem(service), ConditionExpression: 'attribute_not_exists(pk)' } },
                { Put: { TableName: this.tableName, Item: this.operationItem(operation) } },
                ...orders.map((o) => ({ Put: { TableName: this.tableName, Item: this.orderItem(o) } })),
              ],
            }),
          ),
        );
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const [name, account] = error.CancellationReasons ?? [];
          if (name?.Code === 'ConditionalCheckFailed') {
            throw new ConflictError(`A ${service.kind} named ${service.name} already exists`, [
              { path: ['spec', 'name'], message: 'Already exists' },
            ]);
          }
          if (account?.Code === 'ConditionalCheckFailed') throw new ConflictError('The account was deleted meanwhile');
          if (expectSeq !== undefined && error.CancellationReasons?.[2]?.Code === 'ConditionalCheckFailed') {
            throw new ConflictError('Another service was created for this account at the same time; try again');
          }
        }
        throw error;
      }
    },
    change: async (service, expectedVersion, operation, orders = []) => {
      try {
        await call(() =>
          this.db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: this.tableName,
                    Item: this.serviceItem(service),
                    ConditionExpression: 'version = :v',
                    ExpressionAttributeValues: { ':v': expectedVersion },
                  },
                },
                { Put: { TableName: this.tableName, Item: this.operationItem(operation) } },
                ...orders.map((o) => ({ Put: { TableName: this.tableName, Item: this.orderItem(o) } })),
              ],
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError('The service changed meanwhile; reload and try again');
        throw error;
      }
    },
    settle: async (tid, sid, oid, state, now) => {
      try {
        await call(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.service(tid, sid),
              UpdateExpression: 'SET #state = :state, updatedAt = :now',
              ConditionExpression: 'lastOperationId = :oid',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':state': state, ':now': now, ':oid': oid },
            }),
          ),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error; // a newer change owns the state now
      }
    },
    releaseName: async (tid, kind, name) => {
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.uniqueName(tid, kind, name) })));
    },
  };

  readonly operations: Store['operations'] = {
    get: (tid, oid) => this.get<Operation>(keys.operation(tid, oid)),
    list: (tid, { state, serviceId, limit, cursor }) => {
      if (serviceId) {
        return this.query<Operation>(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk',
            ExpressionAttributeValues: { ':pk': `${tid}#SERVICE#${serviceId}`, ...(state ? { ':state': state } : {}) },
            ...(state ? { FilterExpression: '#state = :state', ExpressionAttributeNames: { '#state': 'state' } } : {}),
            ScanIndexForward: false,
            Limit: limit,
          },
          cursor,
          tid,
        );
      }
      if (state) {
        return this.query<Operation>(
          {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': `${tid}#OPSTATE#${state}` },
            ScanIndexForward: false,
            Limit: limit,
          },
          cursor,
          tid,
        );
      }
      return this.query<Operation>(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange('OP#') },
          ScanIndexForward: false,
          Limit: limit,
        },
        cursor,
        tid,
      );
    },
    outbox: (tid, { limit, cursor }) =>
      this.query<Operation>(
        {
          IndexName: 'outbox',
          KeyConditionExpression: 'gsi3pk = :pk',
          ExpressionAttributeValues: { ':pk': `${tid}#OUTBOX` },
          Limit: limit,
        },
        cursor,
        tid,
      ),
    transition: async (tid, oid, from, patch) => {
      const names: Record<string, string> = { '#state': 'state' };
      const values: Item = { ...Object.fromEntries(from.map((s, i) => [`:from${i}`, s])) };
      const sets: string[] = [];
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) continue;
        names[`#${k}`] = k;
        values[`:${k}`] = v;
        sets.push(`#${k} = :${k}`);
      }
      const stateKeys = indexKeys.operationByState(tid, patch.state, oid);
      values[':g2pk'] = stateKeys.gsi2pk;
      sets.push('gsi2pk = :g2pk');
      // The outbox holds operations until they end: pending (not sent), queued (sent, not started) and running (a
      // worker started them; if it dies, the sweeper finds the operation here and re-sends it).
      const inOutbox = patch.state === 'pending' || patch.state === 'queued' || patch.state === 'running';
      const removes = inOutbox ? [] : OUTBOX_ATTRS;
      if (inOutbox) {
        const outbox = indexKeys.outbox(tid, oid);
        values[':g3pk'] = outbox.gsi3pk;
        values[':g3sk'] = outbox.gsi3sk;
        sets.push('gsi3pk = :g3pk', 'gsi3sk = :g3sk');
      }
      try {
        const out = await call(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.operation(tid, oid),
              UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
              ConditionExpression: `#state IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return strip<Operation>(out.Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
    recordHost: async (tid, oid, attempt, { hostId, ok, logs }, now) => {
      try {
        const out = await call(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.operation(tid, oid),
              UpdateExpression: 'SET hostStates.#h = :s, logs = list_append(logs, :log), updatedAt = :now',
              ConditionExpression: 'attempt = :attempt AND attribute_not_exists(hostStates.#h)',
              ExpressionAttributeNames: { '#h': hostId },
              ExpressionAttributeValues: { ':s': ok ? 'applied' : 'failed', ':log': logs, ':now': now, ':attempt': attempt },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return strip<Operation>(out.Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined; // replayed message or stale attempt
        throw error;
      }
    },
    create: async (operation) => {
      try {
        await this.put(this.operationItem(operation), 'attribute_not_exists(pk)');
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    retry: async (tid, oid, now) => {
      const outbox = indexKeys.outbox(tid, oid);
      try {
        const out = await call(() =>
          this.db.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.operation(tid, oid),
              UpdateExpression:
                'SET #state = :pending, attempt = attempt + :one, hostStates = :empty, targets = :none, updatedAt = :now, gsi2pk = :g2pk, gsi3pk = :g3pk, gsi3sk = :g3sk REMOVE #error, units',
              ConditionExpression: '#state = :failed',
              ExpressionAttributeNames: { '#state': 'state', '#error': 'error' },
              ExpressionAttributeValues: {
                ':pending': 'pending',
                ':failed': 'failed',
                ':one': 1,
                ':empty': {},
                ':none': [],
                ':now': now,
                ':g2pk': indexKeys.operationByState(tid, 'pending', oid).gsi2pk,
                ':g3pk': outbox.gsi3pk,
                ':g3sk': outbox.gsi3sk,
              },
              ReturnValues: 'ALL_NEW',
            }),
          ),
        );
        return strip<Operation>(out.Attributes);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },
  };

  readonly billableServices: Store['billableServices'] = {
    get: async (tid, id) => {
      const item = await this.get<Item>(keys.billableService(tid, id));
      return item ? parseBillableService(item) : undefined;
    },
    list: async (tid) => (await this.queryAll<Item>(tid, 'BILLABLE#')).map(parseBillableService),
    put: (d: BillableService) =>
      this.put({ ...keys.billableService(d.tenantId, d.id), entity: 'billableService', ...billableServiceToJSON(d) }),
    delete: async (tid, id) => {
      const pack = (await this.packs.list(tid)).find((p) => p.rates.some((r) => r.billableServiceId === id));
      if (pack) throw new ConflictError(`The pack ${pack.name} has rates for this billable service; remove them first`);
      if (await this.anyInPartition(tid, 'ORDER#', 'billableServiceId', id)) {
        throw new ConflictError('Orders use this billable service; deactivate it instead');
      }
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.billableService(tid, id) })));
    },
  };

  /**
   * Whether any item of the tenant under `skPrefix` has `attribute = value` (a filtered Query, paged to the end).
   * Only staff deletions of catalog entries use it.
   */
  private async anyInPartition(tid: string, skPrefix: string, attribute: string, value: string): Promise<boolean> {
    let start: Item | undefined;
    do {
      const out = await call(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: SK_PREFIX,
            FilterExpression: '#a = :v',
            ExpressionAttributeNames: { '#a': attribute },
            ExpressionAttributeValues: { ':pk': tid, ...skRange(skPrefix), ':v': value },
            ProjectionExpression: 'pk',
            ExclusiveStartKey: start,
          }),
        ),
      );
      if ((out.Items ?? []).length > 0) return true;
      start = out.LastEvaluatedKey;
    } while (start);
    return false;
  }

  readonly packs: Store['packs'] = {
    get: async (tid, id) => {
      const item = await this.get<Item>(keys.pack(tid, id));
      return item ? parsePack(item) : undefined;
    },
    list: async (tid) => (await this.queryAll<Item>(tid, 'PACK#')).map(parsePack),
    put: (p: Pack) => this.put({ ...keys.pack(p.tenantId, p.id), entity: 'pack', ...packToJSON(p) }),
    delete: async (tid, id) => {
      if (await this.anyInPartition(tid, 'CONTRACT#', 'packId', id)) {
        throw new ConflictError('Accounts have contracted this pack; end and remove their contracts first');
      }
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.pack(tid, id) })));
    },
  };

  readonly contractedPacks: Store['contractedPacks'] = {
    get: (tid, aid, id) => this.get<ContractedPack>(keys.contractedPack(tid, aid, id)),
    list: (tid, aid) => this.queryAll<ContractedPack>(tid, `CONTRACT#${aid}#`),
    put: (c) => this.put({ ...keys.contractedPack(c.tenantId, c.accountId, c.id), entity: 'contractedPack', ...c }),
    delete: async (tid, aid, id) => {
      await call(() => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.contractedPack(tid, aid, id) })));
    },
  };

  readonly orders: Store['orders'] = {
    get: async (tid, oid) => {
      const item = await this.get<Item>(keys.order(tid, oid));
      return item ? parseOrder(item) : undefined;
    },
    list: async (tid, { limit, cursor }) => {
      const page = await this.query<Item>(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange('ORDER#') },
          Limit: limit,
          ScanIndexForward: false,
        },
        cursor,
        tid,
      );
      return { items: page.items.map(parseOrder), nextCursor: page.nextCursor };
    },
    listByService: async (tid, sid) => {
      const orders: Order[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.query<Item>(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            ExpressionAttributeValues: { ':pk': `${tid}#SERVICE#${sid}`, ':sk': 'ORDER#' },
          },
          cursor,
          tid,
        );
        orders.push(...page.items.map(parseOrder));
        cursor = page.nextCursor;
      } while (cursor);
      return orders;
    },
    listByAccount: async (tid, aid, { limit, cursor }) => {
      const page = await this.query<Item>(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `${tid}#ORDERS#${aid}` },
          Limit: limit,
        },
        cursor,
        tid,
      );
      return { items: page.items.map(parseOrder), nextCursor: page.nextCursor };
    },
    putMany: async (orders) => {
      for (let i = 0; i < orders.length; i += 25) {
        let requests = orders.slice(i, i + 25).map((o) => ({ PutRequest: { Item: this.orderItem(o) } }));
        for (let attempt = 0; requests.length > 0; attempt += 1) {
          if (attempt > 8) throw new TransientError('DynamoDB left orders unprocessed; try again');
          const out = await call(() => this.db.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: requests } })));
          requests = (out.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
          if (requests.length > 0) await new Promise((r) => setTimeout(r, 2 ** attempt * 25));
        }
      }
    },
  };
}

export type { OperationState };
