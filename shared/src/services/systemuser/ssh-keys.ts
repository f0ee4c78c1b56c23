import { z } from 'zod';

// OpenSSH public keys as they appear in authorized_keys (sshd(8) "AUTHORIZED_KEYS FILE FORMAT"), without options:
// `command=`, `from=` and friends are quoted strings with their own escaping rules and change what a key may do, so
// the panel does not accept them. The key blob is decoded and checked against its type (RFC 4253 §6.6, RFC 5656,
// RFC 8709, PROTOCOL.u2f), which catches truncated pastes and a type that does not match the data.
// Pure: `atob` and `TextDecoder` are standard globals in Node, Lambda and browsers.

/** Key types accepted; DSA (`ssh-dss`) is gone from OpenSSH and refused. */
export const SSH_KEY_TYPES = [
  'ssh-ed25519',
  'ssh-rsa',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'sk-ssh-ed25519@openssh.com',
  'sk-ecdsa-sha2-nistp256@openssh.com',
] as const;
type SshKeyType = (typeof SSH_KEY_TYPES)[number];

/** RSA keys below this size are refused (OpenSSH 8.8+ and NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;

const MAX_LINE = 16_384;

class Reader {
  private offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset === this.bytes.length;
  }

  /** One SSH `string` (uint32 length + bytes); undefined when the blob is too short. */
  next(): Uint8Array | undefined {
    if (this.offset + 4 > this.bytes.length) return undefined;
    const b = this.bytes;
    const o = this.offset;
    const length = ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
    if (this.offset + 4 + length > this.bytes.length) return undefined;
    this.offset += 4 + length;
    return this.bytes.subarray(o + 4, o + 4 + length);
  }
}

function ascii(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  let out = '';
  for (const b of bytes) {
    if (b < 0x20 || b > 0x7e) return undefined;
    out += String.fromCharCode(b);
  }
  return out;
}

/** Bits of an SSH mpint (big-endian, two's complement, possibly with a leading 0x00). */
function mpintBits(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

function decodeBase64(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return undefined;
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** Why the blob does not hold a key of `type`, or undefined when it does. */
function blobProblem(type: SshKeyType, blob: Uint8Array): string | undefined {
  const reader = new Reader(blob);
  const inner = ascii(reader.next());
  if (inner !== type) return `The key data does not hold a ${type} key (it says ${inner ? JSON.stringify(inner) : 'nothing readable'})`;
  const truncated = 'The key data is cut short; copy the whole line from the .pub file';
  switch (type) {
    case 'ssh-ed25519':
    case 'sk-ssh-ed25519@openssh.com': {
      if (reader.next()?.length !== 32) return truncated;
      if (type.startsWith('sk-') && !ascii(reader.next())?.length) return truncated; // application, e.g. "ssh:"
      break;
    }
    case 'ssh-rsa': {
      const e = reader.next();
      const n = reader.next();
      if (!e || !n) return truncated;
      const bits = mpintBits(n);
      if (bits < MIN_RSA_BITS) return `This RSA key has ${bits} bits; use at least ${MIN_RSA_BITS} (or an ed25519 key)`;
      break;
    }
    default: {
      // ecdsa-sha2-<curve>: the curve name, then the point.
      const curve = ascii(reader.next());
      if (!curve || !type.includes(`-${curve}`)) return `The key data names the curve ${curve ?? '?'}, not the one of ${type}`;
      if (!reader.next()?.length) return truncated;
      if (type.startsWith('sk-') && !ascii(reader.next())?.length) return truncated;
    }
  }
  if (!reader.done) return 'The key data has extra bytes after the key; copy the line again from the .pub file';
  return undefined;
}

/** Parse one authorized_keys line into `type base64 [comment]`, or say why it is not acceptable. */
export function parseAuthorizedKey(input: string): { key: string; type: SshKeyType; blob: string } | { problem: string } {
  if (input.length > MAX_LINE) return { problem: `A key line has at most ${MAX_LINE} characters` };
  // Anything that could end the line (LF, CR, NUL, U+2028…) or hide text (bidi overrides) is refused outright.
  if (/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u.test(input.replace(/\t/g, ' ')))
    return { problem: 'Paste one key per entry, without line breaks or control characters' };
  const line = input.trim();
  if (line.startsWith('-----BEGIN'))
    return { problem: 'This is a private key: paste the public key (the .pub file) and keep this one secret' };
  const match = /^(\S+)[ \t]+(\S+)(?:[ \t]+(.*))?$/.exec(line);
  if (!match) return { problem: 'Paste the whole public key line, e.g. ssh-ed25519 AAAAC3… you@laptop' };
  const [, type, data, comment] = match as unknown as [string, string, string, string | undefined];
  if (!(SSH_KEY_TYPES as readonly string[]).includes(type)) {
    return {
      problem: /[=,"]/.test(type)
        ? 'Key options such as command= or from= are not supported; paste only the key line'
        : `Unsupported key type ${JSON.stringify(type.slice(0, 40))}; use ${SSH_KEY_TYPES.slice(0, 2).join(' or ')}`,
    };
  }
  const blob = decodeBase64(data);
  if (!blob) return { problem: 'The key data is not valid base64; copy the whole line from the .pub file' };
  const problem = blobProblem(type as SshKeyType, blob);
  if (problem) return { problem };
  const note = (comment ?? '').replace(/[ \t]+/g, ' ').trim();
  if (note.length > 200) return { problem: 'The key comment has at most 200 characters' };
  return { key: note ? `${type} ${data} ${note}` : `${type} ${data}`, type: type as SshKeyType, blob: data };
}

/** One OpenSSH public key line, normalised to `type base64 [comment]` (single spaces, no options). */
export const AuthorizedKey = z
  .string()
  .max(MAX_LINE + 1000)
  .transform((value, ctx) => {
    const parsed = parseAuthorizedKey(value);
    if ('problem' in parsed) {
      ctx.addIssue({ code: 'custom', message: parsed.problem });
      return z.NEVER;
    }
    return parsed.key;
  });
