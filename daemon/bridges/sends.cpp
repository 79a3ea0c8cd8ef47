#include "daemon/bridges/sends.h"

#include <algorithm>
#include <mutex>
#include <pqxx/pqxx>
#include <vector>

#include "daemon/bridges/bridge.h"
#include "daemon/bridges/withdrawals.h"
#include "daemon/store/pool.h"

namespace og::bridges {

namespace {

constexpr int kBatch = 100;

// Signing takes the issuer's next sequence, which rows recorded before count (the bridge
// reads them): prepare and record one send at a time on this node. Another node signing
// for the same issuer at the same instant makes one of the two fail (tefPAST_SEQ, refused,
// nothing sent twice).
std::mutex& prepare_mutex() {
  static std::mutex mu;
  return mu;
}

Rc rc_of(int code) {
  const ResultCodeInfo* info = find_result_code(code);
  return info ? info->rc : Rc::SystemError;
}

// The claim of `key`, if there is one: its first answer, 10151 while it has none, 10150
// when the key came with another request.
std::optional<SendAnswer> replay(pqxx::transaction_base& tx, const SendKey& key) {
  auto r = tx.exec_params(
      "SELECT k.request_hash, k.resultcode, k.detail, coalesce(s.external_txid, '') FROM idempotency_keys k "
      "LEFT JOIN LATERAL (SELECT external_txid FROM bridge_sends s WHERE s.credential = k.credential "
      "AND s.idempotency_key = k.key AND s.created_at >= k.created_at ORDER BY s.id DESC LIMIT 1) s ON true "
      "WHERE k.credential = $1 AND k.key = $2",
      key.credential, key.key);
  if (r.empty()) return std::nullopt;
  if (r[0][0].as<std::string>() != key.request_hash)
    return SendAnswer{Rc::IdempotencyKeyReused, "the key was used for another request", ""};
  const int rc = r[0][1].as<int>();
  if (rc == 0)
    return SendAnswer{Rc::IdempotencyInProgress,
                      "the transaction is recorded and its outcome not known yet: retry with the same Idempotency-Key",
                      r[0][3].as<std::string>()};
  return SendAnswer{rc_of(rc), r[0][2].as<std::string>(), r[0][3].as<std::string>()};
}

// Writes the first outcome of the row's claim (unless one is written already) and the row's
// new state, in one transaction; answers the outcome that stands.
SendAnswer settle(store::Pool& pool, long long id, const std::string& state, const std::string& message,
                  std::chrono::seconds wait, std::optional<SendAnswer> outcome) {
  auto conn = pool.acquire();
  pqxx::work tx(*conn);
  auto row = tx.exec_params(
      "UPDATE bridge_sends SET state = $2, message = nullif($3, ''), next_attempt_at = now() + $4 * interval '1 second', "
      "updated_at = now() WHERE id = $1 RETURNING credential, idempotency_key, external_txid",
      id, state, message, static_cast<long long>(wait.count()));
  SendAnswer standing{Rc::IdempotencyInProgress, "", ""};
  if (!row.empty()) {
    const std::string credential = row[0][0].as<std::string>(), key = row[0][1].as<std::string>();
    standing.hash = row[0][2].as<std::string>();
    if (outcome)
      tx.exec_params(
          "UPDATE idempotency_keys SET resultcode = $3, detail = $4 WHERE credential = $1 AND key = $2 "
          "AND resultcode = 0",
          credential, key, code(outcome->rc), outcome->detail);
    auto k = tx.exec_params("SELECT resultcode, detail FROM idempotency_keys WHERE credential = $1 AND key = $2",
                            credential, key);
    if (!k.empty() && k[0][0].as<int>() != 0) {
      standing.rc = rc_of(k[0][0].as<int>());
      standing.detail = k[0][1].as<std::string>();
    } else if (k.empty() && outcome) {
      standing.rc = outcome->rc;  // the key was forgotten already (retention): the outcome as it is
      standing.detail = outcome->detail;
    } else {
      standing.detail =
          "the transaction is recorded and its outcome not known yet: retry with the same Idempotency-Key";
    }
  }
  tx.commit();
  return standing;
}

// What a submission's result means for the caller, when it means something final now.
std::optional<SendAnswer> outcome_of(const Submission& s) {
  switch (s.result) {
    case Submission::Result::Sent:
      // A tec result: included to claim the fee, nothing delivered (settled as failed).
      if (s.message.rfind("tec", 0) == 0)
        return SendAnswer{Rc::BadValue, "the network applied it with " + s.message + ": nothing was delivered",
                          s.external_txid};
      return SendAnswer{Rc::Ok, "", s.external_txid};
    case Submission::Result::Refused:
      return SendAnswer{Rc::BadValue, s.message, ""};
    case Submission::Result::Retry:
    case Submission::Result::Unknown:
      return std::nullopt;
  }
  return std::nullopt;
}

std::chrono::seconds backoff(const WithdrawalSettings& s, int attempts) {
  auto wait = s.retry_initial;
  for (int i = 1; i < attempts && wait < s.retry_max; ++i) wait *= 2;
  return std::min(wait, s.retry_max);
}

}  // namespace

SendAnswer issue_iou(store::Pool& pool, Bridge& bridge, const SendKey& key, const IssueRequest& request,
                     const WithdrawalSettings& settings) {
  long long id = 0;
  Withdrawal w;
  {
    std::lock_guard lock(prepare_mutex());
    {
      auto conn = pool.acquire();
      pqxx::read_transaction tx(*conn);
      if (auto first = replay(tx, key)) return *first;
    }
    auto prepared = bridge.prepare_issue(request);
    if (auto* refused = std::get_if<Refusal>(&prepared)) return SendAnswer{refused->rc, refused->detail, ""};
    const Preparation& p = std::get<Preparation>(prepared);
    if (p.result != Preparation::Result::Ready)
      return SendAnswer{p.result == Preparation::Result::Retry ? Rc::SystemError : Rc::BadValue, p.message, ""};
    // The claim and the signed transaction, in one transaction, before anything is sent.
    auto conn = pool.acquire();
    pqxx::work tx(*conn);
    auto claimed = tx.exec_params(
        "INSERT INTO idempotency_keys (credential, key, request_hash, resultcode) VALUES ($1, $2, $3, 0) "
        "ON CONFLICT DO NOTHING RETURNING 1",
        key.credential, key.key, key.request_hash);
    if (claimed.empty()) {
      // The same key from another node in the meantime: its answer, and nothing of ours.
      auto first = replay(tx, key);
      tx.abort();
      if (first) return *first;
      return SendAnswer{Rc::IdempotencyInProgress, "retry with the same Idempotency-Key", ""};
    }
    // The job leaves the row to this request for a while; after a crash it takes it over.
    auto row = tx.exec_params(
        "INSERT INTO bridge_sends (bridge, instance, kind, credential, idempotency_key, account, state, prepared, "
        "external_txid, next_attempt_at) VALUES ($1, $2, 'issueiou', $3, $4, $5, 'submitting', $6, $7, "
        "now() + $8 * interval '1 second') RETURNING id",
        bridge.type(), bridge.instance(), key.credential, key.key, request.issuer, p.payload, p.external_txid,
        static_cast<long long>(std::max<long long>(5, settings.retry_initial.count())));
    id = row[0][0].as<long long>();
    tx.commit();
    w.prepared = p.payload;
    w.destination = request.receiver;
  }
  Submission s = bridge.submit(w);
  if (auto outcome = outcome_of(s))
    return settle(pool, id, s.result == Submission::Result::Sent ? "submitted" : "failed", s.message,
                  std::chrono::seconds(0), outcome);
  // Not taken for now (a tel or ter result, the server unreachable): the job sends the same
  // transaction again; the caller learns the outcome by retrying with the same key.
  SendAnswer a = settle(pool, id, "submitting", s.message, settings.retry_initial, std::nullopt);
  if (a.rc == Rc::IdempotencyInProgress && !s.message.empty())
    a.detail = "the network did not take it yet (" + s.message + "); it is submitted again as it is: " + a.detail;
  return a;
}

SendRound run_sends(store::Pool& pool, Bridge& bridge, const WithdrawalSettings& settings,
                    const std::function<bool()>& held) {
  SendRound round;
  if (bridge.delivery() != Bridge::Delivery::Push || !bridge.enabled()) return round;
  struct Row {
    long long id;
    std::string state, prepared, hash;
    int attempts;
  };
  std::vector<Row> rows;
  {
    auto conn = pool.acquire();
    pqxx::read_transaction tx(*conn);
    for (const auto& r : tx.exec_params(
             "SELECT id, state, prepared, external_txid, attempts FROM bridge_sends WHERE bridge = $1 AND instance = $2 "
             "AND state IN ('submitting', 'submitted') AND next_attempt_at <= now() ORDER BY id LIMIT $3",
             bridge.type(), bridge.instance(), kBatch + 1))
      rows.push_back(Row{r[0].as<long long>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                         r[4].as<int>()});
  }
  if (static_cast<int>(rows.size()) > kBatch) {
    rows.resize(kBatch);
    round.more = true;
  }
  for (const Row& row : rows) {
    if (!held()) {
      round.more = true;
      break;
    }
    Withdrawal w;
    w.prepared = row.prepared;
    if (row.state == "submitted") {
      Settlement st = bridge.settlement(w, row.hash);
      if (st == Settlement::InFlight) {
        settle(pool, row.id, "submitted", "", settings.retry_initial, std::nullopt);
        continue;
      }
      const bool completed = st == Settlement::Completed;
      settle(pool, row.id, completed ? "completed" : "failed", completed ? "" : "the validated ledger did not apply it",
             std::chrono::seconds(0), std::nullopt);
      ++(completed ? round.completed : round.failed);
      continue;
    }
    // Left submitting: sent or not? The network knows; the same blob only if it never saw it.
    Submission s = bridge.find(w);
    int attempts = row.attempts;
    if (s.result == Submission::Result::Retry) {
      {
        auto conn = pool.acquire();
        pqxx::work tx(*conn);
        tx.exec_params("UPDATE bridge_sends SET attempts = attempts + 1, updated_at = now() WHERE id = $1", row.id);
        tx.commit();
      }
      ++attempts;
      s = bridge.submit(w);
    }
    if (auto outcome = outcome_of(s)) {
      const bool sent = s.result == Submission::Result::Sent;
      settle(pool, row.id, sent ? "submitted" : "failed", s.message, std::chrono::seconds(0), outcome);
      ++(sent ? round.submitted : round.failed);
    } else {
      settle(pool, row.id, "submitting", s.message, backoff(settings, attempts), std::nullopt);
      ++round.retried;
    }
  }
  return round;
}

}  // namespace og::bridges
