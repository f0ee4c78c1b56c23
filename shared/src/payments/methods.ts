import { z } from 'zod';
import { billOrThrow, billSettingsOf } from '../bills/use-cases';
import type { Bill } from '../bills/model';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { NotFoundError } from '../core/errors';
import { newId } from '../core/ids';
import { parseInput } from '../core/validate';
import type { PaymentMethodPlugin, PaymentStart } from '../ports/payments';
import { PaymentMethod, type PaymentSource } from './model';
import { paymentSettingsOf } from './stripe';
import { billBalance } from './transactions';

// Payment methods as plugins (issue 5). Each method declares who starts it; how it starts lives with it: card →
// Stripe Checkout (./stripe.ts payBill), SEPA direct debit → batches (./batches.ts, the SEPA part), transfer →
// instructions with the tenant's IBAN and the bill number as reference (staff mark it received), manual → staff record
// it. A new gateway is one more entry here plus its own start/webhook module.

/** The registered methods. */
export const PAYMENT_METHOD_PLUGINS: Readonly<Record<PaymentMethod, PaymentMethodPlugin>> = {
  card: { method: 'card', label: 'Card or wallet (Stripe)', customerInitiated: true },
  sepa_debit: { method: 'sepa_debit', label: 'SEPA direct debit', customerInitiated: false },
  transfer: { method: 'transfer', label: 'Bank transfer', customerInitiated: false },
  manual: { method: 'manual', label: 'Manual (cash, cheque…)', customerInitiated: false },
};

/** @see dueDateFor in ./model.ts (kept there so bill closing can use it without importing the payment use cases). */
export { dueDateFor } from './model';

/** How a customer pays a bill by transfer: the tenant's IBAN, the amount owed and the bill number as reference. */
export async function transferInstructions(deps: CoreDeps, actor: Actor, billId: string): Promise<PaymentStart> {
  authorize(actor, 'bills:read');
  const bill = await billOrThrow(deps, actor, billId);
  const settings = await billSettingsOf(deps, actor.tenantId);
  const balance = await billBalance(deps, bill);
  const pi = settings.paymentInstructions;
  return {
    kind: 'instructions',
    ...(pi?.iban ? { iban: pi.iban } : {}),
    ...(pi?.bic ? { bic: pi.bic } : {}),
    reference: bill.number ?? bill.id,
    amount: balance.outstanding,
    currency: bill.currency,
    ...(pi?.text ? { text: pi.text } : {}),
  };
}

/** A bill's payment position and every allocation to it (the bill page and the portal). */
export async function billPayments(deps: CoreDeps, actor: Actor, billId: string) {
  authorize(actor, 'bills:read');
  const bill: Bill = await billOrThrow(deps, actor, billId);
  const [balance, allocations, settings] = await Promise.all([
    billBalance(deps, bill),
    deps.store.payments.listByBill(actor.tenantId, bill.id),
    paymentSettingsOf(deps, actor.tenantId),
  ]);
  const payable = bill.type !== 'quote' && ['closed', 'sent', 'returned'].includes(bill.state) && balance.outstanding !== '0.00';
  return { billId: bill.id, ...balance, allocations, canPayOnline: payable && !!settings.stripe?.chargesEnabled };
}

// -----------------------------------------------------------------------------------------------------------------
// Payment sources

function ownAccount(actor: Actor, accountId: string, write: boolean): void {
  if (actor.type === 'customer') {
    if (actor.accountId !== accountId) throw new NotFoundError('Account', accountId);
    return;
  }
  authorize(actor, write ? 'payments:write' : 'payments:read');
}

/** Saved payment sources of an account, the default first. Customers: their own only. */
export async function listSources(deps: CoreDeps, actor: Actor, accountId: string) {
  ownAccount(actor, accountId, false);
  if (!(await deps.store.accounts.get(actor.tenantId, accountId))) throw new NotFoundError('Account', accountId);
  const sources = await deps.store.payments.listSources(actor.tenantId, accountId);
  return { items: sources.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.createdAt.localeCompare(b.createdAt)) };
}

/** Make a source the account's default (the others stop being it). */
export async function setDefaultSource(deps: CoreDeps, actor: Actor, accountId: string, sourceId: string) {
  ownAccount(actor, accountId, true);
  const sources = await deps.store.payments.listSources(actor.tenantId, accountId);
  if (!sources.some((s) => s.id === sourceId)) throw new NotFoundError('Payment source', sourceId);
  for (const s of sources) {
    const isDefault = s.id === sourceId;
    if (s.isDefault !== isDefault) await deps.store.payments.putSource({ ...s, isDefault });
  }
  return listSources(deps, actor, accountId);
}

/** Forget a saved source; if it was the default, the oldest remaining one becomes it. */
export async function deleteSource(deps: CoreDeps, actor: Actor, accountId: string, sourceId: string): Promise<void> {
  ownAccount(actor, accountId, true);
  const source = await deps.store.payments.getSource(actor.tenantId, accountId, sourceId);
  if (!source) throw new NotFoundError('Payment source', sourceId);
  await deps.store.payments.deleteSource(actor.tenantId, accountId, sourceId);
  if (source.isDefault) {
    const next = (await deps.store.payments.listSources(actor.tenantId, accountId)).sort((a, b) =>
      a.createdAt.localeCompare(b.createdAt),
    )[0];
    if (next) await deps.store.payments.putSource({ ...next, isDefault: true });
  }
}

const ManualSourceInput = z.strictObject({
  method: z.enum(['transfer', 'manual']),
  label: z.string().trim().min(1).max(120),
});

/** Staff: record that an account pays by transfer or manually (no gateway object behind it). */
export async function addOfflineSource(deps: CoreDeps, actor: Actor, accountId: string, input: unknown): Promise<PaymentSource> {
  authorize(actor, 'payments:write');
  const data = parseInput(ManualSourceInput, input);
  if (!(await deps.store.accounts.get(actor.tenantId, accountId))) throw new NotFoundError('Account', accountId);
  const existing = await deps.store.payments.listSources(actor.tenantId, accountId);
  const source: PaymentSource = {
    tenantId: actor.tenantId,
    id: newId('paymentSource', deps.clock),
    accountId,
    method: data.method,
    label: data.label,
    isDefault: existing.length === 0,
    createdAt: deps.clock.now().toISOString(),
  };
  await deps.store.payments.putSource(source);
  return source;
}
