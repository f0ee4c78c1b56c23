import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAccount } from '@consort/shared/accounts/use-cases';
import type { Actor } from '@consort/shared/core/actor';
import { createHost, createRoute } from '@consort/shared/fleet/use-cases';
import { signup } from '@consort/shared/tenancy/use-cases';
import type { AppDeps } from '../lib/deps';

export interface DemoLogin {
  organisation: string;
  email: string;
  password: string;
  created: boolean;
}

const DEMO_SLUG = 'demo';

/**
 * First start: a demo tenant with an owner, a customer account and a host using the local transport whose
 * BIND files live under `.data/hosts/local` (so a domain reaches "applied" without any server).
 * The generated password is kept in `.data/demo.json` and printed at every start.
 */
export async function seedDemo(deps: AppDeps, options: { dataDir: string; hasCheckzone: boolean }): Promise<DemoLogin> {
  const file = join(options.dataDir, 'demo.json');
  if (existsSync(file) && (await deps.store.tenants.idBySlug(DEMO_SLUG))) {
    return { ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<DemoLogin, 'created'>), created: false };
  }
  const login = { organisation: DEMO_SLUG, email: 'owner@demo.consort.test', password: `demo-${deps.crypto.randomToken(9)}` };
  const { tenant, user } = await signup(deps, {
    organisation: 'Demo Hosting Coop',
    slug: DEMO_SLUG,
    country: 'ES',
    currency: 'EUR',
    locale: 'en',
    timeZone: 'Europe/Madrid',
    ownerName: 'Demo Owner',
    email: login.email,
    password: login.password,
  });
  const actor: Actor = { type: 'staff', tenantId: tenant.id, userId: user.id, role: 'owner' };
  await createAccount(deps, actor, { name: 'Example Association', type: 'association', email: 'board@example.org', country: 'ES' });
  const hostDir = join(options.dataDir, 'hosts', 'local');
  mkdirSync(join(hostDir, 'zones'), { recursive: true });
  const host = await createHost(deps, actor, {
    name: 'local-dns',
    address: '127.0.0.1',
    transport: 'local',
    description: 'Embedded demo host: scripts run on this machine and write under .data/hosts/local',
    config: {
      'bind.zones_dir': join(hostDir, 'zones'),
      'bind.conf_file': join(hostDir, 'named.conf.consort'),
      'bind.checkzone': options.hasCheckzone ? 'named-checkzone' : 'true',
      'bind.reload': 'true',
    },
  });
  await createRoute(deps, actor, { kind: 'domain', backend: 'bind', hostId: host.id });
  writeFileSync(file, JSON.stringify(login, null, 2), { mode: 0o600 });
  return { ...login, created: true };
}
