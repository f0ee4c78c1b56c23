// GET /admin/payments/credit-transfers/{id}/file — the credit-transfer batch's pain.001 file as a download (the stored bytes).
import { api, ApiError } from '@/server/api';
import { attachment } from '@/server/bill-pdf';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  try {
    const file = await api<{ fileName: string; xml: string }>('GET', `/v1/payments/sepa/credit-transfers/${encodeURIComponent(id)}/file`);
    return new Response(file.xml, {
      headers: {
        'content-type': 'application/xml; charset=utf-8',
        'content-disposition': attachment(file.fileName),
        'cache-control': 'private, no-store',
      },
    });
  } catch (error) {
    if (error instanceof ApiError && error.status < 500) {
      return new Response(`${error.message}\n`, { status: error.status, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }
    throw error;
  }
}
