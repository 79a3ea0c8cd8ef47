// Spec sections: system bridge, tiers, fee schedules, components; and our extensions
// (health, the generic bridge).
#include "common/catalog/entries.h"

namespace og::catalog::entries {

void system(std::vector<Endpoint>& out) {
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/active",
      .summary = "Get a list of active/instantiated bridges",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .command = "system bridge active",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/balances",
      .summary = "Return the list of balances, internal and external, for that bridge",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rate_limited = false,
      .rights = {"readsystemdata"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID"))},
      .command = "system bridge balances",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/bridge/updateaccount",
      .summary = "Update the configuration of a bridge's external account",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {P("bridgename").req().len(1, 15).one_of({"ripple", "bitcoin", "stellar", "bank", "generic"})
                     .desc("Bridge name"),
                 Num("instanceid").len(1, 2).desc("Instance ID (required: this or bridgeinstanceid)"),
                 Num("bridgeinstanceid").len(1, 2).desc("Instance ID: the spec table's spelling of instanceid"),
                 Obj("accountdata").req().len(2, 20000).hidden()
                     .desc("External account attributes, attribute_name/value pairs")},
      .command = "system bridge updateaccount",
      .notes = "accountdata may carry bridge secrets: it is masked in logs, and its secret attributes are stored "
               "encrypted and answered masked. The spec accepts ripple or bitcoin; this platform's other "
               "bridges (generic; stellar and bank when built) are accepted too. The instance ID is \"instanceid\" "
               "in the spec's example and \"bridgeinstanceid\" in its table: both are accepted, neither is "
               "marked required, the handler requires exactly one.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/{bridgename}/externalaccount/identifier",
      .summary = "Get the attribute that uniquely identifies an external account of this bridge",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name"))},
      .command = "system bridge identifier",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/{bridgename}/externalaccount/attributelist",
      .summary = "Get a list of external account attributes for a particular bridge",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name"))},
      .command = "system bridge attributelist",
      .notes = "The spec writes this path with :version and :bridgename placeholders.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/externalaccountlist",
      .summary = "Get a list of external accounts (and attributes) for a particular instance",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID"))},
      .command = "system bridge externalaccountlist",
  });

  // Suspense (our extension): deposits no wallet's address matched, or the ledger refused.
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/suspense",
      .summary = "List the deposits of a bridge instance that wait for an operator (suspense)",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID"))},
      .command = "system bridge suspense list",
      .extension = true,
      .notes = "A deposit whose address (a destination tag, a reference) no wallet has, or that the ledger "
               "refused (a currency it does not know), is kept here, never dropped.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/suspense/assign",
      .summary = "Credit a deposit in suspense to a wallet",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"manualdeposit"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID")),
                 P("externaltransactionid").req().len(1, 100).desc("The deposit, by the network's transaction ID"),
                 P("waid").req().len(21, 21).fmt(Format::Waid).desc("The wallet to credit")},
      .command = "system bridge suspense assign",
      .extension = true,
      .notes = "The deposit is credited by the next inbox round, once: it leaves suspense at once, and "
               "assigning it again is refused.",
  });

  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/suspense/dismiss",
      .summary = "Dismiss a deposit in suspense as no user's money (the operator's own funding)",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"manualdeposit"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID")),
                 P("externaltransactionid").req().len(1, 100).desc("The deposit, by the network's transaction ID"),
                 P("reason").req().len(3, 200).desc("Why it is no user's money, kept with it")},
      .command = "system bridge suspense dismiss",
      .extension = true,
      .notes = "It credits nothing and stays recorded (who, when, why); reconciliation counts it as explained "
               "(docs/reconciliation.md). Dismissing it again, or one not in suspense, is refused (10140).",
  });

  // Alerts (our extension): money a bridge credited that its network took back afterwards.
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/alerts",
      .summary = "List a bridge instance's alerts: credited deposits the network reversed",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID"))},
      .command = "system bridge alerts list",
      .extension = true,
      .notes = "A deposit credited and then reversed on its network (a reorg deeper than the confirmation count, "
               "a double spend) is an alert, never a silent change of the ledger (docs/bitcoin.md). Open ones "
               "first; the bridge's status says how many are open.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/bridge/{bridgename}-{instanceid}/alerts/acknowledge",
      .summary = "Acknowledge an alert once an operator has dealt with it",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {path(P("bridgename").len(1, 15).desc("Bridge name")),
                 path(P("instanceid").len(1, 2).fmt(Format::Digits).desc("Instance ID")),
                 P("alertid").req().len(1, 18).fmt(Format::Digits).desc("The alert, by its id")},
      .command = "system bridge alerts acknowledge",
      .extension = true,
      .notes = "Records who acknowledged it and when; acknowledging it again is refused (10140). The ledger is "
               "not changed: a correction is an operation of its own.",
  });

  // Reconciliation (our extension, docs/reconciliation.md): `omnictl bridge reconcile` for cron.
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/bridge/reconcile",
      .summary = "Reconcile bridges: balances and transactions, internal against external",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .rights = {"readsystemdata"},
      .params = {P("bridge").len(3, 18).desc("The bridge instance (NAME-ID, e.g. stellar-1), or all (the default)"),
                 P("since").len(10, 10).fmt(Format::Date).desc("First day (UTC) of the movements compared; default "
                                                              "the day before until"),
                 P("until").len(10, 10).fmt(Format::Date).desc("Last day (UTC), included; default today"),
                 Num("windowdays").len(1, 2).desc("How many days apart two records of the same amount may be to "
                                                  "match without a reference, 0 to 30 (default 3)")},
      .command = "bridge reconcile",
      .timeout_seconds = 600,
      .extension = true,
      .notes = "Never changes the ledger. The run is stored (bridge reconcile show RUN); its reconcilestatus is "
               "clean, discrepancies or unreachable, and omnictl exits 0, 2 or 3 on them. Runs are serialized "
               "across nodes; one with discrepancies mails the installation's notification address "
               "([mail] notify).",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/bridge/reconcile/runs",
      .summary = "List stored reconciliation runs, newest first",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {query(Num("limit").len(1, 3).desc("How many, 1 to 500 (default 50)"))},
      .command = "bridge reconcile list",
      .extension = true,
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/bridge/reconcile/runs/{runid}",
      .summary = "Show a stored reconciliation run: its whole report",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("runid").len(1, 18).fmt(Format::Digits).desc("The run, by its id"))},
      .command = "bridge reconcile show",
      .extension = true,
  });

  // The generic bridge (our extension; role adapter-admin).
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/bridge/generic/deposit",
      .summary = "Record a completed deposit received by an external adapter",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .financial = true,
      .rights = {"manualdeposit"},
      .params = {P("waid").req().len(21, 21).fmt(Format::Waid).desc("Wallet to credit"),
                 P("currency").req().len(3, 16).fmt(Format::Currency).desc("Currency"),
                 P("amount").req().len(1, 40).fmt(Format::Amount).desc("Amount deposited"),
                 P("externaltransactionid").req().len(1, 100)
                     .desc("The external network's transaction ID; the same ID credits once"),
                 P("externalsourceaddress").len(1, 100).desc("Where the money came from"),
                 P("description").len(1, 40).desc("Description of the transaction")},
      .command = "system bridge generic deposit",
      .extension = true,
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/bridge/generic/withdrawals",
      .summary = "List pending withdrawals made with method \"generic\"",
      .component = Component::Omnibridge,
      .access = Access::Read,
      .rights = {"closewithdraw"},
      .command = "system bridge generic withdrawals",
      .extension = true,
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/bridge/generic/withdraw/close",
      .summary = "Close a pending generic withdrawal: post it (completed) or void it (failed)",
      .component = Component::Omnibridge,
      .access = Access::Write,
      .financial = true,
      .rights = {"closewithdraw"},
      .params = {P("txid").req().len(21, 21).fmt(Format::Txid).desc("The pending withdrawal"),
                 P("status").req().len(6, 9).one_of({"completed", "failed"}).desc("Outcome"),
                 P("externaltransactionid").len(1, 100).desc("The external network's transaction ID")},
      .command = "system bridge generic close",
      .extension = true,
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/tiers",
      .summary = "Get a list of all tiers",
      .component = Component::System,
      .access = Access::Read,
      .rate_limited = false,
      .rights = {"readsystemdata", "tiermanagement"},
      .command = "system tiers list",
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/system/tiers/{level}",
      .summary = "Remove a tier, downgrading its profiles to the first lower tier",
      .component = Component::System,
      .access = Access::Write,
      .rate_limited = false,
      .rights = {"tiermanagement"},
      .params = {path(P("level").len(1, 4).fmt(Format::Digits).desc("Tier level"))},
      .command = "system tiers delete",
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/system/fee/schedule/{fsid}",
      .summary = "Remove a fee schedule, moving its profiles to the default one",
      .component = Component::System,
      .access = Access::Write,
      .rate_limited = false,
      .rights = {"systemadmin"},
      .params = {path(P("fsid").len(21, 21).fmt(Format::Fsid).desc("Fee schedule ID"))},
      .command = "system fee delete",
  });

  // Components: omnipass, omnibridge, omnipay.
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/{component}/unlock",
      .summary = "Unlock a system component with the application password",
      .component = Component::System,
      .access = Access::Write,
      .auth = Auth::Public,
      .params = {path(P("component").one_of({"omnipass", "omnibridge", "omnipay"})
                          .desc("Component to unlock")),
                 P("password").req().len(16, 16).fmt(Format::Password).desc("Application password")},
      .command = "system component unlock",
      .notes = "Public: after a restart no credential can be checked until omnipass is unlocked.",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/{component}/attributelist",
      .summary = "Get the list of system attribute descriptions of a component",
      .component = Component::System,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {path(P("component").one_of({"omnipass", "omnibridge", "omnipay"})
                          .desc("Component"))},
      .command = "system component attributelist",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/{component}/attribute",
      .summary = "Set a system attribute of a component",
      .component = Component::System,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {path(P("component").one_of({"omnipass", "omnibridge", "omnipay"})
                          .desc("Component")),
                 P("name").req().len(1, 30).desc("Attribute name"),
                 P("value").req().len(1, 400).desc("Attribute value")},
      .command = "system component attribute",
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/health",
      .summary = "Health: database reachable, schema version, component lock states; jobs and outbox",
      .component = Component::System,
      .access = Access::Read,
      .auth = Auth::Optional,
      .command = "system health",
      .extension = true,
      .notes = "Public, like Vault's sys/health, so that load balancers and monitors can poll it. A caller "
               "with the right readsystemdata (or superuser) also gets this node's id, each job's state "
               "(the node holding its lease, its last run and error, its next run) and the outbox's pending "
               "and dead message counts; anonymous callers do not (job errors are internal).",
  });

  // The outbox (ours): messages written with the change that causes them, delivered after
  // the commit by the job "outbox"; the ones that could not be delivered are dead letters.
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/system/outbox",
      .summary = "List outbox messages (e-mails waiting, delivered, or dead letters), newest first",
      .component = Component::System,
      .access = Access::Read,
      .rights = {"readsystemdata"},
      .params = {query(P("status").len(3, 7).one_of({"pending", "sent", "dead"}).desc("Only messages in this state")),
                 query(Num("limit").len(1, 4).desc("How many, 1 to 1000 (default 100)")),
                 query(P("before").len(1, 19).fmt(Format::Digits).desc("Only messages older than this id"))},
      .command = "system outbox list",
      .extension = true,
      .notes = "Shows the recipient and the subject; a message's text (which may hold a password-reset link) "
               "never leaves the secret store.",
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/system/outbox/{id}/retry",
      .summary = "Retry a dead letter of the outbox now (its age limit counts again from now)",
      .component = Component::System,
      .access = Access::Write,
      .rights = {"systemadmin"},
      .params = {path(P("id").len(1, 19).fmt(Format::Digits).desc("Outbox message id (system outbox list)"))},
      .command = "system outbox retry",
      .extension = true,
  });
}

}  // namespace og::catalog::entries
