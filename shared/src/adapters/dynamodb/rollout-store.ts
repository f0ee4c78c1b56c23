import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import type { Store } from '../../ports/store';
import type { Rollout } from '../../provisioning/rollouts';
import { call, decodeCursor, encodeCursor, isConditionFailure, strip } from './dynamo-store';
import { keys, SK_PREFIX, skRange } from './keys';

// Rollouts on the single table: one item per rollout (`ROLLOUT#<id>`, ids are ULIDs so the tenant's rollouts list
// newest first by sort key). The plan and the per-host counters live in the item; every write is conditional on
// `version`, and outcome counters bump it too, so an advance computed from a stale read never overwrites a count.

/** The rollouts sub-store (wired lazily by DynamoStore). */
export function createRolloutStore(db: DynamoDBDocumentClient, tableName: string): Store['rollouts'] {
  return {
    create: async (rollout) => {
      try {
        await call(() =>
          db.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...keys.rollout(rollout.tenantId, rollout.id), entity: 'rollout', ...rollout },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error)) throw new ConflictError(`Rollout ${rollout.id} exists already`);
        throw error;
      }
    },
    get: async (tid, rid) => {
      const out = await call(() => db.send(new GetCommand({ TableName: tableName, Key: keys.rollout(tid, rid), ConsistentRead: true })));
      return strip<Rollout>(out.Item);
    },
    list: async (tid, { limit, cursor }) => {
      const out = await call(() =>
        db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: SK_PREFIX,
            ExpressionAttributeValues: { ':pk': tid, ...skRange('ROLLOUT#') },
            ScanIndexForward: false,
            Limit: limit,
            ExclusiveStartKey: decodeCursor(cursor, tid),
          }),
        ),
      );
      return { items: (out.Items ?? []).map((i) => strip<Rollout>(i)!), nextCursor: encodeCursor(out.LastEvaluatedKey) };
    },
    update: async (rollout, expectedVersion) => {
      try {
        await call(() =>
          db.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...keys.rollout(rollout.tenantId, rollout.id), entity: 'rollout', ...rollout, version: expectedVersion + 1 },
              ConditionExpression: 'version = :v',
              ExpressionAttributeValues: { ':v': expectedVersion },
            }),
          ),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },
    recordOutcome: async (tid, rid, hostIndex, ok, now) => {
      if (!Number.isInteger(hostIndex) || hostIndex < 0) throw new Error(`Invalid rollout host index ${hostIndex}`);
      const counter = ok ? 'applied' : 'failed';
      await call(() =>
        db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.rollout(tid, rid),
            UpdateExpression: `SET hosts[${hostIndex}].#c = hosts[${hostIndex}].#c + :one, updatedAt = :now ADD version :one`,
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#c': counter },
            ExpressionAttributeValues: { ':one': 1, ':now': now },
          }),
        ),
      );
    },
  };
}
