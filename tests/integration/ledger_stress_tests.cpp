// The ledger's acceptance stress test: two omnid processes on one database, 32 concurrent
// clients, 20,000 random transfers among 100 wallets (about 10% deliberate overdrafts, some
// transfers that drain a balance to zero). Afterwards, from the clients' own records, the
// API and the database: the sum per currency is unchanged, no wallet is negative, every
// accepted txid is in the journal and in both wallets' histories exactly once, and every
// balance equals the sum of its postings.
//
// Set OMNIGATE_STRESS_SEED to replay a run's random plan (the seed is printed).
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <pqxx/pqxx>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/amount.h"
#include "common/http_client.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::int128;
using og::Json;
using og::test::Answer;
using og::test::Omnid;
using og::test::OmnidOptions;

namespace {

constexpr int kProfiles = 10;
constexpr int kWalletsPerProfile = 10;
constexpr int kWallets = kProfiles * kWalletsPerProfile;
constexpr int kClients = 32;
constexpr int kTransfers = 20000;

struct CurrencySpec {
  const char* code;
  int decimals;
  int max_deposit_digits;   // a deposit is 1 .. 10^digits units
  int max_transfer_digits;  // an ordinary transfer is 1 .. 10^k units, k uniform in 0..digits
};
// CAD: deposits up to 10,000.00, transfers up to 10,000.00. BTC: deposits up to 1 BTC,
// transfers up to 1 BTC. Every amount, overdrafts included, stays within the transfer
// endpoint's 12 characters (the supply is at most 1,000,000.00 CAD and 100 BTC).
const CurrencySpec kCurrencies[] = {{"CAD", 2, 6, 6}, {"BTC", 8, 8, 8}};
constexpr int kCurrencyCount = 2;

std::string units_text(int128 v) { return og::int128_to_string(v); }

std::string text_of(const std::map<std::string, std::string>& m) {
  std::string out;
  for (const auto& [k, v] : m) out += k + "=" + v + " ";
  return out;
}

std::string format_units(int128 units, int decimals) {
  auto a = og::Amount::from_units(units, decimals);
  if (!a) throw std::runtime_error("cannot format " + units_text(units));
  return a->to_string();
}

int128 db_units(const pqxx::field& f) {
  auto v = og::int128_from_string(f.as<std::string>());
  if (!v) throw std::runtime_error("not an integer amount: " + f.as<std::string>());
  return *v;
}

int64_t pow10(int n) {
  int64_t v = 1;
  for (int i = 0; i < n; ++i) v *= 10;
  return v;
}

// One request with a client of the calling thread (og::test::Omnid::call shares one client).
Answer request(og::net::Client& client, const Omnid& node, const std::string& method, const std::string& path,
               const std::string& apikey, const std::string& body = {}) {
  og::net::HttpRequest req;
  req.method = method;
  req.url = node.url() + path;
  req.cacert = node.cacert();
  req.timeout_ms = 60000;
  req.connect_timeout_ms = 20000;
  req.body = body;
  req.headers.emplace_back("X-APIKey", apikey);
  if (!body.empty()) req.headers.emplace_back("Content-Type", "application/json");
  auto r = client.perform(req);
  Answer a;
  a.failure = r.failure;
  a.error = r.error;
  a.raw = r.response;
  a.status = r.response.status;
  a.body = r.response.body;
  a.json = Json::parse(a.body, nullptr, false);
  return a;
}

std::string describe(const Answer& a) {
  return "status " + std::to_string(a.status) + ", transport: " + (a.error.empty() ? "ok" : a.error) +
         ", body: " + a.body;
}

// Runs f(thread index) on `threads` threads; an exception in one is reported, not fatal.
template <class F>
std::vector<std::string> run_threads(int threads, F f) {
  std::mutex mu;
  std::vector<std::string> errors;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      try {
        f(t);
      } catch (const std::exception& e) {
        std::lock_guard lock(mu);
        errors.push_back("thread " + std::to_string(t) + ": " + e.what());
      }
    });
  for (auto& th : pool) th.join();
  return errors;
}

struct Wallet {
  std::string waid;
  int owner = 0;  // profile index
};

enum class Kind { Ordinary, Overdraft, Drain };

struct Planned {
  int source = 0, destination = 0, currency = 0;
  int64_t units = 0;  // Ordinary, Overdraft; Drain: the fallback when the balance is zero
  Kind kind = Kind::Ordinary;
};

struct Outcome {
  int rc = 0;
  long status = 0;
  std::string txid;
  int64_t units = 0;  // what was sent
  bool drained = false;  // a Drain that sent the whole available balance
  std::string problem;   // transport failure, unexpected answer (with the body)
};

// A wallet's whole history through the API, paging with `before`.
std::vector<Json> history(og::net::Client& client, const Omnid& node, const std::string& waid, const std::string& key,
                          int limit, std::string& problem) {
  std::vector<Json> out;
  std::string before;
  for (int page = 0; page < 10000; ++page) {
    std::string path = "/api/v1/wallet/" + waid + "/transactionlist?limit=" + std::to_string(limit);
    if (!before.empty()) path += "&before=" + before;
    Answer a = request(client, node, "GET", path, key);
    if (a.failure != og::net::Failure::None || a.resultcode() != 10000 || !a.json["transactionlist"].is_array()) {
      problem = "GET " + path + ": " + describe(a);
      return out;
    }
    const Json& list = a.json["transactionlist"];
    for (const auto& t : list) out.push_back(t);
    if (static_cast<int>(list.size()) < limit) return out;
    before = list.back()["txid"].get<std::string>();
  }
  problem = "GET " + waid + " transactionlist: too many pages";
  return out;
}

}  // namespace

TEST_CASE("stress: two nodes, 32 clients, 20,000 random transfers keep every ledger invariant", "[ledger][stress]") {
  std::uint64_t seed = std::random_device{}();
  if (const char* s = std::getenv("OMNIGATE_STRESS_SEED")) seed = std::strtoull(s, nullptr, 10);
  std::printf("ledger stress: seed %llu (OMNIGATE_STRESS_SEED=%llu replays the plan)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::fflush(stdout);
  INFO("OMNIGATE_STRESS_SEED=" << seed);
  std::mt19937_64 rng(seed);
  auto uniform = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };

  // Two nodes on one database (started from this thread: a test's children die with the
  // thread that spawned them).
  std::string db = og::test::fresh_database("stress");
  OmnidOptions o;
  o.dev = false;
  o.database_url = db;
  o.config = {{"rate_limit.enabled", "false"}};
  o.wait_ready = false;
  auto node_a = std::make_unique<Omnid>(o);
  auto node_b = std::make_unique<Omnid>(o);
  node_a->wait_ready();
  node_b->wait_ready();
  Omnid* nodes[2] = {node_a.get(), node_b.get()};

  // ---- Setup: profiles and keys in the database (no API yet), wallets and deposits through the API.
  std::vector<Omnid::Credential> profiles;
  for (int p = 0; p < kProfiles; ++p) profiles.push_back(node_a->create_profile_with_key({"profile-admin"}));
  std::vector<Wallet> wallets;
  for (int p = 0; p < kProfiles; ++p)
    for (int w = 0; w < kWalletsPerProfile; ++w) {
      Omnid& node = *nodes[wallets.size() % 2];
      std::string name = "stress-" + std::to_string(p) + "-" + std::to_string(w);
      Answer a = node.call_json("POST", "/api/v1/wallet/create", Json{{"walletname", name}}, profiles[p].apikey);
      INFO(describe(a));
      REQUIRE(a.resultcode() == 10000);
      REQUIRE(a.json["walletname"] == name);
      wallets.push_back({a.json["waid"].get<std::string>(), p});
    }
  {
    std::set<std::string> distinct;
    for (const auto& w : wallets) distinct.insert(w.waid);
    REQUIRE(distinct.size() == static_cast<std::size_t>(kWallets));
  }

  // Deposits: most wallets get some of each currency, some get none (random units, 8 threads
  // on both nodes at once, so the two nodes also race to create the bridge's clearing account).
  Omnid::Credential adapter = node_a->create_profile_with_key({"adapter-admin"});
  struct DepositPlan {
    int wallet, currency;
    int64_t units;
  };
  std::vector<DepositPlan> deposits;
  int64_t initial[kWallets][kCurrencyCount] = {};
  int64_t supply[kCurrencyCount] = {};
  for (int w = 0; w < kWallets; ++w)
    for (int c = 0; c < kCurrencyCount; ++c) {
      if (uniform(0, 99) < 15) continue;
      int64_t units = uniform(1, pow10(kCurrencies[c].max_deposit_digits));
      deposits.push_back({w, c, units});
      initial[w][c] += units;
      supply[c] += units;
    }
  std::vector<std::string> deposit_txid(deposits.size());
  std::vector<std::string> deposit_problem(deposits.size());
  {
    std::atomic<std::size_t> next{0};
    auto errors = run_threads(8, [&](int) {
      og::net::Client client;
      for (std::size_t i = next++; i < deposits.size(); i = next++) {
        const auto& d = deposits[i];
        const CurrencySpec& c = kCurrencies[d.currency];
        Json body{{"waid", wallets[d.wallet].waid},
                  {"currency", c.code},
                  {"amount", format_units(d.units, c.decimals)},
                  {"externaltransactionid", "stress-" + std::to_string(seed) + "-" + std::to_string(i)}};
        Answer a = request(client, *nodes[i % 2], "POST", "/api/v1/system/bridge/generic/deposit", adapter.apikey,
                           body.dump());
        if (a.resultcode() == 10000 && a.json["txid"].is_string() && a.json["waid"] == wallets[d.wallet].waid)
          deposit_txid[i] = a.json["txid"].get<std::string>();
        else
          deposit_problem[i] = "deposit " + body.dump() + ": " + describe(a);
      }
    });
    INFO((errors.empty() ? std::string() : errors.front()));
    REQUIRE(errors.empty());
    for (const auto& p : deposit_problem) {
      INFO(p);
      REQUIRE(p.empty());
    }
  }
  REQUIRE(std::set<std::string>(deposit_txid.begin(), deposit_txid.end()).size() == deposits.size());

  // ---- The plan: 20,000 transfers, drawn before any is sent.
  std::vector<Planned> plan(kTransfers);
  for (auto& t : plan) {
    t.source = static_cast<int>(uniform(0, kWallets - 1));
    do t.destination = static_cast<int>(uniform(0, kWallets - 1));
    while (t.destination == t.source);
    t.currency = static_cast<int>(uniform(0, kCurrencyCount - 1));
    int roll = static_cast<int>(uniform(0, 99));
    if (roll < 10) {
      // More than the whole supply: no balance can hold it.
      t.kind = Kind::Overdraft;
      t.units = supply[t.currency] + uniform(1, supply[t.currency] / 2 + 1);
    } else {
      t.kind = roll < 15 ? Kind::Drain : Kind::Ordinary;
      t.units = uniform(1, pow10(static_cast<int>(uniform(0, kCurrencies[t.currency].max_transfer_digits))));
    }
  }

  // ---- The load: 32 clients, each with its own keep-alive connections, requests to node A
  // and B alternately.
  std::vector<Outcome> outcomes(kTransfers);
  auto started = std::chrono::steady_clock::now();
  {
    std::atomic<int> next{0};
    auto errors = run_threads(kClients, [&](int) {
      og::net::Client client;
      for (int i = next++; i < kTransfers; i = next++) {
        const Planned& t = plan[i];
        const CurrencySpec& c = kCurrencies[t.currency];
        const Omnid& node = *nodes[i % 2];
        const std::string& key = profiles[wallets[t.source].owner].apikey;
        Outcome& out = outcomes[i];
        out.units = t.units;
        if (t.kind == Kind::Drain) {
          // Send exactly the available balance the API shows (another client may change it
          // before the transfer lands: then it is an ordinary transfer that may fail).
          Answer w = request(client, node, "GET", "/api/v1/wallet/" + wallets[t.source].waid, key);
          if (w.resultcode() != 10000 || !w.json["balances"].is_array()) {
            out.problem = "GET wallet " + wallets[t.source].waid + ": " + describe(w);
            continue;
          }
          for (const auto& b : w.json["balances"])
            if (b["currencycode"] == c.code) {
              auto avail = og::Amount::parse(b["available"].get<std::string>(), c.decimals);
              if (!avail) {
                out.problem = "GET wallet " + wallets[t.source].waid + ": bad available: " + w.body;
                break;
              }
              if (avail->units() > 0) {
                out.units = static_cast<int64_t>(avail->units());
                out.drained = true;
              }
            }
          if (!out.problem.empty()) continue;
        }
        Json body{{"amount", format_units(out.units, c.decimals)},
                  {"currency", c.code},
                  {"sourcewaid", wallets[t.source].waid},
                  {"destinationwaid", wallets[t.destination].waid}};
        Answer a = request(client, node, "POST", "/api/v1/wallet/transfer", key, body.dump());
        out.rc = a.resultcode();
        out.status = a.status;
        if (out.rc == 10000 && a.status == 200 && a.json["txid"].is_string()) {
          out.txid = a.json["txid"].get<std::string>();
        } else if (!(out.rc == 10160 && a.status == 409)) {
          out.problem = "transfer " + body.dump() + " to " + node.url() + ": " + describe(a);
        }
      }
    });
    INFO((errors.empty() ? std::string() : errors.front()));
    REQUIRE(errors.empty());
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  int accepted = 0, refused = 0, drained = 0, overdrafts = 0;
  for (int i = 0; i < kTransfers; ++i) {
    const Outcome& out = outcomes[i];
    INFO("transfer #" << i << ": " << out.problem);
    REQUIRE(out.problem.empty());
    if (out.rc == 10000) ++accepted;
    if (out.rc == 10160) ++refused;
    if (out.rc == 10000 && out.drained) ++drained;
    if (plan[i].kind == Kind::Overdraft) {
      ++overdrafts;
      // More than the whole supply can never be accepted.
      INFO("overdraft of " << format_units(plan[i].units, kCurrencies[plan[i].currency].decimals) << " "
                           << kCurrencies[plan[i].currency].code << " answered " << out.rc << " txid " << out.txid);
      REQUIRE(out.rc == 10160);
    }
  }
  REQUIRE(accepted + refused == kTransfers);
  std::printf("ledger stress: %d transfers (%d clients, 2 nodes) in %.1f s: %.0f transfers/s; %d accepted "
              "(%d of them sent a whole available balance), %d refused INSUFFICIENT_FUNDS (%d deliberate overdrafts)\n",
              kTransfers, kClients, seconds, kTransfers / seconds, accepted, drained, refused, overdrafts);
  std::fflush(stdout);
  // The plan makes both outcomes common; a run with none of one would mean a broken test.
  CHECK(accepted > kTransfers / 4);
  CHECK(refused >= overdrafts);
  CHECK(drained > 0);

  // Every accepted transfer has its own txid.
  std::map<std::string, int> accepted_txids;  // txid -> transfer index
  for (int i = 0; i < kTransfers; ++i)
    if (outcomes[i].rc == 10000) {
      auto [it, fresh] = accepted_txids.emplace(outcomes[i].txid, i);
      INFO("txid " << outcomes[i].txid << " answered twice (transfers #" << it->second << " and #" << i << ")");
      REQUIRE(fresh);
    }

  // What every balance must be, from the clients' records alone.
  int128 expected[kWallets][kCurrencyCount];
  for (int w = 0; w < kWallets; ++w)
    for (int c = 0; c < kCurrencyCount; ++c) expected[w][c] = initial[w][c];
  for (int i = 0; i < kTransfers; ++i)
    if (outcomes[i].rc == 10000) {
      expected[plan[i].source][plan[i].currency] -= outcomes[i].units;
      expected[plan[i].destination][plan[i].currency] += outcomes[i].units;
    }

  // ---- The API: balances and histories, through both nodes.
  {
    // Expected history per wallet: txid -> (signed amount, type).
    std::vector<std::map<std::string, std::pair<std::string, std::string>>> expected_history(kWallets);
    for (std::size_t i = 0; i < deposits.size(); ++i) {
      const auto& d = deposits[i];
      expected_history[d.wallet][deposit_txid[i]] = {
          format_units(d.units, kCurrencies[d.currency].decimals) + " " + kCurrencies[d.currency].code, "deposit"};
    }
    for (const auto& [txid, i] : accepted_txids) {
      const CurrencySpec& c = kCurrencies[plan[i].currency];
      std::string amount = format_units(outcomes[i].units, c.decimals);
      expected_history[plan[i].source][txid] = {"-" + amount + " " + c.code, "transfer"};
      expected_history[plan[i].destination][txid] = {amount + " " + c.code, "transfer"};
    }

    std::vector<std::string> problems(kWallets);
    std::atomic<int> next{0};
    auto errors = run_threads(8, [&](int) {
      og::net::Client client;
      for (int w = next++; w < kWallets; w = next++) {
        const Omnid& node = *nodes[w % 2];
        const std::string& key = profiles[wallets[w].owner].apikey;
        std::string& problem = problems[w];
        // Balances as the API shows them.
        Answer a = request(client, node, "GET", "/api/v1/wallet/" + wallets[w].waid, key);
        if (a.resultcode() != 10000 || !a.json["balances"].is_array()) {
          problem = "GET wallet: " + describe(a);
          continue;
        }
        std::map<std::string, Json> shown;
        for (const auto& b : a.json["balances"]) shown[b["currencycode"].get<std::string>()] = b;
        for (int c = 0; c < kCurrencyCount; ++c) {
          const CurrencySpec& cs = kCurrencies[c];
          auto it = shown.find(cs.code);
          std::string want = format_units(expected[w][c], cs.decimals);
          if (it == shown.end()) {
            // A wallet that never held the currency has no row; one that did shows zero.
            if (expected[w][c] != 0) problem += std::string(cs.code) + " missing (expected " + want + "); ";
            continue;
          }
          if (it->second["available"] != want || it->second["held"] != format_units(0, cs.decimals) ||
              it->second["total"] != want)
            problem += std::string(cs.code) + " shows " + it->second.dump() + ", expected available " + want + "; ";
        }
        if (shown.size() > static_cast<std::size_t>(kCurrencyCount)) problem += "unexpected currencies: " + a.body;

        // History: each expected txid exactly once, nothing else; once in full pages of 1000,
        // and for a few wallets again in pages of 37 (the paging must give the same list).
        std::vector<int> limits{1000};
        if (w % 25 == 0) limits.push_back(37);
        for (int limit : limits) {
          std::string why;
          auto list = history(client, node, wallets[w].waid, key, limit, why);
          if (!why.empty()) {
            problem += why;
            break;
          }
          std::map<std::string, int> seen;
          for (const auto& t : list) {
            std::string txid = t["txid"].get<std::string>();
            if (++seen[txid] > 1) {
              problem += "txid " + txid + " listed twice (limit " + std::to_string(limit) + "); ";
              continue;
            }
            auto it = expected_history[w].find(txid);
            if (it == expected_history[w].end()) {
              problem += "unexpected entry " + t.dump() + "; ";
              continue;
            }
            std::string got = t["amount"].get<std::string>() + " " + t["currency"].get<std::string>();
            if (got != it->second.first || t["type"] != it->second.second || t["state"] != "Completed")
              problem += "entry " + t.dump() + ", expected " + it->second.first + " " + it->second.second + "; ";
          }
          for (const auto& [txid, what] : expected_history[w])
            if (!seen.count(txid)) problem += "missing " + what.second + " " + txid + " (" + what.first + "); ";
          if (list.size() != expected_history[w].size())
            problem += "history has " + std::to_string(list.size()) + " entries, expected " +
                       std::to_string(expected_history[w].size()) + "; ";
        }
      }
    });
    INFO((errors.empty() ? std::string() : errors.front()));
    REQUIRE(errors.empty());
    for (int w = 0; w < kWallets; ++w) {
      INFO("wallet " << wallets[w].waid << ": " << problems[w]);
      CHECK(problems[w].empty());
    }
  }

  // Each node served its half of the transfers, with the answers the clients saw; both shut
  // down cleanly and logged no error.
  {
    int served[2] = {0, 0}, served_ok = 0;
    std::vector<double> latencies;
    for (int n = 0; n < 2; ++n) {
      Omnid* node = nodes[n];
      CHECK(node->stop() == 0);
      int errors = 0;
      std::string first;
      for (const auto& line : node->log_lines()) {
        if (line.value("level", "") == "error" && errors++ == 0) first = line.dump();
        if (line.value("msg", "") == "request" && line.value("path", "") == "/api/v1/wallet/transfer") {
          ++served[n];
          if (line.value("resultcode", 0) == 10000) ++served_ok;
          latencies.push_back(line.value("latency_ms", 0.0));
        }
      }
      INFO("node " << n << ": " << errors << " error lines; the first: " << first);
      CHECK(errors == 0);
      CHECK(served[n] == kTransfers / 2);
    }
    CHECK(served_ok == accepted);
    std::sort(latencies.begin(), latencies.end());
    if (!latencies.empty())
      std::printf("ledger stress: transfer latency in omnid: median %.1f ms, p99 %.1f ms, max %.1f ms\n",
                  latencies[latencies.size() / 2], latencies[latencies.size() * 99 / 100], latencies.back());
  }

  // ---- The database.
  pqxx::connection conn(db);
  pqxx::nontransaction tx(conn);
  const std::string cad = kCurrencies[0].code, btc = kCurrencies[1].code;

  {
    // 1. The sum per currency over all balances (user wallets and system accounts) is zero;
    // the user wallets hold exactly what was deposited, the clearing account its opposite.
    std::map<std::string, std::string> all, user, clearing;
    for (const auto& r : tx.exec("SELECT currency, sum(available + held)::text FROM balances GROUP BY currency"))
      all[r[0].as<std::string>()] = r[1].as<std::string>();
    for (const auto& r : tx.exec(
             "SELECT b.currency, w.kind, sum(b.available + b.held)::text FROM balances b JOIN wallets w USING (waid) "
             "GROUP BY 1, 2")) {
      std::string kind = r[1].as<std::string>();
      if (kind == "user") user[r[0].as<std::string>()] = r[2].as<std::string>();
      else if (kind == "bridge_clearing") clearing[r[0].as<std::string>()] = r[2].as<std::string>();
      else FAIL("unexpected system account kind " << kind);
    }
    std::map<std::string, std::string> zero{{cad, "0"}, {btc, "0"}};
    std::map<std::string, std::string> deposited{{cad, units_text(supply[0])}, {btc, units_text(supply[1])}};
    std::map<std::string, std::string> negated{{cad, units_text(-supply[0])}, {btc, units_text(-supply[1])}};
    CHECK(text_of(all) == text_of(zero));
    CHECK(text_of(user) == text_of(deposited));
    CHECK(text_of(clearing) == text_of(negated));
    CHECK(tx.exec1("SELECT count(*) FROM wallets WHERE kind = 'bridge_clearing'")[0].as<int>() == 1);
    CHECK(tx.exec1("SELECT count(*) FROM wallets WHERE kind = 'user'")[0].as<int>() == kWallets);
  }
  {
    // 2. No user balance is negative, none was allowed to be, and nothing is held.
    auto r = tx.exec(
        "SELECT b.waid, b.currency, b.available::text, b.held::text, b.may_go_negative FROM balances b "
        "JOIN wallets w USING (waid) WHERE w.kind = 'user' AND (b.available < 0 OR b.held <> 0 OR b.may_go_negative)");
    INFO((r.empty() ? std::string() : r[0][0].as<std::string>() + " " + r[0][1].as<std::string>() + " available " +
                                          r[0][2].as<std::string>() + " held " + r[0][3].as<std::string>()));
    CHECK(r.size() == 0);
    // And each equals what the clients' records say.
    std::map<std::pair<std::string, std::string>, int128> balances;
    for (const auto& row : tx.exec("SELECT waid, currency, available::text FROM balances"))
      balances[{row[0].as<std::string>(), row[1].as<std::string>()}] = db_units(row[2]);
    for (int w = 0; w < kWallets; ++w)
      for (int c = 0; c < kCurrencyCount; ++c) {
        auto it = balances.find({wallets[w].waid, kCurrencies[c].code});
        int128 have = it == balances.end() ? 0 : it->second;
        INFO(wallets[w].waid << " " << kCurrencies[c].code << ": database " << units_text(have)
                             << ", from the accepted transfers " << units_text(expected[w][c]));
        CHECK(units_text(have) == units_text(expected[w][c]));
      }
  }
  {
    // 3. Each accepted txid is one Completed transfer with the requested wallets, currency and
    // amount; no other transfer exists; deposits are the deposits made.
    auto rows = tx.exec(
        "SELECT txid, state, currency, amount::text, coalesce(source_waid, ''), coalesce(destination_waid, '') "
        "FROM transactions WHERE type = 'transfer'");
    CHECK(rows.size() == accepted_txids.size());
    std::size_t matched = 0;
    for (const auto& r : rows) {
      std::string txid = r[0].as<std::string>();
      auto it = accepted_txids.find(txid);
      if (it == accepted_txids.end()) {
        FAIL_CHECK("transfer " << txid << " in the journal was not answered 10000 to any client");
        continue;
      }
      int i = it->second;
      std::string want = "Completed " + std::string(kCurrencies[plan[i].currency].code) + " " +
                         std::to_string(outcomes[i].units) + " " + wallets[plan[i].source].waid + " -> " +
                         wallets[plan[i].destination].waid;
      std::string got = r[1].as<std::string>() + " " + r[2].as<std::string>() + " " + r[3].as<std::string>() + " " +
                        r[4].as<std::string>() + " -> " + r[5].as<std::string>();
      INFO("transfer #" << i << " " << txid);
      CHECK(got == want);
      ++matched;
    }
    CHECK(matched == accepted_txids.size());
    auto types = tx.exec("SELECT type, state, count(*) FROM transactions GROUP BY 1, 2 ORDER BY 1, 2");
    std::map<std::string, std::string> by_type;
    for (const auto& r : types) by_type[r[0].as<std::string>() + " " + r[1].as<std::string>()] = r[2].as<std::string>();
    std::map<std::string, std::string> want_types{{"deposit Completed", std::to_string(deposits.size())},
                                                  {"transfer Completed", std::to_string(accepted_txids.size())}};
    CHECK(text_of(by_type) == text_of(want_types));
  }
  {
    // 4. Every balance equals the sum of its postings, and its last posting left it as it is.
    auto rows = tx.exec(
        "SELECT b.waid, b.currency, b.available::text, b.held::text, coalesce(p.sa, 0)::text, "
        "coalesce(p.sh, 0)::text, coalesce(l.available_after::text, 'none'), coalesce(l.held_after::text, 'none') "
        "FROM balances b "
        "LEFT JOIN (SELECT waid, currency, sum(available_delta) AS sa, sum(held_delta) AS sh FROM postings "
        "           GROUP BY 1, 2) p USING (waid, currency) "
        "LEFT JOIN LATERAL (SELECT available_after, held_after FROM postings q "
        "                   WHERE q.waid = b.waid AND q.currency = b.currency ORDER BY q.id DESC LIMIT 1) l ON true");
    CHECK(rows.size() > static_cast<std::size_t>(kWallets));
    for (const auto& r : rows) {
      std::string balance = r[2].as<std::string>() + "/" + r[3].as<std::string>();
      INFO(r[0].as<std::string>() << " " << r[1].as<std::string>());
      CHECK(r[4].as<std::string>() + "/" + r[5].as<std::string>() == balance);
      CHECK(r[6].as<std::string>() + "/" + r[7].as<std::string>() == balance);
    }
    // Each posting's running balance follows from the one before it (in posting order).
    auto broken = tx.exec(
        "SELECT waid, currency, id, available_after::text, running::text FROM ("
        "  SELECT waid, currency, id, available_after, held_after,"
        "         sum(available_delta) OVER w AS running, sum(held_delta) OVER w AS running_held"
        "  FROM postings WINDOW w AS (PARTITION BY waid, currency ORDER BY id)) x "
        "WHERE available_after <> running OR held_after <> running_held ORDER BY id LIMIT 5");
    INFO((broken.empty() ? std::string() : "posting " + broken[0][2].as<std::string>() + " of " +
                                               broken[0][0].as<std::string>() + " " + broken[0][1].as<std::string>() +
                                               ": available_after " + broken[0][3].as<std::string>() +
                                               ", running sum " + broken[0][4].as<std::string>()));
    CHECK(broken.size() == 0);
  }
  {
    // 5. Every transaction's postings sum to zero per currency; a transfer has exactly its two.
    auto unbalanced = tx.exec(
        "SELECT txid, currency, sum(available_delta + held_delta)::text FROM postings GROUP BY 1, 2 "
        "HAVING sum(available_delta + held_delta) <> 0 LIMIT 5");
    INFO((unbalanced.empty() ? std::string() : unbalanced[0][0].as<std::string>() + " " +
                                                   unbalanced[0][1].as<std::string>() + " sums to " +
                                                   unbalanced[0][2].as<std::string>()));
    CHECK(unbalanced.size() == 0);
    // Some transfers took their source to exactly zero (the drains).
    long zeroed = tx.exec1(
                        "SELECT count(*) FROM postings p JOIN transactions t USING (txid) "
                        "WHERE t.type = 'transfer' AND p.waid = t.source_waid AND p.available_after = 0")[0]
                      .as<long>();
    std::printf("ledger stress: %ld transfers left their source balance at exactly zero\n", zeroed);
    CHECK(zeroed > 0);
    auto odd = tx.exec(
        "SELECT t.txid, count(p.id), "
        "       count(*) FILTER (WHERE p.waid = t.source_waid AND p.available_delta = -t.amount AND p.held_delta = 0), "
        "       count(*) FILTER (WHERE p.waid = t.destination_waid AND p.available_delta = t.amount "
        "                        AND p.held_delta = 0), "
        "       count(*) FILTER (WHERE p.currency <> t.currency) "
        "FROM transactions t LEFT JOIN postings p USING (txid) WHERE t.type = 'transfer' GROUP BY t.txid "
        "HAVING count(p.id) <> 2 OR count(*) FILTER (WHERE p.waid = t.source_waid AND p.available_delta = -t.amount "
        "                                            AND p.held_delta = 0) <> 1 "
        "    OR count(*) FILTER (WHERE p.waid = t.destination_waid AND p.available_delta = t.amount "
        "                        AND p.held_delta = 0) <> 1 "
        "    OR count(*) FILTER (WHERE p.currency <> t.currency) <> 0 LIMIT 5");
    INFO((odd.empty() ? std::string() : "transfer " + odd[0][0].as<std::string>() + " has odd postings"));
    CHECK(odd.size() == 0);
    CHECK(tx.exec1("SELECT count(*) FROM postings p LEFT JOIN transactions t USING (txid) WHERE t.txid IS NULL")[0]
              .as<long>() == 0);
    // Both nodes took sequence numbers from their own blocks: every txid is the permutation
    // of its row's seq (so txids are as unique as the primary key), and none repeats.
    CHECK(tx.exec1("SELECT count(*) FROM transactions WHERE seq IS DISTINCT FROM ledger_txid_seq(txid)")[0]
              .as<long>() == 0);
    CHECK(tx.exec1("SELECT count(*) - count(DISTINCT txid) FROM transactions")[0].as<long>() == 0);
  }
  {
    // The global lock order: no deadlock between the nodes' committers (the nodes are
    // stopped, so their backends have reported their statistics).
    long deadlocks = -1;
    for (int i = 0; i < 50; ++i) {
      auto others = tx.exec1(
          "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
      if (others[0].as<long>() == 0) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    tx.exec("SELECT pg_stat_clear_snapshot()");
    auto stats = tx.exec1("SELECT deadlocks, xact_commit FROM pg_stat_database WHERE datname = current_database()");
    deadlocks = stats[0].as<long>();
    // Group commit at work: a batch's transactions share their database transaction's now().
    auto batches = tx.exec1("SELECT count(DISTINCT created_at) FROM transactions WHERE type = 'transfer'")[0].as<long>();
    std::printf("ledger stress: the accepted transfers were committed in %ld database transactions (%.1f per "
                "batch); %ld deadlocks\n",
                batches, batches ? static_cast<double>(accepted) / static_cast<double>(batches) : 0.0, deadlocks);
    std::fflush(stdout);
    CHECK(deadlocks == 0);
    // (The statistics are not stale: the nodes' commits are counted.)
    CHECK(stats[1].as<long>() >= batches);
  }
}
