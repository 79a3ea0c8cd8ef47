#include "daemon/bridges/bank/pain001.h"

#include <algorithm>

#include "daemon/bridges/bank/iban.h"
#include "daemon/bridges/bank/util.h"

namespace og::bridges::bank {

using namespace detail;

namespace {

bool sepa_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("/-?:().,'+ ").find(c) != std::string_view::npos;
}

// Latin-1 supplement letters (U+00C0..U+00FF) in SEPA Latin; "" where there is none.
constexpr const char* kLatin1[64] = {
    "A", "A", "A", "A", "Ae", "A", "Ae", "C", "E", "E", "E", "E", "I", "I", "I", "I",
    "D", "N", "O", "O", "O", "O", "Oe", "", "O", "U", "U", "U", "Ue", "Y", "Th", "ss",
    "a", "a", "a", "a", "ae", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "oe", "", "o", "u", "u", "u", "ue", "y", "th", "y"};

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

struct Writer {
  std::string out;
  int depth = 0;
  void open(const char* tag) {
    out.append(static_cast<std::size_t>(depth) * 2, ' ') += std::string("<") + tag + ">\n";
    ++depth;
  }
  void close(const char* tag) {
    --depth;
    out.append(static_cast<std::size_t>(depth) * 2, ' ') += std::string("</") + tag + ">\n";
  }
  void leaf(const char* tag, const std::string& text, const std::string& attrs = "") {
    out.append(static_cast<std::size_t>(depth) * 2, ' ') +=
        std::string("<") + tag + attrs + ">" + escape(text) + "</" + tag + ">\n";
  }
};

struct Refused {
  std::string why;
};

std::string checked_text(const std::string& text, std::size_t max, const std::string& what, bool required) {
  std::string why;
  std::string t = sepa_text(text, why);
  if (!why.empty()) throw Refused{what + ": " + why};
  if (required && t.empty()) throw Refused{what + ": empty"};
  if (t.size() > max) throw Refused{what + ": longer than " + std::to_string(max) + " characters"};
  return t;
}

std::string checked_iban(const std::string& iban, const std::string& what) {
  auto r = check_iban(iban);
  if (!r.ok()) throw Refused{what + ": " + r.error};
  return r.value;
}

std::string checked_bic(const std::string& bic, const std::string& what) {
  if (bic.empty()) return "";
  auto r = check_bic(bic);
  if (!r.ok()) throw Refused{what + ": " + r.error};
  return r.value;
}

void write_agent(Writer& w, const char* tag, const std::string& bic, int version) {
  w.open(tag);
  w.open("FinInstnId");
  if (bic.empty()) {
    w.open("Othr");
    w.leaf("Id", "NOTPROVIDED");
    w.close("Othr");
  } else {
    w.leaf(version >= 9 ? "BICFI" : "BIC", bic);
  }
  w.close("FinInstnId");
  w.close(tag);
}

void write_account(Writer& w, const char* tag, const std::string& iban) {
  w.open(tag);
  w.open("Id");
  w.leaf("IBAN", iban);
  w.close("Id");
  w.close(tag);
}

struct Group {
  std::string currency;
  std::vector<std::size_t> payments;
  og::Amount sum;
};

}  // namespace

std::string sepa_text(const std::string& text, std::string& why) {
  if (!is_valid_utf8(text)) {
    why = "not UTF-8";
    return "";
  }
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (sepa_char(static_cast<char>(c))) out += static_cast<char>(c);
      else if (c == '&') out += '+';
      else if (c == '\t' || c == '\n' || c == '\r') out += ' ';
      else {
        why = std::string("character '") + static_cast<char>(c) + "' is outside the SEPA Latin set";
        return "";
      }
      continue;
    }
    // Two-byte UTF-8 for U+00C0..U+00FF: C3 80..BF.
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto d = static_cast<unsigned char>(text[i + 1]);
      const char* t = kLatin1[d & 0x3F];
      if (d >= 0x80 && d <= 0xBF && *t) {
        out += t;
        ++i;
        continue;
      }
    }
    why = "a character outside the SEPA Latin set (no transliteration known)";
    return "";
  }
  return out;
}

Pain001Result write_pain001(const Pain001Request& rq) {
  try {
    if (rq.version != 3 && rq.version != 9) throw Refused{"version is 3 or 9"};
    if (rq.payments.empty()) throw Refused{"no payments"};
    const std::string msg_id = checked_text(rq.message_id, 35, "message id", true);
    const std::string debtor_name = checked_text(rq.debtor.name, 70, "debtor name", true);
    const std::string debtor_iban = checked_iban(rq.debtor.iban, "debtor IBAN");
    const std::string debtor_bic = checked_bic(rq.debtor.bic, "debtor BIC");
    if (rq.execution_date.size() != 10 || !is_digits(rq.execution_date.substr(0, 4)))
      throw Refused{"execution date is YYYY-MM-DD"};
    (void)make_date(digits_value(rq.execution_date.substr(0, 4)), digits_value(rq.execution_date.substr(5, 2)),
                    digits_value(rq.execution_date.substr(8, 2)), "execution date");
    if (rq.creation_time.size() < 19 || rq.creation_time[10] != 'T') throw Refused{"creation time is ISO 8601"};
    (void)checked_text(rq.creation_time, 35, "creation time", true);

    // One PmtInf per currency, in the order currencies first appear.
    std::vector<Group> groups;
    std::vector<og::Amount> amounts;
    for (std::size_t i = 0; i < rq.payments.size(); ++i) {
      const Payment& p = rq.payments[i];
      const std::string what = "payment " + std::to_string(i + 1);
      const og::Amount a = parse_positive(p.amount, p.currency, what);
      if (a.is_zero()) throw Refused{what + ": amount is zero"};
      amounts.push_back(a);
      auto g = std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.currency == p.currency; });
      if (g == groups.end()) g = groups.insert(groups.end(), Group{p.currency, {}, zero(p.currency)});
      g->payments.push_back(i);
      g->sum = add(g->sum, a);
    }
    // The group header's control sum adds every currency's figures, as the standard says.
    std::size_t max_scale = 0;
    for (const Group& g : groups) max_scale = std::max<std::size_t>(max_scale, static_cast<std::size_t>(g.sum.scale()));
    og::Amount total = *og::Amount::from_units(0, static_cast<int>(max_scale));
    for (const Group& g : groups) {
      auto scaled = og::Amount::parse(g.sum.to_string(), static_cast<int>(max_scale));
      total = add(total, *scaled);
    }

    const std::string ns = rq.version == 9 ? "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
                                           : "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03";
    Writer w;
    w.out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"" + ns + "\">\n";
    w.depth = 1;
    w.open("CstmrCdtTrfInitn");
    w.open("GrpHdr");
    w.leaf("MsgId", msg_id);
    w.leaf("CreDtTm", rq.creation_time);
    w.leaf("NbOfTxs", std::to_string(rq.payments.size()));
    w.leaf("CtrlSum", total.to_string());
    w.open("InitgPty");
    w.leaf("Nm", debtor_name);
    w.close("InitgPty");
    w.close("GrpHdr");
    for (std::size_t gi = 0; gi < groups.size(); ++gi) {
      const Group& g = groups[gi];
      w.open("PmtInf");
      w.leaf("PmtInfId", msg_id.substr(0, 30) + "-" + std::to_string(gi + 1));
      w.leaf("PmtMtd", "TRF");
      w.leaf("NbOfTxs", std::to_string(g.payments.size()));
      w.leaf("CtrlSum", g.sum.to_string());
      if (g.currency == "EUR") {
        w.open("PmtTpInf");
        w.open("SvcLvl");
        w.leaf("Cd", "SEPA");
        w.close("SvcLvl");
        w.close("PmtTpInf");
      }
      if (rq.version == 9) {
        w.open("ReqdExctnDt");
        w.leaf("Dt", rq.execution_date);
        w.close("ReqdExctnDt");
      } else {
        w.leaf("ReqdExctnDt", rq.execution_date);
      }
      w.open("Dbtr");
      w.leaf("Nm", debtor_name);
      w.close("Dbtr");
      write_account(w, "DbtrAcct", debtor_iban);
      write_agent(w, "DbtrAgt", debtor_bic, rq.version);
      w.leaf("ChrgBr", "SLEV");
      for (std::size_t i : g.payments) {
        const Payment& p = rq.payments[i];
        const std::string what = "payment " + std::to_string(i + 1);
        w.open("CdtTrfTxInf");
        w.open("PmtId");
        const std::string e2e = checked_text(p.end_to_end_id, 35, what + " end-to-end id", false);
        w.leaf("EndToEndId", e2e.empty() ? "NOTPROVIDED" : e2e);
        w.close("PmtId");
        w.open("Amt");
        w.leaf("InstdAmt", amounts[i].to_string(), " Ccy=\"" + p.currency + "\"");
        w.close("Amt");
        const std::string bic = checked_bic(p.creditor_bic, what + " creditor BIC");
        if (!bic.empty()) write_agent(w, "CdtrAgt", bic, rq.version);
        w.open("Cdtr");
        w.leaf("Nm", checked_text(p.creditor_name, 70, what + " creditor name", true));
        w.close("Cdtr");
        write_account(w, "CdtrAcct", checked_iban(p.creditor_iban, what + " creditor IBAN"));
        const std::string rmt = checked_text(p.remittance, 140, what + " remittance", false);
        if (!rmt.empty()) {
          w.open("RmtInf");
          w.leaf("Ustrd", rmt);
          w.close("RmtInf");
        }
        w.close("CdtTrfTxInf");
      }
      w.close("PmtInf");
    }
    w.close("CstmrCdtTrfInitn");
    w.out += "</Document>\n";
    return {std::move(w.out), ""};
  } catch (const Refused& r) {
    return {"", r.why};
  } catch (const std::exception& e) {
    return {"", e.what()};
  }
}

}  // namespace og::bridges::bank
