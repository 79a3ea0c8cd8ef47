// Issue: an issuer creates its own (extended) currency in its default wallet.
//   issuer equity available −X; issuer's default wallet available +X (Completed)

#include "daemon/ledger/batch.h"

namespace og::ledger::engine {

std::vector<std::string> Rules<Issue>::conflict_keys(const Issue& op, const Actor&) { return {"issue:" + op.currency}; }

void Rules<Issue>::name_wallets(const Issue&, std::vector<std::string>&) {}

void Rules<Issue>::prepare(Batch& b, Item& item, Plan& plan, std::size_t, const Issue& op, State&) {
  auto c = b.currency_of(item, op.currency);
  if (!c) return;
  if (c->type == "base" || c->issuer_upid.empty())
    return item.fail(Rc::Forbidden, c->code + " is a base currency: it cannot be issued");
  if (c->issuer_upid != item.actor.upid && !item.actor.superuser)
    return item.fail(Rc::Forbidden, "only the issuer of " + c->code + " can issue it");
  auto amount = b.amount_of(item, *c, op.amount);
  if (!amount) return;
  auto d = default_wallet(b.tx(), c->issuer_upid);
  std::string dest = d ? *d : create_wallet(b.tx(), c->issuer_upid, "Main", false, "");
  plan.destination = dest;
  plan.currency = c;
  plan.amount = *amount;
  plan.clearing = issuer_equity_wallet(b.tx(), c->issuer_upid);
  b.want(dest, c->code, false);
  b.want(plan.clearing, c->code, true);
}

void Rules<Issue>::apply(Batch& b, Item& item, Plan& plan, const Issue&, State&) {
  const auto minted = b.move_in(item, plan);
  if (!minted) return;
  const auto& [seq, txid] = *minted;
  b.record({txid, "issue", "Completed", plan.currency->code, "internal", "Issue", "", plan.destination, "", "", "", "",
            item.actor.credential, plan.amount, seq});
  item.outcome = Outcome{Rc::Ok, {}, txid, plan.destination, false};
}

}  // namespace og::ledger::engine
