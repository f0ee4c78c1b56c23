import { z } from 'zod';
import { authorize, type Actor } from '../core/actor';
import type { CoreDeps } from '../core/deps';
import { LocalDate } from '../core/dates';
import { ConflictError, NotFoundError } from '../core/errors';
import { patchOf } from '../core/schemas';
import { parseInput } from '../core/validate';
import { manualLine, priceBill } from './compute';
import { assertEditable } from './lifecycle';
import { ManualLineInput, type Bill } from './model';
import { accountOf, billBytes, billOrThrow, billSettingsOf, billView, MAX_BILL_BYTES, pricingContext, tenantOrThrow } from './use-cases';

// Editing a line typed by staff on an open bill (the portal's "edit line"). Engine lines are not edited: they
// account for an order's billing position, so they are removed (the order goes back) and billed again instead.

/** Changed fields of a manual line; `null` clears its period. */
export const EditLineInput = patchOf(ManualLineInput).extend({
  periodStart: LocalDate.nullable().optional(),
  periodEnd: LocalDate.nullable().optional(),
});
export type EditLineInput = z.input<typeof EditLineInput>;

/** Change a manual line of an open bill (description, quantity, unit price, tax category, period); the bill is re-priced. */
export async function editLine(deps: CoreDeps, actor: Actor, billId: string, lineId: string, input: unknown) {
  authorize(actor, 'bills:write');
  const bill = await billOrThrow(deps, actor, billId);
  assertEditable(bill, 'edited');
  const line = bill.lines.find((l) => l.id === lineId);
  if (!line) throw new NotFoundError('Line', lineId);
  if (line.kind !== 'manual') {
    throw new ConflictError(`Line ${lineId} bills an order or corrects another line: remove it instead of editing it`, {
      kind: line.kind,
    });
  }
  const data = parseInput(EditLineInput, input ?? {});
  const period = (value: string | null | undefined, current: string | undefined) => (value === null ? undefined : (value ?? current));
  const edited = manualLine(
    {
      description: data.description ?? line.description,
      quantity: data.quantity ?? line.quantity,
      unitPrice: data.unitPrice ?? line.unitPrice,
      taxCategory: data.taxCategory ?? line.taxCategory,
      periodStart: period(data.periodStart, line.periodStart),
      periodEnd: period(data.periodEnd, line.periodEnd),
    },
    line.id,
  );
  const [tenant, settings, account] = await Promise.all([
    tenantOrThrow(deps, bill.tenantId),
    billSettingsOf(deps, bill.tenantId),
    accountOf(deps, bill),
  ]);
  const next: Bill = {
    ...priceBill({ ...bill, lines: bill.lines.map((l) => (l.id === line.id ? edited : l)) }, pricingContext(tenant, settings, account)),
    version: bill.version + 1,
    updatedAt: deps.clock.now().toISOString(),
  };
  if (billBytes(next) > MAX_BILL_BYTES) throw new ConflictError(`Bill ${bill.id} is full; shorten the line or put it on another bill`);
  await deps.store.bills.write({ tenantId: actor.tenantId, put: [{ bill: next, expectedVersion: bill.version }] });
  return billView(next);
}
