import { z } from 'zod';
import { Amount, Currency } from '../core/money';
import { LocalDate } from '../core/dates';
import { Country, Locale } from '../core/schemas';

/**
 * The render model is the contract between the bills domain and the document renderer: everything a
 * bill's PDF shows, already computed (amounts as decimal strings, dates as `YYYY-MM-DD`). The bills
 * domain freezes one of these when a bill closes and stores it with the bill, so a PDF can be
 * re-rendered byte-identically years later (see `regenerateBillPdf`). The renderer never computes
 * tax or totals; it prints what it is given.
 *
 * Changing the shape: add optional fields only. A breaking change bumps `schemaVersion` and keeps
 * the old shape parseable, because frozen models live as long as the bills do (10 years in Spain).
 */

/** The five bill document types (issue 4 item 1). */
export const BILL_DOCUMENT_TYPES = ['invoice', 'fee', 'amendment', 'fee-amendment', 'quote'] as const;
export const BillDocumentType = z.enum(BILL_DOCUMENT_TYPES);
export type BillDocumentType = z.infer<typeof BillDocumentType>;

/**
 * Tax category per line and per tax subtotal, using EN 16931 / UNCL5305 codes so a future
 * Facturae / UBL export maps one to one: S standard rate, Z zero rated, E exempt, AE reverse charge,
 * K intra-community supply, G export outside the EU, O outside the scope of the tax.
 */
export const TAX_CATEGORIES = ['S', 'Z', 'E', 'AE', 'K', 'G', 'O'] as const;
export const TaxCategory = z.enum(TAX_CATEGORIES);
export type TaxCategory = z.infer<typeof TaxCategory>;

const Text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(s), 'Control characters are not allowed');

/** Postal address as printed, one entry per line (street, postal code + city, region…), country apart. */
export const AddressLines = z.array(Text(200)).max(6);

/** A logo embedded in the model (so re-rendering never fetches anything): PNG or JPEG data URL ≤ 512 KiB. */
export const LogoDataUrl = z
  .string()
  .max(700_000)
  .regex(/^data:image\/(png|jpeg);base64,[A-Za-z0-9+/]+={0,2}$/, 'Use a PNG or JPEG data URL');

/** The issuer: the tenant running Consort. */
export const RenderIssuer = z.object({
  /** Trading name, printed large as branding. */
  name: Text(200).min(1),
  /** Full legal name (RD 1619/2012 art. 6.1.c). */
  legalName: Text(200).min(1),
  /** NIF / VAT number (art. 6.1.d). */
  taxId: Text(40).min(1),
  addressLines: AddressLines.min(1),
  country: Country,
  email: Text(254),
  phone: Text(40).optional(),
  website: Text(200).optional(),
  logo: LogoDataUrl.nullable(),
});
export type RenderIssuer = z.infer<typeof RenderIssuer>;

/** The recipient: the customer account being billed. */
export const RenderCustomer = z.object({
  /** Full name or legal name (art. 6.1.c). */
  name: Text(200).min(1),
  /** Required on full invoices to businesses and whenever the reverse charge applies (art. 6.1.d). */
  taxId: Text(40).optional(),
  addressLines: AddressLines,
  country: Country,
  email: Text(254).optional(),
  /** The customer's account reference in the panel, printed for convenience. */
  reference: Text(80).optional(),
});
export type RenderCustomer = z.infer<typeof RenderCustomer>;

/** Identification of the document itself. */
export const RenderDocument = z.object({
  type: BillDocumentType,
  /** Full number including the series prefix, e.g. `F2025/000123`; null for quotes and drafts. */
  number: Text(60).min(1).nullable(),
  /** Series code, e.g. `F2025` (art. 6.1.a: number and, where there are several, series). */
  series: Text(40),
  /** Provisional reference printed when `number` is null (quote or draft id). */
  reference: Text(60).optional(),
  issueDate: LocalDate,
  /** Date of the operation when it differs from the issue date (art. 6.1.n). */
  operationDate: LocalDate.optional(),
  dueDate: LocalDate.optional(),
  /** Quotes: valid until. */
  validUntil: LocalDate.optional(),
});
export type RenderDocument = z.infer<typeof RenderDocument>;

/** A discount applied to a line, shown under it (art. 6.1.f: discounts not included in the unit price). */
export const RenderDiscount = z.object({
  explanation: Text(200).min(1),
  /** Amount subtracted from the line (positive number = discount). */
  amount: Amount,
});
export type RenderDiscount = z.infer<typeof RenderDiscount>;

/** One bill line. `total` is the taxable base of the line: quantity × unitPrice − discounts, before tax. */
export const RenderLine = z.object({
  description: Text(500).min(1),
  periodStart: LocalDate.optional(),
  periodEnd: LocalDate.optional(),
  quantity: Amount,
  /** Unit price before tax (art. 6.1.f). */
  unitPrice: Amount,
  discounts: z.array(RenderDiscount).max(20),
  taxCategory: TaxCategory,
  /** Percentage, e.g. "21" or "21.00"; "0" for exempt / reverse charge lines. */
  taxRate: Amount,
  total: Amount,
});
export type RenderLine = z.infer<typeof RenderLine>;

/** A tax subtotal: base and tax amount for one (category, rate) (art. 6.1.g–h; EN 16931 BG-23). */
export const RenderTaxSubtotal = z.object({
  rate: Amount,
  base: Amount,
  amount: Amount,
  /** Defaults to S when the rate is positive; set it to distinguish E / AE / Z subtotals at 0 %. */
  category: TaxCategory.optional(),
});
export type RenderTaxSubtotal = z.infer<typeof RenderTaxSubtotal>;

export const RenderTotals = z.object({ base: Amount, tax: Amount, total: Amount });
export type RenderTotals = z.infer<typeof RenderTotals>;

/** Non-EUR Spanish invoices must also show the tax in euros (art. 10.1): exchange rate and tax in EUR. */
export const RenderTotalsInEur = z.object({
  /** EUR per unit of the bill's currency, as applied. */
  rate: Amount,
  tax: Amount,
  base: Amount.optional(),
  total: Amount.optional(),
});
export type RenderTotalsInEur = z.infer<typeof RenderTotalsInEur>;

/** What an amendment (factura rectificativa) corrects (art. 15; RD 1619/2012 art. 6.1 via 15.4). */
export const RenderAmends = z.object({
  /** Number of the original bill. */
  number: Text(60).min(1),
  /** Issue date of the original bill. */
  date: LocalDate,
  /** Cause of the correction, printed verbatim. */
  cause: Text(500).min(1),
  /** `differences`: lines carry the (usually negative) difference; `substitution`: the bill replaces the original. */
  mode: z.enum(['differences', 'substitution']),
});
export type RenderAmends = z.infer<typeof RenderAmends>;

export const RenderPaymentInstructions = z.object({
  /** e.g. "Bank transfer" / "Direct debit"; printed as given (the bills domain localises it). */
  method: Text(100).optional(),
  iban: Text(50).optional(),
  bic: Text(20).optional(),
  /** Free text, e.g. "Pay within 30 days quoting the invoice number". */
  text: Text(500).optional(),
});
export type RenderPaymentInstructions = z.infer<typeof RenderPaymentInstructions>;

/** Everything a bill document shows. Build it in the bills domain, freeze it on close, render with `renderBillPdf`. */
export const BillRenderModel = z
  .object({
    schemaVersion: z.literal(1),
    locale: Locale,
    tenant: RenderIssuer,
    customer: RenderCustomer,
    document: RenderDocument,
    currency: Currency,
    /** Name of the tax as printed, e.g. "IVA", "VAT", "IGIC"; defaults to the locale's word for VAT. */
    taxLabel: Text(20).min(1).optional(),
    lines: z.array(RenderLine).max(2000),
    taxes: z.array(RenderTaxSubtotal).max(20),
    totals: RenderTotals,
    totalsInEur: RenderTotalsInEur.optional(),
    amends: RenderAmends.optional(),
    /** Legal mentions printed verbatim in the model's locale, e.g. "Inversión del sujeto pasivo (art. 84 LIVA)". */
    legalMentions: z.array(Text(1000).min(1)).max(20),
    paymentInstructions: RenderPaymentInstructions.optional(),
    /** Free-text note from staff, printed above the legal mentions. */
    notes: Text(2000).optional(),
  })
  .superRefine((m, ctx) => {
    const isAmendment = m.document.type === 'amendment' || m.document.type === 'fee-amendment';
    if (isAmendment && !m.amends) {
      ctx.addIssue({ code: 'custom', path: ['amends'], message: 'An amendment must reference the bill it corrects' });
    }
    if (!isAmendment && m.amends) {
      ctx.addIssue({ code: 'custom', path: ['amends'], message: 'Only amendments reference another bill' });
    }
    if (m.document.type === 'quote' && m.document.number !== null) {
      ctx.addIssue({ code: 'custom', path: ['document', 'number'], message: 'Quotes never carry a bill number' });
    }
    if (m.currency !== 'EUR' && m.tenant.country === 'ES' && m.document.number !== null && !m.totalsInEur) {
      ctx.addIssue({
        code: 'custom',
        path: ['totalsInEur'],
        message: 'Spanish bills in another currency must also show the tax in EUR',
      });
    }
  });
export type BillRenderModel = z.infer<typeof BillRenderModel>;
