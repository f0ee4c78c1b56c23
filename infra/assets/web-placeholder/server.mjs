// Answers every request with 503 until the real Next.js build is deployed (see docs/aws.md).
import { createServer } from 'node:http';

const port = Number(process.env.PORT ?? 8080);
createServer((_req, res) => {
  res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '300' });
  res.end('Consort web is not deployed yet: run `npm run build:web`, then `npx cdk deploy Consort-Web`.\n');
}).listen(port, '0.0.0.0');
