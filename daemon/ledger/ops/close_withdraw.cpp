// Closing a pending withdrawal (withdraw.cpp), as its bridge reports: posted when the
// network completed it, voided when it failed. The pending transaction's own txid carries
// the closing postings.
//   completed (post): source held −X; bridge clearing available +X (Completed)
//   failed (void):    source held −X, available +X (Failed)

#include "daemon/ledger/batch.h"
#include "daemon/ledger/sql.h"

namespace og::ledger::engine {

std::vector<std::string> Rules<CloseWithdraw>::conflict_keys(const CloseWithdraw& op, const Actor&) {
  return {op.txid, "clearing:" + op.bridge};
}

void Rules<CloseWithdraw>::name_wallets(const CloseWithdraw&, std::vector<std::string>&) {}

// Pending withdrawals to close: their rows are locked first, in the order of their keys.
void Rules<CloseWithdraw>::lock(Batch& b, State& s) {
  Columns close_seqs(1);
  for (const auto& item : b.items())
    if (!item->replay)
      if (auto* c = std::get_if<CloseWithdraw>(&item->op))
        if (auto seq = b.txids().seq_of(c->txid)) close_seqs.integer(0, static_cast<std::int64_t>(*seq));
  if (close_seqs.empty()) return;
  std::vector<std::string> p;
  close_seqs.take(p);
  for (const auto& r : b.tx().exec_params(
           "SELECT txid, type, state, method, coalesce(source_waid, ''), currency, amount::text, coalesce(bridge, ''), "
           "seq FROM transactions WHERE seq = ANY($1::bigint[]) ORDER BY seq FOR UPDATE",
           p[0]))
    s.pending.emplace(r[0].as<std::string>(), r);
}

void Rules<CloseWithdraw>::prepare(Batch& b, Item& item, Plan& plan, std::size_t, const CloseWithdraw& op, State& s) {
  auto it = s.pending.find(op.txid);
  if (it == s.pending.end()) return item.fail(Rc::NotFound, "transaction " + op.txid + " does not exist");
  const pqxx::row& r = it->second;
  if (r[1].as<std::string>() != "withdraw" || r[3].as<std::string>() != op.bridge)
    return item.fail(Rc::NotFound, "transaction " + op.txid + " is not a " + op.bridge + " withdrawal");
  if (r[2].as<std::string>() != "Pending")
    return item.fail(Rc::NotPending, "transaction " + op.txid + " is " + r[2].as<std::string>() +
                                         ", not Pending: it was closed already");
  plan.close_seq = r[8].as<std::uint64_t>();
  plan.close_source = r[4].as<std::string>();
  plan.close_currency = r[5].as<std::string>();
  plan.close_amount = *int128_from_string(r[6].as<std::string>());
  b.want(plan.close_source, plan.close_currency, false);
  if (op.completed) {
    plan.clearing = bridge_clearing_wallet(b.tx(), op.bridge);
    b.want(plan.clearing, plan.close_currency, true);
  }
}

void Rules<CloseWithdraw>::apply(Batch& b, Item& item, Plan& plan, const CloseWithdraw& op, State&) {
  const std::string& pending = op.txid;
  if (op.completed) {
    b.post(pending, plan.close_source, plan.close_currency, 0, -plan.close_amount);  // held leaves
    b.post(pending, plan.clearing, plan.close_currency, plan.close_amount, 0);       // to the bridge
  } else {
    b.post(pending, plan.close_source, plan.close_currency, plan.close_amount, -plan.close_amount);
  }
  b.close({plan.close_seq, pending, op.completed ? "Completed" : "Failed", op.external_txid, plan.close_source});
  item.outcome = Outcome{Rc::Ok, {}, pending, plan.close_source, false};
}

}  // namespace og::ledger::engine
