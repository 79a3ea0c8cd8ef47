#include "daemon/ledger/ledger.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include "common/json.h"
#include "daemon/ledger/invariants.h"
#include "daemon/ledger/txids.h"
#include "daemon/ledger/wallets.h"
#include "daemon/log.h"
#include "daemon/store/pool.h"

namespace og::ledger {

struct Ledger::Item {
  Operation op;
  std::vector<std::string> keys;  // what it contends on, for batch formation (see conflict_keys)
  Actor actor;
  std::optional<IdempotencyKey> key;
  std::function<void(Outcome)> done;

  Outcome outcome;
  bool decided = false;  // outcome known (success or failure) within this batch
  bool replay = false;   // answer from the idempotency store after commit

  void fail(Rc rc, std::string detail) {
    outcome = Outcome{rc, std::move(detail), {}, {}, false};
    decided = true;
  }
};

namespace {

using BalanceKey = std::pair<std::string, std::string>;  // (waid, currency)

struct Balance {
  int128 available = 0;
  int128 held = 0;
  bool may_go_negative = false;
  bool inserted = false;  // created by this batch's lock statement
  std::string ctid;       // where the row version read (or remembered) is: the write updates it there
  int128 available0 = 0, held0 = 0;  // as read, for the invariant check and the write's check
  bool may_go_negative0 = false;
  bool changed = false;
};

// A remembered balance was not as remembered (or a refusal rested on one): the batch
// changed nothing and runs again under locks.
struct StaleBalances : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct TxRecord {
  std::string txid, type, state, currency, method, description, source, destination, bridge, external_txid,
      external_source, external_destination, initiator;
  int128 amount = 0;
  std::uint64_t seq = 0;  // the journal's key; txid is its permutation (txids.h)
};

struct StateChange {
  std::uint64_t seq = 0;  // of the pending transaction
  std::string txid, state, external_txid, source;
};

// Rows for json_to_recordset (the balances to create), written straight
// into a string: a general JSON library costs several allocations per value here.
class Rows {
 public:
  Rows& row() {
    text_ += count_++ ? ",{" : "{";
    first_ = true;
    return *this;
  }
  Rows& str(const char* key, std::string_view value) {
    name(key);
    text_ += '"';
    for (char c : value) {
      unsigned char u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        text_ += '\\';
        text_ += c;
      } else if (u < 0x20) {
        static constexpr char kHex[] = "0123456789abcdef";
        text_ += "\\u00";
        text_ += kHex[u >> 4];
        text_ += kHex[u & 15];
      } else {
        text_ += c;
      }
    }
    text_ += '"';
    return *this;
  }
  Rows& boolean(const char* key, bool v) {
    name(key);
    text_ += v ? "true" : "false";
    return *this;
  }
  Rows& end() {
    text_ += '}';
    return *this;
  }
  std::string text() const { return "[" + text_ + "]"; }

 private:
  void name(const char* key) {
    if (!first_) text_ += ',';
    first_ = false;
    text_ += '"';
    text_ += key;
    text_ += "\":";
  }
  std::string text_;
  std::size_t count_ = 0;
  bool first_ = true;
};

}  // namespace

// Balances as the node's last committed batches left them, shared by its committers. A hint
// only: the one-statement write updates a remembered balance only where its row still holds
// exactly the remembered values (prepare_statements).
class Ledger::BalanceCache {
 public:
  explicit BalanceCache(std::size_t limit) : limit_(limit) {}

  // Every balance of `keys` into `out`; false, and nothing added, if one is not remembered.
  bool get_all(const std::map<BalanceKey, bool>& keys, std::map<BalanceKey, Balance>& out) {
    std::vector<std::pair<BalanceKey, Balance>> found;
    found.reserve(keys.size());
    {
      std::lock_guard lock(mu_);
      for (const auto& [k, system] : keys) {
        auto it = map_.find(k);
        if (it == map_.end()) return false;
        found.emplace_back(k, it->second);
      }
    }
    for (auto& [k, b] : found) out.emplace(k, std::move(b));
    return true;
  }
  void put(const BalanceKey& k, int128 available, int128 held, bool may_go_negative, const std::string& ctid) {
    Balance kept;
    kept.available = kept.available0 = available;
    kept.held = kept.held0 = held;
    kept.may_go_negative = kept.may_go_negative0 = may_go_negative;
    kept.ctid = ctid;
    std::lock_guard lock(mu_);
    if (map_.size() >= limit_ && !map_.count(k)) map_.clear();  // full: start again (rare, cheap)
    map_.insert_or_assign(k, std::move(kept));
  }
  bool set_available(const BalanceKey& k, int128 available) {
    std::lock_guard lock(mu_);
    auto it = map_.find(k);
    if (it == map_.end()) return false;
    it->second.available = it->second.available0 = available;
    return true;
  }
  void forget(const BalanceKey& k) {
    std::lock_guard lock(mu_);
    map_.erase(k);
  }

 private:
  struct Hash {
    std::size_t operator()(const BalanceKey& k) const {
      const std::size_t a = std::hash<std::string>{}(k.first), b = std::hash<std::string>{}(k.second);
      return a ^ (b + 0x9e3779b97f4a7c15ull + (a << 6) + (a >> 2));
    }
  };
  std::size_t limit_;
  std::mutex mu_;
  std::unordered_map<BalanceKey, Balance, Hash> map_;
};

namespace {

// Set when a failed batch could not be rolled back: the committer's connection is replaced.
thread_local bool t_conn_reset_needed = false;

// Columns of rows for unnest(): one PostgreSQL array literal per column, written straight
// into strings. An empty string value stays distinct from NULL (an absent value).
class Columns {
 public:
  explicit Columns(std::size_t n) : cols_(n, "{") {}
  Columns& str(std::size_t c, std::string_view v) {
    std::string& s = sep(c);
    s += '"';
    for (char ch : v) {
      if (ch == '\0') throw std::invalid_argument("a text value holds a NUL character");
      if (ch == '"' || ch == '\\') s += '\\';
      s += ch;
    }
    s += '"';
    return *this;
  }
  Columns& opt(std::size_t c, std::string_view v) { return v.empty() ? null(c) : str(c, v); }  // "" -> NULL
  Columns& units(std::size_t c, int128 v) {
    sep(c) += int128_to_string(v);
    return *this;
  }
  Columns& integer(std::size_t c, std::int64_t v) {
    sep(c) += std::to_string(v);
    return *this;
  }
  Columns& boolean(std::size_t c, bool v) {
    sep(c) += v ? 't' : 'f';
    return *this;
  }
  Columns& null(std::size_t c) {
    sep(c) += "NULL";
    return *this;
  }
  bool empty() const { return cols_.empty() || cols_[0].size() == 1; }
  // Appends the finished literals to `out`.
  void take(std::vector<std::string>& out) {
    for (auto& c : cols_) out.push_back(std::move(c) + "}");
  }

 private:
  std::string& sep(std::size_t c) {
    std::string& s = cols_.at(c);
    if (s.size() > 1) s += ',';
    return s;
  }
  std::vector<std::string> cols_;
};

template <std::size_t... I>
pqxx::result exec_with(pqxx::transaction_base& tx, const char* statement, const std::vector<std::string>& p,
                       std::index_sequence<I...>) {
  return tx.exec_prepared(statement, p.at(I)...);
}

// The hot path's statements, prepared once per committer connection.
constexpr const char* kCreateBalances = "ledger_create_balances";
constexpr const char* kWriteBatch = "ledger_write_batch";
constexpr const char* kWriteMoves = "ledger_write_moves";

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

// Everything one batch needs, built while it runs.
//
// The batch is one database transaction, begun by hand on a nontransaction so that BEGIN
// travels with the batch's first statement: a batch of transfers whose wallets are cached
// goes to the database three times (BEGIN + lock and read, write, COMMIT). Whatever may
// touch the database goes through begin() first.
class Batch {
 public:
  // `cache`: the node's remembered balances (null: none); `one_statement`: whether the batch
  // may write from them in one statement instead of locking and reading first.
  Batch(pqxx::nontransaction& tx, Currencies& currencies, WalletDirectory& wallets, const TxidCodec& txids,
        SeqBlock& seqs, Ledger::BalanceCache* cache, bool one_statement,
        const std::vector<std::shared_ptr<Ledger::Item>>& items)
      : tx_(tx), currencies_(currencies), wallets_(wallets), txids_(txids), seqs_(seqs), cache_(cache),
        may_skip_locks_(cache && one_statement), items_(items) {}

  std::vector<Ledger::Posting> postings;  // in order, for the invariant check
  std::vector<std::string> posting_txids;

  void claim_idempotency_keys();
  void prepare();  // static checks, wallet facts, system accounts, transaction locks
  void lock_balances();
  void apply();
  void check_invariants(const std::function<void(std::vector<Ledger::Posting>&)>& tamper);
  void write();
  void commit();    // COMMIT, if anything was begun; a lost connection here is in doubt
  void rollback();  // after a failure: ROLLBACK, or drop the connection
  void remember();  // after the commit: the balances as the batch left them, for the next ones
  bool one_statement() const { return one_statement_; }  // written from remembered balances

 private:
  void begin() {
    if (begun_) return;
    tx_.exec0("BEGIN");
    begun_ = true;
  }
  // A statement with its values as quoted literals, sent with BEGIN when it is the first.
  pqxx::result first_or_exec(const std::string& sql) {
    if (begun_) return tx_.exec(sql);
    begun_ = true;
    return tx_.exec("BEGIN; " + sql);
  }
  bool begun_ = false;
  // The one-statement path gives up: the batch's balances are forgotten, and it runs again
  // under locks (nothing was written).
  [[noreturn]] void stale(const std::string& why) {
    for (const auto& [key, system] : wanted_) cache_->forget(key);
    throw StaleBalances(why);
  }

  std::shared_ptr<const Currency> currency_of(Ledger::Item& item, const std::string& code);
  std::optional<int128> amount_of(Ledger::Item& item, const Currency& c, const std::string& text);
  bool may_spend_from(const Actor& actor, const WalletInfo& w) const;
  void refuse_spending(Ledger::Item& item, const WalletInfo& w, const std::string& waid, const char* param) const;
  Balance& balance(const std::string& waid, const std::string& currency) { return balances_.at({waid, currency}); }
  void add_balance(const pqxx::row& r);
  void post(const std::string& txid, const std::string& waid, const std::string& currency, int128 da, int128 dh);
  bool available_after(Ledger::Item& item, const Balance& b, int128 amount, bool negative_allowed, const std::string& code);

  pqxx::nontransaction& tx_;
  Currencies& currencies_;
  WalletDirectory& wallets_;
  const TxidCodec& txids_;
  SeqBlock& seqs_;
  Ledger::BalanceCache* cache_;
  const bool may_skip_locks_;
  bool one_statement_ = false;  // the balances came from cache_: no locks taken, nothing read
  std::map<BalanceKey, std::string> written_;  // balance -> its new row version (ctid), from the write
  const std::vector<std::shared_ptr<Ledger::Item>>& items_;

  WalletRefs info_;  // the wallets of the batch, read from the directory's cache
  std::map<BalanceKey, Balance> balances_;
  std::map<BalanceKey, bool> wanted_;  // balances to lock -> created as a system account
  // Per item (same index): resolved wallets and parsed amounts.
  struct Plan {
    std::string source, destination;  // wallets moved from / to
    std::shared_ptr<const Currency> currency;  // the shared entry of Currencies: no copy per item
    int128 amount = 0;
    std::string clearing;  // bridge clearing or issuer equity wallet
    std::uint64_t close_seq = 0;  // CloseWithdraw: the pending transaction's fields
    std::string close_source;
    int128 close_amount = 0;
    std::string close_currency;
    std::optional<std::size_t> same_deposit_as;  // the same external deposit earlier in the batch
  };
  std::vector<Plan> plans_;
  std::map<std::string, std::size_t> deposits_by_external_;  // bridge/external id -> first item
  std::vector<TxRecord> records_;
  std::vector<StateChange> state_changes_;
};

std::shared_ptr<const Currency> Batch::currency_of(Ledger::Item& item, const std::string& code) {
  auto c = currencies_.get(code);
  if (!c) {
    item.fail(Rc::BadValue, "currency " + code + " does not exist on this platform");
    return nullptr;
  }
  if (!c->enabled) {
    item.fail(Rc::BadValue, "currency " + code + " is disabled");
    return nullptr;
  }
  return c;
}

std::optional<int128> Batch::amount_of(Ledger::Item& item, const Currency& c, const std::string& text) {
  auto a = c.parse(text);
  if (!a) {
    std::string why = a.error == AmountError::TooPrecise
                          ? "amount has more decimals than " + c.code + " allows (" + std::to_string(c.decimals) + ")"
                          : "amount: " + std::string(to_string(a.error));
    item.fail(Rc::BadValue, why);
    return std::nullopt;
  }
  if (a->units() <= 0) {
    item.fail(Rc::BadValue, "amount must be greater than zero");
    return std::nullopt;
  }
  return a->units();
}

// A wallet of the caller's own profile (or a child's) it may not spend from is refused
// (10122); any other
// is answered exactly like a wallet that does not exist (the `wallet` lookup's answer), so
// that nobody learns which wallet ids exist by trying them.
void Batch::refuse_spending(Ledger::Item& item, const WalletInfo& w, const std::string& waid, const char* param) const {
  if (!w.system() && (w.upid == item.actor.upid || (!w.parent_upid.empty() && w.parent_upid == item.actor.upid)))
    return item.fail(Rc::Forbidden, std::string(param) + " " + waid + " is a wallet you may not spend from");
  item.fail(Rc::NotFound, std::string(param) + " " + waid + " does not exist");
}

bool Batch::may_spend_from(const Actor& actor, const WalletInfo& w) const {
  if (w.system()) return false;
  if (actor.superuser) return true;
  if (w.upid == actor.upid) return true;
  return actor.charge_child && !w.parent_upid.empty() && w.parent_upid == actor.upid;
}

void Batch::claim_idempotency_keys() {
  Json keys = Json::array();
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& item : items_) {
    if (!item->key) continue;
    auto k = std::make_pair(item->actor.credential, item->key->key);
    if (!seen.insert(k).second) {
      item->replay = true;  // the same key twice in one batch: the first one runs
      continue;
    }
    keys.push_back(Json{{"credential", k.first}, {"key", k.second}, {"hash", item->key->request_hash}});
  }
  if (keys.empty()) return;
  auto rows = first_or_exec(
      "INSERT INTO idempotency_keys (credential, key, request_hash, resultcode) "
      "SELECT credential, key, hash, 0 FROM json_to_recordset(" + tx_.quote(keys.dump()) +
      "::json) AS k(credential text, key text, hash text) "
      "ORDER BY credential, key ON CONFLICT DO NOTHING RETURNING credential, key");
  std::set<std::pair<std::string, std::string>> claimed;
  for (const auto& r : rows) claimed.emplace(r[0].as<std::string>(), r[1].as<std::string>());
  for (const auto& item : items_) {
    if (!item->key || item->replay) continue;
    if (!claimed.count({item->actor.credential, item->key->key})) item->replay = true;  // answered before
  }
}

void Batch::prepare() {
  plans_.assign(items_.size(), Plan{});
  // Wallet facts for every wallet named, and default wallets where none is named.
  std::vector<std::string> waids;
  for (const auto& item : items_) {
    if (item->replay) continue;
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, Transfer>) {
            waids.push_back(op.source_waid);
            waids.push_back(op.destination_waid);
          } else if constexpr (std::is_same_v<T, Withdraw> || std::is_same_v<T, Deposit>) {
            if (!op.waid.empty()) waids.push_back(op.waid);
          }
        },
        item->op);
  }
  // Anything but transfers may read or create rows here: the transaction starts now.
  bool only_transfers = true;
  for (const auto& item : items_)
    if (!item->replay && !std::holds_alternative<Transfer>(item->op)) only_transfers = false;
  if (!only_transfers) begin();
  if (!wallets_.cached(waids, info_)) {
    begin();
    wallets_.get(tx_, waids, info_);
  }
  auto wallet = [&](Ledger::Item& item, const std::string& waid, const char* param) -> const WalletInfo* {
    auto it = info_.find(waid);
    if (it == info_.end() || it->second->system()) {
      item.fail(Rc::NotFound, std::string(param) + " " + waid + " does not exist");
      return nullptr;
    }
    return it->second;
  };

  // Pending withdrawals to close: lock their rows first, in the order of their keys.
  Columns close_seqs(1);
  for (const auto& item : items_)
    if (!item->replay)
      if (auto* c = std::get_if<CloseWithdraw>(&item->op))
        if (auto seq = txids_.seq_of(c->txid)) close_seqs.integer(0, static_cast<std::int64_t>(*seq));
  std::map<std::string, pqxx::row> pending;
  if (!close_seqs.empty()) {
    std::vector<std::string> p;
    close_seqs.take(p);
    for (const auto& r : tx_.exec_params(
             "SELECT txid, type, state, method, coalesce(source_waid, ''), currency, amount::text, coalesce(bridge, ''), "
             "seq FROM transactions WHERE seq = ANY($1::bigint[]) ORDER BY seq FOR UPDATE",
             p[0]))
      pending.emplace(r[0].as<std::string>(), r);
  }

  // Deposits already recorded (the same external transaction reported twice).
  Json externals = Json::array();
  for (const auto& item : items_)
    if (!item->replay)
      if (auto* d = std::get_if<Deposit>(&item->op)) externals.push_back(Json{{"bridge", d->bridge}, {"id", d->external_txid}});
  std::map<std::pair<std::string, std::string>, pqxx::row> recorded;
  if (!externals.empty()) {
    for (const auto& r : tx_.exec_params(
             "SELECT t.bridge, t.external_txid, t.txid, coalesce(t.destination_waid, ''), t.currency, t.amount::text "
             "FROM transactions t JOIN json_to_recordset($1::json) AS e(bridge text, id text) "
             "ON t.bridge = e.bridge AND t.external_txid = e.id WHERE t.type = 'deposit'",
             externals.dump()))
      recorded.emplace(std::make_pair(r[0].as<std::string>(), r[1].as<std::string>()), r);
  }

  for (std::size_t i = 0; i < items_.size(); ++i) {
    Ledger::Item& item = *items_[i];
    if (item.replay) continue;
    Plan& plan = plans_[i];
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          if constexpr (std::is_same_v<T, Transfer>) {
            if (op.source_waid == op.destination_waid)
              return item.fail(Rc::BadValue, "sourcewaid and destinationwaid are the same wallet");
            const WalletInfo* src = wallet(item, op.source_waid, "sourcewaid");
            if (!src) return;
            const WalletInfo* dst = wallet(item, op.destination_waid, "destinationwaid");
            if (!dst) return;
            if (!may_spend_from(item.actor, *src))
              return refuse_spending(item, *src, op.source_waid, "sourcewaid");
            auto c = currency_of(item, op.currency);
            if (!c) return;
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            plan.source = op.source_waid;
            plan.destination = op.destination_waid;
            plan.currency = c;
            plan.amount = *amount;
            wanted_[{plan.source, c->code}] = false;
            wanted_[{plan.destination, c->code}] = false;
          } else if constexpr (std::is_same_v<T, Withdraw>) {
            std::string waid = op.waid;
            if (waid.empty()) {
              auto d = default_wallet(tx_, item.actor.upid);
              if (!d) return item.fail(Rc::NotFound, "your profile has no default wallet; name one with waid");
              waid = *d;
              wallets_.get(tx_, {waid}, info_);
            }
            const WalletInfo* src = wallet(item, waid, "waid");
            if (!src) return;
            if (!may_spend_from(item.actor, *src))
              return refuse_spending(item, *src, waid, "waid");
            auto c = currency_of(item, op.currency);
            if (!c) return;
            if (std::find(c->withdraw_methods.begin(), c->withdraw_methods.end(), op.method) == c->withdraw_methods.end())
              return item.fail(Rc::NotAvailable, "no " + op.method + " bridge can withdraw " + c->code + " on this platform");
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            plan.source = waid;
            plan.currency = c;
            plan.amount = *amount;
            wanted_[{waid, c->code}] = false;
          } else if constexpr (std::is_same_v<T, Deposit>) {
            const WalletInfo* dst = wallet(item, op.waid, "waid");
            if (!dst) return;
            auto c = currency_of(item, op.currency);
            if (!c) return;
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            auto ext = std::make_pair(op.bridge, op.external_txid);
            if (auto it = recorded.find(ext); it != recorded.end()) {
              const pqxx::row& r = it->second;
              bool same = r[3].as<std::string>() == op.waid && r[4].as<std::string>() == c->code &&
                          int128_from_string(r[5].as<std::string>()) == *amount;
              if (!same)
                return item.fail(Rc::AlreadyExists, "externaltransactionid " + op.external_txid +
                                                        " was recorded with another wallet, currency or amount");
              item.outcome = Outcome{Rc::Ok, {}, r[2].as<std::string>(), op.waid, true};
              item.decided = true;
              return;
            }
            if (auto [it, first] = deposits_by_external_.emplace(op.bridge + "\n" + op.external_txid, i); !first) {
              plan.same_deposit_as = it->second;  // answered with the first one's outcome
              return;
            }
            plan.destination = op.waid;
            plan.currency = c;
            plan.amount = *amount;
            plan.clearing = bridge_clearing_wallet(tx_, op.bridge);
            wanted_[{op.waid, c->code}] = false;
            wanted_[{plan.clearing, c->code}] = true;
          } else if constexpr (std::is_same_v<T, Issue>) {
            auto c = currency_of(item, op.currency);
            if (!c) return;
            if (c->type == "base" || c->issuer_upid.empty())
              return item.fail(Rc::Forbidden, c->code + " is a base currency: it cannot be issued");
            if (c->issuer_upid != item.actor.upid && !item.actor.superuser)
              return item.fail(Rc::Forbidden, "only the issuer of " + c->code + " can issue it");
            auto amount = amount_of(item, *c, op.amount);
            if (!amount) return;
            auto d = default_wallet(tx_, c->issuer_upid);
            std::string dest = d ? *d : create_wallet(tx_, c->issuer_upid, "Main", false, "");
            plan.destination = dest;
            plan.currency = c;
            plan.amount = *amount;
            plan.clearing = issuer_equity_wallet(tx_, c->issuer_upid);
            wanted_[{dest, c->code}] = false;
            wanted_[{plan.clearing, c->code}] = true;
          } else if constexpr (std::is_same_v<T, CloseWithdraw>) {
            auto it = pending.find(op.txid);
            if (it == pending.end()) return item.fail(Rc::NotFound, "transaction " + op.txid + " does not exist");
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
            wanted_[{plan.close_source, plan.close_currency}] = false;
            if (op.completed) {
              plan.clearing = bridge_clearing_wallet(tx_, op.bridge);
              wanted_[{plan.clearing, plan.close_currency}] = true;
            }
          }
        },
        item.op);
  }
}

// The advisory lock key of a balance: 63 bits of FNV-1a over "waid/currency".
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

void Batch::lock_balances() {
  if (wanted_.empty()) return;
  // Nothing read or begun so far (a batch of transfers between known wallets), and every
  // balance remembered: no locks and no read now. The write takes the locks and checks
  // each remembered balance against its row, in the one statement that commits.
  if (may_skip_locks_ && !begun_ && cache_->get_all(wanted_, balances_)) {
    one_statement_ = true;
    return;
  }
  Columns keys(2);
  for (const auto& [k, system] : wanted_) keys.str(0, k.first).str(1, k.second);
  std::vector<std::string> p{ordered_lock_keys(wanted_)};
  keys.take(p);
  // One round trip: the locks, then the read (its result is the one returned).
  auto rows = first_or_exec("EXECUTE ledger_lock_keys (" + tx_.quote(p[0]) + "); EXECUTE ledger_read_balances (" +
                            tx_.quote(p[1]) + ", " + tx_.quote(p[2]) + ")");
  for (const auto& r : rows) add_balance(r);
  if (balances_.size() == wanted_.size()) return;
  Rows missing;
  for (const auto& [k, system] : wanted_)
    if (!balances_.count(k)) missing.row().str("waid", k.first).str("currency", k.second).boolean("neg", system).end();
  for (const auto& r : tx_.exec_prepared(kCreateBalances, missing.text())) add_balance(r);
}

// A row of the read or of the creation: waid, currency, available, held, may_go_negative,
// ctid, and (creation only) whether this batch inserted it.
void Batch::add_balance(const pqxx::row& r) {
  Balance b;
  b.available = b.available0 = units_of(r[2]);
  b.held = b.held0 = units_of(r[3]);
  b.may_go_negative = b.may_go_negative0 = r[4].as<bool>();
  b.ctid = r[5].as<std::string>();
  b.inserted = r.size() > 6 && r[6].as<bool>();
  balances_.emplace(BalanceKey{r[0].as<std::string>(), r[1].as<std::string>()}, std::move(b));
}

void Batch::post(const std::string& txid, const std::string& waid, const std::string& currency, int128 da, int128 dh) {
  Balance& b = balance(waid, currency);
  if (__builtin_add_overflow(b.available, da, &b.available) || __builtin_add_overflow(b.held, dh, &b.held))
    throw InvariantViolation("balance overflow on " + waid);
  b.changed = true;
  postings.push_back({waid, currency, da, dh});
  posting_txids.push_back(txid);
}

bool Batch::available_after(Ledger::Item& item, const Balance& b, int128 amount, bool negative_allowed,
                            const std::string& code) {
  int128 after;
  if (__builtin_sub_overflow(b.available, amount, &after)) {
    item.fail(Rc::BadValue, "amount too large");
    return false;
  }
  // A user balance goes below zero only for a caller with the right negativewallet.
  if (after < 0 && !negative_allowed) {
    item.fail(Rc::InsufficientFunds, "available " + code + " balance is lower than the amount");
    return false;
  }
  return true;
}

void Batch::apply() {
  for (std::size_t i = 0; i < items_.size(); ++i) {
    Ledger::Item& item = *items_[i];
    if (item.replay || item.decided || plans_[i].same_deposit_as) continue;
    Plan& plan = plans_[i];
    const std::string initiator = item.actor.credential;
    std::visit(
        [&](const auto& op) {
          using T = std::decay_t<decltype(op)>;
          // A transaction's key and id, taken once its operation passed its checks.
          std::uint64_t seq = 0;
          std::string txid;
          auto mint = [&] {
            seq = seqs_.next(tx_);
            txid = txids_.txid_of(seq);
          };
          if constexpr (std::is_same_v<T, Transfer>) {
            Balance& src = balance(plan.source, plan.currency->code);
            Balance& dst = balance(plan.destination, plan.currency->code);
            if (!available_after(item, src, plan.amount, item.actor.negative_wallet, plan.currency->code)) return;
            int128 sum;
            if (__builtin_add_overflow(dst.available, plan.amount, &sum))
              return item.fail(Rc::BadValue, "amount too large for the destination wallet");
            if (src.available - plan.amount < 0) src.may_go_negative = true;  // allowed by negativewallet
            mint();
            post(txid, plan.source, plan.currency->code, -plan.amount, 0);
            post(txid, plan.destination, plan.currency->code, plan.amount, 0);
            records_.push_back({txid, "transfer", "Completed", plan.currency->code, "internal",
                                op.description.empty() ? "Transfer" : op.description, plan.source, plan.destination, "",
                                "", "", "", initiator, plan.amount, seq});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.source, false};
          } else if constexpr (std::is_same_v<T, Withdraw>) {
            Balance& src = balance(plan.source, plan.currency->code);
            if (!available_after(item, src, plan.amount, item.actor.negative_wallet, plan.currency->code)) return;
            if (src.available - plan.amount < 0) src.may_go_negative = true;
            mint();
            post(txid, plan.source, plan.currency->code, -plan.amount, plan.amount);  // available -> held
            records_.push_back({txid, "withdraw", "Pending", plan.currency->code, op.method,
                                op.description.empty() ? "Withdrawal" : op.description, plan.source, "", op.method, "",
                                "", op.destination_address, initiator, plan.amount, seq});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.source, false};
          } else if constexpr (std::is_same_v<T, Deposit>) {
            Balance& dst = balance(plan.destination, plan.currency->code);
            int128 sum;
            if (__builtin_add_overflow(dst.available, plan.amount, &sum))
              return item.fail(Rc::BadValue, "amount too large for the wallet");
            mint();
            post(txid, plan.clearing, plan.currency->code, -plan.amount, 0);
            post(txid, plan.destination, plan.currency->code, plan.amount, 0);
            records_.push_back({txid, "deposit", "Completed", plan.currency->code, op.bridge,
                                op.description.empty() ? "Deposit" : op.description, "", plan.destination, op.bridge,
                                op.external_txid, op.external_source_address, "", initiator, plan.amount, seq});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.destination, false};
          } else if constexpr (std::is_same_v<T, Issue>) {
            Balance& dst = balance(plan.destination, plan.currency->code);
            int128 sum;
            if (__builtin_add_overflow(dst.available, plan.amount, &sum))
              return item.fail(Rc::BadValue, "amount too large for the wallet");
            mint();
            post(txid, plan.clearing, plan.currency->code, -plan.amount, 0);
            post(txid, plan.destination, plan.currency->code, plan.amount, 0);
            records_.push_back({txid, "issue", "Completed", plan.currency->code, "internal", "Issue", "",
                                plan.destination, "", "", "", "", initiator, plan.amount, seq});
            item.outcome = Outcome{Rc::Ok, {}, txid, plan.destination, false};
          } else if constexpr (std::is_same_v<T, CloseWithdraw>) {
            // The pending withdrawal's own txid carries the closing postings.
            const std::string& pending = op.txid;
            if (op.completed) {
              post(pending, plan.close_source, plan.close_currency, 0, -plan.close_amount);   // held leaves
              post(pending, plan.clearing, plan.close_currency, plan.close_amount, 0);       // to the bridge
            } else {
              post(pending, plan.close_source, plan.close_currency, plan.close_amount, -plan.close_amount);
            }
            state_changes_.push_back(
                {plan.close_seq, pending, op.completed ? "Completed" : "Failed", op.external_txid, plan.close_source});
            item.outcome = Outcome{Rc::Ok, {}, pending, plan.close_source, false};
          }
          item.decided = true;
        },
        item.op);
  }
  // Deposits reported twice in one batch: the first one's transaction answers both.
  for (std::size_t i = 0; i < items_.size(); ++i) {
    if (!plans_[i].same_deposit_as) continue;
    Ledger::Item& item = *items_[i];
    const auto& first = *items_[*plans_[i].same_deposit_as];
    const auto& a = std::get<Deposit>(item.op);
    const auto& b = std::get<Deposit>(first.op);
    if (a.waid != b.waid || a.currency != b.currency || a.amount != b.amount) {
      item.fail(Rc::AlreadyExists, "externaltransactionid " + a.external_txid +
                                       " was recorded with another wallet, currency or amount");
      continue;
    }
    item.outcome = first.outcome;
    item.outcome.replayed = first.outcome.rc == Rc::Ok;
    item.decided = true;
  }
}

void Batch::check_invariants(const std::function<void(std::vector<Ledger::Posting>&)>& tamper) {
  if (tamper) tamper(postings);
  std::vector<InvariantInput::Balance> changed;
  for (const auto& [k, b] : balances_)
    if (b.changed) changed.push_back({k.first, k.second, b.available0, b.held0, b.available, b.held, b.may_go_negative});
  InvariantInput in;  // views of the batch's own strings
  in.postings.reserve(postings.size());
  for (std::size_t i = 0; i < postings.size(); ++i)
    in.postings.push_back({posting_txids[i], postings[i].waid, postings[i].currency, postings[i].available_delta,
                           postings[i].held_delta});
  in.balances = std::move(changed);
  if (auto violation = check(in)) throw InvariantViolation(*violation);
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

void Batch::remember() {
  if (!cache_) return;
  for (const auto& [k, b] : balances_) {
    if (b.changed) {
      // Written: its new values, at the row version the write returned.
      if (auto it = written_.find(k); it != written_.end()) cache_->put(k, b.available, b.held, b.may_go_negative, it->second);
      else cache_->forget(k);
    } else if (!one_statement_ && !b.inserted) {
      // Read under its lock and left as it was.
      cache_->put(k, b.available0, b.held0, b.may_go_negative0, b.ctid);
    }
  }
}

void Batch::commit() {
  if (!begun_) return;  // every operation was refused before touching the database
  try {
    tx_.exec0("COMMIT");
  } catch (const pqxx::broken_connection& e) {
    throw pqxx::in_doubt_error(std::string("connection lost during COMMIT: ") + e.what());
  }
  begun_ = false;
}

void Batch::rollback() {
  if (!begun_) return;
  begun_ = false;
  try {
    tx_.exec0("ROLLBACK");
  } catch (const std::exception&) {
    t_conn_reset_needed = true;
  }
}

// After commit: the answer stored for a key used before (or by a batch-mate).
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

}  // namespace

namespace {
TxidCodec load_txids(store::Pool& pool) {
  auto conn = pool.acquire();
  pqxx::nontransaction tx(*conn);
  return TxidCodec::load(tx);
}
}  // namespace

Ledger::Ledger(std::string conninfo, store::Pool& pool, LedgerOptions options)
    : conninfo_(std::move(conninfo)), currencies_(pool), txids_(load_txids(pool)), options_(options),
      cache_(options_.balance_cache ? std::make_unique<BalanceCache>(options_.balance_cache) : nullptr) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options_.committers); ++i)
    committers_.emplace_back([this] { committer_loop(); });
}

Ledger::~Ledger() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  fill_cv_.notify_all();
  for (auto& t : committers_) t.join();
}

namespace {
// What an operation contends on, as far as its request tells: the wallets it names, the
// clearing or equity account it moves against, the pending transaction it closes. Only
// batch formation uses them (to keep batches of one node from waiting for each other's
// locks); correctness rests on the database locks, so an operation whose wallet is not
// known yet (a withdrawal from the default wallet) is merely less well placed.
std::vector<std::string> conflict_keys(const Operation& op, const Actor& actor) {
  return std::visit(
      [&](const auto& o) -> std::vector<std::string> {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, Transfer>) {
          return {o.source_waid, o.destination_waid};
        } else if constexpr (std::is_same_v<T, Withdraw>) {
          return {o.waid.empty() ? "default:" + actor.upid : o.waid};
        } else if constexpr (std::is_same_v<T, Deposit>) {
          return {o.waid, "clearing:" + o.bridge};
        } else if constexpr (std::is_same_v<T, Issue>) {
          return {"issue:" + o.currency};
        } else {
          return {o.txid, "clearing:" + o.bridge};
        }
      },
      op);
}
}  // namespace

void Ledger::submit(Operation op, Actor actor, std::optional<IdempotencyKey> key, std::function<void(Outcome)> done) {
  auto item = std::make_shared<Item>();
  item->keys = conflict_keys(op, actor);
  item->op = std::move(op);
  item->actor = std::move(actor);
  item->key = std::move(key);
  item->done = std::move(done);
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      item->done(Outcome{Rc::Maintenance, "the ledger is stopping", {}, {}, false});
      return;
    }
    queue_.push_back(std::move(item));
    if (filling_ && queue_.size() >= fill_target()) fill_cv_.notify_one();
  }
  cv_.notify_one();
}

bool Ledger::misremember_for_tests(const std::string& waid, const std::string& currency, int128 available) {
  return cache_ && cache_->set_available({waid, currency}, available);
}

Ledger::Stats Ledger::stats() const { return Stats{one_statement_.load(), reruns_.load(), fill_waits_.load()}; }

Outcome Ledger::execute(Operation op, Actor actor, std::optional<IdempotencyKey> key) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  submit(std::move(op), std::move(actor), std::move(key), [promise](Outcome o) { promise->set_value(std::move(o)); });
  return future.get();
}

namespace {
thread_local std::unique_ptr<pqxx::connection> t_conn;
// The committer's block of transaction sequence numbers (its own: no lock to take).
thread_local SeqBlock t_seqs;
WalletDirectory& directory() {
  static WalletDirectory d;
  return d;
}
}  // namespace

std::vector<std::shared_ptr<Ledger::Item>> Ledger::take_batch() {
  std::vector<std::shared_ptr<Item>> batch;
  auto blocked = [&](const Item& item) {
    for (const auto& k : item.keys)
      if (in_flight_.count(k)) return true;
    return false;
  };
  // Look a bounded way down the queue: with many more waiting than a batch holds, the
  // front ones go first anyway.
  const std::size_t scan = std::max<std::size_t>(64, 4 * options_.max_batch);
  std::size_t looked = 0;
  for (auto it = queue_.begin(); it != queue_.end() && batch.size() < options_.max_batch && looked < scan; ++looked) {
    if (blocked(**it)) {
      ++it;
      continue;
    }
    batch.push_back(std::move(*it));
    it = queue_.erase(it);
  }
  // The batch's own operations may share wallets with each other (one transaction runs
  // them in order); the keys go in-flight only now.
  for (const auto& item : batch)
    for (const auto& k : item->keys) ++in_flight_[k];
  running_ops_ += batch.size();
  return batch;
}

std::size_t Ledger::fill_target() const {
  return options_.batch_wait_us ? std::min(running_ops_ / 2, options_.max_batch) : 0;
}

void Ledger::committer_loop() {
  for (;;) {
    std::vector<std::shared_ptr<Item>> batch;
    {
      std::unique_lock lock(mu_);
      for (;;) {
        if (!queue_.empty()) {
          // Group commit: while other batches are being run, a batch of a few operations
          // would pay a batch's fixed cost (a statement, a commit, a WAL flush) for little.
          // Wait a moment for it to fill: to half the size of those running, at most
          // batch_wait_us. Under light load no batch is running, and nothing waits.
          if (queue_.size() < fill_target() && !stopping_) {
            ++filling_;
            ++fill_waits_;
            fill_cv_.wait_for(lock, std::chrono::microseconds(options_.batch_wait_us),
                              [&] { return queue_.size() >= fill_target() || stopping_; });
            --filling_;
          }
          batch = take_batch();
          if (!batch.empty()) break;
        } else if (stopping_) {
          break;
        }
        // Nothing queued, or all of it waits for a running batch: a submit or the end of
        // a batch wakes us.
        cv_.wait(lock);
      }
    }
    if (batch.empty()) break;  // stopping and drained
    run_batch(batch, batch.size() == 1);
    bool more, stopping;
    {
      std::lock_guard lock(mu_);
      running_ops_ -= batch.size();
      for (const auto& item : batch)
        for (const auto& k : item->keys)
          if (auto it = in_flight_.find(k); it != in_flight_.end() && --it->second == 0) in_flight_.erase(it);
      more = !queue_.empty();
      stopping = stopping_;
    }
    // Operations left queued behind this batch may go now: this committer takes the next
    // batch itself, another one the rest. When stopping, committers waiting for this batch
    // must see the queue drained and leave.
    if (stopping) cv_.notify_all();
    else if (more) cv_.notify_one();
    if (options_.deliver) {
      for (auto& item : batch) options_.deliver([item = std::move(item)] { item->done(item->outcome); });
    } else {
      for (auto& item : batch) item->done(item->outcome);
    }
  }
  t_conn.reset();
}

void Ledger::run_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone) {
  auto reset = [&] {
    for (auto& item : batch) {
      item->outcome = Outcome{};
      item->decided = item->replay = false;
    }
  };
  bool one_statement = true;  // until a remembered balance proves stale
  for (int attempt = 1;; ++attempt) {
    try {
      if (!t_conn || !t_conn->is_open() || t_conn_reset_needed) {
        t_conn_reset_needed = false;
        t_conn.reset();
        auto conn = std::make_unique<pqxx::connection>(conninfo_);
        prepare_statements(*conn);  // a connection without its statements is not kept
        t_conn = std::move(conn);
      }
      {
        pqxx::nontransaction tx(*t_conn);
        Batch b(tx, currencies_, directory(), txids_, t_seqs, cache_.get(), one_statement, batch);
        try {
          b.claim_idempotency_keys();
          b.prepare();
          b.lock_balances();
          b.apply();
          b.check_invariants(tamper_for_tests);
          b.write();
          b.commit();
        } catch (const pqxx::in_doubt_error&) {
          throw;
        } catch (...) {
          b.rollback();
          throw;
        }
        b.remember();
        if (b.one_statement()) ++one_statement_;
      }

      for (auto& item : batch)
        if (item->replay) item->outcome = replay(*t_conn, *item);
      return;
    } catch (const StaleBalances&) {
      // Nothing was written: the batch runs again, reading its balances under their locks.
      ++reruns_;
      reset();
      one_statement = false;
      --attempt;
      continue;
    } catch (const pqxx::transaction_rollback& e) {
      // A deadlock or serialization failure rolled everything back: try the batch again.
      // (Rare: the global lock order leaves only the race of two batches creating the
      // same missing balance row.)
      if (attempt < 3) {
        log::warn("ledger batch retried", {{"error", e.what()}, {"attempt", attempt}});
        reset();
        continue;
      }
      fail_batch(batch, alone, e);
      return;
    } catch (const std::exception& e) {
      fail_batch(batch, alone, e);
      return;
    }
  }
}

void Ledger::fail_batch(std::vector<std::shared_ptr<Item>>& batch, bool alone, const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) || store::is_unavailable(e)) t_conn.reset();
  bool in_doubt = dynamic_cast<const pqxx::in_doubt_error*>(&e) != nullptr;
  if (!alone && !in_doubt) {
    // One bad operation must not fail its batch-mates: run each on its own.
    for (auto& item : batch) {
      std::vector<std::shared_ptr<Item>> single{item};
      item->outcome = Outcome{};
      item->decided = item->replay = false;
      run_batch(single, true);
    }
    return;
  }
  bool invariant = dynamic_cast<const InvariantViolation*>(&e) != nullptr;
  // The database could not be reached: nothing was committed (an interrupted commit is
  // in doubt instead), and the caller may retry (HTTP 503).
  bool unavailable = !in_doubt && store::is_unavailable(e);
  log::error(invariant ? "ledger invariant violated: transaction vetoed" : "ledger batch failed",
             {{"error", e.what()}, {"operations", batch.size()}, {"in_doubt", in_doubt}});
  for (auto& item : batch) {
    item->outcome = Outcome{Rc::SystemError,
                            in_doubt ? "the outcome is unknown: check the transaction list, or retry with the same "
                                       "Idempotency-Key"
                                     : (invariant ? "the ledger refused the transaction (invariant check)" : ""),
                            {}, {}, false};
    item->outcome.unavailable = unavailable;
  }
}

}  // namespace og::ledger
