// The member portal's "Pay" button: shown for a bill the customer can pay online (issued, not fully paid, the
// provider connected to Stripe). The amount is what is still owed (partial payments count); the button sends the
// customer to Stripe Checkout and back to the bill.
import { ActionButton } from '@/components/action-button';
import { getI18n } from '@/i18n/server';
import { apiGet } from '@/server/api';
import { payBill } from '@/server/actions/payments';
import { getFormat } from '@/server/format';
import type { BillSummary } from '@/server/types';

/** What the API says about a bill's payments (`GET /v1/bills/{id}/payments`). */
export interface BillPayments {
  total: string;
  paid: string;
  pending: string;
  outstanding: string;
  canPayOnline: boolean;
}

const PAYABLE = ['closed', 'sent', 'returned'];

/** The pay action for one of the customer's bills (nothing when it cannot be paid online). */
export async function BillPaySlot({ bill }: { bill: Pick<BillSummary, 'id' | 'state' | 'type' | 'currency' | 'totals' | 'dueOn'> }) {
  if (bill.type === 'quote' || !PAYABLE.includes(bill.state)) return null;
  const payments = await apiGet<BillPayments>(`/v1/bills/${encodeURIComponent(bill.id)}/payments`).catch(() => undefined);
  if (!payments?.canPayOnline) return null;
  const { t } = await getI18n();
  const fmt = await getFormat();
  const amount = fmt.money(payments.outstanding, bill.currency);
  return (
    <ActionButton
      action={payBill.bind(null, bill.id)}
      variant="primary"
      label={t('payments.pay', { amount })}
      accessibleName={t('payments.payBill', { amount })}
    />
  );
}
