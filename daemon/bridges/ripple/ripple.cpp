#include "daemon/bridges/ripple/ripple.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <mutex>
#include <set>
#include <random>

#include "common/crypto.h"
#include "daemon/bridges/accounts.h"
#include "daemon/bridges/inbox.h"
#include "daemon/bridges/ripple/amounts.h"
#include "daemon/bridges/ripple/keys.h"
#include "daemon/bridges/ripple/readers.h"
#include "daemon/bridges/ripple/rpc.h"
#include "daemon/bridges/xrpl/keys.h"
#include "daemon/ledger/ledger.h"
#include "daemon/ledger/queries.h"
#include "daemon/store/pool.h"

namespace og::bridges {

namespace {

using ripple::Rpc;
using ripple::RpcResult;

// AccountRoot flags (https://xrpl.org/docs/references/protocol/ledger-data/ledger-entry-types/accountroot).
constexpr std::uint32_t kRequireDestTag = 0x00020000;
constexpr int kPage = 200;  // account_tx page size

std::string check_account(const Json& data) {
  const std::string address = data.value("address", "");
  if (!ripple::valid_classic_address(address))
    return "accountdata.address must be a classic XRP Ledger address (r..., with a valid checksum)";
  if (data.contains("seed")) {
    if (!data["seed"].is_string()) return "accountdata.seed must be a family seed (s...)";
    auto of_seed = ripple::address_of_seed(data["seed"].get<std::string>());
    if (!of_seed) return "accountdata.seed is not a family seed (s... or sEd..., with a valid checksum)";
    if (*of_seed != address) return "accountdata.seed is the seed of another address than accountdata.address";
  }
  return "";
}

// The memo that carries the ledger's transaction id with a withdrawal (MemoType "omnigate/txid").
std::string hex_of(const std::string& s) { return crypto::hex_encode(s, /*upper=*/true); }

struct HotWallet {
  long long id = 0;
  std::string address;
};

class Ripple final : public Bridge {
 public:
  explicit Ripple(InstanceSettings s)
      : Bridge(s), s_(std::move(s)), rpc_(s_.url, std::chrono::seconds(s_.timeout_seconds)) {}

  std::string default_description() const override { return "XRP Ledger (rippled)"; }
  const AccountSchema& schema() const override { return ripple_schema(); }
  Delivery delivery() const override { return Delivery::Push; }
  void attach(const Services& s) override { services_ = s; }

  std::string deposit_address(pqxx::work& tx, const ledger::WalletRow&) override {
    auto hot = hot_wallet(tx);
    if (!hot) return "";
    // A tag of its own, unguessable from the wallet (tags are public, wallet counts are not).
    std::random_device rd;
    std::uniform_int_distribution<std::uint32_t> dist(10000000u, 4294967295u);
    for (int i = 0; i < 20; ++i) {
      std::string address = hot->address + "-" + std::to_string(dist(rd));
      if (tx.exec_params("SELECT 1 FROM deposit_addresses WHERE address = $1", address).empty()) return address;
    }
    throw std::runtime_error("no free destination tag found in 20 tries");
  }

  std::optional<Refusal> check_destination(const std::string& address, const std::string& currency) override {
    std::string why;
    auto d = ripple::parse_destination(address, s_.network == "test", why);
    if (!d) return Refusal{Rc::BadValue, "destinationaddress: " + why};
    if (auto problem = currency_problem(currency)) return problem;
    RpcResult r = rpc_.call("account_info", Json{{"account", d->account}, {"ledger_index", "validated"}});
    if (r.kind == RpcResult::Kind::Unreachable)
      return Refusal{Rc::SystemError, "the XRP Ledger cannot be reached to check the destination; retry later"};
    if (r.kind == RpcResult::Kind::Error) {
      if (r.error == "actNotFound") return std::nullopt;  // a payment of enough XRP creates it
      return Refusal{Rc::BadValue, "destinationaddress: rippled refused it (" + r.error + ")"};
    }
    const auto flags = r.result["account_data"].value("Flags", std::uint32_t{0});
    if ((flags & kRequireDestTag) && !d->tag)
      return Refusal{Rc::BadValue, "destinationaddress " + d->account +
                                       " requires a destination tag: give it as address-tag or as an X-address"};
    return std::nullopt;
  }

  Preparation prepare(const Withdrawal& w) override {
    auto retry = [](std::string m) { return Preparation{Preparation::Result::Retry, "", std::move(m)}; };
    auto refuse = [](std::string m) { return Preparation{Preparation::Result::Refused, "", std::move(m)}; };
    std::string why;
    auto dest = ripple::parse_destination(w.destination, s_.network == "test", why);
    if (!dest) return refuse("destination address: " + why);
    Json amount = payment_amount(w.currency, w.amount, why);
    if (amount.is_null()) return refuse(why);
    std::string seed;
    HotWallet hot;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto h = hot_wallet(tx);
      if (!h) return retry("the bridge has no hot wallet (system/bridge/updateaccount)");
      hot = *h;
      Json secrets = account_secrets(tx, *services_.secrets, hot.id);
      if (!secrets.contains("seed")) return retry("the hot wallet's seed is not set (system/bridge/updateaccount)");
      seed = secrets["seed"].get<std::string>();
    }
    if (dest->account == hot.address) return refuse("a withdrawal to the hot wallet itself");
    // The fee and the sequence come from the server, never from a constant.
    RpcResult fee = rpc_.call("fee");
    if (!fee.ok()) return retry("fee: " + fee.error);
    const auto fee_of = ripple::fee_drops_of(fee.result);
    if (!fee_of) return retry("fee: the server reported no fee");
    const long long fee_drops = *fee_of;
    if (fee_drops > s_.max_fee_drops)
      return retry("the network's fee (" + std::to_string(fee_drops) + " drops) is above max_fee_drops (" +
                   std::to_string(s_.max_fee_drops) + ")");
    RpcResult info = rpc_.call("account_info", Json{{"account", hot.address}, {"ledger_index", "current"}});
    if (!info.ok()) return retry("account_info of the hot wallet: " + info.error);
    long long sequence = info.result["account_data"].value("Sequence", 0LL);
    const long long current = info.result.value("ledger_current_index", 0LL);
    if (sequence <= 0 || current <= 0) return retry("account_info: no sequence or ledger index");
    sequence = std::max(sequence, next_sequence_in_flight(hot.address));
    Json tx{{"TransactionType", "Payment"},
            {"Account", hot.address},
            {"Destination", dest->account},
            {"Amount", amount},
            {"Fee", std::to_string(fee_drops)},
            {"Flags", 0},
            {"Sequence", sequence},
            {"LastLedgerSequence", current + s_.ledger_window}};
    if (dest->tag) tx["DestinationTag"] = *dest->tag;
    tx["Memos"] = Json::array({Json{{"Memo", Json{{"MemoType", hex_of("omnigate/txid")}, {"MemoData", hex_of(w.txid)}}}}});
    ripple::SignedTx signed_tx;
    try {
      signed_tx = ripple::sign(tx, seed);
    } catch (const std::exception& e) {
      return refuse(std::string("cannot sign: ") + e.what());
    }
    Json payload{{"hash", signed_tx.hash},         {"blob", signed_tx.blob},
                 {"account", hot.address},         {"sequence", sequence},
                 {"first_ledger", current},        {"last_ledger_sequence", current + s_.ledger_window},
                 {"fee", std::to_string(fee_drops)}};
    return Preparation{Preparation::Result::Ready, payload.dump(), ""};
  }

  Submission submit(const Withdrawal& w) override {
    Json p = Json::parse(w.prepared);
    const std::string hash = p["hash"];
    RpcResult r = rpc_.call("submit", Json{{"tx_blob", p["blob"]}});
    if (r.kind == RpcResult::Kind::Unreachable) return {Submission::Result::Retry, "", "submit: " + r.error};
    if (r.kind == RpcResult::Kind::Error) return {Submission::Result::Refused, "", "submit refused: " + r.error + " " + r.message};
    const std::string engine = r.result.value("engine_result", "");
    // https://xrpl.org/docs/references/protocol/transactions/transaction-results
    if (engine == "tesSUCCESS" || engine == "terQUEUED" || engine == "terPRE_SEQ" || engine == "tefALREADY" ||
        engine.rfind("tec", 0) == 0)
      return {Submission::Result::Sent, hash, engine};  // settled by what a validated ledger says
    if (engine == "tefPAST_SEQ") {
      // The sequence is used: by this very transaction (an answer lost), or by another.
      Submission found = find(w);
      if (found.result == Submission::Result::Sent) return found;
      return {Submission::Result::Refused, "", "the sequence " + p["sequence"].dump() + " of " + p.value("account", "") +
                                                   " was used by another transaction"};
    }
    if (engine.rfind("tel", 0) == 0 || engine.rfind("ter", 0) == 0)
      return {Submission::Result::Retry, "", "submit: " + engine};  // not applied, not relayed: the same blob later
    return {Submission::Result::Refused, "", "submit: " + engine + " " + r.result.value("engine_result_message", "")};
  }

  Submission find(const Withdrawal& w) override {
    if (w.prepared.empty()) return {Submission::Result::Retry, "", ""};
    Json p = Json::parse(w.prepared);
    const std::string hash = p["hash"];
    RpcResult r = rpc_.call("tx", Json{{"transaction", hash},
                                       {"min_ledger", p["first_ledger"]},
                                       {"max_ledger", p["last_ledger_sequence"]}});
    if (r.ok()) {
      // Validated with another result than tesSUCCESS (a tec: the fee claimed, nothing
      // delivered): said in the message; settlement() fails it.
      std::string result;
      if (r.result.value("validated", false) && r.result.contains("meta") && r.result["meta"].is_object())
        result = r.result["meta"].value("TransactionResult", "");
      return {Submission::Result::Sent, hash, result == "tesSUCCESS" ? "" : result};
    }
    if (r.kind == RpcResult::Kind::Error && r.error == "txnNotFound" && r.result.value("searched_all", false))
      return {Submission::Result::Refused, "",
              "expired: validated ledgers passed LastLedgerSequence " + p["last_ledger_sequence"].dump() + " without it"};
    return {Submission::Result::Retry, "", r.error};  // not seen yet: the same blob again
  }

  Settlement settlement(const Withdrawal& w, const std::string& hash) override {
    Json p = Json::parse(w.prepared.empty() ? "{}" : w.prepared);
    Json params{{"transaction", hash}};
    if (p.contains("first_ledger")) {
      params["min_ledger"] = p["first_ledger"];
      params["max_ledger"] = p["last_ledger_sequence"];
    }
    RpcResult r = rpc_.call("tx", params);
    if (r.ok()) {
      if (!r.result.value("validated", false)) return Settlement::InFlight;
      const std::string result = r.result["meta"].value("TransactionResult", "");
      return result == "tesSUCCESS" ? Settlement::Completed : Settlement::Failed;
    }
    if (r.kind == RpcResult::Kind::Error && r.error == "txnNotFound" && r.result.value("searched_all", false))
      return Settlement::Failed;  // never validated before LastLedgerSequence: it never will be
    return Settlement::InFlight;
  }

  std::optional<Refusal> check_issuer_address(const std::string& address) override {
    if (!ripple::valid_classic_address(address))
      return Refusal{Rc::BadValue, "issueraddress must be a classic XRP Ledger address (r..., with a valid checksum)"};
    return std::nullopt;
  }

  std::variant<std::string, Refusal> create_profile_address(pqxx::work& tx, const std::string& upid) override {
    if (!services_.secrets) return Refusal{Rc::SystemError, "no secret store"};
    xrpl::Seed seed = xrpl::generate_seed(xrpl::KeyType::secp256k1);
    const std::string seed_text = xrpl::encode_seed(seed);
    const std::string address = xrpl::classic_address(xrpl::derive_keypair(seed).public_key);
    Json data{{"address", address}, {"seed", seed_text}, {"label", "profile address of " + upid},
              {"issuing", true}, {"description", "profile address of " + upid}};
    UpdateResult r = update_account(tx, *services_.secrets, *this, data);
    if (r.problem) return Refusal{r.problem->rc, r.problem->detail};
    return address;
  }

  std::optional<Refusal> change_account(const AccountChange& change) override {
    Json tx;
    if (change.kind == AccountChange::Kind::TrustLine) {
      if (!ripple::valid_classic_address(change.trusted))
        return Refusal{Rc::BadValue, "trustedaddress must be a classic XRP Ledger address (r..., with a valid checksum)"};
      if (change.trusted == change.address) return Refusal{Rc::BadValue, "an address cannot trust itself"};
      const bool standard = change.currency.size() == 3 && change.currency != "XRP" &&
                            std::all_of(change.currency.begin(), change.currency.end(),
                                        [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); });
      if (!standard) return Refusal{Rc::BadValue, "currencycode must be a 3-character code other than XRP"};
      auto limit = ripple::value_to_decimal(change.limit);
      if (!limit || limit->front() == '-') return Refusal{Rc::BadValue, "amount must be a decimal of at least 0"};
      tx = Json{{"TransactionType", "TrustSet"},
                {"LimitAmount", Json{{"currency", change.currency}, {"issuer", change.trusted}, {"value", *limit}}},
                {"Flags", 0}};
    } else {
      // asfRequireDest (https://xrpl.org/docs/references/protocol/transactions/types/accountset#accountset-flags)
      tx = Json{{"TransactionType", "AccountSet"}, {"Flags", 0}};
      tx[change.flag ? "SetFlag" : "ClearFlag"] = 1;
    }
    return send_from(change.address, std::move(tx));
  }

  std::variant<Preparation, Refusal> prepare_issue(const IssueRequest& q) override {
    auto bad = [](std::string m) { return Refusal{Rc::BadValue, std::move(m)}; };
    // The request itself, before any database or network.
    if (!ripple::valid_classic_address(q.issuer))
      return bad("issueraddress must be a classic XRP Ledger address (r..., with a valid checksum)");
    std::string why;
    auto dest = ripple::parse_destination(q.receiver, s_.network == "test", why);
    if (!dest) return bad("receiveraddress: " + why);
    if (q.tag) {
      if (*q.tag < 0 || *q.tag > 4294967295LL) return bad("receiverdesttag must be a number from 0 to 4294967295");
      if (dest->tag && *dest->tag != static_cast<std::uint32_t>(*q.tag))
        return bad("receiverdesttag " + std::to_string(*q.tag) + " differs from the tag " + std::to_string(*dest->tag) +
                   " the receiveraddress carries");
      dest->tag = static_cast<std::uint32_t>(*q.tag);
    }
    if (dest->account == q.issuer) return bad("receiveraddress is the issueraddress itself");
    const bool standard = q.currency.size() == 3 && q.currency != "XRP" &&
                          std::all_of(q.currency.begin(), q.currency.end(),
                                      [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); });
    if (!standard) return bad("currencycode must be a 3-character code other than XRP");
    auto value = issued_value(q.amount, why);
    if (!value) return bad(why);
    // The issuer: an issuing account of this bridge whose key the platform holds.
    std::string seed;
    std::optional<HotWallet> hot;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      hot = hot_wallet(tx);
      auto r = tx.exec_params(
          "SELECT id FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND identifier = $3 AND issuing",
          type(), instance(), q.issuer);
      if (r.empty())
        return Refusal{Rc::NotFound, "issueraddress " + q.issuer + " is not an issuing address of the " + key() +
                                         " bridge"};
      Json secrets = account_secrets(tx, *services_.secrets, r[0][0].as<long long>());
      if (!secrets.contains("seed") || !secrets["seed"].is_string())
        return Refusal{Rc::NotFound, "issueraddress " + q.issuer + ": the platform does not hold its key"};
      seed = secrets["seed"].get<std::string>();
    }
    // "If you send IOUs to your hot wallet, destination tag (receiverdesttag) must be present."
    if (hot && dest->account == hot->address && !dest->tag)
      return Refusal{Rc::MissingParameter,
                     "receiverdesttag (an issue to the hot wallet needs the tag of the wallet it is for)"};
    // The network: both accounts exist, the receiver trusts the issuer for the code.
    auto unreachable = [](const RpcResult& r, const char* what) {
      return Refusal{Rc::SystemError, std::string("the XRP Ledger cannot be reached (") + what + ": " + r.error +
                                          "); retry later"};
    };
    RpcResult fee = rpc_.call("fee");
    if (!fee.ok()) return unreachable(fee, "fee");
    const auto fee_of = ripple::fee_drops_of(fee.result);
    if (!fee_of) return Refusal{Rc::SystemError, "fee: the server reported no fee; retry later"};
    const long long fee_drops = *fee_of;
    if (fee_drops > s_.max_fee_drops)
      return Refusal{Rc::SystemError, "the network's fee (" + std::to_string(fee_drops) +
                                          " drops) is above max_fee_drops; retry later"};
    RpcResult info = rpc_.call("account_info", Json{{"account", q.issuer}, {"ledger_index", "current"}});
    if (info.kind == RpcResult::Kind::Error && info.error == "actNotFound")
      return Refusal{Rc::NotAvailable, "issueraddress " + q.issuer + " is not funded yet: send it XRP (the reserve) first"};
    if (!info.ok()) return unreachable(info, "account_info");
    long long sequence = info.result["account_data"].value("Sequence", 0LL);
    const long long current = info.result.value("ledger_current_index", 0LL);
    if (sequence <= 0 || current <= 0) return Refusal{Rc::SystemError, "account_info: no sequence or ledger index"};
    RpcResult to = rpc_.call("account_info", Json{{"account", dest->account}, {"ledger_index", "validated"}});
    if (to.kind == RpcResult::Kind::Error && to.error == "actNotFound")
      return bad("receiveraddress " + dest->account + " does not exist on the XRP Ledger (an IOU cannot create it)");
    if (!to.ok()) return unreachable(to, "account_info");
    if ((to.result["account_data"].value("Flags", std::uint32_t{0}) & kRequireDestTag) && !dest->tag)
      return bad("receiveraddress " + dest->account + " requires a destination tag: give receiverdesttag");
    RpcResult lines = rpc_.call("account_lines", Json{{"account", dest->account}, {"peer", q.issuer},
                                                      {"ledger_index", "validated"}, {"limit", 400}});
    if (!lines.ok()) return unreachable(lines, "account_lines");
    bool trusts = false;
    for (const auto& l : lines.result.value("lines", Json::array()))
      if (l.value("currency", "") == q.currency && l.value("account", "") == q.issuer) {
        auto limit = ripple::value_to_decimal(l.value("limit", ""));
        trusts = limit && *limit != "0" && limit->front() != '-';
      }
    if (!trusts)
      return bad("receiveraddress " + dest->account + " has no trust line to " + q.issuer + " for " + q.currency);
    sequence = std::max(sequence, next_sequence_in_flight(q.issuer));
    Json tx{{"TransactionType", "Payment"},
            {"Account", q.issuer},
            {"Destination", dest->account},
            {"Amount", Json{{"currency", q.currency}, {"issuer", q.issuer}, {"value", *value}}},
            {"Fee", std::to_string(fee_drops)},
            {"Flags", 0},
            {"Sequence", sequence},
            {"LastLedgerSequence", current + s_.ledger_window}};
    if (dest->tag) tx["DestinationTag"] = *dest->tag;
    ripple::SignedTx signed_tx;
    try {
      signed_tx = ripple::sign(tx, seed);
    } catch (const std::exception& e) {
      return bad(std::string("cannot sign: ") + e.what());
    }
    Json payload{{"hash", signed_tx.hash},  {"blob", signed_tx.blob},
                 {"account", q.issuer},      {"sequence", sequence},
                 {"first_ledger", current},  {"last_ledger_sequence", current + s_.ledger_window},
                 {"fee", std::to_string(fee_drops)}};
    Preparation p;
    p.payload = payload.dump();
    p.external_txid = signed_tx.hash;
    return p;
  }

  std::variant<std::vector<Quote>, Refusal> quote(const QuoteRequest& q) override {
    std::string why;
    auto dest = ripple::parse_destination(q.destination, s_.network == "test", why);
    if (!dest) return Refusal{Rc::BadValue, "destinationaddress: " + why};
    Json amount;
    if (!q.destination_currency.empty()) {
      amount = network_amount(q.destination_currency, q.destination_amount, why);
      if (amount.is_null()) return Refusal{Rc::BadValue, why};
    } else {
      if (auto problem = currency_problem(q.currency)) return *problem;
      amount = payment_amount(q.currency, q.amount, why);
      if (amount.is_null()) return Refusal{Rc::BadValue, why};
    }
    std::optional<HotWallet> hot;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      hot = hot_wallet(tx);
    }
    if (!hot) return Refusal{Rc::NotAvailable, "the " + ledger_name() + " bridge has no hot wallet yet"};
    // What the wallet may pay with, in the network's terms (rippled takes at most 18).
    Json sources = Json::array();
    for (const auto& code : q.source_currencies) {
      if (sources.size() >= 18) break;
      if (code == "XRP") {
        sources.push_back(Json{{"currency", "XRP"}});
      } else if (!currency_problem(code)) {
        auto c = services_.ledger->currencies().find(code);
        sources.push_back(Json{{"currency", c->code.substr(0, c->code.find('.'))}, {"issuer", c->issuer_address}});
      }
    }
    if (sources.empty()) return std::vector<Quote>{};
    RpcResult paths = rpc_.call("ripple_path_find", Json{{"source_account", hot->address},
                                                         {"destination_account", dest->account},
                                                         {"destination_amount", amount},
                                                         {"source_currencies", sources}});
    if (paths.kind == RpcResult::Kind::Unreachable)
      return Refusal{Rc::SystemError, "the XRP Ledger cannot be reached; retry later"};
    if (paths.kind == RpcResult::Kind::Error)
      return Refusal{Rc::BadValue, "ripple_path_find: " + paths.error + (paths.message.empty() ? "" : " (" + paths.message + ")")};
    RpcResult fee = rpc_.call("fee");
    if (!fee.ok()) return Refusal{Rc::SystemError, "fee: " + fee.error};
    // The fee a withdrawal would pay now (prepare reads it the same way).
    const auto fee_drops = ripple::fee_drops_of(fee.result);
    auto fee_xrp = fee_drops ? ripple::drops_to_xrp(std::to_string(*fee_drops)) : std::nullopt;
    if (!fee_xrp) return Refusal{Rc::SystemError, "fee: the server reported no fee"};
    return ripple::quotes_of(paths.result.value("alternatives", Json::array()), *fee_xrp,
                             [this](const std::string& c, const std::string& i) { return currency_code_of(c, i); });
  }

  std::variant<std::vector<TrustLine>, Refusal> trust_lines(const std::string& address) override {
    if (!ripple::valid_classic_address(address))
      return Refusal{Rc::BadValue, "address must be a classic XRP Ledger address (r..., with a valid checksum)"};
    std::vector<TrustLine> out;
    Json marker;
    for (int page = 0; page < 50; ++page) {
      Json params{{"account", address}, {"ledger_index", "validated"}, {"limit", 400}};
      if (!marker.is_null()) params["marker"] = marker;
      RpcResult r = rpc_.call("account_lines", params);
      if (r.kind == RpcResult::Kind::Unreachable)
        return Refusal{Rc::SystemError, "the XRP Ledger cannot be reached; retry later"};
      if (r.kind == RpcResult::Kind::Error) {
        if (r.error == "actNotFound") return Refusal{Rc::NotFound, "account " + address + " does not exist on the XRP Ledger"};
        return Refusal{Rc::BadValue, "account_lines: " + r.error};
      }
      for (auto& l : ripple::trust_lines_of(r.result.value("lines", Json::array()))) out.push_back(std::move(l));
      if (!r.result.contains("marker") || r.result["marker"].is_null()) break;
      marker = r.result["marker"];
    }
    return out;
  }

  // For reconciliation: the hot wallet's payments in and out since `since`, from account_tx
  // newest first until a page reaches back before it. nullopt when rippled cannot be asked,
  // never a partial history.
  bool has_history() const override { return true; }
  std::optional<std::vector<ExternalEntry>> history(std::chrono::system_clock::time_point since) override {
    std::string hot_address;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto hot = hot_wallet(tx);
      if (!hot) return std::vector<ExternalEntry>{};
      hot_address = hot->address;
    }
    auto currency_of = [this](const std::string& c, const std::string& i) { return currency_code_of(c, i); };
    std::vector<ExternalEntry> out;
    Json marker;
    for (int page = 0; page < 10'000; ++page) {
      Json params{{"account", hot_address}, {"ledger_index_min", -1}, {"ledger_index_max", -1}, {"forward", false},
                  {"limit", kPage}};
      if (!marker.is_null()) params["marker"] = marker;
      RpcResult r = rpc_.call("account_tx", params);
      if (r.kind == RpcResult::Kind::Error && r.error == "actNotFound") return out;  // never funded: nothing moved
      if (!r.ok()) return std::nullopt;
      bool before = false;
      for (const auto& t : r.result.value("transactions", Json::array())) {
        auto e = ripple::history_entry_of(t, hot_address, currency_of);
        if (!e) continue;
        if (e->at < since) {
          before = true;
          continue;
        }
        out.push_back(std::move(*e));
      }
      if (before || !r.result.contains("marker") || r.result["marker"].is_null()) return out;
      marker = r.result["marker"];
    }
    return std::nullopt;
  }

  std::optional<std::vector<ExternalBalance>> external_balances() override {
    std::vector<ExternalBalance> out;
    std::optional<HotWallet> hot;
    std::vector<std::string> issuing;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      hot = hot_wallet(tx);
      for (const auto& r : tx.exec_params(
               "SELECT identifier FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND issuing ORDER BY id",
               type(), instance()))
        issuing.push_back(r[0].as<std::string>());
    }
    if (hot) {
      RpcResult info = rpc_.call("account_info", Json{{"account", hot->address}, {"ledger_index", "validated"}});
      if (info.ok()) {
        if (auto xrp = ripple::drops_to_xrp(info.result["account_data"].value("Balance", "")))
          out.push_back({hot->address, "XRP", *xrp, false});
      } else if (info.error != "actNotFound") {
        throw std::runtime_error("account_info: " + info.error);
      }
      // What the hot wallet holds of issued currencies: its side of each trust line. A
      // positive balance is the peer's IOU that the hot wallet holds; a negative one is the
      // hot wallet's own IOU that the peer holds (the issuer's view of a line is negative):
      // that currency's issuer is the hot wallet, not the peer.
      Json marker;
      for (int page = 0; info.ok() && page < 50; ++page) {
        Json params{{"account", hot->address}, {"ledger_index", "validated"}, {"limit", 400}};
        if (!marker.is_null()) params["marker"] = marker;
        RpcResult lines = rpc_.call("account_lines", params);
        if (!lines.ok()) throw std::runtime_error("account_lines: " + lines.error);
        for (const auto& l : lines.result.value("lines", Json::array())) {
          auto v = ripple::value_to_decimal(l.value("balance", ""));
          if (!v || *v == "0") continue;
          const std::string issuer = v->front() == '-' ? hot->address : l.value("account", "");
          out.push_back({hot->address, currency_code_of(l.value("currency", ""), issuer), *v, false});
        }
        if (!lines.result.contains("marker") || lines.result["marker"].is_null()) break;
        marker = lines.result["marker"];
      }
    }
    // What our own issuing addresses have issued in total: gateway_balances' obligations
    // (every holder but the hot wallet) plus what the hot wallet holds of them.
    for (const auto& address : issuing) {
      Json params{{"account", address}, {"ledger_index", "validated"}};
      if (hot) params["hotwallet"] = Json::array({hot->address});
      RpcResult g = rpc_.call("gateway_balances", params);
      if (g.kind == RpcResult::Kind::Error && g.error == "actNotFound") continue;  // not funded yet
      if (!g.ok()) throw std::runtime_error("gateway_balances: " + g.error);
      std::map<std::string, std::vector<std::string>> issued;  // code -> values
      if (g.result.contains("obligations") && g.result["obligations"].is_object())
        for (auto it = g.result["obligations"].begin(); it != g.result["obligations"].end(); ++it)
          if (it.value().is_string()) issued[it.key()].push_back(it.value().get<std::string>());
      if (hot && g.result.contains("balances") && g.result["balances"].is_object() &&
          g.result["balances"].contains(hot->address) && g.result["balances"][hot->address].is_array())
        for (const auto& b : g.result["balances"][hot->address])
          if (b.is_object() && b.contains("value") && b["value"].is_string())
            issued[b.value("currency", "")].push_back(b["value"].get<std::string>());
      for (const auto& [network_code, values] : issued) {
        const std::string currency = currency_code_of(network_code, address);
        if (currency.find('/') != std::string::npos) continue;  // no bridge currency of ours
        for (const auto& value : values)
          if (auto v = ripple::value_to_decimal(value)) out.push_back({address, currency, *v, true});
      }
    }
    return out;
  }

  std::optional<std::chrono::milliseconds> watch_interval() const override {
    if (!enabled()) return std::nullopt;
    return std::chrono::seconds(s_.poll_seconds);
  }

  int watch(const std::function<bool()>& held) override {
    try {
      ensure_default_ripple();
      int n = watch_round(held);
      set_error("");
      return n;
    } catch (const std::exception& e) {
      set_error(e.what());
      throw;
    }
  }

 private:
  std::optional<HotWallet> hot_wallet(pqxx::transaction_base& tx) const {
    auto r = tx.exec_params(
        "SELECT id, identifier FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND NOT issuing "
        "ORDER BY id LIMIT 1",
        type(), instance());
    if (r.empty()) return std::nullopt;
    return HotWallet{r[0][0].as<long long>(), r[0][1].as<std::string>()};
  }

  // The next sequence after those of this hot wallet's withdrawals still in flight.
  long long next_sequence_in_flight(const std::string& account) const {
    auto conn = services_.pool->acquire();
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec_params(
        "SELECT greatest((SELECT coalesce(max((prepared::jsonb ->> 'sequence')::bigint), 0) FROM bridge_withdrawals "
        "WHERE bridge = $1 AND instance = $2 AND prepared IS NOT NULL AND prepared::jsonb ->> 'account' = $3 "
        "AND state IN ('pending', 'submitting', 'submitted')), "
        "(SELECT coalesce(max((prepared::jsonb ->> 'sequence')::bigint), 0) FROM bridge_sends "
        "WHERE bridge = $1 AND instance = $2 AND account = $3 AND state IN ('submitting', 'submitted')))",
        type(), instance(), account);
    return r[0][0].as<long long>() + 1;
  }

  // The ledger currency a network amount is in: XRP, or the bridge currency of this
  // bridge with that code and issuer. Unknown ones keep the network's names ("USD/rIssuer"),
  // which no ledger currency has: the ledger refuses them and they wait in suspense.
  std::string currency_code_of(const std::string& code, const std::string& issuer) const {
    if (services_.ledger)
      for (const auto& c : services_.ledger->currencies().all())
        if (c.type == "bridge" && (c.bridge == ledger_name() || c.bridge == type()) && c.issuer_address == issuer &&
            c.code.substr(0, c.code.find('.')) == code)
          return c.code;
    return code + "/" + issuer;
  }

  std::optional<Refusal> currency_problem(const std::string& currency) const {
    if (currency == "XRP") return std::nullopt;
    auto c = services_.ledger ? services_.ledger->currencies().find(currency) : std::nullopt;
    if (!c || c->type != "bridge" || (c->bridge != ledger_name() && c->bridge != type()) || c->issuer_address.empty())
      return Refusal{Rc::BadValue, currency + " is not a currency of the " + ledger_name() + " bridge"};
    return std::nullopt;
  }

  // An issued value as the API takes it: a positive plain decimal within the XRP Ledger's
  // precision for issued currencies (15 significant digits), normalized ("010.50" -> "10.5").
  static std::optional<std::string> issued_value(const std::string& amount, std::string& why) {
    const bool plain = !amount.empty() && amount.front() != '.' && amount.back() != '.' &&
                       std::count(amount.begin(), amount.end(), '.') <= 1 &&
                       std::all_of(amount.begin(), amount.end(),
                                   [](char ch) { return ch == '.' || std::isdigit(static_cast<unsigned char>(ch)); });
    auto v = plain ? ripple::value_to_decimal(amount) : std::nullopt;
    if (!v || *v == "0") {
      why = "amount must be a positive decimal (digits, optionally a point and more digits)";
      return std::nullopt;
    }
    std::string digits;
    for (char ch : *v)
      if (ch != '.') digits += ch;
    digits.erase(0, digits.find_first_not_of('0'));
    while (!digits.empty() && digits.back() == '0') digits.pop_back();
    if (digits.size() > 15) {
      why = "amount " + amount + " has more than 15 significant digits (the XRP Ledger's precision for issued currencies)";
      return std::nullopt;
    }
    return v;
  }

  Json payment_amount(const std::string& currency, const std::string& amount, std::string& why) const {
    if (currency == "XRP") {
      auto d = ripple::xrp_to_drops(amount);
      if (!d) why = "amount " + amount + " is not a whole number of drops";
      return d ? Json(*d) : Json();
    }
    if (auto problem = currency_problem(currency)) {
      why = problem->detail;
      return Json();
    }
    auto c = services_.ledger->currencies().find(currency);
    return Json{{"currency", c->code.substr(0, c->code.find('.'))}, {"issuer", c->issuer_address}, {"value", amount}};
  }

  // Signs `tx` with the key of `address` (an external account of this bridge whose seed the
  // platform holds), with the server's fee, the account's sequence and a LastLedgerSequence,
  // and submits it. For transactions that are idempotent on the network (TrustSet,
  // AccountSet): a lost answer or a retry leaves the same state.
  std::optional<Refusal> send_from(const std::string& address, Json tx) {
    std::string seed;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction rtx(*conn);
      auto r = rtx.exec_params("SELECT id FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND identifier = $3",
                               type(), instance(), address);
      if (r.empty()) return Refusal{Rc::NotFound, "address " + address + " is not one the platform holds the key of"};
      Json secrets = account_secrets(rtx, *services_.secrets, r[0][0].as<long long>());
      if (!secrets.contains("seed")) return Refusal{Rc::NotFound, "address " + address + " has no seed on this platform"};
      seed = secrets["seed"].get<std::string>();
    }
    RpcResult fee = rpc_.call("fee");
    if (!fee.ok()) return Refusal{Rc::SystemError, "the XRP Ledger cannot be reached (fee: " + fee.error + ")"};
    const auto fee_drops = ripple::fee_drops_of(fee.result);
    if (!fee_drops) return Refusal{Rc::SystemError, "fee: the server reported no fee; retry later"};
    if (*fee_drops > s_.max_fee_drops)
      return Refusal{Rc::SystemError, "the network's fee is above max_fee_drops; retry later"};
    RpcResult info = rpc_.call("account_info", Json{{"account", address}, {"ledger_index", "current"}});
    if (info.kind == RpcResult::Kind::Error && info.error == "actNotFound")
      return Refusal{Rc::NotAvailable, "address " + address + " is not funded yet: send it XRP (the reserve) first"};
    if (!info.ok()) return Refusal{Rc::SystemError, "the XRP Ledger cannot be reached (account_info: " + info.error + ")"};
    tx["Account"] = address;
    tx["Fee"] = std::to_string(*fee_drops);
    // After the ones of this address still in flight (currency/issueiou's sends).
    tx["Sequence"] = std::max(info.result["account_data"].value("Sequence", 0LL), next_sequence_in_flight(address));
    tx["LastLedgerSequence"] = info.result.value("ledger_current_index", 0LL) + s_.ledger_window;
    ripple::SignedTx signed_tx;
    try {
      signed_tx = ripple::sign(tx, seed);
    } catch (const std::exception& e) {
      return Refusal{Rc::BadValue, std::string("cannot sign: ") + e.what()};
    }
    RpcResult r = rpc_.call("submit", Json{{"tx_blob", signed_tx.blob}});
    if (!r.ok()) return Refusal{Rc::SystemError, "the XRP Ledger cannot be reached (submit: " + r.error + ")"};
    const std::string engine = r.result.value("engine_result", "");
    if (engine == "tesSUCCESS" || engine == "terQUEUED") return std::nullopt;
    return Refusal{Rc::BadValue, "the XRP Ledger refused it: " + engine + " " + r.result.value("engine_result_message", "")};
  }

  // Issuing addresses the platform holds the key of get DefaultRipple as soon as they exist
  // on the network, so that their IOUs ripple between holders (a hot wallet never gets it).
  void ensure_default_ripple() {
    std::vector<std::string> issuing;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      for (const auto& r : tx.exec_params(
               "SELECT identifier FROM bridge_accounts WHERE bridge = $1 AND instance = $2 AND issuing "
               "AND secret IS NOT NULL ORDER BY id",
               type(), instance()))
        issuing.push_back(r[0].as<std::string>());
    }
    for (const auto& address : issuing) {
      {
        std::lock_guard lock(mu_);
        if (default_ripple_.count(address)) continue;
      }
      RpcResult info = rpc_.call("account_info", Json{{"account", address}, {"ledger_index", "validated"}});
      if (!info.ok()) continue;  // not funded yet
      constexpr std::uint32_t kDefaultRipple = 0x00800000;  // lsfDefaultRipple
      if (info.result["account_data"].value("Flags", std::uint32_t{0}) & kDefaultRipple) {
        std::lock_guard lock(mu_);
        default_ripple_.insert(address);
        continue;
      }
      (void)send_from(address, Json{{"TransactionType", "AccountSet"}, {"Flags", 0}, {"SetFlag", 8}});
    }
  }

  // An amount in the network's own terms: "XRP", or "CODE/issuer" as withdraw/test's
  // destinationcurrency gives it (a currency the platform need not know).
  Json network_amount(const std::string& currency, const std::string& amount, std::string& why) const {
    if (currency == "XRP") {
      auto d = ripple::xrp_to_drops(amount);
      if (!d) why = "destinationamount " + amount + " is not a whole number of drops";
      return d ? Json(*d) : Json();
    }
    const auto slash = currency.find('/');
    const std::string code = currency.substr(0, slash), issuer = slash == std::string::npos ? "" : currency.substr(slash + 1);
    const bool standard = code.size() == 3 && code != "XRP" &&
                          std::all_of(code.begin(), code.end(), [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)); });
    if (slash == std::string::npos || !standard || !ripple::valid_classic_address(issuer)) {
      why = "destinationcurrency must be XRP or a 3-character code and an issuer address delimited with a slash (USD/r...)";
      return Json();
    }
    auto v = ripple::value_to_decimal(amount);
    if (!v || v->front() == '-' || *v == "0") {
      why = "destinationamount must be a positive decimal";
      return Json();
    }
    return Json{{"currency", code}, {"issuer", issuer}, {"value", *v}};
  }

  // One round of the deposit watcher: account_tx pages from the persisted position.
  int watch_round(const std::function<bool()>& held) {
    std::string hot_address;
    {
      auto conn = services_.pool->acquire();
      pqxx::read_transaction tx(*conn);
      auto hot = hot_wallet(tx);
      if (!hot) return 0;
      hot_address = hot->address;
    }
    int recorded = 0;
    for (int page = 0; page < 1000 && held(); ++page) {
      Json position = load_position(hot_address);
      Json params{{"account", hot_address},
                  {"ledger_index_min", position.value("ledger_min", -1LL)},
                  {"ledger_index_max", -1},
                  {"forward", true},
                  {"limit", kPage}};
      if (position.contains("marker") && !position["marker"].is_null()) params["marker"] = position["marker"];
      RpcResult r = rpc_.call("account_tx", params);
      // No ledger validated since the last round: the range starts past the newest one.
      if (r.kind == RpcResult::Kind::Error && r.error == "lgrIdxsInvalid" && !params.contains("marker")) break;
      if (!r.ok()) throw std::runtime_error("account_tx: " + r.error + (r.message.empty() ? "" : " (" + r.message + ")"));
      std::vector<Arrival> arrivals;
      for (const auto& t : r.result.value("transactions", Json::array()))
        if (auto a = arrival_of(t, hot_address)) arrivals.push_back(std::move(*a));
      Json next = Json::object();
      const bool more = r.result.contains("marker") && !r.result["marker"].is_null();
      if (more) {
        next["ledger_min"] = position.value("ledger_min", -1LL);
        next["marker"] = r.result["marker"];
      } else {
        next["ledger_min"] = r.result.value("ledger_index_max", position.value("ledger_min", -1LL) - 1) + 1;
      }
      auto conn = services_.pool->acquire();
      pqxx::work tx(*conn);
      recorded += receive_all(tx, *this, arrivals);
      tx.exec_params(
          "INSERT INTO bridge_positions (bridge, instance, account, position) VALUES ($1, $2, $3, $4::jsonb) "
          "ON CONFLICT (bridge, instance, account) DO UPDATE SET position = EXCLUDED.position, updated_at = now()",
          type(), instance(), hot_address, next.dump());
      tx.commit();
      if (!more) break;
    }
    return recorded;
  }

  Json load_position(const std::string& account) const {
    auto conn = services_.pool->acquire();
    pqxx::read_transaction tx(*conn);
    auto r = tx.exec_params(
        "SELECT position::text FROM bridge_positions WHERE bridge = $1 AND instance = $2 AND account = $3", type(),
        instance(), account);
    return r.empty() ? Json::object() : Json::parse(r[0][0].as<std::string>());
  }

  std::optional<Arrival> arrival_of(const Json& t, const std::string& hot) const {
    return ripple::arrival_of(t, hot, [this](const std::string& c, const std::string& i) { return currency_code_of(c, i); });
  }

  InstanceSettings s_;
  Services services_;
  mutable Rpc rpc_;
  mutable std::mutex mu_;
  std::set<std::string> default_ripple_;  // issuing addresses seen with DefaultRipple
};

}  // namespace

const AccountSchema& ripple_schema() {
  static const AccountSchema schema{
      .identifier = "address",
      .attributes = {
          {.name = "address", .label = "Classic address (r...)", .type = "string", .masked = false, .required = true},
          {.name = "seed", .label = "Family seed (s...): signs withdrawals", .type = "string", .masked = true,
           .required = false},
          {.name = "label", .label = "What the account is for", .type = "string", .masked = false, .required = false},
      },
      .check = check_account};
  return schema;
}

std::unique_ptr<Bridge> make_ripple(InstanceSettings settings) { return std::make_unique<Ripple>(std::move(settings)); }

}  // namespace og::bridges
