#pragma once
// The deposit inbox: what a bridge's watcher saw arrive on the outside, recorded once per
// (bridge, instance, external transaction id) in the watcher's own transaction (with the
// position it moved to), then credited through the ledger by the bridge-inbox job.
//
// Crediting is at least once towards the ledger and exactly once in effect: the ledger
// itself refuses a second deposit with the same (bridge, external id), answering with the
// first one's transaction, so a crash between the ledger's commit and the inbox's update
// only makes the next round find the credit already there.

#include <functional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace og::store {
class Pool;
}
namespace og::ledger {
class Ledger;
}

namespace og::bridges {

class Bridge;
class Bridges;

struct Arrival {
  std::string external_txid;
  std::string address;  // the deposit address (or tag) it was sent to: names the wallet
  std::string currency, amount;  // decimal text
  std::string source_address, description;
  long long ledger_index = 0;  // where the network recorded it (0: it does not say)
};

// Records an arrival in `tx`; false when this instance recorded it before (nothing changes).
bool receive(pqxx::work& tx, const Bridge& bridge, const Arrival& arrival);
// The same for many, in one statement: how many were new.
int receive_all(pqxx::work& tx, const Bridge& bridge, const std::vector<Arrival>& arrivals);

struct InboxRound {
  int credited = 0;   // credited now (or found credited by an earlier round)
  int unmatched = 0;  // no wallet has the address: left to an operator
  int refused = 0;    // the ledger refused it: left to an operator
  bool more = false;  // stopped early (lease lost, database unavailable, batch full)
};

// Credits received arrivals, oldest first; `held` is asked between rows (the job's lease).
InboxRound credit_received(store::Pool& pool, ledger::Ledger& ledger, const Bridges& bridges,
                           const std::function<bool()>& held);

// Suspense: arrivals no wallet took (unmatched, or refused by the ledger), for operators.
struct Suspended {
  std::string external_txid, state, address, currency, amount, source_address, description, message;
  long long ledger_index = 0;
  std::string received_at;  // ISO 8601, UTC
};
std::vector<Suspended> suspense(pqxx::transaction_base& tx, const Bridge& bridge, int limit);

// Assigns a suspended arrival to a wallet: it is credited there by the next inbox round,
// once. False when the instance has no such arrival in suspense (nothing changes).
bool assign(pqxx::work& tx, const Bridge& bridge, const std::string& external_txid, const std::string& waid,
            const std::string& by);

// Dismisses a suspended arrival as no user's money (the operator's own funding of a hot
// wallet): it leaves suspense, credits nothing, and stays recorded with who and why. False
// when the instance has no such arrival in suspense (nothing changes).
bool dismiss(pqxx::work& tx, const Bridge& bridge, const std::string& external_txid, const std::string& by,
             const std::string& reason);

}  // namespace og::bridges
