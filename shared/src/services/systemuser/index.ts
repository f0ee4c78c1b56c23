import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { defineServiceType } from '../define-service-type';
import { isPosixName, PosixGroupName, PosixUsername, PRIVILEGED_GROUPS } from './names';
import { AuthorizedKey } from './ssh-keys';
import { systemUserTranslations } from './translations';

export * from './names';
export * from './ssh-keys';

/**
 * Login shells a customer can pick. `/usr/sbin/nologin` is the SFTP-only choice: it works for SFTP when the host's
 * sshd serves SFTP in-process (`Subsystem sftp internal-sftp`); no per-user sshd `Match` block is needed.
 */
export const SYSTEM_USER_SHELLS = ['/usr/sbin/nologin', '/bin/bash', '/bin/sh'] as const;

const unique =
  <T>(key: (item: T) => string, message: string) =>
  (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((item, index) => {
      const k = key(item);
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [index], message });
      seen.add(k);
    });
  };

/** A unix account for SFTP/SSH: the thesis's "panel users become unix users" (orchestra's SystemUser). */
export const SystemUserSpec = z.object({
  username: PosixUsername,
  shell: z.enum(SYSTEM_USER_SHELLS).default('/usr/sbin/nologin'),
  groups: z
    .array(PosixGroupName)
    .max(16)
    .default([])
    .superRefine(unique((g) => g, 'This group is listed twice')),
  authorizedKeys: z
    .array(AuthorizedKey)
    .max(100)
    .default([])
    // Same key material twice (whatever the comment) is a paste mistake.
    .superRefine(unique((k) => k.split(' ')[1]!, 'This key is listed twice')),
  /** A disabled user keeps its files but cannot log in (password locked, account expired, shell nologin). */
  disabled: z.boolean().default(false),
});
export type SystemUserSpec = z.output<typeof SystemUserSpec>;

const NOLOGIN = '/usr/sbin/nologin';

function flag(config: Record<string, string>, key: string): boolean {
  const value = config[key];
  if (value === 'true' || value === 'false') return value === 'true';
  throw new DomainError('invalid_host_config', `Host setting ${key} must be true or false (got "${value ?? ''}")`);
}

/** `unix.allowed_groups`: the supplementary groups this host offers, separated by blanks or commas. */
export function allowedGroups(config: Record<string, string>): Set<string> {
  const names = (config['unix.allowed_groups'] ?? '').split(/[\s,]+/).filter(Boolean);
  for (const name of names) {
    if (!isPosixName(name) || PRIVILEGED_GROUPS.has(name)) {
      throw new DomainError('invalid_host_config', `Host setting unix.allowed_groups lists "${name}", which is not a group users may join`);
    }
  }
  return new Set(names);
}

export const systemUser = defineServiceType({
  kind: 'systemuser',
  label: 'System user (SFTP/SSH)',
  spec: SystemUserSpec,
  ui: {
    order: ['username', 'shell', 'groups', 'authorizedKeys', 'disabled'],
    identity: ['username'],
    fields: {
      username: { label: 'User name' },
      shell: { label: 'Shell', help: 'nologin allows SFTP only' },
      groups: { label: 'Extra groups', widget: 'list' },
      authorizedKeys: { label: 'SSH public keys', widget: 'list', help: 'One OpenSSH public key per line' },
      disabled: { label: 'Disabled' },
    },
    translations: systemUserTranslations,
  },
  // Customers manage their own SSH keys; the account itself (shell, groups) is staff's.
  customer: { create: false, change: true, delete: false, fields: ['authorizedKeys'] },
  identity: (spec) => spec.username,
  metrics: { users: () => 1, keys: (spec) => spec.authorizedKeys.length },
  backends: [
    {
      name: 'unix',
      label: 'Unix user (shadow-utils)',
      templates: 'provisioning/systemuser/unix',
      files: { authorized_keys: 'authorized-keys.liquid' },
      config: {
        // Set to a scratch root to manage <prefix>/etc/passwd and homes under <prefix> (useradd --prefix).
        'unix.prefix': '',
        'unix.home_base': '/home',
        'unix.home_mode': '0750',
        'unix.allowed_groups': '',
        'unix.remove_home': 'false',
        'unix.useradd': 'useradd',
        'unix.usermod': 'usermod',
        'unix.userdel': 'userdel',
        'unix.groupadd': 'groupadd',
        'unix.setpriv': 'setpriv',
        'unix.reload': 'true',
      },
      context: ({ service, config }) => {
        const spec = service.spec;
        const allowed = allowedGroups(config);
        const refused = spec.groups.filter((g) => !allowed.has(g));
        if (refused.length) {
          throw new DomainError(
            'group_not_allowed',
            `This host does not offer the group${refused.length > 1 ? 's' : ''} ${refused.join(', ')} (host setting unix.allowed_groups)`,
          );
        }
        const mode = config['unix.home_mode'] ?? '';
        if (!/^0?[0-7]{3}$/.test(mode)) {
          throw new DomainError('invalid_host_config', `Host setting unix.home_mode must be an octal mode such as 0750 (got "${mode}")`);
        }
        return {
          username: spec.username,
          // The GECOS field marks the accounts this service owns; the scripts never touch a user without it.
          marker: `Consort ${service.id}`,
          shell: spec.disabled ? NOLOGIN : spec.shell,
          groups: spec.groups.join(','),
          is_disabled: spec.disabled ? 'yes' : 'no',
          authorized_keys: spec.authorizedKeys,
          prefix: config['unix.prefix'],
          home_base: config['unix.home_base'],
          home_mode: mode,
          remove_home: flag(config, 'unix.remove_home') ? 'yes' : 'no',
          useradd: config['unix.useradd'],
          usermod: config['unix.usermod'],
          userdel: config['unix.userdel'],
          groupadd: config['unix.groupadd'],
          setpriv: config['unix.setpriv'],
        };
      },
    },
  ],
});
