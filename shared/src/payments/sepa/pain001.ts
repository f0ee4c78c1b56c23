import type { LocalDate } from '../../core/dates';
import { toSepaText } from './charset';
import { agent, creationTime, NAMESPACE, partyName, sumAmounts, xmlAmount, type SepaParty } from './pain008';
import { el, toXml, type XmlElement } from './xml';

// pain.001 customer credit transfer initiation (SEPA Credit Transfer) for refunds, in the 2009 (`.03`) and 2019
// (`.09`) versions. `.09` wraps the execution date in `<Dt>` and names the BIC `BICFI`. The debtor agent is
// mandatory in both schemas: without a BIC it is `Othr/Id = NOTPROVIDED`; the creditor agent is left out then.

export type Pain001Version = '03' | '09';
export const PAIN001_VERSIONS: readonly Pain001Version[] = ['03', '09'];

/** One transfer to a creditor (e.g. a refund to a customer). */
export interface CreditTransfer {
  endToEndId: string;
  amount: string;
  currency: string;
  creditor: SepaParty;
  remittance?: string;
}

/** A credit transfer file: the paying account (the tenant) and its transfers, all executed on one date. */
export interface CreditTransferFile {
  version: Pain001Version;
  messageId: string;
  createdAt: string;
  initiatingParty: string;
  debtor: SepaParty;
  executionDate: LocalDate;
  batchBooking?: boolean;
  transfers: readonly CreditTransfer[];
}

function transferTx(t: CreditTransfer, version: Pain001Version): XmlElement {
  const remittance = t.remittance ? toSepaText(t.remittance, 140) : '';
  return el('CdtTrfTxInf', [
    el('PmtId', [el('EndToEndId', t.endToEndId)]),
    el('Amt', [el('InstdAmt', { Ccy: t.currency }, xmlAmount(t.amount))]),
    t.creditor.bic ? el('CdtrAgt', [agent(t.creditor.bic, version === '03' ? 'old' : 'new')]) : undefined,
    el('Cdtr', [partyName(t.creditor.name)]),
    el('CdtrAcct', [el('Id', [el('IBAN', t.creditor.iban)])]),
    remittance ? el('RmtInf', [el('Ustrd', remittance)]) : undefined,
  ]);
}

/** The pain.001 XML of a file with its totals (decimal.js). Run {@link checkEpcRules} on it before export. */
export function writePain001(file: CreditTransferFile): { xml: string; numberOfTransactions: number; controlSum: string } {
  const controlSum = sumAmounts(file.transfers.map((t) => t.amount));
  const count = String(file.transfers.length);
  const root = el('Document', { xmlns: NAMESPACE[`001.${file.version}`], 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' }, [
    el('CstmrCdtTrfInitn', [
      el('GrpHdr', [
        el('MsgId', file.messageId),
        el('CreDtTm', creationTime(file.createdAt)),
        el('NbOfTxs', count),
        el('CtrlSum', controlSum),
        el('InitgPty', [partyName(file.initiatingParty)]),
      ]),
      el('PmtInf', [
        el('PmtInfId', `${file.messageId}-1`.slice(-35)),
        el('PmtMtd', 'TRF'),
        el('BtchBookg', String(file.batchBooking ?? true)),
        el('NbOfTxs', count),
        el('CtrlSum', controlSum),
        el('PmtTpInf', [el('SvcLvl', [el('Cd', 'SEPA')])]),
        file.version === '03' ? el('ReqdExctnDt', file.executionDate) : el('ReqdExctnDt', [el('Dt', file.executionDate)]),
        el('Dbtr', [partyName(file.debtor.name)]),
        el('DbtrAcct', [el('Id', [el('IBAN', file.debtor.iban)])]),
        el('DbtrAgt', [agent(file.debtor.bic, file.version === '03' ? 'old' : 'new')]),
        el('ChrgBr', 'SLEV'),
        ...file.transfers.map((t) => transferTx(t, file.version)),
      ]),
    ]),
  ]);
  return { xml: toXml(root), numberOfTransactions: file.transfers.length, controlSum };
}
