#pragma once
// A bridge connects the ledger to one outside network or partner (the generic adapter,
// later rippled, bitcoind, Horizon, a bank). Everything the rest of omnid needs of a bridge
// is here; what every bridge shares (external accounts, the deposit inbox, the withdrawal
// state machine, balances) is built once around this interface (docs/bridges.md).
//
// A bridge is a type ("generic", "ripple") run as numbered instances ("ripple-1",
// "ripple-2"), configured in omnid.toml ([[bridge]]). Instance 1 of a type records its
// ledger transactions under the type's bare name (the `method` of wallet/withdraw, the
// `bridge` column the ledger has always written); instance N > 1 under "type-N".

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "common/json.h"
#include "common/result_codes.h"

namespace og::ledger {
class Ledger;
struct WalletRow;
}
namespace og::store {
class Pool;
}
namespace og::secrets {
class SecretStore;
}

namespace og::bridges {

// An attribute of a bridge's external accounts (system/bridge/{bridgename}/externalaccount/
// attributelist). A masked attribute is a secret: stored encrypted under the unlock keys,
// shown as "********" in every answer, never logged.
struct Attribute {
  std::string name, label;
  std::string type = "string";  // string, number, boolean
  bool masked = false;
  bool required = false;
};

// A type's external account attributes; `identifier` names the one whose value tells one
// account from another (externalaccount/identifier).
struct AccountSchema {
  std::string identifier;
  std::vector<Attribute> attributes;
  // The type's own check of account data as given (identifier included): "" or what is wrong.
  std::string (*check)(const Json& data) = nullptr;
  const Attribute* find(const std::string& name) const;
};

// One instance's settings from omnid.toml ([[bridge]]).
struct InstanceSettings {
  std::string type;         // "generic"
  int instance = 1;         // 1..99
  std::string description;  // "" = the type's own
  bool enabled = true;      // disabled: listed, but takes no deposits and sends no withdrawals
  // Network bridges (ripple): the server omnid talks to, and how.
  std::string url;               // rippled's JSON-RPC: "http://127.0.0.1:5005/"
  int timeout_seconds = 10;      // one call to the server
  int poll_seconds = 4;          // the deposit watcher's interval (a ledger closes every 3-5 s)
  int ledger_window = 20;        // a transaction expires this many ledgers after the current one
  long long max_fee_drops = 5000;  // the most one transaction may pay (the network's unit)
  std::string network = "main";  // main or test: which X-addresses are accepted
  // bitcoin: the node's wallet, its cookie file, when a deposit counts and what a send may pay.
  std::string wallet;            // "" = the node's default wallet
  std::string cookie_file;       // "" = the bridge account's rpcuser and rpcpassword
  int confirmations = 3;         // a deposit is credited and a withdrawal posted at this many (1..100)
  long long max_fee_rate = 100;  // sat/vB: the most a withdrawal pays, whatever estimatesmartfee says
  int fee_target_blocks = 6;     // estimatesmartfee's conf_target
  // stellar: the network a transaction is signed for, what one may pay, how long it may wait.
  std::string network_passphrase;       // required ("Public Global Stellar Network ; September 2015")
  long long max_fee_stroops = 10000;    // the most one transaction pays (100..10000000)
  int tx_timeout_seconds = 60;          // a withdrawal's time bounds: [0, now + this] (10..3600)
};

// What a bridge may use of the running daemon (attach()).
struct Services {
  store::Pool* pool = nullptr;
  secrets::SecretStore* secrets = nullptr;
  ledger::Ledger* ledger = nullptr;
};

// Thrown by a bridge that cannot do what it is asked now because its network cannot be
// reached or refuses for a reason of its own (its message says which; no secrets): the caller
// answers it as a system error, with the message, and nothing is changed.
struct Unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A refusal of something a caller asked a bridge for: nothing was changed.
struct Refusal {
  Rc rc = Rc::BadValue;
  std::string detail;
};

// A withdrawal the ledger holds for a bridge (state Pending), as the bridge sees it.
struct Withdrawal {
  std::string txid;         // the ledger's transaction id: travels with the submission
  std::string waid, currency;
  std::string amount;       // decimal text in the currency's precision
  std::string destination;  // the external address
  std::string description;
  // What prepare() made of it (a signed transaction), kept with the withdrawal's row.
  std::string prepared;
};

// What prepare() made: the submission to send, made once and recorded before it is sent.
struct Preparation {
  enum class Result { Ready, Retry, Refused } result = Result::Ready;
  std::string payload;  // kept in the row; handed back in Withdrawal::prepared
  std::string message;  // why, for Retry and Refused (no secrets)
  std::string external_txid;  // prepare_issue(): the signed transaction's id (its hash)
};

// currency/issueiou: an issued-currency payment from an issuing address the platform holds
// the key of, with no bookkeeping in the ledger (daemon/bridges/sends.h).
struct IssueRequest {
  std::string issuer;             // the issuing address
  std::string receiver;           // as the caller gave it (a classic address or an X-address)
  std::optional<long long> tag;   // receiverdesttag, as given (range checked by the bridge)
  std::string currency;           // the network's code ("USD")
  std::string amount;             // decimal text
};

// What a submission (or a look-up after a crash) found out.
struct Submission {
  enum class Result {
    Sent,       // the network has it: external_txid names it
    Retry,      // not sent, for now (network down): try again later
    Refused,    // not sent, and never will be (bad address): the hold is voided
    Unknown,    // find() only: the network could not be asked (down); send nothing, ask again later
  } result = Result::Retry;
  std::string external_txid;
  std::string message;  // why, for Retry and Refused (no secrets)
};

// Where a sent withdrawal stands on the network.
enum class Settlement { InFlight, Completed, Failed };

struct ExternalBalance {
  std::string identifier;  // the external account's identifying attribute
  std::string currency;
  std::string amount;      // decimal text
  // false: what the account holds on the network. true: what an issuing account of ours
  // has issued of its own currency in total (the network's obligations, the hot wallet's
  // share included): balances' externalissued (our extension).
  bool issued = false;
  // Which part of what the account holds: "" what it can spend (externalbalance);
  // "pending" received but not confirmed yet, "immature" mined but not spendable yet
  // (externalpending, externalimmature: our extensions, for Bitcoin's getbalances).
  std::string part;
};

// One movement on the outside, for reconciliation against the ledger.
struct ExternalEntry {
  std::string external_txid;
  std::string currency, amount;  // amount signed: negative leaves the external account
  std::string address;
  std::chrono::system_clock::time_point at;
};

// wallet/withdraw/test: what the network would take from us to deliver an amount, by one
// source currency (rippled's ripple_path_find).
struct QuoteRequest {
  std::string destination;                 // as the caller gave it (address, tag)
  std::string currency, amount;            // without conversion: a ledger currency and amount
  std::string destination_currency;        // with conversion: the network's "CODE/issuer" (or "XRP")
  std::string destination_amount;
  std::vector<std::string> source_currencies;  // ledger currencies the wallet may pay with
};
struct Quote {
  std::string source_currency;  // a ledger currency
  std::string source_amount;    // the most it will take, decimal text
  std::string fee;              // the network's fee, in fee_currency
  std::string fee_currency;
};

// wallet/trustlines: a trust line an address has (rippled's account_lines).
struct TrustLine {
  std::string currency;         // the network's code ("USD")
  std::string issuer_address;   // the counterparty
  std::string balance, limit;   // decimal text, as the address sees them
};

class Bridge {
 public:
  // How withdrawals reach the outside. Pull: an adapter fetches pending withdrawals and
  // reports how they ended (the generic bridge). Push: omnid submits them itself through
  // submit() and follows them with settlement() (daemon/bridges/withdrawals.h).
  enum class Delivery { Pull, Push };

  explicit Bridge(InstanceSettings settings) : settings_(std::move(settings)) {}
  virtual ~Bridge() = default;
  Bridge(const Bridge&) = delete;
  Bridge& operator=(const Bridge&) = delete;

  const std::string& type() const { return settings_.type; }
  int instance() const { return settings_.instance; }
  bool enabled() const { return settings_.enabled; }
  std::string key() const { return settings_.type + "-" + std::to_string(settings_.instance); }  // "ripple-1"
  // The name the ledger records for this instance (see the top of this file).
  std::string ledger_name() const { return settings_.instance == 1 ? settings_.type : key(); }
  std::string description() const;

  virtual std::string default_description() const = 0;
  virtual const AccountSchema& schema() const = 0;
  virtual Delivery delivery() const = 0;
  // "started", "stopped" (disabled) or what is wrong ("error: rippled unreachable": the
  // last error set_error() recorded, cleared by set_error("")).
  virtual std::string status() const {
    if (!enabled()) return "stopped";
    std::lock_guard lock(status_mu_);
    return last_error_.empty() ? "started" : "error: " + last_error_;
  }

  // Hands the bridge what it needs of the daemon (before any job runs).
  virtual void attach(const Services&) {}

  // The address a wallet's deposits through this bridge carry ("" = this bridge makes none),
  // made in `tx` (which records it in deposit_addresses). Throws Unavailable when the
  // network must be asked and cannot be.
  virtual std::string deposit_address(pqxx::work& tx, const ledger::WalletRow& wallet) = 0;

  // A withdrawal's destination and currency, checked before anything is held (a bad address,
  // a destination that requires a tag). May ask the network. nullopt: acceptable.
  virtual std::optional<Refusal> check_destination(const std::string& address, const std::string& currency) {
    (void)address;
    (void)currency;
    return std::nullopt;
  }

  // Push bridges. prepare() makes the submission once (signs it); its payload is recorded
  // with the row, in state `submitting`, before submit() sends it. submit() is called only
  // after the submission has been recorded; after a crash or a failed send that left a
  // submission recorded but its outcome unknown, find() is asked first, and submit() (of
  // the same payload) only when find() answers that the network never saw it (Retry);
  // find() answers Refused when the network will never take it (expired), and Unknown when
  // it could not find out (a bridge whose submit() is not idempotent must answer Unknown,
  // never Retry, when its network is down).
  virtual Preparation prepare(const Withdrawal& w) {
    (void)w;
    return Preparation{};
  }
  virtual Submission submit(const Withdrawal& w);
  virtual Submission find(const Withdrawal& w);
  virtual Settlement settlement(const Withdrawal& w, const std::string& external_txid);

  // Bridges that watch the outside for deposits (a job per instance, "bridge-watch:ripple-1"):
  // how often, and one round, which records what arrived (inbox.h receive()) in the
  // transaction that moves its position and returns how many it recorded. `held` is asked
  // between pages. Throws to record an error in the job's state (the network is down).
  virtual std::optional<std::chrono::milliseconds> watch_interval() const { return std::nullopt; }
  virtual int watch(const std::function<bool()>& held) {
    (void)held;
    return 0;
  }

  // Bridge currencies (currency/bridge/create): whether this bridge has them, and whether
  // `address` can issue one on its network. nullopt: it can.
  virtual std::optional<Refusal> check_issuer_address(const std::string& address) {
    (void)address;
    return Refusal{Rc::BadValue, "the " + type() + " bridge has no bridge currencies"};
  }
  // Profile addresses (currency/profileaddress/create): a new address of the network whose
  // key the platform holds (an issuing external account of this bridge), made in `tx`.
  virtual std::variant<std::string, Refusal> create_profile_address(pqxx::work& tx, const std::string& upid) {
    (void)tx;
    (void)upid;
    return Refusal{Rc::BadValue, "the " + type() + " bridge has no profile addresses"};
  }
  // A change to an address the platform holds the key of, sent to the network: a trust line
  // (currency/address/trustline) or the destination-tag-required flag
  // (currency/address/attribute). Both are idempotent on the network: sending one twice
  // leaves the same state, so they are sent at once, not through the outbox.
  struct AccountChange {
    enum class Kind { TrustLine, RequireDest } kind = Kind::TrustLine;
    std::string address;                  // ours
    std::string trusted, currency, limit; // TrustLine
    bool flag = true;                     // RequireDest: set or clear
  };
  virtual std::optional<Refusal> change_account(const AccountChange& change) {
    (void)change;
    return Refusal{Rc::BadValue, "the " + type() + " bridge has no such account settings"};
  }
  // currency/issueiou: checks everything that can be checked before anything is recorded
  // (addresses, tag, code, amount, the issuer's key, both accounts and the receiver's trust
  // line on the network) and makes the signed transaction once: a Preparation (Ready, with
  // its payload and external_txid) to record and then submit() (as a Withdrawal with only
  // `prepared` set), or a Refusal. Callers serialize calls for one issuer (sequences).
  virtual std::variant<Preparation, Refusal> prepare_issue(const IssueRequest& r) {
    (void)r;
    return Refusal{Rc::NotAvailable, "the " + type() + " bridge cannot issue IOUs"};
  }
  // wallet/withdraw/test; a Refusal (NotAvailable) when this bridge cannot quote.
  virtual std::variant<std::vector<Quote>, Refusal> quote(const QuoteRequest& q) {
    (void)q;
    return Refusal{Rc::NotAvailable, "the " + type() + " bridge cannot test withdrawals"};
  }
  // wallet/trustlines/{network}/{address}; a Refusal when this bridge has none.
  virtual std::variant<std::vector<TrustLine>, Refusal> trust_lines(const std::string& address) {
    (void)address;
    return Refusal{Rc::NotAvailable, "the " + type() + " bridge has no trust lines"};
  }
  // What the outside holds, per external account and currency; nullopt when this bridge
  // cannot see it (the generic adapter keeps its own books).
  virtual std::optional<std::vector<ExternalBalance>> external_balances() { return std::nullopt; }
  // The outside's movements since `since`, for reconciliation (deposits under their inbox id,
  // withdrawals under their external id; signed amounts); nullopt when it cannot see them
  // now. has_history(): whether this bridge has one at all (a nullopt from one that has is
  // its network being unreachable).
  virtual bool has_history() const { return false; }
  virtual std::optional<std::vector<ExternalEntry>> history(std::chrono::system_clock::time_point since) {
    (void)since;
    return std::nullopt;
  }

 protected:
  // What is wrong with the bridge now (its network unreachable, a setting missing), for
  // status(); "" when nothing is. No secrets.
  void set_error(std::string error) {
    std::lock_guard lock(status_mu_);
    last_error_ = std::move(error);
  }

 private:
  InstanceSettings settings_;
  mutable std::mutex status_mu_;
  std::string last_error_;
};

}  // namespace og::bridges
