import { z } from 'zod';
import { DomainError } from '../../core/errors';
import { parseDomainName } from '../domain/records';
import type { ServiceReference } from '../define-service-type';

// Mail addresses end up as keys and values of Postfix lookup tables (`key value` lines), Dovecot passwd-file fields
// (`:`-separated) and Sieve strings. The schemas keep them to lower-case ASCII letters, digits and `. _ -` (`+` too
// for external forwards): no blanks, `:`, `#`, `,`, quotes or control characters, so no value can split a line or a
// field, whichever file reads it. Local parts are lower-cased (Postfix looks addresses up in lower case anyway).

const LOCAL_PART = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,62}[a-z0-9_-]$|^[a-z0-9]$/;
// External addresses may use `+` (sub-addressing) and `=`, common in list and bounce addresses.
const FORWARD_LOCAL_PART = /^[a-z0-9_](?:[a-z0-9_+=-]|\.(?!\.)){0,62}[a-z0-9_+=-]$|^[a-z0-9_]$/;

/**
 * The part before `@` of a mailbox or address this panel hosts: 1–64 characters, lower-case letters, digits, `.`,
 * `_` and `-`, starting with a letter or digit, no `..` and no trailing dot. No `+`: that is the recipient delimiter.
 */
export const MailLocalPart = z
  .string()
  .max(100)
  .transform((value) => value.toLowerCase())
  .refine(
    (value) => LOCAL_PART.test(value),
    'Use 1–64 letters, digits, dots, _ or -, starting with a letter or digit (e.g. alice or sales.team)',
  );

/** The domain of a hosted mailbox or address, e.g. `example.org` (IDN accepted and stored as punycode). */
export const MailDomain = z
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

function splitAddress(value: string): [string, string] | undefined {
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1 || value.indexOf('@') !== at) return undefined;
  return [value.slice(0, at), value.slice(at + 1)];
}

/** A hosted mailbox's address as other services refer to it: `alice@example.org`. */
export const MailboxAddress = z
  .string()
  .max(400)
  .transform((value, ctx) => {
    const parts = splitAddress(value.trim());
    const local = parts && MailLocalPart.safeParse(parts[0]);
    const domain = parts && MailDomain.safeParse(parts[1]);
    if (!local?.success || !domain?.success) {
      ctx.addIssue({ code: 'custom', message: 'Use the address of a mailbox of this account, e.g. alice@example.org' });
      return z.NEVER;
    }
    return `${local.data}@${domain.data}`;
  });

/** An external address mail is forwarded to, e.g. `someone+list@example.net` (lower-cased, IDN as punycode). */
export const ForwardAddress = z
  .string()
  .max(400)
  .transform((value, ctx) => {
    const parts = splitAddress(value.trim().toLowerCase());
    const domain = parts && parseDomainName(parts[1]);
    if (!parts || !FORWARD_LOCAL_PART.test(parts[0]) || !domain || 'problem' in domain) {
      ctx.addIssue({
        code: 'custom',
        message: 'Use an e-mail address such as someone@example.net (letters, digits and . _ + = - before the @)',
      });
      return z.NEVER;
    }
    return `${parts[0]}@${domain.name}`;
  });

/** `mail.shop.example.org` → the domain services that may own it: itself and each parent with at least two labels. */
export function owningDomains(name: string): string[] {
  const labels = name.split('.');
  const names: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) names.push(labels.slice(i).join('.'));
  return names;
}

/** The reference of a mail domain to a `domain` service of the same account (it or a parent domain). */
export function mailDomainReference(domain: string, path: (string | number)[]): ServiceReference {
  const owners = owningDomains(domain);
  return {
    kind: 'domain',
    anyOf: owners,
    path,
    message: `Add the domain ${owners.at(-1)} (or ${domain}) to this account first`,
  };
}

// Host settings are written into scripts and files: the same plain forms the scripts' consort_path demands.
const HOST_PATH = /^\/[A-Za-z0-9._/+@-]*$/;

/** An absolute host path setting (validated; trailing slashes dropped). */
export function hostPath(config: Record<string, string>, key: string): string {
  const value = config[key] ?? '';
  if (!HOST_PATH.test(value) || value.split('/').includes('..')) {
    throw new DomainError(
      'invalid_host_config',
      `Host setting ${key} must be an absolute path of letters, digits and ._/+@- (got "${value}")`,
    );
  }
  return value.replace(/(.)\/+$/, '$1');
}

/** A numeric uid or gid setting above 0 (mail is never stored as root). */
export function hostId(config: Record<string, string>, key: string): number {
  const value = config[key] ?? '';
  if (!/^\d{1,10}$/.test(value) || Number(value) < 1 || Number(value) > 4294967294) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be a numeric id above 0 (got "${value}")`);
  }
  return Number(value);
}

/** A setting that is one name from a fixed list. */
export function hostChoice<T extends string>(config: Record<string, string>, key: string, choices: readonly T[]): T {
  const value = config[key] ?? '';
  if (!(choices as readonly string[]).includes(value)) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be one of ${choices.join(', ')} (got "${value}")`);
  }
  return value as T;
}

/** A group name setting, or empty for "leave the file's group as it is". */
export function hostGroup(config: Record<string, string>, key: string): string {
  const value = config[key] ?? '';
  if (value && !/^[a-z_][a-z0-9_-]{0,31}$/.test(value)) {
    throw new DomainError('invalid_host_config', `Host setting ${key} must be a group name or empty (got "${value}")`);
  }
  return value;
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Text that encodes as valid UTF-8 (no lone surrogate halves) and has no control characters or line separators. */
export function isPlainText(value: string, allow: RegExp = /(?!)/): boolean {
  return !LONE_SURROGATE.test(value) && !/[\p{Cc}\p{Zl}\p{Zp}]/u.test(value.replace(allow, ''));
}
