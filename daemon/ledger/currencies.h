#pragma once
// The currencies of the platform, cached in memory. Base currencies come from a migration;
// extended and bridge currencies are created at run time, possibly on another node, so a
// miss reloads the table (at most every `reload_interval`).

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "common/amount.h"

namespace og::store {
class Pool;
}

namespace og::ledger {

struct Currency {
  std::string code;          // "CAD", "CAD.starbucks", "USD.starbucks.ripple"
  int numeric_code = 0;      // ISO 4217 numeric, 1001+ crypto, 100000+ ours
  std::string name;
  std::string type;          // base, extended, bridge
  int decimals = 2;          // accounting precision: amounts with more are refused
  int display_decimals = 2;
  bool crypto = false;
  std::string issuer_upid;   // extended and bridge
  std::string parent_code;
  std::string reference_code;
  std::string bridge;
  std::string issuer_address;
  int tier = 1;
  bool visible = true;
  bool is_public = true;
  bool enabled = true;
  std::vector<std::string> deposit_methods;
  std::vector<std::string> withdraw_methods;

  // Parses an amount of this currency (positive unless allow_zero_or_negative).
  AmountResult<Amount> parse(std::string_view text) const { return Amount::parse(text, decimals); }
  std::string format(int128 units) const;
};

class Currencies {
 public:
  explicit Currencies(store::Pool& pool, std::chrono::milliseconds reload_interval = std::chrono::seconds(1));
  // The currency, reloading the table once if it is unknown here.
  std::optional<Currency> find(const std::string& code);
  // The same without a copy (the ledger's hot path): the entry stays valid after a reload.
  std::shared_ptr<const Currency> get(const std::string& code);
  std::vector<Currency> all();
  void reload();

 private:
  void load(pqxx::connection& conn);
  store::Pool& pool_;
  std::chrono::milliseconds reload_interval_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<const Currency>> by_code_;
  std::chrono::steady_clock::time_point loaded_at_{};
};

// Reads currency rows (SELECT kCurrencyColumns FROM currencies ...).
extern const char* const kCurrencyColumns;
Currency currency_from_row(const pqxx::row& r);

}  // namespace og::ledger
