import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { Account } from '../../accounts/model';
import { BillingRun, BillingRunPage } from '../../bills/runs';
import type { ContractedPack } from '../../catalog/model';
import { ConflictError } from '../../core/errors';
import type { Store } from '../../ports/store';
import { call, decodeCursor, encodeCursor, isConditionFailure, strip } from './dynamo-store';
import { indexKeys, keys, SK_PREFIX, skRange } from './keys';

// Billing runs on the single table (docs/data-model.md "Billing runs"): the run record under the tenant (listed newest
// first through gsi2), written only at the version it was read, and one item per committed page of accounts, written
// once in the same transaction as the run's progress so a page is counted exactly once. A page of accounts is read in
// two requests (a BatchGetItem of the accounts, one range query for their contracted packs) rather than two per account.

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
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange('ACCOUNT#') },
          ProjectionExpression: '#id',
          ExpressionAttributeNames: { '#id': 'id' },
          Limit: limit,
        },
        cursor,
        tid,
      );
      return { items: page.items.map((i) => i.id as string), nextCursor: page.nextCursor };
    },

    accounts: async (tid, aids) => {
      const out: Account[] = [];
      const unique = [...new Set(aids)];
      for (let i = 0; i < unique.length; i += 100) {
        let pending: Item[] | undefined = unique.slice(i, i + 100).map((aid) => keys.account(tid, aid));
        for (let attempt = 0; pending?.length; attempt += 1) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
          const request = pending;
          const res = await call(() =>
            db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: request, ConsistentRead: true } } })),
          );
          out.push(...((res.Responses?.[TableName] ?? []) as Item[]).map((item) => strip<Account>(item)!));
          pending = res.UnprocessedKeys?.[TableName]?.Keys as Item[] | undefined;
        }
      }
      return out;
    },

    contractedPacks: async (tid, aids) => {
      if (aids.length === 0) return [];
      const wanted = new Set(aids);
      const sorted = [...wanted].sort();
      const out: ContractedPack[] = [];
      let cursor: string | undefined;
      do {
        // Keys are CONTRACT#<accountId>#<id>: the page's accounts are contiguous in key order, so one range covers them.
        const page = await query(
          {
            KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
            ExpressionAttributeValues: { ':pk': tid, ':from': `CONTRACT#${sorted[0]}#`, ':to': `CONTRACT#${sorted.at(-1)}#\uffff` },
          },
          cursor,
          tid,
        );
        for (const item of page.items) if (wanted.has(item.accountId as string)) out.push(strip<ContractedPack>(item)!);
        cursor = page.nextCursor;
      } while (cursor);
      return out;
    },

    countAccounts: async (tid) => {
      let total = 0;
      let cursor: string | undefined;
      do {
        const page = await query(
          {
            KeyConditionExpression: SK_PREFIX,
            ExpressionAttributeValues: { ':pk': tid, ...skRange('ACCOUNT#') },
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
