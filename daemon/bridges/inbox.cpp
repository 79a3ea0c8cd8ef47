#include "daemon/bridges/inbox.h"

#include "common/json.h"
#include "common/result_codes.h"
#include "daemon/bridges/registry.h"
#include "daemon/ledger/ledger.h"
#include "daemon/store/pool.h"

#include <condition_variable>
#include <mutex>

namespace og::bridges {

bool receive(pqxx::work& tx, const Bridge& bridge, const Arrival& a) {
  auto r = tx.exec_params(
      "INSERT INTO bridge_inbox (bridge, instance, external_txid, address, currency, amount, source_address, "
      "description, ledger_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, 0)) ON CONFLICT DO NOTHING",
      bridge.type(), bridge.instance(), a.external_txid, a.address, a.currency, a.amount, a.source_address,
      a.description, a.ledger_index);
  return r.affected_rows() == 1;
}

int receive_all(pqxx::work& tx, const Bridge& bridge, const std::vector<Arrival>& arrivals) {
  if (arrivals.empty()) return 0;
  Json rows = Json::array();
  for (const auto& a : arrivals)
    rows.push_back(Json{{"x", a.external_txid}, {"a", a.address}, {"c", a.currency}, {"m", a.amount},
                        {"s", a.source_address}, {"d", a.description}, {"l", a.ledger_index}});
  auto r = tx.exec_params(
      "INSERT INTO bridge_inbox (bridge, instance, external_txid, address, currency, amount, source_address, "
      "description, ledger_index) SELECT $1, $2, e.x, e.a, e.c, e.m, e.s, e.d, nullif(e.l, 0) "
      "FROM json_to_recordset($3::json) AS e(x text, a text, c text, m text, s text, d text, l bigint) "
      "ON CONFLICT DO NOTHING",
      bridge.type(), bridge.instance(), rows.dump());
  return static_cast<int>(r.affected_rows());
}

namespace {

constexpr int kBatch = 500;

struct Row {
  std::string bridge;
  int instance = 0;
  Arrival arrival;
};

struct Settled {
  const Row* row;
  std::string state, txid;
  Rc rc;
  std::string message;
};

// Writes the rows' new states in one transaction (one commit for a batch).
void settle(store::Pool& pool, const std::vector<Settled>& all) {
  if (all.empty()) return;
  Json rows = Json::array();
  for (const auto& s : all)
    rows.push_back(Json{{"b", s.row->bridge}, {"i", s.row->instance}, {"x", s.row->arrival.external_txid},
                        {"s", s.state}, {"t", s.txid}, {"r", code(s.rc)}, {"m", s.message}});
  auto conn = pool.acquire();
  pqxx::work tx(*conn);
  tx.exec_params(
      "UPDATE bridge_inbox i SET state = v.s, txid = nullif(v.t, ''), result_code = v.r, message = nullif(v.m, ''), "
      "settled_at = now() FROM json_to_recordset($1::json) AS v(b text, i integer, x text, s text, t text, r integer, m text) "
      "WHERE i.bridge = v.b AND i.instance = v.i AND i.external_txid = v.x AND i.state = 'received'",
      rows.dump());
  tx.commit();
}

}  // namespace

InboxRound credit_received(store::Pool& pool, ledger::Ledger& ledger, const Bridges& bridges,
                           const std::function<bool()>& held) {
  InboxRound round;
  std::vector<Row> rows;
  std::vector<std::string> waids;
  {
    auto conn = pool.acquire();
    pqxx::read_transaction tx(*conn);
    // The wallet is looked up by the deposit address of the bridge's type (deposit
    // addresses are per method: wallet/depositaddress).
    for (const auto& r : tx.exec_params(
             "SELECT i.bridge, i.instance, i.external_txid, i.address, i.currency, i.amount, i.source_address, "
             "i.description, coalesce(i.assigned_waid, d.waid, '') FROM bridge_inbox i "
             "LEFT JOIN deposit_addresses d ON d.method = i.bridge AND d.address = i.address "
             "WHERE i.state = 'received' ORDER BY i.received_at, i.external_txid LIMIT $1",
             kBatch + 1)) {
      if (static_cast<int>(rows.size()) == kBatch) {
        round.more = true;
        break;
      }
      rows.push_back(Row{r[0].as<std::string>(), r[1].as<int>(),
                         Arrival{r[2].as<std::string>(), r[3].as<std::string>(), r[4].as<std::string>(),
                                 r[5].as<std::string>(), r[6].as<std::string>(), r[7].as<std::string>()}});
      waids.push_back(r[8].as<std::string>());
    }
  }
  if (rows.empty()) return round;
  if (!held()) {
    round.more = true;
    return round;
  }
  // The batch goes to the ledger at once (its committers group the deposits into a few
  // database transactions), not one execute() after another: each of those waited for a
  // commit of its own. A deposit is idempotent by its external transaction (the ledger
  // answers one already recorded with its first outcome), so a crash between the credit
  // and the settlement below only credits it once, as before.
  std::vector<Settled> settled;
  std::vector<std::size_t> submitted;  // rows[i] handed to the ledger
  std::vector<ledger::Outcome> outcomes(rows.size());
  std::mutex mu;
  std::condition_variable cv;
  std::size_t pending = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    const Bridge* bridge = bridges.find(row.bridge, row.instance);
    if (!bridge || !bridge->enabled()) continue;  // kept for when it runs here again
    if (waids[i].empty()) {
      settled.push_back({&row, "unmatched", "", Rc::NotFound, "no wallet has the deposit address " + row.arrival.address});
      ++round.unmatched;
      continue;
    }
    ledger::Deposit op{waids[i], row.arrival.currency, row.arrival.amount, bridge->ledger_name(),
                       row.arrival.external_txid, row.arrival.source_address, row.arrival.description};
    ledger::Actor actor{.credential = "bridge:" + bridge->key(), .upid = "", .superuser = false,
                        .charge_child = false, .negative_wallet = false};
    submitted.push_back(i);
    {
      std::lock_guard lock(mu);
      ++pending;
    }
    ledger.submit(std::move(op), std::move(actor), std::nullopt, [&, i](ledger::Outcome o) {
      std::lock_guard lock(mu);
      outcomes[i] = std::move(o);
      if (--pending == 0) cv.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return pending == 0; });
  }
  for (std::size_t i : submitted) {
    const ledger::Outcome& o = outcomes[i];
    if (o.rc == Rc::Ok) {
      settled.push_back({&rows[i], "credited", o.txid, Rc::Ok, ""});
      ++round.credited;
    } else if (o.unavailable || o.rc == Rc::SystemError) {
      round.more = true;  // nothing was done: the next round tries again
    } else {
      settled.push_back({&rows[i], "refused", "", o.rc, o.detail});
      ++round.refused;
    }
  }
  settle(pool, settled);
  return round;
}

std::vector<Suspended> suspense(pqxx::transaction_base& tx, const Bridge& bridge, int limit) {
  std::vector<Suspended> out;
  for (const auto& r : tx.exec_params(
           "SELECT external_txid, state, address, currency, amount, source_address, description, "
           "coalesce(message, ''), coalesce(ledger_index, 0), "
           "to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') FROM bridge_inbox "
           "WHERE bridge = $1 AND instance = $2 AND state IN ('unmatched', 'refused') "
           "ORDER BY received_at, external_txid LIMIT $3",
           bridge.type(), bridge.instance(), limit))
    out.push_back(Suspended{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(),
                            r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::string>(),
                            r[6].as<std::string>(), r[7].as<std::string>(), r[8].as<long long>(),
                            r[9].as<std::string>()});
  return out;
}

bool assign(pqxx::work& tx, const Bridge& bridge, const std::string& external_txid, const std::string& waid,
            const std::string& by) {
  return tx.exec_params(
               "UPDATE bridge_inbox SET state = 'received', assigned_waid = $4, assigned_by = $5, txid = NULL, "
               "result_code = NULL, message = NULL, settled_at = NULL "
               "WHERE bridge = $1 AND instance = $2 AND external_txid = $3 AND state IN ('unmatched', 'refused')",
               bridge.type(), bridge.instance(), external_txid, waid, by)
             .affected_rows() == 1;
}

bool dismiss(pqxx::work& tx, const Bridge& bridge, const std::string& external_txid, const std::string& by,
             const std::string& reason) {
  return tx.exec_params(
               "UPDATE bridge_inbox SET state = 'dismissed', assigned_by = $4, message = $5, settled_at = now() "
               "WHERE bridge = $1 AND instance = $2 AND external_txid = $3 AND state IN ('unmatched', 'refused')",
               bridge.type(), bridge.instance(), external_txid, by, "dismissed: " + reason)
             .affected_rows() == 1;
}

}  // namespace og::bridges
