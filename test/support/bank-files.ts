// Bank files for tests, shaped like the hand-written fixtures in test/fixtures/sepa/ (ISO 20022 camt.054.001.02 and
// pain.002.001.03), built around the EndToEndIds of a batch we generated.

export interface ReturnSpec {
  endToEndId?: string;
  mandateId?: string;
  amount: string;
  reason: string;
  charges?: string;
  messageId?: string;
}

/** A camt.054 notification on the tenant's account holding these `<Ntry>` elements. */
function camt054(messageId: string, bookingDate: string, entries: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>${messageId}</MsgId><CreDtTm>${bookingDate}T07:00:00+01:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>${messageId}-1</Id>
      <CreDtTm>${bookingDate}T07:00:00+01:00</CreDtTm>
      <Acct><Id><IBAN>ES9121000418450200051332</IBAN></Id></Acct>
${entries}
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
`;
}

/** A camt.054 debit notification with one booked R-transaction per spec. */
export function camt054Returns(messageId: string, returns: readonly ReturnSpec[], bookingDate = '2026-12-14'): string {
  const entries = returns
    .map(
      (r, i) => `      <Ntry>
        <Amt Ccy="EUR">${r.amount}</Amt>
        <CdtDbtInd>DBIT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${bookingDate}</Dt></BookgDt>
        <ValDt><Dt>${bookingDate}</Dt></ValDt>
        <AcctSvcrRef>RTN-${i + 1}</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls>
            <Refs>
              ${r.messageId ? `<MsgId>${r.messageId}</MsgId>` : ''}
              <EndToEndId>${r.endToEndId ?? 'NOTPROVIDED'}</EndToEndId>
              ${r.mandateId ? `<MndtId>${r.mandateId}</MndtId>` : ''}
            </Refs>
            <AmtDtls><InstdAmt><Amt Ccy="EUR">${r.amount}</Amt></InstdAmt></AmtDtls>
            ${r.charges ? `<Chrgs><Amt Ccy="EUR">${r.charges}</Amt></Chrgs>` : ''}
            <RtrInf><Rsn><Cd>${r.reason}</Cd></Rsn></RtrInf>
          </TxDtls>
        </NtryDtls>
      </Ntry>`,
    )
    .join('\n');
  return camt054(messageId, bookingDate, entries);
}

/** A pain.002 status report rejecting a whole file (group status RJCT) with one reason. */
export function pain002FileReject(originalMessageId: string, reason: string, originalMessage = 'pain.008.001.08'): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-${originalMessageId}</MsgId><CreDtTm>2026-12-02T09:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts>
      <OrgnlMsgId>${originalMessageId}</OrgnlMsgId><OrgnlMsgNmId>${originalMessage}</OrgnlMsgNmId><GrpSts>RJCT</GrpSts>
      <StsRsnInf><Rsn><Cd>${reason}</Cd></Rsn></StsRsnInf>
    </OrgnlGrpInfAndSts>
  </CstmrPmtStsRpt>
</Document>
`;
}

/** A pain.002 status report rejecting (RJCT) the given EndToEndIds of a batch (a pain.008 unless named otherwise). */
export function pain002Rejects(
  originalMessageId: string,
  rejects: readonly { endToEndId: string; reason: string }[],
  originalMessage = 'pain.008.001.08',
): string {
  const txs = rejects
    .map(
      (r) => `      <TxInfAndSts>
        <OrgnlEndToEndId>${r.endToEndId}</OrgnlEndToEndId>
        <TxSts>RJCT</TxSts>
        <StsRsnInf><Rsn><Cd>${r.reason}</Cd></Rsn></StsRsnInf>
      </TxInfAndSts>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.03">
  <CstmrPmtStsRpt>
    <GrpHdr><MsgId>STS-${originalMessageId}</MsgId><CreDtTm>2026-12-02T09:00:00</CreDtTm></GrpHdr>
    <OrgnlGrpInfAndSts><OrgnlMsgId>${originalMessageId}</OrgnlMsgId><OrgnlMsgNmId>${originalMessage}</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>
    <OrgnlPmtInfAndSts>
      <OrgnlPmtInfId>${originalMessageId}-1</OrgnlPmtInfId>
${txs}
    </OrgnlPmtInfAndSts>
  </CstmrPmtStsRpt>
</Document>
`;
}

/**
 * A camt.054 about our credit transfers (refunds, pain.001): each transfer booked out as a debit entry, and each
 * `returned` one sent back by the payee's bank as a credit entry with RtrInf (as test/fixtures/sepa/camt.054.001.08-
 * credit-transfers.xml).
 */
export function camt054Transfers(
  messageId: string,
  transfers: readonly { endToEndId: string; amount: string; returned?: { reason: string; charges?: string } }[],
  bookingDate = '2026-12-18',
): string {
  const entry = (indicator: 'DBIT' | 'CRDT', t: (typeof transfers)[number], i: number) => `      <Ntry>
        <Amt Ccy="EUR">${t.amount}</Amt>
        <CdtDbtInd>${indicator}</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>${bookingDate}</Dt></BookgDt>
        <AcctSvcrRef>${indicator}-${i + 1}</AcctSvcrRef>
        <NtryDtls>
          <TxDtls>
            <Refs><EndToEndId>${t.endToEndId}</EndToEndId></Refs>
            <AmtDtls><InstdAmt><Amt Ccy="EUR">${t.amount}</Amt></InstdAmt></AmtDtls>
            ${t.returned?.charges && indicator === 'CRDT' ? `<Chrgs><Amt Ccy="EUR">${t.returned.charges}</Amt></Chrgs>` : ''}
            ${indicator === 'CRDT' ? `<RtrInf><Rsn><Cd>${t.returned!.reason}</Cd></Rsn></RtrInf>` : ''}
          </TxDtls>
        </NtryDtls>
      </Ntry>`;
  const entries = [
    ...transfers.map((t, i) => entry('DBIT', t, i)),
    ...transfers.filter((t) => t.returned).map((t, i) => entry('CRDT', t, i)),
  ].join('\n');
  return camt054(messageId, bookingDate, entries);
}
