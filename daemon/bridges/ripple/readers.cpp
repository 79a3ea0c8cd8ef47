#include "daemon/bridges/ripple/readers.h"

#include <chrono>

#include <algorithm>
#include <cstdint>

#include "daemon/bridges/ripple/amounts.h"

namespace og::bridges::ripple {

namespace {
// A string member of an object, or "" (absent, or not a string).
std::string text(const Json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}
// A whole number in 0..2^32-1 (parsed JSON holds positive numbers as unsigned, built JSON
// as signed); anything else (negative, fractional, text, too large) is none.
std::optional<std::uint32_t> uint32_of(const Json& v) {
  if (v.is_number_unsigned() && v.get<std::uint64_t>() <= 0xFFFFFFFFull) return static_cast<std::uint32_t>(v.get<std::uint64_t>());
  if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= 0xFFFFFFFFll)
    return static_cast<std::uint32_t>(v.get<std::int64_t>());
  return std::nullopt;
}

}  // namespace

std::optional<Arrival> arrival_of(const Json& t, const std::string& hot, const CurrencyOf& currency_of) {
  if (!t.is_object() || !t.value("validated", false)) return std::nullopt;
  auto tx_it = t.find("tx"), meta_it = t.find("meta");
  if (tx_it == t.end() || meta_it == t.end() || !tx_it->is_object() || !meta_it->is_object()) return std::nullopt;
  const Json& tx = *tx_it;
  const Json& meta = *meta_it;
  if (text(tx, "TransactionType") != "Payment" || text(tx, "Destination") != hot) return std::nullopt;
  if (text(tx, "Account") == hot) return std::nullopt;
  if (text(meta, "TransactionResult") != "tesSUCCESS") return std::nullopt;
  Arrival a;
  a.external_txid = text(tx, "hash");
  if (a.external_txid.empty()) return std::nullopt;
  a.source_address = text(tx, "Account");
  if (auto l = tx.find("ledger_index"); l != tx.end())
    if (auto n = uint32_of(*l)) a.ledger_index = *n;
  a.address = hot;
  std::string note;
  if (auto tag = tx.find("DestinationTag"); tag != tx.end()) {
    if (auto n = uint32_of(*tag))
      a.address = hot + "-" + std::to_string(*n);
    else
      note = "; its destination tag is not a 32-bit number";
  }
  // What arrived is delivered_amount, never Amount: a partial payment delivers less.
  auto d = meta.find("delivered_amount");
  if (d != meta.end() && d->is_string() && d->get<std::string>() != "unavailable") {
    auto xrp = drops_to_xrp(d->get<std::string>());
    if (!xrp) return std::nullopt;
    a.currency = "XRP";
    a.amount = *xrp;
  } else if (d != meta.end() && d->is_object()) {
    const std::string value = text(*d, "value");
    auto v = value_to_decimal(value);
    a.currency = currency_of(text(*d, "currency"), text(*d, "issuer"));
    // Not a number rippled would write: kept as sent, the ledger refuses it (suspense).
    a.amount = v ? *v : value;
  } else {
    // No delivered_amount (ledgers before 2014): what arrived is not known; an operator decides.
    a.currency = "XRP?";
    a.amount = "0";
    a.description = "delivered amount unavailable";
  }
  if (a.description.empty()) a.description = "XRP Ledger payment from " + a.source_address;
  a.description += note;
  return a;
}

std::optional<ExternalEntry> history_entry_of(const Json& t, const std::string& hot, const CurrencyOf& currency_of) {
  constexpr long long kRippleEpoch = 946684800;  // 2000-01-01T00:00:00Z
  if (!t.is_object() || !t.value("validated", false)) return std::nullopt;
  auto tx_it = t.find("tx"), meta_it = t.find("meta");
  if (tx_it == t.end() || meta_it == t.end() || !tx_it->is_object() || !meta_it->is_object()) return std::nullopt;
  const Json& tx = *tx_it;
  auto date = tx.find("date");
  std::optional<std::uint32_t> seconds = date == tx.end() ? std::nullopt : uint32_of(*date);
  if (!seconds) return std::nullopt;
  const auto at = std::chrono::system_clock::time_point(std::chrono::seconds(kRippleEpoch + *seconds));
  if (auto a = arrival_of(t, hot, currency_of)) {
    if (a->currency == "XRP?" || !value_to_decimal(a->amount)) return std::nullopt;
    return ExternalEntry{a->external_txid, a->currency, a->amount, a->address, at};
  }
  const Json& meta = *meta_it;
  if (text(tx, "TransactionType") != "Payment" || text(tx, "Account") != hot || text(tx, "Destination") == hot)
    return std::nullopt;
  if (text(meta, "TransactionResult") != "tesSUCCESS" || text(tx, "hash").empty()) return std::nullopt;
  ExternalEntry e{text(tx, "hash"), "", "", text(tx, "Destination"), at};
  if (auto tag = tx.find("DestinationTag"); tag != tx.end())
    if (auto n = uint32_of(*tag)) e.address += "-" + std::to_string(*n);
  auto d = meta.find("delivered_amount");
  std::optional<std::string> amount;
  if (d != meta.end() && d->is_string()) {
    amount = drops_to_xrp(d->get<std::string>());
    e.currency = "XRP";
  } else if (d != meta.end() && d->is_object()) {
    amount = value_to_decimal(text(*d, "value"));
    e.currency = currency_of(text(*d, "currency"), text(*d, "issuer"));
  }
  if (!amount || amount->empty() || amount->front() == '-') return std::nullopt;
  e.amount = "-" + *amount;
  return e;
}

std::vector<TrustLine> trust_lines_of(const Json& lines) {
  std::vector<TrustLine> out;
  if (!lines.is_array()) return out;
  for (const auto& l : lines) {
    if (!l.is_object()) continue;
    out.push_back(TrustLine{.currency = text(l, "currency"),
                            .issuer_address = text(l, "account"),
                            .balance = value_to_decimal(text(l, "balance")).value_or("0"),
                            .limit = value_to_decimal(text(l, "limit")).value_or("0")});
  }
  return out;
}

std::optional<long long> fee_drops_of(const Json& fee_result) {
  if (!fee_result.is_object()) return std::nullopt;
  auto d = fee_result.find("drops");
  if (d == fee_result.end() || !d->is_object()) return std::nullopt;
  long long best = 0;
  for (const char* name : {"base_fee", "open_ledger_fee"}) {
    const std::string v = text(*d, name);
    if (v.empty() || v.size() > 18 || v.find_first_not_of("0123456789") != std::string::npos) continue;
    best = std::max(best, std::stoll(v));
  }
  if (best <= 0) return std::nullopt;
  return best;
}

std::vector<Quote> quotes_of(const Json& alternatives, const std::string& fee_xrp, const CurrencyOf& currency_of) {
  std::vector<Quote> out;
  if (!alternatives.is_array()) return out;
  for (const auto& alt : alternatives) {
    if (!alt.is_object()) continue;
    auto src = alt.find("source_amount");
    if (src == alt.end()) continue;
    Quote quote{.source_currency = "", .source_amount = "", .fee = fee_xrp, .fee_currency = "XRP"};
    if (src->is_string()) {
      auto xrp = drops_to_xrp(src->get<std::string>());
      if (!xrp) continue;
      quote.source_currency = "XRP";
      quote.source_amount = *xrp;
    } else if (src->is_object()) {
      auto v = value_to_decimal(text(*src, "value"));
      quote.source_currency = currency_of(text(*src, "currency"), text(*src, "issuer"));
      if (!v || quote.source_currency.find('/') != std::string::npos) continue;  // no ledger currency
      quote.source_amount = *v;
    } else {
      continue;
    }
    out.push_back(std::move(quote));
  }
  return out;
}

}  // namespace og::bridges::ripple
