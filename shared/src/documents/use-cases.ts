import { ConflictError, DomainError } from '../core/errors';
import { parseInput } from '../core/validate';
import type { DocumentStore } from '../ports/documents';
import { billDocumentKey } from './keys';
import { renderBillPdf } from './pdf';
import { BillRenderModel } from './render-model';

/** What the document use cases need. */
export interface DocumentDeps {
  documents: DocumentStore;
}

/** A bill PDF as stored. */
export interface StoredBillPdf {
  key: string;
  /** Hex SHA-256 of the PDF: worth keeping in the bill's audit trail (billing-compliance checklist 45). */
  sha256: string;
  size: number;
}

export const PDF_CONTENT_TYPE = 'application/pdf';

/** Hex SHA-256 with Web Crypto (a platform global, so this module imports no node built-in). */
async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Render a closed bill's frozen model and store the PDF write-once under
 * `<tenantId>/bills/<year>/<type>/<number>.pdf`. Idempotent: when the same bytes are already stored
 * (a retried close), it returns the stored key; different bytes under that key are a ConflictError
 * (`document_differs`), because issued bills are never replaced.
 *
 * @example const { key, sha256 } = await storeBillPdf(deps, actor.tenantId, bill.renderModel);
 */
export async function storeBillPdf(deps: DocumentDeps, tenantId: string, input: BillRenderModel): Promise<StoredBillPdf> {
  const model = parseInput(BillRenderModel, input, ['renderModel']);
  const key = billDocumentKey(tenantId, model);
  const bytes = await renderBillPdf(model);
  await putOnce(deps, key, bytes);
  return { key, sha256: await sha256(bytes), size: bytes.byteLength };
}

/** Write-once put that accepts the same bytes already being there (a retried step). */
async function putOnce(deps: DocumentDeps, key: string, bytes: Uint8Array): Promise<void> {
  try {
    await deps.documents.putImmutable(key, bytes, PDF_CONTENT_TYPE);
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    const stored = await deps.documents.get(key);
    if (!stored || !sameBytes(stored.bytes, bytes)) {
      throw new ConflictError(`Another document is already stored at ${key}`, { key, code: 'document_differs' });
    }
  }
}

/** The outcome of regenerating a bill's PDF. */
export interface RegeneratedBillPdf extends StoredBillPdf {
  bytes: Uint8Array;
  /** `verified`: the stored PDF equals a fresh rendering; `restored`: nothing was stored, so the rendering was stored now. */
  status: 'verified' | 'restored';
}

/**
 * Re-render a bill from its frozen model and check it is byte-identical to the stored PDF (thesis
 * table 1.2 "regenerate PDF (same content)"). A mismatch throws DomainError `document_mismatch`
 * and changes nothing: the stored PDF is the issued document. A missing PDF (the local runtime
 * keeps S3 in memory) is stored again, which is safe because rendering is deterministic.
 */
export async function regenerateBillPdf(deps: DocumentDeps, tenantId: string, input: BillRenderModel): Promise<RegeneratedBillPdf> {
  const model = parseInput(BillRenderModel, input, ['renderModel']);
  const key = billDocumentKey(tenantId, model);
  const bytes = await renderBillPdf(model);
  const stored = await deps.documents.get(key);
  const result = { key, sha256: await sha256(bytes), size: bytes.byteLength, bytes };
  if (!stored) {
    await putOnce(deps, key, bytes);
    return { ...result, status: 'restored' };
  }
  if (!sameBytes(stored.bytes, bytes)) {
    throw new DomainError('document_mismatch', `The PDF stored at ${key} differs from a fresh rendering of the bill`, {
      key,
      stored: await sha256(stored.bytes),
      rendered: result.sha256,
    });
  }
  return { ...result, status: 'verified' };
}

/**
 * The stored PDF of a bill for download or e-mail; re-rendered and stored again if it is missing
 * (see regenerateBillPdf). Prefer this over `documents.get` when the caller has the model.
 */
export async function getBillPdf(
  deps: DocumentDeps,
  tenantId: string,
  input: BillRenderModel,
): Promise<{ key: string; bytes: Uint8Array }> {
  const model = parseInput(BillRenderModel, input, ['renderModel']);
  const key = billDocumentKey(tenantId, model);
  const stored = await deps.documents.get(key);
  if (stored) return { key, bytes: stored.bytes };
  const { bytes } = await regenerateBillPdf(deps, tenantId, model);
  return { key, bytes };
}
