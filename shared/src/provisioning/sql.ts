/**
 * SQL quoting for provisioning templates that feed `mysql` or `psql`. In a SQL template every `{{ value }}` is a
 * string literal unless the template marks it an identifier with the `ident` filter; either way it is quoted here,
 * so no value can end a literal or an identifier and become SQL. (The finished SQL then reaches the script as one
 * shell-quoted word.) NUL bytes fit neither and throw.
 */
export type SqlDialect = 'mysql' | 'postgresql';

/** A value the template wants as an identifier (database, user, role): produced by the `ident` filter. */
export class SqlIdentifier {
  constructor(readonly value: string) {}
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new TypeError(`Cannot quote ${value === undefined ? 'undefined' : typeof value} as SQL ${what}`);
  if (value.includes('\0')) throw new TypeError(`Cannot quote a value containing a NUL byte as SQL ${what}`);
  return value;
}

/**
 * MySQL/MariaDB string literal: `'` doubled and `\` doubled. Doubling the quote (not `\'`) keeps the literal closed
 * correctly even under `NO_BACKSLASH_ESCAPES`, where a doubled backslash merely stays two characters.
 * @example mysqlLiteral("it's") // → 'it''s'
 */
export function mysqlLiteral(value: unknown): string {
  return `'${text(value, 'literal').replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/** MySQL/MariaDB identifier in backticks, each backtick doubled. @example mysqlIdentifier('a`b') // → `a``b` */
export function mysqlIdentifier(value: unknown): string {
  return `\`${text(value, 'identifier').replaceAll('`', '``')}\``;
}

/**
 * PostgreSQL string literal, as libpq's PQescapeLiteral writes it: `'` doubled, and with backslashes the `E''` form
 * with each `\` doubled, so the result means the same whatever `standard_conforming_strings` says.
 * @example pgLiteral('a\\b') // → E'a\\b'
 */
export function pgLiteral(value: unknown): string {
  const body = text(value, 'literal').replaceAll("'", "''");
  return body.includes('\\') ? `E'${body.replaceAll('\\', '\\\\')}'` : `'${body}'`;
}

/** PostgreSQL identifier in double quotes, each `"` doubled. @example pgIdentifier('Shop') // → "Shop" */
export function pgIdentifier(value: unknown): string {
  return `"${text(value, 'identifier').replaceAll('"', '""')}"`;
}

/** The output escape of a SQL template: identifiers from `ident`, finite numbers as they are, other values as literals. */
export function sqlValue(dialect: SqlDialect, value: unknown): string {
  if (value instanceof SqlIdentifier) return dialect === 'mysql' ? mysqlIdentifier(value.value) : pgIdentifier(value.value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('Cannot print a non-finite number in SQL');
    return String(value);
  }
  return dialect === 'mysql' ? mysqlLiteral(value) : pgLiteral(value);
}
