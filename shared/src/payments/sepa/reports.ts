import type { LocalDate } from '../../core/dates';
import { formatAmount, Money } from '../../core/money';
import { all, attr, one, readXml, rootOf, text, type XmlNode } from './xml-read';

// Readers for what the bank sends back about our collections (pain.008) and our refunds' credit transfers (pain.001):
// - pain.002 (customer payment status report, .001.03 and .001.10): rejects before settlement (RJCT), per file, per
//   payment block or per transaction, and acceptances (ACSC = settled).
// - camt.054 (debit/credit notification) and camt.053 (statement), any version from .001.02: R-transactions (returns,
//   refunds) as debit entries carrying `RtrInf/Rsn/Cd`, the original EndToEndId and MndtId, and the bank's charges;
//   credit entries with an EndToEndId confirm a collection was settled. For credit transfers the sides swap: a debit
//   entry with our EndToEndId is a transfer executed, a credit entry with `RtrInf` a transfer the payee's bank sent
//   back. Each camt entry keeps its side, so the import matches collections and transfers apart.
// Amounts stay decimal strings. Only what matching needs is read; unknown elements are ignored.

export type BankReportFormat = 'pain.002' | 'camt.054' | 'camt.053';

/**
 * One thing the bank says about our collections. `scope` is `transaction` (identified by EndToEndId and/or mandate +
 * amount), `block` (a whole payment information block) or `file` (the whole original message).
 */
export interface BankReportEntry {
  /** Stable within the report (used to show the preview and to dedupe). */
  ref: string;
  scope: 'transaction' | 'block' | 'file';
  /** rejected: refused before settlement; returned: taken back after settlement; settled: money received. */
  outcome: 'rejected' | 'returned' | 'settled';
  originalMessageId?: string;
  originalPaymentInfoId?: string;
  endToEndId?: string;
  mandateId?: string;
  /** The original collection amount, when stated. */
  amount?: string;
  currency?: string;
  reasonCode?: string;
  reasonText?: string;
  /** Charges the bank took for this return, two decimals. */
  charges?: string;
  bookingDate?: LocalDate;
  /** camt: the side of our account the entry books (DBIT: money left it; CRDT: money came in). */
  side?: 'DBIT' | 'CRDT';
}

export interface BankReport {
  format: BankReportFormat;
  messageId: string;
  createdAt?: string;
  entries: BankReportEntry[];
}

/** Which report a file is, from its root message element. */
export function detectFormat(xml: string): BankReportFormat {
  return parse(xml).format;
}

/** Parse a pain.002, camt.054 or camt.053 file; throws RangeError when it is none of them or is malformed. */
export function parseBankReport(xml: string): BankReport {
  return parse(xml).read();
}

function parse(xml: string): { format: BankReportFormat; read: () => BankReport } {
  const doc = readXml(xml);
  const { name, node } = rootOf(doc);
  if (name !== 'Document') throw new RangeError(`Root element is ${name}, not an ISO 20022 Document`);
  const pain002 = one(node, 'CstmrPmtStsRpt');
  if (pain002) return { format: 'pain.002', read: () => readPain002(pain002) };
  const camt054 = one(node, 'BkToCstmrDbtCdtNtfctn');
  if (camt054) return { format: 'camt.054', read: () => readCamt('camt.054', camt054, 'Ntfctn') };
  const camt053 = one(node, 'BkToCstmrStmt');
  if (camt053) return { format: 'camt.053', read: () => readCamt('camt.053', camt053, 'Stmt') };
  throw new RangeError('Not a pain.002, camt.054 or camt.053 file');
}

const REJECTED = new Set(['RJCT']);
const SETTLED = new Set(['ACSC']);

function reason(node: XmlNode | undefined): { reasonCode?: string; reasonText?: string } {
  const info = one(node, 'StsRsnInf');
  const code = text(info, 'Rsn', 'Cd') ?? text(info, 'Rsn', 'Prtry');
  const extra = all(info, 'AddtlInf')
    .map((n) => n['#text'])
    .filter(Boolean)
    .join(' ');
  return { ...(code ? { reasonCode: code } : {}), ...(extra ? { reasonText: extra } : {}) };
}

function amountOf(node: XmlNode | undefined): { amount?: string; currency?: string } {
  const value = node?.['#text'];
  if (typeof value !== 'string' || !/^\d{1,15}(\.\d{1,5})?$/.test(value)) return {};
  return { amount: formatAmount(new Money(value)), currency: attr(node, 'Ccy') };
}

function readPain002(report: XmlNode): BankReport {
  const messageId = text(report, 'GrpHdr', 'MsgId') ?? '';
  const createdAt = text(report, 'GrpHdr', 'CreDtTm');
  const group = one(report, 'OrgnlGrpInfAndSts');
  const originalMessageId = text(group, 'OrgnlMsgId');
  const entries: BankReportEntry[] = [];
  const groupStatus = text(group, 'GrpSts');
  if (groupStatus && REJECTED.has(groupStatus)) {
    entries.push({ ref: 'group', scope: 'file', outcome: 'rejected', originalMessageId, ...reason(group) });
  }
  for (const [i, block] of all(report, 'OrgnlPmtInfAndSts').entries()) {
    const blockId = text(block, 'OrgnlPmtInfId');
    const blockStatus = text(block, 'PmtInfSts');
    if (blockStatus && REJECTED.has(blockStatus)) {
      entries.push({
        ref: `block-${i}`,
        scope: 'block',
        outcome: 'rejected',
        originalMessageId,
        originalPaymentInfoId: blockId,
        ...reason(block),
      });
    }
    for (const [j, tx] of all(block, 'TxInfAndSts').entries()) {
      const status = text(tx, 'TxSts');
      const outcome = status && REJECTED.has(status) ? 'rejected' : status && SETTLED.has(status) ? 'settled' : undefined;
      if (!outcome) continue;
      const original = one(tx, 'OrgnlTxRef');
      entries.push({
        ref: `block-${i}-tx-${j}`,
        scope: 'transaction',
        outcome,
        originalMessageId,
        originalPaymentInfoId: blockId,
        endToEndId: text(tx, 'OrgnlEndToEndId'),
        mandateId: text(original, 'MndtRltdInf', 'MndtId'),
        ...amountOf(one(original, 'Amt', 'InstdAmt')),
        ...reason(tx),
      });
    }
  }
  return { format: 'pain.002', messageId, ...(createdAt ? { createdAt } : {}), entries: entries.map(dropUndefined) };
}

/** Total charges of a transaction or entry: the records' amounts, else the stated total, else older versions' list. */
function charges(node: XmlNode | undefined): string | undefined {
  const chrgs = all(node, 'Chrgs');
  if (chrgs.length === 0) return undefined;
  const records = chrgs.flatMap((c) => all(c, 'Rcrd'));
  const amounts = records.length ? records.map((r) => text(r, 'Amt')) : chrgs.map((c) => text(c, 'TtlChrgsAndTaxAmt') ?? text(c, 'Amt'));
  const valid = amounts.filter((a): a is string => a !== undefined && /^\d{1,15}(\.\d{1,5})?$/.test(a));
  if (valid.length === 0) return undefined;
  return formatAmount(valid.reduce((s, a) => s.plus(new Money(a)), new Money(0)));
}

function readCamt(format: 'camt.054' | 'camt.053', message: XmlNode, container: 'Ntfctn' | 'Stmt'): BankReport {
  const messageId = text(message, 'GrpHdr', 'MsgId') ?? '';
  const createdAt = text(message, 'GrpHdr', 'CreDtTm');
  const entries: BankReportEntry[] = [];
  for (const [a, report] of all(message, container).entries()) {
    for (const [b, entry] of all(report, 'Ntry').entries()) {
      const status = text(entry, 'Sts') ?? text(entry, 'Sts', 'Cd');
      if (status && status !== 'BOOK') continue; // pending or informational entries change nothing yet
      const indicator = text(entry, 'CdtDbtInd');
      const bookingDate = text(entry, 'BookgDt', 'Dt') ?? text(entry, 'BookgDt', 'DtTm')?.slice(0, 10);
      const details = all(entry, 'NtryDtls').flatMap((d) => all(d, 'TxDtls'));
      for (const [c, tx] of details.entries()) {
        const refs = one(tx, 'Refs');
        const endToEndId = text(refs, 'EndToEndId');
        const returnInfo = one(tx, 'RtrInf');
        const txIndicator = text(tx, 'CdtDbtInd') ?? indicator;
        const code = text(returnInfo, 'Rsn', 'Cd') ?? text(returnInfo, 'Rsn', 'Prtry');
        const known = Boolean(endToEndId && endToEndId !== 'NOTPROVIDED');
        let outcome: BankReportEntry['outcome'];
        if (returnInfo || (txIndicator === 'DBIT' && code)) outcome = 'returned';
        else if (known && (txIndicator === 'CRDT' || txIndicator === 'DBIT')) outcome = 'settled';
        else continue;
        const amountNode =
          one(tx, 'AmtDtls', 'InstdAmt', 'Amt') ??
          one(tx, 'Amt') ??
          one(tx, 'AmtDtls', 'TxAmt', 'Amt') ??
          (details.length === 1 ? one(entry, 'Amt') : undefined);
        const extra = all(returnInfo, 'AddtlInf')
          .map((n) => n['#text'])
          .filter(Boolean)
          .join(' ');
        entries.push({
          ref: `${a}-${b}-${c}`,
          scope: 'transaction',
          outcome,
          originalMessageId: text(refs, 'MsgId'),
          originalPaymentInfoId: text(refs, 'PmtInfId'),
          endToEndId: endToEndId === 'NOTPROVIDED' ? undefined : endToEndId,
          mandateId: text(refs, 'MndtId'),
          ...amountOf(amountNode),
          reasonCode: code,
          reasonText: extra || undefined,
          charges: charges(tx) ?? (details.length === 1 ? charges(entry) : undefined),
          bookingDate,
          side: txIndicator === 'DBIT' || txIndicator === 'CRDT' ? txIndicator : undefined,
        });
      }
    }
  }
  return { format, messageId, ...(createdAt ? { createdAt } : {}), entries: entries.map(dropUndefined) };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
