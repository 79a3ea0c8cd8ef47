// MT940 (SWIFT customer statement): plain files or inside {1:..}{4: ... -} blocks, several
// statements per file, CRLF or LF, Latin-1 converted to UTF-8. :86: is read in three
// dialects: German structured (?00/?20..?29/?32.. subfields with SEPA keywords EREF+ SVWZ+),
// Dutch /KEY/value/ (EREF, REMI, NAME, IBAN), and free text.

#include <algorithm>
#include <array>

#include "daemon/bridges/bank/util.h"

namespace og::bridges::bank {

using namespace detail;

namespace {

struct Field {
  std::string tag;    // "61", "86", ...
  std::string value;  // lines joined with '\n'
  int line = 0;
};

std::string at(int line) { return "mt940: line " + std::to_string(line); }

// The message bodies: each {4: ... -} block, or the whole text when there is none.
std::vector<std::pair<std::string_view, int>> bodies(std::string_view text) {
  std::vector<std::pair<std::string_view, int>> out;
  if (text.find("{4:") == std::string_view::npos) return {{text, 1}};
  std::size_t pos = 0;
  while ((pos = text.find("{4:", pos)) != std::string_view::npos) {
    const std::size_t start = pos + 3;
    std::size_t end = text.find("-}", start);
    if (end == std::string_view::npos) end = text.size();
    int line = 1;
    for (std::size_t i = 0; i < start; ++i) line += text[i] == '\n';
    out.emplace_back(text.substr(start, end - start), line);
    pos = end;
  }
  return out;
}

bool is_tag_line(std::string_view l, std::string& tag, std::string_view& rest) {
  if (l.size() < 4 || l[0] != ':') return false;
  const std::size_t colon = l.find(':', 1);
  if (colon == std::string_view::npos || colon < 3 || colon > 4) return false;
  tag = std::string(l.substr(1, colon - 1));
  if (!is_digits(tag.substr(0, 2))) return false;
  rest = l.substr(colon + 1);
  return true;
}

// Fields of one body; a line "-" ends a statement (kept as the tag "-").
std::vector<Field> fields_of(std::string_view body, int first_line) {
  std::vector<Field> out;
  int line = first_line;
  std::size_t pos = 0;
  while (pos <= body.size()) {
    std::size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) nl = body.size();
    std::string_view l = body.substr(pos, nl - pos);
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    std::string tag;
    std::string_view rest;
    if (is_tag_line(l, tag, rest)) {
      out.push_back({tag, std::string(rest), line});
    } else if (trim(l) == "-") {
      out.push_back({"-", "", line});
    } else if (!trim(l).empty()) {
      if (out.empty() || out.back().tag == "-") refuse(at(line) + ": text outside a field");
      out.back().value += "\n" + std::string(l);
    }
    pos = nl + 1;
    ++line;
  }
  return out;
}

// "1234,56" -> "1234.56"; "12," -> "12".
std::string decimal_of(std::string_view s, int line) {
  const std::size_t comma = s.find(',');
  if (comma == std::string_view::npos || s.find(',', comma + 1) != std::string_view::npos || comma == 0)
    refuse(at(line) + ": amount '" + clean_text(s) + "' has no decimal comma");
  std::string out(s.substr(0, comma));
  if (comma + 1 < s.size()) out += "." + std::string(s.substr(comma + 1));
  return out;
}

std::string yymmdd(std::string_view s, int line) {
  if (s.size() != 6 || !is_digits(s)) refuse(at(line) + ": not a date YYMMDD");
  const int yy = digits_value(s.substr(0, 2));
  // SWIFT's window: 00-79 are 2000-2079, 80-99 are 1980-1999.
  return make_date(yy < 80 ? 2000 + yy : 1900 + yy, digits_value(s.substr(2, 2)), digits_value(s.substr(4, 2)),
                   at(line));
}

// :60F: C261130EUR1234,56
Balance balance_of(const Field& f, std::string& currency) {
  const std::string v(trim(f.value));
  if (v.size() < 12 || (v[0] != 'C' && v[0] != 'D')) refuse(at(f.line) + ": :" + f.tag + ": is not D/C, date, currency, amount");
  const std::string ccy = v.substr(7, 3);
  if (currency.empty()) currency = ccy;
  if (ccy != currency) refuse(at(f.line) + ": currency " + clean_text(ccy) + " is not the statement's " + currency);
  og::Amount a = parse_positive(decimal_of(v.substr(10), f.line), ccy, at(f.line));
  if (v[0] == 'D') a = *a.negated();
  return {a.to_string(), yymmdd(v.substr(1, 6), f.line), BalanceKind::Booked};
}

// ---- :86: ----

void sepa_keywords(const std::string& text, Entry& e) {
  static constexpr std::array<std::string_view, 9> kKeys = {"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+",
                                                           "SVWZ+", "ABWA+", "ABWE+", "COAM+"};
  struct Hit {
    std::size_t pos;
    std::string_view key;
  };
  std::vector<Hit> hits;
  for (auto k : kKeys)
    for (std::size_t p = text.find(k); p != std::string::npos; p = text.find(k, p + 1)) hits.push_back({p, k});
  if (hits.empty()) {
    append_text(e.remittance, text);
    return;
  }
  std::sort(hits.begin(), hits.end(), [](const Hit& a, const Hit& b) { return a.pos < b.pos; });
  if (hits[0].pos > 0) append_text(e.remittance, text.substr(0, hits[0].pos));
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const std::size_t start = hits[i].pos + hits[i].key.size();
    if (i + 1 < hits.size() && hits[i + 1].pos < start) continue;
    const std::size_t end = i + 1 < hits.size() ? hits[i + 1].pos : text.size();
    const std::string value = clean_text(text.substr(start, end - start));
    if (hits[i].key == "EREF+") e.end_to_end_id = value == "NOTPROVIDED" ? "" : value;
    else if (hits[i].key == "KREF+") e.customer_ref = value;
    else if (hits[i].key == "SVWZ+") append_text(e.remittance, value);
  }
}

// 166?00GUTSCHRIFT?20EREF+E2E-1?21SVWZ+Invoice 42?32Example GmbH?31DE89...
void german(const std::string& text, Entry& e) {
  std::string purpose, name;
  std::size_t pos = text.find('?');
  while (pos != std::string::npos && pos + 2 < text.size()) {
    const std::string code = text.substr(pos + 1, 2);
    std::size_t next = pos + 3;
    while ((next = text.find('?', next)) != std::string::npos &&
           !(next + 2 < text.size() && is_digits(text.substr(next + 1, 2))))
      ++next;
    const std::string value = text.substr(pos + 3, (next == std::string::npos ? text.size() : next) - pos - 3);
    const int c = is_digits(code) ? digits_value(code) : -1;
    if ((c >= 20 && c <= 29) || (c >= 60 && c <= 63)) purpose += value;
    else if (c == 32 || c == 33) name += value;
    else if (c == 31) e.counterparty_account = clean_text(value);
    else if (c == 0 && e.bank_tx_code.empty()) e.bank_tx_code = clean_text(value);
    pos = next;
  }
  e.counterparty_name = clean_text(name);
  sepa_keywords(purpose, e);
}

// /EREF/E2E-7//REMI/USTD//Invoice 7/NAME/Example BV/IBAN/NL91ABNA0417164300/
void dutch(const std::string& text, Entry& e) {
  static constexpr std::array<std::string_view, 14> kKeys = {
      "/EREF/", "/REMI/", "/NAME/", "/IBAN/", "/BIC/", "/ORDP/", "/BENM/", "/MARF/",
      "/CSID/", "/TRTP/", "/ULTC/", "/ULTD/", "/PURP/", "/RTRN/"};
  auto next_key = [&](std::size_t from, std::string_view& key) {
    std::size_t best = std::string::npos;
    for (auto k : kKeys) {
      const std::size_t p = text.find(k, from);
      if (p < best) best = p, key = k;
    }
    return best;
  };
  std::string_view key;
  std::size_t pos = next_key(0, key);
  while (pos != std::string::npos) {
    const std::size_t start = pos + key.size();
    std::string_view following;
    // A key's value runs to the next key (its closing '/' is the next key's opening one).
    std::size_t end = next_key(start, following);
    std::string value = text.substr(start, (end == std::string::npos ? text.size() : end) - start);
    while (!value.empty() && value.back() == '/') value.pop_back();
    if (key == "/EREF/") e.end_to_end_id = value == "NOTPROVIDED" ? "" : clean_text(value);
    else if (key == "/REMI/") {
      if (value.rfind("USTD//", 0) == 0) value = value.substr(6);
      if (value.rfind("STRD/", 0) == 0) e.creditor_ref = clean_text(value.substr(value.rfind('/') + 1));
      else append_text(e.remittance, value);
    } else if (key == "/NAME/" && e.counterparty_name.empty()) e.counterparty_name = clean_text(value);
    else if (key == "/IBAN/" && e.counterparty_account.empty()) e.counterparty_account = clean_text(value);
    pos = end;
    key = following;
  }
}

void read_info(const std::string& raw, Entry& e) {
  std::string joined;  // continuation lines are cut at a fixed width: joined as they are
  for (char c : raw)
    if (c != '\n' && c != '\r') joined += c;
  if (joined.size() > 3 && is_digits(joined.substr(0, 3)) && joined[3] == '?') {
    german(joined, e);
  } else if (joined.find("/EREF/") != std::string::npos || joined.find("/REMI/") != std::string::npos ||
             joined.rfind("/TRTP/", 0) == 0 || joined.rfind("/NAME/", 0) == 0) {
    dutch(joined, e);
  } else {
    std::string free = raw;  // free text: a line break is a space
    for (char& c : free)
      if (c == '\n') c = ' ';
    append_text(e.remittance, free);
  }
}

// ---- :61: ----

// 2612011201RCR1234,56NTRFREF-1//BANK-9\nsupplementary
Entry line_of(const Field& f, const std::string& currency) {
  const std::size_t nl = f.value.find('\n');
  const std::string first = f.value.substr(0, nl);
  const int line = f.line;
  if (first.size() < 6) refuse(at(line) + ": :61: too short");
  Entry e;
  e.value_date = yymmdd(first.substr(0, 6), line);
  std::size_t p = 6;
  if (first.size() >= 10 && is_digits(first.substr(6, 4))) {
    const int year = digits_value(e.value_date.substr(0, 4));
    const int vmonth = digits_value(e.value_date.substr(5, 2));
    const int month = digits_value(first.substr(6, 2));
    // The entry date has no year: the value date's, across a year end when they straddle it.
    const int y = vmonth == 12 && month == 1 ? year + 1 : vmonth == 1 && month == 12 ? year - 1 : year;
    e.booking_date = make_date(y, month, digits_value(first.substr(8, 2)), at(line));
    p = 10;
  } else {
    e.booking_date = e.value_date;
  }
  if (first.compare(p, 2, "RC") == 0) {
    e.side = Side::Debit, e.reversal = true, p += 2;  // reversal of a credit takes money out
  } else if (first.compare(p, 2, "RD") == 0) {
    e.side = Side::Credit, e.reversal = true, p += 2;
  } else if (p < first.size() && (first[p] == 'C' || first[p] == 'D')) {
    e.side = first[p] == 'C' ? Side::Credit : Side::Debit, ++p;
  } else {
    refuse(at(line) + ": :61: mark is not C, D, RC or RD");
  }
  if (p < first.size() && first[p] >= 'A' && first[p] <= 'Z') ++p;  // funds code (3rd letter of the currency)
  const std::size_t amount_start = p;
  while (p < first.size() && ((first[p] >= '0' && first[p] <= '9') || first[p] == ',')) ++p;
  e.amount = parse_positive(decimal_of(first.substr(amount_start, p - amount_start), line), currency, at(line))
                 .to_string();
  if (p + 4 > first.size() || (first[p] != 'N' && first[p] != 'F' && first[p] != 'S'))
    refuse(at(line) + ": :61: no transaction type (N, F or S and three characters)");
  e.bank_tx_code = clean_text(first.substr(p, 4));
  p += 4;
  const std::string refs = first.substr(p);
  const std::size_t slashes = refs.find("//");
  e.customer_ref = clean_text(refs.substr(0, slashes));
  if (e.customer_ref == "NONREF") e.customer_ref.clear();
  if (slashes != std::string::npos) e.bank_ref = clean_text(refs.substr(slashes + 2));
  if (nl != std::string::npos) append_text(e.remittance, f.value.substr(nl + 1));
  return e;
}

// ---- statements ----

struct Builder {
  Statement st;
  bool started = false;
  bool closed = false;
  int line = 0;
};

void finish(Builder& b, std::vector<Statement>& out) {
  if (!b.started) return;
  if (b.st.account.empty()) refuse(at(b.line) + ": statement without :25:");
  if (!b.st.opening) refuse(at(b.line) + ": statement without :60F: or :60M:");
  if (!b.closed) refuse(at(b.line) + ": statement without :62F: or :62M:");
  check_balance(b.st);
  out.push_back(std::move(b.st));
  b = Builder{};
}

void read_account(const Field& f, Statement& st) {
  const std::string v = clean_text(f.value);
  if (v.empty()) refuse(at(f.line) + ": empty :25:");
  const std::size_t slash = v.find('/');
  if (slash != std::string::npos) {
    st.bank_id = v.substr(0, slash);
    st.account = v.substr(slash + 1);
  } else {
    st.account = v;
  }
}

void read_field(const Field& f, Builder& b, std::vector<Statement>& out) {
  if (f.tag == "20") {
    finish(b, out);
    b.started = true;
    b.line = f.line;
    b.st.format = "mt940";
    b.st.message_id = clean_text(f.value);
    return;
  }
  if (f.tag == "-") {
    finish(b, out);
    return;
  }
  if (!b.started) refuse(at(f.line) + ": :" + f.tag + ": before :20:");
  Statement& st = b.st;
  if (f.tag == "25") read_account(f, st);
  else if (f.tag == "28C" || f.tag == "28") st.statement_id = clean_text(f.value);
  else if (f.tag == "60F" || f.tag == "60M") st.opening = balance_of(f, st.currency);
  else if (f.tag == "62F" || f.tag == "62M") st.closing = balance_of(f, st.currency), b.closed = true;
  else if (f.tag == "64") {
    st.available = balance_of(f, st.currency);
    st.available->kind = BalanceKind::Available;
  } else if (f.tag == "61") {
    if (!st.opening) refuse(at(f.line) + ": :61: before the opening balance");
    if (b.closed) refuse(at(f.line) + ": :61: after the closing balance");
    st.entries.push_back(line_of(f, st.currency));
  } else if (f.tag == "86") {
    if (!st.entries.empty() && !b.closed) read_info(f.value, st.entries.back());
  }
}

}  // namespace

ParseResult parse_mt940(std::string_view bytes) {
  ParseResult result;
  try {
    const std::string text = to_utf8(bytes);
    for (const auto& [body, first_line] : bodies(text)) {
      Builder b;
      for (const Field& f : fields_of(body, first_line)) read_field(f, b, result.statements);
      finish(b, result.statements);
    }
    if (result.statements.empty()) refuse("mt940: no statement (:20: ... :62F:)");
  } catch (const std::exception& e) {
    return {{}, e.what()};
  }
  return result;
}

}  // namespace og::bridges::bank
