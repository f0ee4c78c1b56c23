import { formatAmount } from '../core/money';
import type { Locale } from '../core/schemas';
import { billFileName } from '../documents/keys';
import { documentTitle } from '../documents/messages';
import { PDF_CONTENT_TYPE, getBillPdf } from '../documents/use-cases';
import type { DocumentStore } from '../ports/documents';
import type { Mailer, MailMessage } from '../ports/mail';
import type { Tenant } from '../tenancy/model';
import type { Bill, BillSettings } from './model';

// Sending an issued bill: its PDF (rendered from the frozen model on first use, then stored write-once) attached to a
// short e-mail in the customer's language. The documents part owns rendering and storage; this only composes.

/** Optional ports the bills use cases call when the runtime provides them (both runtimes do). */
export interface BillDocumentPorts {
  documents?: DocumentStore;
  mailer?: Mailer;
}

const TEXT: Record<Locale, { greeting: string; body: string; due: string; bye: string }> = {
  en: {
    greeting: 'Hello,',
    body: 'Please find attached {title} {number} of {date}, for {total} {currency}.',
    due: 'It is due on {due}.',
    bye: 'Kind regards,',
  },
  es: {
    greeting: 'Hola,',
    body: 'Adjuntamos {title} {number} del {date}, por un importe de {total} {currency}.',
    due: 'Vence el {due}.',
    bye: 'Saludos cordiales,',
  },
  ca: {
    greeting: 'Hola,',
    body: 'Us adjuntem {title} {number} del {date}, per un import de {total} {currency}.',
    due: 'Venç el {due}.',
    bye: 'Salutacions cordials,',
  },
};

const fill = (template: string, values: Record<string, string>) => template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? '');

/** Hex SHA-256 of bytes (Web Crypto: no node built-in in the domain). */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * E-mail an issued bill with its PDF to `to`; returns where the PDF is stored and its hash (kept on the bill) and the
 * mailer's message id. Does nothing (returns undefined) when the runtime has no mailer or document store.
 */
export async function mailBill(
  ports: BillDocumentPorts,
  tenant: Pick<Tenant, 'id' | 'name'>,
  settings: BillSettings,
  bill: Bill,
  to: string[],
): Promise<{ key: string; sha256: string; messageId: string } | undefined> {
  const { mailer, documents } = ports;
  if (!mailer || !documents || !bill.renderModel || to.length === 0) return undefined;
  const model = bill.renderModel;
  const { key, bytes } = await getBillPdf({ documents }, tenant.id, model);
  const t = TEXT[model.locale];
  const title = documentTitle(bill.type, model.locale);
  const number = model.document.number ?? model.document.reference ?? bill.id;
  const values = {
    title: title.toLowerCase(),
    number,
    date: model.document.issueDate,
    total: formatAmount(bill.totals.total),
    currency: bill.currency,
    due: model.document.dueDate ?? model.document.validUntil ?? '',
  };
  const message: MailMessage = {
    to,
    fromName: tenant.name,
    ...(settings.issuer.email ? { replyTo: settings.issuer.email } : {}),
    subject: `${title} ${number} – ${tenant.name}`,
    text: [t.greeting, '', fill(t.body, values), ...(values.due ? [fill(t.due, values)] : []), '', t.bye, tenant.name, ''].join('\n'),
    attachments: [{ filename: billFileName(title, model), contentType: PDF_CONTENT_TYPE, bytes }],
  };
  const sent = await mailer.send(message);
  return { key, sha256: await sha256Hex(bytes), messageId: sent.messageId };
}
