#pragma once
// The withdrawal state machine of push bridges (docs/bridges.md):
//
//   ledger hold (Pending) ──► pending ──► submitting ──► submitted ──► completed (hold posted)
//                               ▲   (Retry)  │   │                 └─► failed    (hold voided)
//                               └────────────┘   └─(Refused)─────────► failed    (hold voided)
//
// A withdrawal's row is committed in state `submitting` before the bridge is asked to send
// it. A row found in `submitting` later (the node died while sending, or another node held
// the job) is never sent blindly: the bridge looks it up on the network by the ledger's
// txid first (Bridge::find), and sends it only if the network never saw it. So a crash at
// any instant neither sends a withdrawal twice nor forgets one.

#include <chrono>
#include <functional>

namespace og::store {
class Pool;
}
namespace og::ledger {
class Ledger;
}

namespace og::bridges {

class Bridge;

struct WithdrawalSettings {
  std::chrono::seconds retry_initial{10};  // after a temporary failure; doubled up to retry_max
  std::chrono::seconds retry_max{3600};
};

struct WithdrawalRound {
  int submitted = 0;  // the network has them now
  int retried = 0;    // not sent this time (temporary failure)
  int completed = 0, failed = 0;
  bool more = false;  // stopped early (lease lost, database unavailable)
};

// One round for one push bridge: recovers `submitting` rows, sends new and due withdrawals,
// follows submitted ones until they settle. `held` is asked before each send.
WithdrawalRound run_withdrawals(store::Pool& pool, ledger::Ledger& ledger, Bridge& bridge,
                                const WithdrawalSettings& settings, const std::function<bool()>& held);

}  // namespace og::bridges
