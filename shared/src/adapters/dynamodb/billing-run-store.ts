import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { BillingRun, BillingRunPage } from '../../bills/runs';
import { ConflictError } from '../../core/errors';
import type { Store } from '../../ports/store';
import { call, decodeCursor, encodeCursor, isConditionFailure, strip } from './dynamo-store';
import { indexKeys, keys } from './keys';

// Billing runs on the single table (docs/data-model.md "Billing runs"): the run record under the tenant (listed newest
// first through gsi2), written only at the version it was read, and one item per committed page of accounts, written
// once in the same transaction as the run's progress so a page is counted exactly once.

type Item = Record<string, unknown>;

/** The Store's `billingRuns` section over one table. */
export function createBillingRunStore(db: DynamoDBDocumentClient, tableName: string): Store['billingRuns'] {
  const TableName = tableName;

  const runItem = (run: BillingRun): Item => ({
    ...keys.billingRun(run.tenantId, run.id),
    ...indexKeys.billingRunOfTenant(run.tenantId, run.startedAt, run.id),
    entity: 'billingRun',
    ...run,
  });

  async function query(input: Omit<QueryCommandInput, 'TableName'>, cursor: string | undefined, tid: string) {
    const out = await call(() => db.send(new QueryCommand({ ...input, TableName, ExclusiveStartKey: decodeCursor(cursor, tid) })));
    return { items: (out.Items ?? []) as Item[], nextCursor: encodeCursor(out.LastEvaluatedKey), count: out.Count ?? 0 };
  }

  return {
    create: async (run) => {
      try {
        await call(() => db.send(new PutCommand({ TableName, Item: runItem(run), ConditionExpression: 'attribute_not_exists(pk)' })));
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError(`Billing run ${run.id} already exists`);
        throw error;
      }
    },

    get: async (tid, rid) => {
      const out = await call(() => db.send(new GetCommand({ TableName, Key: keys.billingRun(tid, rid), ConsistentRead: true })));
      return out.Item ? BillingRun.parse(strip(out.Item)) : undefined;
    },

    list: async (tid, { limit, cursor }) => {
      const page = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `${tid}#BILLRUNS` },
          ScanIndexForward: false,
          Limit: limit,
        },
        cursor,
        tid,
      );
      return { items: page.items.map((i) => BillingRun.parse(strip(i))), nextCursor: page.nextCursor };
    },

    update: async (run, expectedVersion, page) => {
      const put = {
        Put: {
          TableName,
          Item: runItem(run),
          ConditionExpression: 'attribute_exists(pk) AND version = :v',
          ExpressionAttributeValues: { ':v': expectedVersion },
        },
      };
      try {
        if (!page) {
          await call(() => db.send(new PutCommand(put.Put)));
          return;
        }
        await call(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                put,
                {
                  Put: {
                    TableName,
                    Item: { ...keys.billingRunPage(page.tenantId, page.runId, page.index), entity: 'billingRunPage', ...page },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
              ],
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError(`Billing run ${run.id} moved on meanwhile`);
        throw error;
      }
    },

    getPage: async (tid, rid, index) => {
      const out = await call(() => db.send(new GetCommand({ TableName, Key: keys.billingRunPage(tid, rid, index), ConsistentRead: true })));
      return out.Item ? BillingRunPage.parse(strip(out.Item)) : undefined;
    },

    accountIds: async (tid, { limit, cursor }) => {
      const page = await query(
        {
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
          ExpressionAttributeValues: { ':pk': tid, ':sk': 'ACCOUNT#' },
          ProjectionExpression: '#id',
          ExpressionAttributeNames: { '#id': 'id' },
          Limit: limit,
        },
        cursor,
        tid,
      );
      return { items: page.items.map((i) => i.id as string), nextCursor: page.nextCursor };
    },

    countAccounts: async (tid) => {
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await query(
          {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :sk)',
            ExpressionAttributeValues: { ':pk': tid, ':sk': 'ACCOUNT#' },
            Select: 'COUNT',
          },
          cursor,
          tid,
        );
        total += page.count;
        cursor = page.nextCursor;
      } while (cursor);
      return total;
    },
  };
}
