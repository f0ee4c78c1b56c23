// GET /portal/bills/{id}/pdf — one of the customer's issued bills as a download (the API refuses anything else).
import { billPdfResponse } from '@/server/bill-pdf';

export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  return billPdfResponse((await params).id);
}
