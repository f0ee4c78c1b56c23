// npm run bench:sepa — how long the SEPA file work takes for one batch of 1,000 and 10,000 collections: writing the
// pain.008 (decimal sums, transliteration, escaping), the EPC rule check on the written XML, and reading a camt.054
// with as many returns. Median of 5 runs each, in ms. Prints a JSON line last. Reported, not asserted.
import { loadavg } from 'node:os';
import { checkEpcRules } from '@consort/shared/payments/sepa/epc';
import { writePain008, type DirectDebit } from '@consort/shared/payments/sepa/pain008';
import { parseBankReport } from '@consort/shared/payments/sepa/reports';
import { camt054Returns } from '../support/bank-files';

const RUNS = 5;

function debits(n: number): DirectDebit[] {
  return Array.from({ length: n }, (_, i) => ({
    endToEndId: `SDD-20261201-${String(i).padStart(6, '0')}`,
    amount: `${(i % 500) + 1}.${String(i % 100).padStart(2, '0')}`,
    currency: 'EUR',
    scheme: 'CORE' as const,
    sequenceType: i % 3 ? ('RCUR' as const) : ('FRST' as const),
    collectionDate: '2026-12-09',
    mandate: { id: `MND-${i}`, signedOn: '2026-01-15' },
    debtor: { name: `Muñoz Peña & Cía. ${i}`, iban: i % 2 ? 'DE89370400440532013000' : 'ES9121000418450200051332' },
    remittance: `Factura I2026-${i} hosting`,
  }));
}

function median(fn: () => void): number {
  const times: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  return Math.round(times.sort((a, b) => a - b)[Math.floor(RUNS / 2)]! * 10) / 10;
}

const results: Record<string, unknown> = {};
for (const n of [1000, 10000]) {
  const list = debits(n);
  const file = () =>
    writePain008({
      version: '08',
      messageId: 'SDD-20261201-BENCH',
      createdAt: '2026-12-01T09:00:00Z',
      initiatingParty: 'Bench',
      creditor: { name: 'Bench', iban: 'ES9121000418450200051332', creditorId: 'ES37000G12345674' },
      debits: list,
    });
  const { xml } = file();
  const issues = checkEpcRules(xml);
  if (issues.length) throw new Error(`EPC issues: ${JSON.stringify(issues.slice(0, 3))}`);
  const camt = camt054Returns(
    'BENCH',
    list.map((d) => ({ endToEndId: d.endToEndId, amount: d.amount, reason: 'AM04', charges: '1.00' })),
  );
  results[`n${n}`] = {
    fileBytes: xml.length,
    writeMs: median(file),
    epcCheckMs: median(() => checkEpcRules(xml)),
    camt054ParseMs: median(() => parseBankReport(camt)),
  };
  console.error(`${n} collections:`, results[`n${n}`]);
}
console.log(JSON.stringify({ bench: 'sepa', runs: RUNS, loadavg: loadavg().map((l) => Math.round(l * 100) / 100), ...results }));
