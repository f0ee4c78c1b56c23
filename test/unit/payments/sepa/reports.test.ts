import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectFormat, parseBankReport } from '@consort/shared/payments/sepa/reports';

const fixture = (name: string) => readFileSync(new URL(`../../../fixtures/sepa/${name}`, import.meta.url), 'utf8');

describe('bank report parsers', () => {
  it('reads returns from a camt.054 with reason, original amount and charges; pending entries are skipped', () => {
    const report = parseBankReport(fixture('camt.054.001.02-returns.xml'));
    expect(report.format).toBe('camt.054');
    expect(report.messageId).toBe('CAIX-NTF-20261214-0001');
    expect(report.entries).toEqual([
      {
        ref: '0-0-0',
        scope: 'transaction',
        outcome: 'returned',
        originalMessageId: 'BATCH-20261205-0001',
        originalPaymentInfoId: 'BATCH-20261205-0001-1',
        endToEndId: 'E2E-000001',
        mandateId: 'MND-1',
        amount: '12.10',
        currency: 'EUR',
        reasonCode: 'AC04',
        reasonText: 'Cuenta cancelada',
        charges: '3.00',
        bookingDate: '2026-12-14',
        side: 'DBIT',
      },
      {
        ref: '0-1-0',
        scope: 'transaction',
        outcome: 'returned',
        mandateId: 'MND-2',
        amount: '24.50',
        currency: 'EUR',
        reasonCode: 'AM04',
        charges: '2.00',
        bookingDate: '2026-12-14',
        side: 'DBIT',
      },
    ]);
  });

  it('reads what a camt.054 says about our credit transfers: executed (debit, batch-booked) and returned (credit with RtrInf)', () => {
    const report = parseBankReport(fixture('camt.054.001.08-credit-transfers.xml'));
    expect(
      report.entries.map((e) => [e.outcome, e.side, e.endToEndId, e.amount, e.reasonCode, e.reasonText, e.charges, e.bookingDate]),
    ).toEqual([
      ['settled', 'DBIT', 'SCT-20261214-ABCDEFGHIJ-0001', '12.10', undefined, undefined, undefined, '2026-12-15'],
      ['settled', 'DBIT', 'SCT-20261214-ABCDEFGHIJ-0002', '24.50', undefined, undefined, undefined, '2026-12-15'],
      ['returned', 'CRDT', 'SCT-20261214-ABCDEFGHIJ-0001', '12.10', 'AC04', 'Cuenta cancelada', '0.60', '2026-12-18'],
    ]);
    expect(report.entries[0]!.originalMessageId).toBe('SCT-20261214-ABCDEFGHIJ');
  });

  it('reads a camt.053 statement (2019 version): settled collections, a return with charge records, ignores other credits', () => {
    const report = parseBankReport(fixture('camt.053.001.08-statement.xml'));
    expect(report.format).toBe('camt.053');
    expect(report.entries.map((e) => [e.outcome, e.endToEndId, e.amount, e.reasonCode, e.charges])).toEqual([
      ['settled', 'E2E-000003', '12.10', undefined, undefined],
      ['settled', 'E2E-000004', '24.50', undefined, undefined],
      ['returned', 'E2E-000005', '12.10', 'MS02', '1.50'],
    ]);
  });

  it('reads a pain.002: a rejected transaction, a settled one, a rejected block; pending ones are skipped', () => {
    const report = parseBankReport(fixture('pain.002.001.03-rejects.xml'));
    expect(report.format).toBe('pain.002');
    expect(report.entries).toEqual([
      {
        ref: 'block-0-tx-0',
        scope: 'transaction',
        outcome: 'rejected',
        originalMessageId: 'BATCH-20261205-0001',
        originalPaymentInfoId: 'BATCH-20261205-0001-1',
        endToEndId: 'E2E-000001',
        mandateId: 'MND-1',
        amount: '12.10',
        currency: 'EUR',
        reasonCode: 'AC01',
        reasonText: 'IBAN incorrecto',
      },
      {
        ref: 'block-0-tx-1',
        scope: 'transaction',
        outcome: 'settled',
        originalMessageId: 'BATCH-20261205-0001',
        originalPaymentInfoId: 'BATCH-20261205-0001-1',
        endToEndId: 'E2E-000002',
      },
      {
        ref: 'block-1',
        scope: 'block',
        outcome: 'rejected',
        originalMessageId: 'BATCH-20261205-0001',
        originalPaymentInfoId: 'BATCH-20261205-0001-2',
        reasonCode: 'FF01',
      },
    ]);
  });

  it('refuses malformed XML, other messages and entity tricks', () => {
    expect(() => parseBankReport('<Document><BkToCstmrStmt>')).toThrow(/well-formed/);
    expect(() =>
      parseBankReport(
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02"><CstmrDrctDbtInitn/></Document>',
      ),
    ).toThrow(/Not a pain.002/);
    expect(() => detectFormat('<html/>')).toThrow(/not an ISO 20022 Document/);
    const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><Document><BkToCstmrStmt><GrpHdr><MsgId>&x;</MsgId></GrpHdr></BkToCstmrStmt></Document>`;
    let messageId = '';
    try {
      messageId = parseBankReport(xxe).messageId;
    } catch {
      messageId = 'refused';
    }
    expect(messageId).not.toContain('root:');
  });
});
