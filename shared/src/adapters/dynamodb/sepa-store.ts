import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import type { ImportResult } from '../../payments/bank-returns';
import { SepaBatch, type SepaBatchSummary } from '../../payments/batches';
import { Mandate, SepaSettings } from '../../payments/mandates';
import type { Store } from '../../ports/store';
import { call, decodeCursor, encodeCursor, isConditionFailure, strip } from './dynamo-store';
import { indexKeys, keys } from './keys';

// SEPA on the single table (docs/data-model.md "SEPA"). Uniqueness by claim items written in the same
// TransactWriteItems as their owner: a mandate reference (UMR) and a batch's message id are unique per tenant. Imports
// are keyed by the SHA-256 of the file, so recording the same file twice fails its condition (idempotent import).

type Item = Record<string, unknown>;

/** Characters of JSON an import record may hold (DynamoDB items stop at 400 KB). */
const MAX_RESULT_CHARS = 300_000;

/** The result as stored: every line while it fits, else the lines that fit (the summary still counts them all). */
function storedResult(result: ImportResult): string {
  const full = JSON.stringify(result);
  if (full.length <= MAX_RESULT_CHARS) return full;
  const lines = [...result.lines];
  while (lines.length > 0 && JSON.stringify({ ...result, lines }).length > MAX_RESULT_CHARS) lines.length = Math.floor(lines.length / 2);
  return JSON.stringify({ ...result, lines, linesTruncated: true });
}

/** The Store's `sepa` section over one table. */
export function createSepaStore(db: DynamoDBDocumentClient, tableName: string): Store['sepa'] {
  const TableName = tableName;

  async function getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const out = await call(() => db.send(new GetCommand({ TableName, Key: key, ConsistentRead: true })));
    return out.Item;
  }

  async function query(input: Omit<QueryCommandInput, 'TableName'>, cursor: string | undefined, tid: string) {
    const out = await call(() => db.send(new QueryCommand({ ...input, TableName, ExclusiveStartKey: decodeCursor(cursor, tid) })));
    return { items: (out.Items ?? []) as Item[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  function mandateItem(m: Mandate): Item {
    return {
      ...keys.sepaMandate(m.tenantId, m.id),
      ...indexKeys.sepaMandateOfAccount(m.tenantId, m.accountId, m.id),
      entity: 'sepaMandate',
      ...m,
    };
  }

  function batchItem(b: SepaBatch): Item {
    return { ...keys.sepaBatch(b.tenantId, b.id), ...indexKeys.sepaBatchOfTenant(b.tenantId, b.id), entity: 'sepaBatch', ...b };
  }

  async function conditionalPut(item: Item, condition: string, values: Item, what: string): Promise<void> {
    try {
      await call(() =>
        db.send(new PutCommand({ TableName, Item: item, ConditionExpression: condition, ExpressionAttributeValues: values })),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(`${what} changed meanwhile; reload and try again`);
      throw error;
    }
  }

  /** Claim a unique key (mandate reference, message id) and create the item it points to, both new, atomically. */
  async function createClaimed(claim: Item, item: Item, taken: string): Promise<void> {
    try {
      await call(() =>
        db.send(
          new TransactWriteCommand({
            TransactItems: [claim, item].map((Item) => ({ Put: { TableName, Item, ConditionExpression: 'attribute_not_exists(pk)' } })),
          }),
        ),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new ConflictError(taken);
      throw error;
    }
  }

  return {
    async getMandate(tid, id) {
      const item = await getItem(keys.sepaMandate(tid, id));
      return item ? Mandate.parse(strip(item)) : undefined;
    },
    async listMandates(tid, aid) {
      const items: Mandate[] = [];
      let cursor: string | undefined;
      do {
        const page = await query(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            ExpressionAttributeValues: { ':pk': `${tid}#ACCOUNT#${aid}`, ':sk': 'SEPAMANDATE#' },
          },
          cursor,
          tid,
        );
        items.push(...page.items.map((i) => Mandate.parse(strip(i))));
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    },
    async findMandateByReference(tid, reference) {
      const item = await getItem(keys.sepaMandateRef(tid, reference));
      return item?.mandateId as string | undefined;
    },
    async createMandate(m) {
      await createClaimed(
        { ...keys.sepaMandateRef(m.tenantId, m.reference), entity: 'sepaMandateRef', mandateId: m.id },
        mandateItem(m),
        `The mandate reference ${m.reference} is already used`,
      );
    },
    async putMandate(m, expectedVersion) {
      await conditionalPut(mandateItem(m), 'version = :v', { ':v': expectedVersion }, `Mandate ${m.reference}`);
    },
    async getSettings(tid) {
      const item = await getItem(keys.sepaSettings(tid));
      return item ? SepaSettings.parse(item.settings) : undefined;
    },
    async putSettings(tid, settings) {
      await call(() => db.send(new PutCommand({ TableName, Item: { ...keys.sepaSettings(tid), entity: 'sepaSettings', settings } })));
    },
    async getBatch(tid, id) {
      const item = await getItem(keys.sepaBatch(tid, id));
      return item ? SepaBatch.parse(strip(item)) : undefined;
    },
    async listBatches(tid, q) {
      const page = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `${tid}#SEPABATCHES` },
          ScanIndexForward: false,
          Limit: q.limit,
        },
        q.cursor,
        tid,
      );
      return {
        items: page.items.map((i) => {
          const { items: _items, ...summary } = SepaBatch.parse(strip(i));
          return summary satisfies SepaBatchSummary;
        }),
        nextCursor: page.nextCursor,
      };
    },
    async findBatchByMessageId(tid, messageId) {
      const item = await getItem(keys.sepaMessage(tid, messageId));
      return item?.batchId as string | undefined;
    },
    async createBatch(b) {
      await createClaimed(
        { ...keys.sepaMessage(b.tenantId, b.messageId), entity: 'sepaMessage', batchId: b.id },
        batchItem(b),
        `The message id ${b.messageId} is already used`,
      );
    },
    async updateBatch(b, expectedVersion) {
      await conditionalPut(batchItem(b), 'version = :v', { ':v': expectedVersion }, `Batch ${b.id}`);
    },
    async getImport(tid, sha256) {
      const item = await getItem(keys.sepaImport(tid, sha256));
      return item ? (JSON.parse(item.result as string) as ImportResult) : undefined;
    },
    async recordImport(tid, result) {
      const { lines: _lines, ...summary } = result;
      try {
        await call(() =>
          db.send(
            new PutCommand({
              TableName,
              Item: {
                ...keys.sepaImport(tid, result.sha256),
                ...indexKeys.sepaImportOfTenant(tid, result.importedAt ?? '', result.sha256),
                entity: 'sepaImport',
                summary: JSON.stringify(summary),
                result: storedResult(result),
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError('This file was already imported');
        throw error;
      }
    },
    async listImports(tid, q) {
      const page = await query(
        {
          IndexName: 'gsi2',
          KeyConditionExpression: 'gsi2pk = :pk',
          ExpressionAttributeValues: { ':pk': `${tid}#SEPAIMPORTS` },
          ScanIndexForward: false,
          Limit: q.limit,
          ProjectionExpression: 'pk, sk, gsi2pk, gsi2sk, summary',
        },
        q.cursor,
        tid,
      );
      return { items: page.items.map((i) => JSON.parse(i.summary as string) as Omit<ImportResult, 'lines'>), nextCursor: page.nextCursor };
    },
  };
}
