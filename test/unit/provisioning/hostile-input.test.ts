import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FileTemplateSource } from '@consort/shared/adapters/templates/file-template-source';
import { DomainError, ValidationError } from '@consort/shared/core/errors';
import { parseInput } from '@consort/shared/core/validate';
import type { Host } from '@consort/shared/fleet/model';
import { hostConfig, renderUnitOfWork, type UnitItem } from '@consort/shared/provisioning/render';
import type { AnyServiceType } from '@consort/shared/services/registry';
import { serviceTypes } from '@consort/shared/services/registry';
import { mysqlNativePassword, scramSha256 } from '@consort/shared/services/database/index';
import type { Tenant } from '@consort/shared/tenancy/model';
import { toHttpError } from '../../../functions/src/middleware/errors';
import { bashDecode, scanShell, unquotedOccurrences } from '../../support/shell-check';

// Every field of every registered service type gets every crafted value below. Each value is either refused by the
// schema (a ValidationError, which the API answers with 422) or, when accepted, reaches the rendered script only
// inside single quotes: the script passes `bash -n`, bash itself decodes every `name='…'` assignment to exactly what
// the lexer read (and, for context values, to the value the backend computed), no shell-special value occurs outside
// quotes, and running the script against a scratch host with stubbed commands never runs the canary.

const TEMPLATES = new FileTemplateSource(resolve(dirname(fileURLToPath(import.meta.url)), '../../../templates'));
const CANARY = join(tmpdir(), `consort-hostile-canary-${process.pid}`);
const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHV22GVR2EA9yZ7ORgvwRdPa7H0t1lkLDHg37kSkSU4z';

/** Crafted values: shell and config injection, control characters, look-alikes, overlong input, traversal, globs. */
const HOSTILE: string[] = [
  // Shell command injection
  'a.com; rm -rf /',
  'a.com && id',
  'a.com || id',
  'a.com | id',
  'a.com & id &',
  '$(id)',
  `$(touch ${CANARY})`,
  `; touch ${CANARY}`,
  `| touch ${CANARY}`,
  `&& touch ${CANARY}`,
  `$(touch\${IFS}${CANARY})`,
  '`id`',
  `\`touch ${CANARY}\``,
  '${IFS}id',
  '$((1+1))',
  "$'\\x41'",
  '$HOME',
  '${PATH:0:1}',
  '>/tmp/consort-x',
  '</etc/passwd',
  '<(id)',
  '2>&1',
  'a.com\nid',
  `x\ntouch ${CANARY}`,
  'a.com\rid',
  'a.com\r\nid',
  'a.com\0id',
  '\0',
  'a.com\tid',
  'a.com\vid',
  'a.com\fid',
  '\x1b[31mred\x1b[0m',
  '\x7f',
  // Quotes and escapes
  "'",
  '"',
  '\\',
  "'; id; '",
  `'; touch ${CANARY}; '`,
  `"; touch ${CANARY}; "`,
  `\\'; touch ${CANARY} #`,
  "it's",
  'say "hi"',
  "'\\''",
  '\\n',
  '!!',
  '!$',
  '# comment',
  'a #b',
  // Option injection
  '--help',
  '-rf',
  '--prefix=/',
  '--root /',
  '-oProxyCommand=id',
  '-e 1',
  '--',
  '-',
  '-G sudo',
  // Unicode look-alikes, invisible and direction characters
  '\u0430pple.com', // Cyrillic а
  'g\u043e\u043egle.com', // Cyrillic о
  'ex\u0430mple.org',
  '\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org', // full-width
  'example\u3002org', // ideographic full stop
  '\u202Egro.elpmaxe', // right-to-left override
  'exa\u200Bmple.org', // zero-width space
  'exa\u200Dmple.org', // zero-width joiner
  '\uFEFFexample.org', // byte-order mark
  'example.org\u2028id', // line separator
  'example.org\u2029id', // paragraph separator
  'example\u00a0org', // no-break space
  'e\u0301xample.org', // combining accent
  '\u0131nstagram.com', // dotless i
  '\u212Aelvin.org', // Kelvin sign
  'stra\u00dfe.de',
  '\u{1F600}.com',
  'xn--80ak6aa92e.com',
  'xn--.com',
  '\u0430lice',
  '\u0455udo',
  // Overlong
  `${'a'.repeat(64)}.org`,
  `${'abcdefghi.'.repeat(26)}org`,
  'a'.repeat(33),
  'a'.repeat(256),
  'x'.repeat(5000),
  `${'$(id)'.repeat(2000)}`,
  // Path traversal
  '../',
  '..',
  '.',
  '../../etc/passwd',
  '/etc/passwd',
  'a/../../b',
  'public_html/../../../root',
  '%2e%2e/',
  '..%2f',
  '....//',
  '~root',
  '/',
  '//',
  'a//b',
  '.ssh',
  '.git/config',
  '/proc/self/environ',
  // Globs and braces
  '*',
  '?',
  '[a-z]',
  '{a,b}',
  '**/*',
  '*.example.org',
  '!(x)',
  // Web server configuration injection
  'a.com; }',
  'a.com { }',
  'example.org;\n    root /',
  '"; include /etc/shadow; #',
  '</VirtualHost>',
  '<Directory />',
  '$host',
  '%{HTTP_HOST}',
  '${APACHE_LOG_DIR}',
  'example.org\n}\nserver {',
  // Names and odd scalars
  '',
  ' ',
  '  leading',
  'trailing  ',
  'root',
  'ROOT',
  'nobody',
  'www-data',
  'sudo',
  '0',
  '-1',
  '1e309',
  'NaN',
  'true',
  'null',
  '__proto__',
  'constructor',
  'A.COM',
  'example..org',
  '-example.org',
  'example.org-',
  '_dmarc',
  '@',
  'localhost',
  '127.0.0.1',
  '[::1]',
  'user@example.org',
  'http://example.org',
  'example.org:8080',
  'example.org/path',
  // Key lines
  `${ED25519} $(id)`,
  `${ED25519}\n${ED25519} second`,
  `command="id" ${ED25519}`,
  `${ED25519}; rm -rf /`,
];

/** One field of one service type: a valid spec, and where to put a crafted value. */
interface FieldCase {
  field: string;
  base: () => Record<string, any>;
  set: (spec: Record<string, any>, value: unknown) => void;
  /** Host settings that make an accepted value usable (e.g. list an accepted group as allowed). */
  config?: (spec: any) => Record<string, string>;
  /** Further forms of the value, e.g. inside an otherwise valid key line. */
  variants?: (value: string) => unknown[];
  /** Only these backends (e.g. the one of the spec's database engine); all by default. */
  backends?: string[];
}

const at = (path: (string | number)[]) => (spec: Record<string, any>, value: unknown) => {
  let target: any = spec;
  for (const key of path.slice(0, -1)) target = target[key];
  target[path[path.length - 1]!] = value;
};

const record = (r: Record<string, unknown>) => () => ({ name: 'example.org', records: [{ ...r }] });
const recordFields = (type: string, r: Record<string, unknown>, fields: string[]): [string, FieldCase][] =>
  fields.map((f) => [
    'domain',
    {
      field: `records[${type}].${f}`,
      base: record(r),
      set: at(['records', 0, f]),
      variants: typeof r[f] === 'string' ? (v) => [`${String(r[f])}${v}`] : undefined,
    },
  ]);

const MAILBOX = () => ({ name: 'alice', domain: 'example.org', password: 'correct horse battery' });
const MAIL_ADDRESS = () => ({ name: 'info', domain: 'example.org', mailboxes: ['alice@example.org'], forwards: ['bob@example.net'] });
const AUTORESPONSE = () => ({
  mailbox: 'alice@example.org',
  subject: 'Away',
  body: 'Back on Monday.',
  from: '2026-08-01',
  until: '2026-08-31',
});
const SHA512_CRYPT = '{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
// Fields other than the password itself start from an already hashed password: the same rendered script, without a
// pure-JS SHA512-crypt (or SCRAM below) per crafted value — the password fields still hash every one of them.
const MAILBOX_HASHED = () => ({ name: 'alice', domain: 'example.org', passwordHash: SHA512_CRYPT });

/** Mailbox, mail address and vacation reply fields. */
function mailFields(): [string, FieldCase][] {
  const field = (
    kind: string,
    name: string,
    base: () => Record<string, any>,
    path: (string | number)[],
    variants?: FieldCase['variants'],
  ) => [kind, { field: name, base, set: at(path), variants }] as [string, FieldCase];
  return [
    field('mailbox', 'name', MAILBOX_HASHED, ['name']),
    field('mailbox', 'domain', MAILBOX_HASHED, ['domain'], (v) => [`${v}.example.org`]),
    field('mailbox', 'password', MAILBOX, ['password'], (v) => [`correct horse ${v}`]),
    field('mailbox', 'passwordHash', MAILBOX_HASHED, ['passwordHash'], (v) => [`${SHA512_CRYPT}${v}`]),
    field('mailbox', 'quotaMb', MAILBOX_HASHED, ['quotaMb']),
    field('mailbox', 'disabled', MAILBOX_HASHED, ['disabled']),
    field('mailaddress', 'name', MAIL_ADDRESS, ['name']),
    field('mailaddress', 'domain', MAIL_ADDRESS, ['domain'], (v) => [`${v}.example.org`]),
    field('mailaddress', 'mailboxes[]', MAIL_ADDRESS, ['mailboxes', 0], (v) => [`${v}@example.org`]),
    field('mailaddress', 'forwards[]', MAIL_ADDRESS, ['forwards', 0], (v) => [`${v}@example.net`, `bob@${v}`]),
    field('mailaddress', 'disabled', MAIL_ADDRESS, ['disabled']),
    field('autoresponse', 'mailbox', AUTORESPONSE, ['mailbox'], (v) => [`${v}@example.org`]),
    field('autoresponse', 'subject', AUTORESPONSE, ['subject'], (v) => [`Away ${v}`]),
    field('autoresponse', 'body', AUTORESPONSE, ['body'], (v) => [`Hello,\n${v}\n.\nBye`]),
    field('autoresponse', 'from', AUTORESPONSE, ['from']),
    field('autoresponse', 'until', AUTORESPONSE, ['until']),
    field('autoresponse', 'days', AUTORESPONSE, ['days']),
    field('autoresponse', 'disabled', AUTORESPONSE, ['disabled']),
  ];
}

const FIELDS: [kind: string, FieldCase][] = [
  ['domain', { field: 'name', base: () => ({ name: 'example.org' }), set: at(['name']), variants: (v) => [`${v}.example.org`] }],
  ['domain', { field: 'ttl', base: () => ({ name: 'example.org' }), set: at(['ttl']) }],
  ...recordFields('A', { type: 'A', name: 'www', value: '192.0.2.1', ttl: 300 }, ['type', 'name', 'value', 'ttl']),
  ...recordFields('AAAA', { type: 'AAAA', name: 'www', value: '2001:db8::1' }, ['name', 'value']),
  ...recordFields('CNAME', { type: 'CNAME', name: 'ftp', value: 'www' }, ['name', 'value']),
  ...recordFields('NS', { type: 'NS', name: 'lab', value: 'ns.example.net.' }, ['name', 'value']),
  ...recordFields('MX', { type: 'MX', name: '@', priority: 10, value: 'mail' }, ['name', 'value', 'priority']),
  ...recordFields('TXT', { type: 'TXT', name: '@', value: 'v=spf1 -all' }, ['name', 'value']),
  ...recordFields('SRV', { type: 'SRV', name: '_sip._tcp', priority: 1, weight: 2, port: 5060, value: 'sip' }, [
    'name',
    'value',
    'priority',
    'weight',
    'port',
  ]),
  ...recordFields('CAA', { type: 'CAA', name: '@', flags: 0, tag: 'issue', value: 'letsencrypt.org' }, ['name', 'value', 'tag', 'flags']),
  ['systemuser', { field: 'username', base: () => ({ username: 'alice' }), set: at(['username']) }],
  ['systemuser', { field: 'shell', base: () => ({ username: 'alice' }), set: at(['shell']) }],
  [
    'systemuser',
    {
      field: 'groups[]',
      base: () => ({ username: 'alice', groups: ['web'] }),
      set: at(['groups', 0]),
      config: (spec) => ({ 'unix.allowed_groups': spec.groups.join(' ') }),
    },
  ],
  [
    'systemuser',
    {
      field: 'authorizedKeys[]',
      base: () => ({ username: 'alice', authorizedKeys: [ED25519] }),
      set: at(['authorizedKeys', 0]),
      variants: (v) => [`${ED25519} ${v}`, `${v} ${ED25519}`],
    },
  ],
  ['systemuser', { field: 'disabled', base: () => ({ username: 'alice' }), set: at(['disabled']) }],
  ['website', { field: 'name', base: () => ({ name: 'shop', domains: ['example.org'] }), set: at(['name']) }],
  [
    'website',
    {
      field: 'domains[]',
      base: () => ({ name: 'shop', domains: ['example.org', 'www.example.org'] }),
      set: at(['domains', 1]),
      variants: (v) => [`${v}.example.org`, `www.${v}`],
    },
  ],
  ['website', { field: 'protocol', base: () => ({ name: 'shop', domains: ['example.org'] }), set: at(['protocol']) }],
  [
    'website',
    { field: 'certificate', base: () => ({ name: 'shop', domains: ['example.org'], protocol: 'https' }), set: at(['certificate']) },
  ],
  ['website', { field: 'systemUser', base: () => ({ name: 'shop', domains: ['example.org'] }), set: at(['systemUser']) }],
  [
    'website',
    {
      field: 'documentRoot',
      base: () => ({ name: 'shop', domains: ['example.org'] }),
      set: at(['documentRoot']),
      variants: (v) => [`public_html/${v}`],
    },
  ],
  [
    'website',
    {
      field: 'options.indexFiles[]',
      base: () => ({ name: 'shop', domains: ['example.org'], options: { indexFiles: ['index.html'] } }),
      set: at(['options', 'indexFiles', 0]),
    },
  ],
  [
    'website',
    {
      field: 'options.directoryListing',
      base: () => ({ name: 'shop', domains: ['example.org'], options: {} }),
      set: at(['options', 'directoryListing']),
    },
  ],
  [
    'website',
    {
      field: 'options.errorPages[].status',
      base: () => ({ name: 'shop', domains: ['example.org'], options: { errorPages: [{ status: 404, path: '/404.html' }] } }),
      set: at(['options', 'errorPages', 0, 'status']),
    },
  ],
  [
    'website',
    {
      field: 'options.errorPages[].path',
      base: () => ({ name: 'shop', domains: ['example.org'], options: { errorPages: [{ status: 404, path: '/404.html' }] } }),
      set: at(['options', 'errorPages', 0, 'path']),
      variants: (v) => [`/errors/${v}`],
    },
  ],
  [
    'website',
    {
      field: 'options.maxBodySizeMb',
      base: () => ({ name: 'shop', domains: ['example.org'], options: {} }),
      set: at(['options', 'maxBodySizeMb']),
    },
  ],
  ['website', { field: 'disabled', base: () => ({ name: 'shop', domains: ['example.org'] }), set: at(['disabled']) }],
  ['website', { field: 'webApp', base: () => ({ name: 'shop', domains: ['example.org'], webApp: 'shop' }), set: at(['webApp']) }],
  ...databaseFields('mysql'),
  ...databaseFields('postgresql'),
  // Web apps (PHP-FPM pools): every field, PHP options one by one, and the dynamic manager's bounds.
  ...(['name', 'type', 'systemUser', 'phpVersion', 'disabled'] as const).map((f): [string, FieldCase] => [
    'webapp',
    { field: f, base: () => ({ name: 'shop', systemUser: 'alice', phpVersion: '8.2' }), set: at([f]) },
  ]),
  ...(['manager', 'maxChildren', 'startServers', 'minSpareServers', 'maxSpareServers', 'idleTimeoutSeconds', 'maxRequests'] as const).map(
    (f): [string, FieldCase] => [
      'webapp',
      {
        field: `processes.${f}`,
        base: () => ({
          name: 'shop',
          systemUser: 'alice',
          processes: ['startServers', 'minSpareServers', 'maxSpareServers'].includes(f)
            ? { manager: 'dynamic', maxChildren: 10, startServers: 2, minSpareServers: 1, maxSpareServers: 3 }
            : {},
        }),
        set: at(['processes', f]),
      },
    ],
  ),
  ...(
    [
      'memory_limit',
      'upload_max_filesize',
      'post_max_size',
      'max_execution_time',
      'max_input_time',
      'max_input_vars',
      'display_errors',
      'log_errors',
      'short_open_tag',
      'allow_url_fopen',
      'error_reporting',
    ] as const
  ).map((f): [string, FieldCase] => [
    'webapp',
    {
      field: `phpOptions.${f}`,
      base: () => ({ name: 'shop', systemUser: 'alice', phpOptions: {} }),
      set: at(['phpOptions', f]),
      variants: (v) => [`64M${v}`, `${v}M`],
    },
  ]),
  // Mailing lists (mlmmj): the address parts, the texts that reach control files and headers, the choices.
  ...(['name', 'domain', 'admin', 'description', 'subjectPrefix', 'archive', 'language', 'disabled'] as const).map(
    (f): [string, FieldCase] => [
      'mailinglist',
      {
        field: f,
        base: () => ({ name: 'news', domain: 'example.org', admin: 'owner@example.org', description: 'News', subjectPrefix: '[news]' }),
        set: at([f]),
        variants: f === 'domain' ? (v) => [`${v}.example.org`] : f === 'admin' ? (v) => [`${v}@example.org`, `owner@${v}`] : undefined,
      },
    ],
  ),
  // Miscellaneous jobs have no backend: every crafted value must still be refused or accepted as plain data.
  ...(['name', 'description', 'unit', 'quantity'] as const).map((f): [string, FieldCase] => [
    'misc',
    { field: f, base: () => ({ name: 'job', description: 'Migration', quantity: 3 }), set: at([f]) },
  ]),
  ...(['kind', 'name'] as const).map((f): [string, FieldCase] => [
    'misc',
    {
      field: `relatedTo.${f}`,
      base: () => ({ name: 'job', description: 'Migration', quantity: 3, relatedTo: { kind: 'website', name: 'shop' } }),
      set: at(['relatedTo', f]),
    },
  ]),
  ...mailFields(),
];

/** Database and database user fields, for one engine (each spec renders on its engine's backend only). */
function databaseFields(engine: 'mysql' | 'postgresql'): [string, FieldCase][] {
  const DATABASE = () => ({ name: 'shop', engine });
  const USER = () => ({ username: 'shop', engine, password: 'correct horse', grants: [{ database: 'shop', privileges: 'read-only' }] });
  const HASH = engine === 'mysql' ? mysqlNativePassword('correct horse') : scramSha256('correct horse', new Uint8Array(16));
  const USER_HASHED = () => ({ username: 'shop', engine, passwordHash: HASH, grants: [{ database: 'shop', privileges: 'read-only' }] });
  const field = (
    kind: string,
    name: string,
    base: () => Record<string, any>,
    path: (string | number)[],
    variants?: FieldCase['variants'],
  ) => [kind, { field: name, base, set: at(path), variants, backends: [engine] }] as [string, FieldCase];
  return [
    field('database', 'name', DATABASE, ['name'], (v) => [`shop_${v}`]),
    field('database', 'engine', DATABASE, ['engine']),
    field('database', 'charset', DATABASE, ['charset']),
    field('database', 'collation', DATABASE, ['collation']),
    ...(engine === 'postgresql' ? [field('database', 'owner', DATABASE, ['owner'], (v) => [`shop_${v}`])] : []),
    field('databaseuser', 'username', USER_HASHED, ['username'], (v) => [`shop_${v}`]),
    field('databaseuser', 'engine', USER_HASHED, ['engine']),
    field('databaseuser', 'password', USER, ['password'], (v) => [`correct horse ${v}`, `${v}${v}${v}${v}${v}${v}${v}${v}`]),
    field(
      'databaseuser',
      'passwordHash',
      () => ({ username: 'shop', engine, passwordHash: HASH }),
      ['passwordHash'],
      (v) => [`${HASH}${v}`],
    ),
    field('databaseuser', 'grants[].database', USER_HASHED, ['grants', 0, 'database'], (v) => [`shop_${v}`]),
    field('databaseuser', 'grants[].privileges', USER_HASHED, ['grants', 0, 'privileges']),
    field('databaseuser', 'disabled', USER_HASHED, ['disabled']),
  ];
}

/** Leaf fields of a spec's input JSON schema, as `a.b[].c`; union members of a record contribute their own fields. */
function leafFields(schema: any, prefix = ''): string[] {
  if (!schema || typeof schema !== 'object') return [prefix];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    if (Array.isArray(schema[key])) return schema[key].flatMap((s: any) => leafFields(s, prefix));
  }
  if (schema.type === 'object' && schema.properties) {
    return Object.entries(schema.properties).flatMap(([k, s]) => leafFields(s, prefix ? `${prefix}.${k}` : k));
  }
  if (schema.type === 'array' && schema.items) return leafFields(schema.items, `${prefix}[]`);
  return [prefix];
}

const tenant: Pick<Tenant, 'id' | 'slug' | 'settings'> = {
  id: 'ten_1',
  slug: 'acme',
  settings: { dns: { nameservers: ['ns1.acme-dns.net.'], hostmaster: 'hostmaster@acme-dns.net', ttl: 3600, defaultRecords: [] } },
};

let sandbox: string;
/** Accepted / refused counts per `kind.field`, for the summary test at the end. */
const summary = new Map<string, { accepted: number; rejected: number }>();

/** A scratch host: every folder under the sandbox, every command a no-op. */
function scratchConfig(kind: string): Record<string, string> {
  const d = (name: string) => join(sandbox, kind, name);
  switch (kind) {
    case 'domain':
      return { 'bind.zones_dir': d('zones'), 'bind.conf_file': d('named.conf'), 'bind.checkzone': 'true', 'bind.reload': 'true' };
    case 'systemuser':
      return {
        'unix.prefix': d('root'),
        'unix.home_base': '/home',
        'unix.useradd': 'true',
        'unix.usermod': 'true',
        'unix.userdel': 'true',
        'unix.groupadd': 'true',
        'unix.setpriv': 'true',
        'unix.reload': 'true',
      };
    case 'webapp':
      return {
        'php.versions': '8.2 8.3',
        'php.pool_dir': join(sandbox, kind, 'php', '{version}'),
        'php.run_dir': d('run'),
        'php.fpm': 'true',
        'php.reload': 'true',
        'php.listen_owner': 'nobody',
      };
    case 'mailinglist':
      return {
        'mlmmj.spool_dir': d('spool'),
        'mlmmj.user': 'nobody',
        'mlmmj.virtual_map': d('virtual'),
        'mlmmj.transport_map': d('transport'),
        'mlmmj.postmap': 'true',
        'mlmmj.reload': 'true',
      };
    case 'mailbox':
    case 'mailaddress':
    case 'autoresponse':
      return {
        'postfix.maps_dir': d('postfix'),
        'postfix.postmap': 'true',
        'postfix.reload': 'true',
        'dovecot.passwd_file': d('dovecot/users'),
        'dovecot.passwd_group': '',
        'dovecot.sieve_dir': d('sieve'),
        'dovecot.sievec': 'true',
        'dovecot.reload': 'true',
        'mail.vmail_root': d('vmail'),
      };
    case 'database':
    case 'databaseuser':
      return { 'mysql.mysql': 'true', 'mysql.socket': d('mysqld.sock'), 'postgresql.psql': 'true', 'postgresql.host': d('pg') };
    default:
      return {
        'website.root_base': d('www'),
        'unix.home_base': d('home'),
        'tls.dir': d('tls'),
        'nginx.sites_dir': d('nginx'),
        'nginx.log_dir': d('log'),
        'nginx.nginx': 'true',
        'nginx.reload': 'true',
        'apache.sites_dir': d('apache'),
        'apache.log_dir': d('log'),
        'apache.apache': 'true',
        'apache.reload': 'true',
      };
  }
}

function host(config: Record<string, string>): Host {
  return {
    id: 'host_1',
    tenantId: 'ten_1',
    name: 'scratch',
    address: '127.0.0.1',
    port: 22,
    username: 'root',
    transport: 'local',
    config,
    createdAt: '2024-01-01T00:00:00.000Z',
    updatedAt: '2024-01-01T00:00:00.000Z',
  };
}

/** Characters with a meaning to bash; a value without any of them cannot change a script even unquoted. */
const SHELL_SPECIAL = /[^A-Za-z0-9._@%+=:,/-]/;

interface Outcome {
  rejected: number;
  accepted: number;
  problems: string[];
}

/** A rendered script waiting for the batched bash checks. */
interface Rendered {
  where: string;
  /** Whether the crafted value carries a command that touches the canary (those scripts are also run). */
  armed: boolean;
  script: string;
  scan: ReturnType<typeof scanShell>;
  expected: Record<string, unknown>;
}

/** One unit with a save and a delete section of the same service: both templates in one script. */
async function renderBoth(type: AnyServiceType, backend: AnyServiceType['backends'][number], parsed: any, config: Record<string, string>) {
  const name = type.identity(parsed);
  const items = (['save', 'delete'] as const).map((action): UnitItem => ({
    operationId: `op_${action}`,
    action,
    service: { id: 'svc_hostile', accountId: 'acc_1', name, kind: type.kind, spec: parsed, backendState: { serial: 2024030501 } },
  }));
  const { script } = await renderUnitOfWork({ templates: TEMPLATES, tenant, host: host(config), backend, items });
  const expected = backend.context({
    service: { id: 'svc_hostile', accountId: 'acc_1', name, spec: parsed, state: { serial: 2024030501 } },
    tenant,
    config: hostConfig(backend, host(config)),
  });
  return { script, expected };
}

/** How often each shell-special piece of a value occurs outside single quotes. */
function unquotedCounts(script: string, scan: ReturnType<typeof scanShell>, pieces: string[]): Map<string, number> {
  return new Map(pieces.map((p) => [p, unquotedOccurrences(script, scan, p).length]));
}

/**
 * The pieces of a value to look for: the value itself and each run between single quotes (quoting necessarily
 * splits a value at its `'`, so only the runs between them can appear whole), when they contain shell syntax.
 */
function piecesOf(values: unknown[]): string[] {
  const pieces = new Set<string>();
  for (const v of values) {
    if (typeof v !== 'string') continue;
    for (const piece of [v, ...v.split("'")]) if (piece && SHELL_SPECIAL.test(piece)) pieces.add(piece);
  }
  return [...pieces];
}

/** Parse, render and scan one crafted value; returns the scripts to check with bash. */
async function probe(
  type: AnyServiceType,
  c: FieldCase,
  value: unknown,
  outcome: Outcome,
  baselines: Map<string, { script: string; scan: ReturnType<typeof scanShell> }>,
) {
  const spec = c.base();
  c.set(spec, value);
  const shown = JSON.stringify(value);
  const label = `${type.kind}.${c.field} = ${shown.length > 90 ? `${shown.slice(0, 40)}…${shown.slice(-45)}` : shown}`;
  let parsed: any;
  try {
    parsed = parseInput(type.spec, spec, ['spec']);
  } catch (error) {
    if (!(error instanceof ValidationError) || toHttpError(error).statusCode !== 422) {
      outcome.problems.push(`${label}: refused with ${String(error)} instead of a 422 validation error`);
    } else outcome.rejected++;
    return [];
  }
  outcome.accepted++;
  const rendered: Rendered[] = [];
  for (const backend of type.backends.filter((b) => !c.backends || c.backends.includes(b.name))) {
    const where = `${label} (${backend.name})`;
    const config = { ...scratchConfig(type.kind), ...(c.config?.(parsed) ?? {}) };
    try {
      const { script, expected } = await renderBoth(type, backend, parsed, config);
      const scan = scanShell(script);
      // Template code may hold the same characters (a `*` glob, a space): only more unquoted occurrences than in
      // the script of the untouched spec would mean the value escaped its quotes.
      const baseline = baselines.get(backend.name)!;
      const pieces = piecesOf([value, ...leafValues(parsed)]);
      const before = unquotedCounts(baseline.script, baseline.scan, pieces);
      for (const [piece, count] of unquotedCounts(script, scan, pieces)) {
        if (count > before.get(piece)!) {
          const snippet = unquotedOccurrences(script, scan, piece)[0];
          outcome.problems.push(`${where}: ${JSON.stringify(piece)} occurs unquoted: …${snippet}…`);
        }
      }
      rendered.push({ where, armed: typeof value === 'string' && value.includes(CANARY), script, scan, expected });
    } catch (error) {
      outcome.problems.push(`${where}: accepted by the schema but not renderable: ${String(error)}`);
    }
  }
  return rendered;
}

/** `bash -n` on many scripts at once: each becomes a function body in one file; on failure, find the culprits. */
function syntaxProblems(batch: Rendered[]): string[] {
  const check = (scripts: string[]) =>
    spawnSync('bash', ['-n'], { input: scripts.map((s, k) => `consort_probe_${k}() {\n${s}\n}\n`).join(''), encoding: 'utf8' });
  if (batch.length === 0 || check(batch.map((r) => r.script)).status === 0) return [];
  return batch.flatMap((r) => {
    const result = check([r.script]);
    return result.status === 0 ? [] : [`${r.where}: bash -n refused the script: ${result.stderr}`];
  });
}

/**
 * bash decodes each assignment to what the lexer read (each is one literal word), and values the backend computed
 * reach bash unchanged. One bash process for the whole batch.
 */
function decodeProblems(batch: Rendered[]): string[] {
  const words = batch.flatMap((r) => r.scan.assignments.map((a) => a.word));
  const decoded = bashDecode('true\n', words);
  const problems: string[] = [];
  let k = 0;
  for (const r of batch) {
    for (const a of r.scan.assignments) {
      const got = decoded[k++];
      if (got !== a.value) problems.push(`${r.where}: bash reads ${a.name} differently from the lexer`);
      const want = r.expected[a.name];
      if ((typeof want === 'string' || typeof want === 'number') && got !== String(want)) {
        problems.push(`${r.where}: ${a.name} is ${JSON.stringify(got)}, the backend computed ${JSON.stringify(want)}`);
      }
    }
  }
  return problems;
}

/**
 * Run every script whose value carries a canary command against the scratch host (commands stubbed): the canary
 * must never appear. (The other values are checked statically above; running all of them would take minutes.)
 */
function canaryProblems(all: Rendered[]): string[] {
  const problems: string[] = [];
  const batch = all.filter((r) => r.armed);
  // Chunks keep one bash process per chunk; each script runs in its own `bash -s` fed by a here-document.
  for (let from = 0; from < batch.length; from += 25) {
    const chunk = batch.slice(from, from + 25);
    const runner = chunk
      .map(
        (r, k) =>
          `bash -s >/dev/null 2>&1 <<'CONSORT_PROBE_${k}_EOF'\n${r.script}\nCONSORT_PROBE_${k}_EOF\n[ ! -e "$1" ] || { echo ${k}; rm -f -- "$1"; }`,
      )
      .join('\n');
    const result = spawnSync('bash', ['-s', CANARY], {
      input: runner,
      cwd: sandbox,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: sandbox },
      timeout: 120_000,
    });
    for (const k of result.stdout.split('\n').filter(Boolean)) problems.push(`${chunk[Number(k)]!.where}: the script ran the canary`);
  }
  return problems;
}

function leafValues(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (value && typeof value === 'object') return Object.values(value).flatMap(leafValues);
  return [value];
}

beforeAll(() => {
  sandbox = mkdtempSync(join(tmpdir(), 'consort-hostile-'));
  // The system user scripts read <prefix>/etc/passwd; stubbed useradd never adds anyone, so they stop there.
  mkdirSync(join(sandbox, 'systemuser', 'root', 'etc'), { recursive: true });
  writeFileSync(join(sandbox, 'systemuser', 'root', 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/bash\n');
  writeFileSync(join(sandbox, 'systemuser', 'root', 'etc', 'group'), 'root:x:0:\n');
});

afterAll(() => {
  rmSync(sandbox, { recursive: true, force: true });
  rmSync(CANARY, { force: true });
});

describe('hostile input', () => {
  it('has over a hundred distinct crafted values', () => {
    expect(new Set(HOSTILE).size).toBe(HOSTILE.length);
    expect(HOSTILE.length).toBeGreaterThanOrEqual(100);
  });

  it('covers every field of every registered service type', () => {
    for (const type of serviceTypes) {
      const schema = z.toJSONSchema(type.spec, { io: 'input', unrepresentable: 'any' });
      const fields = new Set(leafFields(schema).map((f) => f.replace(/^records\[\]\./, 'records[].')));
      const covered = new Set(
        FIELDS.filter(([kind]) => kind === type.kind).map(([, c]) => c.field.replace(/^records\[[A-Z]+\]\./, 'records[].')),
      );
      expect([...fields].filter((f) => !covered.has(f)).sort(), `${type.kind} fields without hostile coverage`).toEqual([]);
    }
  });

  describe.each(serviceTypes.map((t) => [t.kind, t] as const))('%s', (kind, type) => {
    it.each(FIELDS.filter(([k]) => k === kind).map(([, c]) => [c.field, c] as const))(
      '%s: every crafted value is refused (422) or reaches the script only quoted',
      async (_field, c) => {
        const outcome: Outcome = { rejected: 0, accepted: 0, problems: [] };
        const t = type as AnyServiceType;
        const base = t.spec.parse(c.base());
        const baselines = new Map<string, { script: string; scan: ReturnType<typeof scanShell> }>();
        for (const backend of t.backends.filter((b) => !c.backends || c.backends.includes(b.name))) {
          const { script } = await renderBoth(t, backend, base, { ...scratchConfig(kind), ...(c.config?.(base) ?? {}) });
          baselines.set(backend.name, { script, scan: scanShell(script) });
        }
        const batch: Rendered[] = [];
        for (const value of HOSTILE) {
          for (const v of [value, ...(c.variants?.(value) ?? [])]) batch.push(...(await probe(t, c, v, outcome, baselines)));
        }
        // Values that normalise alike (case, IDN, blanks) render the same script: check each script once.
        const unique = [...new Map(batch.map((r) => [r.script, r])).values()];
        outcome.problems.push(...syntaxProblems(unique), ...decodeProblems(unique), ...canaryProblems(batch));
        // A field listed once per engine adds up.
        const earlier = summary.get(`${kind}.${c.field}`) ?? { accepted: 0, rejected: 0 };
        summary.set(`${kind}.${c.field}`, { accepted: earlier.accepted + outcome.accepted, rejected: earlier.rejected + outcome.rejected });
        expect(outcome.problems).toEqual([]);
        expect(outcome.rejected + outcome.accepted).toBeGreaterThanOrEqual(HOSTILE.length);
      },
      120_000,
    );
  });

  it('exercised the quoting path: free-text fields accepted crafted values, identifiers refused nearly all', () => {
    // Runs after the field tests (tests in a file run in order); skipped fields leave no entry.
    if (summary.size < new Set(FIELDS.map(([kind, c]) => `${kind}.${c.field}`)).size) return;
    expect(summary.get('domain.records[TXT].value')!.accepted).toBeGreaterThan(100);
    expect(summary.get('systemuser.authorizedKeys[]')!.accepted).toBeGreaterThan(100);
    expect(summary.get('autoresponse.body')!.accepted).toBeGreaterThan(100);
    for (const field of [
      'systemuser.username',
      'systemuser.groups[]',
      'systemuser.shell',
      'website.systemUser',
      'website.protocol',
      'database.name',
      'databaseuser.username',
      'databaseuser.grants[].privileges',
    ]) {
      const { accepted, rejected } = summary.get(field)!;
      expect(accepted, `${field} accepted ${accepted} crafted values`).toBeLessThan(rejected / 10);
    }
  });

  it('refuses through the API shape too: a crafted value is a 422 with the field path', () => {
    const type = serviceTypes.find((t) => t.kind === 'systemuser')!;
    const error = (() => {
      try {
        parseInput(type.spec, { username: 'a.com; rm -rf /' }, ['spec']);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(DomainError);
    expect(toHttpError(error)).toMatchObject({ statusCode: 422, body: { error: { details: [{ path: ['spec', 'username'] }] } } });
  });
});
