import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { startTestStack } from '../support/stack';

// A website that uses a web app's PHP-FPM socket must run on a host where that app runs (the socket is a local file):
// the dispatch of its change checks the routes of both and fails the operation naming the hosts, instead of
// installing a site whose PHP requests would all answer 502. Embedded runtime, two local-transport hosts whose
// daemon commands are `true` and whose paths are temporary folders.

let stack: LocalStack;
let owner: ApiClient;
let accountId: string;
const hosts: Record<'a' | 'b', { id: string; dir: string }> = {} as never;

async function operation(id: string) {
  await stack.idle();
  return (await owner.get(`/v1/operations/${id}`)).body as { state: string; error?: string; targets: string[] };
}

beforeAll(async () => {
  stack = await startTestStack();
  owner = (await signupTenant(stack.apiUrl, 'Same host')).client;
  accountId = (await owner.post('/v1/accounts', { name: 'Shop', email: 'shop@example.org', country: 'ES' })).body.id;
  for (const name of ['a', 'b'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `consort-same-host-${name}-`));
    const res = await owner.post('/v1/hosts', {
      name: `web-${name}`,
      address: '127.0.0.1',
      transport: 'local',
      config: {
        'website.root_base': join(dir, 'www'),
        'nginx.sites_dir': join(dir, 'nginx'),
        'nginx.log_dir': join(dir, 'log'),
        'nginx.nginx': 'true',
        'nginx.reload': 'true',
        'nginx.fastcgi_params': join(dir, 'fastcgi_params'),
        'php.run_dir': join(dir, 'run'),
        'php.pool_dir': join(dir, 'php/{version}'),
        'php.fpm': 'true',
        'php.reload': 'true',
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    hosts[name] = { id: res.body.id, dir };
  }
});

afterAll(async () => {
  await stack?.stop();
});

describe('services that must share a host', () => {
  it('fails a website routed away from its web app, naming both hosts; applies it once the routes agree', async () => {
    expect((await owner.post('/v1/routes', { kind: 'webapp', backend: 'php-fpm', hostId: hosts.a.id })).status).toBe(201);
    const siteRoute = await owner.post('/v1/routes', { kind: 'website', backend: 'nginx', hostId: hosts.b.id });
    expect(siteRoute.status, JSON.stringify(siteRoute.body)).toBe(201);
    // The references a site and an app need (their own operations go nowhere: no routes for these kinds here).
    for (const [kind, spec] of [
      ['domain', { name: 'shop.example.org' }],
      ['systemuser', { username: 'alice' }],
      ['webapp', { name: 'shop', systemUser: 'alice' }],
    ] as const) {
      const res = await owner.post('/v1/services', { accountId, kind, spec });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const site = await owner.post('/v1/services', {
      accountId,
      kind: 'website',
      spec: { name: 'shop', domains: ['shop.example.org'], webApp: 'shop' },
    });
    expect(site.status, JSON.stringify(site.body)).toBe(201);
    const failed = await operation(site.body.operation.id);
    expect(failed.state).toBe('failed');
    expect(failed.targets).toEqual([]);
    expect(failed.error).toBe(
      `shop needs webapp shop on the same host, but it runs on ${hosts.a.id} and shop is routed to ${hosts.b.id}: ` +
        'change the routes under Hosts → Routes so they share a host, then retry',
    );
    expect(existsSync(join(hosts.b.dir, 'nginx'))).toBe(false); // nothing ran on the site's host

    // The site's route moves to the app's host: the retried change installs it there, pointed at the app's socket.
    expect((await owner.patch(`/v1/routes/${siteRoute.body.id}`, { hostId: hosts.a.id })).status).toBe(200);
    const retry = await owner.post(`/v1/operations/${site.body.operation.id}/retry`);
    expect(retry.status, JSON.stringify(retry.body)).toBeLessThan(300);
    const applied = await operation(retry.body.id ?? site.body.operation.id);
    expect(applied.targets).toEqual([hosts.a.id]);
    expect(applied.error ?? '').not.toMatch(/same host/);
    expect(applied.state, JSON.stringify(applied)).toBe('applied');
    expect(readFileSync(join(hosts.a.dir, 'nginx', 'shop.conf'), 'utf8')).toContain(`unix:${join(hosts.a.dir, 'run', 'shop.sock')}`);
  });
});
