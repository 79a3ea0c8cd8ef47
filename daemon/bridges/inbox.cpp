#include "daemon/bridges/inbox.h"

#include "common/result_codes.h"
#include "daemon/bridges/registry.h"
#include "daemon/ledger/ledger.h"
#include "daemon/store/pool.h"

namespace og::bridges {

bool receive(pqxx::work& tx, const Bridge& bridge, const Arrival& a) {
  auto r = tx.exec_params(
      "INSERT INTO bridge_inbox (bridge, instance, external_txid, address, currency, amount, source_address, "
      "description, ledger_index) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, nullif($9, 0)) ON CONFLICT DO NOTHING",
      bridge.type(), bridge.instance(), a.external_txid, a.address, a.currency, a.amount, a.source_address,
      a.description, a.ledger_index);
  return r.affected_rows() == 1;
}

namespace {

constexpr int kBatch = 100;

struct Row {
  std::string bridge;
  int instance = 0;
  Arrival arrival;
};

void settle(store::Pool& pool, const Row& row, const std::string& state, const std::string& txid, Rc rc,
            const std::string& message) {
  auto conn = pool.acquire();
  pqxx::work tx(*conn);
  tx.exec_params(
      "UPDATE bridge_inbox SET state = $4, txid = nullif($5, ''), result_code = $6, message = nullif($7, ''), "
      "settled_at = now() WHERE bridge = $1 AND instance = $2 AND external_txid = $3 AND state = 'received'",
      row.bridge, row.instance, row.arrival.external_txid, state, txid, code(rc), message);
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
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!held()) {
      round.more = true;
      break;
    }
    const Row& row = rows[i];
    const Bridge* bridge = bridges.find(row.bridge, row.instance);
    if (!bridge || !bridge->enabled()) continue;  // kept for when it runs here again
    if (waids[i].empty()) {
      settle(pool, row, "unmatched", "", Rc::NotFound, "no wallet has the deposit address " + row.arrival.address);
      ++round.unmatched;
      continue;
    }
    ledger::Deposit op{waids[i], row.arrival.currency, row.arrival.amount, bridge->ledger_name(),
                       row.arrival.external_txid, row.arrival.source_address, row.arrival.description};
    ledger::Actor actor{.credential = "bridge:" + bridge->key(), .upid = "", .superuser = false,
                        .charge_child = false, .negative_wallet = false};
    ledger::Outcome o = ledger.execute(std::move(op), std::move(actor));
    if (o.rc == Rc::Ok) {
      settle(pool, row, "credited", o.txid, Rc::Ok, "");
      ++round.credited;
    } else if (o.unavailable || o.rc == Rc::SystemError) {
      round.more = true;  // nothing was done: the next round tries again
      break;
    } else {
      settle(pool, row, "refused", "", o.rc, o.detail);
      ++round.refused;
    }
  }
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

}  // namespace og::bridges
