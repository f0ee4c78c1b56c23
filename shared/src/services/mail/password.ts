import { sha512 } from '@noble/hashes/sha2';
import { z } from 'zod';
import { isPlainText } from './names';

// Mailbox passwords are stored only as Dovecot `{SHA512-CRYPT}` hashes (glibc crypt `$6$`, Drepper's SHA-crypt
// specification), computed here in pure TypeScript over @noble/hashes' SHA-512: no plain password is ever stored
// or sent to a host. Dovecot verifies it with the system's crypt(3), which every glibc supports.

/** The scheme prefix Dovecot reads in a passwd-file. */
export const PASSWORD_SCHEME = 'SHA512-CRYPT';

/** glibc's default rounds, what `doveadm pw -s SHA512-CRYPT` uses (the hash then carries no `rounds=`). */
export const SHA512_CRYPT_ROUNDS = 5000;

const ITOA64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// The order in which SHA-512 crypt spreads the 64 digest bytes over its base64 output (three bytes per four characters).
const ORDER = [
  [0, 21, 42],
  [22, 43, 1],
  [44, 2, 23],
  [3, 24, 45],
  [25, 46, 4],
  [47, 5, 26],
  [6, 27, 48],
  [28, 49, 7],
  [50, 8, 29],
  [9, 30, 51],
  [31, 52, 10],
  [53, 11, 32],
  [12, 33, 54],
  [34, 55, 13],
  [56, 14, 35],
  [15, 36, 57],
  [37, 58, 16],
  [59, 17, 38],
  [18, 39, 60],
  [40, 61, 19],
  [62, 20, 41],
] as const;

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** `bytes` repeated to exactly `length` bytes. */
function stretch(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = bytes[i % bytes.length]!;
  return out;
}

function encode(digest: Uint8Array): string {
  let out = '';
  const put = (value: number, chars: number) => {
    for (let i = 0; i < chars; i++, value >>>= 6) out += ITOA64[value & 0x3f];
  };
  for (const [a, b, c] of ORDER) put((digest[a]! << 16) | (digest[b]! << 8) | digest[c]!, 4);
  put(digest[63]!, 2);
  return out;
}

/**
 * SHA-512 crypt (`$6$[rounds=N$]salt$hash`) of a password, as glibc's crypt(3) computes it.
 * @example sha512Crypt('secret', 'saltsalt') // → '$6$saltsalt$…'
 */
export function sha512Crypt(password: string, salt: string, rounds = SHA512_CRYPT_ROUNDS): string {
  if (!/^[./0-9A-Za-z]{1,16}$/.test(salt)) throw new RangeError('A SHA-512 crypt salt has 1–16 characters of ./0-9A-Za-z');
  if (!Number.isInteger(rounds) || rounds < 1000 || rounds > 999_999_999) throw new RangeError('Rounds must be 1000–999999999');
  const p = new TextEncoder().encode(password);
  const s = new TextEncoder().encode(salt);
  const b = sha512(concat([p, s, p]));
  const a: Uint8Array[] = [p, s, stretch(b, p.length)];
  for (let n = p.length; n > 0; n >>>= 1) a.push(n & 1 ? b : p);
  let c = sha512(concat(a));
  const pBytes = stretch(sha512(concat(Array.from({ length: p.length }, () => p))), p.length);
  const sBytes = stretch(sha512(concat(Array.from({ length: 16 + c[0]! }, () => s))), s.length);
  for (let i = 0; i < rounds; i++) {
    const parts: Uint8Array[] = [i & 1 ? pBytes : c];
    if (i % 3) parts.push(sBytes);
    if (i % 7) parts.push(pBytes);
    parts.push(i & 1 ? c : pBytes);
    c = sha512(concat(parts));
  }
  const prefix = rounds === 5000 ? '$6$' : `$6$rounds=${rounds}$`;
  return `${prefix}${salt}$${encode(c)}`;
}

/** A random 16-character crypt salt (Web Crypto's getRandomValues: a standard global in Node, Lambda and browsers). */
export function cryptSalt(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => ITOA64[b & 0x3f]).join('');
}

/** A password as Dovecot stores it: `{SHA512-CRYPT}$6$salt$hash`, with a fresh salt. */
export function dovecotPasswordHash(password: string): string {
  return `{${PASSWORD_SCHEME}}${sha512Crypt(password, cryptSalt())}`;
}

/** Whether `password` matches a stored `{SHA512-CRYPT}` hash. */
export function verifyDovecotPassword(password: string, stored: string): boolean {
  const match = /^\{SHA512-CRYPT\}\$6\$(?:rounds=(\d+)\$)?([./0-9A-Za-z]{1,16})\$[./0-9A-Za-z]{86}$/.exec(stored);
  if (!match) return false;
  const rounds = match[1] ? Number(match[1]) : 5000;
  const expected = stored.slice(`{${PASSWORD_SCHEME}}`.length);
  const actual = sha512Crypt(password, match[2]!, rounds);
  // Constant-time comparison of two strings of the same alphabet.
  let diff = expected.length ^ actual.length;
  for (let i = 0; i < Math.min(expected.length, actual.length); i++) diff |= expected.charCodeAt(i) ^ actual.charCodeAt(i);
  return diff === 0;
}

/** A stored hash as it may be submitted back (or imported from another Dovecot): `{SHA512-CRYPT}$6$…` only. */
export const DovecotPasswordHash = z
  .string()
  .max(200)
  .regex(
    /^\{SHA512-CRYPT\}\$6\$(?:rounds=\d{4,9}\$)?[./0-9A-Za-z]{1,16}\$[./0-9A-Za-z]{86}$/,
    'Use a {SHA512-CRYPT}$6$… hash, or set a new password instead',
  );

/** A new mailbox password: 10–128 characters, no control characters (IMAP and SMTP clients cannot send them). */
export const MailboxPassword = z
  .string()
  .min(10, 'Use at least 10 characters')
  .max(128, 'Use at most 128 characters')
  .refine((value) => isPlainText(value), 'A password cannot contain control characters or line breaks');
