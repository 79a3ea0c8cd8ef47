#pragma once
// A pain.001 CustomerCreditTransferInitiation (version 001.001.03, or 001.001.09 on request)
// for payments out of one debtor account: GrpHdr with NbOfTxs and CtrlSum, one PmtInf per
// currency with its own totals. Sums are exact decimals (og::Amount), never floating point.
// Text is restricted to the SEPA Latin set: common accented Latin letters are transliterated
// (ä -> ae, é -> e, ß -> ss, ...), '&' becomes '+', any other character outside the set is
// refused. Every IBAN and BIC is checked.

#include <string>
#include <vector>

namespace og::bridges::bank {

struct Payment {
  std::string end_to_end_id;  // up to 35 characters
  std::string amount;         // positive decimal text at the currency's minor units
  std::string currency;
  std::string creditor_name;  // up to 70 characters
  std::string creditor_iban;
  std::string creditor_bic;  // optional
  std::string remittance;    // unstructured, up to 140 characters
};

struct Debtor {
  std::string name;
  std::string iban;
  std::string bic;  // optional
};

struct Pain001Request {
  int version = 3;  // 3 or 9
  std::string message_id;     // up to 35 characters
  std::string creation_time;  // ISO 8601, "2026-12-03T12:00:00"
  std::string execution_date;  // YYYY-MM-DD
  Debtor debtor;
  std::vector<Payment> payments;
};

struct Pain001Result {
  std::string xml;
  std::string error;  // "" when ok
  bool ok() const { return error.empty(); }
};

Pain001Result write_pain001(const Pain001Request& request);

// The SEPA Latin form of UTF-8 text (see above), or nullopt-like "" with `why` set.
std::string sepa_text(const std::string& text, std::string& why);

}  // namespace og::bridges::bank
