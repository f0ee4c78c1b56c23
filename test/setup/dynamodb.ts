// Global setup: one DynamoDB Local for the whole run (the JVM takes ~3 s to start); each suite makes its own table.
import type { TestProject } from 'vitest/node';
import { startDynamoLocal } from '../../functions/src/local/dynamodb';

export default async function setup(project: TestProject) {
  const dynamo = await startDynamoLocal();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return async () => dynamo.stop();
}
