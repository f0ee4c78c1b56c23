// `npm start` — the embedded runtime on one machine: one command, one prefixed log stream, Ctrl-C to stop.
import { join } from 'node:path';
import { assertJava, assertPortFree } from './preflight';
import { REPO_ROOT, startLocalStack } from './stack';
import { createLog } from './log';

const COLORS: Record<string, number> = { stack: 35, dynamodb: 34, api: 32, queue: 33, schedule: 36, web: 95 };

async function main() {
  const dataDir = process.env.CONSORT_DATA_DIR ?? join(REPO_ROOT, '.data');
  const apiPort = Number(process.env.CONSORT_API_PORT ?? 4000);
  const webPort = Number(process.env.CONSORT_WEB_PORT ?? 3000);
  const dynamoPort = Number(process.env.CONSORT_DYNAMODB_PORT ?? 8000);
  const logs = new Map<string, (line: string) => void>();
  const log = (prefix: string, line: string) => {
    if (!logs.has(prefix)) logs.set(prefix, createLog(prefix, COLORS[prefix] ?? 37));
    logs.get(prefix)!(line);
  };

  await assertJava();
  await assertPortFree(apiPort, 'api', 'CONSORT_API_PORT');
  await assertPortFree(webPort, 'web', 'CONSORT_WEB_PORT');
  await assertPortFree(dynamoPort, 'dynamodb', 'CONSORT_DYNAMODB_PORT');

  const started = Date.now();
  log('stack', `data in ${dataDir}`);
  const stack = await startLocalStack({
    dataDir,
    apiPort,
    dynamoPort,
    web: { port: webPort, mode: process.env.CONSORT_WEB_MODE === 'prod' ? 'prod' : 'dev' },
    seedDemo: true,
    // SSM hosts need real AWS credentials and a region; without one the runtime refuses them with a clear message.
    ssm: process.env.CONSORT_SSM_REGION ? { region: process.env.CONSORT_SSM_REGION } : undefined,
    // Real Stripe (test-mode keys) when both are set; otherwise the loopback fake Stripe server.
    stripe:
      process.env.STRIPE_SECRET_KEY && process.env.STRIPE_WEBHOOK_SECRET
        ? { secretKey: process.env.STRIPE_SECRET_KEY, webhookSecret: process.env.STRIPE_WEBHOOK_SECRET }
        : undefined,
    log,
  });

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log('stack', `${signal}: stopping…`);
    await stack.stop();
    log('stack', 'stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const demo = stack.demo!;
  log('stack', `ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  log('stack', `API        ${stack.apiUrl}/v1/openapi.json`);
  log('stack', `Sign up    ${stack.webUrl}/signup`);
  log('stack', `Staff login ${stack.webUrl}/login`);
  log('stack', `Outbox     ${join(dataDir, 'mail', 'new')} (e-mails as .eml files; bill PDFs live in memory, re-rendered on demand)`);
  log('stack', `  organisation: ${demo.organisation}   e-mail: ${demo.email}   password: ${demo.password}`);
  if (demo.created) log('stack', '  (demo tenant created now; the password is kept in .data/demo.json)');
}

main().catch((error: unknown) => {
  console.error(`\nConsort could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
