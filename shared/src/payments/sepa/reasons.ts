// What we do when a collection comes back, by ISO 20022 reason code (billing-compliance research §1.9; EPC SDD
// rulebook R-transaction codes). Unknown codes fall back to "investigate": nothing automatic happens to the mandate,
// the bill is returned and staff decide.

/** What happens to the mandate and whether the debt may be collected again by direct debit. */
export interface ReturnPolicy {
  code: string;
  meaning: string;
  /** invalidate: the account cannot be debited (closed, blocked, deceased); revoke: the debtor has no or withdrew the mandate. */
  mandate: 'keep' | 'invalidate' | 'revoke';
  /** How many times the bill may be collected again after returns with this code (0 = never automatically). */
  maxRepresentations: number;
  action: string;
}

const row = (
  code: string,
  meaning: string,
  mandate: ReturnPolicy['mandate'],
  maxRepresentations: number,
  action: string,
): ReturnPolicy => ({
  code,
  meaning,
  mandate,
  maxRepresentations,
  action,
});

/** The reason-code table. */
export const RETURN_POLICIES: readonly ReturnPolicy[] = [
  row('AM04', 'Insufficient funds', 'keep', 2, 'Re-present in a later batch (new EndToEndId) after notice; at most twice'),
  row('MS03', 'Reason not specified by the debtor bank', 'keep', 2, 'Re-present in a later batch after notice; at most twice'),
  row('MS02', 'Refused by the debtor, no reason', 'keep', 0, 'No automatic retry; contact the customer, ask for another method'),
  row('AC04', 'Account closed', 'invalidate', 0, 'Mandate invalid; ask the customer for a new account'),
  row('AC06', 'Account blocked', 'invalidate', 0, 'Mandate invalid; ask the customer for a new account'),
  row('AG01', 'Direct debit not allowed on the account', 'invalidate', 0, 'Mandate invalid; ask for another method'),
  row('MD07', 'Debtor deceased', 'invalidate', 0, 'Mandate invalid; stop collecting'),
  row('MD01', 'No valid mandate', 'revoke', 0, 'Treat as a dispute; the mandate is revoked'),
  row('MD06', 'Refund requested by the debtor (8 weeks)', 'keep', 0, 'Treat as a dispute; contact the customer'),
  row(
    'SL01',
    'Specific service offered by the debtor bank (blocked creditor)',
    'keep',
    0,
    'Contact the customer; the debtor blocked our creditor identifier',
  ),
  row('AC01', 'Wrong account number', 'invalidate', 0, 'Fix the IBAN with the customer; never retry blindly'),
  row('RC01', 'Wrong BIC', 'keep', 0, 'Fix the BIC (or leave it out); never retry blindly'),
  row('RR01', 'Missing debtor account or identification (regulatory)', 'keep', 0, 'Fix the debtor data'),
  row('RR02', 'Missing debtor name or address (regulatory)', 'keep', 0, 'Fix the debtor data'),
  row('RR03', 'Missing creditor name or address (regulatory)', 'keep', 0, 'Fix the tenant SEPA settings'),
  row('RR04', 'Regulatory reason', 'keep', 0, 'Investigate with the bank'),
  row('MD02', 'Missing or wrong mandate data', 'keep', 0, 'Fix the mandate data'),
  row('FF01', 'Invalid file format', 'keep', 0, 'Investigate the file with the bank'),
  row('AG02', 'Invalid operation code', 'keep', 0, 'Investigate the file with the bank'),
  row('AM05', 'Duplicate collection', 'keep', 0, 'Investigate: the collection may already be paid'),
  row('BE05', 'Creditor identifier unknown to the bank', 'keep', 0, 'Configuration: check the creditor identifier'),
];

const BY_CODE = new Map(RETURN_POLICIES.map((p) => [p.code, p]));

/** The policy for a reason code; unknown or missing codes get "keep, no automatic re-presentation, investigate". */
export function returnPolicy(code: string | undefined): ReturnPolicy {
  return BY_CODE.get(code ?? '') ?? row(code ?? 'NONE', 'Other or unstated reason', 'keep', 0, 'Investigate; no automatic retry');
}

/**
 * Whether a bill whose direct debits came back with these codes (oldest first) may be collected again: the last
 * return's code allows it and the bill has been re-presented fewer times than that code allows.
 * @example mayRepresent(['AM04']) // true; mayRepresent(['AM04', 'AM04', 'AM04']) // false (two re-presentations done)
 */
export function mayRepresent(returnCodes: readonly (string | undefined)[]): boolean {
  if (returnCodes.length === 0) return true;
  const last = returnPolicy(returnCodes[returnCodes.length - 1]);
  return returnCodes.length - 1 < last.maxRepresentations;
}
