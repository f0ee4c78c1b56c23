import { z } from 'zod';
import { RESERVED_USERNAMES } from '../systemuser/names';

// Database and database user names valid on both engines without quoting tricks: a lower-case ASCII letter, then
// lower-case letters, digits or `_`. PostgreSQL folds unquoted names to lower case and MySQL on Linux is case
// sensitive, so one case avoids two names that look alike. Limits: PostgreSQL identifiers have 63 bytes (NAMEDATALEN),
// MySQL database names 64 characters and MySQL 8 user names 32 (MariaDB allows 80); `$`, `-` and `.` are refused
// because MySQL (`-`, `.`) or psql (`$`) need them quoted in places the scripts pass names (file names, `-d`).

/** Databases every server has, or that the engines or their tools reserve. */
export const RESERVED_DATABASE_NAMES: ReadonlySet<string> = new Set(
  'mysql information_schema performance_schema sys test postgres template0 template1 consort lost_found'.split(' '),
);

/** Roles and users the engines, their packages or administrators use; plus every system user name. */
export const RESERVED_DATABASE_USERS: ReadonlySet<string> = new Set([
  ...RESERVED_USERNAMES,
  ...'public none current_user session_user current_role system_user mariadb pg_database_owner replication repl monitor'.split(' '),
]);

const RESERVED_PREFIXES = ['pg_', 'mysql_', 'mariadb_', 'consort_'];

function identifier(what: string, max: number, reserved: ReadonlySet<string>) {
  const pattern = new RegExp(`^[a-z][a-z0-9_]{0,${max - 1}}$`);
  return z
    .string()
    .max(200)
    .superRefine((value, ctx) => {
      if (!pattern.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `A ${what} name has 1–${max} characters: a lower-case letter, then lower-case letters, digits or _`,
        });
      } else if (reserved.has(value) || RESERVED_PREFIXES.some((p) => value.startsWith(p))) {
        ctx.addIssue({ code: 'custom', message: `This ${what} name is reserved; choose another` });
      }
    });
}

/** A database name accepted by both MySQL/MariaDB and PostgreSQL. */
export const DatabaseName = identifier('database', 63, RESERVED_DATABASE_NAMES);

/** A database user (MySQL account user part, PostgreSQL role) name accepted by both engines. */
export const DatabaseUsername = identifier('database user', 32, RESERVED_DATABASE_USERS);

/** The `_` and `%` of a name escaped for a MySQL grant, where the database part is a LIKE pattern. */
export function mysqlGrantPattern(database: string): string {
  return database.replace(/[_%\\]/g, (c) => `\\${c}`);
}
