// Object-level authorization, generated from the catalog: for every endpoint with a
// parameter that names an object (upid, uuid, waid, txid, akid, prid, ntid, fsid), profile
// A's key names profile B's object. Every such call must be refused with the same answer
// as for an object that does not exist, and change nothing in the database (a checksum of
// every business table before and after). A new endpoint joins the test by being in the
// catalog.
#include <catch2/catch.hpp>

#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "common/catalog/catalog.h"
#include "common/crypto.h"
#include "common/json.h"
#include "tests/support/omnid_process.h"

using og::Json;
using og::test::Answer;
using og::test::Omnid;
namespace cat = og::catalog;

namespace {

bool names_object(cat::Format f) {
  using F = cat::Format;
  return f == F::Upid || f == F::Uuid || f == F::Waid || f == F::Txid || f == F::Akid || f == F::Prid ||
         f == F::Ntid || f == F::Fsid;
}

// One profile's objects, by format.
struct Objects {
  std::string apikey;
  std::map<cat::Format, std::string> id;
};

// Tables whose rows change for reasons of their own (throttles, jobs, caches).
const std::set<std::string> kNotBusiness{"idempotency_keys", "login_failures", "job_leases", "job_runs",
                                         "schema_migrations", "unlock_events", "ledger_secrets"};

std::map<std::string, std::string> checksums(const std::string& conninfo) {
  pqxx::connection c(conninfo);
  pqxx::nontransaction tx(c);
  std::map<std::string, std::string> out;
  for (const auto& r : tx.exec("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")) {
    std::string t = r[0].as<std::string>();
    if (kNotBusiness.count(t)) continue;
    auto s = tx.exec1("SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM " +
                      tx.quote_name(t) + " x");
    out[t] = s[0].as<std::string>();
  }
  return out;
}

// A value that passes the catalog's checks for a parameter that does not name an object.
Json sample(const cat::Param& p) {
  using F = cat::Format;
  if (!p.accepted.empty()) return std::string(p.accepted.front());
  switch (p.type) {
    case cat::Type::Boolean: return false;
    case cat::Type::Number: return 1;
    case cat::Type::Array: return Json::array({"profile-ro"});
    case cat::Type::Object: return Json::object({{"a", "b"}});
    default: break;
  }
  switch (p.format) {
    case F::Email: return "idor-" + og::crypto::random_hex(4) + "@example.com";
    case F::Url: return "https://app.example.com/cb";
    case F::Amount: return "1.00";
    case F::Date: return "2026-01-01";
    case F::Language: return "en";
    case F::Country: return "CA";
    case F::Timezone: return "Canada/Eastern";
    case F::CurrencyCode:
    case F::Currency: return "CAD";
    case F::Digits: return std::string(static_cast<std::size_t>(std::max(p.min_len, 1)), '1');
    case F::Hex32: return std::string(32, '0');
    case F::Jwt: return "eyJhbGciOiJub25lIn0.e30.c2ln";
    case F::Password: return "Idor$pass123";
    default: break;
  }
  return std::string(static_cast<std::size_t>(std::max(p.min_len, 1)), 'x');
}

struct Request {
  std::string method, path, body;
};

// The request for `ep` by the caller, naming `target` in parameter `target_param` and the
// caller's own objects in every other object parameter.
Request build(const cat::Endpoint& ep, const cat::Param& target_param, const std::string& target, const Objects& own) {
  Json body = Json::object();
  std::string query;
  std::string path(ep.path);
  for (const auto& p : ep.params) {
    Json v;
    if (&p == &target_param) v = target;
    else if (names_object(p.format)) {
      auto it = own.id.find(p.format);
      if (it == own.id.end()) {
        if (!p.required && p.in != cat::In::Path) continue;
        v = std::string("xxxx_0000000000000000");
      } else {
        v = it->second;
      }
    } else if (!p.required && p.in != cat::In::Path) {
      continue;
    } else {
      v = sample(p);
    }
    std::string text = v.is_string() ? v.get<std::string>() : v.dump();
    if (p.in == cat::In::Path) {
      path = std::regex_replace(path, std::regex("\\{" + std::string(p.name) + "\\}"), text);
    } else if (p.in == cat::In::Query) {
      query += (query.empty() ? "?" : "&") + std::string(p.name) + "=" + text;
    } else {
      body[std::string(p.name)] = v;
    }
  }
  bool takes_body = ep.method != cat::Method::Get && ep.method != cat::Method::Delete;
  return {std::string(cat::to_string(ep.method)), path + query, takes_body ? body.dump() : ""};
}

// What a caller can see of an answer, with the named id replaced.
std::string shown(const Answer& a, const std::string& id) {
  std::string msg = a.message();
  for (std::size_t at; !id.empty() && (at = msg.find(id)) != std::string::npos;) msg.replace(at, id.size(), "<ID>");
  return std::to_string(a.status) + " " + std::to_string(a.resultcode()) + " " + msg;
}

}  // namespace

TEST_CASE("IDOR: for every endpoint naming an object, A's key naming B's object is refused like a missing one, "
          "and nothing changes", "[idor][omnid]") {
  Omnid omnid;  // --dev: system-admin key, mail to a directory
  const std::vector<std::string> roles{"profile-admin", "merchant-admin", "ewallet-admin"};
  std::string adapter = omnid.create_api_key({"adapter-admin"});
  auto make = [&](const std::string& name) {
    auto cred = omnid.create_profile_with_key(roles);
    Objects o;
    o.apikey = cred.apikey;
    o.id[cat::Format::Upid] = cred.upid;
    {
      pqxx::connection c(omnid.db_conninfo());
      pqxx::nontransaction tx(c);
      o.id[cat::Format::Akid] = tx.exec_params1("SELECT akid FROM api_keys WHERE upid = $1", cred.upid)[0].as<std::string>();
    }
    Answer w = omnid.call_json("POST", "/api/v1/wallet/create", Json{{"walletname", name + "-main"}}, cred.apikey);
    INFO(w.body);
    REQUIRE(w.resultcode() == 10000);
    o.id[cat::Format::Waid] = w.json["waid"];
    Answer d = omnid.call("POST", "/api/v1/system/bridge/generic/deposit",
                          Json{{"waid", o.id[cat::Format::Waid]}, {"currency", "CAD"}, {"amount", "100.00"},
                               {"externaltransactionid", "idor-" + name}}
                              .dump(),
                          adapter, {{"Idempotency-Key", "idor-deposit-" + name}});
    INFO(d.body);
    REQUIRE(d.resultcode() == 10000);
    o.id[cat::Format::Txid] = d.json["txid"];
    Answer m = omnid.call_json("POST", "/api/v1/profile/team/user",
                               Json{{"email", name + "-member@example.com"}, {"roles", {"profile-ro"}},
                                    {"callbackurl", "https://app.example.com/set"}},
                               cred.apikey);
    INFO(m.body);
    REQUIRE(m.resultcode() == 10000);
    o.id[cat::Format::Uuid] = m.json["uuid"];
    return o;
  };
  Objects a = make("a"), b = make("b");
  REQUIRE(omnid.wait_for_outbox());
  const std::map<cat::Format, std::string> missing{
      {cat::Format::Upid, "upid_0000000000000001"}, {cat::Format::Uuid, "uuid_0000000000000001"},
      {cat::Format::Waid, "waid_0000000000000001"}, {cat::Format::Txid, "txid_0000000000000001"},
      {cat::Format::Akid, "akid_0000000000000001"}, {cat::Format::Prid, "prid_0000000000000001"},
      {cat::Format::Ntid, "ntid_0000000000000001"}, {cat::Format::Fsid, "fsid_0000000000000001"}};
  // B's objects of the kinds that exist nowhere yet (payment requests, transports, fee
  // schedules): ids nobody has, so both calls must answer alike.
  b.id[cat::Format::Prid] = "prid_1234567890123456";
  b.id[cat::Format::Ntid] = "ntid_1234567890123456";
  b.id[cat::Format::Fsid] = "fsid_1234567890123456";

  auto before = checksums(omnid.db_conninfo());
  int checked = 0;
  std::vector<std::string> holes;
  for (const auto& ep : cat::all()) {
    if (ep.style() != cat::Style::Omnigate) continue;
    for (const auto& p : ep.params) {
      if (!names_object(p.format)) continue;
      // Counterparties, not objects acted on: a transfer may pay into anyone's wallet.
      if (ep.key() == "POST /api/v1/wallet/transfer" && p.name == "destinationwaid") continue;
      const std::string theirs = b.id.at(p.format);
      const std::string nobody = missing.at(p.format);
      Request rb = build(ep, p, theirs, a), rn = build(ep, p, nobody, a);
      std::vector<std::pair<std::string, std::string>> h{{"Idempotency-Key", "idor-" + og::crypto::random_hex(8)}};
      Answer ab = omnid.call(rb.method, rb.path, rb.body, a.apikey, h);
      h[0].second = "idor-" + og::crypto::random_hex(8);
      Answer an = omnid.call(rn.method, rn.path, rn.body, a.apikey, h);
      ++checked;
      INFO(ep.key() << " naming B's " << p.name << ": " << rb.method << " " << rb.path << " " << rb.body);
      INFO("B's object: " << ab.body);
      INFO("missing:    " << an.body);
      CHECK(ab.resultcode() != 10000);
      CHECK(shown(ab, theirs) == shown(an, nobody));
      if (ab.resultcode() == 10000 || shown(ab, theirs) != shown(an, nobody)) holes.push_back(ep.key() + " " + std::string(p.name));
    }
  }
  auto after = checksums(omnid.db_conninfo());
  for (const auto& [table, sum] : before) {
    INFO("table " << table);
    CHECK(after[table] == sum);
  }
  CHECK(after.size() == before.size());
  INFO("holes: " << Json(holes).dump());
  CHECK(holes.empty());
  CHECK(checked >= 40);
}
