'use server';
// Staff work on bills: bulk actions on the list (each bill reported on its own), the lifecycle actions of one bill,
// amendments, quote conversion, PDF regeneration, and the lines of open bills. Single-bill actions return to the
// bill with `?done=` so the page says what changed and its forms start from the new state.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import type { FormState } from '@/components/form-state';
import { createTranslate, translateApiMessage, type Translate } from '@/i18n';
import { getLocale } from '@/i18n/server';
import { api, ApiError } from '../api';
import type { Bill, BillState } from '../types';
import { FormInputError, handleForm, optional, str } from './form';

/** What the bill page confirms after an action (`?done=`). */
export type BillChange =
  | 'close'
  | 'send'
  | 'mark-paid'
  | 'mark-returned'
  | 'mark-irrecoverable'
  | 'discard'
  | 'undo-discard'
  | 'created'
  | 'converted'
  | 'amended'
  | 'lines';

/** The lifecycle actions a bill page can post (`POST /v1/bills/{id}/<action>`). */
export type BillTransition = 'close' | 'send' | 'mark-paid' | 'mark-returned' | 'mark-irrecoverable' | 'discard' | 'undo-discard';

const TRANSITIONS: readonly BillTransition[] = [
  'close',
  'send',
  'mark-paid',
  'mark-returned',
  'mark-irrecoverable',
  'discard',
  'undo-discard',
];

const billPath = (billId: string) => `/v1/bills/${encodeURIComponent(billId)}`;

function revalidateBill(bill: Pick<Bill, 'id' | 'accountId'>) {
  revalidatePath(`/admin/bills/${bill.id}`);
  revalidatePath('/admin/bills');
  revalidatePath(`/admin/accounts/${bill.accountId}`);
}

function backTo(billId: string, done: BillChange, anchor = ''): never {
  redirect(`/admin/bills/${encodeURIComponent(billId)}?done=${done}${anchor}`);
}

/** Run a lifecycle action on one bill: close (optional reason, exchange rate), send, mark…, discard (reason), undo. */
export async function billTransition(billId: string, action: BillTransition, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    if (!TRANSITIONS.includes(action)) throw FormInputError.form(`Unknown action ${action}`);
    const body = {
      reason: optional(formData, 'reason'),
      ...(action === 'close' ? { exchangeRate: optional(formData, 'exchangeRate') } : {}),
    };
    const bill = await api<Bill>('POST', `${billPath(billId)}/${action}`, body);
    revalidateBill(bill);
    backTo(bill.id, action);
  });
}

/** Open a bill by hand for an account (invoice, fee or quote) and go to it. */
export async function createBill(_state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const bill = await api<Bill>('POST', '/v1/bills', {
      accountId: str(formData, 'accountId'),
      type: str(formData, 'type') || undefined,
      notes: optional(formData, 'notes'),
    });
    revalidateBill(bill);
    backTo(bill.id, 'created');
  });
}

/** Delete an open bill (its orders go back to where they stood). */
export async function deleteBill(billId: string, accountId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    await api('DELETE', billPath(billId));
    revalidatePath('/admin/bills');
    revalidatePath(`/admin/accounts/${accountId}`);
    redirect('/admin/bills?done=deleted');
  });
}

/** Convert an issued quote into an open invoice, then show the invoice. */
export async function convertQuote(billId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const invoice = await api<Bill>('POST', `${billPath(billId)}/convert`, { reason: optional(formData, 'reason') });
    revalidatePath(`/admin/bills/${billId}`);
    revalidateBill(invoice);
    backTo(invoice.id, 'converted');
  });
}

/**
 * Amend an issued invoice or fee. Corrected bases typed next to lines (`line.<lineId>`) make a manual amendment of
 * those lines; none typed amends the whole amount. Goes to the new (open) amendment.
 */
export async function amendBill(billId: string, _state: FormState, formData: FormData): Promise<FormState> {
  const lineIds: string[] = [];
  return handleForm(
    formData,
    async () => {
      const lines: { lineId: string; total: string }[] = [];
      for (const [key, value] of formData.entries()) {
        if (!key.startsWith('line.') || typeof value !== 'string' || !value.trim()) continue;
        lineIds.push(key.slice('line.'.length));
        lines.push({ lineId: key.slice('line.'.length), total: value.trim() });
      }
      const amendment = await api<Bill>('POST', `${billPath(billId)}/amend`, {
        cause: str(formData, 'cause'),
        mode: str(formData, 'mode') || undefined,
        ...(lines.length ? { lines } : {}),
        notes: optional(formData, 'notes'),
      });
      revalidatePath(`/admin/bills/${billId}`);
      revalidateBill(amendment);
      backTo(amendment.id, 'amended');
    },
    {
      fieldFor: (path) => {
        if (path[0] === 'lines' && typeof path[1] === 'number') {
          const id = lineIds[path[1]];
          return id ? `line.${id}` : undefined;
        }
        return path.join('.');
      },
    },
  );
}

/** Re-render an issued bill's PDF and check it matches the stored one. */
export async function regenerateBillPdf(billId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const result = await api<{ status: 'verified' | 'restored'; sha256: string }>('POST', `${billPath(billId)}/regenerate-pdf`);
    revalidatePath(`/admin/bills/${billId}`);
    const t = createTranslate(await getLocale());
    return { status: 'success', message: t(result.status === 'verified' ? 'bills.pdfVerified' : 'bills.pdfRestored') };
  });
}

/** Add a line typed by staff to an open bill. */
export async function addBillLine(billId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const bill = await api<Bill>('POST', `${billPath(billId)}/lines`, {
      description: str(formData, 'description'),
      quantity: optional(formData, 'quantity'),
      unitPrice: str(formData, 'unitPrice'),
      taxCategory: optional(formData, 'taxCategory'),
      periodStart: optional(formData, 'periodStart'),
      periodEnd: optional(formData, 'periodEnd'),
    });
    revalidateBill(bill);
    backTo(bill.id, 'lines', '#lines');
  });
}

/** Change a line typed by staff on an open bill. */
export async function editBillLine(billId: string, lineId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const bill = await api<Bill>('PATCH', `${billPath(billId)}/lines/${encodeURIComponent(lineId)}`, {
      description: str(formData, 'description'),
      quantity: str(formData, 'quantity'),
      unitPrice: str(formData, 'unitPrice'),
      taxCategory: str(formData, 'taxCategory'),
      periodStart: optional(formData, 'periodStart') ?? null,
      periodEnd: optional(formData, 'periodEnd') ?? null,
    });
    revalidateBill(bill);
    backTo(bill.id, 'lines', '#lines');
  });
}

/** Remove a line (and its order's other lines) from an open bill. */
export async function deleteBillLine(billId: string, lineId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const bill = await api<Bill>('DELETE', `${billPath(billId)}/lines/${encodeURIComponent(lineId)}`);
    revalidateBill(bill);
    backTo(bill.id, 'lines', '#lines');
  });
}

/** Move a line (with its order's other lines) to another open bill of the same account and type. */
export async function moveBillLine(billId: string, lineId: string, _state: FormState, formData: FormData): Promise<FormState> {
  return handleForm(formData, async () => {
    const moved = await api<{ from: Bill; to: Bill }>('POST', `${billPath(billId)}/lines/${encodeURIComponent(lineId)}/move`, {
      toBillId: str(formData, 'toBillId'),
    });
    revalidateBill(moved.from);
    revalidatePath(`/admin/bills/${moved.to.id}`);
    backTo(moved.from.id, 'lines', '#lines');
  });
}

// -----------------------------------------------------------------------------------------------------------------
// Bulk actions on the list

/** The list's bulk actions. `close-send-download` issues what is open, sends, then offers one ZIP of the PDFs. */
export type BulkOp = 'close' | 'send' | 'close-send-download' | 'mark-paid' | 'download';
const BULK_OPS: readonly BulkOp[] = ['close', 'send', 'close-send-download', 'mark-paid', 'download'];

/** How one selected bill fared. */
export interface BulkResult {
  billId: string;
  /** The printed number when the bill has one (after closing too), else the provisional id. */
  label: string;
  ok: boolean;
  message: string;
}

export interface BulkOutcome {
  op: BulkOp;
  results: BulkResult[];
  /** Bills whose PDFs the ZIP link fetches (download actions only). */
  downloadIds: string[];
}

/** Bills one bulk action takes (the list shows at most this many per page). */
const MAX_BULK = 100;

const STATE_KEYS: Record<BillState, Parameters<Translate>[0]> = {
  open: 'bills.states.open',
  closed: 'bills.states.closed',
  sent: 'bills.states.sent',
  paid: 'bills.states.paid',
  returned: 'bills.states.returned',
  irrecoverable: 'bills.states.irrecoverable',
  discarded: 'bills.states.discarded',
  converted: 'bills.states.converted',
};

/** A failure in the user's words: a 409 names the bill's state ("it is closed already"), others the API's message. */
function failure(t: Translate, locale: Awaited<ReturnType<typeof getLocale>>, error: unknown): string {
  if (error instanceof ApiError) {
    const state = (error.details as { state?: BillState } | undefined)?.state;
    if (error.status === 409 && state && state in STATE_KEYS) return t('bills.bulk.notInState', { state: t(STATE_KEYS[state]) });
    if (error.status === 422 && error.issues.length) {
      return `${translateApiMessage(locale, error.message)}: ${error.issues.map((i) => i.path.join('.')).join(', ')}`;
    }
    if (error.status >= 500) return t('form.unavailable');
    return translateApiMessage(locale, error.message);
  }
  throw error;
}

/** One bill through the chosen action; never throws for API refusals (they become its result). */
async function bulkOne(
  op: BulkOp,
  billId: string,
  t: Translate,
  locale: Awaited<ReturnType<typeof getLocale>>,
): Promise<BulkResult & { issued?: boolean }> {
  let label = billId;
  const post = (action: string) => api<Bill>('POST', `${billPath(billId)}/${action}`, {});
  try {
    if (op === 'download') return { billId, label, ok: true, message: t('bills.bulk.queued'), issued: true };
    if (op === 'close' || op === 'send' || op === 'mark-paid') {
      const bill = await post(op);
      label = bill.number ?? bill.id;
      const message =
        op === 'close'
          ? t('bills.bulk.closed', { number: label })
          : op === 'send'
            ? t('bills.bulk.sent', { to: (bill.sentTo ?? []).join(', ') })
            : t('bills.bulk.paid');
      return { billId, label, ok: true, message };
    }
    // close-send-download: close what is open (an issued bill goes straight to sending), then send.
    const steps: string[] = [];
    try {
      const closed = await post('close');
      label = closed.number ?? closed.id;
      steps.push(t('bills.bulk.closed', { number: label }));
    } catch (error) {
      const state =
        error instanceof ApiError && error.status === 409 ? (error.details as { state?: string } | undefined)?.state : undefined;
      if (!state || state === 'open') throw error;
      steps.push(t('bills.bulk.alreadyIssued'));
    }
    try {
      const sent = await post('send');
      label = sent.number ?? sent.id;
      steps.push(t('bills.bulk.sent', { to: (sent.sentTo ?? []).join(', ') }));
      return { billId, label, ok: true, message: steps.join(' '), issued: true };
    } catch (error) {
      const message = [...steps, failure(t, locale, error)].join(' ');
      return { billId, label: label === billId ? await labelOf(billId) : label, ok: false, message, issued: true };
    }
  } catch (error) {
    return { billId, label: await labelOf(billId), ok: false, message: failure(t, locale, error) };
  }
}

/** A refused bill's number for the report (its id when it has none, or cannot be read). */
async function labelOf(billId: string): Promise<string> {
  try {
    const bill = await api<Bill>('GET', billPath(billId));
    return bill.number ?? bill.id;
  } catch {
    return billId;
  }
}

/** Run a bulk action over the selected bills (`billId` checkboxes, the pressed button's `op`); each bill on its own. */
export async function bulkBills(_state: FormState<BulkOutcome>, formData: FormData): Promise<FormState<BulkOutcome>> {
  const locale = await getLocale();
  const t = createTranslate(locale);
  const op = str(formData, 'op') as BulkOp;
  const ids = [...new Set(formData.getAll('billId').filter((v): v is string => typeof v === 'string' && v.length > 0))];
  if (!BULK_OPS.includes(op)) return { status: 'error', message: t('bills.bulk.unknown') };
  if (ids.length === 0) return { status: 'error', message: t('bills.bulk.noneSelected') };
  if (ids.length > MAX_BULK) return { status: 'error', message: t('bills.bulk.tooMany', { max: String(MAX_BULK) }) };
  // A few at a time: closes of one series queue in the API anyway, and the results keep the list's order.
  const results: (BulkResult & { issued?: boolean })[] = new Array(ids.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(4, ids.length) }, async () => {
      while (next < ids.length) {
        const i = next++;
        results[i] = await bulkOne(op, ids[i]!, t, locale);
      }
    }),
  );
  revalidatePath('/admin/bills');
  const downloadIds = op === 'download' || op === 'close-send-download' ? results.filter((r) => r.issued).map((r) => r.billId) : [];
  const failed = results.filter((r) => !r.ok).length;
  return {
    status: 'success',
    message: failed
      ? t('bills.bulk.someFailed', { ok: String(results.length - failed), failed: String(failed) })
      : t('bills.bulk.allDone', { count: String(results.length) }),
    data: { op, results: results.map(({ issued: _issued, ...r }) => r), downloadIds },
  };
}
