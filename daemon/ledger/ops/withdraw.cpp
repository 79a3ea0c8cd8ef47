// Withdrawal (a hold): money leaves available for held, Pending until its bridge reports
// the end (close_withdraw.cpp).
//   source available −X, held +X (Pending)

#include <algorithm>

#include "daemon/ledger/batch.h"

namespace og::ledger::engine {

std::vector<std::string> Rules<Withdraw>::conflict_keys(const Withdraw& op, const Actor& actor) {
  return {op.waid.empty() ? "default:" + actor.upid : op.waid};
}

void Rules<Withdraw>::name_wallets(const Withdraw& op, std::vector<std::string>& waids) {
  if (!op.waid.empty()) waids.push_back(op.waid);
}

void Rules<Withdraw>::prepare(Batch& b, Item& item, Plan& plan, std::size_t, const Withdraw& op, State&) {
  std::string waid = op.waid;
  if (waid.empty()) {
    auto d = default_wallet(b.tx(), item.actor.upid);
    if (!d) return item.fail(Rc::NotFound, "your profile has no default wallet; name one with waid");
    waid = *d;
    b.look_up_wallet(waid);
  }
  const WalletInfo* src = b.wallet(item, waid, "waid");
  if (!src) return;
  if (!b.may_spend_from(item.actor, *src)) return b.refuse_spending(item, *src, waid, "waid");
  auto c = b.currency_of(item, op.currency);
  if (!c) return;
  if (std::find(c->withdraw_methods.begin(), c->withdraw_methods.end(), op.method) == c->withdraw_methods.end())
    return item.fail(Rc::NotAvailable, "no " + op.method + " bridge can withdraw " + c->code + " on this platform");
  auto amount = b.amount_of(item, *c, op.amount);
  if (!amount) return;
  plan.source = waid;
  plan.currency = c;
  plan.amount = *amount;
  b.want(waid, c->code, false);
}

void Rules<Withdraw>::apply(Batch& b, Item& item, Plan& plan, const Withdraw& op, State&) {
  Balance& src = b.balance(plan.source, plan.currency->code);
  if (!b.available_after(item, src, plan.amount, item.actor.negative_wallet, plan.currency->code)) return;
  if (src.available - plan.amount < 0) src.may_go_negative = true;
  const auto [seq, txid] = b.mint();
  b.post(txid, plan.source, plan.currency->code, -plan.amount, plan.amount);  // available -> held
  b.record({txid, "withdraw", "Pending", plan.currency->code, op.method,
            op.description.empty() ? "Withdrawal" : op.description, plan.source, "", op.method, "", "",
            op.destination_address, item.actor.credential, plan.amount, seq});
  item.outcome = Outcome{Rc::Ok, {}, txid, plan.source, false};
}

}  // namespace og::ledger::engine
