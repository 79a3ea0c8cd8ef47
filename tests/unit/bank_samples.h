#pragma once
// Hand-written sample bank files modelled on real ones, shared by the bank tests (and
// copied into tests/fuzz/corpus/bank_statements/).

namespace bank_samples {

// Two statements; the first has a batched entry of three TxDtls and control totals.
inline constexpr const char* kCamt053v02 = R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>MSG-2026-12-01</MsgId><CreDtTm>2026-12-01T06:00:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>STMT-1</Id>
      <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy>
        <Svcr><FinInstnId><BIC>COBADEFFXXX</BIC></FinInstnId></Svcr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1250.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>
      <TxsSummry><TtlNtries><NbOfNtries>2</NbOfNtries><Sum>350.50</Sum></TtlNtries></TxsSummry>
      <Ntry>
        <Amt Ccy="EUR">300.50</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>BATCH-77</AcctSvcrRef>
        <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>RCDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
        <NtryDtls>
          <TxDtls><Refs><AcctSvcrRef>TX-1</AcctSvcrRef><EndToEndId>E2E-1</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">100.00</Amt></TxAmt></AmtDtls>
            <RltdPties><Dbtr><Nm>Müller &amp; Söhne</Nm></Dbtr><DbtrAcct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></DbtrAcct></RltdPties>
            <RmtInf><Ustrd>Invoice 1</Ustrd><Ustrd>part A</Ustrd></RmtInf></TxDtls>
          <TxDtls><Refs><AcctSvcrRef>TX-2</AcctSvcrRef><EndToEndId>E2E-2</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">150.25</Amt></TxAmt></AmtDtls>
            <RmtInf><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf></TxDtls>
          <TxDtls><Refs><AcctSvcrRef>TX-3</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>
            <AmtDtls><TxAmt><Amt Ccy="EUR">50.25</Amt></TxAmt></AmtDtls></TxDtls>
        </NtryDtls>
      </Ntry>
      <Ntry>
        <Amt Ccy="EUR">50.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
        <BookgDt><Dt>2026-12-01</Dt></BookgDt><ValDt><Dt>2026-12-01</Dt></ValDt>
        <AcctSvcrRef>REF-2</AcctSvcrRef>
        <NtryDtls><TxDtls><Refs><EndToEndId>E2E-OUT</EndToEndId></Refs>
          <RltdPties><Cdtr><Nm>Energy Co</Nm></Cdtr><CdtrAcct><Id><IBAN>GB82WEST12345698765432</IBAN></Id></CdtrAcct></RltdPties>
          <RmtInf><Ustrd>Electricity November</Ustrd></RmtInf></TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
    <Stmt>
      <Id>STMT-2</Id>
      <Acct><Id><Othr><Id>12345678</Id></Othr></Id><Ccy>JPY</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy="JPY">5000</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2026-11-30</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="JPY">1000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2026-12-01T23:59:59</DtTm></Dt></Bal>
      <Ntry><Amt Ccy="JPY">6000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt><AcctSvcrRef>JP-1</AcctSvcrRef></Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
)";

// v8: Sts/Cd, a reversal, a pending entry, BICFI, Pty/Nm; the balances do not match.
inline constexpr const char* kCamt053v08 = R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>V8-MSG</MsgId><CreDtTm>2026-12-02T06:00:00+01:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>V8-STMT</Id>
      <Acct><Id><IBAN>FR1420041010050500013M02606</IBAN></Id><Ccy>EUR</Ccy>
        <Svcr><FinInstnId><BICFI>BNPAFRPPXXX</BICFI></FinInstnId></Svcr></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-01</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">80.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-02</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLAV</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">75.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-02</Dt></Dt></Bal>
      <Ntry><Amt Ccy="EUR">25.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><RvslInd>true</RvslInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><DtTm>2026-12-02T10:00:00</DtTm></BookgDt><ValDt><Dt>2026-12-02</Dt></ValDt><AcctSvcrRef>RV-1</AcctSvcrRef>
        <NtryDtls><TxDtls><Refs><EndToEndId>E2E-RV</EndToEndId></Refs>
          <RltdPties><Cdtr><Pty><Nm>Shop SARL</Nm></Pty></Cdtr></RltdPties></TxDtls></NtryDtls></Ntry>
      <Ntry><Amt Ccy="EUR">5.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>PDNG</Cd></Sts><AcctSvcrRef>PD-1</AcctSvcrRef></Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
)";

inline constexpr const char* kCamt054 = R"(<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08">
  <BkToCstmrDbtCdtNtfctn>
    <GrpHdr><MsgId>NTF-1</MsgId><CreDtTm>2026-12-03T09:00:00</CreDtTm></GrpHdr>
    <Ntfctn>
      <Id>NTF-1-1</Id>
      <Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id><Ccy>EUR</Ccy></Acct>
      <Ntry><Amt Ccy="EUR">42.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
        <BookgDt><Dt>2026-12-03</Dt></BookgDt><ValDt><Dt>2026-12-03</Dt></ValDt><AcctSvcrRef>N-42</AcctSvcrRef>
        <NtryDtls><TxDtls><Refs><EndToEndId>ORDER-42</EndToEndId></Refs>
          <RltdPties><Dbtr><Pty><Nm>Jan de Vries</Nm></Pty></Dbtr></RltdPties>
          <RmtInf><Ustrd>Order 42</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
    </Ntfctn>
  </BkToCstmrDbtCdtNtfctn>
</Document>
)";

// In a SWIFT block: German ?20 structure, an RC reversal, a Dec->Jan entry date; then a
// second statement with the Dutch /EREF/ dialect and free text.
inline constexpr const char* kMt940 =
    "{1:F01COBADEFFAXXX0000000000}{2:O9401200261231COBADEFFAXXX00000000002612311200N}{4:\r\n"
    ":20:STARTUMS\r\n"
    ":25:37040044/0532013000\r\n"
    ":28C:00012/001\r\n"
    ":60F:C261230EUR1000,00\r\n"
    ":61:2612310102CR150,25NTRFNONREF//BANK-REF-1\r\n"
    "Gutschrift SEPA\r\n"
    ":86:166?00SEPA-GUTSCHRIFT?20EREF+E2E-DE-1?21SVWZ+Rechnung 4711 vom \r\n"
    "?2220.12.?32M\xFCller GmbH?31DE89370400440532013000\r\n"
    ":61:261231DR20,00NMSCCUST-9//BANK-REF-2\r\n"
    ":86:Kontofuehrung Dezember\r\n"
    ":61:261231RC10,00NRTIKREF//BANK-REF-3\r\n"
    ":86:Storno Gutschrift\r\n"
    ":62F:C261231EUR1120,25\r\n"
    ":64:C261231EUR1100,00\r\n"
    "-}"
    "{1:F01ABNANL2AAXXX0000000000}{4:\n"
    ":20:ABN-STMT\n"
    ":25:NL91ABNA0417164300\n"
    ":28C:2\n"
    ":60F:C261130EUR500,\n"
    ":61:261201C100,NTRFNONREF//NL-REF-1\n"
    ":86:/TRTP/SEPA OVERBOEKING/IBAN/NL91ABNA0417164300/BIC/ABNANL2A/NAME/Jan de Vries/REMI/US\n"
    "TD//Factuur 2026-12/EREF/E2E-NL-1\n"
    ":62F:C261201EUR600,\n"
    "-}";

inline constexpr const char* kBai2 =
    "01,BANKID,CUSTID,261201,0600,1,80,,2/\n"
    "02,CUSTID,BANKID,1,261130,2400,USD,2/\n"
    "03,0975312468,USD,010,500000,,,015,/\n"
    "88,498000,,/\n"
    "16,165,1500,0,BR-1,CR-1,Lockbox deposit/\n"
    "16,475,5000,0,BR-2,CR-2,Check 1001 paid to\n"
    "88,ACME Supplies, invoice 77/\n"
    "16,115,1500,0,BR-3,,Wire in/\n"
    "49,1006000,7/\n"
    "98,1006000,1,9/\n"
    "99,1006000,1,11/\n";

inline constexpr const char* kOfx1 =
    "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\nCHARSET:1252\r\n"
    "COMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
    "<OFX>\r\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>20261201120000[-5:EST]"
    "<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\r\n"
    "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1001<STATUS><CODE>0<SEVERITY>INFO</STATUS>\r\n"
    "<STMTRS><CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>0123456789<ACCTTYPE>CHECKING</BANKACCTFROM>\r\n"
    "<BANKTRANLIST><DTSTART>20261101<DTEND>20261130\r\n"
    "<STMTTRN><TRNTYPE>DEBIT<DTPOSTED>20261128120000[-5:EST]<TRNAMT>-12.50<FITID>F-1<NAME>Caf\xE9 Ren\xE9<MEMO>Lunch &amp; coffee</STMTTRN>\r\n"
    "<STMTTRN><TRNTYPE>CREDIT<DTPOSTED>20261129<TRNAMT>1000.00<FITID>F-2<NAME>Payroll<REFNUM>PR-11</STMTTRN>\r\n"
    "</BANKTRANLIST><LEDGERBAL><BALAMT>2987.50<DTASOF>20261130</LEDGERBAL>"
    "<AVAILBAL><BALAMT>2900.00<DTASOF>20261130</AVAILBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\r\n";

inline constexpr const char* kOfx2 = R"(<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<?OFX OFXHEADER="200" VERSION="220" SECURITY="NONE" OLDFILEUID="NONE" NEWFILEUID="NONE"?>
<OFX>
  <CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>cc-7</TRNUID>
    <STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>
    <CCSTMTRS><CURDEF>EUR</CURDEF><CCACCTFROM><ACCTID>4111111111111111</ACCTID></CCACCTFROM>
      <BANKTRANLIST><DTSTART>20261101</DTSTART><DTEND>20261130</DTEND>
        <STMTTRN><TRNTYPE>DEBIT</TRNTYPE><DTPOSTED>20261115000000.000[+1:CET]</DTPOSTED><TRNAMT>-99.99</TRNAMT>
          <FITID>CC-1</FITID><PAYEE><NAME>Bücher &amp; Co</NAME></PAYEE><MEMO>Books</MEMO></STMTTRN>
      </BANKTRANLIST>
      <LEDGERBAL><BALAMT>-99.99</BALAMT><DTASOF>20261130</DTASOF></LEDGERBAL>
    </CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>
</OFX>
)";

}  // namespace bank_samples
