// camt.053 (statements) and camt.054 (debit/credit notifications), versions 001.02 to
// 001.08, read with libxml2: no DTD, no entity substitution, no network, and a document
// with a DOCTYPE is refused before it is parsed (bank files never have one; it is how XXE
// and billion-laughs arrive).

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <memory>

#include "daemon/bridges/bank/util.h"
#include "daemon/bridges/bank/xml.h"

namespace og::bridges::bank {

using namespace detail;

namespace {

struct Context {
  std::string currency;  // the account's
};

std::string where(const xmlNode* n) { return "camt: " + path_of(n); }

const xmlNode* need(const xmlNode* parent, const char* name) {
  const xmlNode* c = child(parent, name);
  if (!c) refuse(where(parent) + ": missing element " + name);
  return c;
}

std::string need_text(const xmlNode* parent, const char* name) {
  const xmlNode* c = need(parent, name);
  std::string t = text_of(c);
  if (t.empty()) refuse(where(c) + ": empty");
  return t;
}

// Amt with its Ccy attribute: in the account's currency, positive, at most its minor units.
og::Amount amount_of(const xmlNode* amt, const Context& ctx) {
  const std::string ccy = attr_of(amt, "Ccy");
  if (ccy.empty()) refuse(where(amt) + ": missing attribute Ccy");
  if (ccy != ctx.currency)
    refuse(where(amt) + ": currency " + clean_text(ccy) + " is not the account's " + ctx.currency);
  // where() walks the tree: built only for the message, not for every amount.
  const std::string t = text_of(amt);
  auto a = og::Amount::parse(t, minor_units(ccy));
  if (!a) return parse_positive(t, ccy, where(amt));  // refuses with the path
  return *a;
}

Side side_of(const xmlNode* parent) {
  const xmlNode* ind = need(parent, "CdtDbtInd");
  const std::string t = text_of(ind);
  if (t == "CRDT") return Side::Credit;
  if (t == "DBIT") return Side::Debit;
  refuse(where(ind) + ": not CRDT or DBIT");
}

// Dt (YYYY-MM-DD) or DtTm (its date part).
std::string date_of(const xmlNode* holder) {
  const xmlNode* d = child(holder, "Dt");
  if (!d) d = child(holder, "DtTm");
  if (!d) refuse(where(holder) + ": missing element Dt or DtTm");
  const std::string t = text_of(d);
  if (t.size() < 10 || t[4] != '-' || t[7] != '-' || !is_digits(t.substr(0, 4)) ||
      !is_digits(t.substr(5, 2)) || !is_digits(t.substr(8, 2)))
    refuse(where(d) + ": not a date");
  return make_date(digits_value(t.substr(0, 4)), digits_value(t.substr(5, 2)),
                   digits_value(t.substr(8, 2)), where(d));
}

// Sts: text BOOK/PDNG/INFO (v2-v7) or Sts/Cd (v8).
EntryStatus status_of(const xmlNode* ntry) {
  const xmlNode* sts = need(ntry, "Sts");
  const xmlNode* cd = child(sts, "Cd");
  const std::string t = cd ? text_of(cd) : text_of(sts);
  if (t == "BOOK") return EntryStatus::Booked;
  if (t == "PDNG") return EntryStatus::Pending;
  if (t == "INFO") return EntryStatus::Info;
  refuse(where(cd ? cd : sts) + ": status '" + clean_text(t) + "' is not BOOK, PDNG or INFO");
}

std::string account_id(const xmlNode* acct) {
  const xmlNode* id = need(acct, "Id");
  if (const xmlNode* iban = child(id, "IBAN")) return text_of(iban);
  if (const xmlNode* othr = child(id, "Othr")) return need_text(othr, "Id");
  refuse(where(id) + ": missing element IBAN or Othr");
}

std::string bank_tx_code(const xmlNode* ntry) {
  const xmlNode* code = child(ntry, "BkTxCd");
  if (!code) return "";
  if (const xmlNode* domn = child(code, "Domn")) {
    std::string out = text_of(child(domn, "Cd"));
    if (const xmlNode* fmly = child(domn, "Fmly")) {
      out += "/" + text_of(child(fmly, "Cd"));
      out += "/" + text_of(child(fmly, "SubFmlyCd"));
    }
    return out;
  }
  if (const xmlNode* prtry = child(code, "Prtry")) return text_of(child(prtry, "Cd"));
  return "";
}

// A party's name: Nm directly (v2-v7) or under Pty (v8).
std::string party_name(const xmlNode* party) {
  if (!party) return "";
  if (const xmlNode* pty = child(party, "Pty")) party = pty;
  return text_of(child(party, "Nm"));
}

// What a TxDtls adds to an entry: references, remittance, the counterparty.
void read_details(const xmlNode* tx, Entry& e) {
  if (const xmlNode* refs = child(tx, "Refs")) {
    e.end_to_end_id = text_of(child(refs, "EndToEndId"));
    if (e.end_to_end_id == "NOTPROVIDED") e.end_to_end_id.clear();
    if (const xmlNode* r = child(refs, "AcctSvcrRef")) e.bank_ref = text_of(r);
    e.customer_ref = text_of(child(refs, "InstrId"));
  }
  if (const xmlNode* rmt = child(tx, "RmtInf")) {
    for (const xmlNode* u : children(rmt, "Ustrd")) append_text(e.remittance, text_of(u));
    for (const xmlNode* s : children(rmt, "Strd"))
      if (const xmlNode* cri = child(s, "CdtrRefInf"))
        if (e.creditor_ref.empty()) e.creditor_ref = text_of(child(cri, "Ref"));
  }
  if (const xmlNode* rp = child(tx, "RltdPties")) {
    const bool credit = e.side == Side::Credit;
    e.counterparty_name = party_name(child(rp, credit ? "Dbtr" : "Cdtr"));
    if (const xmlNode* acct = child(rp, credit ? "DbtrAcct" : "CdtrAcct")) e.counterparty_account = account_id(acct);
  }
}

// A TxDtls's own amount: AmtDtls/TxAmt/Amt, or Amt (v3+).
const xmlNode* tx_amount(const xmlNode* tx) {
  if (const xmlNode* ad = child(tx, "AmtDtls"))
    if (const xmlNode* ta = child(ad, "TxAmt")) return need(ta, "Amt");
  return child(tx, "Amt");
}

void read_entry(const xmlNode* ntry, const Context& ctx, Statement& st) {
  Entry e;
  const og::Amount amount = amount_of(need(ntry, "Amt"), ctx);
  e.amount = amount.to_string();
  e.side = side_of(ntry);
  if (const xmlNode* r = child(ntry, "RvslInd")) {
    const std::string t = text_of(r);
    if (t != "true" && t != "false" && t != "1" && t != "0") refuse(where(r) + ": not a boolean");
    e.reversal = t == "true" || t == "1";
  }
  e.status = status_of(ntry);
  if (const xmlNode* b = child(ntry, "BookgDt")) e.booking_date = date_of(b);
  if (const xmlNode* v = child(ntry, "ValDt")) e.value_date = date_of(v);
  e.bank_ref = text_of(child(ntry, "AcctSvcrRef"));
  e.bank_tx_code = bank_tx_code(ntry);
  for (const xmlNode* ad : children(ntry, "AddtlNtryInf")) append_text(e.remittance, text_of(ad));

  std::vector<const xmlNode*> txs;
  for (const xmlNode* nd : children(ntry, "NtryDtls"))
    for (const xmlNode* tx : children(nd, "TxDtls")) txs.push_back(tx);
  if (txs.size() <= 1) {
    if (txs.size() == 1) {
      e.remittance.clear();
      read_details(txs[0], e);
      if (e.bank_ref.empty()) e.bank_ref = text_of(child(ntry, "AcctSvcrRef"));
    }
    st.entries.push_back(std::move(e));
    return;
  }
  // A batch: one entry per TxDtls, each with its own amount; they must add up to the Ntry's.
  og::Amount sum = zero(ctx.currency);
  for (const xmlNode* tx : txs) {
    Entry t = e;
    t.batch_ref = e.bank_ref;
    t.bank_ref.clear();
    t.remittance.clear();
    const xmlNode* amt = tx_amount(tx);
    if (!amt) refuse(where(tx) + ": missing element AmtDtls/TxAmt/Amt (a batched entry's amount)");
    const og::Amount a = amount_of(amt, ctx);
    t.amount = a.to_string();
    if (child(tx, "CdtDbtInd")) t.side = side_of(tx);
    sum = t.side == e.side ? add(sum, a) : sub(sum, a);
    read_details(tx, t);
    st.entries.push_back(std::move(t));
  }
  if (sum != amount)
    refuse(where(ntry) + ": its TxDtls add up to " + sum.to_string() + ", not " + amount.to_string());
}

void read_balance(const xmlNode* bal, const Context& ctx, Statement& st) {
  const xmlNode* tp = need(bal, "Tp");
  const xmlNode* cp = need(tp, "CdOrPrtry");
  const xmlNode* cd = child(cp, "Cd");
  const std::string code = cd ? text_of(cd) : text_of(child(cp, "Prtry"));
  og::Amount a = amount_of(need(bal, "Amt"), ctx);
  if (side_of(bal) == Side::Debit) a = *a.negated();
  Balance b{a.to_string(), date_of(need(bal, "Dt")), BalanceKind::Booked};
  if (code == "OPBD" || code == "PRCD") {
    if (!st.opening || code == "OPBD") st.opening = b;
  } else if (code == "CLBD") {
    st.closing = b;
  } else if (code == "CLAV") {
    b.kind = BalanceKind::Available;
    st.available = b;
  }
}

// NbOfNtries and Sum of one TxsSummry block (TtlNtries, TtlCdtNtries, TtlDbtNtries),
// against the entries of the given side (both when side is empty).
void check_totals(const xmlNode* block, const std::vector<const xmlNode*>& ntries, const Context& ctx,
                  const std::optional<Side>& side) {
  if (!block) return;
  std::size_t count = 0;
  og::Amount sum = zero(ctx.currency);
  for (const xmlNode* n : ntries) {
    if (side && side_of(n) != *side) continue;
    ++count;
    sum = add(sum, amount_of(need(n, "Amt"), ctx));
  }
  if (const xmlNode* nb = child(block, "NbOfNtries")) {
    const std::string t = text_of(nb);
    if (!is_digits(t) || t.size() > 9 || static_cast<std::size_t>(digits_value(t)) != count)
      refuse(where(nb) + ": wrong checksum in control totals: " + clean_text(t) + " entries, the file has " +
             std::to_string(count));
  }
  if (const xmlNode* s = child(block, "Sum")) {
    const og::Amount want = parse_positive(text_of(s), ctx.currency, where(s));
    if (want != sum)
      refuse(where(s) + ": wrong checksum in control totals: sum " + want.to_string() + ", the entries give " +
             sum.to_string());
  }
}

void read_summary(const xmlNode* stmt, const std::vector<const xmlNode*>& ntries, const Context& ctx) {
  const xmlNode* summary = child(stmt, "TxsSummry");
  if (!summary) return;
  check_totals(child(summary, "TtlNtries"), ntries, ctx, std::nullopt);
  check_totals(child(summary, "TtlCdtNtries"), ntries, ctx, Side::Credit);
  check_totals(child(summary, "TtlDbtNtries"), ntries, ctx, Side::Debit);
}

// The account's currency: Acct/Ccy, else that of the first balance or entry.
std::string currency_of(const xmlNode* stmt, const xmlNode* acct) {
  if (const xmlNode* c = child(acct, "Ccy")) return text_of(c);
  for (const char* name : {"Bal", "Ntry"})
    if (const xmlNode* holder = child(stmt, name))
      if (const xmlNode* amt = child(holder, "Amt")) return attr_of(amt, "Ccy");
  return "";
}

Statement read_statement(const xmlNode* stmt, const std::string& format, const std::string& msg_id) {
  Statement st;
  st.format = format;
  st.message_id = msg_id;
  st.statement_id = need_text(stmt, "Id");
  const xmlNode* acct = need(stmt, "Acct");
  st.account = account_id(acct);
  if (const xmlNode* svcr = child(acct, "Svcr"))
    if (const xmlNode* fi = child(svcr, "FinInstnId")) {
      st.bank_id = text_of(child(fi, "BIC"));
      if (st.bank_id.empty()) st.bank_id = text_of(child(fi, "BICFI"));
    }
  Context ctx{currency_of(stmt, acct)};
  if (ctx.currency.empty()) refuse(where(acct) + ": no currency for the account");
  (void)minor_units(ctx.currency);
  st.currency = ctx.currency;
  for (const xmlNode* bal : children(stmt, "Bal")) read_balance(bal, ctx, st);
  const auto ntries = children(stmt, "Ntry");
  for (const xmlNode* n : ntries) read_entry(n, ctx, st);
  read_summary(stmt, ntries, ctx);
  check_balance(st);
  return st;
}

}  // namespace

ParseResult parse_camt(std::string_view bytes) {
  ParseResult result;
  try {
    XmlDoc doc = read_xml(bytes, "camt");
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    const std::string ns = namespace_of(root);
    const std::string prefix = "urn:iso:std:iso:20022:tech:xsd:";
    std::string format = ns.rfind(prefix, 0) == 0 ? ns.substr(prefix.size()) : "";
    const bool stmt053 = format.rfind("camt.053.001.0", 0) == 0;
    const bool ntf054 = format.rfind("camt.054.001.0", 0) == 0;
    if (name_of(root) != "Document" || (!stmt053 && !ntf054) || format.size() != 15 || format[14] < '2' ||
        format[14] > '8')
      refuse("camt: the root is not a Document of camt.053.001.02-08 or camt.054.001.02-08");
    const xmlNode* body = need(root, stmt053 ? "BkToCstmrStmt" : "BkToCstmrDbtCdtNtfctn");
    const std::string msg_id = need_text(need(body, "GrpHdr"), "MsgId");
    const auto stmts = children(body, stmt053 ? "Stmt" : "Ntfctn");
    if (stmts.empty()) refuse(where(body) + ": missing element " + (stmt053 ? "Stmt" : "Ntfctn"));
    for (const xmlNode* s : stmts) result.statements.push_back(read_statement(s, format, msg_id));
  } catch (const std::exception& e) {
    return {{}, e.what()};
  }
  return result;
}

}  // namespace og::bridges::bank
