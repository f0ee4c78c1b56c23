import { hmac } from '@noble/hashes/hmac';
import { sha1 } from '@noble/hashes/legacy';
import { pbkdf2 } from '@noble/hashes/pbkdf2';
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, randomBytes, utf8ToBytes } from '@noble/hashes/utils';

// Password verifiers computed in the domain, so a database user's plaintext password never reaches the store, the
// queue or a script: the servers accept these forms directly (MySQL `IDENTIFIED WITH mysql_native_password AS`,
// PostgreSQL `PASSWORD 'SCRAM-SHA-256$…'`). Pure JS hashes (@noble/hashes): the same code runs in Lambda and browsers.

/** Iterations PostgreSQL itself uses for SCRAM-SHA-256 (scram_iterations default). */
export const SCRAM_ITERATIONS = 4096;

/** `*` + upper-case hex of SHA1(SHA1(password)): the `mysql_native_password` authentication string. */
export function mysqlNativePassword(password: string): string {
  return `*${bytesToHex(sha1(sha1(utf8ToBytes(password)))).toUpperCase()}`;
}

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/**
 * A PostgreSQL SCRAM-SHA-256 secret (RFC 5802/7677, as `scram_build_secret` writes it):
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`, all base64. The password must already be in SASLprep
 * form; printable ASCII (what the schema accepts) is.
 */
export function scramSha256(password: string, salt: Uint8Array = randomBytes(16), iterations = SCRAM_ITERATIONS): string {
  const salted = pbkdf2(sha256, utf8ToBytes(password), salt, { c: iterations, dkLen: 32 });
  const storedKey = sha256(hmac(sha256, salted, utf8ToBytes('Client Key')));
  const serverKey = hmac(sha256, salted, utf8ToBytes('Server Key'));
  return `SCRAM-SHA-256$${iterations}:${base64(salt)}$${base64(storedKey)}:${base64(serverKey)}`;
}

/** The verifier forms accepted as `passwordHash` (what the functions above produce). */
export const MYSQL_NATIVE_PATTERN = /^\*[0-9A-F]{40}$/;
export const SCRAM_PATTERN = /^SCRAM-SHA-256\$[1-9][0-9]{3,6}:[A-Za-z0-9+/]{4,88}={0,2}\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/;
