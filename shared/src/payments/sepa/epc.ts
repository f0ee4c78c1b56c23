import { Money, formatAmount } from '../../core/money';
import { isSepaIdentifier, isSepaText } from './charset';
import { isValidBic, isValidCreditorIdentifier, isValidIban } from './identifiers';
import { isTargetBusinessDay } from './calendar';
import { all, attr, one, readXml, rootOf, text, texts, type XmlNode } from './xml-read';

// The EPC rules that the generic ISO 20022 XSDs do not enforce (a file without MndtId and with CtrlSum 60.805 passes
// the XSD). Checked on the generated XML itself — not on the input — so a bug in the writer is caught too. Covers
// pain.008 (SDD Core/B2B) and pain.001 (SCT), every version we write.

/** One broken rule: where (element path), which rule, and what is wrong. */
export interface EpcIssue {
  path: string;
  rule: string;
  message: string;
}

const MAX_AMOUNT = new Money('999999999.99');
const AMOUNT = /^\d{1,9}(\.\d{1,2})?$/;
const SUM = /^\d{1,18}(\.\d{1,2})?$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Check a pain.008 or pain.001 file against the EPC rules: EUR only; amounts > 0, ≤ 999 999 999.99, at most 2
 * decimals; NbOfTxs and CtrlSum (group and each block) equal to the transactions, recomputed with decimal.js;
 * identifiers 1–35 characters of the basic set without leading/trailing `/` or `//`, EndToEndIds and PmtInfIds
 * unique; names ≤ 70 and remittance ≤ 140 characters; every text in the EPC character set; IBANs (national check
 * digits) and BICs valid; SEPA service level; for direct debits a valid creditor identifier, CORE/B2B, a sequence
 * type, a mandate id and signature date (not after the collection date) and a TARGET business day; no unstructured
 * postal address (only `AdrLine`, refused since Nov 2026). Returns [] when the file passes.
 */
export function checkEpcRules(xml: string): EpcIssue[] {
  const issues: EpcIssue[] = [];
  const add = (path: string, rule: string, message: string) => issues.push({ path, rule, message });
  let doc: XmlNode;
  try {
    doc = readXml(xml);
  } catch (error) {
    return [{ path: '/', rule: 'well-formed', message: (error as Error).message }];
  }
  const { name, node: document } = rootOf(doc);
  if (name !== 'Document') return [{ path: '/', rule: 'root', message: `Root element is ${name}, not Document` }];
  const dd = one(document, 'CstmrDrctDbtInitn');
  const ct = one(document, 'CstmrCdtTrfInitn');
  const msg = dd ?? ct;
  if (!msg) return [{ path: '/Document', rule: 'message', message: 'Neither a direct debit (pain.008) nor a credit transfer (pain.001)' }];
  const kind = dd ? 'dd' : 'ct';
  const root = `/Document/${dd ? 'CstmrDrctDbtInitn' : 'CstmrCdtTrfInitn'}`;

  for (const t of texts(document, '/Document')) {
    if (!isSepaText(t.value)) add(t.path, 'charset', `"${t.value}" has characters outside the SEPA basic Latin set`);
  }

  const identifier = (path: string, value: string | undefined, label: string) => {
    if (value === undefined) add(path, 'required', `${label} is missing`);
    else if (!isSepaIdentifier(value))
      add(path, 'identifier', `${label} "${value}" must be 1–35 characters, no spaces, not start or end with / and not contain //`);
  };
  const maxText = (path: string, value: string | undefined, max: number, label: string, required = true) => {
    if (value === undefined) {
      if (required) add(path, 'required', `${label} is missing`);
    } else if (value.length > max) add(path, 'length', `${label} is longer than ${max} characters`);
  };
  const iban = (path: string, value: string | undefined, label: string) => {
    if (value === undefined) add(path, 'required', `${label} IBAN is missing`);
    else if (!isValidIban(value)) add(path, 'iban', `${label} IBAN ${value} is not valid`);
  };
  const bic = (path: string, agent: XmlNode | undefined) => {
    const code = text(agent, 'FinInstnId', 'BIC') ?? text(agent, 'FinInstnId', 'BICFI');
    if (code !== undefined && !isValidBic(code)) add(path, 'bic', `BIC ${code} is not valid`);
    if (agent && code === undefined && text(agent, 'FinInstnId', 'Othr', 'Id') !== 'NOTPROVIDED') {
      add(path, 'bic', 'An agent without BIC must say Othr/Id NOTPROVIDED');
    }
  };
  const addresses = (path: string, party: XmlNode | undefined) => {
    const address = one(party, 'PstlAdr');
    if (address && (!text(address, 'TwnNm') || !text(address, 'Ctry'))) {
      add(`${path}/PstlAdr`, 'address', 'Unstructured postal addresses are refused since Nov 2026: give at least TwnNm and Ctry');
    }
  };

  const header = one(msg, 'GrpHdr');
  identifier(`${root}/GrpHdr/MsgId`, text(header, 'MsgId'), 'MsgId');
  maxText(`${root}/GrpHdr/InitgPty/Nm`, text(header, 'InitgPty', 'Nm'), 70, 'Initiating party name');

  const endToEndIds = new Set<string>();
  const blockIds = new Set<string>();
  let fileCount = 0;
  let fileSum = new Money(0);
  let fileSumValid = true;

  for (const [i, block] of all(msg, 'PmtInf').entries()) {
    const bp = `${root}/PmtInf[${i}]`;
    const blockId = text(block, 'PmtInfId');
    identifier(`${bp}/PmtInfId`, blockId, 'PmtInfId');
    if (blockId && blockIds.has(blockId)) add(`${bp}/PmtInfId`, 'unique', `PmtInfId ${blockId} is used twice`);
    if (blockId) blockIds.add(blockId);
    if (text(block, 'PmtMtd') !== (kind === 'dd' ? 'DD' : 'TRF'))
      add(`${bp}/PmtMtd`, 'method', `PmtMtd must be ${kind === 'dd' ? 'DD' : 'TRF'}`);
    if (text(block, 'PmtTpInf', 'SvcLvl', 'Cd') !== 'SEPA') add(`${bp}/PmtTpInf/SvcLvl`, 'service-level', 'Service level must be SEPA');
    const chargeBearer = text(block, 'ChrgBr');
    if (chargeBearer !== undefined && chargeBearer !== 'SLEV') add(`${bp}/ChrgBr`, 'charge-bearer', 'ChrgBr must be SLEV');

    let collectionDate: string | undefined;
    if (kind === 'dd') {
      const scheme = text(block, 'PmtTpInf', 'LclInstrm', 'Cd');
      if (scheme !== 'CORE' && scheme !== 'B2B') add(`${bp}/PmtTpInf/LclInstrm`, 'scheme', 'Local instrument must be CORE or B2B');
      if (!['FRST', 'RCUR', 'OOFF', 'FNAL'].includes(text(block, 'PmtTpInf', 'SeqTp') ?? ''))
        add(`${bp}/PmtTpInf/SeqTp`, 'sequence', 'Sequence type must be FRST, RCUR, OOFF or FNAL');
      collectionDate = text(block, 'ReqdColltnDt');
      if (!collectionDate || !DATE.test(collectionDate)) add(`${bp}/ReqdColltnDt`, 'date', 'Collection date is missing');
      else if (!isTargetBusinessDay(collectionDate))
        add(`${bp}/ReqdColltnDt`, 'business-day', `${collectionDate} is not a TARGET business day`);
      maxText(`${bp}/Cdtr/Nm`, text(block, 'Cdtr', 'Nm'), 70, 'Creditor name');
      addresses(`${bp}/Cdtr`, one(block, 'Cdtr'));
      iban(`${bp}/CdtrAcct`, text(block, 'CdtrAcct', 'Id', 'IBAN'), 'Creditor');
      bic(`${bp}/CdtrAgt`, one(block, 'CdtrAgt'));
      const ci = text(block, 'CdtrSchmeId', 'Id', 'PrvtId', 'Othr', 'Id');
      if (!ci) add(`${bp}/CdtrSchmeId`, 'creditor-id', 'Creditor identifier is missing');
      else if (!isValidCreditorIdentifier(ci)) add(`${bp}/CdtrSchmeId`, 'creditor-id', `Creditor identifier ${ci} is not valid`);
      if (ci && text(block, 'CdtrSchmeId', 'Id', 'PrvtId', 'Othr', 'SchmeNm', 'Prtry') !== 'SEPA')
        add(`${bp}/CdtrSchmeId`, 'creditor-id', 'Creditor scheme name must be SEPA');
    } else {
      maxText(`${bp}/Dbtr/Nm`, text(block, 'Dbtr', 'Nm'), 70, 'Debtor name');
      addresses(`${bp}/Dbtr`, one(block, 'Dbtr'));
      iban(`${bp}/DbtrAcct`, text(block, 'DbtrAcct', 'Id', 'IBAN'), 'Debtor');
      bic(`${bp}/DbtrAgt`, one(block, 'DbtrAgt'));
      const date = text(block, 'ReqdExctnDt') ?? text(block, 'ReqdExctnDt', 'Dt');
      if (!date || !DATE.test(date)) add(`${bp}/ReqdExctnDt`, 'date', 'Execution date is missing');
    }

    const txs = all(block, kind === 'dd' ? 'DrctDbtTxInf' : 'CdtTrfTxInf');
    if (txs.length === 0) add(bp, 'transactions', 'A payment block without transactions');
    let blockSum = new Money(0);
    let blockSumValid = true;
    for (const [j, tx] of txs.entries()) {
      const tp = `${bp}/${kind === 'dd' ? 'DrctDbtTxInf' : 'CdtTrfTxInf'}[${j}]`;
      const e2e = text(tx, 'PmtId', 'EndToEndId');
      identifier(`${tp}/PmtId/EndToEndId`, e2e, 'EndToEndId');
      if (e2e && endToEndIds.has(e2e)) add(`${tp}/PmtId/EndToEndId`, 'unique', `EndToEndId ${e2e} is used twice`);
      if (e2e) endToEndIds.add(e2e);
      const amountNode = kind === 'dd' ? one(tx, 'InstdAmt') : one(tx, 'Amt', 'InstdAmt');
      const amount = amountNode?.['#text'] as string | undefined;
      if (attr(amountNode, 'Ccy') !== 'EUR')
        add(`${tp}/InstdAmt`, 'currency', `Currency must be EUR, not ${attr(amountNode, 'Ccy') ?? 'missing'}`);
      if (!amount || !AMOUNT.test(amount)) {
        add(`${tp}/InstdAmt`, 'amount', `Amount ${amount ?? '(missing)'} must be a number with at most 2 decimals`);
        blockSumValid = false;
      } else {
        const value = new Money(amount);
        if (value.lte(0) || value.gt(MAX_AMOUNT)) add(`${tp}/InstdAmt`, 'amount', `Amount ${amount} must be between 0.01 and 999999999.99`);
        blockSum = blockSum.plus(value);
      }
      if (kind === 'dd') {
        identifier(`${tp}/DrctDbtTx/MndtRltdInf/MndtId`, text(tx, 'DrctDbtTx', 'MndtRltdInf', 'MndtId'), 'Mandate id');
        const signed = text(tx, 'DrctDbtTx', 'MndtRltdInf', 'DtOfSgntr');
        if (!signed || !DATE.test(signed)) add(`${tp}/DrctDbtTx/MndtRltdInf/DtOfSgntr`, 'required', 'Mandate signature date is missing');
        else if (collectionDate && signed > collectionDate)
          add(`${tp}/DrctDbtTx/MndtRltdInf/DtOfSgntr`, 'mandate-date', 'The mandate is signed after the collection date');
        maxText(`${tp}/Dbtr/Nm`, text(tx, 'Dbtr', 'Nm'), 70, 'Debtor name');
        addresses(`${tp}/Dbtr`, one(tx, 'Dbtr'));
        iban(`${tp}/DbtrAcct`, text(tx, 'DbtrAcct', 'Id', 'IBAN'), 'Debtor');
        bic(`${tp}/DbtrAgt`, one(tx, 'DbtrAgt'));
      } else {
        maxText(`${tp}/Cdtr/Nm`, text(tx, 'Cdtr', 'Nm'), 70, 'Creditor name');
        addresses(`${tp}/Cdtr`, one(tx, 'Cdtr'));
        iban(`${tp}/CdtrAcct`, text(tx, 'CdtrAcct', 'Id', 'IBAN'), 'Creditor');
        if (one(tx, 'CdtrAgt')) bic(`${tp}/CdtrAgt`, one(tx, 'CdtrAgt'));
      }
      maxText(`${tp}/RmtInf/Ustrd`, text(tx, 'RmtInf', 'Ustrd'), 140, 'Remittance information', false);
    }
    const declaredCount = text(block, 'NbOfTxs');
    if (declaredCount !== undefined && declaredCount !== String(txs.length))
      add(`${bp}/NbOfTxs`, 'count', `NbOfTxs says ${declaredCount}, the block has ${txs.length}`);
    const declaredSum = text(block, 'CtrlSum');
    if (declaredSum === undefined) add(`${bp}/CtrlSum`, 'control-sum', 'CtrlSum is missing');
    else if (blockSumValid && (!SUM.test(declaredSum) || !new Money(declaredSum).eq(blockSum))) {
      add(`${bp}/CtrlSum`, 'control-sum', `CtrlSum says ${declaredSum}, the transactions add up to ${formatAmount(blockSum)}`);
    }
    fileCount += txs.length;
    fileSum = fileSum.plus(blockSum);
    fileSumValid &&= blockSumValid;
  }
  if (all(msg, 'PmtInf').length === 0) add(root, 'transactions', 'The file has no payment blocks');
  const count = text(header, 'NbOfTxs');
  if (count !== String(fileCount))
    add(`${root}/GrpHdr/NbOfTxs`, 'count', `NbOfTxs says ${count ?? '(missing)'}, the file has ${fileCount}`);
  const sum = text(header, 'CtrlSum');
  if (sum === undefined) add(`${root}/GrpHdr/CtrlSum`, 'control-sum', 'CtrlSum is missing');
  else if (fileSumValid && (!SUM.test(sum) || !new Money(sum).eq(fileSum))) {
    add(`${root}/GrpHdr/CtrlSum`, 'control-sum', `CtrlSum says ${sum}, the transactions add up to ${formatAmount(fileSum)}`);
  }
  return issues;
}
