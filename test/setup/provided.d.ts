import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** DynamoDB Local endpoint started once per run by test/setup/dynamodb.ts. */
    dynamoEndpoint: string;
  }
}
