// GET /admin/bills/{id}/pdf — the bill's PDF as a download (a draft for an open bill).
import { billPdfResponse } from '@/server/bill-pdf';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  return billPdfResponse((await params).id);
}
