// Deposit: a bridge reports money that arrived for a wallet, once per external transaction.
//   bridge clearing available −X; wallet available +X (Completed)
// The same external transaction reported again (in an earlier batch or earlier in this
// one) answers the first one's transaction, if it names the same wallet, currency and
// amount, and is refused otherwise.

#include <algorithm>

#include "common/json.h"
#include "daemon/ledger/batch.h"

namespace og::ledger::engine {

std::vector<std::string> Rules<Deposit>::conflict_keys(const Deposit& op, const Actor&) {
  return {op.waid, "clearing:" + op.bridge};
}

void Rules<Deposit>::name_wallets(const Deposit& op, std::vector<std::string>& waids) {
  if (!op.waid.empty()) waids.push_back(op.waid);
}

// Deposits already recorded (the same external transaction reported twice).
void Rules<Deposit>::read(Batch& b, State& s) {
  Json externals = Json::array();
  for (const auto& item : b.items())
    if (!item->replay)
      if (auto* d = std::get_if<Deposit>(&item->op)) externals.push_back(Json{{"bridge", d->bridge}, {"id", d->external_txid}});
  if (externals.empty()) return;
  for (const auto& r : b.tx().exec_params(
           "SELECT t.bridge, t.external_txid, t.txid, coalesce(t.destination_waid, ''), t.currency, t.amount::text "
           "FROM transactions t JOIN json_to_recordset($1::json) AS e(bridge text, id text) "
           "ON t.bridge = e.bridge AND t.external_txid = e.id WHERE t.type = 'deposit'",
           externals.dump()))
    s.recorded.emplace(std::make_pair(r[0].as<std::string>(), r[1].as<std::string>()), r);
}

void Rules<Deposit>::prepare(Batch& b, Item& item, Plan& plan, std::size_t index, const Deposit& op, State& s) {
  const WalletInfo* dst = b.wallet(item, op.waid, "waid");
  if (!dst) return;
  auto c = b.currency_of(item, op.currency);
  if (!c) return;
  auto amount = b.amount_of(item, *c, op.amount);
  if (!amount) return;
  auto ext = std::make_pair(op.bridge, op.external_txid);
  if (auto it = s.recorded.find(ext); it != s.recorded.end()) {
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
  if (auto [it, first] = s.by_external.emplace(op.bridge + "\n" + op.external_txid, index); !first) {
    plan.same_deposit_as = it->second;  // answered with the first one's outcome
    return;
  }
  // A currency takes deposits by the methods it lists (a bridge currency created with
  // enabledeposit false takes none); instance N of a type deposits by the type's method.
  const std::string method = op.bridge.substr(0, op.bridge.find('-'));
  if (std::find(c->deposit_methods.begin(), c->deposit_methods.end(), method) == c->deposit_methods.end())
    return item.fail(Rc::NotAvailable, c->code + " takes no deposits by " + method);
  plan.destination = op.waid;
  plan.currency = c;
  plan.amount = *amount;
  plan.clearing = bridge_clearing_wallet(b.tx(), op.bridge);
  b.want(op.waid, c->code, false);
  b.want(plan.clearing, c->code, true);
}

void Rules<Deposit>::apply(Batch& b, Item& item, Plan& plan, const Deposit& op, State&) {
  if (plan.same_deposit_as) {
    // Reported twice in one batch: the first one's transaction (decided by now, being
    // earlier in the batch) answers both.
    const auto& first = *b.items()[*plan.same_deposit_as];
    const auto& earlier = std::get<Deposit>(first.op);
    if (op.waid != earlier.waid || op.currency != earlier.currency || op.amount != earlier.amount)
      return item.fail(Rc::AlreadyExists, "externaltransactionid " + op.external_txid +
                                              " was recorded with another wallet, currency or amount");
    item.outcome = first.outcome;
    item.outcome.replayed = first.outcome.rc == Rc::Ok;
    return;
  }
  const auto minted = b.move_in(item, plan);
  if (!minted) return;
  const auto& [seq, txid] = *minted;
  b.record({txid, "deposit", "Completed", plan.currency->code, op.bridge,
            op.description.empty() ? "Deposit" : op.description, "", plan.destination, op.bridge, op.external_txid,
            op.external_source_address, "", item.actor.credential, plan.amount, seq});
  item.outcome = Outcome{Rc::Ok, {}, txid, plan.destination, false};
}

}  // namespace og::ledger::engine
