import { createHash } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3DocumentStore } from '@consort/shared/adapters/s3/s3-document-store';
import { ConflictError, DomainError, TransientError } from '@consort/shared/core/errors';
import { billDocumentKey } from '@consort/shared/documents/keys';
import { renderBillPdf } from '@consort/shared/documents/pdf';
import { getBillPdf, regenerateBillPdf, storeBillPdf } from '@consort/shared/documents/use-cases';
import { ensureBucket, startFauxqs, type LocalSqs } from '../../../functions/src/local/fauxqs';
import { createInvoiceModel } from '../../fixtures/factories/render-models';

// The write-once document store on fauxqs S3, built as the local stack builds it, and the use cases the
// bills domain calls on close, download and "regenerate PDF".

let fauxqs: LocalSqs;
let s3: S3Client;
let store: S3DocumentStore;
const BUCKET = 'documents-test';
const TENANT = 'tnt_01JTESTTENANT';

beforeAll(async () => {
  fauxqs = await startFauxqs();
  s3 = new S3Client({
    endpoint: fauxqs.endpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    forcePathStyle: true,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  await ensureBucket(s3, BUCKET);
  await ensureBucket(s3, BUCKET); // idempotent, as on every local start
  store = new S3DocumentStore(s3, BUCKET, { headCheck: true });
});

afterAll(async () => {
  s3?.destroy();
  await fauxqs?.stop();
});

const bytesOf = (text: string) => new TextEncoder().encode(text);

describe('S3DocumentStore on fauxqs', () => {
  it('stores, reads back with content type and SHA-256, and refuses to overwrite', async () => {
    const key = `${TENANT}/bills/2025/invoice/one.pdf`;
    await store.putImmutable(key, bytesOf('%PDF-first'), 'application/pdf');
    const error = await store.putImmutable(key, bytesOf('%PDF-second'), 'application/pdf').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toMatchObject({ code: 'document_exists', key });
    const got = await store.get(key);
    expect(new TextDecoder().decode(got?.bytes)).toBe('%PDF-first');
    expect(got?.contentType).toBe('application/pdf');
    expect(got?.sha256).toBe(createHash('sha256').update('%PDF-first').digest('hex'));
  });

  it('answers undefined for a missing key', async () => {
    expect(await store.get(`${TENANT}/bills/2025/invoice/missing.pdf`)).toBeUndefined();
  });

  it('keeps binary bodies intact (no aws-chunked framing stored)', async () => {
    const key = `${TENANT}/bills/2025/invoice/binary.pdf`;
    const bytes = new Uint8Array(70_000).map((_, i) => (i * 7919) % 256);
    await store.putImmutable(key, bytes, 'application/pdf');
    const raw = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(Buffer.from(await raw.Body!.transformToByteArray()).equals(Buffer.from(bytes))).toBe(true);
  });

  it('needs the head check on fauxqs, which ignores If-None-Match (drop headCheck when this fails)', async () => {
    const key = `${TENANT}/probe/if-none-match.txt`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'one', IfNoneMatch: '*' }));
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'two', IfNoneMatch: '*' }));
    const raw = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    expect(await raw.Body!.transformToString()).toBe('two');
  });

  it('maps an unknown bucket to a DomainError, not a silent success', async () => {
    const other = new S3DocumentStore(s3, 'no-such-bucket', { headCheck: true });
    await expect(other.putImmutable('t/x.pdf', bytesOf('x'), 'application/pdf')).rejects.toBeInstanceOf(DomainError);
  });
});

describe('bill PDF use cases', () => {
  it('stores a bill under <tenant>/bills/<year>/<type>/<number>.pdf, idempotently', async () => {
    const model = createInvoiceModel('es');
    const first = await storeBillPdf({ documents: store }, TENANT, model);
    expect(first.key).toBe(`${TENANT}/bills/2025/invoice/F2025_000123.pdf`);
    expect(first.key).toBe(billDocumentKey(TENANT, model));
    // A retried close stores nothing new and answers the same.
    expect(await storeBillPdf({ documents: store }, TENANT, model)).toEqual(first);
    const stored = await store.get(first.key);
    expect(stored?.sha256).toBe(first.sha256);
    expect(Buffer.from(stored!.bytes).equals(await renderBillPdf(model))).toBe(true);
  });

  it('refuses to replace an issued bill with different content', async () => {
    const model = createInvoiceModel('es', { document: { ...createInvoiceModel().document, number: 'F2025/000200' } });
    await storeBillPdf({ documents: store }, TENANT, model);
    const changed = { ...model, notes: 'Edited after issue' };
    const error = await storeBillPdf({ documents: store }, TENANT, changed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect((error as ConflictError).details).toMatchObject({ code: 'document_differs' });
  });

  it('regenerates: verified when identical, restored when missing, refused when the stored PDF differs', async () => {
    const model = createInvoiceModel('ca', { document: { ...createInvoiceModel().document, number: 'F2025/000300' } });
    const restored = await regenerateBillPdf({ documents: store }, TENANT, model);
    expect(restored.status).toBe('restored');
    const verified = await regenerateBillPdf({ documents: store }, TENANT, model);
    expect(verified.status).toBe('verified');
    expect(verified.sha256).toBe(restored.sha256);

    const tampered = createInvoiceModel('es', { document: { ...createInvoiceModel().document, number: 'F2025/000301' } });
    await store.putImmutable(billDocumentKey(TENANT, tampered), bytesOf('%PDF-not-what-we-render'), 'application/pdf');
    const error = await regenerateBillPdf({ documents: store }, TENANT, tampered).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('document_mismatch');
  });

  it('serves a stored PDF, and re-renders one the in-memory S3 lost', async () => {
    const model = createInvoiceModel('en', { document: { ...createInvoiceModel().document, number: 'F2025/000400' } });
    const lost = await getBillPdf({ documents: store }, TENANT, model);
    expect(Buffer.from(lost.bytes).equals(await renderBillPdf(model))).toBe(true);
    expect(await store.get(lost.key)).toBeDefined();
  });

  it('keys quotes by reference and rejects tenant ids that could escape the prefix', () => {
    const quote = createInvoiceModel('es');
    quote.document = { type: 'quote', number: null, series: 'P', reference: 'bil_01JQUOTE', issueDate: '2026-01-02' };
    expect(billDocumentKey(TENANT, quote)).toBe(`${TENANT}/bills/2026/quote/bil_01JQUOTE.pdf`);
    expect(() => billDocumentKey('../other', quote)).toThrow(/tenant id/);
  });
});

describe('S3DocumentStore against S3 semantics (stub client)', () => {
  const s3Error = (name: string, status: number) => Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
  const stub = (behaviour: (input: Record<string, unknown>) => unknown) => {
    const calls: Record<string, unknown>[] = [];
    const client = {
      send: async (command: { input: Record<string, unknown> }) => {
        calls.push(command.input);
        return behaviour(command.input);
      },
    } as unknown as S3Client;
    return { client, calls };
  };

  it('relies on If-None-Match alone on AWS (no HeadObject) and sends a SHA-256 checksum', async () => {
    const { client, calls } = stub(() => ({}));
    await new S3DocumentStore(client, 'b').putImmutable('t/k.pdf', bytesOf('pdf'), 'application/pdf');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({
      Bucket: 'b',
      Key: 't/k.pdf',
      IfNoneMatch: '*',
      ContentType: 'application/pdf',
      ChecksumSHA256: createHash('sha256').update('pdf').digest('base64'),
      Metadata: { sha256: createHash('sha256').update('pdf').digest('hex') },
    });
  });

  it('turns 412 Precondition Failed and 409 ConditionalRequestConflict into ConflictError, 503 into TransientError', async () => {
    for (const [name, status] of [
      ['PreconditionFailed', 412],
      ['ConditionalRequestConflict', 409],
    ] as const) {
      const { client } = stub(() => {
        throw s3Error(name, status);
      });
      await expect(new S3DocumentStore(client, 'b').putImmutable('t/k.pdf', bytesOf('x'), 'application/pdf')).rejects.toBeInstanceOf(
        ConflictError,
      );
    }
    const { client } = stub(() => {
      throw s3Error('SlowDown', 503);
    });
    await expect(new S3DocumentStore(client, 'b').putImmutable('t/k.pdf', bytesOf('x'), 'application/pdf')).rejects.toBeInstanceOf(
      TransientError,
    );
  });
});

describe('creating the bucket', () => {
  it('is what the local stack does at start (CreateBucket unless HeadBucket finds it)', async () => {
    await ensureBucket(s3, 'another-bucket');
    await expect(s3.send(new CreateBucketCommand({ Bucket: 'another-bucket' }))).resolves.toBeDefined();
  });
});
