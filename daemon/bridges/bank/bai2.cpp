// BAI2 (Cash Management Balance Reporting Specification, version 2): 01 file header, 02
// group, 03 account, 16 transaction detail, 88 continuation, 49/98/99 trailers whose
// control totals and record counts are checked. Amounts are in the currency's minor units.

#include "daemon/bridges/bank/util.h"

namespace og::bridges::bank {

using namespace detail;

namespace {

std::string at(int line) { return "bai2: line " + std::to_string(line); }

struct Record {
  std::string code;                // "01", "16", ...
  std::vector<std::string> fields;  // after the code
  int line = 0;
  int physical = 1;  // the record and its 88 continuations
};

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t c = s.find(',', pos);
    out.emplace_back(s.substr(pos, c == std::string_view::npos ? std::string_view::npos : c - pos));
    if (c == std::string_view::npos) break;
    pos = c + 1;
  }
  return out;
}

// A 16 record's fields before its text: type, amount, funds type (and its extras), bank
// ref, customer ref. -1 when the funds type is unknown.
std::size_t fixed_fields_of_16(const std::vector<std::string>& f, int line);

// Logical records: 88s merged into the record they continue; the '/' that ends a record
// dropped (a 16's text runs to the end of the record and may itself contain '/').
std::vector<Record> records_of(std::string_view text) {
  std::vector<Record> out;
  int line = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view l = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line;
    l = trim(l);
    if (l.empty()) continue;
    if (l.back() == '/') l.remove_suffix(1);
    if (l.size() < 2 || !is_digits(l.substr(0, 2)) || (l.size() > 2 && l[2] != ','))
      refuse(at(line) + ": not a BAI2 record");
    const std::string code(l.substr(0, 2));
    const std::string_view rest = l.size() > 3 ? l.substr(3) : std::string_view();
    if (code == "88") {
      if (out.empty() || (out.back().code != "03" && out.back().code != "16" && out.back().code != "88"))
        refuse(at(line) + ": 88 continues neither an 03 nor a 16 record");
      Record& r = out.back();
      ++r.physical;
      if (r.code == "16" && r.fields.size() > fixed_fields_of_16(r.fields, r.line)) {
        r.fields.back() += " " + std::string(rest);  // more text
      } else {
        // A record cut after a comma: its empty last field is the 88's first.
        if (!r.fields.empty() && r.fields.back().empty()) r.fields.pop_back();
        for (auto& f : split(rest)) r.fields.push_back(std::move(f));
      }
      continue;
    }
    Record r{code, {}, line, 1};
    if (!rest.empty() || l.size() > 2) r.fields = split(rest);
    out.push_back(std::move(r));
  }
  return out;
}

// Funds type and its extra fields: 0/1/2/Z/blank none, V date+time, S three amounts,
// D a count then that many (days, amount) pairs.
std::size_t funds_extras(const std::vector<std::string>& f, std::size_t at_funds, int line) {
  if (at_funds >= f.size()) return 0;
  const std::string& t = f[at_funds];
  if (t.empty() || t == "0" || t == "1" || t == "2" || t == "Z") return 0;
  if (t == "V") return 2;
  if (t == "S") return 3;
  if (t == "D") {
    if (at_funds + 1 >= f.size() || !is_digits(f[at_funds + 1]) || f[at_funds + 1].size() > 4)
      refuse(at(line) + ": funds type D without a count");
    return 1 + 2 * static_cast<std::size_t>(digits_value(f[at_funds + 1]));
  }
  refuse(at(line) + ": unknown funds type '" + clean_text(t) + "'");
}

std::size_t fixed_fields_of_16(const std::vector<std::string>& f, int line) {
  return 3 + funds_extras(f, 2, line) + 2;
}

// An amount in minor units: digits, optionally signed (03 summaries may be negative).
og::int128 units_of(const std::string& s, bool allow_sign, int line) {
  std::string_view v = s;
  bool negative = false;
  if (allow_sign && !v.empty() && (v[0] == '+' || v[0] == '-')) negative = v[0] == '-', v.remove_prefix(1);
  if (!is_digits(v) || v.size() > 30) refuse(at(line) + ": amount '" + clean_text(s) + "' is not a whole number of minor units");
  og::int128 u = 0;
  for (char c : v) u = u * 10 + (c - '0');
  return negative ? -u : u;
}

og::Amount amount_in(og::int128 units, const std::string& currency) {
  return *og::Amount::from_units(units, minor_units(currency));
}

std::string as_of_date(const std::string& yymmdd, int line) {
  if (yymmdd.size() != 6 || !is_digits(yymmdd)) refuse(at(line) + ": as-of date is not YYMMDD");
  const int yy = digits_value(yymmdd.substr(0, 2));
  return make_date(yy < 70 ? 2000 + yy : 1900 + yy, digits_value(yymmdd.substr(2, 2)),
                   digits_value(yymmdd.substr(4, 2)), at(line));
}

struct Totals {
  og::int128 sum = 0;
  long records = 0;
  long children = 0;  // accounts in a group, groups in a file
};

void check_trailer(const Record& r, const Totals& t, std::size_t sum_at, const char* what) {
  if (r.fields.size() < sum_at + 2) refuse(at(r.line) + ": " + what + " trailer too short");
  if (units_of(r.fields[sum_at], true, r.line) != t.sum)
    refuse(at(r.line) + ": wrong checksum in control totals: " + what + " total " + clean_text(r.fields[sum_at]) +
           ", the records give " + og::int128_to_string(t.sum));
  const std::string& count = r.fields.back();
  if (!is_digits(count) || count.size() > 9 || digits_value(count) != t.records)
    refuse(at(r.line) + ": " + what + " record count " + clean_text(count) + ", the file has " +
           std::to_string(t.records));
}

struct Reader {
  std::vector<Statement> out;
  std::string file_id, group_currency, group_date;
  Totals file, group, account;
  Statement* st = nullptr;
  bool in_group = false;
  bool closed = false;  // after the 99: nothing may follow
};

void read_account(const Record& r, Reader& rd) {
  if (!rd.in_group || rd.st) refuse(at(r.line) + ": 03 outside a group or inside an account");
  if (r.fields.empty() || r.fields[0].empty()) refuse(at(r.line) + ": 03 without an account number");
  Statement st;
  st.format = "bai2";
  st.message_id = rd.file_id;
  st.account = clean_text(r.fields[0]);
  st.currency = r.fields.size() > 1 && !r.fields[1].empty() ? clean_text(r.fields[1]) : rd.group_currency;
  (void)minor_units(st.currency);
  st.statement_id = rd.group_date;
  // Summaries: type code, amount, item count, funds type (+ extras), repeated.
  std::size_t i = 2;
  while (i < r.fields.size()) {
    const std::string& type = r.fields[i];
    if (type.empty() && i + 1 >= r.fields.size()) break;
    if (i + 3 > r.fields.size()) refuse(at(r.line) + ": 03 summary cut short");
    const std::string& amount = r.fields[i + 1];
    if (!amount.empty()) {
      const og::int128 u = units_of(amount, true, r.line);
      rd.account.sum += u;
      const Balance b{amount_in(u, st.currency).to_string(), rd.group_date, BalanceKind::Booked};
      if (type == "010") st.opening = b;
      else if (type == "015") st.closing = b;
      else if (type == "045") st.available = Balance{b.amount, b.date, BalanceKind::Available};
    }
    i += 4 + funds_extras(r.fields, i + 3, r.line);
  }
  rd.out.push_back(std::move(st));
  rd.st = &rd.out.back();
}

void read_detail(const Record& r, Reader& rd) {
  if (!rd.st) refuse(at(r.line) + ": 16 outside an account");
  const std::size_t fixed = fixed_fields_of_16(r.fields, r.line);
  if (r.fields.size() < fixed) refuse(at(r.line) + ": 16 record too short");
  const std::string& type = r.fields[0];
  if (type.size() != 3 || !is_digits(type)) refuse(at(r.line) + ": type code '" + clean_text(type) + "'");
  const int code = digits_value(type);
  const og::int128 u = units_of(r.fields[1], false, r.line);
  rd.account.sum += u;
  Entry e;
  e.amount = amount_in(u, rd.st->currency).to_string();
  // BAI: 100-399 credits, 400-699 debits; the rest (loans, custom codes) are information.
  e.side = code >= 400 && code <= 699 ? Side::Debit : Side::Credit;
  e.status = code >= 100 && code <= 699 ? EntryStatus::Booked : EntryStatus::Info;
  e.bank_tx_code = type;
  e.booking_date = e.value_date = rd.group_date;
  e.bank_ref = clean_text(r.fields[fixed - 2]);
  e.customer_ref = clean_text(r.fields[fixed - 1]);
  std::string text;
  for (std::size_t i = fixed; i < r.fields.size(); ++i) text += (i > fixed ? "," : "") + r.fields[i];
  e.remittance = clean_text(text);
  rd.st->entries.push_back(std::move(e));
}

void read_record(const Record& r, Reader& rd) {
  const auto& f = r.fields;
  if (r.code != "01" && rd.file_id.empty()) refuse(at(r.line) + ": the file does not start with an 01 record");
  rd.file.records += r.physical;
  rd.group.records += r.physical;
  rd.account.records += r.physical;
  if (r.code == "01") {
    if (!rd.file_id.empty()) refuse(at(r.line) + ": a second 01 record");
    if (f.size() < 5 || f[4].empty()) refuse(at(r.line) + ": 01 without a file id");
    rd.file_id = clean_text(f[4]);
  } else if (r.code == "02") {
    if (rd.in_group) refuse(at(r.line) + ": 02 inside a group");
    if (f.size() < 4) refuse(at(r.line) + ": 02 too short");
    rd.in_group = true;
    rd.group = Totals{0, 1, 0};
    rd.group_date = as_of_date(f[3], r.line);
    rd.group_currency = f.size() > 5 && !f[5].empty() ? clean_text(f[5]) : "USD";
  } else if (r.code == "03") {
    rd.account = Totals{0, r.physical, 0};
    read_account(r, rd);
  } else if (r.code == "16") {
    read_detail(r, rd);
  } else if (r.code == "49") {
    if (!rd.st) refuse(at(r.line) + ": 49 outside an account");
    check_trailer(r, rd.account, 0, "account");
    check_balance(*rd.st);
    rd.group.sum += rd.account.sum;
    ++rd.group.children;
    rd.st = nullptr;
  } else if (r.code == "98") {
    if (!rd.in_group || rd.st) refuse(at(r.line) + ": 98 outside a group or inside an account");
    check_trailer(r, rd.group, 0, "group");
    if (f.size() < 3 || !is_digits(f[1]) || f[1].size() > 9 || digits_value(f[1]) != rd.group.children)
      refuse(at(r.line) + ": group account count does not match");
    rd.file.sum += rd.group.sum;
    ++rd.file.children;
    rd.in_group = false;
  } else if (r.code == "99") {
    if (rd.in_group) refuse(at(r.line) + ": 99 inside a group");
    check_trailer(r, rd.file, 0, "file");
    if (f.size() < 3 || !is_digits(f[1]) || f[1].size() > 9 || digits_value(f[1]) != rd.file.children)
      refuse(at(r.line) + ": file group count does not match");
    rd.closed = true;
  } else {
    refuse(at(r.line) + ": unknown record type " + r.code);
  }
}

}  // namespace

ParseResult parse_bai2(std::string_view bytes) {
  Reader rd;
  try {
    const std::string text = to_utf8(bytes);
    const auto records = records_of(text);
    // Pointers into rd.out stay valid: reserve one statement per record at most.
    rd.out.reserve(records.size());
    for (const Record& r : records) {
      if (rd.closed) refuse(at(r.line) + ": a record after the 99");
      read_record(r, rd);
    }
    if (!rd.closed) refuse("bai2: the file ends without a 99 record");
    if (rd.out.empty()) refuse("bai2: no account (03 record)");
  } catch (const std::exception& e) {
    return {{}, e.what()};
  }
  return {std::move(rd.out), ""};
}

}  // namespace og::bridges::bank
