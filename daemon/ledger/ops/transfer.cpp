// Transfer: money moves from one user wallet's available balance to another's.
//   source available −X; destination available +X (Completed)

#include "daemon/ledger/batch.h"

namespace og::ledger::engine {

std::vector<std::string> Rules<Transfer>::conflict_keys(const Transfer& op, const Actor&) {
  return {op.source_waid, op.destination_waid};
}

void Rules<Transfer>::name_wallets(const Transfer& op, std::vector<std::string>& waids) {
  waids.push_back(op.source_waid);
  waids.push_back(op.destination_waid);
}

void Rules<Transfer>::prepare(Batch& b, Item& item, Plan& plan, std::size_t, const Transfer& op, State&) {
  if (op.source_waid == op.destination_waid)
    return item.fail(Rc::BadValue, "sourcewaid and destinationwaid are the same wallet");
  const WalletInfo* src = b.wallet(item, op.source_waid, "sourcewaid");
  if (!src) return;
  const WalletInfo* dst = b.wallet(item, op.destination_waid, "destinationwaid");
  if (!dst) return;
  if (!b.may_spend_from(item.actor, *src)) return b.refuse_spending(item, *src, op.source_waid, "sourcewaid");
  auto c = b.currency_of(item, op.currency);
  if (!c) return;
  auto amount = b.amount_of(item, *c, op.amount);
  if (!amount) return;
  plan.source = op.source_waid;
  plan.destination = op.destination_waid;
  plan.currency = c;
  plan.amount = *amount;
  b.want(plan.source, c->code, false);
  b.want(plan.destination, c->code, false);
}

void Rules<Transfer>::apply(Batch& b, Item& item, Plan& plan, const Transfer& op, State&) {
  Balance& src = b.balance(plan.source, plan.currency->code);
  Balance& dst = b.balance(plan.destination, plan.currency->code);
  if (!b.available_after(item, src, plan.amount, item.actor.negative_wallet, plan.currency->code)) return;
  int128 sum;
  if (__builtin_add_overflow(dst.available, plan.amount, &sum))
    return item.fail(Rc::BadValue, "amount too large for the destination wallet");
  if (src.available - plan.amount < 0) src.may_go_negative = true;  // allowed by negativewallet
  const auto [seq, txid] = b.mint();
  b.post(txid, plan.source, plan.currency->code, -plan.amount, 0);
  b.post(txid, plan.destination, plan.currency->code, plan.amount, 0);
  b.record({txid, "transfer", "Completed", plan.currency->code, "internal",
            op.description.empty() ? "Transfer" : op.description, plan.source, plan.destination, "", "", "", "",
            item.actor.credential, plan.amount, seq});
  item.outcome = Outcome{Rc::Ok, {}, txid, plan.source, false};
}

}  // namespace og::ledger::engine
