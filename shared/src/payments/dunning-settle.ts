import type { Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { ConflictError } from '../core/errors';
import { todayIn } from '../core/today';
import { updateService } from '../services/use-cases';
import type { DunningRecord } from './dunning';

// Ending dunning (issue 5 item 6): once an account has no overdue bill left, the services its ladder disabled are
// enabled again (provisioning operations) and its dunning record is removed. Called from the payment path
// (./transactions.ts, right after a bill becomes paid) and by the daily run (./dunning-run.ts) as a safety net.

/** Whether a service spec carries the kind's `disabled` flag (websites, system users, web apps, mailboxes…). */
export function canDisable(spec: unknown): spec is { disabled: boolean } {
  return typeof spec === 'object' && spec !== null && typeof (spec as { disabled?: unknown }).disabled === 'boolean';
}

/** Overdue unpaid bills of one account (the tenant's UNPAID index, filtered on the account). */
export async function overdueBillsOf(deps: CoreDeps, tenantId: string, accountId: string, today: string) {
  const bills = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.bills.list(tenantId, { dueBefore: today, accountId, limit: 100, cursor });
    bills.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return bills;
}

/**
 * End the account's dunning when none of its bills is overdue any more: re-enable exactly the services the ladder
 * disabled (those still disabled and not being deleted) and delete the record. Returns the re-enabled service ids,
 * or undefined when the account is not being dunned or still owes an overdue bill. Idempotent.
 */
export async function settleDunning(deps: CoreDeps, tenantId: string, accountId: string): Promise<string[] | undefined> {
  const record = await deps.store.payments.getDunning(tenantId, accountId);
  if (!record) return undefined;
  const tenant = await deps.store.tenants.get(tenantId);
  if (!tenant) return undefined;
  if ((await overdueBillsOf(deps, tenantId, accountId, todayIn(deps.clock, tenant.timeZone))).length) return undefined;
  return endDunning(deps, record);
}

/**
 * Re-enable the record's suspended services, then remove the record (conditional on its version). Services first: a
 * crash in between leaves the record, and the next call finds them enabled already and just removes it.
 */
export async function endDunning(deps: CoreDeps, record: DunningRecord): Promise<string[] | undefined> {
  const actor: Actor = { type: 'system', tenantId: record.tenantId, reason: 'dunning: account paid' };
  const enabled: string[] = [];
  for (const id of record.suspendedServiceIds) {
    const service = await deps.store.services.get(record.tenantId, id);
    if (!service || service.state === 'deleting' || service.state === 'deleted') continue;
    if (!canDisable(service.spec) || !service.spec.disabled) continue;
    try {
      await updateService(deps, actor, id, { spec: { ...service.spec, disabled: false } });
      enabled.push(id);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error; // changed meanwhile (another settle, staff): leave it
    }
  }
  if (!(await deps.store.payments.deleteDunning(record.tenantId, record.accountId, record.version))) return undefined;
  return enabled;
}
