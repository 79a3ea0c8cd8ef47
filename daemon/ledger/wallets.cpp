#include "daemon/ledger/wallets.h"

#include "common/crypto.h"
#include "common/ids.h"
#include "common/json.h"

#include <map>
#include <mutex>

namespace og::ledger {

std::string new_shortcode() {
  static constexpr char kBase32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  auto bytes = crypto::random_bytes(10);
  std::string out;
  for (unsigned char b : bytes) out += kBase32[b & 31];
  return out;
}

std::string create_wallet(pqxx::transaction_base& tx, const std::string& upid, const std::string& name, bool trading,
                          const std::string& market) {
  std::string waid = new_id(IdKind::Waid);
  // The first wallet of a profile is its default. Two concurrent first wallets: the
  // unique index on defaults makes one of them a plain wallet.
  tx.exec_params(
      "INSERT INTO wallets (waid, upid, kind, name, is_default, trading, market, shortcode) "
      "VALUES ($1, $2, 'user', $3, NOT EXISTS (SELECT 1 FROM wallets WHERE upid = $2 AND is_default), $4, "
      "nullif($5, ''), $6)",
      waid, upid, name, trading, market, new_shortcode());
  return waid;
}

namespace {
// A system account's waid never changes once it exists: found once, remembered for the
// process and database. Only a committed row is remembered: one this very transaction
// inserted (its xmin is our transaction id; found again later in the same batch) may still
// be rolled back, and a remembered waid that does not exist would fail every batch after. `kind <> 'user'` lets the partial unique index wallets_system serve the
// lookup in a generic plan (the ledger's connections force those); without it the query
// scanned the wallets table, and a batch of deposits paid that once per deposit.
std::string system_wallet(pqxx::transaction_base& tx, const std::string& kind, const std::string& upid, const std::string& name) {
  static std::mutex mu;
  static std::map<std::string, std::string> known;
  // Per database (tests run many databases in one process).
  auto& c = tx.conn();
  const std::string key = std::string(c.hostname() ? c.hostname() : "") + '\n' + (c.port() ? c.port() : "") +
                          '\n' + (c.dbname() ? c.dbname() : "") + '\n' + kind + '\n' + upid + '\n' + name;
  {
    std::lock_guard lock(mu);
    if (auto it = known.find(key); it != known.end()) return it->second;
  }
  static constexpr const char* kFind =
      "SELECT waid, xmin::text::bigint IS DISTINCT FROM (txid_current_if_assigned() % 4294967296) FROM wallets "
      "WHERE kind <> 'user' AND kind = $1 AND coalesce(upid, '') = $2 AND name = $3";
  auto found = tx.exec_params(kFind, kind, upid, name);
  if (!found.empty()) {
    std::string waid = found[0][0].as<std::string>();
    if (found[0][1].as<bool>()) {
      std::lock_guard lock(mu);
      known.emplace(key, waid);
    }
    return waid;
  }
  std::string waid = new_id(IdKind::Waid);
  tx.exec_params(
      "INSERT INTO wallets (waid, upid, kind, name, shortcode) VALUES ($1, nullif($2, ''), $3, $4, $5) "
      "ON CONFLICT (kind, coalesce(upid, ''), name) WHERE kind <> 'user' DO NOTHING",
      waid, upid, kind, name, new_shortcode());
  return tx.exec_params1(kFind, kind, upid, name)[0].as<std::string>();
}
}  // namespace

std::string issuer_equity_wallet(pqxx::transaction_base& tx, const std::string& issuer_upid) {
  return system_wallet(tx, "issuer_equity", issuer_upid, "equity");
}

std::string bridge_clearing_wallet(pqxx::transaction_base& tx, const std::string& bridge) {
  return system_wallet(tx, "bridge_clearing", "", bridge);
}

std::optional<std::string> default_wallet(pqxx::transaction_base& tx, const std::string& upid) {
  auto r = tx.exec_params("SELECT waid FROM wallets WHERE upid = $1 AND is_default", upid);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

bool WalletDirectory::cached(const std::vector<std::string>& waids, WalletRefs& out) {
  std::lock_guard lock(mu_);
  for (const auto& w : waids) {
    auto it = cache_.find(w);
    if (it == cache_.end()) return false;
    out.emplace(it->first, &it->second);
  }
  return true;
}

void WalletDirectory::get(pqxx::transaction_base& tx, const std::vector<std::string>& waids, WalletRefs& out) {
  Json missing = Json::array();
  {
    std::lock_guard lock(mu_);
    for (const auto& w : waids) {
      if (auto it = cache_.find(w); it != cache_.end()) out.emplace(it->first, &it->second);
      else missing.push_back(w);
    }
  }
  if (missing.empty()) return;
  auto rows = tx.exec_params(
      "SELECT w.waid, coalesce(w.upid, ''), w.kind, coalesce(p.parent_upid, '') "
      "FROM wallets w LEFT JOIN profiles p ON p.upid = w.upid "
      "WHERE w.waid IN (SELECT json_array_elements_text($1::json))",
      missing.dump());
  std::lock_guard lock(mu_);
  for (const auto& r : rows) {
    WalletInfo info{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()};
    auto [it, _] = cache_.emplace(info.waid, std::move(info));  // another batch may have added it meanwhile
    out.emplace(it->first, &it->second);
  }
}

}  // namespace og::ledger
