#include "daemon/ledger/ledger.h"

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "common/ids.h"
#include "common/json.h"
#include "daemon/ledger/invariants.h"
#include "daemon/ledger/wallets.h"
#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::ledger {

struct Ledger::Item {
  Operation op;
  Actor actor;
  std::optional<IdempotencyKey> key;
  std::function<void(Outcome)> done;

  Outcome outcome;
  bool decided = false;  // outcome known (success or failure) within this batch
  bool replay = false;   // answer from the idempotency store after commit

  void fail(Rc rc, std::string detail) {
    outcome = Outcome{rc, std::move(detail), {}, {}, false};
    decided = true;
  }
};

namespace {

using BalanceKey = std::pair<std::string, std::string>;  // (waid, currency)

struct Balance {
  int128 available = 0;
  int128 held = 0;
  bool may_go_negative = false;
  bool inserted = false;  // created by this batch's lock statement
  int128 available0 = 0, held0 = 0;  // as locked, for the invariant check
  bool changed = false;
};

struct TxRecord {
  std::string txid, type, state, currency, method, description, source, destination, bridge, external_txid,
      external_source, external_destination, initiator;
  int128 amount = 0;
};

struct StateChange {
  std::string txid, state, external_txid, source;
};

// Rows for json_to_recordset, written straight into a string (the hot path's parameters;
// a general JSON library costs several allocations per value here).
class Rows {
 public:
  Rows& row() {
    text_ += count_++ ? ",{" : "{";
    first_ = true;
    return *this;
  }
  Rows& str(const char* key, std::string_view value) {
    name(key);
    text_ += '"';
    for (char c : value) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (u < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        text_ += "\\u00";
        text_ += kHex[u >> 4];
        text_ += kHex[u & 15];
      } else {
        text_ += c;
      }
    }
    text_ += '"';
    return *this;
  }
  Rows& units(const char* key, int128 v) { return str(key, int128_to_string(v)); }
  Rows& boolean(const char* key, bool v) {
    name(key);
    text_ += v ? "true" : "false";
    return *this;
  }
  Rows& integer(const char* key, int v) {
    name(key);
    text_ += std::to_string(v);
    return *this;
  }
  Rows& null(const char* key) {
    name(key);
    text_ += "null";
    return *this;
  }
  Rows& end() {
    text_ += '}';
    return *this;
  }
  bool empty() const { return count_ == 0; }
  std::string text() const { return "[" + text_ + "]"; }

 private:
  void name(const char* key) {
    if (!first_) text_ += ',';
    first_ = false;
    text_ += '"';
    text_ += key;
    text_ += "\":";
  }
  std::string text_;
  std::size_t count_ = 0;
  bool first_ = true;
};

// The hot path's statements, prepared once per committer connection.
constexpr const char* kLockBalances = "ledger_lock_balances";
constexpr const char* kReadBalances = "ledger_read_balances";
constexpr const char* kCreateBalances = "ledger_create_balances";
constexpr const char* kWriteBatch = "ledger_write_batch";

void prepare_statements(pqxx::connection& conn) {
  // A batch touches a few rows of big tables: always by index. (Left to itself the planner
  // guesses 100 rows from json_to_recordset and may hash-join a whole table.)
  {
    pqxx::nontransaction tx(conn);
    tx.exec("SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_seqscan = off");
  }
  // Existing balances, locked in (wallet, currency) order.
  // Balances are locked with transaction-scoped advisory locks, one per (wallet, currency),
  // taken in ascending key order: unlike row locks they cost no WAL and no dirty page, and
  // every writer of balances is this engine, which always takes them first.
  conn.prepare(kLockBalances,
               "SELECT count(pg_advisory_xact_lock(k)) FROM "
               "(SELECT json_array_elements_text($1::json)::bigint AS k ORDER BY 1) keys");
  conn.prepare(kReadBalances,
               "SELECT b.waid, b.currency, b.available::text, b.held::text, b.may_go_negative "
               "FROM json_to_recordset($1::json) AS k(waid text, currency text) "
               "CROSS JOIN LATERAL (SELECT * FROM balances b WHERE b.waid = k.waid AND b.currency = k.currency) b");
  // Missing balances, created under their locks.
  conn.prepare(kCreateBalances,
               "INSERT INTO balances (waid, currency, may_go_negative) "
               "SELECT k.waid, k.currency, k.neg FROM json_to_recordset($1::json) AS k(waid text, currency text, neg boolean) "
               "ON CONFLICT (waid, currency) DO UPDATE SET waid = EXCLUDED.waid "
               "RETURNING waid, currency, available::text, held::text, may_go_negative, (xmax = 0) AS inserted");
  // Everything a batch writes, in one statement.
  conn.prepare(kWriteBatch,
               "WITH "
               "unused AS (DELETE FROM balances b USING json_to_recordset($1::json) AS u(waid text, currency text) "
               "  WHERE b.waid = u.waid AND b.currency = u.currency), "
               "bal AS (UPDATE balances SET available = v.a, held = v.h, may_go_negative = v.neg "
               "  FROM json_to_recordset($2::json) AS v(waid text, currency text, a numeric, h numeric, neg boolean) "
               "  WHERE balances.waid = v.waid AND balances.currency = v.currency), "
               "txs AS (INSERT INTO transactions (txid, type, state, currency, amount, method, description, source_waid, "
               "  destination_waid, bridge, external_txid, external_source_address, external_destination_address, "
               "  initiator, source_balance_after, destination_balance_after, finalized_at) "
               "  SELECT txid, type, state, currency, amount, method, description, nullif(source, ''), "
               "  nullif(destination, ''), nullif(bridge, ''), nullif(ext, ''), nullif(extsrc, ''), nullif(extdst, ''), "
               "  initiator, sa, da, CASE WHEN state = 'Pending' THEN NULL ELSE now() END "
               "  FROM json_to_recordset($3::json) AS t(txid text, type text, state text, currency text, amount numeric, "
               "  method text, description text, source text, destination text, bridge text, ext text, extsrc text, "
               "  extdst text, initiator text, sa numeric, da numeric)), "
               "closes AS (UPDATE transactions SET state = v.state, finalized_at = now(), source_balance_after = v.sa, "
               "  external_txid = coalesce(nullif(v.ext, ''), transactions.external_txid) "
               "  FROM json_to_recordset($4::json) AS v(txid text, state text, ext text, sa numeric) "
               "  WHERE transactions.txid = v.txid), "
               "posts AS (INSERT INTO postings (txid, waid, currency, available_delta, held_delta, available_after, "
               "  held_after) SELECT txid, waid, currency, da, dh, a, h FROM json_to_recordset($5::json) "
               "  AS p(txid text, waid text, currency text, da numeric, dh numeric, a numeric, h numeric)), "
               "keys AS (UPDATE idempotency_keys SET resultcode = v.rc, detail = v.detail, txid = nullif(v.txid, ''), "
               "  waid = nullif(v.waid, '') FROM json_to_recordset($6::json) "
               "  AS v(credential text, key text, rc integer, detail text, txid text, waid text) "
               "  WHERE idempotency_keys.credential = v.credential AND idempotency_keys.key = v.key) "
               "SELECT 1");
}

int128 units_of(const pqxx::field& f) {
  auto v = int128_from_string(f.as<std::string>());
  if (!v) throw std::runtime_error("balance out of range in the database");
  return *v;
}

// Everything one batch needs, built while it runs.
class Batch {
 public:
  Batch(pqxx::work& tx, Currencies& currencies, WalletDirectory& wallets, const std::vector<std::shared_ptr<Ledger::Item>>& items)
      : tx_(tx), currencies_(currencies), wallets_(wallets), items_(items) {}

  std::vector<Ledger::Posting> postings;  // in order, for the invariant check
  std::vector<std::string> posting_txids;

  void claim_idempotency_keys();
  void prepare();  // static checks, wallet facts, system accounts, transaction locks
  void lock_balances();
  void apply();
  void check_invariants(const std::function<void(std::vector<Ledger::Posting>&)>& tamper);
  void write();

 private:
  std::optional<Currency> currency_of(Ledger::Item& item, const std::string& code);
  std::optional<int128> amount_of(Ledger::Item& item, const Currency& c, const std::string& text);
  bool may_spend_from(const Actor& actor, const WalletInfo& w) const;
  Balance& balance(const std::string& waid, const std::string& currency) { return balances_.at({waid, currency}); }
  void post(const std::string& txid, const std::string& waid, const std::string& currency, int128 da, int128 dh);
  bool available_after(Ledger::Item& item, const Balance& b, int128 amount, bool negative_allowed, const std::string& code);

  pqxx::work& tx_;
  Currencies& currencies_;
  WalletDirectory& wallets_;
  const std::vector<std::shared_ptr<Ledger::Item>>& items_;

  std::unordered_map<std::string, WalletInfo> info_;
  std::map<BalanceKey, Balance> balances_;
  std::map<BalanceKey, bool> wanted_;  // balances to lock -> created as a system account
  // Per item (same index): resolved wallets and parsed amounts.
  struct Plan {
    std::string source, destination;  // wallets moved from / to
    Currency currency;
    int128 amount = 0;
    std::string clearing;  // bridge clearing or issuer equity wallet
    std::string locked_txid_state;  // CloseWithdraw: the pending transaction's fields
    std::string close_source;
    int128 close_amount = 0;
    std::string close_currency;
    std::optional<std::size_t> same_deposit_as;  // the same external deposit earlier in the batch
  };
  std::vector<Plan> plans_;
  std::map<std::string, std::size_t> deposits_by_external_;  // bridge/external id -> first item
  std::vector<TxRecord> records_;
  std::vector<StateChange> state_changes_;
};

std::optional<Currency> Batch::currency_of(Ledger::Item& item, const std::string& code) {
  auto c = currencies_.find(code);
  if (!c) {
    item.fail(Rc::BadValue, "currency " + code + " does not exist on this platform");
    return std::nullopt;
  }
  if (!c->enabled) {
    item.fail(Rc::BadValue, "currency " + code + " is disabled");
    return std::nullopt;
  }
  return c;
}

std::optional<int128> Batch::amount_of(Ledger::Item& item, const Currency& c, const std::string& text) {
  auto a = c.parse(text);
  if (!a) {
    std::string why = a.error == AmountError::TooPrecise
                          ? "amount has more decimals than " + c.code + " allows (" + std::to_string(c.decimals) + ")"
                          : "amount: " + std::string(to_string(a.error));
    item.fail(Rc::BadValue, why);
    return std::nullopt;
  }
  if (a->units() <= 0) {
    item.fail(Rc::BadValue, "amount must be greater than zero");
    return std::nullopt;
  }
  return a->units();
}

bool Batch::may_spend_from(const Actor& actor, const WalletInfo& w) const {
  if (w.system()) return false;
  if (actor.superuser) return true;
  if (w.upid == actor.upid) return true;
  return actor.charge_child && !w.parent_upid.empty() && w.parent_upid == actor.upid;
}

void Batch::claim_idempotency_keys() {
  Json keys = Json::array();
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& item : items_) {
    if (!item->key) continue;
    auto k = std::make_pair(item->actor.credential, item->key->key);
    if (!seen.insert(k).second) {
      item->replay = true;  // the same key twice in one batch: the first one runs
      continue;
    }
    keys.push_back(Json{{"credential", k.first}, {"key", k.second}, {"hash", item->key->request_hash}});
  }
  if (keys.empty()) return;
  auto rows = tx_.exec_params(
      "INSERT INTO idempotency_keys (credential, key, request_hash, resultcode) "
      "SELECT credential, key, hash, 0 FROM json_to_recordset($1::json) AS k(credential text, key text, hash text) "
      "ORDER BY credential, key ON CONFLICT DO NOTHING RETURNING credential, key",
      keys.dump());
  std::set<std::pair<std::string, std::string>> claimed;
  for (const auto& r : rows) claimed.emplace(r[0].as<std::string>(), r[1].as<std::string>());
  for (const auto& item : items_) {
    if (!item->key || item->replay) continue;
    if (!claimed.count({item->actor.credential, item->key->key})) item->replay = true;  // answered before
  }
}

void Batch::prepare() {
  plans_.assign(items_.size(), Plan{});
  // Wallet facts for every wallet named, and default wallets where none is named.
  std::vector<std::string> waids;
  for (const auto& item : items_) {
    if (item->replay) continue;
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, Transfer>) {
            waids.push_back(op.source_waid);
            waids.push_back(op.destination_waid);
          } else if constexpr (std::is_same_v<T, Withdraw> || std::is_same_v<T, Deposit>) {
            if (!op.waid.empty()) waids.push_back(op.waid);
          }
        },
        item->op);
  }
  info_ = wallets_.get(tx_, waids);
  auto wallet = [&](Ledger::Item& item, const std::string& waid, const char* param) -> const WalletInfo* {
    auto it = info_.find(waid);
    if (it == info_.end() || it->second.system()) {
      item.fail(Rc::NotFound, std::string(param) + " " + waid + " does not exist");
      return nullptr;
    }
    return &it->second;
  };

  // Pending withdrawals to close: lock their rows first, in txid order.
  Json close_ids = Json::array();
  for (const auto& item : items_)
    if (!item->replay)
      if (auto* c = std::get_if<CloseWithdraw>(&item->op)) close_ids.push_back(c->txid);
  std::map<std::string, pqxx::row> pending;
  if (!close_ids.empty()) {
    for (const auto& r : tx_.exec_params(
             "SELECT txid, type, state, method, coalesce(source_waid, ''), currency, amount::text, coalesce(bridge, '') "
             "FROM transactions WHERE txid IN (SELECT json_array_elements_text($1::json)) ORDER BY txid FOR UPDATE",
             close_ids.dump()))
      pending.emplace(r[0].as<std::string>(), r);
  }

  // Deposits already recorded (the same external transaction reported twice).
  Json externals = Json::array();
  for (const auto& item : items_)
    if (!item->replay)
      if (auto* d = std::get_if<Deposit>(&item->op)) externals.push_back(Json{{"bridge", d->bridge}, {"id", d->external_txid}});
  std::map<std::pair<std::string, std::string>, pqxx::row> recorded;
  if (!externals.empty()) {
    for (const auto& r : tx_.exec_params(
             "SELECT t.bridge, t.external_txid, t.txid, coalesce(t.destination_waid, ''), t.currency, t.amount::text "
             "FROM transactions t JOIN json_to_recordset($1::json) AS e(bridge text, id text) "
             "ON t.bridge = e.bridge AND t.external_txid = e.id WHERE t.type = 'deposit'",
             externals.dump()))
      recorded.emplace(std::make_pair(r[0].as<std::string>(), r[1].as<std::string>()), r);
  }

  for (std::size_t i = 0; i < items_.size(); ++i) {
    Ledger::Item& item = *items_[i];
    if (item.replay) continue;
    Plan& plan = plans_[i];
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, Transfer>) {
            if (op.source_waid == op.destination_waid)
              return item.fail(Rc::BadValue, "sourcewaid and destinationwaid are the same wallet");
            const WalletInfo* src = wallet(item, op.source_waid, "sourcewaid");
            if (!src) return;
            const WalletInfo* dst = wallet(item, op.destination_waid, "destinationwaid");
            if (!dst) return;
            if (!may_spend_from(item.actor, *src))
              return item.fail(Rc::Forbidden, "sourcewaid " + op.source_waid + " is not a wallet of your profile");
            auto c = currency_of(item, op.currency);
            if (!c) return;
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            plan.source = op.source_waid;
            plan.destination = op.destination_waid;
            plan.currency = *c;
            plan.amount = *amount;
            wanted_[{plan.source, c->code}] = false;
            wanted_[{plan.destination, c->code}] = false;
          } else if constexpr (std::is_same_v<T, Withdraw>) {
            std::string waid = op.waid;
            if (waid.empty()) {
              auto d = default_wallet(tx_, item.actor.upid);
              if (!d) return item.fail(Rc::NotFound, "your profile has no default wallet; name one with waid");
              waid = *d;
              auto more = wallets_.get(tx_, {waid});
              info_.insert(more.begin(), more.end());
            }
            const WalletInfo* src = wallet(item, waid, "waid");
            if (!src) return;
            if (!may_spend_from(item.actor, *src))
              return item.fail(Rc::Forbidden, "waid " + waid + " is not a wallet of your profile");
            auto c = currency_of(item, op.currency);
            if (!c) return;
            if (std::find(c->withdraw_methods.begin(), c->withdraw_methods.end(), op.method) == c->withdraw_methods.end())
              return item.fail(Rc::NotAvailable, "no " + op.method + " bridge can withdraw " + c->code + " on this platform");
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            plan.source = waid;
            plan.currency = *c;
            plan.amount = *amount;
            wanted_[{waid, c->code}] = false;
          } else if constexpr (std::is_same_v<T, Deposit>) {
            const WalletInfo* dst = wallet(item, op.waid, "waid");
            if (!dst) return;
            auto c = currency_of(item, op.currency);
            if (!c) return;
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            auto ext = std::make_pair(op.bridge, op.external_txid);
            if (auto it = recorded.find(ext); it != recorded.end()) {
              const pqxx::row& r = it->second;
              bool same = r[3].as<std::string>() == op.waid && r[4].as<std::string>() == c->code &&
                          int128_from_string(r[5].as<std::string>()) == *amount;
              if (!same)
                return item.fail(Rc::AlreadyExists, "externaltransactionid " + op.external_txid +
                                                        " was recorded with another wallet, currency or amount");
              item.outcome = Outcome{Rc::Ok, {}, r[2].as<std::string>(), op.waid, true};
              item.decided = true;
              return;
            }
            if (auto [it, first] = deposits_by_external_.emplace(op.bridge + "\n" + op.external_txid, i); !first) {
              plan.same_deposit_as = it->second;  // answered with the first one's outcome
              return;
            }
            plan.destination = op.waid;
            plan.currency = *c;
            plan.amount = *amount;
            plan.clearing = bridge_clearing_wallet(tx_, op.bridge);
            wanted_[{op.waid, c->code}] = false;
            wanted_[{plan.clearing, c->code}] = true;
          } else if constexpr (std::is_same_v<T, Issue>) {
            auto c = currency_of(item, op.currency);
            if (!c) return;
            if (c->type == "base" || c->issuer_upid.empty())
              return item.fail(Rc::Forbidden, c->code + " is a base currency: it cannot be issued");
            if (c->issuer_upid != item.actor.upid && !item.actor.superuser)
              return item.fail(Rc::Forbidden, "only the issuer of " + c->code + " can issue it");
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            auto d = default_wallet(tx_, c->issuer_upid);
            std::string dest = d ? *d : create_wallet(tx_, c->issuer_upid, "Main", false, "");
            plan.destination = dest;
            plan.currency = *c;
            plan.amount = *amount;
            plan.clearing = issuer_equity_wallet(tx_, c->issuer_upid);
            wanted_[{dest, c->code}] = false;
            wanted_[{plan.clearing, c->code}] = true;
          } else if constexpr (std::is_same_v<T, CloseWithdraw>) {
            auto it = pending.find(op.txid);
            if (it == pending.end()) return item.fail(Rc::NotFound, "transaction " + op.txid + " does not exist");
            const pqxx::row& r = it->second;
            if (r[1].as<std::string>() != "withdraw" || r[3].as<std::string>() != op.bridge)
              return item.fail(Rc::NotFound, "transaction " + op.txid + " is not a " + op.bridge + " withdrawal");
            if (r[2].as<std::string>() != "Pending")
              return item.fail(Rc::NotPending, "transaction " + op.txid + " is " + r[2].as<std::string>() +
                                                   ", not Pending: it was closed already");
            plan.close_source = r[4].as<std::string>();
            plan.close_currency = r[5].as<std::string>();
            plan.close_amount = *int128_from_string(r[6].as<std::string>());
            wanted_[{plan.close_source, plan.close_currency}] = false;
            if (op.completed) {
              plan.clearing = bridge_clearing_wallet(tx_, op.bridge);
              wanted_[{plan.clearing, plan.close_currency}] = true;
            }
          }
        },
        item.op);
  }
}

// The advisory lock key of a balance: 63 bits of FNV-1a over "waid/currency".
std::int64_t balance_lock_key(const std::string& waid, const std::string& currency) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(waid);
  mix("/");
  mix(currency);
  return static_cast<std::int64_t>(h & 0x7fffffffffffffffull);
}

void Batch::lock_balances() {
  if (wanted_.empty()) return;
  std::set<std::int64_t> lock_keys;
  Rows keys;
  for (const auto& [k, system] : wanted_) {
    lock_keys.insert(balance_lock_key(k.first, k.second));
    keys.row().str("waid", k.first).str("currency", k.second).end();
  }
  std::string ordered = "[";
  for (auto k : lock_keys) ordered += (ordered.size() > 1 ? ",\"" : "\"") + std::to_string(k) + "\"";
  ordered += "]";
  tx_.exec_prepared(kLockBalances, ordered);
  for (const auto& r : tx_.exec_prepared(kReadBalances, keys.text())) {
    Balance b;
    b.available = b.available0 = units_of(r[2]);
    b.held = b.held0 = units_of(r[3]);
    b.may_go_negative = r[4].as<bool>();
    balances_.emplace(BalanceKey{r[0].as<std::string>(), r[1].as<std::string>()}, b);
  }
  if (balances_.size() == wanted_.size()) return;
  Rows missing;
  for (const auto& [k, system] : wanted_)
    if (!balances_.count(k)) missing.row().str("waid", k.first).str("currency", k.second).boolean("neg", system).end();
  for (const auto& r : tx_.exec_prepared(kCreateBalances, missing.text())) {
    Balance b;
    b.available = b.available0 = units_of(r[2]);
    b.held = b.held0 = units_of(r[3]);
    b.may_go_negative = r[4].as<bool>();
    b.inserted = r[5].as<bool>();
    balances_.emplace(BalanceKey{r[0].as<std::string>(), r[1].as<std::string>()}, b);
  }
}

void Batch::post(const std::string& txid, const std::string& waid, const std::string& currency, int128 da, int128 dh) {
  Balance& b = balance(waid, currency);
  if (__builtin_add_overflow(b.available, da, &b.available) || __builtin_add_overflow(b.held, dh, &b.held))
    throw InvariantViolation("balance overflow on " + waid);
  b.changed = true;
  postings.push_back({waid, currency, da, dh});
  posting_txids.push_back(txid);
}

bool Batch::available_after(Ledger::Item& item, const Balance& b, int128 amount, bool negative_allowed,
                            const std::string& code) {
  int128 after;
  if (__builtin_sub_overflow(b.available, amount, &after)) {
    item.fail(Rc::BadValue, "amount too large");
    return false;
  }
  // A user balance goes below zero only for a caller with the right negativewallet.
  if (after < 0 && !negative_allowed) {
    item.fail(Rc::InsufficientFunds, "available " + code + " balance is lower than the amount");
    return false;
  }
  return true;
}

void Batch::apply() {
  for (std::size_t i = 0; i < items_.size(); ++i) {
    Ledger::Item& item = *items_[i];
    if (item.replay || item.decided || plans_[i].same_deposit_as) continue;
    Plan& plan = plans_[i];
    const std::string initiator = item.actor.credential;
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          const std::string txid = new_id(IdKind::Txid);
          if constexpr (std::is_same_v<T, Transfer>) {
            Balance& src = balance(plan.source, plan.currency.code);
            Balance& dst = balance(plan.destination, plan.currency.code);
            if (!available_after(item, src, plan.amount, item.actor.negative_wallet, plan.currency.code)) return;
            int128 sum;
            if (__builtin_add_overflow(dst.available, plan.amount, &sum))
              return item.fail(Rc::BadValue, "amount too large for the destination wallet");
            if (src.available - plan.amount < 0) src.may_go_negative = true;  // allowed by negativewallet
            post(txid, plan.source, plan.currency.code, -plan.amount, 0);
            post(txid, plan.destination, plan.currency.code, plan.amount, 0);
            records_.push_back({txid, "transfer", "Completed", plan.currency.code, "internal",
                                op.description.empty() ? "Transfer" : op.description, plan.source, plan.destination, "",
                                "", "", "", initiator, plan.amount});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.source, false};
          } else if constexpr (std::is_same_v<T, Withdraw>) {
            Balance& src = balance(plan.source, plan.currency.code);
            if (!available_after(item, src, plan.amount, item.actor.negative_wallet, plan.currency.code)) return;
            if (src.available - plan.amount < 0) src.may_go_negative = true;
            post(txid, plan.source, plan.currency.code, -plan.amount, plan.amount);  // available -> held
            records_.push_back({txid, "withdraw", "Pending", plan.currency.code, op.method,
                                op.description.empty() ? "Withdrawal" : op.description, plan.source, "", op.method, "",
                                "", op.destination_address, initiator, plan.amount});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.source, false};
          } else if constexpr (std::is_same_v<T, Deposit>) {
            Balance& dst = balance(plan.destination, plan.currency.code);
            int128 sum;
            if (__builtin_add_overflow(dst.available, plan.amount, &sum))
              return item.fail(Rc::BadValue, "amount too large for the wallet");
            post(txid, plan.clearing, plan.currency.code, -plan.amount, 0);
            post(txid, plan.destination, plan.currency.code, plan.amount, 0);
            records_.push_back({txid, "deposit", "Completed", plan.currency.code, op.bridge,
                                op.description.empty() ? "Deposit" : op.description, "", plan.destination, op.bridge,
                                op.external_txid, op.external_source_address, "", initiator, plan.amount});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.destination, false};
          } else if constexpr (std::is_same_v<T, Issue>) {
            Balance& dst = balance(plan.destination, plan.currency.code);
            int128 sum;
            if (__builtin_add_overflow(dst.available, plan.amount, &sum))
              return item.fail(Rc::BadValue, "amount too large for the wallet");
            post(txid, plan.clearing, plan.currency.code, -plan.amount, 0);
            post(txid, plan.destination, plan.currency.code, plan.amount, 0);
            records_.push_back({txid, "issue", "Completed", plan.currency.code, "internal", "Issue", "",
                                plan.destination, "", "", "", "", initiator, plan.amount});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.destination, false};
          } else if constexpr (std::is_same_v<T, CloseWithdraw>) {
            // The pending withdrawal's own txid carries the closing postings.
            const std::string& pending = op.txid;
            if (op.completed) {
              post(pending, plan.close_source, plan.close_currency, 0, -plan.close_amount);   // held leaves
              post(pending, plan.clearing, plan.close_currency, plan.close_amount, 0);       // to the bridge
            } else {
              post(pending, plan.close_source, plan.close_currency, plan.close_amount, -plan.close_amount);
            }
            state_changes_.push_back({pending, op.completed ? "Completed" : "Failed", op.external_txid, plan.close_source});
            item.outcome = Outcome{Rc::Ok, {}, pending, plan.close_source, false};
          }
          item.decided = true;
        },
        item.op);
  }
  // Deposits reported twice in one batch: the first one's transaction answers both.
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (!plans_[i].same_deposit_as) continue;
    Ledger::Item& item = *items_[i];
    const auto& first = *items_[*plans_[i].same_deposit_as];
    const auto& a = std::get<Deposit>(item.op);
    const auto& b = std::get<Deposit>(first.op);
    if (a.waid != b.waid || a.currency != b.currency || a.amount != b.amount) {
      item.fail(Rc::AlreadyExists, "externaltransactionid " + a.external_txid +
                                       " was recorded with another wallet, currency or amount");
      continue;
    }
    item.outcome = first.outcome;
    item.outcome.replayed = first.outcome.rc == Rc::Ok;
    item.decided = true;
  }
}

void Batch::check_invariants(const std::function<void(std::vector<Ledger::Posting>&)>& tamper) {
  if (tamper) tamper(postings);
  std::vector<InvariantInput::Balance> changed;
  for (const auto& [k, b] : balances_)
    if (b.changed) changed.push_back({k.first, k.second, b.available0, b.held0, b.available, b.held, b.may_go_negative});
  InvariantInput in;
  for (std::size_t i = 0; i < postings.size(); ++i)
    in.postings.push_back({posting_txids[i], postings[i].waid, postings[i].currency, postings[i].available_delta,
                           postings[i].held_delta});
  in.balances = std::move(changed);
  if (auto violation = check(in)) throw InvariantViolation(*violation);
}

void Batch::write() {
  // Rows the lock statement created for operations that then failed: a refused operation
  // leaves nothing behind, not even an empty balance.
  Rows unused, bal;
  for (const auto& [k, b] : balances_) {
    if (b.inserted && !b.changed) unused.row().str("waid", k.first).str("currency", k.second).end();
    if (b.changed)
      bal.row()
          .str("waid", k.first)
          .str("currency", k.second)
          .units("a", b.available)
          .units("h", b.held)
          .boolean("neg", b.may_go_negative)
          .end();
  }

  // Each posting records the balance it left: replay the deltas from the locked values.
  // The last one per transaction and wallet is the transaction's "balance after".
  Rows posts;
  std::map<BalanceKey, std::pair<int128, int128>> running;
  std::map<BalanceKey, int128> total_after;  // (txid, waid) -> available + held
  for (const auto& [k, b] : balances_) running[k] = {b.available0, b.held0};
  for (std::size_t i = 0; i < postings.size(); ++i) {
    const auto& p = postings[i];
    auto& r = running[{p.waid, p.currency}];
    r.first += p.available_delta;
    r.second += p.held_delta;
    total_after[{posting_txids[i], p.waid}] = r.first + r.second;
    posts.row()
        .str("txid", posting_txids[i])
        .str("waid", p.waid)
        .str("currency", p.currency)
        .units("da", p.available_delta)
        .units("dh", p.held_delta)
        .units("a", r.first)
        .units("h", r.second)
        .end();
  }
  auto after = [&](Rows& rows, const char* key, const std::string& txid, const std::string& waid) {
    auto it = total_after.find({txid, waid});
    if (it == total_after.end()) rows.null(key);
    else rows.units(key, it->second);
  };

  Rows txs;
  for (const auto& t : records_) {
    txs.row()
        .str("txid", t.txid)
        .str("type", t.type)
        .str("state", t.state)
        .str("currency", t.currency)
        .units("amount", t.amount)
        .str("method", t.method)
        .str("description", t.description)
        .str("source", t.source)
        .str("destination", t.destination)
        .str("bridge", t.bridge)
        .str("ext", t.external_txid)
        .str("extsrc", t.external_source)
        .str("extdst", t.external_destination)
        .str("initiator", t.initiator);
    after(txs, "sa", t.txid, t.source);
    after(txs, "da", t.txid, t.destination);
    txs.end();
  }

  Rows changes;
  for (const auto& c : state_changes_) {
    changes.row().str("txid", c.txid).str("state", c.state).str("ext", c.external_txid);
    after(changes, "sa", c.txid, c.source);
    changes.end();
  }

  Rows outcomes;
  for (const auto& item : items_)
    if (item->key && !item->replay)
      outcomes.row()
          .str("credential", item->actor.credential)
          .str("key", item->key->key)
          .integer("rc", code(item->outcome.rc))
          .str("detail", item->outcome.detail)
          .str("txid", item->outcome.txid)
          .str("waid", item->outcome.waid)
          .end();

  tx_.exec_prepared(kWriteBatch, unused.text(), bal.text(), txs.text(), changes.text(), posts.text(), outcomes.text());
}

// After commit: the answer stored for a key used before (or by a batch-mate).
Outcome replay(pqxx::connection& conn, const Ledger::Item& item) {
  pqxx::nontransaction tx(conn);
  auto r = tx.exec_params(
      "SELECT request_hash, resultcode, detail, coalesce(txid, ''), coalesce(waid, '') FROM idempotency_keys "
      "WHERE credential = $1 AND key = $2",
      item.actor.credential, item.key->key);
  if (r.empty()) return Outcome{Rc::IdempotencyInProgress, "retry with the same Idempotency-Key", {}, {}, false};
  if (r[0][0].as<std::string>() != item.key->request_hash)
    return Outcome{Rc::IdempotencyKeyReused, "the key was used for another request", {}, {}, false};
  int rc = r[0][1].as<int>();
  if (rc == 0) return Outcome{Rc::IdempotencyInProgress, "retry with the same Idempotency-Key", {}, {}, false};
  const ResultCodeInfo* info = find_result_code(rc);
  return Outcome{info ? info->rc : Rc::SystemError, r[0][2].as<std::string>(), r[0][3].as<std::string>(),
                 r[0][4].as<std::string>(), true};
}

}  // namespace

Ledger::Ledger(std::string conninfo, store::Pool& pool, LedgerOptions options)
    : conninfo_(std::move(conninfo)), currencies_(pool), options_(options) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.committers); ++i)
    committers_.emplace_back([this] { committer_loop(); });
}

Ledger::~Ledger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : committers_) t.join();
}

void Ledger::submit(Operation op, Actor actor, std::optional<IdempotencyKey> key, std::function<void(Outcome)> done) {
  auto item = std::make_shared<Item>();
  item->op = std::move(op);
  item->actor = std::move(actor);
  item->key = std::move(key);
  item->done = std::move(done);
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      item->done(Outcome{Rc::Maintenance, "the ledger is stopping", {}, {}, false});
      return;
    }
    queue_.push_back(std::move(item));
  }
  cv_.notify_one();
}

Outcome Ledger::execute(Operation op, Actor actor, std::optional<IdempotencyKey> key) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  submit(std::move(op), std::move(actor), std::move(key), [promise](Outcome o) { promise->set_value(std::move(o)); });
  return future.get();
}

namespace {
thread_local std::unique_ptr<pqxx::connection> t_conn;
WalletDirectory& directory() {
  static WalletDirectory d;
  return d;
}
}  // namespace

void Ledger::committer_loop() {
  for (;;) {
    std::vector<std::shared_ptr<Item>> batch;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) break;  // stopping and drained
      while (!queue_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch, batch.size() == 1);
    if (options_.deliver) {
      options_.deliver([batch = std::move(batch)] {
        for (auto& item : batch) item->done(item->outcome);
      });
    } else {
      for (auto& item : batch) item->done(item->outcome);
    }
  }
  t_conn.reset();
}

void Ledger::run_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone) {
  auto reset = [&] {
    for (auto& item : batch) {
      item->outcome = Outcome{};
      item->decided = item->replay = false;
    }
  };
  for (int attempt = 1;; ++attempt) {
    try {
      if (!t_conn || !t_conn->is_open()) {
        t_conn = std::make_unique<pqxx::connection>(conninfo_);
        prepare_statements(*t_conn);
      }
      {
        pqxx::work tx(*t_conn);
        Batch b(tx, currencies_, directory(), batch);
        b.claim_idempotency_keys();
        b.prepare();
        b.lock_balances();
        b.apply();
        b.check_invariants(tamper_for_tests);
        b.write();
        tx.commit();
      }
      for (auto& item : batch)
        if (item->replay) item->outcome = replay(*t_conn, *item);
      return;
    } catch (const pqxx::transaction_rollback& e) {
      // A deadlock or serialization failure rolled everything back: try the batch again.
      // (Rare: the global lock order leaves only the race of two batches creating the
      // same missing balance row.)
      if (attempt < 3) {
        log::warn("ledger batch retried", {{"error", e.what()}, {"attempt", attempt}});
        reset();
        continue;
      }
      fail_batch(batch, alone, e);
      return;
    } catch (const std::exception& e) {
      fail_batch(batch, alone, e);
      return;
    }
  }
}

void Ledger::fail_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone, const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e)) t_conn.reset();
  bool in_doubt = dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
  if (!alone && !in_doubt) {
    // One bad operation must not fail its batch-mates: run each on its own.
    for (auto& item : batch) {
      std::vector<std::shared_ptr<Item>> single{item};
      item->outcome = Outcome{};
      item->decided = item->replay = false;
      run_batch(single, true);
    }
    return;
  }
  bool invariant = dynamic_cast<const InvariantViolation*>(&e) != nullptr;
  log::error(invariant ? "ledger invariant violated: transaction vetoed" : "ledger batch failed",
             {{"error", e.what()}, {"operations", batch.size()}, {"in_doubt", in_doubt}});
  for (auto& item : batch)
    item->outcome = Outcome{Rc::SystemError,
                            in_doubt ? "the outcome is unknown: check the transaction list, or retry with the same "
                                       "Idempotency-Key"
                                     : (invariant ? "the ledger refused the transaction (invariant check)" : ""),
                            {}, {}, false};
}

}  // namespace og::ledger
