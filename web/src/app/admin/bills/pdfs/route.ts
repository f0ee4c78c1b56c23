// GET /admin/bills/pdfs?id=…&id=… — several bills' PDFs in one ZIP (the bulk "download" actions link here).
import type { NextRequest } from 'next/server';
import { billsZipResponse, MAX_ZIP_BILLS } from '@/server/bill-pdf';

export async function GET(req: NextRequest) {
  const ids = req.nextUrl.searchParams.getAll('id').filter((id) => /^[\w-]{1,60}$/.test(id));
  if (ids.length === 0 || ids.length > MAX_ZIP_BILLS) {
    return new Response(`Choose 1–${MAX_ZIP_BILLS} bills\n`, { status: 422, headers: { 'content-type': 'text/plain; charset=utf-8' } });
  }
  const day = new Date().toISOString().slice(0, 10);
  return billsZipResponse(ids, `bills-${day}.zip`, `${req.nextUrl.pathname}${req.nextUrl.search}`);
}
