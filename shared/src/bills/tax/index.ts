import { spainTaxRules } from './spain';
import type { TaxRules } from './rules';

export type { TaxContext, TaxCustomer, TaxDecision, TaxRules } from './rules';
export { computeTotals } from './totals';

/** Tax rules by tenant country; add a country by adding its module here. */
const RULES: Readonly<Record<string, TaxRules>> = { ES: spainTaxRules };

/** The tax rules of a tenant's country, or undefined when there are none yet (such tenants cannot close bills). */
export function taxRulesFor(country: string): TaxRules | undefined {
  return RULES[country.toUpperCase()];
}
