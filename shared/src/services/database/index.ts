import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { defineServiceType, type BackendDefinition, type ServiceReference } from '../define-service-type';
import { DatabaseName, DatabaseUsername, mysqlGrantPattern } from './names';
import { MYSQL_NATIVE_PATTERN, mysqlNativePassword, SCRAM_PATTERN, scramSha256 } from './verifiers';
import { databaseTranslations, databaseUserTranslations } from './translations';

export * from './names';
export * from './verifiers';

export const DATABASE_ENGINES = ['mysql', 'postgresql'] as const;
export type DatabaseEngine = (typeof DATABASE_ENGINES)[number];

/** MySQL/MariaDB character sets offered, each with its collations (present on MariaDB 10.3+ and MySQL 8); first = default. */
export const MYSQL_CHARSETS: Readonly<Record<string, readonly string[]>> = {
  utf8mb4: ['utf8mb4_unicode_ci', 'utf8mb4_general_ci', 'utf8mb4_bin', 'utf8mb4_unicode_520_ci', 'utf8mb4_spanish_ci'],
  latin1: ['latin1_swedish_ci', 'latin1_general_ci', 'latin1_spanish_ci', 'latin1_bin'],
  ascii: ['ascii_general_ci', 'ascii_bin'],
};

/** PostgreSQL encodings offered, each with the locales (LC_COLLATE and LC_CTYPE) it works with; first = default. */
export const POSTGRESQL_ENCODINGS: Readonly<Record<string, readonly string[]>> = {
  UTF8: ['C.UTF-8', 'C'],
  LATIN1: ['C'],
  SQL_ASCII: ['C'],
};

const CHARSETS = [...new Set([...Object.keys(MYSQL_CHARSETS), ...Object.keys(POSTGRESQL_ENCODINGS)])] as [string, ...string[]];
const COLLATIONS = [...new Set([...Object.values(MYSQL_CHARSETS).flat(), ...Object.values(POSTGRESQL_ENCODINGS).flat()])] as [
  string,
  ...string[],
];

const charsetsOf = (engine: DatabaseEngine) => (engine === 'mysql' ? MYSQL_CHARSETS : POSTGRESQL_ENCODINGS);

/**
 * A database on a MySQL/MariaDB or PostgreSQL server (orchestra's Database). `charset` is MySQL's character set or
 * PostgreSQL's encoding, `collation` MySQL's collation or PostgreSQL's locale; both from an allow-list and defaulted
 * per engine. PostgreSQL fixes encoding and locale when the database is created.
 */
export const DatabaseSpec = z
  .object({
    /** The database's name on the server; unique in the tenant and fixed once created. */
    name: DatabaseName,
    engine: z.enum(DATABASE_ENGINES),
    charset: z.enum(CHARSETS).optional(),
    collation: z.enum(COLLATIONS).optional(),
    /** PostgreSQL only: a database user of the same account that owns the database (and may create in it). */
    owner: DatabaseUsername.optional(),
  })
  .superRefine((spec, ctx) => {
    const charsets = charsetsOf(spec.engine);
    const charset = spec.charset ?? Object.keys(charsets)[0]!;
    if (!(charset in charsets)) {
      ctx.addIssue({ code: 'custom', path: ['charset'], message: `Use one of: ${Object.keys(charsets).join(', ')}` });
    } else if (spec.collation && !charsets[charset]!.includes(spec.collation)) {
      ctx.addIssue({ code: 'custom', path: ['collation'], message: `With ${charset} use one of: ${charsets[charset]!.join(', ')}` });
    }
    if (spec.owner && spec.engine !== 'postgresql') {
      ctx.addIssue({ code: 'custom', path: ['owner'], message: 'MySQL databases have no owner: grant the user all privileges instead' });
    }
  })
  .transform((spec) => {
    const charsets = charsetsOf(spec.engine);
    const charset = spec.charset ?? Object.keys(charsets)[0]!;
    return { ...spec, charset, collation: spec.collation ?? charsets[charset]![0]! };
  });
export type DatabaseSpec = z.output<typeof DatabaseSpec>;

/** What a database user may do in one database: read, read and write data, or everything (schema changes too). */
export const DATABASE_PRIVILEGES = ['read-only', 'read-write', 'all'] as const;

/** Printable ASCII: SASLprep leaves it unchanged, so the SCRAM verifier matches what clients send. */
const PASSWORD = /^[\x20-\x7e]{8,128}$/;

/**
 * A database user (MySQL account `'name'@'<mysql.user_host>'`, PostgreSQL login role) with grants on databases of
 * its account. Input carries either a new `password` (hashed here, never stored) or the `passwordHash` it already
 * has; the stored spec keeps only `passwordHash`: MySQL `mysql_native_password` or PostgreSQL SCRAM-SHA-256.
 */
export const DatabaseUserSpec = z
  .object({
    username: DatabaseUsername,
    engine: z.enum(DATABASE_ENGINES),
    /** A new password: 8–128 printable ASCII characters. Turned into `passwordHash`; never kept. */
    password: z.string().max(1000).optional(),
    /** The stored verifier (as returned by the API); keeps the current password when no new one is given. */
    passwordHash: z.string().max(200).optional(),
    grants: z
      .array(z.strictObject({ database: DatabaseName, privileges: z.enum(DATABASE_PRIVILEGES).default('all') }))
      .max(100)
      .default([])
      .superRefine((grants, ctx) => {
        const seen = new Set<string>();
        grants.forEach((g, i) => {
          if (seen.has(g.database)) ctx.addIssue({ code: 'custom', path: [i, 'database'], message: 'This database is listed twice' });
          seen.add(g.database);
        });
      }),
    /** A disabled user keeps its grants but cannot log in (MySQL ACCOUNT LOCK, PostgreSQL NOLOGIN). */
    disabled: z.boolean().default(false),
  })
  .transform((spec, ctx) => {
    const { password, passwordHash, ...rest } = spec;
    if (password !== undefined) {
      if (!PASSWORD.test(password)) {
        ctx.addIssue({
          code: 'custom',
          path: ['password'],
          message: 'A password has 8–128 characters: letters, digits, blanks and ASCII symbols',
        });
        return z.NEVER;
      }
      return { ...rest, passwordHash: spec.engine === 'mysql' ? mysqlNativePassword(password) : scramSha256(password) };
    }
    const pattern = spec.engine === 'mysql' ? MYSQL_NATIVE_PATTERN : SCRAM_PATTERN;
    if (passwordHash === undefined || !pattern.test(passwordHash)) {
      ctx.addIssue({
        code: 'custom',
        path: [passwordHash === undefined ? 'password' : 'passwordHash'],
        message:
          passwordHash === undefined
            ? 'Set a password'
            : `Not a ${spec.engine === 'mysql' ? 'mysql_native_password' : 'SCRAM-SHA-256'} verifier`,
      });
      return z.NEVER;
    }
    return { ...rest, passwordHash };
  });
export type DatabaseUserSpec = z.output<typeof DatabaseUserSpec>;

/** A database's owner must be a PostgreSQL user of the same account. */
function databaseReferences(spec: DatabaseSpec): ServiceReference[] {
  if (!spec.owner) return [];
  return [
    {
      kind: 'databaseuser',
      anyOf: [spec.owner],
      spec: { engine: spec.engine },
      path: ['owner'],
      message: `This account has no ${spec.engine} database user ${spec.owner}`,
    },
  ];
}

/** A user's grants name databases of the same account and engine. */
function databaseUserReferences(spec: DatabaseUserSpec): ServiceReference[] {
  return spec.grants.map((g, i) => ({
    kind: 'database',
    anyOf: [g.database],
    spec: { engine: spec.engine },
    path: ['grants', i, 'database'],
    message: `This account has no ${spec.engine} database ${g.database}`,
  }));
}

function setting(config: Record<string, string>, key: string, pattern: RegExp, shape: string): string {
  const value = config[key] ?? '';
  if (!pattern.test(value)) throw new DomainError('invalid_host_config', `Host setting ${key} must be ${shape} (got "${value}")`);
  return value;
}

/** A routed service of the other engine is refused, not created on the wrong server. */
function sameEngine(kind: string, backend: DatabaseEngine, spec: { engine: DatabaseEngine }) {
  if (spec.engine !== backend) {
    throw new DomainError(
      'engine_mismatch',
      `This ${kind} is for ${spec.engine}, but its route sends it to the ${backend} backend: route it by engine`,
    );
  }
}

const PATH_OR_EMPTY = /^(?:\/[A-Za-z0-9._/+@-]*)?$/;
const ROLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Connection settings of the MySQL/MariaDB client on a host (the scripts run there as an administrator). */
const MYSQL_CONFIG = {
  // Options go into the command, e.g. `mysql --defaults-extra-file=/etc/consort/mysql.cnf` for a password.
  'mysql.mysql': 'mysql',
  'mysql.socket': '/run/mysqld/mysqld.sock',
  'mysql.user': 'root',
  /** Host part of every account (`'name'@'<host>'`): where users may connect from. */
  'mysql.user_host': '%',
};

function mysqlConnection(config: Record<string, string>) {
  return {
    mysql: config['mysql.mysql'],
    socket: setting(config, 'mysql.socket', PATH_OR_EMPTY, 'an absolute path or empty'),
    admin_user: setting(config, 'mysql.user', /^[A-Za-z0-9_.-]{1,80}$/, 'a MySQL user name'),
  };
}

/** Connection settings of psql on a host: the administrator role and the database it first connects to. */
const POSTGRESQL_CONFIG = {
  'postgresql.psql': 'psql',
  /** Socket directory or host name; empty = libpq's default socket. */
  'postgresql.host': '',
  'postgresql.port': '5432',
  'postgresql.user': 'postgres',
  'postgresql.maintenance_db': 'postgres',
};

function postgresqlConnection(config: Record<string, string>) {
  return {
    psql: config['postgresql.psql'],
    pg_host: setting(
      config,
      'postgresql.host',
      /^(?:\/[A-Za-z0-9._/+@-]*|[A-Za-z0-9.:-]{1,253})?$/,
      'a socket directory, host name or empty',
    ),
    pg_port: setting(config, 'postgresql.port', /^[1-9][0-9]{0,4}$/, 'a port number'),
    pg_user: setting(config, 'postgresql.user', ROLE, 'a role name'),
    maintenance_db: setting(config, 'postgresql.maintenance_db', ROLE, 'a database name'),
  };
}

const mysqlDatabase: BackendDefinition<DatabaseSpec> = {
  name: 'mysql',
  label: 'MySQL / MariaDB',
  templates: 'provisioning/database/mysql',
  sql: 'mysql',
  files: { sql: 'save.sql.liquid' },
  deleteFiles: { revokes: 'revokes.sql.liquid', sql: 'delete.sql.liquid' },
  config: MYSQL_CONFIG,
  context: ({ service, config }) => {
    sameEngine('database', 'mysql', service.spec);
    return {
      ...mysqlConnection(config),
      database: service.spec.name,
      grant_pattern: mysqlGrantPattern(service.spec.name),
      charset: service.spec.charset,
      collation: service.spec.collation,
    };
  },
};

const postgresqlDatabase: BackendDefinition<DatabaseSpec> = {
  name: 'postgresql',
  label: 'PostgreSQL',
  templates: 'provisioning/database/postgresql',
  sql: 'postgresql',
  files: { sql: 'save.sql.liquid' },
  deleteFiles: { sql: 'delete.sql.liquid' },
  config: POSTGRESQL_CONFIG,
  context: ({ service, config }) => {
    sameEngine('database', 'postgresql', service.spec);
    return {
      ...postgresqlConnection(config),
      database: service.spec.name,
      encoding: service.spec.charset,
      locale: service.spec.collation,
      owner: service.spec.owner ?? '',
    };
  },
};

/** The grant of each database with its MySQL grant pattern; privileges stay names the templates map to SQL keywords. */
const grantsOf = (spec: DatabaseUserSpec) =>
  spec.grants.map((g) => ({ database: g.database, pattern: mysqlGrantPattern(g.database), privileges: g.privileges }));

const mysqlUser: BackendDefinition<DatabaseUserSpec> = {
  name: 'mysql',
  label: 'MySQL / MariaDB',
  templates: 'provisioning/databaseuser/mysql',
  sql: 'mysql',
  files: { sql: 'save.sql.liquid', stale: 'stale.sql.liquid' },
  deleteFiles: { sql: 'delete.sql.liquid' },
  config: MYSQL_CONFIG,
  context: ({ service, config }) => {
    sameEngine('database user', 'mysql', service.spec);
    return {
      ...mysqlConnection(config),
      username: service.spec.username,
      user_host: setting(config, 'mysql.user_host', /^[A-Za-z0-9.%_:-]{1,255}$/, 'a host name, address or pattern such as %'),
      password_hash: service.spec.passwordHash,
      is_disabled: service.spec.disabled ? 'yes' : 'no',
      grants: grantsOf(service.spec),
    };
  },
};

const postgresqlUser: BackendDefinition<DatabaseUserSpec> = {
  name: 'postgresql',
  label: 'PostgreSQL',
  templates: 'provisioning/databaseuser/postgresql',
  sql: 'postgresql',
  files: {
    sql: 'save.sql.liquid',
    stale: 'stale.sql.liquid',
    leave: 'leave.sql.liquid',
    grant_all: 'grant-all.sql.liquid',
    grant_read_write: 'grant-read-write.sql.liquid',
    grant_read_only: 'grant-read-only.sql.liquid',
  },
  deleteFiles: { databases: 'databases.sql.liquid', owned: 'owned.sql.liquid', reassign: 'reassign.sql.liquid', sql: 'delete.sql.liquid' },
  config: POSTGRESQL_CONFIG,
  context: ({ service, config }) => {
    sameEngine('database user', 'postgresql', service.spec);
    return {
      ...postgresqlConnection(config),
      username: service.spec.username,
      password_hash: service.spec.passwordHash,
      is_disabled: service.spec.disabled ? 'yes' : 'no',
      grants: grantsOf(service.spec),
    };
  },
};

export const database = defineServiceType({
  kind: 'database',
  label: 'Database',
  spec: DatabaseSpec,
  ui: {
    order: ['name', 'engine', 'charset', 'collation', 'owner'],
    identity: ['name', 'engine'],
    fields: {
      name: { label: 'Database name' },
      engine: { label: 'Engine' },
      charset: { label: 'Character set', help: 'Empty for the engine default' },
      collation: { label: 'Collation', help: 'Empty for the character set default' },
      owner: { label: 'Owner (PostgreSQL)', widget: 'select', ref: { kind: 'databaseuser', same: { engine: 'engine' } } },
    },
    translations: databaseTranslations,
  },
  customer: { create: true, change: true, delete: true, fields: ['name', 'engine', 'charset', 'collation', 'owner'] },
  identity: (spec) => spec.name,
  references: databaseReferences,
  metrics: { databases: () => 1 },
  backends: [mysqlDatabase, postgresqlDatabase],
});

export const databaseUser = defineServiceType({
  kind: 'databaseuser',
  label: 'Database user',
  spec: DatabaseUserSpec,
  ui: {
    order: ['username', 'engine', 'password', 'grants', 'disabled'],
    identity: ['username', 'engine'],
    fields: {
      username: { label: 'User name' },
      engine: { label: 'Engine' },
      password: { label: 'Password', widget: 'password', secret: true, help: '8 to 128 printable characters' },
      passwordHash: { hidden: true },
      grants: {
        label: 'Databases (all privileges)',
        widget: 'multi-select',
        ref: { kind: 'database', same: { engine: 'engine' }, itemKey: 'database' },
      },
      disabled: { label: 'Disabled (cannot log in)' },
    },
    translations: databaseUserTranslations,
  },
  customer: { create: true, change: true, delete: true, fields: ['username', 'engine', 'password', 'passwordHash', 'grants', 'disabled'] },
  identity: (spec) => spec.username,
  references: databaseUserReferences,
  metrics: { users: () => 1, grants: (spec) => spec.grants.length },
  backends: [mysqlUser, postgresqlUser],
});
