import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ensureTable } from '../../functions/src/local/dynamodb';
import { SK_PREFIX, skRange } from '@consort/shared/adapters/dynamodb/keys';

// The base table's "sort key starts with" queries are written as a range (keys.ts: DynamoDB Local reads a whole
// partition for begins_with). On DynamoDB Local, the range must select exactly what begins_with selects, for ASCII
// ids, accented and astral-plane characters, and neighbours that share all but the last character of the prefix.

const TABLE = `key-ranges-${Date.now()}`;
const client = new DynamoDBClient({
  endpoint: inject('dynamoEndpoint'),
  region: 'eu-west-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});
const db = DynamoDBDocumentClient.from(client);
const SORT_KEYS = [
  'ACCOUNT',
  'ACCOUNT#',
  'ACCOUNT#acc_01',
  'ACCOUNT#acc_02#CHILD',
  'ACCOUNT#ñandú',
  'ACCOUNT#\u{FFFF}',
  'ACCOUNT#😀',
  'ACCOUNT$',
  'ACCOUNT$x',
  'ACCOUNTS#acc_03',
  'ACCOUNS',
  'BILL#b_1',
  'A',
];

async function all(condition: string, values: Record<string, string>, limit?: number): Promise<string[]> {
  const found: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ConsistentRead: true,
        ...(limit ? { Limit: limit } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    found.push(...(out.Items ?? []).map((i) => i.sk as string));
    start = out.LastEvaluatedKey;
  } while (start);
  return found;
}

beforeAll(async () => {
  await ensureTable(client, TABLE);
  const items = [...SORT_KEYS.map((sk) => ({ pk: 't_1', sk })), ...SORT_KEYS.map((sk) => ({ pk: 't_2', sk }))];
  for (let i = 0; i < items.length; i += 25)
    await db.send(new BatchWriteCommand({ RequestItems: { [TABLE]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
});

afterAll(() => client.destroy());

describe('sort-key prefix ranges', () => {
  it.each(['ACCOUNT#', 'ACCOUNT', 'ACCOUNT#acc_0', 'BILL#', 'NOTHING#'])('select what begins_with selects for %j', async (prefix) => {
    const expected = SORT_KEYS.filter((sk) => sk.startsWith(prefix));
    const ranged = await all(SK_PREFIX, { ':pk': 't_1', ...skRange(prefix) });
    const begins = await all('pk = :pk AND begins_with(sk, :sk)', { ':pk': 't_1', ':sk': prefix });
    expect([...ranged].sort()).toEqual([...expected].sort());
    expect(ranged).toEqual(begins); // same order too
    expect(await all(SK_PREFIX, { ':pk': 't_1', ...skRange(prefix) }, 2)).toEqual(ranged); // and page by page
  });

  it('stay inside the partition', async () => {
    expect(await all(SK_PREFIX, { ':pk': 't_3', ...skRange('ACCOUNT#') })).toEqual([]);
  });
});
