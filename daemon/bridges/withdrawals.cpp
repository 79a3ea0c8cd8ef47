#include "daemon/bridges/withdrawals.h"

#include <algorithm>
#include <map>

#include "daemon/bridges/bridge.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/store/pool.h"

namespace og::bridges {

namespace {

constexpr int kBatch = 100;

struct Open {
  Withdrawal w;
  std::string state;  // "" = no row yet
  int attempts = 0;
  std::string external_txid;
};

// The ledger's pending withdrawals of this bridge, with their rows where they have one and
// are due. Rows whose ledger hold is no longer pending are closed by follow().
std::vector<Open> due(store::Pool& pool, ledger::Ledger& ledger, const Bridge& bridge, bool& more) {
  std::vector<Open> out;
  auto conn = pool.acquire();
  pqxx::read_transaction tx(*conn);
  // txid -> state, attempts, external txid, due, prepared
  std::map<std::string, std::tuple<std::string, int, std::string, bool, std::string>> rows;
  for (const auto& r : tx.exec_params(
           "SELECT txid, state, attempts, coalesce(external_txid, ''), next_attempt_at <= now(), "
           "coalesce(prepared, '') FROM bridge_withdrawals WHERE bridge = $1 AND instance = $2 "
           "AND state IN ('pending', 'submitting', 'submitted')",
           bridge.type(), bridge.instance()))
    rows[r[0].as<std::string>()] = {r[1].as<std::string>(), r[2].as<int>(), r[3].as<std::string>(), r[4].as<bool>(),
                                    r[5].as<std::string>()};
  auto pending = ledger::pending_withdrawals(tx, bridge.ledger_name(), kBatch + 1);
  if (static_cast<int>(pending.size()) > kBatch) {
    pending.resize(kBatch);
    more = true;
  }
  for (const auto& t : pending) {
    auto c = ledger.currencies().find(t.currency);
    if (!c) continue;
    Open o{Withdrawal{t.txid, t.source_waid, c->code, c->format(t.amount), t.external_destination_address,
                      t.description, ""},
           "", 0, ""};
    if (auto it = rows.find(t.txid); it != rows.end()) {
      const auto& [state, attempts, ext, is_due, prepared] = it->second;
      if (!is_due && state != "submitting") continue;
      o.state = state;
      o.attempts = attempts;
      o.external_txid = ext;
      o.w.prepared = prepared;
    }
    out.push_back(std::move(o));
  }
  return out;
}

// Writes the row's new state (creating it for a first attempt) and commits.
void record(store::Pool& pool, const Bridge& bridge, const Open& o, const std::string& state,
            const std::string& external_txid, const std::string& message, std::chrono::seconds wait) {
  auto conn = pool.acquire();
  pqxx::work tx(*conn);
  tx.exec_params(
      "INSERT INTO bridge_withdrawals (txid, bridge, instance, state, attempts, external_txid, message, "
      "next_attempt_at, prepared) VALUES ($1, $2, $3, $4, $5, nullif($6, ''), nullif($7, ''), "
      "now() + $8 * interval '1 second', nullif($9, '')) "
      "ON CONFLICT (txid) DO UPDATE SET state = EXCLUDED.state, attempts = EXCLUDED.attempts, "
      "external_txid = coalesce(EXCLUDED.external_txid, bridge_withdrawals.external_txid), "
      "message = EXCLUDED.message, next_attempt_at = EXCLUDED.next_attempt_at, updated_at = now(), "
      "prepared = coalesce(bridge_withdrawals.prepared, EXCLUDED.prepared)",  // made once, never replaced
      o.w.txid, bridge.type(), bridge.instance(), state, o.attempts, external_txid, message,
      static_cast<long long>(wait.count()), o.w.prepared);
  tx.commit();
}

std::chrono::seconds backoff(const WithdrawalSettings& s, int attempts) {
  auto wait = s.retry_initial;
  for (int i = 1; i < attempts && wait < s.retry_max; ++i) wait *= 2;
  return std::min(wait, s.retry_max);
}

// Closes the ledger's hold: posted when the withdrawal completed, voided when it failed.
// False when the database could not be reached (the row stays as it was).
bool close(ledger::Ledger& ledger, const Bridge& bridge, const Open& o, bool completed) {
  ledger::CloseWithdraw op{o.w.txid, bridge.ledger_name(), completed, o.external_txid};
  ledger::Actor actor{.credential = "bridge:" + bridge.key(), .upid = "", .superuser = true,
                      .charge_child = false, .negative_wallet = false};
  auto outcome = ledger.execute(std::move(op), std::move(actor));
  return !(outcome.unavailable || outcome.rc == Rc::SystemError);
}

}  // namespace

WithdrawalRound run_withdrawals(store::Pool& pool, ledger::Ledger& ledger, Bridge& bridge,
                                const WithdrawalSettings& settings, const std::function<bool()>& held) {
  WithdrawalRound round;
  if (bridge.delivery() != Bridge::Delivery::Push || !bridge.enabled()) return round;
  for (Open& o : due(pool, ledger, bridge, round.more)) {
    if (!held()) {
      round.more = true;
      break;
    }
    Submission s;
    if (o.state == "submitted") {
      Settlement st = bridge.settlement(o.w, o.external_txid);
      if (st == Settlement::InFlight) {
        record(pool, bridge, o, "submitted", "", "", settings.retry_initial);
        continue;
      }
      const bool completed = st == Settlement::Completed;
      if (!close(ledger, bridge, o, completed)) {
        round.more = true;
        break;
      }
      record(pool, bridge, o, completed ? "completed" : "failed", "", "", std::chrono::seconds(0));
      ++(completed ? round.completed : round.failed);
      continue;
    }
    if (o.state == "submitting" || !o.w.prepared.empty()) {
      // Sent or not? The network knows: never send again before asking it. A prepared
      // submission is sent again as it is, never made anew.
      s = bridge.find(o.w);
      if (s.result == Submission::Result::Unknown) {
        // Sent or not cannot be told now: nothing is sent; asked again next round.
        record(pool, bridge, o, "submitting", "", s.message, std::chrono::seconds(0));
        ++round.retried;
        continue;
      }
      if (s.result == Submission::Result::Retry) {
        ++o.attempts;
        record(pool, bridge, o, "submitting", "", "", std::chrono::seconds(0));
        s = bridge.submit(o.w);
      }
    } else {
      ++o.attempts;
      Preparation p = bridge.prepare(o.w);
      if (p.result != Preparation::Result::Ready) {
        s.result = p.result == Preparation::Result::Retry ? Submission::Result::Retry : Submission::Result::Refused;
        s.message = p.message;
      } else {
        o.w.prepared = p.payload;
        record(pool, bridge, o, "submitting", "", "", std::chrono::seconds(0));  // before it is sent
        s = bridge.submit(o.w);
      }
    }
    switch (s.result) {
      case Submission::Result::Sent:
        o.external_txid = s.external_txid;
        record(pool, bridge, o, "submitted", s.external_txid, "", std::chrono::seconds(0));
        ++round.submitted;
        break;
      case Submission::Result::Retry:
        record(pool, bridge, o, "pending", "", s.message, backoff(settings, o.attempts));
        ++round.retried;
        break;
      case Submission::Result::Refused:
        if (!close(ledger, bridge, o, false)) {
          round.more = true;
          return round;
        }
        record(pool, bridge, o, "failed", "", s.message, std::chrono::seconds(0));
        ++round.failed;
        break;
      case Submission::Result::Unknown:  // submit() does not answer it; as Retry, found first next time
        record(pool, bridge, o, "pending", "", s.message, backoff(settings, o.attempts));
        ++round.retried;
        break;
    }
  }
  return round;
}

}  // namespace og::bridges
