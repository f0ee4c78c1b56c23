import { z } from 'zod';
import { defineServiceType, type BackendDefinition } from '../define-service-type';
import { hostChoice, hostGroup, hostId, hostPath, mailDomainReference, MailDomain, MailLocalPart } from './names';
import { DovecotPasswordHash, dovecotPasswordHash, MailboxPassword } from './password';
import { mailboxTranslations } from './translations';

/** Largest mailbox quota: 1 TiB. */
export const MAX_QUOTA_MB = 1_048_576;

/**
 * A mailbox `name@domain` (orchestra's Mailbox): IMAP/POP login, Maildir storage and a quota. The password is
 * write-only: a submitted `password` is hashed at once (`{SHA512-CRYPT}`) and only `passwordHash` is stored and
 * returned, so a spec read back from the API can be submitted again unchanged.
 */
export const MailboxSpec = z
  .object({
    name: MailLocalPart,
    domain: MailDomain,
    /** A new password (write-only: replaced by `passwordHash`). */
    password: MailboxPassword.optional(),
    /** The stored hash; kept when no new password is given. */
    passwordHash: DovecotPasswordHash.optional(),
    /** Storage quota in MiB (Dovecot's quota plugin enforces it). */
    quotaMb: z.number().int().min(1).max(MAX_QUOTA_MB).default(1024),
    /** A disabled mailbox cannot log in; mail to it is still accepted and stored (nothing bounces or is lost). */
    disabled: z.boolean().default(false),
  })
  .transform(({ password, passwordHash, ...rest }, ctx) => {
    const hash = password !== undefined ? dovecotPasswordHash(password) : passwordHash;
    if (!hash) {
      ctx.addIssue({ code: 'custom', path: ['password'], message: 'Set a password for this mailbox' });
      return z.NEVER;
    }
    return { ...rest, passwordHash: hash };
  });
export type MailboxSpec = z.output<typeof MailboxSpec>;

/** Settings of the Postfix backends (mailbox and mail address), with Debian-style defaults. */
export const POSTFIX_CONFIG = {
  // main.cf points at the generated tables in this folder (see templates/provisioning/mail/README.md).
  'postfix.maps_dir': '/etc/postfix/consort',
  'postfix.map_type': 'hash',
  'postfix.postmap': 'postmap',
  'postfix.reload': 'postfix reload',
};

/** Lookup table types `postmap` can build from a text file on a stock Debian Postfix. */
export const POSTFIX_MAP_TYPES = ['hash', 'lmdb', 'cdb', 'btree'] as const;

/** What every Postfix section renders from. */
export function postfixContext(config: Record<string, string>) {
  return {
    maps_dir: hostPath(config, 'postfix.maps_dir'),
    map_type: hostChoice(config, 'postfix.map_type', POSTFIX_MAP_TYPES),
  };
}

/** Settings of the Dovecot backends (mailbox users and vacation scripts). */
export const DOVECOT_CONFIG = {
  'dovecot.passwd_file': '/etc/dovecot/consort/users',
  'dovecot.passwd_group': 'dovecot',
  'dovecot.sieve_dir': '/etc/dovecot/consort/sieve',
  'dovecot.sievec': 'sievec',
  // passwd-file is re-read when it changes; flushing the auth cache makes a new password work at once.
  'dovecot.reload': 'doveadm auth cache flush',
  'mail.vmail_root': '/var/vmail',
  'mail.uid': '5000',
  'mail.gid': '5000',
};

const postfix: BackendDefinition<MailboxSpec> = {
  name: 'postfix',
  label: 'Postfix virtual mailbox',
  templates: 'provisioning/mailbox/postfix',
  config: POSTFIX_CONFIG,
  context: ({ service, config }) => ({
    ...postfixContext(config),
    address: `${service.spec.name}@${service.spec.domain}`,
    // Relative to virtual_mailbox_base; only Postfix's own `virtual` delivery agent reads it (LMTP to Dovecot does not).
    maildir: `${service.spec.domain}/${service.spec.name}/`,
  }),
};

const dovecot: BackendDefinition<MailboxSpec> = {
  name: 'dovecot',
  label: 'Dovecot passwd-file user',
  templates: 'provisioning/mailbox/dovecot',
  config: DOVECOT_CONFIG,
  context: ({ service, config }) => {
    const spec = service.spec;
    const user = `${spec.name}@${spec.domain}`;
    const home = `${hostPath(config, 'mail.vmail_root')}/${spec.domain}/${spec.name}`;
    // user:password:uid:gid:gecos:home:shell:extra fields (passwd-file). A disabled mailbox keeps its userdb entry
    // (delivery still works) but its passdb lookup refuses every login.
    const extra = [
      `userdb_quota_rule=*:storage=${spec.quotaMb}M`,
      ...(spec.disabled ? ['noauthenticate', 'nologin', 'reason=disabled'] : []),
    ];
    return {
      user,
      passwd_line: [user, spec.passwordHash, hostId(config, 'mail.uid'), hostId(config, 'mail.gid'), '', home, '', extra.join(' ')].join(
        ':',
      ),
      passwd_file: hostPath(config, 'dovecot.passwd_file'),
      passwd_group: hostGroup(config, 'dovecot.passwd_group'),
      is_disabled: spec.disabled ? 'yes' : 'no',
    };
  },
};

export const mailbox = defineServiceType({
  kind: 'mailbox',
  label: 'Mailbox',
  spec: MailboxSpec,
  ui: {
    order: ['name', 'domain', 'password', 'quotaMb', 'disabled'],
    identity: ['name', 'domain'],
    fields: {
      name: { label: 'Name (before the @)', placeholder: 'alice' },
      domain: { label: 'Domain', widget: 'select', ref: { kind: 'domain' } },
      password: { label: 'Password', widget: 'password', secret: true, help: 'At least 10 characters' },
      passwordHash: { hidden: true },
      quotaMb: { label: 'Quota (MiB)' },
      disabled: { label: 'Disabled (cannot log in; mail is still accepted)' },
    },
    translations: mailboxTranslations,
  },
  customer: {
    create: true,
    change: true,
    delete: true,
    // A new password is stored as its hash: allowing one allows the other.
    fields: ['name', 'domain', 'password', 'passwordHash', 'quotaMb'],
    caps: { quotaMb: { limit: 'mailboxQuotaMb', default: 1024 } },
  },
  identity: (spec) => `${spec.name}@${spec.domain}`,
  references: (spec) => [mailDomainReference(spec.domain, ['domain'])],
  // disk: the quota in GiB (pricing rules rate it like orchestra's mailbox disk resource).
  metrics: { mailboxes: () => 1, disk: (spec) => spec.quotaMb / 1024 },
  backends: [postfix, dovecot],
});
