import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { Email } from '../../core/schemas';
import { defineServiceType, type BackendDefinition, type ServiceReference } from '../define-service-type';
import { parseDomainName } from '../domain/records';
import { settingPath, settingPosixName } from '../host-settings';
import { mailingListTranslations } from './translations';

/**
 * Local parts a list may not take: the mailboxes RFC 2142 and mail software expect to reach a person or the
 * system, not a list.
 */
export const RESERVED_LIST_NAMES: ReadonlySet<string> = new Set(
  'postmaster abuse hostmaster webmaster mailer-daemon root noc security admin administrator noreply no-reply'.split(' '),
);

/**
 * A list's local part: lower-case letters and digits, single `.`, `_` or `-` between them. No `+` (Postfix's
 * recipient delimiter carries mlmmj's commands: `news+subscribe@…`) and no `--` (the separator in the
 * `domain--name@localhost.mlmmj` address the transport map uses).
 */
export const ListName = z
  .string()
  .trim()
  .toLowerCase()
  .max(64)
  .superRefine((value, ctx) => {
    if (!/^[a-z0-9](?:[._-]?[a-z0-9])*$/.test(value) || value.length > 60) {
      ctx.addIssue({
        code: 'custom',
        message: 'Use 1–60 lower-case letters and digits, with single . _ or - between them (e.g. news or team-2024)',
      });
    } else if (RESERVED_LIST_NAMES.has(value)) {
      ctx.addIssue({ code: 'custom', message: 'This address is reserved for a person or the mail system; choose another' });
    }
  });

/** The list's mail domain (IDN → punycode). */
export const ListDomain = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const parsed = parseDomainName(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.name;
  });

/** One line of text without control characters (it ends up in a mail header or a control file). */
const Line = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .refine((s) => !/[\u0000-\u001f\u007f\u0085\u2028\u2029]/.test(s), 'Use a single line without control characters');

/** Archive access: `public` (anyone may fetch posts with name+get-N), `private` (subscribers only), `none` (not kept). */
export const LIST_ARCHIVES = ['public', 'private', 'none'] as const;

/** Languages of mlmmj's list texts (Debian's /usr/share/mlmmj/text.skel). */
export const LIST_LANGUAGES = ['en', 'de', 'fr', 'it', 'pt', 'cs', 'fi', 'sk', 'gr', 'ast', 'zh-cn'] as const;

/** A mailing list `name@domain` (orchestra's List), run by mlmmj. */
export const MailingListSpec = z.strictObject({
  name: ListName,
  /** A domain of the account (or a subdomain of one), e.g. lists.example.org. */
  domain: ListDomain,
  /** The list owner: receives moderation requests and notifications (mlmmj's control/owner). */
  admin: Email,
  description: Line(200).default(''),
  /** Prepended to the subject of each post, e.g. [news]. */
  subjectPrefix: Line(40).pipe(z.string().min(1, 'Leave the prefix out for none')).optional(),
  archive: z.enum(LIST_ARCHIVES).default('private'),
  language: z.enum(LIST_LANGUAGES).default('en'),
  /** A disabled list keeps its folder (archive, subscribers) but receives no mail: its Postfix entries are removed. */
  disabled: z.boolean().default(false),
});
export type MailingListSpec = z.output<typeof MailingListSpec>;

/** `lists.example.org` → itself and each parent with at least two labels (the domain services that may own it). */
function owningDomains(name: string): string[] {
  const labels = name.split('.');
  const names: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) names.push(labels.slice(i).join('.'));
  return names;
}

/** The domain a list's address needs in its own account. */
export function mailingListReferences(spec: MailingListSpec): ServiceReference[] {
  return [
    {
      kind: 'domain',
      anyOf: owningDomains(spec.domain),
      path: ['domain'],
      message: `Add the domain ${owningDomains(spec.domain).at(-1)} (or ${spec.domain}) to this account first`,
    },
  ];
}

/**
 * A header phrase for List-Id (RFC 2919): an RFC 5322 quoted string for ASCII text, an RFC 2047 encoded word
 * (UTF-8, base64) otherwise, so no description can add a header or break this one.
 */
export function headerPhrase(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

/** The mlmmj control files a spec sets (name → content); booleans are files whose presence is the setting. */
export function controlFiles(spec: MailingListSpec): Record<string, string | undefined> {
  const address = `${spec.name}@${spec.domain}`;
  const listId = `${spec.name}.${spec.domain}`;
  return {
    listaddress: address,
    owner: spec.admin,
    customheaders: spec.description ? `List-Id: ${headerPhrase(spec.description)} <${listId}>` : `List-Id: <${listId}>`,
    prefix: spec.subjectPrefix,
    noarchive: spec.archive === 'none' ? '' : undefined,
    noget: spec.archive === 'none' ? '' : undefined,
    subonlyget: spec.archive === 'private' ? '' : undefined,
  };
}

const mlmmj: BackendDefinition<MailingListSpec> = {
  name: 'mlmmj',
  label: 'mlmmj (Postfix transport)',
  templates: 'provisioning/mailinglist/mlmmj',
  config: {
    'mlmmj.spool_dir': '/var/spool/mlmmj',
    // The user Postfix's mlmmj transport runs as (master.cf: pipe flags=ORhu user=mlmmj); it owns each list folder.
    'mlmmj.user': 'mlmmj',
    'mlmmj.texts_dir': '/usr/share/mlmmj/text.skel',
    'mlmmj.virtual_map': '/var/spool/mlmmj/virtual',
    'mlmmj.transport_map': '/var/spool/mlmmj/transport',
    'mlmmj.map_type': 'hash',
    'mlmmj.postmap': 'postmap',
    // Postfix notices rebuilt hash/lmdb maps by itself; set e.g. "postfix reload" for other setups.
    'mlmmj.reload': 'true',
  },
  context: ({ service, config }) => {
    const spec = service.spec;
    const spool = settingPath(config, 'mlmmj.spool_dir');
    const mapType = config['mlmmj.map_type'] ?? '';
    if (!/^(hash|btree|lmdb|cdb|texthash)$/.test(mapType)) {
      throw new DomainError(
        'invalid_host_config',
        `Host setting mlmmj.map_type must be hash, btree, lmdb, cdb or texthash (got "${mapType}")`,
      );
    }
    const control = controlFiles(spec);
    const managed = Object.keys(control);
    const owner = settingPosixName(config, 'mlmmj.user');
    return {
      list_name: spec.name,
      list_domain: spec.domain,
      address: `${spec.name}@${spec.domain}`,
      // The dummy address linking the virtual alias to the transport (README.postfix, hierarchical spool).
      transport_address: `${spec.domain}--${spec.name}@localhost.mlmmj`,
      transport_target: `mlmmj:${spec.domain}/${spec.name}`,
      list_dir: `${spool === '/' ? '' : spool}/${spec.domain}/${spec.name}`,
      spool_dir: spool,
      list_user: owner,
      texts: `${settingPath(config, 'mlmmj.texts_dir')}/${spec.language}`,
      control: managed.filter((k) => control[k] !== undefined).map((k) => ({ file: k, content: control[k]! })),
      control_unset: managed.filter((k) => control[k] === undefined),
      is_disabled: spec.disabled ? 'yes' : 'no',
      virtual_map: settingPath(config, 'mlmmj.virtual_map'),
      transport_map: settingPath(config, 'mlmmj.transport_map'),
    };
  },
};

export const mailingList = defineServiceType({
  kind: 'mailinglist',
  label: 'Mailing list',
  spec: MailingListSpec,
  ui: {
    order: ['name', 'domain', 'admin', 'description', 'subjectPrefix', 'archive', 'language', 'disabled'],
    identity: ['name', 'domain'],
    fields: {
      name: { label: 'List name (before the @)' },
      domain: { label: 'Domain', widget: 'select', ref: { kind: 'domain' } },
      admin: { label: 'Owner e-mail' },
      description: { label: 'Description' },
      subjectPrefix: { label: 'Subject prefix', placeholder: '[news]' },
      archive: { label: 'Archive', options: { public: 'Public', private: 'Private', none: 'No archive' } },
      language: {
        label: 'Language',
        options: {
          en: 'English',
          de: 'German',
          fr: 'French',
          it: 'Italian',
          pt: 'Portuguese',
          cs: 'Czech',
          fi: 'Finnish',
          sk: 'Slovak',
          gr: 'Greek',
          ast: 'Asturian',
          'zh-cn': 'Simplified Chinese',
        },
      },
      disabled: { label: 'Disabled' },
    },
    translations: mailingListTranslations,
  },
  customer: {
    create: true,
    change: true,
    delete: true,
    fields: ['name', 'domain', 'admin', 'description', 'subjectPrefix', 'archive', 'language', 'disabled'],
  },
  identity: (spec) => `${spec.name}@${spec.domain}`,
  references: mailingListReferences,
  metrics: { lists: () => 1 },
  backends: [mlmmj],
});
