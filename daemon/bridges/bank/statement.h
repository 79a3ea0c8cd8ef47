#pragma once
// Bank statements as the bank bridge reads them (issue 20): one model for camt.053 /
// camt.054 (ISO 20022 XML), MT940 (SWIFT), BAI2 and OFX 1.x / 2.x. Pure functions of the
// file's bytes: no database, no network. Amounts are exact decimal text at the currency's
// ISO 4217 minor units (og::Amount::to_string), never floating point. Every string is valid
// UTF-8 (Latin-1 / Windows-1252 input is converted). A bad file is refused whole: the
// result is either every statement or one error naming the line or element.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace og::bridges::bank {

enum class Side { Credit, Debit };
enum class EntryStatus { Booked, Pending, Info };
enum class BalanceKind { Booked, Available };

struct Balance {
  std::string amount;  // signed exact decimal ("-12.50" is a debit balance)
  std::string date;    // YYYY-MM-DD
  BalanceKind kind = BalanceKind::Booked;
};

struct Entry {
  std::string amount;  // positive exact decimal
  Side side = Side::Credit;
  bool reversal = false;  // camt RvslInd, MT940 RC/RD
  EntryStatus status = EntryStatus::Booked;
  std::string booking_date;  // YYYY-MM-DD ("" when the file has none)
  std::string value_date;    // YYYY-MM-DD
  std::string bank_ref;      // camt AcctSvcrRef, MT940 after "//", BAI2 bank ref, OFX FITID
  std::string batch_ref;     // a batched camt entry: the Ntry's own AcctSvcrRef
  std::string end_to_end_id;
  std::string customer_ref;  // MT940 before "//", BAI2 customer ref, OFX REFNUM
  std::string remittance;    // unstructured text, parts joined with a space
  std::string creditor_ref;  // camt RmtInf/Strd/CdtrRefInf/Ref
  std::string counterparty_name;
  std::string counterparty_account;
  std::string bank_tx_code;  // camt Prtry/Cd or domain code, MT940 N/F/S+3, BAI2 type, OFX TRNTYPE
};

struct Statement {
  std::string format;  // "camt.053.001.02", "camt.054.001.08", "mt940", "bai2", "ofx1", "ofx2"
  std::string message_id;
  std::string statement_id;
  std::string account;  // IBAN or another account id
  std::string bank_id;  // BIC or bank id when the file gives one
  std::string currency;
  std::optional<Balance> opening;
  std::optional<Balance> closing;
  std::optional<Balance> available;
  std::vector<Entry> entries;
  // opening + booked credits - booked debits == closing, when both balances are given.
  // Not a refusal: a dry run shows it.
  std::optional<bool> balanced;
  std::string computed_closing;  // the figure the entries give ("" when not checked)
};

struct ParseResult {
  std::vector<Statement> statements;
  std::string error;  // "" when ok
  bool ok() const { return error.empty(); }
};

enum class Format { Unknown, Camt053, Camt054, Mt940, Bai2, Ofx1, Ofx2 };

// The format of a file from its content alone.
Format detect(std::string_view bytes);

// Detects, then parses. Never throws on bad input: it returns an error.
ParseResult parse_statements(std::string_view bytes);

// The parsers, for a caller who knows the format.
ParseResult parse_camt(std::string_view bytes);
ParseResult parse_mt940(std::string_view bytes);
ParseResult parse_bai2(std::string_view bytes);
ParseResult parse_ofx(std::string_view bytes);  // 1.x SGML and 2.x XML

}  // namespace og::bridges::bank
