import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConflictError } from '../../core/errors';
import type { Store } from '../../ports/store';
import type { TemplateVersion } from '../../provisioning/templates';
import { call, isConditionFailure, strip } from './dynamo-store';
import { keys, SK_PREFIX, skRange } from './keys';

// Template overrides on the single table: every version is its own item (`TPLVER#<path>#<version>`, never changed) and
// `TPLHEAD#<path>` copies the latest one. One query of the heads gives a tenant's active overrides (what every
// provisioning run reads); the head's `version` is the optimistic lock, so two editors saving at once cannot both
// become version n.

/** The template overrides sub-store (wired lazily by DynamoStore). */
export function createTemplateStore(db: DynamoDBDocumentClient, tableName: string): Store['templates'] {
  async function queryAll(tid: string, prefix: string, forward: boolean): Promise<TemplateVersion[]> {
    const items: TemplateVersion[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await call(() =>
        db.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: SK_PREFIX,
            ExpressionAttributeValues: { ':pk': tid, ...skRange(prefix) },
            ScanIndexForward: forward,
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(out.Items ?? []).map((i) => strip<TemplateVersion>(i)!));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }

  return {
    heads: (tid) => queryAll(tid, 'TPLHEAD#', true),
    versions: (tid, path) => queryAll(tid, `TPLVER#${path}#`, false),
    append: async (version) => {
      const head = keys.templateHead(version.tenantId, version.path);
      const item = { entity: 'template-version', ...version };
      try {
        await call(() =>
          db.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...keys.templateVersion(version.tenantId, version.path, version.version), ...item },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...head, ...item, entity: 'template-head' },
                    ConditionExpression: version.version === 1 ? 'attribute_not_exists(pk)' : 'version = :previous',
                    ...(version.version === 1 ? {} : { ExpressionAttributeValues: { ':previous': version.version - 1 } }),
                  },
                },
              ],
            }),
          ),
        );
      } catch (error) {
        if (isConditionFailure(error)) {
          throw new ConflictError(
            `Template ${version.path} was changed meanwhile (version ${version.version} exists); reload and try again`,
          );
        }
        throw error;
      }
    },
  };
}
