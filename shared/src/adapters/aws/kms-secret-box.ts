import { DecryptCommand, EncryptCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DomainError, TransientError } from '../../core/errors';
import type { SecretBox } from '../../ports/transport';

const PREFIX = 'kms1.';
// KMS Encrypt takes at most 4 KiB of plaintext (https://docs.aws.amazon.com/kms/latest/APIReference/API_Encrypt.html);
// an ed25519 private key in OpenSSH form is about 400 bytes.
const MAX_PLAINTEXT = 4096;
const TRANSIENT = new Set([
  'ThrottlingException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  'TimeoutError',
  'RequestTimeout',
]);

function mapError(error: unknown, doing: string): Error {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number }; $retryable?: unknown };
  const status = e.$metadata?.httpStatusCode ?? 0;
  if (TRANSIENT.has(e.name ?? '') || status >= 500 || e.$retryable) {
    return new TransientError(`KMS could not ${doing} now: ${e.name ?? 'error'}`, { cause: error });
  }
  return new DomainError('secret_unreadable', `KMS refused to ${doing}: ${e.name ?? 'error'}`, undefined, { cause: error });
}

/**
 * SecretBox over AWS KMS: Encrypt/Decrypt with a symmetric key, bound to an encryption context so a
 * ciphertext only opens for this purpose. Receives its client (built in functions/src/lib/aws-deps.ts).
 * Sealed form: `kms1.<ciphertext blob, base64url>`.
 */
export class KmsSecretBox implements SecretBox {
  constructor(
    private readonly kms: KMSClient,
    private readonly keyId: string,
    private readonly context: Record<string, string> = { purpose: 'consort-secret-box' },
  ) {}

  async seal(plaintext: string): Promise<string> {
    const bytes = new TextEncoder().encode(plaintext);
    if (bytes.length > MAX_PLAINTEXT) throw new DomainError('secret_too_large', `KMS seals at most ${MAX_PLAINTEXT} bytes`);
    try {
      const out = await this.kms.send(new EncryptCommand({ KeyId: this.keyId, Plaintext: bytes, EncryptionContext: this.context }));
      if (!out.CiphertextBlob) throw new Error('KMS returned no ciphertext');
      return PREFIX + Buffer.from(out.CiphertextBlob).toString('base64url');
    } catch (error) {
      throw mapError(error, 'seal a secret');
    }
  }

  async open(sealed: string): Promise<string> {
    if (!sealed.startsWith(PREFIX)) throw new DomainError('secret_unreadable', 'This secret was not sealed with KMS (unknown format)');
    try {
      const out = await this.kms.send(
        new DecryptCommand({
          KeyId: this.keyId,
          CiphertextBlob: Buffer.from(sealed.slice(PREFIX.length), 'base64url'),
          EncryptionContext: this.context,
        }),
      );
      if (!out.Plaintext) throw new Error('KMS returned no plaintext');
      return new TextDecoder().decode(out.Plaintext);
    } catch (error) {
      throw mapError(error, 'open a secret');
    }
  }
}
