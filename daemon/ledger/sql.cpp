#include "daemon/ledger/sql.h"

#include <set>
#include <stdexcept>
#include <utility>

#include "daemon/ledger/batch.h"

namespace og::ledger::engine {

namespace {

template <std::size_t... I>
pqxx::result exec_with(pqxx::transaction_base& tx, const char* statement, const std::vector<std::string>& p,
                       std::index_sequence<I...>) {
  return tx.exec_prepared(statement, p.at(I)...);
}

}  // namespace

void prepare_statements(pqxx::connection& conn) {
  // A batch touches a few rows of big tables: always by index. (Left to itself the planner
  // guesses 100 rows from json_to_recordset and may hash-join a whole table.)
  {
    pqxx::nontransaction tx(conn);
    tx.exec("SET enable_hashjoin = off; SET enable_mergejoin = off; SET enable_seqscan = off");
    // One plan per statement, made once: with array parameters the planner sees each
    // batch's row counts, finds a custom plan cheaper every time and would plan the big
    // write statement again for every batch.
    tx.exec("SET plan_cache_mode = force_generic_plan");
    // Balances are locked with transaction-scoped advisory locks, one per (wallet,
    // currency), taken in ascending key order, then read: unlike row locks they cost no
    // WAL and no dirty page, and every writer of balances is this engine, which always
    // takes them first. unnest() yields the keys in array order, and a volatile function
    // in the select list runs once per row, in that order. The read is a statement of its
    // own, so under READ COMMITTED its snapshot is taken after the locks are held. (Older
    // nodes call the PL/pgSQL function ledger_lock_balances of migrations 0007 and 0008
    // for the same; its call, SPI and tuplestore cost more than the work.) Prepared in SQL:
    // the two usually travel with BEGIN as one simple query, and EXECUTE of a prepared
    // plan skips the parse analysis and planning each batch would otherwise cost.
    tx.exec("PREPARE ledger_lock_keys (bigint[]) AS SELECT pg_advisory_xact_lock(k) FROM unnest($1) AS k");
    tx.exec("PREPARE ledger_read_balances (text[], text[]) AS "
            "SELECT b.waid, b.currency, b.available::text, b.held::text, b.may_go_negative, b.ctid::text "
            "FROM unnest($1, $2) AS w(waid, currency) "
            "JOIN balances b ON b.waid = w.waid AND b.currency = w.currency");
  }
  // Missing balances, created under their locks.
  conn.prepare(kCreateBalances,
               "INSERT INTO balances (waid, currency, may_go_negative) "
               "SELECT k.waid, k.currency, k.neg FROM json_to_recordset($1::json) AS k(waid text, currency text, neg boolean) "
               "ON CONFLICT (waid, currency) DO UPDATE SET waid = EXCLUDED.waid "
               "RETURNING waid, currency, available::text, held::text, may_go_negative, ctid::text, (xmax = 0) AS inserted");
  // Everything a batch writes, in one statement. Each table's rows come as one text array
  // per column (Columns below), unnested side by side: PostgreSQL parses arrays several
  // times faster than the same rows as JSON objects (json_to_recordset builds a hash table
  // per object).
  auto unused = [](int p) {
    return "unused AS (DELETE FROM balances b USING unnest($" + std::to_string(p) + "::text[], $" +
           std::to_string(p + 1) + "::text[]) AS u(waid, currency) WHERE b.waid = u.waid AND b.currency = u.currency), ";
  };
  // Balances are updated where they were read (ctid: a nested loop over TID scans,
  // PostgreSQL 12 and later, instead of an index descent per row), and only if the row
  // there is still the balance and holds exactly the values the batch started from. Under
  // the batch's locks it always does. A remembered balance (BalanceCache) may not: another
  // node may have moved it since, or the row version may have moved and its slot been
  // reused. The statement returns each updated balance's new row version, and fails unless
  // it updated every balance it was given (count: the parameter after the balances), so a
  // batch never writes postings for a balance it did not update.
  auto bal = [](int p) {
    auto n = [&](int i) { return "$" + std::to_string(p + i); };
    return "bal AS (UPDATE balances SET available = v.a, held = v.h, may_go_negative = v.neg "
           "  FROM unnest(" + n(0) + "::text[], " + n(1) + "::text[], " + n(2) + "::numeric[], " + n(3) +
           "::numeric[], " + n(4) + "::boolean[], " + n(5) + "::tid[], " + n(6) + "::numeric[], " + n(7) +
           "::numeric[], " + n(8) + "::boolean[]) AS v(waid, currency, a, h, neg, ctid, a0, h0, neg0) "
           "  WHERE (SELECT count(*) FROM locks) >= 0 "
           "    AND balances.ctid = v.ctid AND balances.waid = v.waid AND balances.currency = v.currency "
           "    AND balances.available = v.a0 AND balances.held = v.h0 AND balances.may_go_negative = v.neg0 "
           "  RETURNING balances.waid, balances.currency, balances.ctid), ";
  };
  auto checked = [](int p) {
    const std::string n = "$" + std::to_string(p);
    return " SELECT waid, currency, ctid::text FROM bal WHERE (SELECT CASE WHEN count(*) = " + n +
           " THEN true ELSE ('ledger: ' || count(*) || ' of ' || " + n +
           " || ' balances were not as read')::boolean END FROM bal)";
  };
  // The balances' advisory locks, taken before any row is read when the batch has not
  // taken them already (the one-statement path; otherwise the array is empty): every
  // writer of a balance holds its lock, so a batch that read balances under their locks
  // finds them unchanged when it writes. The filter above runs once, before the scans.
  auto locks = [](int p) {
    return "locks AS (SELECT pg_advisory_xact_lock(k) FROM unnest($" + std::to_string(p) + "::bigint[]) AS k), ";
  };
  auto txs = [](int p) {
    std::string cols;
    static const char* kTypes[] = {"text", "text", "text", "text", "numeric", "text", "text", "text", "text",
                                   "text", "text", "text", "text", "text", "numeric", "numeric", "bigint"};
    for (int i = 0; i < 17; ++i) cols += (i ? ", $" : "$") + std::to_string(p + i) + "::" + kTypes[i] + "[]";
    return "txs AS (INSERT INTO transactions (txid, type, state, currency, amount, method, description, source_waid, "
           "  destination_waid, bridge, external_txid, external_source_address, external_destination_address, "
           "  initiator, source_balance_after, destination_balance_after, seq, finalized_at) "
           "  SELECT txid, type, state, currency, amount, method, description, source, destination, bridge, ext, "
           "  extsrc, extdst, initiator, sa, da, seq, CASE WHEN state = 'Pending' THEN NULL ELSE now() END "
           "  FROM unnest(" + cols + ") AS t(txid, type, state, currency, amount, method, description, source, "
           "  destination, bridge, ext, extsrc, extdst, initiator, sa, da, seq)), ";
  };
  auto closes = [](int p) {
    auto n = [&](int i) { return "$" + std::to_string(p + i); };
    return "closes AS (UPDATE transactions SET state = v.state, finalized_at = now(), source_balance_after = v.sa, "
           "  external_txid = coalesce(v.ext, transactions.external_txid) "
           "  FROM unnest(" + n(0) + "::bigint[], " + n(1) + "::text[], " + n(2) + "::text[], " + n(3) +
           "::numeric[]) AS v(seq, state, ext, sa) "
           "  WHERE transactions.seq = v.seq), ";
  };
  auto posts = [](int p) {
    auto n = [&](int i) { return "$" + std::to_string(p + i); };
    return "posts AS (INSERT INTO postings (txid, waid, currency, available_delta, held_delta, available_after, "
           "  held_after) SELECT txid, waid, currency, da, dh, a, h FROM unnest(" + n(0) + "::text[], " + n(1) +
           "::text[], " + n(2) + "::text[], " + n(3) + "::numeric[], " + n(4) + "::numeric[], " + n(5) +
           "::numeric[], " + n(6) + "::numeric[]) AS p(txid, waid, currency, da, dh, a, h))";
  };
  auto keys = [](int p) {
    auto n = [&](int i) { return "$" + std::to_string(p + i); };
    return ", keys AS (UPDATE idempotency_keys SET resultcode = v.rc, detail = v.detail, txid = v.txid, waid = v.waid "
           "  FROM unnest(" + n(0) + "::text[], " + n(1) + "::text[], " + n(2) + "::integer[], " + n(3) +
           "::text[], " + n(4) + "::text[], " + n(5) + "::text[]) AS v(credential, key, rc, detail, txid, waid) "
           "  WHERE idempotency_keys.credential = v.credential AND idempotency_keys.key = v.key) ";
  };
  // Parameters: locks 1, unused 2-3, bal 4-12, txs 13-29, closes 30-33, posts 34-40,
  // keys 41-46, count 47.
  conn.prepare(kWriteBatch, "WITH " + locks(1) + unused(2) + bal(4) + txs(13) + closes(30) + posts(34) + keys(41) +
                                checked(47));
  // The common case, money moved and nothing else (no refused operation left an empty
  // balance behind, no withdrawal closed, no Idempotency-Key): a smaller statement, which
  // PostgreSQL sets up for each batch in about half the time. Parameters: locks 1, bal 2-10,
  // txs 11-27, posts 28-34, count 35.
  conn.prepare(kWriteMoves, "WITH " + locks(1) + bal(2) + txs(11) + posts(28) + checked(35));
}

int128 units_of(const pqxx::field& f) {
  auto v = int128_from_string(f.as<std::string>());
  if (!v) throw std::runtime_error("balance out of range in the database");
  return *v;
}


// The advisory lock key of a balance: 63 bits of FNV-1a over "waid/currency".
namespace {
std::int64_t balance_lock_key(const std::string& waid, const std::string& currency) {
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&](const std::string& s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  mix(waid);
  mix("/");
  mix(currency);
  return static_cast<std::int64_t>(h & 0x7fffffffffffffffull);
}
}  // namespace

// The balances' lock keys in the global lock order (ascending), as an array literal.
std::string ordered_lock_keys(const std::map<BalanceKey, bool>& wanted) {
  std::set<std::int64_t> keys;
  for (const auto& [k, system] : wanted) keys.insert(balance_lock_key(k.first, k.second));
  std::string out = "{";
  for (auto k : keys) {
    if (out.size() > 1) out += ',';
    out += std::to_string(k);
  }
  return out + "}";
}

void Batch::write() {
  // Rows the lock statement created for operations that then failed: a refused operation
  // leaves nothing behind, not even an empty balance.
  Columns unused(2), bal(9);
  std::size_t changed = 0;
  for (const auto& [k, b] : balances_) {
    if (b.inserted && !b.changed) unused.str(0, k.first).str(1, k.second);
    if (b.changed) {
      bal.str(0, k.first)
          .str(1, k.second)
          .units(2, b.available)
          .units(3, b.held)
          .boolean(4, b.may_go_negative)
          .str(5, b.ctid)
          .units(6, b.available0)
          .units(7, b.held0)
          .boolean(8, b.may_go_negative0);
      ++changed;
    } else if (one_statement_) {
      // An operation was refused on a remembered balance that the write would not check
      // (say, insufficient funds): the refusal must rest on a balance read under its lock.
      stale("a refusal rested on a remembered balance");
    }
  }

  // Each posting records the balance it left: replay the deltas from the locked values.
  // The last one per transaction and wallet is the transaction's "balance after".
  Columns posts(7);
  std::map<BalanceKey, std::pair<int128, int128>> running;
  std::map<BalanceKey, int128> total_after;  // (txid, waid) -> available + held
  for (const auto& [k, b] : balances_) running[k] = {b.available0, b.held0};
  for (std::size_t i = 0; i < postings.size(); ++i) {
    const auto& p = postings[i];
    auto& r = running[{p.waid, p.currency}];
    r.first += p.available_delta;
    r.second += p.held_delta;
    total_after[{posting_txids[i], p.waid}] = r.first + r.second;
    posts.str(0, posting_txids[i])
        .str(1, p.waid)
        .str(2, p.currency)
        .units(3, p.available_delta)
        .units(4, p.held_delta)
        .units(5, r.first)
        .units(6, r.second);
  }
  auto after = [&](Columns& cols, std::size_t c, const std::string& txid, const std::string& waid) {
    auto it = total_after.find({txid, waid});
    if (it == total_after.end()) cols.null(c);
    else cols.units(c, it->second);
  };

  Columns txs(17);
  for (const auto& t : records_) {
    txs.str(0, t.txid)
        .str(1, t.type)
        .str(2, t.state)
        .str(3, t.currency)
        .units(4, t.amount)
        .str(5, t.method)
        .str(6, t.description)
        .opt(7, t.source)
        .opt(8, t.destination)
        .opt(9, t.bridge)
        .opt(10, t.external_txid)
        .opt(11, t.external_source)
        .opt(12, t.external_destination)
        .str(13, t.initiator);
    after(txs, 14, t.txid, t.source);
    after(txs, 15, t.txid, t.destination);
    txs.integer(16, static_cast<std::int64_t>(t.seq));
  }

  Columns changes(4);
  for (const auto& c : state_changes_) {
    changes.integer(0, static_cast<std::int64_t>(c.seq)).str(1, c.state).opt(2, c.external_txid);
    after(changes, 3, c.txid, c.source);
  }

  Columns outcomes(6);
  for (const auto& item : items_)
    if (item->key && !item->replay)
      outcomes.str(0, item->actor.credential)
          .str(1, item->key->key)
          .integer(2, code(item->outcome.rc))
          .str(3, item->outcome.detail)
          .opt(4, item->outcome.txid)
          .opt(5, item->outcome.waid);

  if (unused.empty() && bal.empty() && txs.empty() && changes.empty() && posts.empty() && outcomes.empty()) return;
  std::vector<std::string> params;
  params.reserve(47);
  // The locks for the statement to take: none when the balances were read under them.
  params.push_back(one_statement_ ? ordered_lock_keys(wanted_) : "{}");
  pqxx::result r;
  if (unused.empty() && changes.empty() && outcomes.empty()) {
    for (Columns* c : {&bal, &txs, &posts}) c->take(params);
    params.push_back(std::to_string(changed));
    // One-statement path: no transaction begun, so the statement commits on its own or
    // changes nothing.
    if (!one_statement_) begin();
    try {
      r = exec_with(tx_, kWriteMoves, params, std::make_index_sequence<35>{});
    } catch (const pqxx::broken_connection& e) {
      if (!one_statement_) throw;
      throw pqxx::in_doubt_error(std::string("connection lost during the batch's one-statement commit: ") + e.what());
    } catch (const pqxx::sql_error& e) {
      if (!one_statement_) throw;
      // A remembered balance was not as remembered (or the statement failed otherwise:
      // the run under locks meets that again and deals with it).
      stale(e.what());
    }
  } else {
    begin();
    for (Columns* c : {&unused, &bal, &txs, &changes, &posts, &outcomes}) c->take(params);
    params.push_back(std::to_string(changed));
    r = exec_with(tx_, kWriteBatch, params, std::make_index_sequence<47>{});
  }
  // The statement fails unless it updated every balance; checked here again, since a
  // balance left as it was while its postings are written must never commit. (A one-
  // statement write has committed by now: were this ever to fire, the outcome is unknown.)
  if (r.size() != changed) {
    const std::string what =
        "the ledger updated " + std::to_string(r.size()) + " balances of " + std::to_string(changed);
    if (one_statement_) throw pqxx::in_doubt_error(what);
    throw std::runtime_error(what);
  }
  for (const auto& row : r) written_[{row[0].as<std::string>(), row[1].as<std::string>()}] = row[2].as<std::string>();
}

Outcome replay(pqxx::connection& conn, const Ledger::Item& item) {
  pqxx::nontransaction tx(conn);
  auto r = tx.exec_params(
      "SELECT request_hash, resultcode, detail, coalesce(txid, ''), coalesce(waid, '') FROM idempotency_keys "
      "WHERE credential = $1 AND key = $2",
      item.actor.credential, item.key->key);
  if (r.empty()) return Outcome{Rc::IdempotencyInProgress, "retry with the same Idempotency-Key", {}, {}, false};
  if (r[0][0].as<std::string>() != item.key->request_hash)
    return Outcome{Rc::IdempotencyKeyReused, "the key was used for another request", {}, {}, false};
  int rc = r[0][1].as<int>();
  if (rc == 0) return Outcome{Rc::IdempotencyInProgress, "retry with the same Idempotency-Key", {}, {}, false};
  const ResultCodeInfo* info = find_result_code(rc);
  return Outcome{info ? info->rc : Rc::SystemError, r[0][2].as<std::string>(), r[0][3].as<std::string>(),
                 r[0][4].as<std::string>(), true};
}


}  // namespace og::ledger::engine
