#include "daemon/ledger/currencies.h"

#include "common/json.h"
#include "daemon/store/pool.h"

namespace og::ledger {

const char* const kCurrencyColumns =
    "code, numeric_code, name, type, decimals, display_decimals, crypto, coalesce(issuer_upid, ''), "
    "coalesce(parent_code, ''), coalesce(reference_code, ''), coalesce(bridge, ''), coalesce(issuer_address, ''), "
    "tier, visible, public, enabled, array_to_json(deposit_methods)::text, array_to_json(withdraw_methods)::text";

namespace {
std::vector<std::string> string_list(const std::string& json_text) {
  std::vector<std::string> out;
  for (const auto& v : Json::parse(json_text)) out.push_back(v.get<std::string>());
  return out;
}
}  // namespace

Currency currency_from_row(const pqxx::row& r) {
  Currency c;
  c.code = r[0].as<std::string>();
  c.numeric_code = r[1].as<int>();
  c.name = r[2].as<std::string>();
  c.type = r[3].as<std::string>();
  c.decimals = r[4].as<int>();
  c.display_decimals = r[5].as<int>();
  c.crypto = r[6].as<bool>();
  c.issuer_upid = r[7].as<std::string>();
  c.parent_code = r[8].as<std::string>();
  c.reference_code = r[9].as<std::string>();
  c.bridge = r[10].as<std::string>();
  c.issuer_address = r[11].as<std::string>();
  c.tier = r[12].as<int>();
  c.visible = r[13].as<bool>();
  c.is_public = r[14].as<bool>();
  c.enabled = r[15].as<bool>();
  c.deposit_methods = string_list(r[16].as<std::string>());
  c.withdraw_methods = string_list(r[17].as<std::string>());
  return c;
}

std::string Currency::format(int128 units) const {
  auto a = Amount::from_units(units, decimals);
  return a ? a->to_string() : std::string("?");
}

Currencies::Currencies(store::Pool& pool, std::chrono::milliseconds reload_interval)
    : pool_(pool), reload_interval_(reload_interval) {}

void Currencies::load(pqxx::connection& conn) {
  pqxx::nontransaction tx(conn);
  std::map<std::string, std::shared_ptr<const Currency>> fresh;
  for (const auto& r : tx.exec(std::string("SELECT ") + kCurrencyColumns + " FROM currencies")) {
    auto c = std::make_shared<const Currency>(currency_from_row(r));
    fresh.emplace(c->code, c);
  }
  std::lock_guard lock(mu_);
  by_code_ = std::move(fresh);
  loaded_at_ = std::chrono::steady_clock::now();
}

void Currencies::reload() {
  auto conn = pool_.acquire();
  load(*conn);
}

std::optional<Currency> Currencies::find(const std::string& code) {
  if (auto c = get(code)) return *c;
  return std::nullopt;
}

std::shared_ptr<const Currency> Currencies::get(const std::string& code) {
  {
    std::lock_guard lock(mu_);
    if (auto it = by_code_.find(code); it != by_code_.end()) return it->second;
    if (std::chrono::steady_clock::now() - loaded_at_ < reload_interval_ && loaded_at_.time_since_epoch().count() != 0)
      return nullptr;
  }
  reload();
  std::lock_guard lock(mu_);
  if (auto it = by_code_.find(code); it != by_code_.end()) return it->second;
  return nullptr;
}

std::vector<Currency> Currencies::all() {
  // Lists must show currencies created on other nodes too: reload when stale.
  bool stale;
  {
    std::lock_guard lock(mu_);
    stale = std::chrono::steady_clock::now() - loaded_at_ >= reload_interval_;
  }
  if (stale) reload();
  std::lock_guard lock(mu_);
  std::vector<Currency> out;
  for (const auto& [_, c] : by_code_) out.push_back(*c);
  return out;
}

}  // namespace og::ledger
