#include "daemon/bridges/bitcoin/readers.h"

#include <chrono>

#include <cctype>

namespace og::bridges::bitcoin {

namespace {

constexpr long long kCoin = 100000000LL;
constexpr long long kMaxSats = 21000000LL * kCoin;

std::optional<long long> parse_sats(const std::string& text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && text[i] == '-') {
    negative = true;
    ++i;
  }
  const std::size_t int_begin = i;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  const std::size_t int_digits = i - int_begin;
  if (int_digits == 0 || int_digits > 8) return std::nullopt;
  long long whole = 0;
  for (std::size_t k = int_begin; k < i; ++k) whole = whole * 10 + (text[k] - '0');
  long long frac = 0;
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    const std::size_t frac_begin = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
      if (frac_digits < 8) {
        frac = frac * 10 + (text[i] - '0');
        ++frac_digits;
      } else if (text[i] != '0') {
        return std::nullopt;  // finer than a satoshi
      }
      ++i;
    }
    if (i == frac_begin) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;  // an exponent, a sign inside, anything else
  for (int k = frac_digits; k < 8; ++k) frac *= 10;
  if (whole > kMaxSats / kCoin) return std::nullopt;
  const long long sats = whole * kCoin + frac;
  if (sats > kMaxSats) return std::nullopt;
  return negative ? -sats : sats;
}

long long int_of(const Json& j, const char* name, long long otherwise) {
  auto it = j.find(name);
  if (it == j.end() || !it->is_number_integer()) return otherwise;
  return it->get<long long>();
}

std::string str_of(const Json& j, const char* name) {
  auto it = j.find(name);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

std::optional<long long> sats_of(const Json& value) {
  if (value.is_string()) return parse_sats(value.get<std::string>());
  if (value.is_number_integer()) {
    // Whole bitcoins (bitcoind writes 8 decimals, but "1" is the same amount).
    const long long whole = value.is_number_unsigned() ? (value.get<unsigned long long>() > 21000000ULL
                                                              ? kMaxSats + 1
                                                              : static_cast<long long>(value.get<unsigned long long>()))
                                                       : value.get<long long>();
    if (whole > 21000000LL || whole < -21000000LL) return std::nullopt;
    return whole * kCoin;
  }
  return std::nullopt;
}

std::string btc_text(long long sats) {
  const bool negative = sats < 0;
  const unsigned long long a = negative ? 0ULL - static_cast<unsigned long long>(sats) : static_cast<unsigned long long>(sats);
  std::string frac = std::to_string(a % kCoin);
  frac.insert(0, 8 - frac.size(), '0');
  return (negative ? "-" : "") + std::to_string(a / kCoin) + "." + frac;
}

std::optional<std::string> btc_of(const Json& value) {
  auto s = sats_of(value);
  if (!s) return std::nullopt;
  return btc_text(*s);
}

bool valid_txid(const Json& value) {
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  if (s.size() != 64) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c)) && !(c >= 'a' && c <= 'f')) return false;
  return true;
}

std::optional<WalletHistory> history_of(const Json& answer) {
  if (!answer.is_array()) return std::nullopt;
  WalletHistory out;
  for (const auto& e : answer) {
    ++out.records;
    if (!e.is_object()) continue;
    const std::string category = str_of(e, "category");
    if (category != "receive" && category != "send") continue;  // mined coins are no deposit or withdrawal
    if (!e.contains("txid") || !valid_txid(e["txid"])) {
      out.unreadable.push_back("a " + category + " entry without a valid txid");
      continue;
    }
    const std::string txid = e["txid"].get<std::string>();
    const long long time = int_of(e, "time", -1);
    if (time < 0) {
      out.unreadable.push_back(txid + ": no time");
      continue;
    }
    if (out.oldest == 0 || time < out.oldest) out.oldest = time;
    auto c = e.find("confirmations");
    if (c == e.end() || !c->is_number_integer()) {
      out.unreadable.push_back(txid + ": no confirmations");
      continue;
    }
    const long long n = c->get<long long>();
    if (n < 0 || (category == "receive" && n < 1)) continue;  // conflicted, or not in the chain yet
    if (category == "send" && e.contains("abandoned") && e["abandoned"].is_boolean() && e["abandoned"].get<bool>())
      continue;
    auto amount = e.contains("amount") ? btc_of(e["amount"]) : std::nullopt;
    const bool negative = amount && amount->front() == '-';
    if (!amount || *amount == "0.00000000" || negative != (category == "send")) {
      out.unreadable.push_back(txid + ": an amount that is not a " + (category == "send" ? "negative" : "positive") +
                               " number of satoshis");
      continue;
    }
    ExternalEntry x;
    if (category == "receive") {
      const long long vout = int_of(e, "vout", -1);
      if (vout < 0 || vout > 0xffffffffLL) {
        out.unreadable.push_back(txid + ": no output index (vout)");
        continue;
      }
      x.external_txid = txid + ":" + std::to_string(vout);
    } else {
      x.external_txid = txid;
    }
    x.currency = "BTC";
    x.amount = *amount;
    x.address = str_of(e, "address");
    x.at = std::chrono::system_clock::time_point(std::chrono::seconds(time));
    out.entries.push_back(std::move(x));
  }
  return out;
}

std::optional<DepositsSeen> deposits_of(const Json& answer, int confirmations) {
  if (!answer.is_object() || !answer.contains("lastblock") || !valid_txid(answer["lastblock"])) return std::nullopt;
  auto txs = answer.find("transactions");
  if (txs == answer.end() || !txs->is_array()) return std::nullopt;
  DepositsSeen out;
  out.lastblock = answer["lastblock"].get<std::string>();
  std::set<std::string> taken;
  // The key of a receive output, or "" (with a reason recorded) when it cannot be read.
  auto key_of = [&](const Json& e) -> std::string {
    if (!e.is_object() || str_of(e, "category") != "receive") return "";
    if (!e.contains("txid") || !valid_txid(e["txid"])) {
      out.unreadable.push_back("a receive entry without a valid txid");
      return "";
    }
    const long long vout = int_of(e, "vout", -1);
    if (vout < 0 || vout > 0xffffffffLL) {
      out.unreadable.push_back(e["txid"].get<std::string>() + ": no output index (vout)");
      return "";
    }
    return e["txid"].get<std::string>() + ":" + std::to_string(vout);
  };
  for (const auto& e : *txs) {
    const std::string key = key_of(e);
    if (key.empty()) continue;
    auto c = e.find("confirmations");
    if (c == e.end() || !c->is_number_integer()) {
      out.unreadable.push_back(key + ": no confirmations");
      continue;
    }
    const long long n = c->get<long long>();
    if (n < 0) {
      out.conflicted.insert(key);
      continue;
    }
    if (n >= 1) out.confirmed.insert(key);
    if (n < confirmations) {
      out.pending.insert(key);
      continue;
    }
    auto amount = e.contains("amount") ? btc_of(e["amount"]) : std::nullopt;
    if (!amount || amount->front() == '-' || *amount == "0.00000000") {
      out.unreadable.push_back(key + ": the amount is not a positive number of satoshis");
      continue;
    }
    const std::string address = str_of(e, "address");
    if (address.empty()) {
      out.unreadable.push_back(key + ": no address");
      continue;
    }
    if (!taken.insert(key).second) continue;
    Arrival a;
    a.external_txid = key;
    a.address = address;
    a.currency = "BTC";
    a.amount = *amount;
    a.ledger_index = std::max(0LL, int_of(e, "blockheight", 0));
    a.description = "bitcoin " + key;
    out.ready.push_back(std::move(a));
  }
  if (auto removed = answer.find("removed"); removed != answer.end() && removed->is_array())
    for (const auto& e : *removed) {
      const std::string key = key_of(e);
      if (!key.empty()) out.removed.insert(key);
    }
  return out;
}

std::optional<long long> fee_rate_of(const Json& answer) {
  if (!answer.is_object() || !answer.contains("feerate")) return std::nullopt;
  auto per_kvb = sats_of(answer["feerate"]);
  if (!per_kvb || *per_kvb <= 0) return std::nullopt;
  return std::max(1LL, (*per_kvb + 999) / 1000);
}

std::optional<std::string> send_with_comment(const Json& answer, const std::string& comment) {
  const Json* list = &answer;
  if (answer.is_object()) {
    auto it = answer.find("transactions");
    if (it == answer.end()) return std::nullopt;
    list = &*it;
  }
  if (!list->is_array()) return std::nullopt;
  std::optional<std::string> conflicted;
  for (const auto& e : *list) {
    if (!e.is_object() || str_of(e, "category") != "send" || str_of(e, "comment") != comment) continue;
    if (!e.contains("txid") || !valid_txid(e["txid"])) continue;
    if (int_of(e, "confirmations", 0) >= 0) return e["txid"].get<std::string>();
    if (!conflicted) conflicted = e["txid"].get<std::string>();
  }
  return conflicted;
}

std::optional<SendState> send_state_of(const Json& answer, int confirmations) {
  if (!answer.is_object() || !answer.contains("confirmations") || !answer["confirmations"].is_number_integer())
    return std::nullopt;
  SendState s;
  s.confirmations = answer["confirmations"].get<long long>();
  s.comment = str_of(answer, "comment");
  if (answer.contains("fee"))
    if (auto fee = sats_of(answer["fee"])) s.fee = btc_text(*fee < 0 ? -*fee : *fee);
  if (auto c = answer.find("walletconflicts"); c != answer.end() && c->is_array())
    for (const auto& id : *c)
      if (valid_txid(id)) s.conflicts.push_back(id.get<std::string>());
  bool abandoned = false;
  if (auto d = answer.find("details"); d != answer.end() && d->is_array())
    for (const auto& e : *d)
      if (e.is_object())
        if (auto a = e.find("abandoned"); a != e.end() && a->is_boolean() && a->get<bool>()) abandoned = true;
  if (s.confirmations < 0) s.state = SendState::State::Conflicted;
  else if (s.confirmations >= confirmations) s.state = SendState::State::Completed;
  else if (abandoned) s.state = SendState::State::Abandoned;
  return s;
}

std::optional<WalletBalances> balances_of(const Json& answer) {
  if (!answer.is_object() || !answer.contains("mine") || !answer["mine"].is_object()) return std::nullopt;
  const Json& m = answer["mine"];
  WalletBalances b;
  for (auto [name, out] : {std::pair{"trusted", &b.trusted}, {"untrusted_pending", &b.pending}, {"immature", &b.immature}}) {
    if (!m.contains(name)) return std::nullopt;
    auto v = btc_of(m[name]);
    if (!v) return std::nullopt;
    *out = *v;
  }
  return b;
}

}  // namespace og::bridges::bitcoin
