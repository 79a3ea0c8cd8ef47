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
#include <optional>
#include <string>
#include <vector>

namespace og::ledger {
struct WalletRow;
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
  const Attribute* find(const std::string& name) const;
};

// One instance's settings from omnid.toml ([[bridge]]).
struct InstanceSettings {
  std::string type;         // "generic"
  int instance = 1;         // 1..99
  std::string description;  // "" = the type's own
  bool enabled = true;      // disabled: listed, but takes no deposits and sends no withdrawals
};

// A withdrawal the ledger holds for a bridge (state Pending), as the bridge sees it.
struct Withdrawal {
  std::string txid;         // the ledger's transaction id: travels with the submission
  std::string waid, currency;
  std::string amount;       // decimal text in the currency's precision
  std::string destination;  // the external address
  std::string description;
};

// What a submission (or a look-up after a crash) found out.
struct Submission {
  enum class Result {
    Sent,       // the network has it: external_txid names it
    Retry,      // not sent, for now (network down): try again later
    Refused,    // not sent, and never will be (bad address): the hold is voided
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
};

// One movement on the outside, for reconciliation against the ledger.
struct ExternalEntry {
  std::string external_txid;
  std::string currency, amount;  // amount signed: negative leaves the external account
  std::string address;
  std::chrono::system_clock::time_point at;
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
  // "started", "stopped" (disabled) or what is wrong ("error: rippled unreachable").
  virtual std::string status() const { return enabled() ? "started" : "stopped"; }

  // The address a wallet's deposits through this bridge carry ("" = this bridge makes none).
  virtual std::string deposit_address(const ledger::WalletRow& wallet) = 0;

  // Push bridges. submit() is called only after the submission has been recorded; after a
  // crash that left a submission recorded but its outcome unknown, find() is asked first,
  // and submit() only when find() answers that the network never saw it (Retry).
  virtual Submission submit(const Withdrawal& w);
  virtual Submission find(const Withdrawal& w);
  virtual Settlement settlement(const Withdrawal& w, const std::string& external_txid);

  // What the outside holds, per external account and currency; nullopt when this bridge
  // cannot see it (the generic adapter keeps its own books).
  virtual std::optional<std::vector<ExternalBalance>> external_balances() { return std::nullopt; }
  // The outside's movements since `since`, for reconciliation; nullopt when it cannot see them.
  virtual std::optional<std::vector<ExternalEntry>> history(std::chrono::system_clock::time_point since) {
    (void)since;
    return std::nullopt;
  }

 private:
  InstanceSettings settings_;
};

}  // namespace og::bridges
