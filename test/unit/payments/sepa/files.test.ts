import { describe, expect, it } from 'vitest';
import { Money } from '@consort/shared/core/money';
import { checkEpcRules } from '@consort/shared/payments/sepa/epc';
import { writePain001, type CreditTransferFile } from '@consort/shared/payments/sepa/pain001';
import { writePain008, type DirectDebit, type DirectDebitFile } from '@consort/shared/payments/sepa/pain008';
import { readXml, text, one, all, rootOf } from '@consort/shared/payments/sepa/xml-read';
import { xsdErrors } from '../../../support/xsd';

// Every file we write must pass the ISO XSD (xmllint-wasm) and the EPC rules the XSD does not check.

const creditor = {
  name: 'Pangea Associació per a Internet & Cía.',
  iban: 'ES9121000418450200051332',
  bic: 'CAIXESBBXXX',
  creditorId: 'ES37000G12345674',
};

function debit(i: number, overrides: Partial<DirectDebit> = {}): DirectDebit {
  return {
    endToEndId: `E2E-${String(i).padStart(6, '0')}`,
    amount: '12.10',
    currency: 'EUR',
    scheme: 'CORE',
    sequenceType: i % 2 ? 'FRST' : 'RCUR',
    collectionDate: '2026-12-09',
    mandate: { id: `MND-${i}`, signedOn: '2026-01-15' },
    debtor: { name: 'Muñoz Peña & Cía.', iban: 'DE89370400440532013000' },
    remittance: `Factura I2026-${i} — «hosting» 2026`,
    ...overrides,
  };
}

function ddFile(version: DirectDebitFile['version'], debits: DirectDebit[]): DirectDebitFile {
  return {
    version,
    messageId: 'BATCH-20261205-0001',
    createdAt: '2026-12-05T10:00:00.000Z',
    initiatingParty: creditor.name,
    creditor,
    debits,
  };
}

function ctFile(version: CreditTransferFile['version']): CreditTransferFile {
  return {
    version,
    messageId: 'REFUND-20261205-0001',
    createdAt: '2026-12-05T10:00:00.000Z',
    initiatingParty: creditor.name,
    debtor: { name: creditor.name, iban: creditor.iban },
    executionDate: '2026-12-07',
    transfers: [
      {
        endToEndId: 'RF-1',
        amount: '10.00',
        currency: 'EUR',
        creditor: { name: 'Çağla Öztürk', iban: 'FR1420041010050500013M02606' },
        remittance: 'Devolución I2026-7',
      },
      {
        endToEndId: 'RF-2',
        amount: '0.01',
        currency: 'EUR',
        creditor: { name: 'Jörg Weiß', iban: 'DE89370400440532013000', bic: 'COBADEFFXXX' },
      },
    ],
  };
}

describe('pain.008 direct debits', () => {
  for (const version of ['02', '08'] as const) {
    it(`pain.008.001.${version} validates against the XSD and the EPC rules, with FRST and RCUR blocks`, async () => {
      const debits = [1, 2, 3, 4, 5].map((i) =>
        debit(i, i === 5 ? { debtor: { name: 'Jose', iban: 'ES9121000418450200051332', bic: 'CAIXESBB' } } : {}),
      );
      const { xml, groups, controlSum, numberOfTransactions } = writePain008(ddFile(version, debits));
      expect(await xsdErrors(xml, `pain.008.001.${version}`)).toEqual([]);
      expect(checkEpcRules(xml)).toEqual([]);
      expect(groups.map((g) => [g.sequenceType, g.debits.length])).toEqual([
        ['FRST', 3],
        ['RCUR', 2],
      ]);
      expect([controlSum, numberOfTransactions]).toEqual(['60.50', 5]);
      expect(xml).toContain(`urn:iso:std:iso:20022:tech:xsd:pain.008.001.${version}`);
      expect(xml).toContain(version === '02' ? '<BIC>CAIXESBBXXX</BIC>' : '<BICFI>CAIXESBBXXX</BICFI>');
      expect(xml).toContain('<Id>NOTPROVIDED</Id>');
      expect(xml).toContain('<Nm>Munoz Pena + Cia.</Nm>');
      expect(xml).not.toMatch(/[^\x00-\x7f]/);
    });
  }

  it('the XSD alone lets EPC violations through; the checker names each one', async () => {
    const { xml } = writePain008(ddFile('08', [debit(1), debit(2)]));
    const broken = xml
      .replace('<MndtId>MND-1</MndtId>', '')
      .replace(/Ccy="EUR">12.10<\/InstdAmt>(?![\s\S]*Ccy="EUR">12.10)/, 'Ccy="USD">12.105</InstdAmt>')
      .replace('<EndToEndId>E2E-000002</EndToEndId>', '<EndToEndId>E2E-000001</EndToEndId>')
      .replace('<Nm>Munoz Pena + Cia.</Nm>', '<Nm>Muñoz</Nm>')
      .replace('<Id>ES37000G12345674</Id>', '<Id>ES38000G12345674</Id>');
    expect(await xsdErrors(broken, 'pain.008.001.08')).toEqual([]);
    const rules = checkEpcRules(broken).map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['required', 'currency', 'amount', 'unique', 'charset', 'creditor-id']));
  });

  it('catches a wrong control sum, a wrong count, a bad IBAN, an unstructured address and a weekend date', () => {
    const { xml } = writePain008(ddFile('02', [debit(1), debit(3)]));
    const broken = xml
      .replace(/<CtrlSum>24.20<\/CtrlSum>/g, '<CtrlSum>24.21</CtrlSum>')
      .replace('<NbOfTxs>2</NbOfTxs>', '<NbOfTxs>3</NbOfTxs>')
      .replace('<IBAN>DE89370400440532013000</IBAN>', '<IBAN>ES5121000813990123456789</IBAN>')
      .replace('<Nm>Munoz Pena + Cia.</Nm>', '<Nm>Munoz Pena + Cia.</Nm><PstlAdr><AdrLine>Calle Mayor 1</AdrLine></PstlAdr>')
      .replace('<ReqdColltnDt>2026-12-09</ReqdColltnDt>', '<ReqdColltnDt>2026-12-12</ReqdColltnDt>');
    const rules = checkEpcRules(broken).map((i) => i.rule);
    expect(rules).toEqual(expect.arrayContaining(['control-sum', 'count', 'iban', 'address', 'business-day']));
  });

  it('sums a thousand 0.10 amounts exactly (100.00, not 99.9999…)', async () => {
    const debits = Array.from({ length: 1000 }, (_, i) => debit(i, { amount: '0.1', sequenceType: 'RCUR' }));
    const { xml, controlSum } = writePain008(ddFile('08', debits));
    expect(controlSum).toBe('100.00');
    const doc = readXml(xml);
    const msg = one(rootOf(doc).node, 'CstmrDrctDbtInitn');
    expect(text(msg, 'GrpHdr', 'CtrlSum')).toBe('100.00');
    expect(all(one(msg, 'PmtInf'), 'DrctDbtTxInf')).toHaveLength(1000);
    // The float sum a naive writer would compute is not exact.
    expect(Array.from({ length: 1000 }, () => 0.1).reduce((a, b) => a + b, 0)).not.toBe(100);
    expect(new Money('0.1').times(1000).toFixed(2)).toBe('100.00');
    expect(checkEpcRules(xml)).toEqual([]);
    expect(await xsdErrors(xml, 'pain.008.001.08')).toEqual([]);
  }, 60_000);

  it('escapes markup in free text and never lets it close a tag', async () => {
    const { xml } = writePain008(
      ddFile('02', [debit(1, { debtor: { name: '</Nm><Evil>&amp;', iban: 'DE89370400440532013000' }, remittance: ']]><x/>' })]),
    );
    expect(xml).not.toContain('<Evil>');
    expect(checkEpcRules(xml)).toEqual([]);
    expect(await xsdErrors(xml, 'pain.008.001.02')).toEqual([]);
  });
});

describe('pain.001 credit transfers (refunds)', () => {
  for (const version of ['03', '09'] as const) {
    it(`pain.001.001.${version} validates against the XSD and the EPC rules`, async () => {
      const { xml, controlSum } = writePain001(ctFile(version));
      expect(await xsdErrors(xml, `pain.001.001.${version}`)).toEqual([]);
      expect(checkEpcRules(xml)).toEqual([]);
      expect(controlSum).toBe('10.01');
      expect(xml).toContain(version === '03' ? '<ReqdExctnDt>2026-12-07</ReqdExctnDt>' : '<Dt>2026-12-07</Dt>');
      expect(xml).toContain('<Nm>Cagla Ozturk</Nm>');
      expect(xml).toContain('<Nm>Jorg Weiss</Nm>');
    });
  }

  it('the XSD refuses what is structurally wrong (a currency code of four letters)', async () => {
    const { xml } = writePain001(ctFile('09'));
    expect((await xsdErrors(xml.replace('Ccy="EUR"', 'Ccy="EURO"'), 'pain.001.001.09')).length).toBeGreaterThan(0);
  });
});
