import { ValidationError } from '../../core/errors';
import { Money } from '../../core/money';
import type { Locale } from '../../core/schemas';
import { isFeeType } from '../model';
import { isEuCountry } from './eu';
import type { TaxContext, TaxDecision, TaxRules } from './rules';

// Spanish VAT (IVA) for a hosting provider established in mainland Spain or the Balearics
// (research/billing-compliance.md §2.5): electronically supplied services are taxed where the customer is.

/** IVA rates by the tenant's category codes. */
export const SPAIN_RATES: Readonly<Record<string, string>> = {
  standard: '21',
  reduced: '10',
  'super-reduced': '4',
  exempt: '0',
};

type Mention = 'reverseCharge' | 'notSubjectNonEu' | 'notSubjectTerritory' | 'exempt' | 'feeExempt';

/** Legal mentions, printed verbatim (RD 1619/2012 art. 6.1.j and m; Directive 2006/112/EC art. 226). */
export const SPAIN_MENTIONS: Record<Mention, Record<Locale, string>> = {
  reverseCharge: {
    es: 'Inversión del sujeto pasivo (art. 196 Directiva 2006/112/CE): el destinatario liquida el IVA',
    ca: 'Inversión del sujeto pasivo — inversió del subjecte passiu (art. 196 Directiva 2006/112/CE): el destinatari liquida l’IVA',
    en: 'Inversión del sujeto pasivo — reverse charge (art. 196 Directive 2006/112/EC): the recipient accounts for the VAT',
  },
  notSubjectNonEu: {
    es: 'Operación no sujeta al IVA (art. 69.Uno LIVA): servicio prestado a un destinatario establecido fuera de la UE',
    ca: 'Operació no subjecta a l’IVA (art. 69.U LIVA): servei prestat a un destinatari establert fora de la UE',
    en: 'Not subject to Spanish VAT (art. 69.Uno LIVA): service supplied to a recipient established outside the EU',
  },
  notSubjectTerritory: {
    es: 'Operación no sujeta al IVA (arts. 3 y 69 LIVA): destinatario en Canarias, Ceuta o Melilla',
    ca: 'Operació no subjecta a l’IVA (arts. 3 i 69 LIVA): destinatari a Canàries, Ceuta o Melilla',
    en: 'Not subject to Spanish VAT (arts. 3 and 69 LIVA): recipient in the Canary Islands, Ceuta or Melilla',
  },
  exempt: {
    es: 'Operación exenta de IVA (art. 20 LIVA)',
    ca: 'Operació exempta d’IVA (art. 20 LIVA)',
    en: 'Exempt from VAT (art. 20 LIVA)',
  },
  feeExempt: {
    es: 'Cuota exenta de IVA (art. 20.Uno.12º LIVA)',
    ca: 'Quota exempta d’IVA (art. 20.U.12è LIVA)',
    en: 'Membership fee exempt from VAT (art. 20.Uno.12º LIVA)',
  },
};

const ZERO = new Money(0);

/** Canary Islands (35, 38), Ceuta (51), Melilla (52): outside the Spanish VAT territory (LIVA art. 3). */
function isOutsideVatTerritory(postcode: string | undefined): boolean {
  return postcode !== undefined && /^(35|38|51|52)\d{3}$/.test(postcode.trim());
}

export const spainTaxRules: TaxRules = {
  country: 'ES',
  categories: SPAIN_RATES,
  hasBreakdown: ({ documentType, feeMode }) => !(isFeeType(documentType) && feeMode === 'receipt'),
  decide(category: string, { documentType, feeMode, customer, locale }: TaxContext): TaxDecision {
    const mention = (m: Mention) => SPAIN_MENTIONS[m][locale];
    // Membership fees carry no tax: a receipt is outside the invoicing rules, an exempt invoice says why.
    if (isFeeType(documentType))
      return feeMode === 'receipt' ? { code: 'O', rate: ZERO } : { code: 'E', rate: ZERO, mention: mention('feeExempt') };
    const nominal = SPAIN_RATES[category];
    if (nominal === undefined) {
      throw new ValidationError(`Spanish VAT has no category "${category}"`, [
        { path: ['taxCategory'], message: `Use one of ${Object.keys(SPAIN_RATES).join(', ')}` },
      ]);
    }
    const country = customer.country.toUpperCase();
    if (country === 'ES') {
      if (isOutsideVatTerritory(customer.postcode)) return { code: 'O', rate: ZERO, mention: mention('notSubjectTerritory') };
    } else if (isEuCountry(country)) {
      // A business with a VAT number self-assesses in its own state (Directive art. 44 and 196). Consumers pay Spanish
      // VAT while the tenant's EU-wide B2C sales stay under €10,000 a year (art. 59c); OSS rates are not modelled yet.
      if (customer.vatId) return { code: 'AE', rate: ZERO, mention: mention('reverseCharge') };
    } else {
      return { code: 'O', rate: ZERO, mention: mention('notSubjectNonEu') };
    }
    if (category === 'exempt') return { code: 'E', rate: ZERO, mention: mention('exempt') };
    return { code: 'S', rate: new Money(nominal) };
  },
};
