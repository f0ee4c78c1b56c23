import type Decimal from 'decimal.js';
import type { Locale } from '../../core/schemas';
import type { TaxCategory as TaxCode } from '../../documents/render-model';
import type { BillType, FeeMode } from '../model';

// The pluggable tax port: one `TaxRules` per tenant country decides, for a line's tax category and the customer,
// the UNCL5305 code, the rate and the legal mention. Spain is the first implementation (./spain.ts); a country
// without rules can keep open bills but cannot close them (billing-compliance checklist 20).

/** What the rules need to know about the customer (the account being billed). */
export interface TaxCustomer {
  country: string;
  /** VAT / tax number; an EU business customer with one gets the reverse charge. */
  vatId?: string;
  /** Canarias, Ceuta and Melilla are outside the Spanish VAT territory: recognised by postal code. */
  postcode?: string;
  type?: 'individual' | 'organisation' | 'association' | 'company' | 'public_body';
}

export interface TaxContext {
  documentType: BillType;
  feeMode: FeeMode;
  customer: TaxCustomer;
  /** Legal mentions come out in this language. */
  locale: Locale;
}

/** The tax of one line: code, rate in percent, and the mention the document must print when it applies. */
export interface TaxDecision {
  code: TaxCode;
  rate: Decimal;
  mention?: string;
}

export interface TaxRules {
  country: string;
  /** The tenant's tax category codes and their nominal rates (percent), e.g. standard → 21. */
  categories: Readonly<Record<string, string>>;
  /** Decide a line's tax; throws ValidationError (naming `taxCategory`) for a category the regime lacks. */
  decide(category: string, context: TaxContext): TaxDecision;
  /** Whether bills of this type show a tax breakdown at all (membership fee receipts do not). */
  hasBreakdown(context: Pick<TaxContext, 'documentType' | 'feeMode'>): boolean;
}
