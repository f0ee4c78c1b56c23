import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mysqlIdentifier, mysqlLiteral, pgIdentifier, pgLiteral } from '@consort/shared/provisioning/sql';
import { ensureMariaDb, MARIADB_SOCKET } from '../support/databases';
import { requireTool } from '../setup/require-tool';

// The SQL quoting of the database backends, checked by the real clients and servers the scripts use: each crafted
// value goes through `mysql --binary-mode` / `psql` on stdin, as literal and as identifier (a column alias, which must parse as one), and the
// server must hand back exactly the value (compared as hex, so no output escaping hides a difference). MySQL identifiers
// cannot hold characters outside the BMP; those values are checked as literals only. The machine's
// MariaDB and PostgreSQL answer; nothing is created.

const VALUES = [
  "'",
  "''",
  "it's",
  "'; DROP DATABASE mysql; --",
  '\\',
  "\\'",
  "\\'; SELECT 1; --",
  '\\\\',
  '"',
  '"; DROP ROLE postgres; --',
  '`',
  '`; DROP DATABASE x; --',
  '$$',
  '$body$ DO $$ BEGIN END $$',
  ':var',
  ":'var'",
  ':"var"',
  '\\! touch /tmp/consort-sql-canary',
  '\\gexec',
  '\\g',
  '\\c postgres',
  '\\q',
  'a;b',
  '/* comment',
  '-- comment',
  '#comment',
  'line\nbreak',
  'cr\rlf',
  'tab\tx',
  '\u0430\u202e\u200b\ufeff',
  '\u{1F600}',
  '%_',
  'x'.repeat(60),
];

function run(command: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}) {
  const result = spawnSync(command, args, { input, encoding: 'utf8', env: { ...process.env, ...env } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout.trim().split('\n');
}

const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex').toUpperCase();

describe.skipIf(!requireTool('mysql', 'mariadb-client'))('MySQL quoting through mysql --binary-mode', () => {
  it('returns every value exactly, as literal and as identifier, with and without NO_BACKSLASH_ESCAPES', async () => {
    await ensureMariaDb();
    for (const mode of ["''", "'NO_BACKSLASH_ESCAPES'"]) {
      const sql =
        `SET SESSION sql_mode = ${mode};\n` +
        VALUES.map(
          (v) =>
            `SELECT HEX(${mysqlLiteral(v)}) AS ${mysqlIdentifier(/[\u{10000}-\u{10FFFF}]/u.test(v) ? 'x' : v.slice(0, 64).trimEnd() || 'x')};`,
        ).join('\n');
      const args = [
        '--user=root',
        `--socket=${MARIADB_SOCKET}`,
        '--default-character-set=utf8mb4',
        '--batch',
        '--binary-mode',
        '--skip-column-names',
      ];
      const out = run('mysql', args, sql);
      // Under NO_BACKSLASH_ESCAPES a doubled backslash stays doubled: the value changes, but the literal still ends where it should.
      const expected = VALUES.map((v) => hex(mode === "''" ? v : v.replaceAll('\\', '\\\\')));
      expect(out).toEqual(expected);
    }
    expect(existsSync('/tmp/consort-sql-canary')).toBe(false);
  });
});

describe.skipIf(!requireTool('psql', 'postgresql-client'))('PostgreSQL quoting through psql', () => {
  it('returns every value exactly, as literal and as identifier, whatever standard_conforming_strings says', () => {
    for (const setting of ['on', 'off']) {
      const sql =
        `SET standard_conforming_strings = ${setting};\n` +
        VALUES.map((v) => `SELECT upper(encode(convert_to(${pgLiteral(v)}, 'UTF8'), 'hex')) AS ${pgIdentifier(v)};`).join('\n');
      const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-U', 'postgres', '-d', 'postgres'];
      expect(run('psql', args, sql)).toEqual(VALUES.map(hex));
    }
    expect(existsSync('/tmp/consort-sql-canary')).toBe(false);
  });
});
