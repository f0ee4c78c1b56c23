// Bill PDFs for the browser: one PDF, or several in one ZIP streamed as each PDF arrives. The API returns a PDF as
// base64 JSON (`GET /v1/bills/{id}/pdf`, scoped to what the signed-in user may see); these turn it into downloads.
import { Zip, ZipPassThrough } from 'fflate';
import { redirect } from 'next/navigation';
import { api, ApiError, request } from './api';
import { getAuth } from './auth';
import { log } from './log';

/** `GET /v1/bills/{id}/pdf`. */
export interface BillPdf {
  filename: string;
  contentType: string;
  isDraft: boolean;
  size: number;
  sha256: string;
  base64: string;
}

/** Bills in one ZIP at most (the bulk form's page holds fewer). */
export const MAX_ZIP_BILLS = 200;

export function fetchBillPdf(billId: string): Promise<BillPdf> {
  return api<BillPdf>('GET', `/v1/bills/${encodeURIComponent(billId)}/pdf`);
}

/** `attachment; filename=…` with an ASCII fallback and the exact UTF-8 name (RFC 6266 / 5987). */
export function attachment(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function errorResponse(error: unknown): Response {
  if (error instanceof ApiError && error.status < 500) {
    return new Response(`${error.message}\n`, { status: error.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  throw error;
}

/** One bill's PDF as a download (a 404/403/422 from the API becomes the same status with its message). */
export async function billPdfResponse(billId: string): Promise<Response> {
  try {
    const pdf = await fetchBillPdf(billId);
    const bytes = Buffer.from(pdf.base64, 'base64');
    return new Response(bytes, {
      headers: {
        'content-type': pdf.contentType,
        'content-length': String(bytes.byteLength),
        'content-disposition': attachment(pdf.filename),
        'cache-control': 'private, no-store',
      },
    });
  } catch (error) {
    return errorResponse(error);
  }
}

/** A name not used yet in the archive ("Invoice I2026-0001.pdf", then "… (2).pdf"). */
function uniqueName(name: string, used: Set<string>): string {
  let candidate = name;
  for (let n = 2; used.has(candidate); n += 1) candidate = name.replace(/(\.pdf)?$/i, ` (${n})$1`);
  used.add(candidate);
  return candidate;
}

/**
 * Several bills' PDFs in one ZIP, streamed: each PDF is fetched and written in turn (stored, not deflated — PDFs are
 * compressed already). A bill that cannot be fetched does not stop the others; the archive then ends with
 * `errors.txt` naming each failure.
 */
export async function billsZipResponse(billIds: readonly string[], zipName: string, path: string): Promise<Response> {
  const ids = [...new Set(billIds)].slice(0, MAX_ZIP_BILLS);
  // The stream outlives this request's handler: take the token now rather than reading cookies from inside it.
  const auth = await getAuth();
  if (!auth) redirect(`/login?next=${encodeURIComponent(path)}`);
  const token = auth.apiToken;
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const zip = new Zip((error, chunk, final) => {
        if (error) return controller.error(error);
        controller.enqueue(chunk);
        if (final) controller.close();
      });
      const used = new Set<string>();
      const failures: string[] = [];
      for (const id of ids) {
        try {
          const pdf = await request<BillPdf>('GET', `/v1/bills/${encodeURIComponent(id)}/pdf`, { token });
          const entry = new ZipPassThrough(uniqueName(pdf.filename, used));
          zip.add(entry);
          entry.push(Buffer.from(pdf.base64, 'base64'), true);
        } catch (error) {
          if (!(error instanceof ApiError)) log.error('Bill PDF for a ZIP failed', { billId: id, error: String(error) });
          failures.push(`${id}: ${error instanceof ApiError ? error.message : 'could not be rendered'}`);
        }
      }
      if (failures.length) {
        const entry = new ZipPassThrough(uniqueName('errors.txt', used));
        zip.add(entry);
        entry.push(new TextEncoder().encode(`${failures.join('\n')}\n`), true);
      }
      zip.end();
    },
  });
  return new Response(stream, {
    headers: {
      'content-type': 'application/zip',
      'content-disposition': attachment(zipName),
      'cache-control': 'private, no-store',
    },
  });
}
