/** A stored document as read back. */
export interface StoredDocument {
  bytes: Uint8Array;
  contentType: string;
  /** Hex SHA-256 of `bytes`, recorded at write time (metadata `sha256`), when the store kept it. */
  sha256?: string;
}

/**
 * Write-once document storage (bill PDFs). Keys start with the tenant id:
 * `<tenantId>/bills/<year>/<type>/<number>.pdf` (see documents/keys.ts). Implementations:
 * S3 (shared/src/adapters/s3), in AWS and on the local stack's fauxqs S3.
 */
export interface DocumentStore {
  /**
   * Stores `bytes` under `key` unless something is already there: then it throws ConflictError
   * (`document_exists`) and leaves the stored object untouched. Issued bills are immutable.
   */
  putImmutable(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  /** The document, or undefined when nothing is stored under `key`. */
  get(key: string): Promise<StoredDocument | undefined>;
  /** A time-limited download URL, where the store can sign one. */
  signedUrl?(key: string, options?: { expiresInSeconds?: number; filename?: string }): Promise<string>;
}
