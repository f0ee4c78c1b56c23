import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { CryptoPort } from '../../ports/crypto';

function scryptAsync(password: string, salt: Buffer, keylen: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, keylen, options, (err, key) => (err ? reject(err) : resolve(key))));
}

const DEFAULT = { N: 2 ** 15, r: 8, p: 1 };

/**
 * Node's crypto behind the CryptoPort. Passwords: scrypt N=2^15, r=8, p=1 (OWASP's minimum for scrypt),
 * stored as `scrypt$N$r$p$salt$hash` so parameters can rise later without breaking old hashes.
 * `cost` lowers N for tests only.
 */
export function nodeCrypto(cost: { N: number } = DEFAULT): CryptoPort {
  const params = { ...DEFAULT, ...cost };
  return {
    async hashPassword(password) {
      const salt = randomBytes(16);
      const hash = await scryptAsync(password.normalize('NFKC'), salt, 32, { ...params, maxmem: 128 * params.N * params.r * 2 });
      return ['scrypt', params.N, params.r, params.p, salt.toString('base64url'), hash.toString('base64url')].join('$');
    },
    async verifyPassword(password, stored) {
      const [scheme, n, r, p, salt, hash] = stored.split('$');
      if (scheme !== 'scrypt' || !n || !r || !p || !salt || !hash) return false;
      const N = Number(n);
      const expected = Buffer.from(hash, 'base64url');
      const actual = await scryptAsync(password.normalize('NFKC'), Buffer.from(salt, 'base64url'), expected.length, {
        N,
        r: Number(r),
        p: Number(p),
        maxmem: 128 * N * Number(r) * 2,
      });
      return timingSafeEqual(expected, actual);
    },
    randomToken: (bytes) => randomBytes(bytes).toString('base64url'),
    sha256: (value) => createHash('sha256').update(value).digest('hex'),
    safeEqual(a, b) {
      const x = Buffer.from(a);
      const y = Buffer.from(b);
      return x.length === y.length && timingSafeEqual(x, y);
    },
  };
}
