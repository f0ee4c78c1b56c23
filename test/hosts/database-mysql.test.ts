import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalStack } from '../../functions/src/local/stack';
import { mysqlNativePassword } from '../../shared/src/services/database/verifiers';
import { signupTenant, type ApiClient } from '../support/api-client';
import { ensureMariaDb, mysqlAs, mysqlRoot, MARIADB_SOCKET } from '../support/databases';
import { startSshd, SSHD, type TestSshd } from '../support/sshd';
import { settledService, startTestStack } from '../support/stack';
import { requireTool } from '../setup/require-tool';

// Databases and database users through the API, applied over a real OpenSSH server by the mysql backends to the
// machine's MariaDB, and checked there: information_schema and mysql.* as root, and logging in as the user over TCP
// with its password. Every name carries a random per-run prefix; only those are created, and afterAll drops any
// left over. The scripts run as the sshd user and reach the server over its socket as root (the machine's default).

const ready = requireTool(SSHD, 'openssh-server') && requireTool('mysql', 'mariadb-client');

describe.skipIf(!ready)('MySQL/MariaDB databases and users over SSH', () => {
  const p = `ct${randomBytes(4).toString('hex')}`;
  const shop = `${p}_shop`;
  const blog = `${p}_blog`;
  const app = `${p}_app`;
  const password = "S3cret 'pass' $(id)";
  let stack: LocalStack;
  let sshd: TestSshd;
  let owner: ApiClient;
  let accountId: string;
  const ids = { shop: '', blog: '', app: '', owned: '' };

  const q = (value: string) => `'${value.replace(/'/g, "''")}'`;
  const rows = async (sql: string) =>
    (await mysqlRoot(sql))
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t'));
  /** Database-level privileges of the app user, as the server keeps them: pattern → sorted privilege names. */
  async function grants(user = app): Promise<Record<string, string[]>> {
    const columns = (
      await rows(
        `SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'mysql' AND TABLE_NAME = 'db' AND COLUMN_NAME LIKE '%\\_priv' ORDER BY ORDINAL_POSITION`,
      )
    ).map((r) => r[0]!);
    const result: Record<string, string[]> = {};
    for (const row of await rows(`SELECT Db, ${columns.join(', ')} FROM mysql.db WHERE User = ${q(user)} AND Host = '%'`)) {
      const [db, ...flags] = row;
      result[db!] = columns.filter((_, i) => flags[i] === 'Y').map((c) => c.replace(/_priv$/, ''));
    }
    return result;
  }
  const schema = async (name: string) =>
    (
      await rows(
        `SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ${q(name)}`,
      )
    )[0];
  /** Plugin, verifier and lock state of the app account (MariaDB keeps them as JSON in mysql.global_priv). */
  const account = async () =>
    (
      await rows(
        `SELECT JSON_VALUE(Priv, '$.plugin'), JSON_VALUE(Priv, '$.authentication_string'), COALESCE(JSON_VALUE(Priv, '$.account_locked'), 0)
         FROM mysql.global_priv WHERE User = ${q(app)} AND Host = '%'`,
      )
    )[0];

  const settled = (serviceId: string) => settledService(stack, owner, serviceId);
  async function create(kind: string, spec: Record<string, unknown>) {
    const res = await owner.post('/v1/services', { accountId, kind, spec });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { service, op } = await settled(res.body.service.id);
    expect(service.state, JSON.stringify(op.logs ?? op.error)).toBe('applied');
    return service;
  }
  async function change(id: string, spec: Record<string, unknown>, state = 'applied') {
    const res = await owner.patch(`/v1/services/${id}`, { spec });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { service, op } = await settled(id);
    expect(service.state, JSON.stringify(op.logs ?? op.error)).toBe(state);
    return { service, op };
  }

  beforeAll(async () => {
    await ensureMariaDb();
    stack = await startTestStack({ allowLocalTransport: false });
    const t = await signupTenant(stack.apiUrl, 'MySQL');
    owner = t.client;
    sshd = await startSshd([t.tenant.provisioningPublicKey]);
    accountId = (await owner.post('/v1/accounts', { name: 'DB Customer', email: 'db@example.org', country: 'ES' })).body.id;
    const host = await owner.post('/v1/hosts', {
      name: 'mysql1',
      address: '127.0.0.1',
      port: sshd.port,
      username: sshd.username,
      transport: 'ssh',
      config: { 'mysql.socket': MARIADB_SOCKET, 'mysql.user': 'root' },
    });
    expect(host.status, JSON.stringify(host.body)).toBe(201);
    // Routed by engine: only MySQL services of these kinds go to this host.
    const match = { field: 'spec.engine', op: 'eq', value: 'mysql' };
    for (const kind of ['database', 'databaseuser']) {
      const route = await owner.post('/v1/routes', { kind, backend: 'mysql', hostId: host.body.id, match });
      expect(route.status, JSON.stringify(route.body)).toBe(201);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await sshd?.stop();
    // Whatever a failed test left behind: only names with this run's prefix.
    for (const [name] of await rows(`SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME LIKE '${p}\\_%'`)) {
      await mysqlRoot(`DROP DATABASE \`${name}\``);
    }
    for (const [user, host] of await rows(`SELECT User, Host FROM mysql.user WHERE User LIKE '${p}\\_%'`)) {
      await mysqlRoot(`DROP USER ${q(user!)}@${q(host!)}`);
    }
    await mysqlRoot(`DELETE FROM mysql.db WHERE Db LIKE '${p}%'; FLUSH PRIVILEGES;`);
  });

  it('creates databases with the chosen character set and collation', async () => {
    ids.shop = (await create('database', { name: shop, engine: 'mysql' })).id;
    ids.blog = (await create('database', { name: blog, engine: 'mysql', charset: 'latin1', collation: 'latin1_spanish_ci' })).id;
    expect(await schema(shop)).toEqual(['utf8mb4', 'utf8mb4_unicode_ci']);
    expect(await schema(blog)).toEqual(['latin1', 'latin1_spanish_ci']);
    await mysqlRoot(
      `CREATE TABLE \`${blog}\`.posts (id INT PRIMARY KEY, title VARCHAR(50)); INSERT INTO \`${blog}\`.posts VALUES (1, 'hello');`,
    );
  });

  it('creates the user with its verifier and grants; it logs in over TCP with the password', async () => {
    const service = await create('databaseuser', {
      username: app,
      engine: 'mysql',
      password,
      grants: [
        { database: shop, privileges: 'all' },
        { database: blog, privileges: 'read-only' },
      ],
    });
    ids.app = service.id;
    // Only the verifier is kept; the plaintext is in neither the spec nor the script that ran.
    expect(service.spec).not.toHaveProperty('password');
    expect(service.spec.passwordHash).toBe(mysqlNativePassword(password));
    const { op } = await settled(ids.app);
    expect(JSON.stringify(op)).not.toContain('S3cret');

    expect(await account()).toEqual(['mysql_native_password', mysqlNativePassword(password), '0']);
    // `_` is escaped in the grant's database pattern, so the grant does not also cover e.g. `<p>Xshop`.
    const all = [
      'Select',
      'Insert',
      'Update',
      'Delete',
      'Create',
      'Drop',
      'References',
      'Index',
      'Alter',
      'Create_tmp_table',
      'Lock_tables',
    ];
    expect(Object.keys(await grants()).sort()).toEqual([`${p}\\_blog`, `${p}\\_shop`]);
    expect((await grants())[`${p}\\_shop`]).toEqual(
      expect.arrayContaining([...all, 'Execute', 'Create_view', 'Show_view', 'Trigger', 'Event']),
    );
    expect((await grants())[`${p}\\_blog`]!.sort()).toEqual(['Select', 'Show_view']);

    const login = await mysqlAs(app, password, 'SELECT CURRENT_USER()');
    expect(login.ok, login.stderr).toBe(true);
    expect(login.stdout.trim()).toBe(`${app}@%`);
    expect((await mysqlAs(app, 'wrong password', 'SELECT 1')).ok).toBe(false);
    // What the grants allow, as the user.
    expect(await mysqlAs(app, password, 'CREATE TABLE t (id INT); INSERT INTO t VALUES (1); SELECT COUNT(*) FROM t;', shop)).toMatchObject({
      ok: true,
      stdout: '1\n',
    });
    expect(await mysqlAs(app, password, 'SELECT title FROM posts', blog)).toMatchObject({ ok: true, stdout: 'hello\n' });
    expect((await mysqlAs(app, password, "INSERT INTO posts VALUES (2, 'no')", blog)).stderr).toMatch(/INSERT command denied/);
    expect((await mysqlAs(app, password, 'SHOW TABLES', 'mysql')).ok).toBe(false);
  });

  it('is idempotent: saving the same spec again leaves account and grants as they were', async () => {
    const before = { account: await account(), grants: await grants(), shop: await schema(shop) };
    const spec = (await owner.get(`/v1/services/${ids.app}`)).body.spec;
    await change(ids.app, spec);
    await change(ids.shop, (await owner.get(`/v1/services/${ids.shop}`)).body.spec);
    expect({ account: await account(), grants: await grants(), shop: await schema(shop) }).toEqual(before);
  });

  it('changes the password and the grants: new password only, blog revoked, shop read-write', async () => {
    const spec = (await owner.get(`/v1/services/${ids.app}`)).body.spec;
    await change(ids.app, {
      ...spec,
      passwordHash: undefined,
      password: 'an0ther-password',
      grants: [{ database: shop, privileges: 'read-write' }],
    });
    expect((await account())![1]).toBe(mysqlNativePassword('an0ther-password'));
    expect((await mysqlAs(app, password, 'SELECT 1')).ok).toBe(false);
    expect((await mysqlAs(app, 'an0ther-password', 'SELECT 1')).ok).toBe(true);
    expect(Object.keys(await grants())).toEqual([`${p}\\_shop`]);
    expect((await grants())[`${p}\\_shop`]!.sort()).toEqual(
      ['Select', 'Insert', 'Update', 'Delete', 'Create_tmp_table', 'Lock_tables', 'Execute', 'Show_view'].sort(),
    );
    const written = await mysqlAs(app, 'an0ther-password', 'INSERT INTO t VALUES (2); SELECT COUNT(*) FROM t', shop);
    expect(written.stderr).toBe('');
    expect(written.stdout).toBe('2\n');
    expect((await mysqlAs(app, 'an0ther-password', 'DROP TABLE t', shop)).stderr).toMatch(/DROP command denied/);
    expect((await mysqlAs(app, 'an0ther-password', 'SELECT * FROM posts', blog)).ok).toBe(false);
  });

  it('disables (account locked, login refused) and enables again', async () => {
    const spec = (await owner.get(`/v1/services/${ids.app}`)).body.spec;
    await change(ids.app, { ...spec, disabled: true });
    expect((await account())![2]).toBe('1');
    const refused = await mysqlAs(app, 'an0ther-password', 'SELECT 1');
    expect(refused.ok).toBe(false);
    expect(refused.stderr).toMatch(/locked/i);
    await change(ids.app, { ...spec, disabled: false });
    expect((await mysqlAs(app, 'an0ther-password', 'SELECT 1')).ok).toBe(true);
  });

  it('refuses invalid input with 422 before anything runs', async () => {
    for (const [kind, spec] of [
      ['database', { name: `${p}_x; DROP DATABASE mysql`, engine: 'mysql' }],
      ['database', { name: 'mysql', engine: 'mysql' }],
      ['database', { name: `${p}_x`, engine: 'mysql', charset: 'utf8mb4', collation: 'latin1_swedish_ci' }],
      ['database', { name: `${p}_x`, engine: 'mysql', owner: app }],
      ['databaseuser', { username: 'root', engine: 'mysql', password: 'long enough' }],
      ['databaseuser', { username: `${p}_x`, engine: 'mysql', password: 'short' }],
      ['databaseuser', { username: `${p}_x`, engine: 'mysql', passwordHash: "*' OR 1=1 --" }],
      // Grants only name this account's databases of the same engine.
      ['databaseuser', { username: `${p}_x`, engine: 'mysql', password: 'long enough', grants: [{ database: 'mysql' }] }],
      ['databaseuser', { username: `${p}_x`, engine: 'mysql', password: 'long enough', grants: [{ database: `${p}_other` }] }],
    ] as const) {
      const res = await owner.post('/v1/services', { accountId, kind, spec });
      expect(res.status, JSON.stringify(spec)).toBe(422);
    }
    expect(await rows(`SELECT User FROM mysql.user WHERE User = ${q(`${p}_x`)}`)).toEqual([]);
  });

  it('routes by engine: a PostgreSQL database does not reach the MySQL host', async () => {
    const res = await owner.post('/v1/services', { accountId, kind: 'database', spec: { name: `${p}_pg`, engine: 'postgresql' } });
    expect(res.status).toBe(201);
    const { service, op } = await settled(res.body.service.id);
    expect(service.state).toBe('failed');
    expect(op.error).toMatch(/rule/i);
    expect(await schema(`${p}_pg`)).toBeUndefined();
    expect((await owner.delete(`/v1/services/${service.id}`)).status).toBe(202);
  });

  it('refuses to delete a database a user still has grants on; once the grant is gone it drops the database', async () => {
    const refused = await owner.delete(`/v1/services/${ids.shop}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.details.dependents).toEqual([expect.objectContaining({ id: ids.app, kind: 'databaseuser' })]);
    expect(await schema(shop)).toBeDefined(); // nothing ran

    const spec = (await owner.get(`/v1/services/${ids.app}`)).body.spec;
    await change(ids.app, { ...spec, grants: [] });
    expect(await grants()).toEqual({});
    expect((await owner.delete(`/v1/services/${ids.shop}`)).status).toBe(202);
    const { service, op } = await settled(ids.shop);
    expect(service.state, JSON.stringify(op.logs)).toBe('deleted');
    expect(await schema(shop)).toBeUndefined();
    expect(await schema(blog)).toEqual(['latin1', 'latin1_spanish_ci']);
  });

  it('deletes the user and the last database', async () => {
    for (const id of [ids.app, ids.blog]) {
      expect((await owner.delete(`/v1/services/${id}`)).status).toBe(202);
      const { service, op } = await settled(id);
      expect(service.state, JSON.stringify(op.logs)).toBe('deleted');
    }
    expect(await account()).toBeUndefined();
    expect(await schema(blog)).toBeUndefined();
    expect((await mysqlAs(app, 'an0ther-password', 'SELECT 1')).ok).toBe(false);
  });
});
