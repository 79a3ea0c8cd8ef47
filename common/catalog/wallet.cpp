// Spec section: wallets (/wallet...): create, balances, lists, deposit addresses,
// transactions, withdraw, transfer, trust lines.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

std::vector<std::string_view> modify_rights() {
  return {"modifymyprofile", "modifychildprofile", "modifyallprofiles"};
}
std::vector<std::string_view> balance_rights() {
  return {"readwalletbalances", "readchildwalletbalances", "readallwallets", "readallbalances"};
}
std::vector<std::string_view> tx_rights() { return {"listmyswallettx", "listchildswallettx", "listallwallettx"}; }

// The rights above by tier, for the pipeline's ownership check (Endpoint::owner).
Owner modify_owner(Object o, std::string_view param) {
  return {o, param, {"modifymyprofile"}, {"modifychildprofile"}, {"modifyallprofiles"}, {}};
}
Owner balance_owner(Object o, std::string_view param) {
  return {o, param, {"readwalletbalances"}, {"readchildwalletbalances"}, {"readallwallets", "readallbalances"}, {}};
}
Owner tx_owner(Object o, std::string_view param) {
  return {o, param, {"listmyswallettx"}, {"listchildswallettx"}, {"listallwallettx"}, {}};
}
Owner receive_owner() {
  return {Object::Wallet, "waid", {"createreceivingaddress"}, {"createchildreceivingaddress"}, {}, {}};
}
// Checked inside the ledger's commit (Batch::refuse_spending, docs/ledger.md): the batch
// reads the source wallet's row under its lock anyway, so a pipeline check would add a
// query to every financial call on the hot path; the rule and its answers are the same.
constexpr std::string_view kLedgerChecks =
    "the ledger, in the commit that moves the money (it reads the source wallet under its lock anyway; a "
    "check in the pipeline would add a query to every financial call)";

Param waid_path() { return path(P("waid").len(21, 21).fmt(Format::Waid).desc("Wallet ID")); }

// Paging of a wallet's history (ours; the spec gives none): newest first, `limit` at a
// time, `before` a txid to continue from.
std::vector<Param> history_params() {
  return {query(Num("limit").len(1, 4).desc("How many transactions, 1 to 1000 (default 100)")),
          query(P("before").len(21, 21).fmt(Format::Txid).desc("Only transactions older than this one (of this wallet; 10140 otherwise)"))};
}

std::vector<Param> with(std::vector<Param> params, Param extra) {
  params.insert(params.begin(), std::move(extra));
  return params;
}

}  // namespace

void wallet(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/wallet/create",
      .summary = "Create a new wallet for default (or specific) profile",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = modify_rights(),
      .params = {P("walletname").req().len(1, 30).desc("Name of the wallet to be created"),
                 P("upid").len(21, 21).fmt(Format::Upid).desc("Profile to add wallet to"),
                 Bool("trading").desc("Is it a trading wallet"),
                 P("market").len(1, 20).desc("Associated market for a trading wallet")},
      .command = "wallet create",
      .owner = modify_owner(Object::Profile, "upid"),
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet",
      .summary = "Get balances from default (or specific) wallet",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .command = "wallet get",
      .owner = balance_owner(Object::Wallet, "waid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/{waid}",
      .summary = "Get balances from default (or specific) wallet",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .params = {waid_path()},
      .command = "wallet get",
      .owner = balance_owner(Object::Wallet, "waid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/list",
      .summary = "Get balances from all wallets",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .command = "wallet list",
      .owner = balance_owner(Object::Profile, "upid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/list/{upid}",
      .summary = "Get balances from all wallets for a specific profile",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID"))},
      .command = "wallet list",
      .owner = balance_owner(Object::Profile, "upid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/list/name_{walletname}",
      .summary = "Get wallet list, matching the name criteria, for the current profile or all profiles if the "
                 "caller is a superuser",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .params = {path(P("walletname").len(1, 30).desc("Wallet name to match"))},
      .command = "wallet listbyname",
      .notes = "walletname takes the bounds of POST /wallet/create's walletname (the spec gives none here).",
  });

  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/wallet/depositaddress",
      .summary = "Create new deposit address",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"createreceivingaddress", "createchildreceivingaddress"},
      .params = {P("method").req().len(1, 15).desc("Deposit method"),
                 P("waid").req().len(21, 21).fmt(Format::Waid).desc("Wallet ID"),
                 P("mainaddress").len(1, 50)
                     .desc("Main receiving address to use; blank: the system default receiving address")},
      .command = "wallet depositaddress create",
      .owner = receive_owner(),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/depositaddress/{depositmethod}/{currencycode}",
      .summary = "Get deposit address for currency code in default (or specific) wallet",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .params = {path(P("depositmethod").len(1, 15).desc("Deposit method")),
                 path(P("currencycode").len(3, 16).fmt(Format::Currency)
                          .desc("Currency code (base or extended currency)"))},
      .command = "wallet depositaddress get",
      .owner = balance_owner(Object::Wallet, "waid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/{waid}/depositaddress/{depositmethod}/{currencycode}",
      .summary = "Get deposit address for currency code in default (or specific) wallet",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .params = {waid_path(), path(P("depositmethod").len(1, 15).desc("Deposit method")),
                 path(P("currencycode").len(3, 16).fmt(Format::Currency)
                          .desc("Currency code (base or extended currency)"))},
      .command = "wallet depositaddress get",
      .owner = balance_owner(Object::Wallet, "waid"),
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/transactionlist",
      .summary = "List all transactions for default (or specific) wallet",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = tx_rights(),
      .params = history_params(),
      .command = "wallet transactionlist",
      .owner = tx_owner(Object::Wallet, "waid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/{waid}/transactionlist",
      .summary = "List all transactions for default (or specific) wallet",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = tx_rights(),
      .params = with(history_params(), waid_path()),
      .command = "wallet transactionlist",
      .owner = tx_owner(Object::Wallet, "waid"),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/transaction/{txid}",
      .summary = "Get details of specific transaction",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = tx_rights(),
      .params = {path(P("txid").len(21, 21).fmt(Format::Txid).desc("Transaction ID"))},
      .command = "wallet transaction",
      .owner = tx_owner(Object::Transaction, "txid"),
  });

  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/wallet/withdraw",
      .summary = "Withdraw money from the default (or specific) wallet to an external account",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .financial = true,
      .rights = {"initiatewithdraw"},
      .params = {P("amount").req().len(1, 20).fmt(Format::Amount).desc("Amount to withdraw"),
                 P("currency").req().len(3, 30).fmt(Format::Currency)
                     .desc("Currency to withdraw, an internal currency (e.g. BTC.bitstamp)"),
                 P("method").req().len(1, 15).one_of({"bank", "iban", "ripple", "bitcoin", "stellar", "generic"})
                     .desc("Withdraw method"),
                 // The spec says 50: too short for Stellar (G... has 56 characters, G...-memo id
                 // up to 77, a muxed M... 69), so 100 (docs/stellar.md).
                 P("destinationaddress").req().len(1, 100)
                     .desc("Address of the recipient (varies depending on selected method)"),
                 P("waid").len(21, 21).fmt(Format::Waid).desc("If present will withdraw from specified wallet"),
                 P("destinationamount").len(1, 20).fmt(Format::Amount)
                     .desc("Destination amount (in flight conversions)"),
                 P("destinationcurrency").len(3, 40)
                     .desc("Destination currency (in flight conversions): 3-letter code \"/\" issuer address"),
                 Obj("extrabridgedata").len(0, 1000).desc("External data for the bridge, bridge dependant")},
      .command = "wallet withdraw",
      .notes = "method also accepts \"generic\" (our generic bridge, taken by external adapters). "
               "destinationcurrency: the spec's 3-3 cannot hold its own \"code/issuer\" form; 3-40 as in "
               "withdraw/test, whose example is 37 characters. currency: the spec's 3-16 cannot hold the bridge "
               "currencies of its own examples (\"USD.starbucks.ripple\", 20): 3-30, the bound of "
               "system/currency/bridge/create's parentcurrency.",
      .owner = Owner{Object::Wallet, "waid", {"initiatewithdraw"}, {"chargechildprofile"}, {}, kLedgerChecks},
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/wallet/withdraw/test",
      .summary = "Do a test prior to the actual withdraw. Works only with Ripple for now.",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"initiatewithdraw"},
      .params = {P("amount").len(1, 20).fmt(Format::Amount)
                     .desc("Amount to withdraw (depends: amount+currency or destinationamount+destinationcurrency)"),
                 P("currency").len(3, 30).fmt(Format::Currency)
                     .desc("Currency to withdraw, an internal currency (depends, with amount)"),
                 P("method").req().len(1, 15).one_of({"ripple"}).desc("Withdraw method"),
                 P("waid").len(21, 21).fmt(Format::Waid).desc("If present will withdraw from specified wallet"),
                 P("destinationaddress").req().len(30, 50)
                     .desc("Destination address, may or may not have a destination tag"),
                 P("destinationamount").len(1, 20).fmt(Format::Amount)
                     .desc("Destination amount (in flight conversions; depends)"),
                 P("destinationcurrency").len(3, 40)
                     .desc("Destination currency: 3-letter code and issuer address delimited with a slash (depends)")},
      .command = "wallet withdrawtest",
      .timeout_seconds = 15,
      .notes = "Our answer adds feecurrency to each path (the network's fee is in XRP). Give amount and currency, "
               "or destinationamount and destinationcurrency (XRP, or CODE/issuer): one pair. currency: 3-30, "
               "as in wallet/withdraw (bridge currencies are longer than the spec's 16).",
      .owner = Owner{Object::Wallet, "waid", {"initiatewithdraw"}, {"chargechildprofile"}, {}, {}},
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/wallet/transfer",
      .summary = "Transfer money from one wallet to another",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .financial = true,
      .rights = {"initiatetransfer", "chargechildprofile"},
      .params = {P("amount").req().len(1, 12).fmt(Format::Amount).desc("Amount"),
                 P("currency").req().len(3, 16).fmt(Format::Currency).desc("Currency code"),
                 P("destinationwaid").req().len(21, 21).fmt(Format::Waid).desc("Destination wallet ID"),
                 P("sourcewaid").req().len(21, 21).fmt(Format::Waid).desc("Source wallet ID"),
                 P("bridgecurrency").len(10, 21).fmt(Format::Currency)
                     .desc("Bridge currency code. Required when transferring money to a trading wallet"),
                 P("description").len(1, 40).desc("The description string for this transaction")},
      .command = "wallet transfer",
      .notes = "amount: the spec's table says 10-12 characters but its own example is \"278.53\" (6): 1-12.",
      .owner = Owner{Object::Wallet, "sourcewaid", {"initiatetransfer"}, {"chargechildprofile"}, {}, kLedgerChecks},
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/wallet/trustlines/{network}/{address}",
      .summary = "Return the list of trust lines associated with a particular address",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = balance_rights(),
      .params = {path(P("network").len(1, 25).desc("Network name, e.g. ripple")),
                 path(P("address").len(6, 60).desc("Network address"))},
      .command = "wallet trustlines",
      .notes = "The spec gives no bounds for network and address: those of POST /currency/issueiou. Our answer adds "
               "each line's balance and limit, as the address sees them.",
  });
}

}  // namespace og::catalog::entries
