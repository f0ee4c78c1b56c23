import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { Bill, BillSettings, billToJSON, type BillingState } from '../../bills/model';
import { ConflictError } from '../../core/errors';
import { BillRenderModel } from '../../documents/render-model';
import type { BillSummary, OrderBillingWrite, Store } from '../../ports/store';
import { call, decodeCursor, encodeCursor, isConditionFailure, strip } from './dynamo-store';
import { indexKeys, keys, SK_PREFIX, skRange } from './keys';

// Bills on the single table (docs/data-model.md "Bills"). Issued bills are protected structurally: `write` only ever
// touches items whose stored state is `open`, `transition` only sets lifecycle attributes, and the render model is a
// separate item written once with attribute_not_exists. Numbers come from a counter item per series updated in the
// same TransactWriteItems that closes the bill, plus a claim item per number (unique by construction).

type Item = Record<string, unknown>;
type TransactItem = NonNullable<ConstructorParameters<typeof TransactWriteCommand>[0]['TransactItems']>[number];

/** DynamoDB allows 100 actions per transaction. */
export const MAX_TRANSACTION_ITEMS = 100;

const UNPAID_STATES = new Set(['closed', 'sent', 'returned']);
const BILLING_FIELDS = ['billedOn', 'billedUntil', 'billedMetric', 'creditUsedUntil'] as const;

/** Attributes of a bill list entry (everything but lines, order effects and the audit trail). */
const SUMMARY_ATTRIBUTES = [
  'tenantId',
  'id',
  'accountId',
  'type',
  'state',
  'currency',
  'fiscalYear',
  'series',
  'sequence',
  'number',
  'issuedOn',
  'dueOn',
  'totals',
  'amends',
  'quoteOf',
  'convertedTo',
  'notes',
  'exchangeRate',
  'pdf',
  'sentTo',
  'version',
  'createdAt',
  'updatedAt',
  'lineCount',
];
const SUMMARY_PROJECTION = {
  ProjectionExpression: SUMMARY_ATTRIBUTES.map((_, i) => `#p${i}`).join(', '),
  names: Object.fromEntries(SUMMARY_ATTRIBUTES.map((a, i) => [`#p${i}`, a])),
};
const BillSummarySchema = Bill.omit({ lines: true, effects: true, audit: true }).extend({ lineCount: Bill.shape.version });

function listDay(bill: Pick<Bill, 'issuedOn' | 'createdAt'>): string {
  return bill.issuedOn ?? bill.createdAt.slice(0, 10);
}

function isPayable(type: Bill['type']): boolean {
  return type !== 'quote';
}

function billItem(bill: Bill): Item {
  const tid = bill.tenantId;
  const unpaid = isPayable(bill.type) && UNPAID_STATES.has(bill.state) && bill.dueOn !== undefined;
  return {
    ...keys.bill(tid, bill.id),
    ...indexKeys.billOfAccount(tid, bill.accountId, bill.id),
    ...indexKeys.billByState(tid, bill.state, listDay(bill), bill.id),
    ...(unpaid ? indexKeys.unpaidBill(tid, bill.dueOn!, bill.id) : {}),
    entity: 'bill',
    lineCount: bill.lines.length,
    listDay: listDay(bill),
    ...billToJSON(bill),
  };
}

function parseBillItem(item: Item): Bill {
  const { lineCount: _count, listDay: _day, ...rest } = strip<Item>(item)!;
  return Bill.parse(rest);
}

function parseSummary(item: Item): BillSummary {
  const { listDay: _day, ...rest } = strip<Item>(item)!;
  return BillSummarySchema.parse(rest);
}

/** The Store's `bills` section over one table. */
/** Which series an issue advances and the number it expects to find there (0: the series item does not exist yet). */
interface SeriesClaim {
  type: Bill['type'];
  year: number;
  expectedLast: number;
}

// The items of an issue, shared by single closes (`issue`) and block closes (`issueMany`): the series counter moved
// from the expected last number to `last`, a write-once claim per number, the bill as issued (only from the open
// version read), its frozen render model (write-once) and the tenant logo it points to (by content hash).

function seriesAdvance(TableName: string, tid: string, series: SeriesClaim, last: number, billId: string): TransactItem {
  return {
    Update: {
      TableName,
      Key: keys.billSeries(tid, series.type, series.year),
      UpdateExpression: 'SET #last = :n, billId = :bid',
      ConditionExpression: series.expectedLast === 0 ? 'attribute_not_exists(pk)' : '#last = :expected',
      ExpressionAttributeNames: { '#last': 'last' },
      ExpressionAttributeValues: {
        ':n': last,
        ':bid': billId,
        ...(series.expectedLast === 0 ? {} : { ':expected': series.expectedLast }),
      },
    },
  };
}

function numberClaim(TableName: string, tid: string, series: SeriesClaim, bill: Bill): TransactItem {
  return {
    Put: {
      TableName,
      Item: {
        ...keys.billNumber(tid, series.type, series.year, bill.sequence!),
        entity: 'billNumber',
        billId: bill.id,
        number: bill.number,
        sequence: bill.sequence,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

function issuedBillPut(TableName: string, bill: Bill, expectedVersion: number): TransactItem {
  return {
    Put: {
      TableName,
      Item: billItem(bill),
      ConditionExpression: 'version = :v AND #state = :open',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':v': expectedVersion, ':open': 'open' },
    },
  };
}

function documentPut(TableName: string, bill: Bill): { put: TransactItem; logo?: { sha256: string; dataUrl: string } } {
  const { logo, ...tenant } = bill.renderModel!.tenant;
  const sha256 = logo ? createHash('sha256').update(logo).digest('hex') : undefined;
  return {
    put: {
      Put: {
        TableName,
        Item: {
          ...keys.billDocument(bill.tenantId, bill.id),
          entity: 'billDocument',
          model: JSON.stringify({ ...bill.renderModel, tenant: { ...tenant, logo: null } }),
          ...(sha256 ? { logoSha256: sha256 } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
    ...(logo && sha256 ? { logo: { sha256, dataUrl: logo } } : {}),
  };
}

function logoPut(TableName: string, tid: string, sha256: string, dataUrl: string): TransactItem {
  return { Put: { TableName, Item: { ...keys.billLogo(tid, sha256), entity: 'billLogo', dataUrl } } };
}

export function createBillStore(db: DynamoDBDocumentClient, tableName: string): Store['bills'] {
  const TableName = tableName;

  async function query(input: Omit<QueryCommandInput, 'TableName'>, cursor: string | undefined, tid: string) {
    const out = await call(() => db.send(new QueryCommand({ ...input, TableName, ExclusiveStartKey: decodeCursor(cursor, tid) })));
    return { items: (out.Items ?? []) as Item[], nextCursor: encodeCursor(out.LastEvaluatedKey) };
  }

  async function getItem(key: { pk: string; sk: string }): Promise<Item | undefined> {
    const out = await call(() => db.send(new GetCommand({ TableName, Key: key, ConsistentRead: true })));
    return out.Item;
  }

  async function loadModel(tid: string, bid: string): Promise<BillRenderModel | undefined> {
    const doc = await getItem(keys.billDocument(tid, bid));
    if (!doc) return undefined;
    const model = JSON.parse(doc.model as string) as BillRenderModel;
    if (typeof doc.logoSha256 === 'string') {
      const logo = await getItem(keys.billLogo(tid, doc.logoSha256));
      model.tenant.logo = (logo?.dataUrl as string | undefined) ?? null;
    }
    return BillRenderModel.parse(model);
  }

  function orderUpdate(tid: string, w: OrderBillingWrite): TransactItem {
    const names: Record<string, string> = {};
    const values: Item = {};
    const sets: string[] = [];
    const removes: string[] = [];
    const conditions = ['attribute_exists(pk)'];
    for (const [i, field] of BILLING_FIELDS.entries()) {
      names[`#f${i}`] = field;
      const next = w.next[field as keyof BillingState];
      const expected = w.expected[field as keyof BillingState];
      if (next !== undefined) {
        values[`:n${i}`] = next;
        sets.push(`#f${i} = :n${i}`);
      } else removes.push(`#f${i}`);
      if (expected !== undefined) {
        values[`:e${i}`] = expected;
        conditions.push(`#f${i} = :e${i}`);
      } else conditions.push(`attribute_not_exists(#f${i})`);
    }
    return {
      Update: {
        TableName,
        Key: keys.order(tid, w.orderId),
        UpdateExpression: [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
          .join(' ')
          .trim(),
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
      },
    };
  }

  function assertOpen(bill: Bill): void {
    if (bill.state !== 'open') throw new ConflictError(`Bill ${bill.number ?? bill.id} is ${bill.state}: issued bills are never rewritten`);
  }

  return {
    get: async (tid, bid) => {
      const item = await getItem(keys.bill(tid, bid));
      if (!item) return undefined;
      const bill = parseBillItem(item);
      if (bill.state === 'open') return bill;
      const renderModel = await loadModel(tid, bid);
      return renderModel ? { ...bill, renderModel } : bill;
    },

    getMany: async (tid, bids) => {
      const out: Bill[] = [];
      const unique = [...new Set(bids)];
      for (let i = 0; i < unique.length; i += 100) {
        let pending: Item[] | undefined = unique.slice(i, i + 100).map((bid) => keys.bill(tid, bid));
        for (let attempt = 0; pending?.length; attempt += 1) {
          if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** attempt)));
          const request = pending;
          const res = await call(() =>
            db.send(new BatchGetCommand({ RequestItems: { [TableName]: { Keys: request, ConsistentRead: true } } })),
          );
          out.push(...((res.Responses?.[TableName] ?? []) as Item[]).map(parseBillItem));
          pending = res.UnprocessedKeys?.[TableName]?.Keys as Item[] | undefined;
        }
      }
      return out;
    },

    list: async (tid, q) => {
      const names: Record<string, string> = { ...SUMMARY_PROJECTION.names };
      const values: Item = {};
      const filters: string[] = [];
      const filterOn = (attribute: string, op: string, value: string) => {
        const n = `#q${filters.length}`;
        const v = `:q${filters.length}`;
        names[n] = attribute;
        values[v] = value;
        filters.push(`${n} ${op} ${v}`);
      };
      let input: Omit<QueryCommandInput, 'TableName'>;
      if (q.dueBefore) {
        values[':pk'] = `${tid}#UNPAID`;
        values[':due'] = q.dueBefore;
        input = { IndexName: 'outbox', KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk < :due', ScanIndexForward: true };
        if (q.accountId) filterOn('accountId', '=', q.accountId);
        if (q.state) filterOn('state', '=', q.state);
      } else if (q.accountId) {
        values[':pk'] = `${tid}#ACCOUNT#${q.accountId}`;
        values[':sk'] = 'BILL#';
        input = { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)', ScanIndexForward: false };
        if (q.state) filterOn('state', '=', q.state);
      } else if (q.state) {
        values[':pk'] = `${tid}#BILLS#${q.state}`;
        values[':from'] = q.from ?? '0000';
        values[':to'] = `${q.to ?? '9999-12-31'}$`; // '$' sorts right after '#', so every `<to>#<id>` is included
        input = { IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to', ScanIndexForward: false };
      } else {
        values[':pk'] = tid;
        Object.assign(values, skRange('BILL#'));
        input = { KeyConditionExpression: SK_PREFIX, ScanIndexForward: false };
      }
      if (q.type) filterOn('type', '=', q.type);
      if (!(q.state && !q.dueBefore && !q.accountId)) {
        if (q.from) filterOn('listDay', '>=', q.from);
        if (q.to) filterOn('listDay', '<=', q.to);
      }
      const page = await query(
        {
          ...input,
          ProjectionExpression: SUMMARY_PROJECTION.ProjectionExpression,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ...(filters.length ? { FilterExpression: filters.join(' AND ') } : {}),
          Limit: q.limit,
        },
        q.cursor,
        tid,
      );
      return { items: page.items.map(parseSummary), nextCursor: page.nextCursor };
    },

    listOpen: async (tid, aid, type) => {
      const bills: Bill[] = [];
      let cursor: string | undefined;
      do {
        const page = await query(
          {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND begins_with(gsi1sk, :sk)',
            FilterExpression: '#state = :open AND #type = :type',
            ExpressionAttributeNames: { '#state': 'state', '#type': 'type' },
            ExpressionAttributeValues: { ':pk': `${tid}#ACCOUNT#${aid}`, ':sk': 'BILL#', ':open': 'open', ':type': type },
          },
          cursor,
          tid,
        );
        bills.push(...page.items.map(parseBillItem));
        cursor = page.nextCursor;
      } while (cursor);
      return bills;
    },

    listNumbers: async (tid, type, year, { limit, cursor }) => {
      const page = await query(
        {
          KeyConditionExpression: SK_PREFIX,
          ExpressionAttributeValues: { ':pk': tid, ...skRange(`BILLNUM#${type}#${year}#`) },
          Limit: limit,
        },
        cursor,
        tid,
      );
      return {
        items: page.items.map((i) => ({ sequence: i.sequence as number, number: i.number as string, billId: i.billId as string })),
        nextCursor: page.nextCursor,
      };
    },

    findByNumber: async (tid, type, year, sequence) =>
      (await getItem(keys.billNumber(tid, type, year, sequence)))?.billId as string | undefined,

    lastSequence: async (tid, type, year) => ((await getItem(keys.billSeries(tid, type, year)))?.last as number | undefined) ?? 0,

    write: async ({ tenantId: tid, put = [], remove = [], orders = [] }) => {
      const items: TransactItem[] = [];
      const labels: string[] = [];
      for (const { bill, expectedVersion } of put) {
        assertOpen(bill);
        items.push({
          Put:
            expectedVersion === null
              ? { TableName, Item: billItem(bill), ConditionExpression: 'attribute_not_exists(pk)' }
              : {
                  TableName,
                  Item: billItem(bill),
                  ConditionExpression: 'version = :v AND #state = :open',
                  ExpressionAttributeNames: { '#state': 'state' },
                  ExpressionAttributeValues: { ':v': expectedVersion, ':open': 'open' },
                },
        });
        labels.push(`Bill ${bill.id} changed meanwhile (or is no longer open); reload and try again`);
      }
      for (const { bill, expectedVersion } of remove) {
        items.push({
          Delete: {
            TableName,
            Key: keys.bill(bill.tenantId, bill.id),
            ConditionExpression: 'version = :v AND #state = :open',
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':v': expectedVersion, ':open': 'open' },
          },
        });
        labels.push(`Bill ${bill.id} changed meanwhile (or is no longer open); reload and try again`);
      }
      if ([...put, ...remove].some(({ bill }) => bill.tenantId !== tid)) throw new RangeError('Bills of another tenant');
      for (const w of orders) {
        items.push(orderUpdate(tid, w));
        labels.push(`Order ${w.orderId} was billed or changed meanwhile; reload and try again`);
      }
      if (items.length === 0) return;
      if (items.length > MAX_TRANSACTION_ITEMS) throw new RangeError(`${items.length} items exceed one transaction`);
      try {
        await call(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const index = (error.CancellationReasons ?? []).findIndex((r) => r.Code === 'ConditionalCheckFailed');
          if (index >= 0) throw new ConflictError(labels[index] ?? 'Changed meanwhile');
        }
        throw error;
      }
    },

    issue: async (bill, expectedVersion, series) => {
      const tid = bill.tenantId;
      if (bill.state === 'open') throw new RangeError('Issue a bill in its closed form');
      if (!bill.renderModel) throw new RangeError('An issued bill needs its render model');
      const items: TransactItem[] = [];
      if (series) {
        if (bill.sequence !== series.expectedLast + 1 || !bill.number) throw new RangeError('The bill must carry the next number');
        items.push(seriesAdvance(TableName, tid, series, series.expectedLast + 1, bill.id), numberClaim(TableName, tid, series, bill));
      }
      items.push(issuedBillPut(TableName, bill, expectedVersion));
      const document = documentPut(TableName, bill);
      items.push(document.put);
      if (document.logo) items.push(logoPut(TableName, tid, document.logo.sha256, document.logo.dataUrl));
      try {
        await call(() => db.send(new TransactWriteCommand({ TransactItems: items })));
        return 'issued';
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const reasons = error.CancellationReasons ?? [];
          const failed = (i: number) => reasons[i]?.Code === 'ConditionalCheckFailed';
          if (series && (failed(0) || failed(1))) return 'series-moved';
          if (failed(series ? 2 : 0)) throw new ConflictError(`Bill ${bill.id} changed meanwhile or is no longer open`);
          if (failed(series ? 3 : 1)) throw new ConflictError(`Bill ${bill.id} was already issued`);
        }
        throw error;
      }
    },

    issueMany: async (tid, bills, series) => {
      if (bills.length === 0) return { result: 'issued' };
      const items: TransactItem[] = [];
      const last = series.expectedLast + bills.length;
      items.push(seriesAdvance(TableName, tid, series, last, bills[bills.length - 1]!.bill.id));
      const logos = new Map<string, string>();
      const billAt = new Map<number, string>();
      for (const [i, { bill, expectedVersion }] of bills.entries()) {
        if (bill.tenantId !== tid) throw new RangeError('Bills of another tenant');
        if (bill.state === 'open' || !bill.renderModel) throw new RangeError('Issue bills in their closed form, with render models');
        if (bill.type !== series.type || bill.fiscalYear !== series.year || bill.sequence !== series.expectedLast + i + 1 || !bill.number)
          throw new RangeError('The bills must carry the next numbers of their series, in order');
        items.push(numberClaim(TableName, tid, series, bill));
        billAt.set(items.length, bill.id);
        items.push(issuedBillPut(TableName, bill, expectedVersion));
        const document = documentPut(TableName, bill);
        if (document.logo) logos.set(document.logo.sha256, document.logo.dataUrl);
        billAt.set(items.length, bill.id);
        items.push(document.put);
      }
      for (const [sha, dataUrl] of logos) items.push(logoPut(TableName, tid, sha, dataUrl));
      if (items.length > MAX_TRANSACTION_ITEMS) throw new RangeError(`${items.length} items exceed one transaction`);
      try {
        await call(() => db.send(new TransactWriteCommand({ TransactItems: items })));
        return { result: 'issued' };
      } catch (error) {
        if (error instanceof TransactionCanceledException) {
          const reasons = error.CancellationReasons ?? [];
          const failed = reasons.map((r, i) => (r.Code === 'ConditionalCheckFailed' ? i : -1)).filter((i) => i >= 0);
          // A number claim or the counter: another close took numbers of the series meanwhile.
          if (failed.some((i) => i === 0 || (i - 1) % 3 === 0)) return { result: 'series-moved' };
          const changed = failed.map((i) => billAt.get(i)).find((id) => id !== undefined);
          if (changed) return { result: 'bill-changed', billId: changed };
        }
        throw error;
      }
    },

    transition: async (bill, expectedVersion, create) => {
      const tid = bill.tenantId;
      const unpaid = isPayable(bill.type) && UNPAID_STATES.has(bill.state) && bill.dueOn !== undefined;
      const state = indexKeys.billByState(tid, bill.state, listDay(bill), bill.id);
      const values: Item = {
        ':state': bill.state,
        ':audit': bill.audit,
        ':now': bill.updatedAt,
        ':next': bill.version,
        ':v': expectedVersion,
        ':open': 'open',
        ':g2pk': state.gsi2pk,
        ':g2sk': state.gsi2sk,
      };
      const sets = ['#state = :state', 'audit = :audit', 'updatedAt = :now', 'version = :next', 'gsi2pk = :g2pk', 'gsi2sk = :g2sk'];
      const removes: string[] = [];
      if (unpaid) {
        const u = indexKeys.unpaidBill(tid, bill.dueOn!, bill.id);
        Object.assign(values, { ':g3pk': u.gsi3pk, ':g3sk': u.gsi3sk });
        sets.push('gsi3pk = :g3pk', 'gsi3sk = :g3sk');
      } else removes.push('gsi3pk', 'gsi3sk');
      if (bill.sentTo) {
        values[':sentTo'] = bill.sentTo;
        sets.push('sentTo = :sentTo');
      }
      if (bill.convertedTo) {
        values[':convertedTo'] = bill.convertedTo;
        sets.push('convertedTo = :convertedTo');
      }
      const update: TransactItem = {
        Update: {
          TableName,
          Key: keys.bill(tid, bill.id),
          UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
          ConditionExpression: 'version = :v AND #state <> :open',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values,
        },
      };
      const items: TransactItem[] = [update];
      if (create) {
        assertOpen(create);
        items.push({ Put: { TableName, Item: billItem(create), ConditionExpression: 'attribute_not_exists(pk)' } });
      }
      try {
        await call(() => db.send(new TransactWriteCommand({ TransactItems: items })));
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError(`Bill ${bill.number ?? bill.id} changed meanwhile; reload and try again`);
        throw error;
      }
    },

    setPdf: async (tid, bid, pdf) => {
      try {
        await call(() =>
          db.send(
            new UpdateCommand({
              TableName,
              Key: keys.bill(tid, bid),
              UpdateExpression: 'SET pdf = :pdf',
              ConditionExpression: 'attribute_exists(pk) AND #state <> :open',
              ExpressionAttributeNames: { '#state': 'state' },
              ExpressionAttributeValues: { ':pdf': pdf, ':open': 'open' },
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError(`Bill ${bid} is not issued`);
        throw error;
      }
    },

    getSettings: async (tid) => {
      const item = await getItem(keys.billSettings(tid));
      return item ? BillSettings.parse(item.settings) : undefined;
    },

    putSettings: async (tid, settings) => {
      await call(() => db.send(new PutCommand({ TableName, Item: { ...keys.billSettings(tid), entity: 'billSettings', settings } })));
    },
  };
}
