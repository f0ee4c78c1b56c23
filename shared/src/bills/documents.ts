import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError, TransientError, ValidationError } from '../core/errors';
import { billFileName } from '../documents/keys';
import { documentTitle } from '../documents/messages';
import { renderBillPdf } from '../documents/pdf';
import { getBillPdf, PDF_CONTENT_TYPE, regenerateBillPdf } from '../documents/use-cases';
import { sha256Hex, type BillDocumentPorts } from './mail';
import { buildRenderModel, issueIssues } from './render';
import { accountOf, billOrThrow, billSettingsOf, tenantOrThrow } from './use-cases';

// Bill PDFs over the API: download (issued bills: the stored document, rendered from the frozen model on first use;
// open bills: a draft rendered on the fly and never stored) and regenerate (re-render and check it is identical).

function requireDocuments(deps: BillDocumentPorts): NonNullable<BillDocumentPorts['documents']> {
  if (!deps.documents) throw new TransientError('Document storage is not available in this runtime');
  return deps.documents;
}

/** The bill's PDF as base64 with its name and hash; drafts are marked as such by the renderer and not stored. */
export async function downloadBillPdf(deps: CoreDeps & BillDocumentPorts, actor: Actor, billId: string) {
  authorize(actor, 'bills:read');
  const bill = await billOrThrow(deps, actor, billId);
  let model = bill.renderModel;
  let bytes: Uint8Array;
  if (bill.state === 'open' || !model) {
    const [tenant, settings, account] = await Promise.all([
      tenantOrThrow(deps, actor.tenantId),
      billSettingsOf(deps, actor.tenantId),
      accountOf(deps, bill),
    ]);
    const context = { tenant, settings, account };
    const missing = issueIssues(bill, context).filter((i) => i.path[0] === 'settings');
    if (missing.length) throw new ValidationError('Set the issuer profile before printing bills', missing);
    model = buildRenderModel(bill, context);
    bytes = await renderBillPdf(model);
  } else {
    const stored = await getBillPdf({ documents: requireDocuments(deps) }, actor.tenantId, model);
    bytes = stored.bytes;
    if (!bill.pdf) {
      await deps.store.bills.setPdf(actor.tenantId, bill.id, {
        key: stored.key,
        sha256: await sha256Hex(bytes),
        renderedAt: deps.clock.now().toISOString(),
      });
    }
  }
  return {
    filename: billFileName(documentTitle(bill.type, model.locale), model),
    contentType: PDF_CONTENT_TYPE,
    isDraft: bill.state === 'open',
    size: bytes.byteLength,
    sha256: await sha256Hex(bytes),
    base64: Buffer.from(bytes).toString('base64'),
  };
}

/** Re-render an issued bill from its frozen model: `verified` (identical to the stored PDF) or `restored` (was missing). */
export async function regenerateBillDocument(deps: CoreDeps & BillDocumentPorts, actor: Actor, billId: string) {
  authorize(actor, 'bills:write');
  const bill = await billOrThrow(deps, actor, billId);
  if (bill.state === 'open' || !bill.renderModel) throw new ConflictError(`Bill ${bill.id} is open: it has no document until it is closed`);
  const result = await regenerateBillPdf({ documents: requireDocuments(deps) }, actor.tenantId, bill.renderModel);
  await deps.store.bills.setPdf(actor.tenantId, bill.id, {
    key: result.key,
    sha256: result.sha256,
    renderedAt: deps.clock.now().toISOString(),
  });
  return { key: result.key, sha256: result.sha256, size: result.size, status: result.status };
}
