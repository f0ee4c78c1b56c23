import { z } from 'zod';

// POSIX user and group names as shadow-utils accepts them with Debian's default NAME_REGEX, narrowed: a lower-case
// letter first (a leading `_` marks system accounts such as _apt), at most 32 characters (utmp), no trailing `$`
// (Samba machine accounts). Only ASCII: a look-alike such as a Cyrillic `а` is refused, not mapped.
const POSIX_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * Names a customer may not take: the accounts Debian and its common daemons create, and names that people or
 * tools treat as administrative. Consort also refuses to touch any existing user it did not create (the script
 * checks its marker), so this list is about clarity up front, not the last line of defence.
 */
export const RESERVED_USERNAMES: ReadonlySet<string> = new Set(
  (
    'root daemon bin sys sync games man lp mail news uucp proxy www-data backup list irc gnats nobody nogroup ' +
    'messagebus sshd ntp systemd-network systemd-resolve systemd-timesync systemd-coredump syslog postfix dovecot ' +
    'dovenull vmail mysql mariadb postgres bind named nginx apache httpd redis memcache mailman ftp sftp admin ' +
    'administrator operator consort hostmaster postmaster webmaster abuse security support sudo wheel staff ' +
    'shadow docker lxd adm git ubuntu debian user guest test tty disk kmem dialout cdrom floppy audio video ' +
    'plugdev netdev users systemd-journal input kvm render crontab ssl-cert utmp tss polkitd avahi uuidd tcpdump ' +
    'opendkim clamav amavis spamd debian-spamd rspamd unbound dnsmasq haproxy varnish letsencrypt certbot acme ' +
    'rabbitmq epmd mosquitto nats prometheus grafana'
  ).split(' '),
);

/**
 * Groups that grant privileges beyond one's own files (root-equivalent or reading other users' secrets). A host
 * can only offer groups from its own `unix.allowed_groups` list, and these are refused even if a host lists them.
 */
export const PRIVILEGED_GROUPS: ReadonlySet<string> = new Set(
  (
    'root sudo wheel admin adm shadow disk kmem mem tty docker lxd libvirt kvm systemd-journal staff src sys bin ' +
    'daemon utmp crontab ssl-cert lpadmin sambashare netdev input video render audio dialout tss operator backup ' +
    'mail postfix postdrop dovecot mysql postgres bind ssh _ssh sshd nogroup'
  ).split(' '),
);

function posixName(what: 'user' | 'group', reserved: ReadonlySet<string>, reservedMessage: string) {
  return z
    .string()
    .max(64)
    .superRefine((value, ctx) => {
      if (!POSIX_NAME.test(value)) {
        ctx.addIssue({
          code: 'custom',
          message: `A ${what} name has 1–32 characters: a lower-case letter, then lower-case letters, digits, _ or -`,
        });
      } else if (reserved.has(value)) {
        ctx.addIssue({ code: 'custom', message: reservedMessage });
      }
    });
}

/** A unix user name a customer may choose: POSIX form, ASCII only, not a system or administrative name. */
export const PosixUsername = posixName('user', RESERVED_USERNAMES, 'This name is reserved for the system; choose another');

/** A supplementary group name: POSIX form and not a privileged group. Hosts decide which ones exist. */
export const PosixGroupName = posixName('group', PRIVILEGED_GROUPS, 'This group grants administrative rights and cannot be joined');

/** Whether `value` is a syntactically valid POSIX user or group name (no reserved-name check). */
export function isPosixName(value: string): boolean {
  return POSIX_NAME.test(value);
}
