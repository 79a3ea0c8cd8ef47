#pragma once
// Sends of a push bridge that the ledger does not book: currency/issueiou (an issued-currency
// Payment from an issuing address the platform holds the key of; "no tracking or
// bookkeeping", as the spec says). Money moves on the network all the same, so they are
// financial calls made crash-safe the way withdrawals are (docs/ripple.md):
//
//   checks (nothing recorded) ─► one transaction: the Idempotency-Key claim and the row
//   (state submitting, the signed transaction and its hash) ─► submit ─► submitted ─► completed
//                                                      │  ▲                    └──► failed
//                                    Retry (tel, ter,  ▼  │ the job: find(), then the
//                                    unreachable)   submitting   same blob again
//                                                      └──(expired, refused)──────► failed
//
// The claim's outcome (idempotency_keys.resultcode) is written once, by whichever of the
// request and the job first learns it; a retry with the same key answers it (with the hash
// from the row), or 10151 while it is not known yet.

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "common/result_codes.h"

namespace og::store {
class Pool;
}

namespace og::bridges {

class Bridge;
struct IssueRequest;
struct WithdrawalSettings;

struct SendKey {
  std::string credential;    // the caller, as idempotency_keys scopes keys
  std::string key;           // the Idempotency-Key
  std::string request_hash;  // SHA-256 of the endpoint and its validated parameters
};

struct SendAnswer {
  Rc rc = Rc::Ok;
  std::string detail;
  std::string hash;  // the transaction's id, when one was recorded
};

// currency/issueiou: the first answer for `key` if there is one, otherwise checks and signs
// (Bridge::prepare_issue), records, submits and answers. A refusal records nothing.
SendAnswer issue_iou(store::Pool& pool, Bridge& bridge, const SendKey& key, const IssueRequest& request,
                     const WithdrawalSettings& settings);

struct SendRound {
  int submitted = 0, retried = 0, completed = 0, failed = 0;
  bool more = false;
};

// One round of the bridge's job for its sends: rows left `submitting` are looked up and
// submitted again (the same blob) when the network never saw them; submitted ones are
// followed until a validated ledger settles them.
SendRound run_sends(store::Pool& pool, Bridge& bridge, const WithdrawalSettings& settings,
                    const std::function<bool()>& held);

}  // namespace og::bridges
