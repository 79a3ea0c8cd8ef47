#include "daemon/bridges/bitcoin/bitcoin.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <mutex>
#include <sstream>

#include "daemon/log.h"
#include "daemon/bridges/accounts.h"
#include "daemon/bridges/bitcoin/readers.h"
#include "daemon/bridges/bitcoin/rpc.h"
#include "daemon/bridges/inbox.h"
#include "daemon/ledger/queries.h"
#include "daemon/store/pool.h"

namespace og::bridges {

namespace {

using bitcoin::Rpc;
using bitcoin::RpcResult;

std::string check_account(const Json& data) {
  const std::string user = data.value("rpcuser", "");
  if (user.empty() || user.size() > 200) return "accountdata.rpcuser must be bitcoind's rpcuser (1 to 200 characters)";
  for (unsigned char c : user)
    if (c < 0x21 || c > 0x7e || c == ':') return "accountdata.rpcuser must be printable ASCII without spaces or colons";
  if (data.contains("rpcpassword")) {
    if (!data["rpcpassword"].is_string()) return "accountdata.rpcpassword must be a string";
    const auto& p = data["rpcpassword"].get_ref<const std::string&>();
    if (p.empty() || p.size() > 1000) return "accountdata.rpcpassword must be 1 to 1000 characters";
    for (unsigned char c : p)
      if (c < 0x20 || c == 0x7f) return "accountdata.rpcpassword must have no control characters";
  }
  return "";
}

// A Bitcoin address as the API takes it, before the node is asked: 14 to 90 letters and
// digits (bech32 and base58 both); the node's validateaddress decides the rest.
bool plausible_address(const std::string& a) {
  return a.size() >= 14 && a.size() <= 90 &&
         std::all_of(a.begin(), a.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

class Bitcoin final : public Bridge {
 public:
  explicit Bitcoin(InstanceSettings s)
      : Bridge(s),
        s_(std::move(s)),
        rpc_(s_.url, s_.wallet, std::chrono::seconds(s_.timeout_seconds), [this] { return credentials(); }) {}

  std::string default_description() const override { return "Bitcoin (Bitcoin Core wallet)"; }
  const AccountSchema& schema() const override { return bitcoin_schema(); }
  Delivery delivery() const override { return Delivery::Push; }
  void attach(const Services& s) override { services_ = s; }

  std::string status() const override {
    std::string base = Bridge::status();
    if (base != "started") return base;
    std::lock_guard lock(mu_);
    if (alerts_ > 0)
      return "alert: " + std::to_string(alerts_) +
             " credited deposit(s) reversed on the network (reorg or double spend); see docs/bitcoin.md";
    return "started";
  }

  std::string deposit_address(pqxx::work&, const ledger::WalletRow& wallet) override {
    RpcResult r = rpc_.wallet("getnewaddress", Json::array({wallet.waid, "bech32"}));
    if (r.ok() && r.result.is_string() && plausible_address(r.result.get<std::string>()))
      return r.result.get<std::string>();
    throw Unavailable(r.kind == RpcResult::Kind::Unreachable
                          ? "the bitcoin bridge cannot ask bitcoind now (" + r.message + "); retry later"
                          : "bitcoind made no address (getnewaddress: " + r.message + ")");
  }

  std::optional<Refusal> check_destination(const std::string& address, const std::string& currency) override {
    if (currency != "BTC") return Refusal{Rc::BadValue, "the " + ledger_name() + " bridge carries BTC only"};
    if (!plausible_address(address))
      return Refusal{Rc::BadValue, "destinationaddress must be a Bitcoin address (14 to 90 letters and digits)"};
    RpcResult r = rpc_.node("validateaddress", Json::array({address}));
    if (r.kind == RpcResult::Kind::Unreachable)
      return Refusal{Rc::SystemError, "bitcoind cannot be reached to check the destination; retry later"};
    if (!r.ok()) return Refusal{Rc::BadValue, "destinationaddress: bitcoind refused it (" + r.message + ")"};
    if (!r.result.is_object() || !r.result.contains("isvalid") || !r.result["isvalid"].is_boolean() ||
        !r.result["isvalid"].get<bool>()) {
      std::string why = r.result.is_object() && r.result.contains("error") && r.result["error"].is_string()
                            ? r.result["error"].get<std::string>()
                            : "";
      return Refusal{Rc::BadValue, "destinationaddress " + address + " is not a valid address of the node's network" +
                                       (why.empty() ? "" : " (" + why + ")")};
    }
    RpcResult mine = rpc_.wallet("getaddressinfo", Json::array({address}));
    if (mine.ok() && mine.result.is_object() && mine.result.contains("ismine") && mine.result["ismine"].is_boolean() &&
        mine.result["ismine"].get<bool>())
      return Refusal{Rc::BadValue, "destinationaddress " + address +
                                       " is an address of this platform's own wallet: use wallet/transfer"};
    return std::nullopt;
  }

  Preparation prepare(const Withdrawal& w) override {
    auto retry = [](std::string m) { return Preparation{Preparation::Result::Retry, "", std::move(m), ""}; };
    auto refuse = [](std::string m) { return Preparation{Preparation::Result::Refused, "", std::move(m), ""}; };
    if (w.currency != "BTC") return refuse("the bitcoin bridge carries BTC only");
    auto sats = bitcoin::sats_of(Json(w.amount));
    if (!sats || *sats <= 0) return refuse("amount " + w.amount + " is not a positive number of satoshis");
    RpcResult est = rpc_.node("estimatesmartfee", Json::array({s_.fee_target_blocks}));
    if (!est.ok()) return retry("estimatesmartfee: " + est.message);
    auto rate = bitcoin::fee_rate_of(est.result);
    if (!rate) return retry("bitcoind has no fee estimate yet (estimatesmartfee)");
    const long long fee_rate = std::min(*rate, s_.max_fee_rate);
    // Where the wallet stood before the send: find() searches from here.
    RpcResult best = rpc_.node("getbestblockhash");
    if (!best.ok() || !bitcoin::valid_txid(best.result)) return retry("getbestblockhash: " + best.message);
    Json payload{{"address", w.destination},
                 {"amount", bitcoin::btc_text(*sats)},
                 {"fee_rate", fee_rate},
                 {"estimated_fee_rate", *rate},
                 {"from_block", best.result}};
    return Preparation{Preparation::Result::Ready, payload.dump(), "", ""};
  }

  Submission submit(const Withdrawal& w) override {
    Json p = Json::parse(w.prepared);
    // sendtoaddress address amount comment comment_to subtractfeefromamount replaceable
    // conf_target estimate_mode avoid_reuse fee_rate: the comment is the ledger's txid.
    Json params = Json::array({p["address"], p["amount"], w.txid, "omnigate withdrawal", false, false, nullptr, "unset",
                               nullptr, p["fee_rate"]});
    RpcResult r = rpc_.wallet_once("sendtoaddress", params);
    if (r.ok()) {
      if (bitcoin::valid_txid(r.result)) return {Submission::Result::Sent, r.result.get<std::string>(), ""};
      return {Submission::Result::Retry, "", "sendtoaddress: an answer without a txid"};  // found by comment next
    }
    if (r.kind == RpcResult::Kind::Unreachable) return {Submission::Result::Retry, "", r.message};
    // Refusals made before any transaction exists: the address, the amount, a parameter.
    const std::string lower = [&] {
      std::string m = r.message;
      for (auto& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return m;
    }();
    if (r.code == -5 || r.code == -3 || r.code == -8 || lower.find("too small") != std::string::npos ||
        lower.find("dust") != std::string::npos)
      return {Submission::Result::Refused, "", "sendtoaddress refused (" + std::to_string(r.code) + "): " + r.message};
    // Everything else (insufficient funds -6, locked wallet -13, a broadcast refused after the
    // wallet kept the transaction): not final; find() looks for it before any new send.
    return {Submission::Result::Retry, "", "sendtoaddress (" + std::to_string(r.code) + "): " + r.message};
  }

  Submission find(const Withdrawal& w) override {
    if (w.prepared.empty()) return {Submission::Result::Retry, "", ""};
    Json p = Json::parse(w.prepared);
    RpcResult r = rpc_.wallet("listsinceblock", Json::array({p.value("from_block", ""), 1, false, false}));
    if (r.kind == RpcResult::Kind::Error && r.code == -5)  // the block is unknown to this node: the whole wallet
      r = rpc_.wallet("listsinceblock", Json::array({"", 1, false, false}));
    if (!r.ok()) return {Submission::Result::Unknown, "", "cannot look the withdrawal up: " + r.message};
    if (!r.result.is_object() || !r.result.contains("transactions"))
      return {Submission::Result::Unknown, "", "listsinceblock: an answer without transactions"};
    if (auto txid = bitcoin::send_with_comment(r.result, w.txid)) return {Submission::Result::Sent, *txid, ""};
    return {Submission::Result::Retry, "", ""};  // the wallet never made it: send it now
  }

  Settlement settlement(const Withdrawal& w, const std::string& txid) override {
    auto state = send_state(txid);
    if (!state) return Settlement::InFlight;  // the node cannot tell now: never void on doubt
    using S = bitcoin::SendState::State;
    if (state->state == S::Completed) {
      record_fee(w.txid, txid, state->fee);
      return Settlement::Completed;
    }
    if (state->state == S::Abandoned) return Settlement::Failed;
    if (state->state == S::Conflicted) {
      // Replaced by a transaction of our own wallet (bumpfee keeps the comment): that one counts.
      for (const auto& other : state->conflicts) {
        RpcResult r = rpc_.wallet("gettransaction", Json::array({other}));
        if (r.kind == RpcResult::Kind::Error && r.code == -5) continue;  // not the wallet's: another's spend
        if (!r.ok()) return Settlement::InFlight;
        auto o = bitcoin::send_state_of(r.result, s_.confirmations);
        if (!o) return Settlement::InFlight;
        if (o->comment != w.txid || o->state == S::Conflicted || o->state == S::Abandoned) continue;
        if (o->state != S::Completed) return Settlement::InFlight;
        record_fee(w.txid, other, o->fee);
        return Settlement::Completed;
      }
      return Settlement::Failed;  // double-spent by another transaction: the money never left
    }
    return Settlement::InFlight;
  }

  // For reconciliation: the wallet's receives in the chain and its sends since `since`,
  // from listtransactions pages (newest first) until one reaches back before it. nullopt
  // when bitcoind cannot be asked or answers what cannot be read, never a partial history.
  bool has_history() const override { return true; }
  std::optional<std::vector<ExternalEntry>> history(std::chrono::system_clock::time_point since) override {
    constexpr int kPage = 1000;
    const long long since_s = std::chrono::duration_cast<std::chrono::seconds>(since.time_since_epoch()).count();
    std::vector<ExternalEntry> out;
    for (long long skip = 0; skip < 1'000'000'000LL; skip += kPage) {
      RpcResult r = rpc_.wallet("listtransactions", Json::array({"*", kPage, skip}));
      if (!r.ok()) return std::nullopt;
      auto page = bitcoin::history_of(r.result);
      if (!page) return std::nullopt;
      for (auto& e : page->entries)
        if (e.at >= since) out.push_back(std::move(e));
      if (page->records < static_cast<std::size_t>(kPage) || (page->oldest && page->oldest < since_s)) return out;
    }
    return std::nullopt;
  }

  std::optional<std::vector<ExternalBalance>> external_balances() override {
    RpcResult r = rpc_.wallet("getbalances");
    if (!r.ok()) return std::nullopt;
    auto b = bitcoin::balances_of(r.result);
    if (!b) return std::nullopt;
    const std::string id = s_.wallet.empty() ? "bitcoind" : s_.wallet;
    return std::vector<ExternalBalance>{{id, "BTC", b->trusted, false, ""},
                                        {id, "BTC", b->pending, false, "pending"},
                                        {id, "BTC", b->immature, false, "immature"}};
  }

  std::optional<std::chrono::milliseconds> watch_interval() const override {
    if (!enabled()) return std::nullopt;
    return std::chrono::seconds(s_.poll_seconds);
  }

  int watch(const std::function<bool()>& held) override {
    // Not configured yet: said in the bridge's status, not as a failing job every round.
    if (!credentials()) {
      set_error("no RPC credentials (a cookie_file in omnid.toml, or the bridge account's rpcuser and rpcpassword)");
      return 0;
    }
    try {
      int n = held() ? watch_round() : 0;
      set_error("");
      return n;
    } catch (const std::exception& e) {
      set_error(e.what());
      throw;
    }
  }

 private:
  std::optional<bitcoin::SendState> send_state(const std::string& txid) {
    RpcResult r = rpc_.wallet("gettransaction", Json::array({txid}));
    if (!r.ok()) return std::nullopt;
    return bitcoin::send_state_of(r.result, s_.confirmations);
  }

  void record_fee(const std::string& withdrawal, const std::string& txid, const std::string& fee) {
    auto conn = services_.pool->acquire();
    pqxx::work tx(*conn);
    auto r = tx.exec_params(
        "UPDATE bridge_withdrawals SET network_fee = nullif($2, '') WHERE txid = $1 RETURNING coalesce(external_txid, '')",
        withdrawal, fee);
    tx.commit();
    // A replacement (bumpfee) settled it: the ledger keeps the txid it was sent with.
    if (!r.empty() && r[0][0].as<std::string>() != txid)
      log::info("bitcoin withdrawal settled by a replacement",
                {{"bridge", key()}, {"withdrawal", withdrawal}, {"sent_as", r[0][0].as<std::string>()}, {"settled_as", txid}});
  }

  // "user:password": the cookie file as bitcoind wrote it, or the bridge account's.
  std::optional<std::string> credentials() {
    if (!s_.cookie_file.empty()) {
      std::ifstream in(s_.cookie_file);
      std::string line;
      if (!in || !std::getline(in, line)) return std::nullopt;
      while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.pop_back();
      if (line.find(':') == std::string::npos) return std::nullopt;
      return line;
    }
    {
      std::lock_guard lock(creds_mu_);
      if (creds_ && !rpc_.refused_credentials() && std::chrono::steady_clock::now() - creds_at_ < std::chrono::seconds(60))
        return creds_;
    }
    if (!services_.pool || !services_.secrets) return std::nullopt;
    std::optional<std::string> found;
    try {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto r = tx.exec_params(
          "SELECT id, identifier FROM bridge_accounts WHERE bridge = $1 AND instance = $2 ORDER BY id LIMIT 1", type(),
          instance());
      if (!r.empty()) {
        Json secrets = account_secrets(tx, *services_.secrets, r[0][0].as<long long>());
        if (secrets.contains("rpcpassword") && secrets["rpcpassword"].is_string())
          found = r[0][1].as<std::string>() + ":" + secrets["rpcpassword"].get<std::string>();
      }
    } catch (const std::exception& e) {
      log::warn("bridge RPC credentials cannot be read", {{"bridge", key()}, {"error", e.what()}});
      return std::nullopt;
    }
    std::lock_guard lock(creds_mu_);
    creds_ = found;
    creds_at_ = std::chrono::steady_clock::now();
    return found;
  }

  // Where the watcher stands: the wallet's lastblock, under the wallet's name.
  std::string position_account() const { return "wallet:" + s_.wallet; }

  int watch_round() {
    std::string lastblock;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto r = tx.exec_params(
          "SELECT position ->> 'lastblock' FROM bridge_positions WHERE bridge = $1 AND instance = $2 AND account = $3",
          type(), instance(), position_account());
      if (!r.empty() && !r[0][0].is_null()) lastblock = r[0][0].as<std::string>();
    }
    // blockhash target_confirmations include_watchonly include_removed
    RpcResult r = rpc_.wallet("listsinceblock", Json::array({lastblock, s_.confirmations, false, true}));
    if (r.kind == RpcResult::Kind::Error && r.code == -5)
      throw std::runtime_error("listsinceblock: the node does not know the block " + lastblock +
                               " the watcher stands at (another node or wallet?); see docs/bitcoin.md");
    if (!r.ok()) throw std::runtime_error("listsinceblock: " + r.message);
    auto seen = bitcoin::deposits_of(r.result, s_.confirmations);
    if (!seen) throw std::runtime_error("listsinceblock: an answer without a valid lastblock or transactions");
    for (const auto& why : seen->unreadable) log::warn("bitcoin deposit left out", {{"bridge", key()}, {"why", why}});
    // Outputs reversed on the network (a reorg removed their block, or a double spend
    // conflicted them) are never recorded; one recorded already is an alert.
    std::vector<std::string> reversed;
    for (const auto& k : seen->conflicted) reversed.push_back(k);
    for (const auto& k : seen->removed)
      if (!seen->conflicted.count(k)) reversed.push_back(k);
    std::vector<Arrival> ready;
    for (auto& a : seen->ready)
      if (!seen->conflicted.count(a.external_txid)) ready.push_back(std::move(a));
    auto conn = services_.pool->acquire();
    pqxx::work tx(*conn);
    const int recorded = receive_all(tx, *this, ready);
    if (!reversed.empty()) flag_reversed(tx, reversed, *seen);
    tx.exec_params(
        "INSERT INTO bridge_positions (bridge, instance, account, position) VALUES ($1, $2, $3, $4::jsonb) "
        "ON CONFLICT (bridge, instance, account) DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
        type(), instance(), position_account(), Json{{"lastblock", seen->lastblock}}.dump());
    const long long open_alerts =
        tx.exec_params("SELECT count(*) FROM bridge_alerts WHERE bridge = $1 AND instance = $2 AND acknowledged_at IS NULL",
                       type(), instance())[0][0]
            .as<long long>();
    tx.commit();
    {
      std::lock_guard lock(mu_);
      alerts_ = open_alerts;
    }
    return recorded;
  }

  // Recorded outputs the network took back: not credited yet, they go to suspense
  // (refused, with why); credited already, an alert for operators (bridge_alerts).
  void flag_reversed(pqxx::work& tx, const std::vector<std::string>& keys, const bitcoin::DepositsSeen& seen) {
    const std::string list = Json(keys).dump();
    for (const auto& row : tx.exec_params(
             "SELECT external_txid, state, coalesce(txid, '') FROM bridge_inbox WHERE bridge = $1 AND instance = $2 "
             "AND external_txid IN (SELECT json_array_elements_text($3::json))",
             type(), instance(), list)) {
      const std::string key = row[0].as<std::string>(), state = row[1].as<std::string>();
      const bool conflicted = seen.conflicted.count(key) > 0;
      const std::string what = conflicted ? "double-spent: a conflicting transaction is in the chain"
                               : seen.confirmed.count(key)
                                   ? "its block left the chain in a reorg; it is in the new chain again"
                                   : "its block left the chain in a reorg; it is not in the new chain";
      if (state == "credited") {
        auto r = tx.exec_params(
            "INSERT INTO bridge_alerts (bridge, instance, external_txid, kind, txid, message) VALUES ($1, $2, $3, $4, "
            "nullif($5, ''), $6) ON CONFLICT DO NOTHING",
            type(), instance(), key, conflicted ? "conflict" : "reorg", row[2].as<std::string>(),
            "deposit " + key + " was credited (" + row[2].as<std::string>() + ") and then " + what);
        if (r.affected_rows() > 0)
          log::error("ALERT: a credited deposit was reversed on the network",
                     {{"bridge", key_name()}, {"deposit", key}, {"what", what}, {"txid", row[2].as<std::string>()}});
      } else if (state == "received" || state == "unmatched") {
        tx.exec_params(
            "UPDATE bridge_inbox SET state = 'refused', message = $4, settled_at = now() WHERE bridge = $1 AND "
            "instance = $2 AND external_txid = $3 AND state IN ('received', 'unmatched')",
            type(), instance(), key, "reversed on the network before it was credited: " + what);
        log::warn("bitcoin deposit reversed before it was credited", {{"bridge", key_name()}, {"deposit", key}, {"what", what}});
      }
    }
  }
  std::string key_name() const { return key(); }

  InstanceSettings s_;
  Services services_;
  Rpc rpc_;
  mutable std::mutex mu_;
  long long alerts_ = 0;
  std::mutex creds_mu_;
  std::optional<std::string> creds_;
  std::chrono::steady_clock::time_point creds_at_{};
};

}  // namespace

const AccountSchema& bitcoin_schema() {
  static const AccountSchema schema{
      .identifier = "rpcuser",
      .attributes = {
          {.name = "rpcuser", .label = "bitcoind's rpcuser", .type = "string", .masked = false, .required = true},
          {.name = "rpcpassword", .label = "bitcoind's rpcpassword", .type = "string", .masked = true, .required = false},
          {.name = "label", .label = "What the account is for", .type = "string", .masked = false, .required = false},
      },
      .check = check_account};
  return schema;
}

std::unique_ptr<Bridge> make_bitcoin(InstanceSettings settings) { return std::make_unique<Bitcoin>(std::move(settings)); }

}  // namespace og::bridges
