import type { LocalDate } from '../../core/dates';
import { formatAmount, Money } from '../../core/money';
import { toSepaText } from './charset';
import type { SequenceType } from './sequence';
import { el, toXml, type XmlElement } from './xml';

// pain.008 customer direct debit initiation, in the 2009 (`.02`) and 2019 (`.08`) ISO 20022 versions (EPC SDD Core
// and B2B customer-to-bank implementation guidelines). Both share the structure; `.08` names the BIC `BICFI`.
// Amounts are decimal strings summed with decimal.js; dates are calendar dates given by the caller; free text is
// transliterated to the EPC basic Latin set here, so no caller can put a raw `ñ` or `&` in a file.

/** `02` = pain.008.001.02 (2009), `08` = pain.008.001.08 (2019, EPC rulebooks since Nov 2023). */
export type Pain008Version = '02' | '08';
export const PAIN008_VERSIONS: readonly Pain008Version[] = ['02', '08'];

/** A party's bank account: name, IBAN and optional BIC. */
export interface SepaParty {
  name: string;
  iban: string;
  bic?: string;
}

/** One collection. `amount` is a decimal string in euros. */
export interface DirectDebit {
  endToEndId: string;
  amount: string;
  currency: string;
  scheme: 'CORE' | 'B2B';
  sequenceType: SequenceType;
  collectionDate: LocalDate;
  mandate: { id: string; signedOn: LocalDate };
  debtor: SepaParty;
  /** Unstructured remittance information (transliterated, ≤140). */
  remittance?: string;
}

/** A whole file: message id, creation time and the creditor (with its creditor identifier). */
export interface DirectDebitFile {
  version: Pain008Version;
  messageId: string;
  /** ISO timestamp of creation (`CreDtTm`, written in UTC). */
  createdAt: string;
  initiatingParty: string;
  creditor: SepaParty & { creditorId: string };
  /** One booking per payment information block on the creditor's statement (default true). */
  batchBooking?: boolean;
  debits: readonly DirectDebit[];
}

/** One payment information block: collections sharing scheme, sequence type and collection date. */
export interface DirectDebitGroup {
  paymentInfoId: string;
  scheme: 'CORE' | 'B2B';
  sequenceType: SequenceType;
  collectionDate: LocalDate;
  debits: DirectDebit[];
  controlSum: string;
}

export const NAMESPACE = {
  '008.02': 'urn:iso:std:iso:20022:tech:xsd:pain.008.001.02',
  '008.08': 'urn:iso:std:iso:20022:tech:xsd:pain.008.001.08',
  '001.03': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.03',
  '001.09': 'urn:iso:std:iso:20022:tech:xsd:pain.001.001.09',
} as const;

/** Sum decimal strings exactly, formatted with two decimals. */
export function sumAmounts(amounts: readonly string[]): string {
  return formatAmount(amounts.reduce((sum, a) => sum.plus(new Money(a)), new Money(0)));
}

/** An amount as written: the exact decimal, never rounded (the EPC checker refuses more than 2 decimals). */
export function xmlAmount(amount: string): string {
  const value = new Money(amount);
  return value.decimalPlaces() <= 2 ? value.toFixed(2) : value.toFixed();
}

/** Creation time as `YYYY-MM-DDThh:mm:ssZ` (UTC, so the process time zone plays no part). */
export function creationTime(iso: string): string {
  return `${new Date(iso).toISOString().slice(0, 19)}Z`;
}

/** Group collections into payment information blocks, in a deterministic order (date, scheme, sequence). */
export function groupDebits(messageId: string, debits: readonly DirectDebit[]): DirectDebitGroup[] {
  const groups = new Map<string, DirectDebit[]>();
  for (const d of debits) {
    const key = `${d.collectionDate}|${d.scheme}|${d.sequenceType}`;
    const list = groups.get(key);
    if (list) list.push(d);
    else groups.set(key, [d]);
  }
  return [...groups.keys()].sort().map((key, i) => {
    const list = groups.get(key)!;
    const [date, scheme, seq] = key.split('|') as [LocalDate, 'CORE' | 'B2B', SequenceType];
    return {
      paymentInfoId: `${messageId}-${i + 1}`.slice(-35),
      scheme,
      sequenceType: seq,
      collectionDate: date,
      debits: list,
      controlSum: sumAmounts(list.map((d) => d.amount)),
    };
  });
}

/** Financial institution: the BIC if known, else `Othr/Id = NOTPROVIDED` (IBAN-only SEPA). */
export function agent(bic: string | undefined, version: 'old' | 'new'): XmlElement {
  const inst = bic ? el(version === 'old' ? 'BIC' : 'BICFI', bic) : el('Othr', [el('Id', 'NOTPROVIDED')]);
  return el('FinInstnId', [inst]);
}

/** Name, cut to the EPC's 70 characters after transliteration. */
export const partyName = (name: string) => el('Nm', toSepaText(name, 70));

function debitTx(d: DirectDebit, version: Pain008Version): XmlElement {
  const v = version === '02' ? 'old' : 'new';
  const remittance = d.remittance ? toSepaText(d.remittance, 140) : '';
  return el('DrctDbtTxInf', [
    el('PmtId', [el('EndToEndId', d.endToEndId)]),
    el('InstdAmt', { Ccy: d.currency }, xmlAmount(d.amount)),
    el('DrctDbtTx', [el('MndtRltdInf', [el('MndtId', d.mandate.id), el('DtOfSgntr', d.mandate.signedOn)])]),
    el('DbtrAgt', [agent(d.debtor.bic, v)]),
    el('Dbtr', [partyName(d.debtor.name)]),
    el('DbtrAcct', [el('Id', [el('IBAN', d.debtor.iban)])]),
    remittance ? el('RmtInf', [el('Ustrd', remittance)]) : undefined,
  ]);
}

/**
 * The pain.008 XML of a file, plus its groups and totals (NbOfTxs, CtrlSum from decimal.js). Structure only: run
 * {@link checkEpcRules} on the result before sending it to a bank.
 */
export function writePain008(file: DirectDebitFile): {
  xml: string;
  groups: DirectDebitGroup[];
  numberOfTransactions: number;
  controlSum: string;
} {
  const v = file.version === '02' ? 'old' : 'new';
  const groups = groupDebits(file.messageId, file.debits);
  const controlSum = sumAmounts(file.debits.map((d) => d.amount));
  const creditorScheme = el('CdtrSchmeId', [
    el('Id', [el('PrvtId', [el('Othr', [el('Id', file.creditor.creditorId), el('SchmeNm', [el('Prtry', 'SEPA')])])])]),
  ]);
  const root = el('Document', { xmlns: NAMESPACE[`008.${file.version}`], 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' }, [
    el('CstmrDrctDbtInitn', [
      el('GrpHdr', [
        el('MsgId', file.messageId),
        el('CreDtTm', creationTime(file.createdAt)),
        el('NbOfTxs', String(file.debits.length)),
        el('CtrlSum', controlSum),
        el('InitgPty', [partyName(file.initiatingParty)]),
      ]),
      ...groups.map((g) =>
        el('PmtInf', [
          el('PmtInfId', g.paymentInfoId),
          el('PmtMtd', 'DD'),
          el('BtchBookg', String(file.batchBooking ?? true)),
          el('NbOfTxs', String(g.debits.length)),
          el('CtrlSum', g.controlSum),
          el('PmtTpInf', [el('SvcLvl', [el('Cd', 'SEPA')]), el('LclInstrm', [el('Cd', g.scheme)]), el('SeqTp', g.sequenceType)]),
          el('ReqdColltnDt', g.collectionDate),
          el('Cdtr', [partyName(file.creditor.name)]),
          el('CdtrAcct', [el('Id', [el('IBAN', file.creditor.iban)])]),
          el('CdtrAgt', [agent(file.creditor.bic, v)]),
          el('ChrgBr', 'SLEV'),
          creditorScheme,
          ...g.debits.map((d) => debitTx(d, file.version)),
        ]),
      ),
    ]),
  ]);
  return { xml: toXml(root), groups, numberOfTransactions: file.debits.length, controlSum };
}
