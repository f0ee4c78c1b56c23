import { ValidationError } from '../core/errors';
import type { BillRenderModel } from './render-model';

/** Characters kept in a key segment; anything else (the `/` of `F2025/000123`, spaces) becomes `_`. */
const UNSAFE = /[^A-Za-z0-9._-]/g;

/**
 * Where a bill's PDF lives: `<tenantId>/bills/<year>/<type>/<number>.pdf`, the year being the issue
 * date's. Tenant first, so a future IAM condition on the key prefix can fence tenants. Bills without
 * a number (quotes) use their reference. `/` in numbers becomes `_`: two numbers differing only there
 * would collide, which a write-once store reports as a conflict rather than overwriting.
 *
 * @example billDocumentKey('tnt_01J…', model) // 'tnt_01J…/bills/2025/invoice/F2025_000123.pdf'
 */
export function billDocumentKey(tenantId: string, model: Pick<BillRenderModel, 'document'>): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(tenantId)) throw new ValidationError('A document key needs a tenant id');
  const { type, number, reference, issueDate } = model.document;
  const name = number ?? reference;
  if (!name) throw new ValidationError('A bill without a number needs a reference to be stored');
  return `${tenantId}/bills/${issueDate.slice(0, 4)}/${type}/${name.replace(UNSAFE, '_')}.pdf`;
}

/** The file name offered on download and in e-mail attachments, e.g. `Factura-F2025_000123.pdf`. */
export function billFileName(title: string, model: Pick<BillRenderModel, 'document'>): string {
  const name = model.document.number ?? model.document.reference ?? 'draft';
  return `${title}-${name}.pdf`
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_');
}
