import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import { DunningRecord } from '../../payments/dunning';
import { CreditTransferBatch, PaymentSettings, PaymentSource, Transaction } from '../../payments/model';
import type { BillAllocation, Store, TransactionRefKind } from '../../ports/store';
import { call, decodeCursor, encodeCursor, strip } from './dynamo-store';
import { indexKeys, keys, SK_PREFIX, skRange } from './keys';

// Payments on the single table (docs/data-model.md "Payments"). A transaction item, one link item per allocated bill
// (carrying the transaction's state, so a bill's paid amount is one query) and one claim item per external reference
// (a Stripe PaymentIntent or Checkout Session, a SEPA EndToEndId) are written in one TransactWriteItems, the
// transaction conditioned on its version: concurrent deliveries of the same webhook cannot both move it.

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];
type Ref = { kind: TransactionRefKind; ref: string };

/** Refunds waiting for a credit transfer and credit-transfer batches (docs/data-model.md "Payments"). */
const refundToTransferKey = (tid: string, refundId: string) => ({ pk: tid, sk: `REFUNDCT#${refundId}` });
const creditTransferBatchKey = (tid: string, batchId: string) => ({ pk: tid, sk: `CTBATCH#${batchId}` });
const creditTransferMessageKey = (tid: string, messageId: string) => ({ pk: tid, sk: `CTMSG#${messageId}` });

function transactionItem(tx: Transaction): Item {
  const tid = tx.tenantId;
  return {
    ...keys.transaction(tid, tx.id),
    ...indexKeys.transactionOfAccount(tid, tx.accountId, tx.id),
    ...indexKeys.transactionOfTenant(tid, tx.id),
    ...indexKeys.transactionByState(tid, tx.state, tx.id),
    entity: 'transaction',
    ...tx,
  };
}

function parseTransaction(item: Item): Transaction {
  return Transaction.parse(strip<Item>(item));
}

/** The Store's `payments` section over one table. */
export function createPaymentStore(db: DynamoDBDocumentClient, tableName: string): Store['payments'] {
  const TableName = tableName;

  async function getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const out = await call(() => db.send(new GetCommand({ TableName, Key: key, ConsistentRead: true })));
    return out.Item;
  }

  async function query(input: Omit<QueryCommandInput, 'TableName'>, cursor: string | undefined, tid: string) {
    const out = await call(() => db.send(new QueryCommand({ ...input, TableName, ExclusiveStartKey: decodeCursor(cursor, tid) })));
    return { items: (out.Items ?? []) as Item[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async function queryAll(tid: string, prefix: string): Promise<Item[]> {
    const items: Item[] = [];
    let cursor: string | undefined;
    do {
      const page = await query(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange(prefix) },
          ConsistentRead: true,
        },
        cursor,
        tid,
      );
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  function links(tx: Transaction): TransactItem[] {
    return tx.allocations.map((a) => ({
      Put: {
        TableName,
        Item: {
          ...keys.transactionOfBill(tx.tenantId, a.billId, tx.id),
          entity: 'transactionLink',
          transactionId: tx.id,
          billId: a.billId,
          amount: a.amount,
          ...(a.refunded ? { refunded: a.refunded } : {}),
          state: tx.state,
          method: tx.method,
        },
      },
    }));
  }

  function claims(tx: Transaction, refs: readonly Ref[]): TransactItem[] {
    return refs.map((r) => ({
      Put: {
        TableName,
        Item: { ...keys.transactionRef(tx.tenantId, r.kind, r.ref), entity: 'transactionRef', transactionId: tx.id },
        ConditionExpression: 'attribute_not_exists(pk) OR transactionId = :id',
        ExpressionAttributeValues: { ':id': tx.id },
      },
    }));
  }

  /** Runs the write; returns the index of the first failed condition, or -1. */
  async function transact(items: TransactItem[]): Promise<number> {
    try {
      await call(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      return -1;
    } catch (error) {
      if (error instanceof TransactionCanceledException) {
        const index = (error.CancellationReasons ?? []).findIndex((r) => r.Code === 'ConditionalCheckFailed');
        if (index >= 0) return index;
      }
      throw error;
    }
  }

  function refConflict(tx: Transaction, refs: readonly Ref[], index: number): ConflictError {
    const ref = refs[index - 1 - tx.allocations.length];
    return new ConflictError(`The reference ${ref?.ref ?? ''} already belongs to another transaction`);
  }

  return {
    async get(tid, id) {
      const item = await getItem(keys.transaction(tid, id));
      return item ? parseTransaction(item) : undefined;
    },

    async create(tx, refs = []) {
      const items: TransactItem[] = [
        { Put: { TableName, Item: transactionItem(tx), ConditionExpression: 'attribute_not_exists(pk)' } },
        ...links(tx),
        ...claims(tx, refs),
      ];
      const failed = await transact(items);
      if (failed === 0) throw new ConflictError(`Transaction ${tx.id} exists`);
      if (failed > 0) throw refConflict(tx, refs, failed);
    },

    async update(tx, expectedVersion, refs = []) {
      const items: TransactItem[] = [
        {
          Put: {
            TableName,
            Item: transactionItem(tx),
            ConditionExpression: 'attribute_exists(pk) AND version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
          },
        },
        ...links(tx),
        ...claims(tx, refs),
      ];
      const failed = await transact(items);
      if (failed === 0) return false;
      if (failed > 0) throw refConflict(tx, refs, failed);
      return true;
    },

    async list(tid, q) {
      const input: Omit<QueryCommandInput, 'TableName'> = q.state
        ? {
            IndexName: 'outbox',
            KeyConditionExpression: 'gsi3pk = :pk',
            ExpressionAttributeValues: { ':pk': indexKeys.transactionByState(tid, q.state, '').gsi3pk },
          }
        : {
            IndexName: 'gsi2',
            KeyConditionExpression: 'gsi2pk = :pk',
            ExpressionAttributeValues: { ':pk': indexKeys.transactionOfTenant(tid, '').gsi2pk },
          };
      const page = await query({ ...input, ScanIndexForward: false, Limit: q.limit }, q.cursor, tid);
      return { items: page.items.map(parseTransaction), nextCursor: page.nextCursor };
    },

    async listByAccount(tid, aid, q) {
      const page = await query(
        {
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
          ExpressionAttributeValues: { ':pk': indexKeys.transactionOfAccount(tid, aid, '').gsi1pk, ':sk': 'TXN#' },
          ScanIndexForward: false,
          Limit: q.limit,
        },
        q.cursor,
        tid,
      );
      return { items: page.items.map(parseTransaction), nextCursor: page.nextCursor };
    },

    async listByBill(tid, bid) {
      const items = await queryAll(tid, `TXNBILL#${bid}#`);
      return items.map((i) => ({
        transactionId: i.transactionId as string,
        billId: i.billId as string,
        amount: i.amount as string,
        ...(i.refunded ? { refunded: i.refunded as string } : {}),
        state: i.state as BillAllocation['state'],
        method: i.method as BillAllocation['method'],
      }));
    },

    async findByRef(tid, kind, ref) {
      const item = await getItem(keys.transactionRef(tid, kind, ref));
      return item?.transactionId as string | undefined;
    },

    async eventSeen(tid, eventId, now) {
      const item = await getItem(keys.webhookEvent(tid, eventId));
      return !!item && Number(item.expiresAtEpoch) * 1000 > now.getTime();
    },

    async recordEvent(tid, eventId, expiresAt) {
      await call(() =>
        db.send(
          new PutCommand({
            TableName,
            Item: { ...keys.webhookEvent(tid, eventId), entity: 'webhookEvent', expiresAtEpoch: Math.floor(expiresAt.getTime() / 1000) },
          }),
        ),
      );
    },

    async listSources(tid, aid) {
      const items = await queryAll(tid, `PAYSRC#${aid}#`);
      return items.map((i) => PaymentSource.parse(strip<Item>(i)));
    },

    async getSource(tid, aid, sid) {
      const item = await getItem(keys.paymentSource(tid, aid, sid));
      return item ? PaymentSource.parse(strip<Item>(item)) : undefined;
    },

    async putSource(source) {
      const item = { ...keys.paymentSource(source.tenantId, source.accountId, source.id), entity: 'paymentSource', ...source };
      await call(() => db.send(new PutCommand({ TableName, Item: item })));
    },

    async deleteSource(tid, aid, sid) {
      await call(() => db.send(new DeleteCommand({ TableName, Key: keys.paymentSource(tid, aid, sid) })));
    },

    async getSettings(tid) {
      const item = await getItem(keys.paymentSettings(tid));
      return item ? PaymentSettings.parse(item.settings) : undefined;
    },

    async putSettings(tid, settings) {
      const items: TransactItem[] = [{ Put: { TableName, Item: { ...keys.paymentSettings(tid), entity: 'paymentSettings', settings } } }];
      if (settings.stripe) {
        items.push({
          Put: {
            TableName,
            Item: { ...keys.stripeAccount(settings.stripe.accountId), entity: 'stripeAccount', tenantId: tid },
            ConditionExpression: 'attribute_not_exists(pk) OR tenantId = :tid',
            ExpressionAttributeValues: { ':tid': tid },
          },
        });
      }
      if ((await transact(items)) >= 0) throw new ConflictError('That Stripe account is connected to another tenant');
    },

    async tenantOfStripeAccount(accountId) {
      const item = await getItem(keys.stripeAccount(accountId));
      return item?.tenantId as string | undefined;
    },

    async getStripeCustomer(tid, aid) {
      const item = await getItem(keys.stripeCustomer(tid, aid));
      return item?.customerId as string | undefined;
    },

    async putStripeCustomer(tid, aid, customerId) {
      await call(() =>
        db.send(new PutCommand({ TableName, Item: { ...keys.stripeCustomer(tid, aid), entity: 'stripeCustomer', customerId } })),
      );
    },

    async putRefundToTransfer(tid, refundId, transactionId) {
      await call(() =>
        db.send(
          new PutCommand({
            TableName,
            Item: { ...refundToTransferKey(tid, refundId), entity: 'refundToTransfer', refundId, transactionId },
          }),
        ),
      );
    },

    async listRefundsToTransfer(tid) {
      const items = await queryAll(tid, 'REFUNDCT#');
      return items.map((i) => ({ refundId: i.refundId as string, transactionId: i.transactionId as string }));
    },

    async deleteRefundToTransfer(tid, refundId) {
      await call(() => db.send(new DeleteCommand({ TableName, Key: refundToTransferKey(tid, refundId) })));
    },

    async createCreditTransferBatch(batch) {
      // The batch and its message-id pointer in one transaction: bank reports name the file by its message id (and
      // each transfer by an end-to-end id built from it), so an import finds the batch with one read.
      const failed = await transact([
        {
          Put: {
            TableName,
            Item: { ...creditTransferBatchKey(batch.tenantId, batch.id), entity: 'creditTransferBatch', ...batch },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
        {
          Put: {
            TableName,
            Item: { ...creditTransferMessageKey(batch.tenantId, batch.messageId), entity: 'creditTransferMessage', batchId: batch.id },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        },
      ]);
      if (failed >= 0) throw new ConflictError(`Credit-transfer batch ${batch.id} or its message id ${batch.messageId} exists`);
    },

    async findCreditTransferBatchByMessageId(tid, messageId) {
      const item = await getItem(creditTransferMessageKey(tid, messageId));
      return item?.batchId as string | undefined;
    },

    async getCreditTransferBatch(tid, batchId) {
      const item = await getItem(creditTransferBatchKey(tid, batchId));
      return item ? CreditTransferBatch.parse(strip<Item>(item)) : undefined;
    },

    async listCreditTransferBatches(tid, q) {
      const page = await query(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange('CTBATCH#') },
          ProjectionExpression:
            'tenantId, id, messageId, painVersion, #s, executionDate, #c, controlSum, #f, createdBy, createdAt, executedBy, executedAt, version',
          ExpressionAttributeNames: { '#s': 'state', '#c': 'count', '#f': 'file' },
          ScanIndexForward: false,
          Limit: q.limit,
        },
        q.cursor,
        tid,
      );
      return { items: page.items.map((i) => CreditTransferBatch.omit({ items: true }).parse(strip<Item>(i))), nextCursor: page.nextCursor };
    },

    async updateCreditTransferBatch(batch, expectedVersion) {
      return conditional(() =>
        db.send(
          new PutCommand({
            TableName,
            Item: { ...creditTransferBatchKey(batch.tenantId, batch.id), entity: 'creditTransferBatch', ...batch },
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
          }),
        ),
      );
    },

    async getDunning(tid, aid) {
      const item = await getItem(keys.dunning(tid, aid));
      return item ? DunningRecord.parse(strip<Item>(item)) : undefined;
    },

    async putDunning(record, expectedVersion) {
      const condition =
        expectedVersion === undefined
          ? { ConditionExpression: 'attribute_not_exists(pk)' }
          : { ConditionExpression: 'version = :v', ExpressionAttributeValues: { ':v': expectedVersion } };
      return conditional(() =>
        db.send(
          new PutCommand({
            TableName,
            Item: { ...keys.dunning(record.tenantId, record.accountId), entity: 'dunning', ...record },
            ...condition,
          }),
        ),
      );
    },

    async deleteDunning(tid, aid, expectedVersion) {
      return conditional(() =>
        db.send(
          new DeleteCommand({
            TableName,
            Key: keys.dunning(tid, aid),
            ConditionExpression: 'version = :v',
            ExpressionAttributeValues: { ':v': expectedVersion },
          }),
        ),
      );
    },

    async listDunning(tid) {
      return (await queryAll(tid, 'DUNNING#')).map((item) => DunningRecord.parse(strip<Item>(item)));
    },
  };
}

/** Run a conditional write: false when its condition failed. */
async function conditional(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await call(fn);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
