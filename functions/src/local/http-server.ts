// The local API server: turns Node HTTP requests into API Gateway HTTP API (payload v2) events and calls the same
// Lambda handler that API Gateway invokes on AWS.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';

export type HttpHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2 | string | void>;

export interface HttpServer {
  url: string;
  stop(): Promise<void>;
}

/** API Gateway's payload limit; larger bodies get 413 as they would on AWS. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The Lambda context of one request; `timeoutMs` is the function's time (API Gateway's 29 s by default). */
function lambdaContext(requestId: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'consort-api-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:000000000000:function:consort-api-local',
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: '/local/consort-api',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return 'too_large';
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Build the v2 event the way API Gateway does (lower-cased headers, joined repeated query values, cookies apart). */
export function toEvent(req: IncomingMessage, body: Buffer, requestId: string): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://local');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const key of new Set(url.searchParams.keys())) query[key] = url.searchParams.getAll(key).join(',');
  const textual = /json|text|x-www-form-urlencoded/.test(headers['content-type'] ?? 'application/json');
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    cookies: req.headers.cookie?.split(/;\s*/),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    isBase64Encoded: body.length > 0 && !textual,
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2 | string | void) {
  if (result === undefined || typeof result === 'string') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(result ?? '');
    return;
  }
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined);
}

export async function startHttpServer(options: {
  port: number;
  host?: string;
  handler: HttpHandler;
  log?: (line: string) => void;
  /** Each request's time, as a Lambda behind API Gateway has (29 s). */
  timeoutMs?: number;
}): Promise<HttpServer> {
  const server = createServer((req, res) => {
    const started = Date.now();
    const requestId = randomUUID();
    void (async () => {
      try {
        const body = await readBody(req);
        if (body === 'too_large') {
          send(res, {
            statusCode: 413,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: { code: 'payload_too_large', message: 'Request body over 10 MB' } }),
          });
          return;
        }
        send(res, await options.handler(toEvent(req, body, requestId), lambdaContext(requestId, options.timeoutMs ?? 29_000)));
      } catch (error) {
        options.log?.(`handler crashed: ${error instanceof Error ? error.stack : String(error)}`);
        if (!res.headersSent)
          send(res, {
            statusCode: 500,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ error: { code: 'internal', message: 'Internal error' } }),
          });
        else res.end();
      } finally {
        options.log?.(`${req.method} ${req.url} ${res.statusCode} ${Date.now() - started} ms`);
      }
    })();
  });
  server.keepAliveTimeout = 5_000;
  // Bursts of a thousand connections at once (the numbering test, a bench) must queue, not be reset: a listen backlog
  // above Node's 511 default, and no header/request deadlines, which on a busy loop fire before a queued request is
  // even read. Slow-client protection belongs to API Gateway in AWS; this server only serves one machine.
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: options.port, host, backlog: 4096 }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${host}:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
