import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { signupTenant, type ApiClient } from '../support/api-client';
import { canRunPostgres, postgresBin, startPostgres, type TestPostgres } from '../support/databases';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Databases and database users through the API, applied over a real OpenSSH server by the postgresql backends, and
// checked in the server's catalogs (pg_database, pg_authid, has_*_privilege) and by logging in as the user over TCP.
// The server is a private PostgreSQL cluster started for this file (see test/support/databases.ts): the machine's
// cluster trusts every local TCP connection, so only a cluster with SCRAM on 127.0.0.1 proves the password works.

const hasServer = !!postgresBin() && canRunPostgres();
if (!hasServer && process.env.CI === 'true') throw new Error('test/hosts/database-postgresql.test.ts needs the postgresql server package');
const ready = requireTool(SSHD, 'openssh-server') && requireTool('psql', 'postgresql-client') && hasServer;

describe.skipIf(!ready)('PostgreSQL databases and users over SSH', () => {
  const p = `ct${randomBytes(4).toString('hex')}`;
  const shop = `${p}_shop`;
  const blog = `${p}_blog`;
  const owned = `${p}_owned`;
  const app = `${p}_app`;
  const password = "S3cret 'pass' $(id)";
  let pg: TestPostgres;
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountId: string;
  const ids = { shop: '', blog: '', app: '', owned: '' };

  const q = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const one = async (sql: string, database?: string) => (await pg.sql(sql, database)).trim();
  const database = async (name: string) =>
    one(
      `SELECT pg_encoding_to_char(encoding) || ' ' || datcollate || ' ' || pg_get_userbyid(datdba) FROM pg_database WHERE datname = ${q(name)}`,
    );
  const role = async () => one(`SELECT rolcanlogin || ' ' || rolpassword FROM pg_authid WHERE rolname = ${q(app)}`);
  /** Privileges of the app role that hold, among those listed, e.g. "CONNECT TEMPORARY" (one psql run). */
  const held = (check: (priv: string) => string, privileges: string[], name?: string) =>
    one(`SELECT concat_ws(' ', ${privileges.map((priv) => `CASE WHEN ${check(priv)} THEN '${priv}' END`).join(', ')})`, name);
  /** Database-level privileges of the app role on a database. */
  const onDatabase = (name: string) =>
    held((priv) => `has_database_privilege(${q(app)}, ${q(name)}, '${priv}')`, ['CONNECT', 'CREATE', 'TEMPORARY']);
  /** Privileges of the app role on a table of a database. */
  const onTable = (name: string, table: string) =>
    held((priv) => `has_table_privilege(${q(app)}, ${q(`public.${table}`)}, '${priv}')`, ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], name);

  const settled = (serviceId: string) => settledService(stack, owner, serviceId);
  async function create(kind: string, spec: Record<string, unknown>) {
    const res = await owner.post('/v1/services', { accountId, kind, spec });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { service, op } = await settled(res.body.service.id);
    expect(service.state, JSON.stringify(op.logs ?? op.error)).toBe('applied');
    return service;
  }
  async function change(id: string, spec: Record<string, unknown>) {
    const res = await owner.patch(`/v1/services/${id}`, { spec });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { service, op } = await settled(id);
    expect(service.state, JSON.stringify(op.logs ?? op.error)).toBe('applied');
    return service;
  }
  const spec = async (id: string) => (await owner.get(`/v1/services/${id}`)).body.spec;

  beforeAll(async () => {
    pg = await startPostgres();
    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'PostgreSQL');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountId = (await owner.post('/v1/accounts', { name: 'DB Customer', email: 'db@example.org', country: 'ES' })).body.id;
    const host = await owner.post('/v1/hosts', {
      name: 'pg1',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: { 'postgresql.host': pg.socketDir, 'postgresql.port': String(pg.port), 'postgresql.psql': `${postgresBin()}/psql` },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    const match = { field: 'spec.engine', op: 'eq', value: 'postgresql' };
    for (const kind of ['database', 'databaseuser']) {
      const route = await owner.post('/v1/routes', { kind, backend: 'postgresql', hostId: host.body.id, match });
      expect(route.status, JSON.stringify(route.body)).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    await pg?.stop(); // the whole cluster goes, with whatever a failed test left
  });

  it('creates databases with the chosen encoding and locale, closed to PUBLIC', async () => {
    ids.shop = (await create('database', { name: shop, engine: 'postgresql' })).id;
    ids.blog = (await create('database', { name: blog, engine: 'postgresql', charset: 'LATIN1', collation: 'C' })).id;
    expect(await database(shop)).toBe('UTF8 C.UTF-8 postgres');
    expect(await database(blog)).toBe('LATIN1 C postgres');
    expect(await one(`SELECT has_database_privilege('public', ${q(shop)}, 'CONNECT')`)).toBe('f');
    await pg.sql(`CREATE TABLE posts (id int PRIMARY KEY, title text); INSERT INTO posts VALUES (1, 'hello');`, blog);
  });

  it('creates the role with its SCRAM verifier and grants; it logs in over TCP with the password', async () => {
    const service = await create('databaseuser', {
      username: app,
      engine: 'postgresql',
      password,
      grants: [
        { database: shop, privileges: 'all' },
        { database: blog, privileges: 'read-only' },
      ],
    });
    ids.app = service.id;
    expect(service.spec).not.toHaveProperty('password');
    expect(service.spec.passwordHash).toMatch(/^SCRAM-SHA-256\$4096:/);
    const { op } = await settled(ids.app);
    expect(JSON.stringify(op)).not.toContain('S3cret');
    // The server keeps the verifier computed in the domain, and the password logs in against it (SCRAM on TCP).
    expect(await role()).toBe(`true ${service.spec.passwordHash}`);
    expect(await pg.as(app, password, 'SELECT current_user', shop)).toMatchObject({ ok: true, stdout: `${app}\n` });
    expect((await pg.as(app, 'wrong password', 'SELECT 1', shop)).stderr).toMatch(/password authentication failed/);

    expect(await onDatabase(shop)).toBe('CONNECT CREATE TEMPORARY');
    expect(await onDatabase(blog)).toBe('CONNECT');
    expect(await onTable(blog, 'posts')).toBe('SELECT');
    expect(await pg.as(app, password, 'CREATE TABLE t (id int); INSERT INTO t VALUES (1); SELECT count(*) FROM t;', shop)).toMatchObject({
      ok: true,
      stdout: '1\n',
    });
    expect(await pg.as(app, password, 'SELECT title FROM posts', blog)).toMatchObject({ ok: true, stdout: 'hello\n' });
    expect((await pg.as(app, password, "INSERT INTO posts VALUES (2, 'no')", blog)).stderr).toMatch(/permission denied/);
    expect((await pg.as(app, password, 'SELECT 1', 'postgres')).ok).toBe(true); // the maintenance database keeps PUBLIC access
    // Tables the database's owner creates later come with the same privileges (default privileges).
    await pg.sql('CREATE TABLE later (id serial PRIMARY KEY)', blog);
    expect(await onTable(blog, 'later')).toBe('SELECT');
    expect(await pg.as(app, password, 'SELECT count(*) FROM later', blog)).toMatchObject({ ok: true, stdout: '0\n' });
  });

  it('is idempotent: saving the same spec again leaves role and privileges as they were', async () => {
    const snapshot = async () => ({
      role: await role(),
      shop: [await database(shop), await onDatabase(shop)],
      blog: [await database(blog), await onDatabase(blog), await onTable(blog, 'posts')],
      acl: await one(`SELECT string_agg(datname || '=' || coalesce(datacl::text, ''), ' ' ORDER BY datname) FROM pg_database`),
    });
    const before = await snapshot();
    await change(ids.app, await spec(ids.app));
    await change(ids.blog, await spec(ids.blog));
    expect(await snapshot()).toEqual(before);
  });

  it('changes the password and the grants: new password only, blog revoked, shop read-write', async () => {
    const current = await spec(ids.app);
    const service = await change(ids.app, {
      ...current,
      passwordHash: undefined,
      password: 'an0ther-password',
      grants: [{ database: shop, privileges: 'read-write' }],
    });
    expect(await role()).toBe(`true ${service.spec.passwordHash}`);
    expect((await pg.as(app, password, 'SELECT 1', shop)).ok).toBe(false);
    expect((await pg.as(app, 'an0ther-password', 'SELECT 1', shop)).ok).toBe(true);
    expect(await onDatabase(shop)).toBe('CONNECT TEMPORARY');
    expect(await onDatabase(blog)).toBe('');
    expect(await onTable(blog, 'posts')).toBe(''); // object privileges left too, not only CONNECT
    expect(await onTable(shop, 't')).toBe('SELECT INSERT UPDATE DELETE');
    // The defaults follow the grants: read-write on shop's future tables, none left on blog's.
    await pg.sql('CREATE TABLE w (id int)', shop);
    expect(await onTable(shop, 'w')).toBe('SELECT INSERT UPDATE DELETE');
    await pg.sql('CREATE TABLE later2 (id int)', blog);
    expect(await onTable(blog, 'later2')).toBe('');
    expect(await one(`SELECT count(*) FROM pg_default_acl a, aclexplode(a.defaclacl) x WHERE x.grantee = ${q(app)}::regrole`, blog)).toBe(
      '0',
    );
    expect((await pg.as(app, 'an0ther-password', 'CREATE TABLE u (id int)', shop)).stderr).toMatch(/permission denied/);
    expect((await pg.as(app, 'an0ther-password', 'SELECT 1', blog)).stderr).toMatch(/permission denied/);
  });

  it('disables (NOLOGIN, login refused) and enables again', async () => {
    const current = await spec(ids.app);
    await change(ids.app, { ...current, disabled: true });
    expect(await role()).toMatch(/^false /);
    expect((await pg.as(app, 'an0ther-password', 'SELECT 1', shop)).stderr).toMatch(/not permitted to log in/);
    await change(ids.app, { ...current, disabled: false });
    expect((await pg.as(app, 'an0ther-password', 'SELECT 1', shop)).ok).toBe(true);
  });

  it('gives a database to its owner, a user of the same account and engine', async () => {
    ids.owned = (await create('database', { name: owned, engine: 'postgresql', owner: app })).id;
    expect(await database(owned)).toBe(`UTF8 C.UTF-8 ${app}`);
    expect(await pg.as(app, 'an0ther-password', 'CREATE TABLE mine (id int); SELECT 1', owned)).toMatchObject({ ok: true, stdout: '1\n' });
  });

  it('refuses invalid input with 422 before anything runs', async () => {
    for (const [kind, body] of [
      ['database', { name: `${p}_x"; DROP DATABASE postgres; --`, engine: 'postgresql' }],
      ['database', { name: 'template1', engine: 'postgresql' }],
      ['database', { name: `${p}_x`, engine: 'postgresql', charset: 'utf8mb4' }],
      ['database', { name: `${p}_x`, engine: 'postgresql', charset: 'LATIN1', collation: 'C.UTF-8' }],
      ['database', { name: `${p}_x`, engine: 'postgresql', owner: `${p}_nobody` }],
      ['databaseuser', { username: 'pg_monitor', engine: 'postgresql', password: 'long enough' }],
      ['databaseuser', { username: `${p}_x`, engine: 'postgresql', password: 'long enough\u00e9' }],
      ['databaseuser', { username: `${p}_x`, engine: 'postgresql', passwordHash: 'md5d41d8cd98f00b204e9800998ecf8427e' }],
      ['databaseuser', { username: `${p}_x`, engine: 'mysql', password: 'long enough', grants: [{ database: shop }] }],
    ] as const) {
      const res = await owner.post('/v1/services', { accountId, kind, spec: body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect(await one(`SELECT count(*) FROM pg_roles WHERE rolname = ${q(`${p}_x`)}`)).toBe('0');
  });

  it('refuses to drop a role that still owns a database, and drops it once the database has another owner', async () => {
    // The panel refuses before anything runs (the database's owner refers to the role); the delete script keeps its
    // own check on the server ("still owns the database(s)") for databases the panel does not know.
    const refused = await owner.delete(`/v1/services/${ids.app}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.dependents).toEqual([expect.objectContaining({ id: ids.owned, kind: 'database' })]);
    expect(await role()).toMatch(/^true /);

    const { owner: _, ...unowned } = await spec(ids.owned);
    await change(ids.owned, unowned);
    expect(await database(owned)).toBe('UTF8 C.UTF-8 postgres');
    expect((await owner.delete(`/v1/services/${ids.app}`)).status).toBe(202);
    const { service, op } = await settled(ids.app);
    expect(service.state, JSON.stringify(op.logs)).toBe('deleted');
    expect(await role()).toBe('');
    // What the role created went to each database's owner.
    expect(await one(`SELECT tableowner FROM pg_tables WHERE tablename = 'mine'`, owned)).toBe('postgres');
    expect(await one(`SELECT tableowner FROM pg_tables WHERE tablename = 't'`, shop)).toBe('postgres');
  });

  it('deletes the databases', async () => {
    for (const id of [ids.shop, ids.blog, ids.owned]) {
      expect((await owner.delete(`/v1/services/${id}`)).status).toBe(202);
      const { service, op } = await settled(id);
      expect(service.state, JSON.stringify(op.logs)).toBe('deleted');
    }
    expect(await one(`SELECT count(*) FROM pg_database WHERE datname LIKE '${p}%'`)).toBe('0');
  });
});
