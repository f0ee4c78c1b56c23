import { z } from 'zod';
import { getAccountOrThrow } from '../accounts/use-cases';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { LocalDate } from '../core/dates';
import { Money, formatAmount } from '../core/money';
import { todayIn } from '../core/today';
import { parseInput } from '../core/validate';
import type { ContractedPack } from '../catalog/model';
import type { Order } from '../orders/model';
import { DEFAULT_BILLING_SETTINGS } from '../tenancy/model';
import { tenantOrThrow } from '../tenancy/use-cases';
import { lineProposalToJSON, proposeLines } from './engine';

const PreviewInput = z.strictObject({
  /** One account, or every account of the tenant when left out. */
  accountId: z.string().max(60).optional(),
  /** Bill up to this day; today (in the tenant's time zone) by default. */
  billUntil: LocalDate.optional(),
});

/**
 * A dry run of billing: the lines the engine would propose until `billUntil`, each with its explanation, and the
 * orders it would skip with the reason. Nothing is written.
 */
export async function previewBilling(deps: CoreDeps, actor: Actor, input: unknown) {
  authorize(actor, 'orders:read');
  const data = parseInput(PreviewInput, input);
  const tenant = await tenantOrThrow(deps, actor);
  const accountId = actor.type === 'customer' ? actor.accountId : data.accountId;
  if (accountId) await getAccountOrThrow(deps, actor, accountId);

  const orders: Order[] = [];
  let cursor: string | undefined;
  do {
    const page = accountId
      ? await deps.store.orders.listByAccount(actor.tenantId, accountId, { limit: 200, cursor })
      : await deps.store.orders.list(actor.tenantId, { limit: 200, cursor });
    orders.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);

  const packsByAccount = new Map<string, ContractedPack[]>();
  for (const id of new Set(orders.map((o) => o.accountId)))
    packsByAccount.set(id, await deps.store.contractedPacks.list(actor.tenantId, id));
  const [definitions, packs] = await Promise.all([deps.store.billableServices.list(actor.tenantId), deps.store.packs.list(actor.tenantId)]);
  const today = todayIn(deps.clock, tenant.timeZone);
  const billing = tenant.settings.billing ?? DEFAULT_BILLING_SETTINGS;
  const result = proposeLines({
    settings: { currency: tenant.currency, fixedMonth: billing.fixedMonth, fixedDay: billing.fixedDay },
    definitions,
    packs,
    packsByAccount,
    orders,
    billUntil: data.billUntil ?? today,
    today,
  });
  const total = result.proposals.reduce((sum, p) => sum.plus(p.total), new Money(0));
  return {
    billUntil: data.billUntil ?? today,
    currency: tenant.currency,
    total: formatAmount(total),
    proposals: result.proposals.map(lineProposalToJSON),
    skipped: result.skipped,
  };
}
