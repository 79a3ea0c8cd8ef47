#include "daemon/bridges/horizon/readers.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>

#include "daemon/bridges/stellar/strkey.h"
#include "daemon/bridges/stellar/xdr.h"

namespace og::bridges::horizon {

namespace {

std::string str(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return "";
  return j[key].get<std::string>();
}

bool valid_amount(const std::string& a) {
  try {
    return stellar::parse_amount(a) > 0;
  } catch (const std::exception&) {
    return false;
  }
}

std::string currency_of_record(const Json& r, const CurrencyOf& currency_of) {
  const std::string type = str(r, "asset_type");
  if (type == "native") return "XLM";
  if (type == "credit_alphanum4" || type == "credit_alphanum12") {
    const std::string code = str(r, "asset_code"), issuer = str(r, "asset_issuer");
    if (code.empty() || issuer.empty()) return "";
    return currency_of(code, issuer);
  }
  return "";
}

}  // namespace

std::optional<std::uint64_t> parse_u64(const std::string& t) {
  if (t.empty() || t.size() > 20) return std::nullopt;
  for (char c : t)
    if (c < '0' || c > '9') return std::nullopt;
  if (t.size() > 1 && t[0] == '0') return std::nullopt;
  std::uint64_t v = 0;
  for (char c : t) {
    const std::uint64_t d = static_cast<std::uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return std::nullopt;
    v = v * 10 + d;
  }
  return v;
}

PaymentsPage payments_of(const Json& page, const std::string& hot, const CurrencyOf& currency_of) {
  PaymentsPage out;
  if (!page.is_object() || !page.contains("_embedded") || !page["_embedded"].is_object() ||
      !page["_embedded"].contains("records") || !page["_embedded"]["records"].is_array())
    throw std::runtime_error("payments: an answer without _embedded.records");
  for (const auto& r : page["_embedded"]["records"]) {
    const std::string token = str(r, "paging_token");
    if (token.empty() || !parse_u64(token)) throw std::runtime_error("payments: a record without a paging_token");
    out.last_token = token;
    ++out.records;
    const std::string id = str(r, "id");
    const std::string type = str(r, "type");
    if (!r.contains("transaction_successful") || !r["transaction_successful"].is_boolean() ||
        !r["transaction_successful"].get<bool>())
      continue;  // a failed transaction moved nothing
    std::string to, from, amount, currency;
    std::optional<std::uint64_t> muxed_id;
    if (type == "payment") {
      to = str(r, "to");
      from = str(r, "from");
      amount = str(r, "amount");
      currency = currency_of_record(r, currency_of);
      if (r.contains("to_muxed_id")) {
        const Json& m = r["to_muxed_id"];
        muxed_id = m.is_string() ? parse_u64(m.get<std::string>())
                   : m.is_number_unsigned() ? std::optional<std::uint64_t>(m.get<std::uint64_t>())
                                             : std::nullopt;
      }
    } else if (type == "create_account") {
      to = str(r, "account");
      from = str(r, "funder");
      amount = str(r, "starting_balance");
      currency = "XLM";
    } else {
      continue;  // other operations move nothing into the account through payments
    }
    if (to != hot || from == hot) continue;  // outgoing, or to ourselves
    if (id.empty() || !parse_u64(id)) {
      out.unreadable.push_back("record " + token + ": no operation id");
      continue;
    }
    if (currency.empty() || !valid_amount(amount)) {
      out.unreadable.push_back("operation " + id + ": no asset or amount that can be read");
      continue;
    }
    Arrival a;
    a.external_txid = id;
    a.currency = currency;
    a.amount = amount;
    a.source_address = from;
    a.address = hot;
    std::string hash;
    if (r.contains("transaction") && r["transaction"].is_object()) {
      const Json& t = r["transaction"];
      hash = str(t, "hash");
      if (str(t, "memo_type") == "id") {
        if (auto memo = parse_u64(str(t, "memo"))) a.address = hot + "-" + std::to_string(*memo);
      }
      if (t.contains("ledger") && t["ledger"].is_number_integer()) a.ledger_index = t["ledger"].get<long long>();
    }
    if (hash.empty()) hash = str(r, "transaction_hash");
    if (a.address == hot && muxed_id) a.address = hot + "-" + std::to_string(*muxed_id);
    a.description = "Stellar " + type + " " + hash;
    out.arrivals.push_back(std::move(a));
  }
  return out;
}

HistoryPage history_of(const Json& page, const std::string& hot, const CurrencyOf& currency_of) {
  HistoryPage out;
  const PaymentsPage in = payments_of(page, hot, currency_of);  // throws on a page without records
  out.records = in.records;
  out.last_token = in.last_token;
  out.unreadable = in.unreadable;
  std::map<std::string, std::int64_t> time_of;  // operation id -> created_at
  for (const auto& r : page["_embedded"]["records"]) {
    auto t = parse_time(str(r, "created_at"));
    if (!t) {
      out.unreadable.push_back("record " + str(r, "paging_token") + ": no created_at");
      continue;
    }
    if (out.oldest == 0 || *t < out.oldest) out.oldest = *t;
    time_of[str(r, "id")] = *t;
    if (str(r, "type") != "payment" || str(r, "from") != hot || str(r, "to") == hot) continue;
    if (!r.contains("transaction_successful") || !r["transaction_successful"].is_boolean() ||
        !r["transaction_successful"].get<bool>())
      continue;
    const std::string amount = str(r, "amount"), currency = currency_of_record(r, currency_of);
    const std::string hash = str(r, "transaction_hash");
    if (currency.empty() || !valid_amount(amount) || hash.empty()) {
      out.unreadable.push_back("operation " + str(r, "id") + ": an outgoing payment that cannot be read");
      continue;
    }
    out.entries.push_back(ExternalEntry{hash, currency, "-" + amount, str(r, "to"),
                                        std::chrono::system_clock::time_point(std::chrono::seconds(*t))});
  }
  for (const auto& a : in.arrivals) {
    auto t = time_of.find(a.external_txid);
    if (t == time_of.end()) continue;  // no time: named above
    out.entries.push_back(ExternalEntry{a.external_txid, a.currency, a.amount, a.address,
                                        std::chrono::system_clock::time_point(std::chrono::seconds(t->second))});
  }
  return out;
}

std::optional<AccountState> account_of(const Json& account, const CurrencyOf& currency_of) {
  if (!account.is_object()) return std::nullopt;
  const std::string seq = str(account, "sequence");
  auto s = parse_u64(seq);
  if (!s || *s > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  AccountState a;
  a.sequence = static_cast<std::int64_t>(*s);
  if (account.contains("balances") && account["balances"].is_array())
    for (const auto& b : account["balances"]) {
      const std::string balance = str(b, "balance");
      std::string currency = currency_of_record(b, currency_of);
      bool ok = !currency.empty();
      try {
        (void)stellar::parse_amount(balance);
      } catch (const std::exception&) {
        ok = false;
      }
      if (ok) a.balances.emplace_back(currency, balance);
    }
  if (account.contains("data") && account["data"].is_object()) a.data = account["data"];
  return a;
}

std::vector<TrustLine> trust_lines_of(const Json& account) {
  std::vector<TrustLine> out;
  if (!account.is_object() || !account.contains("balances") || !account["balances"].is_array()) return out;
  for (const auto& b : account["balances"]) {
    const std::string type = str(b, "asset_type");
    if (type != "credit_alphanum4" && type != "credit_alphanum12") continue;
    TrustLine l{str(b, "asset_code"), str(b, "asset_issuer"), str(b, "balance"), str(b, "limit")};
    if (l.currency.empty() || !stellar::decode_account_id(l.issuer_address)) continue;
    try {
      (void)stellar::parse_amount(l.balance);
      (void)stellar::parse_amount(l.limit);
    } catch (const std::exception&) {
      continue;
    }
    out.push_back(std::move(l));
  }
  return out;
}

bool memo_required(const AccountState& a) {
  return a.data.contains("config.memo_required") && a.data["config.memo_required"].is_string() &&
         a.data["config.memo_required"].get<std::string>() == "MQ==";  // base64 of "1"
}

std::optional<Destination> parse_destination(const std::string& text, std::string& why) {
  Destination d;
  if (text.size() > 100) {
    why = "a Stellar address (G..., M..., or G...-memo id) is at most 100 characters";
    return std::nullopt;
  }
  if (!text.empty() && text[0] == 'M') {
    auto m = stellar::decode_muxed_account(text);
    if (!m || !m->id) {
      why = "not a muxed Stellar address (M..., with a valid checksum)";
      return std::nullopt;
    }
    d.account = stellar::encode_account_id(m->key);
    d.muxed = m->id;
    d.muxed_address = text;
    return d;
  }
  const auto dash = text.find('-');
  const std::string account = text.substr(0, dash);
  if (!stellar::decode_account_id(account)) {
    // The text is not repeated: it may be a secret seed pasted by mistake.
    why = "not a Stellar account (G..., 56 characters with a valid checksum), a muxed address (M...) "
          "or an account and a memo id (G...-12345)";
    return std::nullopt;
  }
  d.account = account;
  if (dash != std::string::npos) {
    d.memo = parse_u64(text.substr(dash + 1));
    if (!d.memo) {
      why = "the memo id after the '-' must be a number from 0 to 18446744073709551615";
      return std::nullopt;
    }
  }
  return d;
}

std::optional<std::int64_t> parse_time(const std::string& iso) {
  int y, mo, d, h, mi, s;
  char z = 0;
  if (iso.size() != 20 || std::sscanf(iso.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z')
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  return static_cast<std::int64_t>(timegm(&tm));
}

ResultCodes result_codes_of(const Json& problem) {
  ResultCodes out;
  if (!problem.is_object() || !problem.contains("extras") || !problem["extras"].is_object()) return out;
  const Json& e = problem["extras"];
  if (!e.contains("result_codes") || !e["result_codes"].is_object()) return out;
  const Json& rc = e["result_codes"];
  out.transaction = str(rc, "transaction");
  if (rc.contains("operations") && rc["operations"].is_array())
    for (const auto& o : rc["operations"])
      if (o.is_string()) out.operations.push_back(o.get<std::string>());
  return out;
}

}  // namespace og::bridges::horizon
