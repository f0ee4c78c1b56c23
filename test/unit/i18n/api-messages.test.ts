import { composeIBAN } from 'ibantools';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AccountInput, AccountPatch, ContactInput, ContactPatch } from '../../../shared/src/accounts/model';
import { SeriesSettings, IssuerProfile, ManualLineInput } from '../../../shared/src/bills/model';
import { EditLineInput } from '../../../shared/src/bills/line-edit';
import { Amount, Currency } from '../../../shared/src/core/money';
import { Country, Email, Label, Password, Slug } from '../../../shared/src/core/schemas';
import { CreateMandateInput, MandatePatch, OnlineMandateInput, SepaSettings } from '../../../shared/src/payments/mandates';
import { CancelPaymentFileInput, PaymentAmount } from '../../../shared/src/payments/model';
import { RefundInput, RefundReturnInput } from '../../../shared/src/payments/refunds';
import { checkIban, creditorIdentifierError } from '../../../shared/src/payments/sepa/identifiers';
import { specJsonSchema, type JsonSchema } from '../../../shared/src/services/forms';
import { serviceTypes, type AnyServiceType } from '../../../shared/src/services/registry';
import { ca } from '../../../web/src/i18n/ca';
import { en } from '../../../web/src/i18n/en';
import { es } from '../../../web/src/i18n/es';
import { translateApiMessage } from '../../../web/src/i18n/index';

// The portals show the API's 422 messages next to form fields, translated by `translateApiMessage` (an exact entry
// in the catalogs' `apiMessages`, or a pattern for zod's generic messages and for messages with a variable part).
// Nothing here lists the messages: every field of every schema users fill in is fed crafted bad values (derived from
// the schema's JSON Schema and the field's valid value), and every message that comes back must be translated into
// Spanish and Catalan. A new custom message in the domain core without its translations fails this test.

/** Messages that read the same in every language (none so far); each entry needs a comment saying why. */
const SAME_IN_EVERY_LANGUAGE: readonly string[] = [];

type Path = (string | number)[];

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHV22GVR2EA9yZ7ORgvwRdPa7H0t1lkLDHg37kSkSU4z alice@laptop';
const ECDSA =
  'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBHbMXhUWEcWMiTzf/7E6dmOEzNrm6AV0/fjnS16JfDN+xeXk/AAkluiizYaz+pl9of1SrZS5wC/MLz3WXYf6jok= root@vm';
const RSA_1024 =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC6BXakhrI+gxv1W7ojcVwixlKF3rVAZevyGbnsaxJ7a/L50P19T7pDeEyTq+0HN6n9QuyQUrHMqOFaprg9juim59wZqgrmd1Fhmu+2Rt6t5gqeTQclVpxLtQcR1hUPdQhJLiW0PReKLb/XOSGkNZ4Yfz9vpYy92uGyxFPOsy7FkQ== root@vm';
const SHA512_CRYPT = '{SHA512-CRYPT}$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1';
const MYSQL_HASH = '*A4B6157319038724E3560894F7F932C8886EBFCF';
const IBAN = 'ES9121000418450200051332';

/**
 * Valid minimal specs of every registered kind (several where a rule only shows from another starting point, e.g. a
 * password given as a hash or as plain text). Crafted values replace one field at a time.
 */
const BASES: Record<string, Record<string, unknown>[]> = {
  domain: [
    {
      name: 'example.org',
      ttl: 3600,
      records: [
        { type: 'A', name: 'www', value: '192.0.2.1', ttl: 300 },
        { type: 'AAAA', name: 'www', value: '2001:db8::1' },
        { type: 'CNAME', name: 'ftp', value: 'www' },
        { type: 'NS', name: 'lab', value: 'ns.example.net.' },
        { type: 'MX', name: '@', priority: 10, value: 'mail' },
        { type: 'TXT', name: '@', value: 'v=spf1 -all' },
        { type: 'SRV', name: '_sip._tcp', priority: 1, weight: 2, port: 5060, value: 'sip' },
        { type: 'CAA', name: '@', flags: 0, tag: 'issue', value: 'letsencrypt.org' },
        { type: 'CAA', name: '@', flags: 0, tag: 'iodef', value: 'mailto:security@example.org' },
      ],
    },
  ],
  systemuser: [{ username: 'alice', groups: ['web', 'sftp'], authorizedKeys: [ED25519, ECDSA] }],
  website: [
    {
      name: 'shop',
      domains: ['example.org', 'www.example.org'],
      protocol: 'https',
      certificate: 'example.org',
      systemUser: 'alice',
      documentRoot: 'public_html',
      webApp: 'shop',
      options: { indexFiles: ['index.html'], errorPages: [{ status: 404, path: '/404.html' }], maxBodySizeMb: 64 },
    },
  ],
  mailbox: [
    { name: 'alice', domain: 'example.org', passwordHash: SHA512_CRYPT, quotaMb: 1024 },
    { name: 'alice', domain: 'example.org', password: 'correct horse battery' },
  ],
  mailaddress: [
    { name: 'info', domain: 'example.org', mailboxes: ['alice@example.org', 'bob@example.org'], forwards: ['carol@example.net'] },
    { name: 'info', domain: 'example.org', mailboxes: ['alice@example.org'] },
  ],
  autoresponse: [{ mailbox: 'alice@example.org', subject: 'Away', body: 'Back on Monday.', from: '2026-08-01', until: '2026-08-31' }],
  database: [
    { name: 'shop', engine: 'mysql', charset: 'utf8mb4', collation: 'utf8mb4_bin' },
    { name: 'shop', engine: 'postgresql', charset: 'UTF8', collation: 'C', owner: 'shop' },
  ],
  databaseuser: [
    {
      username: 'shop',
      engine: 'mysql',
      passwordHash: MYSQL_HASH,
      grants: [{ database: 'shop' }, { database: 'blog', privileges: 'read-only' }],
    },
    { username: 'shop', engine: 'mysql', password: 'correct horse' },
  ],
  webapp: [
    { name: 'shop', systemUser: 'alice', phpVersion: '8.2', phpOptions: { upload_max_filesize: '32M', post_max_size: '64M' } },
    {
      name: 'shop',
      systemUser: 'alice',
      processes: { manager: 'dynamic', maxChildren: 10, startServers: 2, minSpareServers: 1, maxSpareServers: 3 },
    },
  ],
  mailinglist: [{ name: 'news', domain: 'example.org', admin: 'owner@example.org', description: 'News', subjectPrefix: '[news]' }],
  misc: [{ name: 'job', description: 'Migration', quantity: '1.5', relatedTo: { kind: 'website', name: 'shop' } }],
};

/**
 * Values no schema-derived mutation reaches: rules across fields and key material of the wrong shape. Each is merged
 * into the kind's first base.
 */
const CRAFTED: Record<string, Record<string, unknown>[]> = {
  systemuser: [{ authorizedKeys: [RSA_1024] }, { authorizedKeys: [ECDSA.replace('nistp256 ', 'nistp384 ')] }],
  mailaddress: [{ name: 'carol', domain: 'example.net', forwards: ['carol@example.net'] }],
  autoresponse: [{ from: '2026-09-01' }],
  database: [{ engine: 'postgresql' }],
  webapp: [{ type: 'static' }],
};

// -----------------------------------------------------------------------------------------------------------------
// Crafted values from a field's JSON Schema and valid value

const STRINGS = [
  '',
  ' ',
  'x'.repeat(300),
  'a;b',
  '$(id)',
  'a\nb',
  '../etc',
  'Upper Case',
  'ñandú',
  '-',
  '@',
  '*',
  'a..b',
  'a"b',
  'a\u0007b',
  '\ufffd',
  '2026-02-30',
  '0.00',
  '-1',
  // Names kept for the system, a wildcard, a bad top-level domain, an overlong label.
  'root',
  'postmaster',
  'www',
  'mysql',
  '*.example.org',
  'example.123',
  `${'a'.repeat(64)}.org`,
];
const NUMBERS = [-1, 0, 1.5, 1e9];

/** The members of a union, or the schema itself. */
const members = (s: JsonSchema): JsonSchema[] => s.anyOf ?? s.oneOf ?? [s];

function typesOf(s: JsonSchema): Set<string> {
  const types = new Set<string>();
  for (const m of members(s)) {
    if (m.anyOf || m.oneOf) typesOf(m).forEach((t) => types.add(t));
    for (const t of [m.type ?? []].flat()) types.add(t);
  }
  return types;
}

/** The member of a union that a valid value belongs to: the one whose constants (a discriminator) it has. */
function memberFor(s: JsonSchema, value: unknown): JsonSchema {
  const all = members(s);
  const fits = (m: JsonSchema) =>
    Object.entries(m.properties ?? {}).every(
      ([k, p]) => p.const === undefined || (typeof value === 'object' && value !== null && (value as any)[k] === p.const),
    );
  return all.find((m) => m.properties && fits(m)) ?? all.find((m) => m.properties || m.items) ?? all[0]!;
}

/** A valid text made slightly wrong: cut, extended, upper-cased, a digit changed, a dot doubled… */
function mutations(valid: string): string[] {
  const bump = (d: string) => String((Number(d) + 1) % 10);
  const longest = valid.split(/\s+/).reduce((a, b) => (b.length > a.length ? b : a), '');
  return [
    valid.slice(0, -1),
    valid.slice(0, -4),
    `${valid}x`,
    `${valid}\n`,
    `-${valid}`,
    `${valid}${valid}`,
    valid.toUpperCase(),
    valid.replace(/\d/, bump),
    valid.replace(/\d(?=\D*$)/, bump),
    valid.replace('.', '..'),
    valid.replace(/^\S+/, 'ssh-rsa'),
    // Its longest word (a key's base64 data) cut short or with something left over.
    valid.replace(longest, longest.slice(0, -4)),
    valid.replace(longest, `${longest}A`),
    valid.replace(longest, `${longest}AAAA`),
    valid.split('').reverse().join(''),
    `-----BEGIN ${valid}`,
    `command="id" ${valid}`,
    `${valid} ${'c'.repeat(201)}`,
  ];
}

function craftedValues(s: JsonSchema, valid: unknown): unknown[] {
  const out: unknown[] = [undefined, null];
  const types = typesOf(s);
  for (const m of members(s)) if (m.enum) out.push(...m.enum, 'not-an-option');
  if (types.has('string')) {
    out.push(...STRINGS, 42, true);
    const max = members(s).find((m) => m.maxLength)?.maxLength;
    if (max) out.push('a'.repeat(max + 1));
    if (typeof valid === 'string') out.push(...mutations(valid));
  }
  if (types.has('number') || types.has('integer')) {
    out.push(...NUMBERS, '1');
    for (const m of members(s)) {
      if (m.minimum !== undefined) out.push(m.minimum - 1, m.minimum);
      if (m.maximum !== undefined) out.push(m.maximum + 1, m.maximum);
    }
  }
  if (types.has('boolean')) out.push('yes', 1);
  if (types.has('array')) {
    out.push([], 'x', [42]);
    if (Array.isArray(valid) && valid.length) {
      out.push([...valid, valid[0]]);
      const max = members(s).find((m) => m.maxItems)?.maxItems;
      if (max) out.push(Array.from({ length: max + 1 }, () => valid[0]));
    }
  }
  if (types.has('object')) out.push('x', [], {}, { ...(typeof valid === 'object' ? valid : {}), unexpectedField: 1 });
  return out;
}

/** Every (path, value) to try: crafted values for the field itself, then for each field inside it. */
function* cases(s: JsonSchema, valid: unknown, path: Path = []): Generator<[Path, unknown]> {
  for (const value of craftedValues(s, valid)) yield [path, value];
  const member = memberFor(s, valid);
  if (member.properties) {
    const object = (typeof valid === 'object' && valid !== null ? valid : {}) as Record<string, unknown>;
    for (const [key, prop] of Object.entries(member.properties)) yield* cases(prop, object[key], [...path, key]);
  }
  if (member.items) {
    const items = Array.isArray(valid) && valid.length ? valid : [undefined];
    for (const [i, item] of items.entries()) yield* cases(member.items, item, [...path, i]);
  }
}

/** A copy of `base` with `value` at `path` (left out when undefined), creating the containers on the way. */
function withValue(base: unknown, path: Path, value: unknown): unknown {
  if (!path.length) return value;
  const root = structuredClone(base ?? (typeof path[0] === 'number' ? [] : {})) as any;
  let target = root;
  for (const [i, key] of path.slice(0, -1).entries()) {
    target[key] ??= typeof path[i + 1] === 'number' ? [] : {};
    target = target[key];
  }
  const last = path[path.length - 1]!;
  if (value === undefined) delete target[last];
  else target[last] = value;
  return root;
}

// -----------------------------------------------------------------------------------------------------------------
// Collecting messages

/** Every message seen, with where it first came from (for the failure report). */
type Seen = Map<string, string>;

function note(seen: Seen, message: string, where: string) {
  if (!seen.has(message)) seen.set(message, where);
}

/** Run a schema on one input; the top-level issues' messages are what the API sends (`parseInput`). */
function collect(seen: Seen, schema: z.ZodType, input: unknown, where: string): z.ZodSafeParseResult<unknown> {
  const result = schema.safeParse(input);
  if (!result.success) for (const issue of result.error.issues) note(seen, issue.message, `${where} (${issue.path.join('.')})`);
  return result;
}

/** Every crafted value of every field of `schema`, merged into each valid base. */
function walk(seen: Seen, schema: z.ZodType, json: JsonSchema, bases: unknown[], label: string, after?: (data: unknown) => void) {
  for (const base of bases) {
    expect(schema.safeParse(base).success, `${label}: the base ${JSON.stringify(base)} must be valid`).toBe(true);
    for (const [path, value] of cases(json, base)) {
      const where = `${label} ${path.join('.') || '(root)'}=${String(JSON.stringify(value)).slice(0, 40)}`;
      const result = collect(seen, schema, withValue(base, path, value), where);
      if (result.success) after?.(result.data);
    }
  }
}

const jsonOf = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;

/** Messages not translated into Spanish or Catalan, with where each came from. */
function untranslated(seen: Seen): string[] {
  return [...seen]
    .filter(([m]) => !SAME_IN_EVERY_LANGUAGE.includes(m))
    .filter(([m]) => translateApiMessage('es', m) === m || translateApiMessage('ca', m) === m)
    .map(([m, where]) => `${JSON.stringify(m)} ← ${where}`);
}

/** A translation that still shows a `{placeholder}`: a pattern that does not pass the variable its key uses. */
function unfilled(seen: Seen): string[] {
  return [...seen.keys()].flatMap((m) =>
    (['en', 'es', 'ca'] as const).map((l) => translateApiMessage(l, m)).filter((t) => /\{\w+\}/.test(t) && !/\{\w+\}/.test(m)),
  );
}

function expectTranslated(seen: Seen) {
  expect(seen.size).toBeGreaterThan(0);
  const missing = untranslated(seen);
  expect(missing, `Add these to apiMessages in web/src/i18n/{en,es,ca}.ts (or a pattern in index.ts):\n${missing.join('\n')}`).toEqual([]);
  expect(unfilled(seen)).toEqual([]);
}

// -----------------------------------------------------------------------------------------------------------------

describe('API validation messages are translated', () => {
  it('has a valid base spec for every registered service type', () => {
    expect(Object.keys(BASES).sort()).toEqual(serviceTypes.map((t) => t.kind).sort());
  });

  for (const type of serviceTypes as readonly AnyServiceType[]) {
    it(`translates every message of ${type.kind} specs`, () => {
      const seen: Seen = new Map();
      const bases = BASES[type.kind] ?? [{}];
      // Messages of the references a spec makes (a website's domains, a mailbox's domain…), checked on create.
      const references = (data: unknown) => {
        for (const ref of type.references?.(data) ?? []) note(seen, ref.message, `${type.kind} reference ${ref.path.join('.')}`);
      };
      walk(seen, type.spec, specJsonSchema(type) as JsonSchema, bases, type.kind, references);
      for (const extra of CRAFTED[type.kind] ?? []) {
        const result = collect(seen, type.spec, { ...bases[0], ...extra }, `${type.kind} ${JSON.stringify(extra)}`);
        if (result.success) references(result.data);
      }
      expectTranslated(seen);
    });
  }

  it('translates every message of IBAN, BIC and creditor identifier checks', () => {
    const seen: Seen = new Map();
    const ibans = [
      '',
      'XX',
      'ZZ9121000418450200051332',
      `${IBAN}0`,
      IBAN.slice(0, -1),
      IBAN.replace('91', 'AB'),
      IBAN.replace('91', '92'),
      IBAN.replace('2100', '21OO'),
      // Right IBAN check digits around a wrong national ("DC") check digit pair.
      composeIBAN({ countryCode: 'ES', bban: '21000418460200051332' }) ?? '',
      // A valid IBAN of a country outside SEPA.
      'BR1800360305000010009795493C1',
      ...mutations(IBAN),
    ];
    for (const iban of ibans) {
      const check = checkIban(iban);
      if (!check.ok) {
        for (const error of check.errors) note(seen, error, `checkIban(${JSON.stringify(iban)})`);
        // A refund's IBAN field shows every reason at once.
        note(seen, check.errors.join('; '), `refund iban ${JSON.stringify(iban)}`);
      }
    }
    for (const ci of ['', 'ES37000G1234567', 'ES38000G12345674', 'ES37000G123456745', 'DE98ZZZ09999999990', 'E37000G12345674']) {
      const error = creditorIdentifierError(ci);
      if (error) note(seen, error, `creditorIdentifierError(${JSON.stringify(ci)})`);
    }
    const debtor = { name: 'Alice Example', iban: IBAN, bic: 'CAIXESBBXXX' };
    walk(seen, CreateMandateInput, jsonOf(CreateMandateInput), [{ reference: 'M-2024-1', signedOn: '2024-03-15', debtor }], 'mandate');
    walk(seen, OnlineMandateInput, jsonOf(OnlineMandateInput), [{ debtor, accepted: true }], 'online mandate');
    walk(
      seen,
      MandatePatch,
      jsonOf(MandatePatch),
      [{ debtor: { name: 'Alice', bic: 'CAIXESBBXXX' }, status: 'revoked', reason: 'Moved' }],
      'mandate patch',
    );
    walk(
      seen,
      SepaSettings,
      jsonOf(SepaSettings),
      [{ creditorId: 'ES37000G12345674', creditorName: 'Xarxa', iban: IBAN, bic: 'CAIXESBBXXX' }],
      'SEPA settings',
    );
    expectTranslated(seen);
  });

  it('translates every message of account, contact, refund and bill inputs', () => {
    const seen: Seen = new Map();
    const account = {
      name: 'Alice Example',
      email: 'alice@example.org',
      country: 'ES',
      locale: 'es',
      tags: ['premium'],
      limits: { services: { website: 2 }, mailboxQuotaMb: 2048 },
    };
    const schemas: [string, z.ZodType, unknown[]][] = [
      ['account', AccountInput, [account]],
      ['account patch', AccountPatch, [{ name: 'Alice', active: true }]],
      ['contact', ContactInput, [{ name: 'Bob Example', email: 'bob@example.org', phone: '+34 600 000 000', usages: ['billing'] }]],
      ['contact patch', ContactPatch, [{ email: 'bob@example.org' }]],
      ['refund', RefundInput, [{ amount: '12.50', reason: 'Double payment', iban: IBAN, name: 'Alice', bic: 'CAIXESBBXXX' }]],
      ['refund return', RefundReturnInput, [{ reason: 'Account closed', code: 'AC04', bankCharges: '0.60' }]],
      ['payment amount', PaymentAmount, ['12.50']],
      ['cancel payment file', CancelPaymentFileInput, [{ reason: 'Wrong date' }]],
      ['manual line', ManualLineInput, [{ description: 'Hours', quantity: '2.5', unitPrice: '40.00', periodStart: '2024-03-01' }]],
      ['edit line', EditLineInput, [{ description: 'Hours', quantity: '2.5', unitPrice: '40.00', periodEnd: '2024-03-31' }]],
      ['series', SeriesSettings, [{ prefix: 'F-', digits: 4, dueDays: 30 }]],
      [
        'issuer',
        IssuerProfile,
        [{ legalName: 'Xarxa SCCL', addressLines: ['Carrer Major 1'], logo: 'data:image/png;base64,iVBORw0KGgo=' }],
      ],
      ['amount', Amount, ['12.50']],
      ['currency', Currency, ['EUR']],
      ['country', Country, ['ES']],
      ['e-mail', Email, ['alice@example.org']],
      ['password', Password, ['correct horse battery']],
      ['slug', Slug, ['shop']],
      ['label', Label(40), ['Alice']],
    ];
    for (const [label, schema, bases] of schemas) walk(seen, schema, jsonOf(schema), bases, label);
    expectTranslated(seen);
  });
});

describe('API message catalogs', () => {
  it('translates only messages the English catalog has', () => {
    const english = new Set(Object.keys(en.apiMessages));
    for (const catalog of [es, ca]) expect(Object.keys(catalog.apiMessages).filter((m) => !english.has(m))).toEqual([]);
  });

  it('uses the same placeholders in every language of a generic message', () => {
    const vars = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const [key, text] of Object.entries(en.apiGeneric)) {
      for (const catalog of [es, ca]) expect(vars(catalog.apiGeneric[key as keyof typeof en.apiGeneric]), key).toEqual(vars(text));
    }
  });

  it('keeps placeholders out of exact messages', () => {
    for (const catalog of [en, es, ca]) expect(Object.values(catalog.apiMessages).filter((t) => /\{\w+\}/.test(t))).toEqual([]);
  });
});
