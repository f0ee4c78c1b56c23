import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import type { Host } from '@consort/shared/fleet/model';
import { createTemplateEngine } from '@consort/shared/provisioning/liquid';
import { renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import { mysqlIdentifier, mysqlLiteral, pgIdentifier, pgLiteral } from '@consort/shared/provisioning/sql';
import {
  database,
  DatabaseName,
  DatabaseSpec,
  databaseUser,
  DatabaseUserSpec,
  DatabaseUsername,
  mysqlGrantPattern,
  mysqlNativePassword,
  SCRAM_PATTERN,
  scramSha256,
} from '@consort/shared/services/database/index';
import type { Tenant } from '@consort/shared/tenancy/model';

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = { id: 'ten_1', slug: 'acme', settings: {} as Tenant['settings'] };
const host = (config: Record<string, string> = {}): Host => ({
  id: 'host_1',
  tenantId: 'ten_1',
  name: 'db1',
  address: '127.0.0.1',
  port: 22,
  username: 'root',
  transport: 'ssh',
  config,
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-01T00:00:00.000Z',
});

async function render(kind: 'database' | 'databaseuser', spec: unknown, action: 'save' | 'delete' = 'save', backendName?: string) {
  const type = kind === 'database' ? database : databaseUser;
  const parsed = type.spec.parse(spec) as { engine: string };
  const backend = type.backends.find((b) => b.name === (backendName ?? parsed.engine))!;
  const item: UnitItem = {
    operationId: 'op_1',
    action,
    service: { id: 'svc_1', accountId: 'acc_1', name: type.identity(parsed as never), kind, spec: parsed, backendState: {} },
  };
  return (await renderUnitOfWork({ templates: TEMPLATES, tenant, host: host(), backend: backend as never, items: [item] })).script;
}

describe('password verifiers', () => {
  it('mysql_native_password is * + hex SHA1(SHA1(password)), as MariaDB PASSWORD() computes it', () => {
    // SELECT PASSWORD('secret') on MariaDB 10.11.
    expect(mysqlNativePassword('secret')).toBe('*14E65567ABDB5135D0CFD9A70B3032C179A49EE7');
    const inner = createHash('sha1').update('p@ss wörd').digest();
    expect(mysqlNativePassword('p@ss wörd')).toBe(`*${createHash('sha1').update(inner).digest('hex').toUpperCase()}`);
  });

  it('SCRAM-SHA-256 follows RFC 5802 with PostgreSQL’s layout (checked against node:crypto)', () => {
    // The salt of RFC 7677's example exchange.
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const salted = pbkdf2Sync('pencil', salt, 4096, 32, 'sha256');
    const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest('base64');
    const serverKey = createHmac('sha256', salted).update('Server Key').digest('base64');
    expect(scramSha256('pencil', new Uint8Array(salt))).toBe(`SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$${storedKey}:${serverKey}`);
    // RFC 7677 §3: the server signature of that exchange follows from ServerKey, so the key is the RFC's.
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const signature = createHmac('sha256', Buffer.from(serverKey, 'base64')).update(authMessage).digest('base64');
    expect(signature).toBe('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=');
  });

  it('draws a fresh salt each time and produces the accepted form', () => {
    const a = scramSha256('correct horse');
    const b = scramSha256('correct horse');
    expect(a).not.toBe(b);
    expect(a).toMatch(SCRAM_PATTERN);
  });
});

describe('database spec', () => {
  it('fills the engine’s default character set and collation', () => {
    expect(DatabaseSpec.parse({ name: 'shop', engine: 'mysql' })).toEqual({
      name: 'shop',
      engine: 'mysql',
      charset: 'utf8mb4',
      collation: 'utf8mb4_unicode_ci',
    });
    expect(DatabaseSpec.parse({ name: 'shop', engine: 'postgresql', charset: 'LATIN1' })).toMatchObject({
      charset: 'LATIN1',
      collation: 'C',
    });
    // A stored spec parses to itself (render re-checks stored specs).
    const stored = DatabaseSpec.parse({ name: 'shop', engine: 'postgresql', owner: 'shop_admin' });
    expect(DatabaseSpec.parse(stored)).toEqual(stored);
  });

  it('takes character sets, collations and owners only where the engine has them', () => {
    const issues = (spec: unknown) => DatabaseSpec.safeParse(spec).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ name: 'shop', engine: 'mysql', charset: 'UTF8' })).toEqual(['charset: Use one of: utf8mb4, latin1, ascii']);
    expect(issues({ name: 'shop', engine: 'mysql', charset: 'latin1', collation: 'utf8mb4_bin' })).toEqual([
      'collation: With latin1 use one of: latin1_swedish_ci, latin1_general_ci, latin1_spanish_ci, latin1_bin',
    ]);
    expect(issues({ name: 'shop', engine: 'postgresql', charset: 'LATIN1', collation: 'C.UTF-8' })).toHaveLength(1);
    expect(issues({ name: 'shop', engine: 'mysql', owner: 'bob' })).toEqual([
      'owner: MySQL databases have no owner: grant the user all privileges instead',
    ]);
  });

  it('accepts plain lower-case names within both engines’ limits and refuses reserved ones', () => {
    for (const ok of ['shop', 'a', 'wp_2024', `a${'b'.repeat(62)}`]) expect(DatabaseName.safeParse(ok).success, ok).toBe(true);
    for (const bad of [
      '',
      'Shop',
      '1shop',
      '_x',
      'shop-db',
      'shop.db',
      'shop db',
      `a${'b'.repeat(63)}`,
      'mysql',
      'template1',
      'pg_x',
      'sh\u043ep',
    ]) {
      expect(DatabaseName.safeParse(bad).success, bad).toBe(false);
    }
    expect(DatabaseUsername.safeParse(`a${'b'.repeat(31)}`).success).toBe(true);
    expect(DatabaseUsername.safeParse(`a${'b'.repeat(32)}`).success).toBe(false);
    for (const bad of ['root', 'postgres', 'public', 'mysql_x', 'pg_read_all_data'])
      expect(DatabaseUsername.safeParse(bad).success, bad).toBe(false);
  });

  it('escapes _ for MySQL grants, where the database part is a LIKE pattern', () => {
    expect(mysqlGrantPattern('shop_db_1')).toBe('shop\\_db\\_1');
  });
});

describe('database user spec', () => {
  it('keeps only the verifier of a new password, in the engine’s format', () => {
    const mysql = DatabaseUserSpec.parse({ username: 'app', engine: 'mysql', password: 'correct horse' });
    expect(mysql).toEqual({
      username: 'app',
      engine: 'mysql',
      passwordHash: mysqlNativePassword('correct horse'),
      grants: [],
      disabled: false,
    });
    const pg = DatabaseUserSpec.parse({ username: 'app', engine: 'postgresql', password: 'correct horse', grants: [{ database: 'shop' }] });
    expect(pg).not.toHaveProperty('password');
    expect(pg.passwordHash).toMatch(SCRAM_PATTERN);
    expect(pg.grants).toEqual([{ database: 'shop', privileges: 'all' }]);
    // The stored spec parses to itself: the verifier is kept when no new password is given.
    expect(DatabaseUserSpec.parse(pg)).toEqual(pg);
  });

  it('refuses weak or non-ASCII passwords, missing passwords, foreign verifiers and duplicate grants', () => {
    const paths = (spec: unknown) => DatabaseUserSpec.safeParse(spec).error?.issues.map((i) => i.path.join('.'));
    expect(paths({ username: 'app', engine: 'mysql', password: 'short' })).toEqual(['password']);
    expect(paths({ username: 'app', engine: 'mysql', password: 'contraseña larga' })).toEqual(['password']);
    expect(paths({ username: 'app', engine: 'mysql', password: 'line\nbreak here' })).toEqual(['password']);
    expect(paths({ username: 'app', engine: 'mysql' })).toEqual(['password']);
    expect(paths({ username: 'app', engine: 'mysql', passwordHash: scramSha256('correct horse') })).toEqual(['passwordHash']);
    expect(paths({ username: 'app', engine: 'postgresql', passwordHash: mysqlNativePassword('correct horse') })).toEqual(['passwordHash']);
    expect(
      paths({
        username: 'app',
        engine: 'mysql',
        password: 'correct horse',
        grants: [{ database: 'shop' }, { database: 'shop', privileges: 'read-only' }],
      }),
    ).toEqual(['grants.1.database']);
    expect(
      paths({ username: 'app', engine: 'mysql', password: 'correct horse', grants: [{ database: 'shop', privileges: 'SUPER' }] }),
    ).toEqual(['grants.0.privileges']);
  });

  it('refers to databases of its account and engine; a database to its owner', () => {
    const user = DatabaseUserSpec.parse({ username: 'app', engine: 'mysql', password: 'correct horse', grants: [{ database: 'shop' }] });
    expect(databaseUser.references!(user)).toEqual([
      expect.objectContaining({ kind: 'database', anyOf: ['shop'], spec: { engine: 'mysql' }, path: ['grants', 0, 'database'] }),
    ]);
    const db = DatabaseSpec.parse({ name: 'shop', engine: 'postgresql', owner: 'app' });
    expect(database.references!(db)).toEqual([
      expect.objectContaining({ kind: 'databaseuser', anyOf: ['app'], spec: { engine: 'postgresql' } }),
    ]);
    expect(databaseUser.metrics.grants!(user)).toBe(1);
  });
});

describe('SQL quoting', () => {
  it('quotes literals and identifiers so that no value ends them', () => {
    expect(mysqlLiteral("it's \\ fine")).toBe("'it''s \\\\ fine'");
    expect(mysqlIdentifier('a`b')).toBe('`a``b`');
    expect(pgLiteral("it's")).toBe("'it''s'");
    expect(pgLiteral('a\\b')).toBe("E'a\\\\b'");
    expect(pgIdentifier('a"b')).toBe('"a""b"');
    for (const quote of [mysqlLiteral, mysqlIdentifier, pgLiteral, pgIdentifier]) {
      expect(() => quote('a\0b')).toThrow(/NUL/);
      expect(() => quote(undefined)).toThrow(TypeError);
    }
  });

  it('makes every value of a SQL template a literal unless marked ident (no way around it)', async () => {
    const templates = {
      read: async (path: string) =>
        ({
          'a.sql.liquid': 'GRANT ALL ON {{ db | ident }}.* TO {{ user }}@{{ host }}; -- {{ count }}',
          'b.sql.liquid': '{{ user | raw }}',
        })[path] ?? Promise.reject(new Error('missing')),
    };
    const mysql = createTemplateEngine({ templates: templates as never, mode: 'mysql' });
    const context = { db: 'x`; DROP DATABASE y; --', user: "o'; DROP USER root; --", host: '%', count: 3 };
    expect(await mysql.renderFile('a.sql.liquid', context)).toBe(
      "GRANT ALL ON `x``; DROP DATABASE y; --`.* TO 'o''; DROP USER root; --'@'%'; -- 3",
    );
    const pg = createTemplateEngine({ templates: templates as never, mode: 'postgresql' });
    expect(await pg.renderFile('a.sql.liquid', context)).toBe(
      `GRANT ALL ON "x\`; DROP DATABASE y; --".* TO 'o''; DROP USER root; --'@'%'; -- 3`,
    );
    await expect(mysql.renderFile('b.sql.liquid', context)).rejects.toThrow(/raw filter is disabled/);
  });
});

describe('rendered scripts', () => {
  it('pipe SQL into the client; the password is only present as its verifier', async () => {
    const script = await render('databaseuser', {
      username: 'app',
      engine: 'mysql',
      password: 'correct horse',
      grants: [{ database: 'shop_db', privileges: 'read-only' }],
    });
    expect(script).not.toContain('correct horse');
    expect(script).toContain(mysqlNativePassword('correct horse'));
    expect(script).toContain('GRANT SELECT, SHOW VIEW ON `shop\\_db`.*');
    expect(script).toContain('--batch --binary-mode');
    const pg = await render('databaseuser', {
      username: 'app',
      engine: 'postgresql',
      password: 'correct horse',
      grants: [{ database: 'shop' }],
    });
    expect(pg).not.toContain('correct horse');
    expect(pg).toMatch(/PASSWORD '\\''SCRAM-SHA-256\$4096:/);
  });

  it('refuse a service of the other engine instead of creating it on the wrong server', async () => {
    await expect(render('database', { name: 'shop', engine: 'postgresql' }, 'save', 'mysql')).rejects.toThrow(
      /for postgresql, but its route sends it to the mysql backend/,
    );
  });

  it('render a delete without the save-only files', async () => {
    const script = await render('database', { name: 'shop', engine: 'mysql' }, 'delete');
    expect(script).toContain('DROP DATABASE IF EXISTS `shop`;');
    expect(script).not.toContain('CREATE DATABASE');
  });
});
