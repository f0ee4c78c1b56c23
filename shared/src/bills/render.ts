import Decimal from 'decimal.js';
import { formatAmount } from '../core/money';
import { LOCALES, type Locale } from '../core/schemas';
import type { Account } from '../accounts/model';
import { BillRenderModel, type RenderLine } from '../documents/render-model';
import type { Tenant } from '../tenancy/model';
import { isAmendmentType, isFeeType, type Bill, type BillSettings } from './model';
import { isNumbered, seriesCode } from './numbering';
import { taxRulesFor } from './tax';

// The frozen document of an issued bill: everything the PDF shows, computed here once at close and stored with the
// bill (shared/src/documents/render-model.ts is the contract with the renderer). Also the list of what is missing
// before a bill may be issued (billing-compliance checklist 5 and 6), as field-level errors.

/** Who issues and who receives: read at close and frozen into the model. */
export interface RenderContext {
  tenant: Pick<Tenant, 'name' | 'country' | 'locale'>;
  settings: BillSettings;
  account: Pick<Account, 'id' | 'name' | 'email' | 'vatId' | 'address' | 'city' | 'postcode' | 'country' | 'locale' | 'type'>;
}

/** Mentions of documents that are not invoices. */
const RECEIPT_MENTION: Record<Locale, string> = {
  en: 'Membership fee receipt: this document is not an invoice',
  es: 'Recibo de cuota de socio: este documento no es una factura',
  ca: 'Rebut de quota de soci: aquest document no és una factura',
};

/** The language of the customer's documents: the account's, else the tenant's. */
export function billLocale(ctx: Pick<RenderContext, 'tenant' | 'account'>): Locale {
  const locale = ctx.account.locale ?? ctx.tenant.locale;
  return LOCALES.includes(locale) ? locale : 'en';
}

function customerAddress(account: RenderContext['account']): string[] {
  const place = [account.postcode, account.city].filter(Boolean).join(' ');
  return [account.address, place].filter((s): s is string => Boolean(s && s.trim())).map((s) => s.slice(0, 200));
}

const amount6 = (d: Decimal) => d.toDecimalPlaces(6, Decimal.ROUND_HALF_UP).toFixed();
const text = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Whether the document is a full invoice under the invoicing rules (fee receipts and quotes are not). */
export function isInvoiceDocument(type: Bill['type'], feeMode: BillSettings['feeMode']): boolean {
  if (type === 'quote') return false;
  return !(isFeeType(type) && feeMode === 'receipt');
}

/**
 * What is missing to issue this bill, as `{ path, message }` (422 details): the issuer's legal data, the customer's
 * address and tax number where the law requires them, at least one line, tax rules for the tenant's country and, for
 * non-EUR Spanish bills, the exchange rate.
 */
export function issueIssues(bill: Pick<Bill, 'type' | 'lines' | 'currency'>, ctx: RenderContext, exchangeRate?: string) {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const issuer = ctx.settings.issuer;
  const missing = (path: (string | number)[], message: string) => issues.push({ path, message });
  if (!issuer.legalName) missing(['settings', 'issuer', 'legalName'], 'Set the legal name bills are issued under (billing settings)');
  if (!issuer.taxId) missing(['settings', 'issuer', 'taxId'], 'Set the tax id (NIF) bills are issued under (billing settings)');
  if (issuer.addressLines.length === 0)
    missing(['settings', 'issuer', 'addressLines'], 'Set the address printed on bills (billing settings)');
  if (bill.lines.length === 0) missing(['lines'], 'A bill needs at least one line');
  if (!taxRulesFor(ctx.tenant.country)) missing(['tenant', 'country'], `There are no tax rules for ${ctx.tenant.country} yet`);
  if (isInvoiceDocument(bill.type, ctx.settings.feeMode)) {
    if (customerAddress(ctx.account).length === 0) missing(['account', 'address'], 'Invoices state the customer’s address');
    const isBusiness = ctx.account.type !== undefined && ctx.account.type !== 'individual';
    const isReverseCharge = bill.lines.some((l) => l.tax.code === 'AE');
    if (!ctx.account.vatId && (isReverseCharge || (isBusiness && ctx.account.country === ctx.tenant.country))) {
      missing(['account', 'vatId'], 'Invoices to businesses state the customer’s tax id');
    }
  }
  if (isNumbered(bill.type) && bill.currency !== 'EUR' && ctx.tenant.country === 'ES' && !exchangeRate) {
    missing(
      ['exchangeRate'],
      `Spanish bills in ${bill.currency} also state the tax in EUR: give the exchange rate (EUR per ${bill.currency})`,
    );
  }
  return issues;
}

/**
 * Build the render model of a bill being issued (number, dates and totals already set). Validated against the
 * documents contract; throws ZodError if a field breaks it (the caller checks `issueIssues` first).
 */
export function buildRenderModel(bill: Bill, ctx: RenderContext): BillRenderModel {
  const locale = billLocale(ctx);
  const settings = ctx.settings;
  const series = settings.series[bill.type];
  const issuedOn = bill.issuedOn ?? bill.createdAt.slice(0, 10);
  const lines: RenderLine[] = bill.lines.map((l) => ({
    description: text(l.description, 500),
    ...(l.periodStart ? { periodStart: l.periodStart } : {}),
    ...(l.periodEnd ? { periodEnd: l.periodEnd } : {}),
    quantity: amount6(l.quantity),
    unitPrice: amount6(l.unitPrice),
    discounts: l.discounts
      .slice(0, 20)
      .map((d) => ({ explanation: text(d.explanation || d.reason, 200), amount: formatAmount(d.amount.negated()) })),
    taxCategory: l.tax.code,
    taxRate: l.tax.rate.toFixed(),
    total: formatAmount(l.total),
  }));
  const mentions = [...new Set(bill.totals.taxes.map((t) => t.mention).filter((m): m is string => Boolean(m)))];
  if (isFeeType(bill.type) && settings.feeMode === 'receipt') mentions.push(RECEIPT_MENTION[locale]);
  const exchange = bill.exchangeRate ? new Decimal(bill.exchangeRate) : undefined;
  const model = {
    schemaVersion: 1 as const,
    locale,
    tenant: {
      name: ctx.tenant.name,
      legalName: settings.issuer.legalName ?? ctx.tenant.name,
      taxId: settings.issuer.taxId ?? '',
      addressLines: settings.issuer.addressLines,
      country: ctx.tenant.country,
      email: settings.issuer.email ?? '',
      ...(settings.issuer.phone ? { phone: settings.issuer.phone } : {}),
      ...(settings.issuer.website ? { website: settings.issuer.website } : {}),
      logo: settings.issuer.logo,
    },
    customer: {
      name: ctx.account.name,
      ...(ctx.account.vatId ? { taxId: ctx.account.vatId } : {}),
      addressLines: customerAddress(ctx.account),
      country: ctx.account.country,
      email: ctx.account.email,
      reference: ctx.account.id,
    },
    document: {
      type: bill.type,
      number: isNumbered(bill.type) ? (bill.number ?? null) : null,
      series: isNumbered(bill.type) ? (bill.series ?? seriesCode(series, Number(issuedOn.slice(0, 4)))) : series.prefix,
      ...(bill.number && isNumbered(bill.type) ? {} : { reference: bill.id }),
      issueDate: issuedOn,
      ...(bill.type === 'quote' ? (bill.dueOn ? { validUntil: bill.dueOn } : {}) : bill.dueOn ? { dueDate: bill.dueOn } : {}),
    },
    currency: bill.currency,
    lines,
    taxes: bill.totals.taxes.map((t) => ({
      rate: t.rate.toFixed(),
      base: formatAmount(t.base),
      amount: formatAmount(t.tax),
      category: t.code,
    })),
    totals: { base: formatAmount(bill.totals.base), tax: formatAmount(bill.totals.tax), total: formatAmount(bill.totals.total) },
    ...(exchange
      ? {
          totalsInEur: {
            rate: exchange.toFixed(),
            tax: formatAmount(bill.totals.tax.times(exchange)),
            base: formatAmount(bill.totals.base.times(exchange)),
            total: formatAmount(bill.totals.total.times(exchange)),
          },
        }
      : {}),
    ...(bill.amends && isAmendmentType(bill.type)
      ? { amends: { number: bill.amends.number, date: bill.amends.issuedOn, cause: bill.amends.cause, mode: bill.amends.mode } }
      : {}),
    legalMentions: mentions,
    ...(settings.paymentInstructions && bill.type !== 'quote' ? { paymentInstructions: settings.paymentInstructions } : {}),
    ...(bill.notes ? { notes: bill.notes } : {}),
  };
  return BillRenderModel.parse(model);
}
