import { describe, expect, it } from 'vitest';
import { nodeCrypto } from '@consort/shared/adapters/crypto/node-crypto';

describe('nodeCrypto', () => {
  const crypto = nodeCrypto({ N: 2 ** 12 });

  it('hashes passwords with a salt and parameters and verifies only the right one', async () => {
    const a = await crypto.hashPassword('correct horse battery');
    const b = await crypto.hashPassword('correct horse battery');
    expect(a).toMatch(/^scrypt\$4096\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(a).not.toBe(b);
    expect(await crypto.verifyPassword('correct horse battery', a)).toBe(true);
    expect(await crypto.verifyPassword('correct horse batterx', a)).toBe(false);
    expect(await crypto.verifyPassword('anything', 'md5$abc')).toBe(false);
  });

  it('verifies hashes made with other parameters (cost can rise later)', async () => {
    const old = await nodeCrypto({ N: 2 ** 10 }).hashPassword('pässword-ünïcode');
    expect(await crypto.verifyPassword('pässword-ünïcode', old)).toBe(true);
    // NFKC: the composed and decomposed forms are the same password
    expect(await crypto.verifyPassword('pa\u0308ssword-u\u0308ni\u0308code', old)).toBe(true);
  });

  it('makes URL-safe random tokens and stable SHA-256 digests', () => {
    const t = crypto.randomToken(32);
    expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(crypto.randomToken(32)).not.toBe(t);
    expect(crypto.sha256('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(crypto.safeEqual('abc', 'abc')).toBe(true);
    expect(crypto.safeEqual('abc', 'abd')).toBe(false);
    expect(crypto.safeEqual('abc', 'abcd')).toBe(false);
  });
});
