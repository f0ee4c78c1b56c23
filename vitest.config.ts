import { defineConfig } from 'vitest/config';

// One `npm test` runs every suite. DynamoDB Local starts once for the run (test/setup/dynamodb.ts); each suite that
// needs the stack creates its own table, so files run in parallel without seeing each other's data.
//
// Three test files at once even on two cores (vitest's default is cores − 1 = one): most files spend their time
// waiting on DynamoDB Local, sshd, daemons' checkers, Next.js or a browser, not on this process's CPU.
export default defineConfig({
  test: {
    maxWorkers: 3,
    minWorkers: 1,
    globalSetup: ['test/setup/dynamodb.ts'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
      },
      { extends: true, test: { name: 'hosts', include: ['test/hosts/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      { extends: true, test: { name: 'infra', include: ['test/infra/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 } },
      { extends: true, test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 600_000 } },
    ],
  },
});
