import { createHash } from 'node:crypto';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConflictError, DomainError, TransientError } from '../../core/errors';
import type { DocumentStore, StoredDocument } from '../../ports/documents';

export interface S3DocumentStoreOptions {
  /**
   * Every put carries `If-None-Match: *`, which S3 enforces atomically (412 when the key exists).
   * Emulators that ignore the header (fauxqs 1.9 does, test/integration/documents/s3-store.test.ts
   * checks it) need `headCheck: true`: a HeadObject before the put. That check is not atomic (two
   * concurrent writers of one key can both pass it); acceptable locally, where a bill's PDF is
   * written once, after its number is assigned.
   * @default false
   */
  headCheck?: boolean;
}

const TRANSIENT = new Set(['SlowDown', 'ServiceUnavailable', 'InternalError', 'RequestTimeout', 'TimeoutError', 'ThrottlingException']);

interface S3ErrorShape {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $retryable?: unknown;
}

function statusOf(error: unknown): number {
  return (error as S3ErrorShape).$metadata?.httpStatusCode ?? 0;
}

function isMissing(error: unknown): boolean {
  const e = error as S3ErrorShape;
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || statusOf(error) === 404;
}

function mapError(error: unknown, doing: string): Error {
  const e = error as S3ErrorShape;
  if (TRANSIENT.has(e.name ?? '') || statusOf(error) >= 500 || e.$retryable) {
    return new TransientError(`S3 could not ${doing} now: ${e.name ?? 'error'}`, { cause: error });
  }
  return new DomainError('document_store_failed', `S3 refused to ${doing}: ${e.name ?? 'error'}`, undefined, { cause: error });
}

/**
 * DocumentStore over an S3 bucket (the documents bucket in AWS, a fauxqs bucket locally). Receives its
 * client: build it with `requestChecksumCalculation/responseChecksumValidation: 'WHEN_REQUIRED'` and
 * `forcePathStyle` against emulators (docs/decisions.md "Documents on S3"). Each object carries a
 * SHA-256 checksum that S3 verifies on upload, and the hex digest as metadata `sha256`.
 */
export class S3DocumentStore implements DocumentStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
    private readonly options: S3DocumentStoreOptions = {},
  ) {}

  async putImmutable(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    if (this.options.headCheck && (await this.exists(key))) throw exists(key);
    const digest = createHash('sha256').update(bytes).digest();
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: bytes,
          ContentType: contentType,
          ContentLength: bytes.byteLength,
          ChecksumSHA256: digest.toString('base64'),
          Metadata: { sha256: digest.toString('hex') },
          IfNoneMatch: '*',
        }),
      );
    } catch (error) {
      // 412: the key exists. 409 ConditionalRequestConflict: a concurrent conditional write is in flight.
      const status = statusOf(error);
      if (status === 412 || (status === 409 && (error as S3ErrorShape).name === 'ConditionalRequestConflict')) throw exists(key);
      throw mapError(error, 'store a document');
    }
  }

  async get(key: string): Promise<StoredDocument | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      if (!out.Body) return undefined;
      const bytes = await out.Body.transformToByteArray();
      return { bytes, contentType: out.ContentType ?? 'application/octet-stream', sha256: out.Metadata?.sha256 };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw mapError(error, 'read a document');
    }
  }

  private async exists(key: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw mapError(error, 'check a document');
    }
  }
}

function exists(key: string): ConflictError {
  return new ConflictError(`A document is already stored at ${key}; stored documents are never replaced`, { key, code: 'document_exists' });
}
