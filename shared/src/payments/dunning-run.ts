import type { BillSummary } from '../ports/store';
import type { Mailer } from '../ports/mail';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { NotFoundError } from '../core/errors';
import { formatAmount } from '../core/money';
import type { Locale } from '../core/schemas';
import { todayIn } from '../core/today';
import { updateService } from '../services/use-cases';
import type { Tenant } from '../tenancy/model';
import { DunningRecord, dueDunningSteps, daysPastDue, type DunningStepDone, type DunningSettings } from './dunning';
import { canDisable, endDunning } from './dunning-settle';
import { chargeBill, paymentSettingsOf, type PaymentDeps } from './stripe';
import { eachTenant } from '../tenancy/each-tenant';

// The daily dunning run (issue 5 item 6): for each tenant, its overdue bills from the UNPAID index grouped by account,
// and the ladder steps each account has reached. A step is claimed (the record's level written, conditional on its
// version) before it is acted on, so two runs never take it twice; then reminders are mailed, a card is retried,
// services are disabled (provisioning operations) or the account is flagged for staff.

/** What the dunning run needs: the core, Stripe (card retries) and a mailer (reminders). */
export type DunningDeps = PaymentDeps & { mailer?: Mailer };

/** What one run did, for logs and tests. */
export interface DunningRunResult {
  /** `tenant/account: action` for each step taken. */
  steps: string[];
  /** `tenant/account` whose dunning ended (nothing overdue any more). */
  settled: string[];
}

/** The scheduler entry: every tenant. */
export async function runDunning(deps: DunningDeps): Promise<DunningRunResult> {
  const out: DunningRunResult = { steps: [], settled: [] };
  await eachTenant(deps, async (tenantId) => {
    const one = await runTenantDunning(deps, tenantId);
    out.steps.push(...one.steps);
    out.settled.push(...one.settled);
  });
  return out;
}

/** One tenant's run: ladder steps for accounts with overdue bills, and the end of dunning for accounts without. */
export async function runTenantDunning(deps: DunningDeps, tenantId: string): Promise<DunningRunResult> {
  const out: DunningRunResult = { steps: [], settled: [] };
  const [tenant, settings] = await Promise.all([deps.store.tenants.get(tenantId), paymentSettingsOf(deps, tenantId)]);
  if (!tenant) return out;
  const today = todayIn(deps.clock, tenant.timeZone);
  const byAccount = new Map<string, BillSummary[]>();
  let cursor: string | undefined;
  do {
    const page = await deps.store.bills.list(tenantId, { dueBefore: today, limit: 100, cursor });
    for (const bill of page.items) byAccount.set(bill.accountId, [...(byAccount.get(bill.accountId) ?? []), bill]);
    cursor = page.nextCursor;
  } while (cursor);
  for (const record of await deps.store.payments.listDunning(tenantId)) {
    if (byAccount.has(record.accountId)) continue;
    if (await endDunning(deps, record)) out.settled.push(`${tenantId}/${record.accountId}`);
  }
  if (!settings.dunning.enabled) return out;
  for (const [accountId, bills] of byAccount) {
    const taken = await dunAccount(deps, tenant, settings.dunning, accountId, bills, today);
    out.steps.push(...taken.map((s) => `${tenantId}/${accountId}: ${s.action}`));
  }
  return out;
}

async function dunAccount(
  deps: DunningDeps,
  tenant: Tenant,
  settings: DunningSettings,
  accountId: string,
  bills: BillSummary[],
  today: string,
): Promise<DunningStepDone[]> {
  const overdue = bills.map((b) => ({ id: b.id, dueOn: b.dueOn! }));
  const current = await deps.store.payments.getDunning(tenant.id, accountId);
  const due = dueDunningSteps(settings.ladder, current?.level ?? 0, overdue, today);
  if (due.length === 0) return [];
  const suspending = due.some((d) => d.step.action === 'suspend');
  const toDisable = suspending ? await activeServices(deps, tenant.id, accountId) : [];
  const billIds = bills.map((b) => b.id);
  const steps: DunningStepDone[] = due.map(({ index, step }) => ({ index, ...step, on: today, billIds }));
  const claimed: DunningRecord = {
    tenantId: tenant.id,
    accountId,
    level: due[due.length - 1]!.index + 1,
    steps: [...(current?.steps ?? []), ...steps],
    suspendedServiceIds: [...new Set([...(current?.suspendedServiceIds ?? []), ...toDisable])],
    ...(current?.terminationFlaggedOn ? { terminationFlaggedOn: current.terminationFlaggedOn } : {}),
    ...(due.some((d) => d.step.action === 'terminate') && !current?.terminationFlaggedOn ? { terminationFlaggedOn: today } : {}),
    startedOn: current?.startedOn ?? today,
    updatedAt: deps.clock.now().toISOString(),
    version: (current?.version ?? -1) + 1,
  };
  // Claim first: a concurrent run that read the same record loses here and takes nothing.
  if (!(await deps.store.payments.putDunning(claimed, current?.version))) return [];

  const actor: Actor = { type: 'system', tenantId: tenant.id, reason: 'dunning' };
  const notes = new Map<number, string>();
  // Several reminders reached at once (the run did not happen for days) make one mail.
  const reminder = steps.filter((s) => s.action === 'remind').at(-1);
  if (reminder) notes.set(reminder.index, await remind(deps, tenant, accountId, bills, daysPastDue(overdue, today)));
  for (const step of steps) {
    if (step.action === 'retry-card') notes.set(step.index, await retryCard(deps, actor, bills));
    if (step.action === 'suspend') notes.set(step.index, await suspend(deps, actor, toDisable));
    if (step.action === 'terminate') notes.set(step.index, 'flagged for staff');
  }
  const noted: DunningRecord = {
    ...claimed,
    steps: claimed.steps.map((s) => (s.on === today && notes.has(s.index) ? { ...s, note: notes.get(s.index)!.slice(0, 500) } : s)),
    version: claimed.version + 1,
  };
  await deps.store.payments.putDunning(noted, claimed.version);
  return steps;
}

/** Services of the account that are live and can be disabled (kinds with a `disabled` flag that is off). */
async function activeServices(deps: CoreDeps, tenantId: string, accountId: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await deps.store.services.list(tenantId, { accountId, limit: 100, cursor });
    for (const s of page.items) {
      if (s.state !== 'deleting' && s.state !== 'deleted' && canDisable(s.spec) && !s.spec.disabled) ids.push(s.id);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

async function suspend(deps: CoreDeps, actor: Actor, serviceIds: string[]): Promise<string> {
  let done = 0;
  for (const id of serviceIds) {
    const service = await deps.store.services.get(actor.tenantId, id);
    if (!service || !canDisable(service.spec) || service.spec.disabled) continue;
    await updateService(deps, actor, id, { spec: { ...service.spec, disabled: true } });
    done++;
  }
  return `${done} service(s) disabled`;
}

async function retryCard(deps: DunningDeps, actor: Actor, bills: BillSummary[]): Promise<string> {
  const results: string[] = [];
  for (const bill of bills) {
    try {
      const tx = await chargeBill(deps, actor, bill.id);
      results.push(`${bill.number ?? bill.id}: ${tx.id} ${tx.state}`);
    } catch (error) {
      results.push(`${bill.number ?? bill.id}: ${(error as Error).message}`);
    }
  }
  return results.join('; ');
}

const REMINDER: Record<Locale, { subject: string; greeting: string; body: string; line: string; bye: string }> = {
  en: {
    subject: 'Payment reminder',
    greeting: 'Hello,',
    body: 'We have not received payment of the following bills ({days} days past due):',
    line: '- {number}: {amount} {currency}, due {due}',
    bye: 'Please pay them as soon as possible. If you have already paid, thank you and please ignore this message.',
  },
  es: {
    subject: 'Recordatorio de pago',
    greeting: 'Hola:',
    body: 'No hemos recibido el pago de las siguientes facturas ({days} días vencidas):',
    line: '- {number}: {amount} {currency}, vencimiento {due}',
    bye: 'Por favor, abónalas lo antes posible. Si ya las has pagado, gracias y disculpa este mensaje.',
  },
  ca: {
    subject: 'Recordatori de pagament',
    greeting: 'Hola,',
    body: 'No hem rebut el pagament de les factures següents ({days} dies vençudes):',
    line: '- {number}: {amount} {currency}, venciment {due}',
    bye: 'Si us plau, paga-les tan aviat com puguis. Si ja les has pagat, gràcies i disculpa aquest missatge.',
  },
};

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

async function remind(deps: DunningDeps, tenant: Tenant, accountId: string, bills: BillSummary[], days: number): Promise<string> {
  if (!deps.mailer) return 'no mailer';
  const contacts = await deps.store.contacts.list(tenant.id, accountId);
  const account = await deps.store.accounts.get(tenant.id, accountId);
  const billing = contacts.filter((c) => c.usages.includes('billing')).map((c) => c.email);
  const to = billing.length ? [...new Set(billing)] : account ? [account.email] : [];
  if (to.length === 0) return 'no e-mail address';
  const t = REMINDER[account?.locale ?? tenant.locale];
  const lines = bills.map((b) =>
    fill(t.line, { number: b.number ?? b.id, amount: formatAmount(b.totals.total), currency: b.currency, due: b.dueOn ?? '' }),
  );
  const sent = await deps.mailer.send({
    to,
    fromName: tenant.name,
    subject: `${t.subject} – ${tenant.name}`,
    text: [t.greeting, '', fill(t.body, { days: String(days) }), ...lines, '', t.bye, '', tenant.name, ''].join('\n'),
  });
  return `mailed ${sent.messageId}`;
}

/** `GET /v1/accounts/{accountId}/dunning`: the account's dunning state (level 0 and no steps when it is not dunned). */
export async function getDunningStatus(deps: CoreDeps, actor: Actor, accountId: string) {
  authorize(actor, 'payments:read');
  const account = await deps.store.accounts.get(actor.tenantId, accountId);
  if (!account || (actor.type === 'customer' && actor.accountId !== accountId)) throw new NotFoundError('Account', accountId);
  const record = await deps.store.payments.getDunning(actor.tenantId, accountId);
  return {
    accountId,
    dunning: record !== undefined,
    level: record?.level ?? 0,
    steps: record?.steps ?? [],
    suspendedServiceIds: record?.suspendedServiceIds ?? [],
    terminationFlaggedOn: record?.terminationFlaggedOn ?? null,
    startedOn: record?.startedOn ?? null,
  };
}
