import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { DomainError } from '../../core/errors';
import type { SecretBox } from '../../ports/transport';

const VERSION = 'v1';
// Binds ciphertexts to this use: a value sealed for something else with the same key does not open here.
const AAD = Buffer.from('consort-secret-box:v1');

/**
 * AES-256-GCM SecretBox under a 32-byte master key (the local runtime's `.data/master.key`).
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url; a fresh 96-bit IV per seal.
 */
export class AesSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new TypeError(`AesSecretBox needs a 32-byte key (got ${key.length} bytes)`);
    this.key = Buffer.from(key);
  }

  async seal(plaintext: string): Promise<string> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
  }

  async open(sealed: string): Promise<string> {
    const [version, iv, tag, ciphertext, ...rest] = sealed.split('.');
    if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined || rest.length) {
      throw new DomainError('secret_unreadable', 'This secret was not sealed by this secret box (unknown format)');
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'), { authTagLength: 16 });
      decipher.setAAD(AAD);
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch (error) {
      throw new DomainError('secret_unreadable', 'This secret cannot be opened: wrong master key or tampered data', undefined, {
        cause: error,
      });
    }
  }
}
