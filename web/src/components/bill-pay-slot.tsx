// Where the member portal's "Pay" button goes: the payments work renders it here for a bill the customer can pay
// (issued, not paid). Until then it renders nothing, so the pages that hold the slot need no change later.
import type { BillSummary } from '@/server/types';

/** The pay action for one of the customer's bills (nothing yet). */
export function BillPaySlot({ bill: _bill }: { bill: Pick<BillSummary, 'id' | 'state' | 'type' | 'currency' | 'totals' | 'dueOn'> }) {
  return null;
}
