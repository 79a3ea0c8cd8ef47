#include "daemon/ledger/batch.h"

#include <set>
#include <utility>

#include "common/json.h"
#include "daemon/ledger/invariants.h"
#include "daemon/ledger/sql.h"

namespace og::ledger::engine {

thread_local bool t_conn_reset_needed = false;

std::shared_ptr<const Currency> Batch::currency_of(Ledger::Item& item, const std::string& code) {
  auto c = currencies_.get(code);
  if (!c) {
    item.fail(Rc::BadValue, "currency " + code + " does not exist on this platform");
    return nullptr;
  }
  if (!c->enabled) {
    item.fail(Rc::BadValue, "currency " + code + " is disabled");
    return nullptr;
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

// A wallet of the caller's own profile (or a child's) it may not spend from is refused
// (10122); any other
// is answered exactly like a wallet that does not exist (the `wallet` lookup's answer), so
// that nobody learns which wallet ids exist by trying them.
void Batch::refuse_spending(Ledger::Item& item, const WalletInfo& w, const std::string& waid, const char* param) const {
  if (!w.system() && (w.upid == item.actor.upid || (!w.parent_upid.empty() && w.parent_upid == item.actor.upid)))
    return item.fail(Rc::Forbidden, std::string(param) + " " + waid + " is a wallet you may not spend from");
  item.fail(Rc::NotFound, std::string(param) + " " + waid + " does not exist");
}

bool Batch::may_spend_from(const Actor& actor, const WalletInfo& w) const {
  if (w.system()) return false;
  if (actor.superuser) return true;
  if (w.upid == actor.upid) return true;
  return actor.charge_child && !w.parent_upid.empty() && w.parent_upid == actor.upid;
}

const WalletInfo* Batch::wallet(Ledger::Item& item, const std::string& waid, const char* param) {
  auto it = info_.find(waid);
  if (it == info_.end() || it->second->system()) {
    item.fail(Rc::NotFound, std::string(param) + " " + waid + " does not exist");
    return nullptr;
  }
  return it->second;
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
  auto rows = first_or_exec(
      "INSERT INTO idempotency_keys (credential, key, request_hash, resultcode) "
      "SELECT credential, key, hash, 0 FROM json_to_recordset(" + tx_.quote(keys.dump()) +
      "::json) AS k(credential text, key text, hash text) "
      "ORDER BY credential, key ON CONFLICT DO NOTHING RETURNING credential, key");
  std::set<std::pair<std::string, std::string>> claimed;
  for (const auto& r : rows) claimed.emplace(r[0].as<std::string>(), r[1].as<std::string>());
  for (const auto& item : items_) {
    if (!item->key || item->replay) continue;
    if (!claimed.count({item->actor.credential, item->key->key})) item->replay = true;  // answered before
  }
}

void Batch::prepare() {
  plans_.assign(items_.size(), Plan{});
  // Wallet facts for every wallet named, and default wallets where none is named. Anything
  // but operations that begin no transaction (transfers) may read or create rows here: the
  // transaction starts now.
  std::vector<std::string> waids;
  bool begins = false;
  for (const auto& item : items_) {
    if (item->replay) continue;
    std::visit(
        [&]<class Op>(const Op& op) {
          Rules<Op>::name_wallets(op, waids);
          begins = begins || Rules<Op>::begins_transaction;
        },
        item->op);
  }
  if (begins) begin();
  if (!wallets_.cached(waids, info_)) {
    begin();
    wallets_.get(tx_, waids, info_);
  }
  // Rows the operations lock (pending withdrawals to close, in the order of their keys),
  // then rows they read under those locks (deposits already recorded).
  for_each_operation([&]<class Op>() {
    if constexpr (requires(typename Rules<Op>::State& s) { Rules<Op>::lock(*this, s); })
      Rules<Op>::lock(*this, state_of<Op>(states_));
  });
  for_each_operation([&]<class Op>() {
    if constexpr (requires(typename Rules<Op>::State& s) { Rules<Op>::read(*this, s); })
      Rules<Op>::read(*this, state_of<Op>(states_));
  });
  for (std::size_t i = 0; i < items_.size(); ++i) {
    Ledger::Item& item = *items_[i];
    if (item.replay) continue;
    std::visit(
        [&]<class Op>(const Op& op) { Rules<Op>::prepare(*this, item, plans_[i], i, op, state_of<Op>(states_)); },
        item.op);
  }
}

void Batch::lock_balances() {
  if (wanted_.empty()) return;
  // Nothing read or begun so far (a batch of transfers between known wallets), and every
  // balance remembered: no locks and no read now. The write takes the locks and checks
  // each remembered balance against its row, in the one statement that commits.
  if (may_skip_locks_ && !begun_ && cache_->get_all(wanted_, balances_)) {
    one_statement_ = true;
    return;
  }
  Columns keys(2);
  for (const auto& [k, system] : wanted_) keys.str(0, k.first).str(1, k.second);
  std::vector<std::string> p{ordered_lock_keys(wanted_)};
  keys.take(p);
  // One round trip: the locks, then the read (its result is the one returned).
  auto rows = first_or_exec("EXECUTE ledger_lock_keys (" + tx_.quote(p[0]) + "); EXECUTE ledger_read_balances (" +
                            tx_.quote(p[1]) + ", " + tx_.quote(p[2]) + ")");
  for (const auto& r : rows) add_balance(r);
  if (balances_.size() == wanted_.size()) return;
  Rows missing;
  for (const auto& [k, system] : wanted_)
    if (!balances_.count(k)) missing.row().str("waid", k.first).str("currency", k.second).boolean("neg", system).end();
  for (const auto& r : tx_.exec_prepared(kCreateBalances, missing.text())) add_balance(r);
}

// A row of the read or of the creation: waid, currency, available, held, may_go_negative,
// ctid, and (creation only) whether this batch inserted it.
void Batch::add_balance(const pqxx::row& r) {
  Balance b;
  b.available = b.available0 = units_of(r[2]);
  b.held = b.held0 = units_of(r[3]);
  b.may_go_negative = b.may_go_negative0 = r[4].as<bool>();
  b.ctid = r[5].as<std::string>();
  b.inserted = r.size() > 6 && r[6].as<bool>();
  balances_.emplace(BalanceKey{r[0].as<std::string>(), r[1].as<std::string>()}, std::move(b));
}

void Batch::post(const std::string& txid, const std::string& waid, const std::string& currency, int128 da, int128 dh) {
  Balance& b = balance(waid, currency);
  if (__builtin_add_overflow(b.available, da, &b.available) || __builtin_add_overflow(b.held, dh, &b.held))
    throw InvariantViolation("balance overflow on " + waid);
  b.changed = true;
  postings.push_back({waid, currency, da, dh});
  posting_txids.push_back(txid);
}

std::optional<Batch::Minted> Batch::move_in(Ledger::Item& item, const Plan& plan) {
  Balance& dst = balance(plan.destination, plan.currency->code);
  int128 sum;
  if (__builtin_add_overflow(dst.available, plan.amount, &sum)) {
    item.fail(Rc::BadValue, "amount too large for the wallet");
    return std::nullopt;
  }
  Minted minted = mint();
  post(minted.txid, plan.clearing, plan.currency->code, -plan.amount, 0);
  post(minted.txid, plan.destination, plan.currency->code, plan.amount, 0);
  return minted;
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
    if (item.replay || item.decided) continue;
    std::visit([&]<class Op>(const Op& op) { Rules<Op>::apply(*this, item, plans_[i], op, state_of<Op>(states_)); },
               item.op);
    item.decided = true;
  }
}

void Batch::check_invariants(const std::function<void(std::vector<Ledger::Posting>&)>& tamper) {
  if (tamper) tamper(postings);
  std::vector<InvariantInput::Balance> changed;
  for (const auto& [k, b] : balances_)
    if (b.changed) changed.push_back({k.first, k.second, b.available0, b.held0, b.available, b.held, b.may_go_negative});
  InvariantInput in;  // views of the batch's own strings
  in.postings.reserve(postings.size());
  for (std::size_t i = 0; i < postings.size(); ++i)
    in.postings.push_back({posting_txids[i], postings[i].waid, postings[i].currency, postings[i].available_delta,
                           postings[i].held_delta});
  in.balances = std::move(changed);
  if (auto violation = check(in)) throw InvariantViolation(*violation);
}

void Batch::remember() {
  if (!cache_) return;
  for (const auto& [k, b] : balances_) {
    if (b.changed) {
      // Written: its new values, at the row version the write returned.
      if (auto it = written_.find(k); it != written_.end()) cache_->put(k, b.available, b.held, b.may_go_negative, it->second);
      else cache_->forget(k);
    } else if (!one_statement_ && !b.inserted) {
      // Read under its lock and left as it was.
      cache_->put(k, b.available0, b.held0, b.may_go_negative0, b.ctid);
    }
  }
}

void Batch::commit() {
  if (!begun_) return;  // every operation was refused before touching the database
  try {
    tx_.exec0("COMMIT");
  } catch (const pqxx::broken_connection& e) {
    throw pqxx::in_doubt_error(std::string("connection lost during COMMIT: ") + e.what());
  }
  begun_ = false;
}

void Batch::rollback() {
  if (!begun_) return;
  begun_ = false;
  try {
    tx_.exec0("ROLLBACK");
  } catch (const std::exception&) {
    t_conn_reset_needed = true;
  }
}

}  // namespace og::ledger::engine
