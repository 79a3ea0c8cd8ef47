// Reconciliation (our extension, docs/reconciliation.md): every bridge instance in scope,
// internal against external, at two levels, stored as a run.
//   - Balances: per currency, what users hold through the bridge against what the bridge
//     holds outside (system/bridge/.../balances' rows): the drift, the part explained by
//     withdrawals in flight, and a shortfall when the outside holds less than is owed.
//   - Transactions: the ledger's deposits and sent withdrawals through the bridge against the
//     bridge's history(), matched by og::reconcile::match (daemon/reconcile/matcher.h).
// A run never changes the ledger; runs are serialized across nodes by an advisory lock held
// for the run (released by PostgreSQL if the node dies); one with discrepancies mails the
// installation's notification address through the outbox, in the transaction that stores it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>

#include "daemon/app.h"
#include "daemon/bridges/registry.h"
#include "daemon/config.h"
#include "daemon/ledger/ledger.h"
#include "daemon/mail/mailer.h"
#include "daemon/modules/omnibridge/omnibridge.h"
#include "daemon/modules/params.h"
#include "daemon/outbox/outbox.h"
#include "daemon/reconcile/matcher.h"
#include "daemon/secrets/secret_store.h"
#include "daemon/store/pool.h"

namespace og::omnibridge {

namespace {

namespace rc = og::reconcile;
using std::chrono::days;
using std::chrono::system_clock;

constexpr int kFine = Amount::kMaxScale;  // both sides compared at 18 decimals
constexpr std::size_t kMaxListed = 10'000;  // discrepancies listed per bridge (all are counted)
constexpr long long kLockKey = 0x6f6d6e6972656331LL;  // the runs' advisory lock

std::optional<int> parse_day(const std::string& text) {
  unsigned y = 0, m = 0, d = 0;
  char tail = 0;
  if (text.size() != 10 || std::sscanf(text.c_str(), "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(static_cast<int>(y)), std::chrono::month(m),
                                        std::chrono::day(d)};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days(ymd).time_since_epoch().count();
}

std::string day_text(int day) {
  const std::chrono::year_month_day ymd{std::chrono::sys_days(days(day))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

int day_of(system_clock::time_point t) { return static_cast<int>(std::chrono::floor<days>(t).time_since_epoch().count()); }

int128 pow10(int n) {
  int128 f = 1;
  for (int i = 0; i < n; ++i) f *= 10;
  return f;
}

// Fine units as text in the currency's decimals when that is exact, else with every decimal.
std::string shown(const ledger::Currency& c, int128 fine) {
  const int128 factor = pow10(kFine - c.decimals);
  if (fine % factor == 0) return c.format(fine / factor);
  std::string text = Amount::from_units(fine, kFine)->to_string();
  while (text.back() == '0') text.pop_back();
  return text;
}

std::optional<int128> fine_of(const std::string& text) {
  auto a = Amount::parse(text, kFine, /*allow_negative=*/true);
  if (!a) return std::nullopt;
  return a->units();
}

struct Side {
  std::vector<rc::Record> records;
  std::vector<char> in_flight;  // internal: a withdrawal the network has, not settled yet
};

// The ledger's side: deposits credited through the bridge and withdrawals the network was
// given (submitted or completed), dated by their posting, in [from, to).
Side internal_side(App& app, bridges::Bridge& b, int from, int to) {
  Side s;
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  const std::string from_text = day_text(from), to_text = day_text(to);
  auto add = [&](const pqxx::row& r, int sign, bool in_flight) {
    auto c = app.ledger->currencies().find(r[2].as<std::string>());
    if (!c) return;
    const int128 units = *int128_from_string(r[3].as<std::string>()) * pow10(kFine - c->decimals);
    s.records.push_back(rc::Record{r[0].as<std::string>(), r[1].as<std::string>(), "", c->code,
                                   sign * units, r[4].as<int>()});
    s.in_flight.push_back(in_flight ? 1 : 0);
  };
  for (const auto& r : tx.exec_params(
           "SELECT txid, coalesce(external_txid, ''), currency, amount::text, "
           "floor(extract(epoch FROM created_at) / 86400)::int FROM transactions WHERE type = 'deposit' "
           "AND state = 'Completed' AND bridge = $1 AND created_at >= $2::date AND created_at < $3::date",
           b.ledger_name(), from_text, to_text))
    add(r, 1, false);
  for (const auto& r : tx.exec_params(
           "SELECT t.txid, coalesce(w.external_txid, ''), t.currency, t.amount::text, "
           "floor(extract(epoch FROM coalesce(t.finalized_at, w.updated_at)) / 86400)::int, w.state "
           "FROM bridge_withdrawals w JOIN transactions t ON t.txid = w.txid WHERE w.bridge = $1 AND w.instance = $2 "
           "AND w.state IN ('submitted', 'completed') AND w.created_at >= $3::date AND w.created_at < $4::date",
           b.type(), b.instance(), from_text, to_text))
    add(r, -1, r[5].as<std::string>() == "submitted");
  return s;
}

Json record_json(const rc::Record& r, const App& app, bool internal, const std::string& address = "") {
  auto c = app.ledger->currencies().find(r.currency);
  Json j{{internal ? "txid" : "externalid", r.id},
         {"reference", r.reference},
         {"currency", r.currency},
         {"amount", c ? shown(*c, r.units) : int128_to_string(r.units)},
         {"date", day_text(r.day)}};
  if (!address.empty()) j["address"] = address;
  return j;
}

// One instance's report: {bridge, status, balances, transactions, notes}.
Json reconcile_bridge(App& app, bridges::Bridge& b, int since, int until, int window) {
  Json notes = Json::array();
  bool discrepancies = false, unreachable = false;

  // Balances.
  Json balances = Json::array();
  for (const auto& row : balance_rows(app, b)) {
    auto c = app.ledger->currencies().find(row.value("currency", ""));
    if (!c) continue;
    Json out{{"currency", c->code},
             {"internalbalance", row.value("internalbalance", "")},
             {"internalheld", row.value("internalheld", "")}};
    if (!row.contains("externalbalance")) {
      out["externalbalance"] = nullptr;
      balances.push_back(std::move(out));
      continue;
    }
    auto internal = fine_of(row.value("internalbalance", "")), held = fine_of(row.value("internalheld", ""));
    auto external = fine_of(row.value("externalbalance", ""));
    if (!internal || !held || !external) {
      notes.push_back(c->code + ": a balance that cannot be read exactly");
      continue;
    }
    // Withdrawals in flight are still owed in the ledger but may have left outside already.
    const int128 drift = *external - *internal, unexplained = drift + *held;
    out["externalbalance"] = row["externalbalance"];
    out["drift"] = shown(*c, drift);
    out["inflight"] = shown(*c, -*held);
    out["unexplained"] = shown(*c, unexplained);
    // More outside than owed is the operator's own money (reserves, fees, float); less is a
    // shortfall: money users are owed that is not there.
    out["shortfall"] = unexplained < 0;
    if (unexplained < 0) discrepancies = true;
    balances.push_back(std::move(out));
  }
  if (b.delivery() == bridges::Bridge::Delivery::Push && std::none_of(balances.begin(), balances.end(), [](const Json& x) {
        return !x["externalbalance"].is_null();
      }) && !balances.empty()) {
    unreachable = true;
    notes.push_back("the bridge's network could not be asked for its balances");
  }

  // Transactions.
  Json transactions{{"available", b.has_history()}};
  if (b.has_history()) {
    const auto from = system_clock::time_point(days(since - window));
    auto history = b.history(from);
    if (!history) {
      unreachable = true;
      notes.push_back("the bridge's network could not be asked for its history");
    } else {
      Side in = internal_side(app, b, since - window, until + 1 + window);
      std::vector<rc::Record> ex;
      std::vector<std::string> addresses;
      for (const auto& e : *history) {
        const int day = day_of(e.at);
        if (day > until + window) continue;
        auto units = fine_of(e.amount);
        auto c = app.ledger->currencies().find(e.currency);
        if (!units || !c) {
          notes.push_back("external " + e.external_txid + ": " + (!c ? "a currency the ledger does not have (" + e.currency + ")"
                                                                     : "an amount that cannot be read (" + e.amount + ")"));
          if (day >= since && day <= until) discrepancies = true;
          continue;
        }
        ex.push_back(rc::Record{e.external_txid, e.external_txid, "", c->code, *units, day});
        addresses.push_back(e.address);
      }
      // Arrivals the bridge recorded but did not credit: in suspense (still a discrepancy, but
      // known: the suspense list has it), or dismissed by an operator as no user's money.
      std::map<std::string, std::string> kept;
      {
        auto conn = app.pool.acquire();
        pqxx::read_transaction tx(*conn);
        for (const auto& r : tx.exec_params(
                 "SELECT external_txid, state FROM bridge_inbox WHERE bridge = $1 AND instance = $2 "
                 "AND state IN ('unmatched', 'refused', 'dismissed')",
                 b.type(), b.instance()))
          kept[r[0].as<std::string>()] = r[1].as<std::string>();
      }
      const rc::Report report = rc::match(in.records, ex, rc::Options{.window_days = window});
      long long n_matched = 0, n_mismatch = 0, n_internal = 0, n_external = 0, n_duplicate = 0, n_inflight = 0,
                n_dismissed = 0;
      Json listed = Json::array();
      for (const auto& f : report.findings) {
        // In scope when one of its records is dated within [since, until]; the margins on
        // either side are there so that pairs across the edges still match.
        bool in_scope = false, flying = false;
        for (auto k = f.internal_begin; k < f.internal_end; ++k) {
          const auto& r = in.records[report.internal[k]];
          in_scope = in_scope || (r.day >= since && r.day <= until);
          flying = flying || in.in_flight[report.internal[k]];
        }
        for (auto k = f.external_begin; k < f.external_end; ++k) {
          const auto& r = ex[report.external[k]];
          in_scope = in_scope || (r.day >= since && r.day <= until);
        }
        if (!in_scope) continue;
        std::string kind = rc::to_string(f.kind);
        switch (f.kind) {
          case rc::Kind::Matched: ++n_matched; continue;
          case rc::Kind::AmountMismatch: ++n_mismatch; break;
          case rc::Kind::InternalOnly:
            if (flying) {
              ++n_inflight;
              kind = "inflight";  // sent, not settled yet: not a discrepancy
            } else {
              ++n_internal;
            }
            break;
          case rc::Kind::ExternalOnly: {
            auto k = kept.find(ex[report.external[f.external_begin]].id);
            if (k != kept.end() && k->second == "dismissed") {
              ++n_dismissed;
              kind = "dismissed";  // an operator said it is no user's money: explained
            } else {
              ++n_external;
              if (k != kept.end()) kind = "external_only_in_suspense";
            }
            break;
          }
          case rc::Kind::Duplicate: ++n_duplicate; break;
        }
        if (kind == "inflight" || kind == "dismissed") continue;
        discrepancies = true;
        if (listed.size() >= kMaxListed) continue;
        Json internal = Json::array(), external = Json::array();
        for (auto k = f.internal_begin; k < f.internal_end; ++k)
          internal.push_back(record_json(in.records[report.internal[k]], app, true));
        for (auto k = f.external_begin; k < f.external_end; ++k)
          external.push_back(record_json(ex[report.external[k]], app, false, addresses[report.external[k]]));
        listed.push_back(Json{{"kind", kind}, {"via", rc::to_string(f.via)}, {"internal", internal}, {"external", external}});
      }
      transactions["matched"] = n_matched;
      transactions["amountmismatch"] = n_mismatch;
      transactions["internalonly"] = n_internal;
      transactions["externalonly"] = n_external;
      transactions["duplicates"] = n_duplicate;
      transactions["inflight"] = n_inflight;
      transactions["dismissed"] = n_dismissed;
      transactions["discrepancies"] = listed;
      transactions["truncated"] = n_mismatch + n_internal + n_external + n_duplicate > static_cast<long long>(listed.size());
    }
  } else {
    notes.push_back("transaction level: the " + b.type() + " bridge has no history to compare (balances only)");
  }
  const std::string status = unreachable ? "unreachable" : discrepancies ? "discrepancies" : "clean";
  return Json{{"bridge", b.key()}, {"status", status}, {"balances", balances}, {"transactions", transactions},
              {"notes", notes}};
}

std::string mail_text(const Json& run) {
  std::string text = "Reconciliation run " + run["runid"].get<std::string>() + " (" + run["since"].get<std::string>() +
                     " to " + run["until"].get<std::string>() + ") found discrepancies.\n\n";
  for (const auto& b : run["bridges"]) {
    text += b["bridge"].get<std::string>() + ": " + b["status"].get<std::string>() + "\n";
    const Json& t = b["transactions"];
    if (t.value("available", false) && t.contains("matched"))
      text += "  matched " + t["matched"].dump() + ", amount mismatches " + t["amountmismatch"].dump() +
              ", internal only " + t["internalonly"].dump() + ", external only " + t["externalonly"].dump() +
              ", duplicates " + t["duplicates"].dump() + "\n";
    for (const auto& bal : b["balances"])
      if (bal.value("shortfall", false))
        text += "  shortfall in " + bal["currency"].get<std::string>() + ": " + bal["unexplained"].get<std::string>() + "\n";
  }
  text += "\nSee: omnictl bridge reconcile show " + run["runid"].get<std::string>() + "\n";
  return text;
}

Reply run(App& app, Call& call) {
  const std::string scope = call.params.contains("bridge") ? param(call, "bridge") : "all";
  std::vector<bridges::Bridge*> bridges;
  if (scope == "all") {
    for (const auto& b : app.bridges->all())
      if (b->enabled()) bridges.push_back(b.get());
  } else {
    const auto dash = scope.rfind('-');
    const std::string type = dash == std::string::npos ? "" : scope.substr(0, dash);
    const std::string number = dash == std::string::npos ? "" : scope.substr(dash + 1);
    if (type.empty() || number.empty() || number.size() > 2 || number.find_first_not_of("0123456789") != std::string::npos)
      return Reply::error(Rc::BadValue, "bridge must be NAME-ID (e.g. stellar-1) or all");
    bridges::Bridge* b = app.bridges->find(type, std::stoi(number));
    if (!b) return Reply::error(Rc::NotFound, "bridge " + scope + " is not configured on this platform");
    bridges.push_back(b);
  }
  const int today = day_of(system_clock::now());
  std::optional<int> until = call.params.contains("until") ? parse_day(param(call, "until")) : std::optional<int>(today);
  if (!until) return Reply::error(Rc::BadValue, "until must be a date (YYYY-MM-DD)");
  std::optional<int> since = call.params.contains("since") ? parse_day(param(call, "since")) : std::optional<int>(*until - 1);
  if (!since) return Reply::error(Rc::BadValue, "since must be a date (YYYY-MM-DD)");
  if (*since > *until) return Reply::error(Rc::BadValue, "since must not be after until");
  if (*until - *since > 366) return Reply::error(Rc::BadValue, "a run covers at most 366 days");
  if (*until > today) return Reply::error(Rc::BadValue, "until must not be after today (UTC)");
  int window = 3;
  if (call.params.contains("windowdays")) {
    const Json& w = call.params["windowdays"];
    if (!w.is_number_integer() || w.get<long long>() < 0 || w.get<long long>() > 30)
      return Reply::error(Rc::BadValue, "windowdays must be a number from 0 to 30");
    window = w.get<int>();
  }

  // One run at a time across nodes: a session lock on a connection of its own, released when
  // the run ends (or by PostgreSQL when the connection dies with its node).
  auto lock = app.pool.acquire();
  pqxx::nontransaction(*lock).exec("SELECT pg_advisory_lock(" + std::to_string(kLockKey) + ")");
  struct Unlock {
    store::Pool::Lease& c;
    ~Unlock() {
      try {
        pqxx::nontransaction(*c).exec("SELECT pg_advisory_unlock(" + std::to_string(kLockKey) + ")");
      } catch (const std::exception&) {
      }
    }
  } unlock{lock};

  const auto started = system_clock::now();
  Json results = Json::array(), summary = Json::array();
  bool any_unreachable = false, any_discrepancies = false;
  for (bridges::Bridge* b : bridges) {
    Json r = reconcile_bridge(app, *b, *since, *until, window);
    any_unreachable = any_unreachable || r["status"] == "unreachable";
    any_discrepancies = any_discrepancies || r["status"] == "discrepancies";
    Json counts = r["transactions"];
    counts.erase("discrepancies");
    summary.push_back(Json{{"bridge", r["bridge"]}, {"status", r["status"]}, {"transactions", counts}});
    results.push_back(std::move(r));
  }
  const std::string status = any_unreachable ? "unreachable" : any_discrepancies ? "discrepancies" : "clean";
  Json out{{"reconcilestatus", status},
           {"scope", scope},
           {"since", day_text(*since)},
           {"until", day_text(*until)},
           {"windowdays", window},
           {"bridges", results}};

  auto conn = app.pool.acquire();
  pqxx::work tx(*conn);
  const long long id = tx.exec_params1(
                             "INSERT INTO reconcile_runs (scope, since, until, window_days, status, summary, report, "
                             "initiator, started_at) VALUES ($1, $2::date, ($3::date + 1), $4, $5, $6::jsonb, '{}'::jsonb, "
                             "$7, to_timestamp($8)) RETURNING id",
                             scope, day_text(*since), day_text(*until), window, status, summary.dump(),
                             call.principal.id(),
                             std::chrono::duration_cast<std::chrono::seconds>(started.time_since_epoch()).count())[0]
                           .as<long long>();
  out["runid"] = std::to_string(id);
  tx.exec_params("UPDATE reconcile_runs SET report = $2::jsonb WHERE id = $1", id, out.dump());
  if (status == "discrepancies" && !app.config.mail.notify.empty() && app.secrets) {
    try {
      mail::Message m{app.config.mail.notify, "Omnigate: reconciliation run " + std::to_string(id) + " found discrepancies",
                      mail_text(out), "reconcile-" + std::to_string(id)};
      outbox::enqueue_mail(tx, *app.secrets, std::move(m));
      outbox::note_enqueued();
      out["notified"] = app.config.mail.notify;
    } catch (const std::exception& e) {
      out["notified"] = nullptr;
      out["notifynote"] = std::string("not mailed: ") + e.what();
    }
  }
  tx.commit();
  return Reply::ok(out);
}

Reply list(App& app, Call& call) {
  long long limit = 50;
  if (call.params.contains("limit")) {
    const Json& l = call.params["limit"];
    if (!l.is_number_integer() || l.get<long long>() < 1 || l.get<long long>() > 500)
      return Reply::error(Rc::BadValue, "limit must be a number from 1 to 500");
    limit = l.get<long long>();
  }
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  Json runs = Json::array();
  for (const auto& r : tx.exec_params(
           "SELECT id, scope, since::date::text, (until::date - 1)::text, window_days, status, summary::text, "
           "to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), coalesce(initiator, '') "
           "FROM reconcile_runs ORDER BY id DESC LIMIT $1",
           limit))
    runs.push_back(Json{{"runid", r[0].as<std::string>()},
                        {"scope", r[1].as<std::string>()},
                        {"since", r[2].as<std::string>()},
                        {"until", r[3].as<std::string>()},
                        {"windowdays", r[4].as<int>()},
                        {"reconcilestatus", r[5].as<std::string>()},
                        {"bridges", Json::parse(r[6].as<std::string>())},
                        {"startedat", r[7].as<std::string>()},
                        {"initiator", r[8].as<std::string>()}});
  return Reply::ok(Json{{"runs", runs}});
}

Reply show(App& app, Call& call) {
  const std::string id = param(call, "runid");
  auto conn = app.pool.acquire();
  pqxx::read_transaction tx(*conn);
  auto r = tx.exec_params("SELECT report::text FROM reconcile_runs WHERE id = $1::bigint", id);
  if (r.empty()) return Reply::error(Rc::NotFound, "there is no reconciliation run " + id);
  return Reply::ok(Json::parse(r[0][0].as<std::string>()));
}

}  // namespace

void register_reconcile(Registry& r) {
  r.bind("POST /api/v1/bridge/reconcile", blocking(run));
  r.bind("GET /api/v1/bridge/reconcile/runs", blocking(list));
  r.bind("GET /api/v1/bridge/reconcile/runs/{runid}", blocking(show));
}

}  // namespace og::omnibridge
