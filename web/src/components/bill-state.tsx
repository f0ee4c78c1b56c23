// Bill states, types and titles in the user's language; badges carry the state as text (colour is never alone).
import { Badge } from '@/components/ui';
import type { Translate } from '@/i18n';
import { getI18n } from '@/i18n/server';
import type { BillState, BillSummary, BillType } from '@/server/types';

/** Every state and type, in lifecycle order (the API's enums; kept here so no domain code is bundled). */
export const BILL_STATES = [
  'open',
  'closed',
  'sent',
  'paid',
  'returned',
  'irrecoverable',
  'discarded',
  'converted',
] as const satisfies readonly BillState[];
export const BILL_TYPES = ['invoice', 'fee', 'amendment', 'fee-amendment', 'quote'] as const satisfies readonly BillType[];

const TONES: Record<BillState, 'success' | 'warning' | 'info' | 'danger' | 'neutral'> = {
  open: 'info',
  closed: 'neutral',
  sent: 'warning',
  paid: 'success',
  returned: 'danger',
  irrecoverable: 'danger',
  discarded: 'neutral',
  converted: 'success',
};

export async function BillStateBadge({ state }: { state: BillState }) {
  const { t } = await getI18n();
  return <Badge tone={TONES[state]}>{t(`bills.states.${state}`)}</Badge>;
}

/** The printed number, or "Draft" plus the provisional id while open (quotes keep their id). */
export function billReference(t: Translate, bill: Pick<BillSummary, 'id' | 'number' | 'state'>): string {
  return bill.number ?? (bill.state === 'open' ? t('bills.draftReference', { id: bill.id }) : bill.id);
}

/** "Invoice I2026-0001", "Quote bil_…". */
export function billTitle(t: Translate, bill: Pick<BillSummary, 'id' | 'number' | 'state' | 'type'>): string {
  return t('bills.title', { type: t(`bills.types.${bill.type as BillType}`), reference: billReference(t, bill) });
}

/** Unpaid and past its due day (`today` in the organisation's zone). */
export function isOverdue(bill: Pick<BillSummary, 'state' | 'dueOn' | 'type'>, today: string): boolean {
  return (
    bill.type !== 'quote' &&
    (bill.state === 'closed' || bill.state === 'sent' || bill.state === 'returned') &&
    !!bill.dueOn &&
    bill.dueOn < today
  );
}
