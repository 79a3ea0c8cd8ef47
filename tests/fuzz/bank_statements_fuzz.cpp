// The bank bridge's statement readers (daemon/bridges/bank/statement.h) on raw bytes, and
// the IBAN/BIC checks on the same text.
// Invariants: nothing is thrown out of parse_statements; a result is either statements or an
// error, never both; every amount reads back through og::Amount at its currency's scale to
// the same text (entries positive); every string is valid UTF-8; a date is YYYY-MM-DD; a
// normalized IBAN/BIC checks again to itself.

#include <string>

#include "common/amount.h"
#include "daemon/bridges/bank/iban.h"
#include "daemon/bridges/bank/statement.h"
#include "daemon/bridges/bank/util.h"
#include "tests/fuzz/fuzz_support.h"

namespace b = og::bridges::bank;
namespace d = og::bridges::bank::detail;

namespace {

void check_text(const std::string& s) { FUZZ_CHECK_MSG(d::is_valid_utf8(s), s); }

void check_amount(const std::string& text, const std::string& currency, bool positive) {
  auto a = og::Amount::parse(text, d::minor_units(currency), !positive);
  FUZZ_CHECK_MSG(a.value.has_value(), text + " " + currency);
  FUZZ_CHECK_MSG(a->to_string() == text, text);
}

void check_date(const std::string& s) {
  if (s.empty()) return;
  FUZZ_CHECK_MSG(s.size() == 10 && s[4] == '-' && s[7] == '-', s);
}

void check_balance(const std::optional<b::Balance>& bal, const std::string& currency) {
  if (!bal) return;
  check_amount(bal->amount, currency, false);
  check_date(bal->date);
}

void check_statement(const b::Statement& s) {
  for (const auto* t : {&s.format, &s.message_id, &s.statement_id, &s.account, &s.bank_id, &s.currency})
    check_text(*t);
  check_balance(s.opening, s.currency);
  check_balance(s.closing, s.currency);
  check_balance(s.available, s.currency);
  if (!s.computed_closing.empty()) check_amount(s.computed_closing, s.currency, false);
  for (const auto& e : s.entries) {
    check_amount(e.amount, s.currency, true);
    check_date(e.booking_date);
    check_date(e.value_date);
    for (const auto* t : {&e.bank_ref, &e.batch_ref, &e.end_to_end_id, &e.customer_ref, &e.remittance,
                          &e.creditor_ref, &e.counterparty_name, &e.counterparty_account, &e.bank_tx_code})
      check_text(*t);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes = og::fuzz::as_text(data, size);
  b::ParseResult r;
  try {
    r = b::parse_statements(bytes);
  } catch (...) {
    FUZZ_CHECK_MSG(false, "parse_statements threw");
  }
  FUZZ_CHECK(r.ok() || r.statements.empty());
  check_text(r.error);
  for (const auto& s : r.statements) check_statement(s);

  if (size <= 64) {
    for (auto check : {b::check_iban, b::check_bic}) {
      const auto c = check(bytes);
      if (!c.ok()) continue;
      const auto again = check(c.value);
      FUZZ_CHECK_MSG(again.ok() && again.value == c.value, c.value);
    }
  }
  return 0;
}
