// The endpoint catalog against the spec: counts, structural invariants, and field-by-field
// transcriptions of selected entries.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/catalog/catalog.h"
#include "common/rbac.h"

using namespace og::catalog;

namespace {

const Endpoint& ep(const std::string& key) {
  const Endpoint* e = find(key);
  INFO(key);
  REQUIRE(e != nullptr);
  return *e;
}

const Param& param(const Endpoint& e, std::string_view name) {
  const Param* p = e.param(name);
  INFO(e.key() << " param " << name);
  REQUIRE(p != nullptr);
  return *p;
}

// {name}s of a path template, in order.
std::vector<std::string> path_names(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while ((i = path.find('{', i)) != std::string_view::npos) {
    auto j = path.find('}', i);
    REQUIRE(j != std::string_view::npos);
    out.emplace_back(path.substr(i + 1, j - i - 1));
    i = j + 1;
  }
  return out;
}

struct Expect {
  Type type = Type::String;
  In in = In::Body;
  bool required = false;
  int min = -1;
  int max = -1;
  Format format = Format::None;
  bool secret = false;
};

void check(const Endpoint& e, std::string_view name, const Expect& x) {
  const Param& p = param(e, name);
  INFO(e.key() << " param " << name);
  CHECK(p.type == x.type);
  CHECK(p.in == x.in);
  CHECK(p.required == x.required);
  CHECK(p.min_len == x.min);
  CHECK(p.max_len == x.max);
  CHECK(p.format == x.format);
  CHECK(p.secret == x.secret);
}

std::vector<std::string_view> names(const Endpoint& e) {
  std::vector<std::string_view> out;
  for (const auto& p : e.params) out.push_back(p.name);
  return out;
}

using Names = std::vector<std::string_view>;

}  // namespace

TEST_CASE("catalog: counts", "[catalog]") {
  REQUIRE(all().size() == 126);
  std::map<Component, int> per;
  for (const auto& e : all()) ++per[e.component];
  CHECK(per[Component::Omnipass] == 53);
  CHECK(per[Component::Omnibridge] == 46);
  CHECK(per[Component::Omnipay] == 6);
  CHECK(per[Component::System] == 9);
  CHECK(per[Component::Static] == 2);
  CHECK(per[Component::Tenant] == 10);

  int api = 0, sso = 0, ext = 0;
  for (const auto& e : all()) {
    if (e.path.starts_with("/api/v1/")) ++api;
    if (e.path.starts_with("/auth/")) ++sso;
    if (e.extension) ++ext;
  }
  CHECK(api == 104);
  CHECK(sso == 12);
  // health, generic deposit/withdrawals/close, GET /auth/p/{strategy}, POST /auth/authorize,
  // POST /auth/revoke, POST /api/v1/user/activate/confirm, POST /api/v1/user/email/confirm,
  // POST /api/v1/user/token/renew, GET /api/v1/system/outbox, POST /api/v1/system/outbox/{id}/retry,
  // GET /api/v1/system/bridge/{bridgename}-{instanceid}/suspense and its POST .../assign and
  // .../dismiss, the
  // bridge alerts (list, acknowledge), reconciliation (run, list, show).
  CHECK(ext == 20);
}

TEST_CASE("catalog: keys are unique and find() returns each entry", "[catalog]") {
  std::set<std::string> keys;
  for (const auto& e : all()) {
    INFO(e.key());
    CHECK(keys.insert(e.key()).second);
    CHECK(find(e.key()) == &e);
  }
  CHECK(find("GET /api/v1/nope") == nullptr);
  CHECK(find("PUT /api/v1/wallet/transfer") == nullptr);
}

TEST_CASE("catalog: paths, path params and components agree", "[catalog]") {
  for (const auto& e : all()) {
    INFO(e.key());
    // Where a path lives decides its style.
    if (e.component == Component::Tenant) {
      CHECK(e.style() == Style::Tenant);
      CHECK_FALSE(e.path.starts_with("/api/"));
      CHECK_FALSE(e.path.starts_with("/auth/"));
    } else if (e.path.starts_with("/auth/")) {
      CHECK(e.style() == Style::Sso);
      CHECK(e.component == Component::Omnipass);
    } else {
      CHECK(e.path.starts_with("/api/v1/"));
      CHECK(e.style() == Style::Omnigate);
    }

    auto in_path = path_names(e.path);
    std::vector<std::string> declared;
    for (const auto& p : e.params)
      if (p.in == In::Path) declared.emplace_back(p.name);
    // Every {name} has a path param and vice versa (in the same order).
    CHECK(in_path == declared);
    for (const auto& p : e.params) {
      INFO(p.name);
      if (p.in == In::Path) CHECK(p.required);
      if (e.method == Method::Get) CHECK(p.in != In::Body);
    }
  }
}

TEST_CASE("catalog: same-shaped paths can be told apart by the router", "[catalog]") {
  // The router tries entries of equal shape in catalog order and takes the first whose
  // path parameters pass their formats: only the last of a group may have a path
  // parameter without a format (it matches anything).
  std::map<std::string, std::vector<const Endpoint*>> groups;
  for (const auto& e : all()) {
    std::string shape(to_string(e.method));
    shape += ' ';
    for (std::size_t i = 0; i < e.path.size(); ++i) {
      if (e.path[i] == '{') {
        shape += "{}";
        i = e.path.find('}', i);
      } else {
        shape += e.path[i];
      }
    }
    groups[shape].push_back(&e);
  }
  int shared = 0;
  for (const auto& [shape, eps] : groups) {
    if (eps.size() < 2) continue;
    ++shared;
    INFO(shape);
    for (std::size_t i = 0; i + 1 < eps.size(); ++i)
      for (const auto& p : eps[i]->params) {
        INFO(eps[i]->key() << " param " << p.name);
        if (p.in == In::Path) CHECK(p.format != Format::None);
      }
  }
  CHECK(shared == 3);  // GET /profile/{..}, GET /notifications/transports/{..}/{..}, DELETE ..transports/{..}
  const auto& list = all();
  auto pos = [&](const std::string& key) { return find(key) - list.data(); };
  CHECK(pos("DELETE /api/v1/notifications/transports/{ntid}") <
        pos("DELETE /api/v1/notifications/transports/{deviceid}"));
}

TEST_CASE("catalog: params are well formed", "[catalog]") {
  for (const auto& e : all()) {
    std::set<std::string_view> seen;
    for (const auto& p : e.params) {
      INFO(e.key() << " param " << p.name);
      CHECK(!p.name.empty());
      CHECK(seen.insert(p.name).second);
      if (p.min_len >= 0 && p.max_len >= 0) CHECK(p.min_len <= p.max_len);
      CHECK(p.min_len >= -1);
      CHECK(p.max_len >= -1);
      CHECK(p.max_len != 0);
      if (p.format == Format::Password) CHECK(p.secret);
      if (p.type == Type::Boolean) {
        CHECK(p.min_len == -1);
        CHECK(p.max_len == -1);
        CHECK(p.accepted.empty());
      }
      // A value that must be one of a list must fit the bounds.
      for (auto a : p.accepted) {
        INFO(a);
        if (p.type == Type::String && p.min_len >= 0) CHECK(static_cast<int>(a.size()) >= p.min_len);
        if (p.type == Type::String && p.max_len >= 0) CHECK(static_cast<int>(a.size()) <= p.max_len);
      }
      // Identifiers are exactly 21 characters.
      switch (p.format) {
        case Format::Upid: case Format::Uuid: case Format::Waid: case Format::Txid:
        case Format::Akid: case Format::Prid: case Format::Ntid: case Format::Fsid:
          CHECK(p.min_len == 21);
          CHECK(p.max_len == 21);
          break;
        default: break;
      }
    }
  }
}

TEST_CASE("catalog: financial entries", "[catalog]") {
  std::set<std::string> financial;
  for (const auto& e : all()) {
    if (!e.financial) continue;
    INFO(e.key());
    CHECK(e.method == Method::Post);
    CHECK(e.access == Access::Write);
    CHECK(e.auth == Auth::Credential);
    financial.insert(e.key());
  }
  CHECK(financial == std::set<std::string>{
                         "POST /api/v1/wallet/withdraw",
                         "POST /api/v1/wallet/transfer",
                         "POST /api/v1/payment/request",
                         "POST /api/v1/payment/accept",
                         "POST /api/v1/currency/issue",
                         "POST /api/v1/currency/issueiou",
                         "POST /api/v1/system/bridge/generic/deposit",
                         "POST /api/v1/system/bridge/generic/withdraw/close",
                     });
  CHECK_FALSE(ep("POST /api/v1/wallet/withdraw/test").financial);
}

TEST_CASE("catalog: every right named exists in the rights table", "[catalog][rbac]") {
  for (const auto& e : all()) {
    INFO(e.key());
    std::set<std::string_view> seen;
    for (auto r : e.rights) {
      INFO(r);
      CHECK(og::rbac::find_right(r) != nullptr);
      CHECK(seen.insert(r).second);
    }
    // A public endpoint asks for no right; nothing asks for superuser by name.
    if (e.auth == Auth::Public) CHECK(e.rights.empty());
    CHECK(std::find(e.rights.begin(), e.rights.end(), "superuser") == e.rights.end());
  }
}

TEST_CASE("catalog: commands", "[catalog]") {
  std::map<std::string_view, std::vector<const Endpoint*>> by_command;
  for (const auto& e : all()) {
    INFO(e.key());
    REQUIRE(!e.command.empty());
    for (char c : e.command) {
      INFO(e.command);
      CHECK(((c >= 'a' && c <= 'z') || c == ' ' || c == '-'));
    }
    CHECK(e.command.front() != ' ');
    CHECK(e.command.back() != ' ');
    CHECK(e.command.find("  ") == std::string_view::npos);
    // The first word is the group.
    auto group = e.command.substr(0, e.command.find(' '));
    if (e.component == Component::Tenant) CHECK(group == "tenant");
    else if (e.path.starts_with("/auth/")) CHECK(group == "auth");
    else {
      auto rest = e.path.substr(std::string_view("/api/v1/").size());
      CHECK(group == rest.substr(0, rest.find('/')));
    }
    by_command[e.command].push_back(&e);
  }
  // Entries sharing a command have the same method and the same non-path params.
  for (const auto& [command, eps] : by_command) {
    INFO(command);
    const Endpoint& first = *eps.front();
    for (const Endpoint* e : eps) {
      INFO(e->key());
      CHECK(e->method == first.method);
      std::vector<std::pair<std::string_view, bool>> a, b;
      for (const auto& p : first.params)
        if (p.in != In::Path) a.emplace_back(p.name, p.required);
      for (const auto& p : e->params)
        if (p.in != In::Path) b.emplace_back(p.name, p.required);
      CHECK(a == b);
    }
  }
  CHECK(by_command["profile get"].size() == 4);
  CHECK(by_command["wallet get"].size() == 2);
  CHECK(by_command["wallet list"].size() == 2);
  CHECK(by_command["wallet depositaddress get"].size() == 2);
  CHECK(by_command["notifications transports get"].size() == 2);
  CHECK(by_command["notifications transports delete"].size() == 2);
  CHECK(by_command["currency address list"].size() == 2);
  CHECK(ep("GET /api/v1/wallet/list/name_{walletname}").command == "wallet listbyname");
  CHECK(ep("POST /api/v1/wallet/withdraw/test").command == "wallet withdrawtest");
  CHECK(ep("POST /cards/report/lost").command == "tenant cards report-lost");
  CHECK(ep("GET /tenant/customer/balance").command == "tenant customer balance");
  CHECK(ep("POST /auth/token").command == "auth token");
}

TEST_CASE("catalog: timeouts", "[catalog]") {
  for (const auto& e : all()) {
    INFO(e.key());
    if (e.key() == "POST /api/v1/wallet/withdraw/test") CHECK(e.timeout_seconds == 15);
    else if (e.key() == "POST /api/v1/bridge/reconcile") CHECK(e.timeout_seconds == 600);  // a run reads whole histories
    else CHECK(e.timeout_seconds == 5);
  }
}

TEST_CASE("catalog: rate limiting follows the spec's \"Rate Limited\" lines", "[catalog]") {
  std::set<std::string> unlimited;
  for (const auto& e : all())
    if (!e.rate_limited) unlimited.insert(e.key());
  CHECK(unlimited == std::set<std::string>{
                         "GET /api/v1/system/bridge/{bridgename}-{instanceid}/balances",
                         "GET /api/v1/system/tiers",
                         "DELETE /api/v1/system/tiers/{level}",
                         "DELETE /api/v1/system/fee/schedule/{fsid}",
                     });
}

TEST_CASE("catalog: public and optional authentication", "[catalog]") {
  std::set<std::string> pub, opt;
  for (const auto& e : all()) {
    if (e.auth == Auth::Public) pub.insert(e.key());
    if (e.auth == Auth::Optional) opt.insert(e.key());
  }
  CHECK(pub == std::set<std::string>{
                   "POST /api/v1/user/resetpassword",
                   "POST /api/v1/user/login",
                   "POST /api/v1/user/activate",
                   "POST /api/v1/user/activate/confirm",
                   "POST /api/v1/user/email/confirm",
                   "POST /auth/revoke",
                   "POST /api/v1/system/{component}/unlock",
                   "POST /auth/unlock",
                   "GET /auth/p/{strategy}",
                   "GET /auth/p/{strategy}/callback",
                   "GET /auth/authorize",
                   "POST /auth/authorize",
                   "POST /auth/token",
                   "GET /auth/jwks.json",
               });
  // Health: anonymous for load balancers; more for a caller with readsystemdata.
  CHECK(opt == std::set<std::string>{"POST /api/v1/profile", "POST /api/v1/user/password", "GET /api/v1/system/health"});
}

TEST_CASE("catalog: secrets are masked", "[catalog]") {
  CHECK(param(ep("GET /api/v1/profile/{apikey}"), "apikey").secret);
  CHECK(param(ep("GET /api/v1/profile/{usertoken}"), "usertoken").secret);
  CHECK(param(ep("POST /api/v1/user/password"), "token").secret);
  CHECK(param(ep("POST /api/v1/user/password"), "newpassword").secret);
  CHECK(param(ep("POST /api/v1/payment/accept"), "paymentprocessorinformation").secret);
  CHECK(param(ep("POST /api/v1/system/bridge/updateaccount"), "accountdata").secret);
  const auto& token = ep("POST /auth/token");
  CHECK(param(token, "client_secret").secret);
  CHECK(param(token, "refresh_token").secret);
  CHECK(param(token, "code").secret);
  CHECK_FALSE(param(token, "client_id").secret);
  for (auto s : {"facebook", "google", "linkedin"}) CHECK(param(ep("POST /auth/api/strategies"), s).secret);
}

TEST_CASE("catalog: POST /api/v1/wallet/transfer", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/wallet/transfer");
  CHECK(e.component == Component::Omnibridge);
  CHECK(e.access == Access::Write);
  CHECK(e.rate_limited);
  CHECK(e.financial);
  CHECK(e.auth == Auth::Credential);
  CHECK(e.rights == Names{"initiatetransfer", "chargechildprofile"});
  CHECK(e.command == "wallet transfer");
  CHECK(names(e) == Names{"amount", "currency", "destinationwaid", "sourcewaid", "bridgecurrency", "description"});
  // amount: the spec's "10-12" loses to its own example "278.53".
  check(e, "amount", {.required = true, .min = 1, .max = 12, .format = Format::Amount});
  check(e, "currency", {.required = true, .min = 3, .max = 16, .format = Format::Currency});
  check(e, "destinationwaid", {.required = true, .min = 21, .max = 21, .format = Format::Waid});
  check(e, "sourcewaid", {.required = true, .min = 21, .max = 21, .format = Format::Waid});
  check(e, "bridgecurrency", {.min = 10, .max = 21, .format = Format::Currency});
  check(e, "description", {.min = 1, .max = 40});
  CHECK_FALSE(e.notes.empty());
}

TEST_CASE("catalog: POST /api/v1/profile", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/profile");
  CHECK(e.component == Component::Omnipass);
  CHECK(e.access == Access::Write);
  CHECK(e.rate_limited);
  CHECK_FALSE(e.financial);
  CHECK(e.auth == Auth::Optional);
  CHECK(e.command == "profile create");
  CHECK(e.params.size() == 26);
  check(e, "type", {.required = true, .min = 10, .max = 12});
  CHECK(param(e, "type").accepted == Names{"individual", "organization"});
  check(e, "email", {.required = true, .min = 6, .max = 60, .format = Format::Email});
  check(e, "registeruser", {.type = Type::Boolean});
  check(e, "subprofile", {.type = Type::Boolean});
  check(e, "system", {.type = Type::Boolean});
  check(e, "callbackurl", {.min = 10, .max = 100, .format = Format::Url});  // "Required if ..."
  check(e, "password", {.min = 8, .max = 16, .format = Format::Password, .secret = true});
  check(e, "language", {.min = 2, .max = 2, .format = Format::Language});
  check(e, "timezone", {.min = 10, .max = 30, .format = Format::Timezone});
  check(e, "emailvalidation", {.type = Type::Boolean});
  check(e, "phone", {.min = 7, .max = 20});
  check(e, "address1", {.min = 1, .max = 40});
  check(e, "address2", {.min = 1, .max = 40});
  check(e, "city", {.min = 1, .max = 30});
  check(e, "region", {.min = 1, .max = 30});
  check(e, "country", {.min = 2, .max = 2, .format = Format::Country});
  check(e, "postalcode", {.min = 1, .max = 15});
  check(e, "extended", {.type = Type::Object, .min = 2, .max = 20000});
  check(e, "firstname", {.min = 1, .max = 30});
  check(e, "lastname", {.min = 1, .max = 30});
  check(e, "birthday", {.min = 10, .max = 10, .format = Format::Date});
  check(e, "organizationname", {.min = 1, .max = 30});
  check(e, "adminfirstname", {.min = 1, .max = 30});
  check(e, "adminlastname", {.min = 1, .max = 30});
  check(e, "industry", {.min = 1, .max = 25});
  check(e, "registrationid", {.min = 1, .max = 30});
}

TEST_CASE("catalog: the four GET /profile forms", "[catalog][spec]") {
  CHECK(ep("GET /api/v1/profile").params.empty());
  check(ep("GET /api/v1/profile/{upid}"), "upid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Upid});
  check(ep("GET /api/v1/profile/{usertoken}"), "usertoken",
        {.in = In::Path, .required = true, .format = Format::Jwt, .secret = true});
  check(ep("GET /api/v1/profile/{apikey}"), "apikey",
        {.in = In::Path, .required = true, .min = 32, .max = 32, .format = Format::Hex32, .secret = true});
  for (auto k : {"GET /api/v1/profile", "GET /api/v1/profile/{upid}", "GET /api/v1/profile/{usertoken}",
                 "GET /api/v1/profile/{apikey}"})
    CHECK(ep(k).rights == Names{"readmyprofile", "readchildprofile", "readallprofiles"});
}

TEST_CASE("catalog: POST /api/v1/user/login", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/user/login");
  CHECK(e.component == Component::Omnipass);
  CHECK(e.access == Access::Write);
  CHECK(e.rate_limited);
  CHECK(e.auth == Auth::Public);
  CHECK(e.rights.empty());
  CHECK(names(e) == Names{"email", "password", "mfacode"});
  check(e, "email", {.required = true, .min = 6, .max = 60, .format = Format::Email});
  check(e, "password", {.required = true, .min = 8, .max = 16, .format = Format::Password, .secret = true});
  check(e, "mfacode", {.min = 6, .max = 6, .format = Format::Digits});
}

TEST_CASE("catalog: GET /api/v1/system/bridge/{bridgename}-{instanceid}/balances", "[catalog][spec]") {
  const auto& e = ep("GET /api/v1/system/bridge/{bridgename}-{instanceid}/balances");
  CHECK(e.component == Component::Omnibridge);
  CHECK(e.access == Access::Read);
  CHECK_FALSE(e.rate_limited);
  CHECK(e.rights == Names{"readsystemdata"});
  CHECK(names(e) == Names{"bridgename", "instanceid"});
  check(e, "bridgename", {.in = In::Path, .required = true, .min = 1, .max = 15});
  check(e, "instanceid", {.in = In::Path, .required = true, .min = 1, .max = 2, .format = Format::Digits});
}

TEST_CASE("catalog: POST /api/v1/payment/accept", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/payment/accept");
  CHECK(e.component == Component::Omnipay);
  CHECK(e.access == Access::Write);
  CHECK(e.financial);
  CHECK(e.rights == Names{"initiatetransfer", "managepaymentrequest"});
  CHECK(names(e) == Names{"prid", "currency", "method", "totalamount", "paymentprocessorinformation"});
  check(e, "prid", {.required = true, .min = 21, .max = 21, .format = Format::Prid});
  check(e, "currency", {.required = true, .min = 3, .max = 3, .format = Format::CurrencyCode});
  // method: the spec's "20-20" loses to its own values.
  check(e, "method", {.required = true, .min = 1, .max = 20});
  CHECK(param(e, "method").accepted == Names{"applepay", "wallet"});
  check(e, "totalamount", {.required = true, .min = 1, .max = 20, .format = Format::Amount});
  check(e, "paymentprocessorinformation", {.type = Type::Object, .min = 2, .max = 20000, .secret = true});
}

TEST_CASE("catalog: POST /api/v1/payment/merchantinfo", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/payment/merchantinfo");
  check(e, "accepttos", {.type = Type::Boolean, .required = true});
  for (auto n : {"firstname", "lastname", "city", "address", "postalcode"})
    check(e, n, {.required = true, .min = 1, .max = 20});
  check(e, "dateofbirth", {.required = true, .min = 10, .max = 10, .format = Format::Date});
  check(e, "businesstaxid", {.required = true, .min = 9, .max = 15});
  CHECK(param(e, "entitytype").accepted == Names{"company"});
}

TEST_CASE("catalog: POST /api/v1/currency/issue", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/currency/issue");
  CHECK(e.component == Component::Omnibridge);
  CHECK(e.access == Access::Write);
  CHECK(e.financial);
  CHECK(e.rights == Names{"createcurrency", "createextendedcurrency"});
  CHECK(names(e) == Names{"currencycode", "amount"});
  // currencycode: the spec's "5-20" loses to its own example "ZZZ".
  check(e, "currencycode", {.required = true, .min = 3, .max = 20, .format = Format::Currency});
  check(e, "amount", {.required = true, .min = 1, .max = 12, .format = Format::Amount});
  CHECK_FALSE(e.notes.empty());
}

TEST_CASE("catalog: POST /api/v1/wallet/withdraw and withdraw/test", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/wallet/withdraw");
  CHECK(e.financial);
  CHECK(e.rate_limited);
  CHECK(e.timeout_seconds == 5);
  CHECK(e.rights == Names{"initiatewithdraw"});
  CHECK(names(e) == Names{"amount", "currency", "method", "destinationaddress", "waid", "destinationamount",
                          "destinationcurrency", "extrabridgedata"});
  check(e, "amount", {.required = true, .min = 1, .max = 20, .format = Format::Amount});
  check(e, "currency", {.required = true, .min = 3, .max = 30, .format = Format::Currency});  // bridge currencies
  check(e, "method", {.required = true, .min = 1, .max = 15});
  CHECK(param(e, "method").accepted == Names{"bank", "iban", "ripple", "bitcoin", "stellar", "generic"});
  check(e, "destinationaddress", {.required = true, .min = 1, .max = 100});  // 50 in the spec: Stellar needs 77
  check(e, "waid", {.min = 21, .max = 21, .format = Format::Waid});
  check(e, "destinationamount", {.min = 1, .max = 20, .format = Format::Amount});
  check(e, "destinationcurrency", {.min = 3, .max = 40});
  check(e, "extrabridgedata", {.type = Type::Object, .min = 0, .max = 1000});

  const auto& t = ep("POST /api/v1/wallet/withdraw/test");
  CHECK(t.timeout_seconds == 15);
  CHECK_FALSE(t.financial);
  check(t, "amount", {.min = 1, .max = 20, .format = Format::Amount});  // "depends"
  check(t, "method", {.required = true, .min = 1, .max = 15});
  CHECK(param(t, "method").accepted == Names{"ripple"});
  check(t, "destinationaddress", {.required = true, .min = 30, .max = 50});
  check(t, "destinationcurrency", {.min = 3, .max = 40});
}

TEST_CASE("catalog: POST /api/v1/notifications/transports", "[catalog][spec]") {
  const auto& e = ep("POST /api/v1/notifications/transports");
  CHECK(e.component == Component::Omnipass);
  CHECK(e.access == Access::Write);
  CHECK(e.rights == Names{"modifymyprofile", "modifychildprofile", "modifyallprofiles"});
  CHECK(e.command == "notifications transports create");
  CHECK(names(e) == Names{"upid", "uuid", "akid", "transporttype", "deviceid", "transport"});
  check(e, "upid", {.required = true, .min = 21, .max = 21, .format = Format::Upid});
  check(e, "uuid", {.min = 21, .max = 21, .format = Format::Uuid});
  check(e, "akid", {.min = 21, .max = 21, .format = Format::Akid});
  check(e, "transporttype", {.required = true, .min = 4, .max = 6});
  CHECK(param(e, "transporttype").accepted == Names{"mobile", "http"});
  check(e, "deviceid", {.min = 1, .max = 200});  // required only for mobile
  check(e, "transport", {.type = Type::Object, .required = true, .min = 2, .max = 20000});

  // The same-shaped paths, told apart by format.
  check(ep("GET /api/v1/notifications/transports/{upid}/{uuid}"), "uuid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Uuid});
  check(ep("GET /api/v1/notifications/transports/{upid}/{akid}"), "akid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Akid});
  check(ep("DELETE /api/v1/notifications/transports/{ntid}"), "ntid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Ntid});
  check(ep("DELETE /api/v1/notifications/transports/{deviceid}"), "deviceid",
        {.in = In::Path, .required = true, .min = 1, .max = 200});
  CHECK(ep("GET /api/v1/notifications/transports/{upid}").rights ==
        Names{"readmyprofile", "readchildprofile", "readallprofiles"});
}

TEST_CASE("catalog: GET /api/v1/system/user", "[catalog][spec]") {
  const auto& e = ep("GET /api/v1/system/user");
  CHECK(e.component == Component::Omnipass);
  CHECK(e.access == Access::Read);
  CHECK(e.rights == Names{"readallprofiles"});
  CHECK(e.command == "system user get");
  CHECK(names(e) == Names{"email", "uuid"});
  check(e, "email", {.in = In::Query, .min = 6, .max = 60, .format = Format::Email});
  check(e, "uuid", {.in = In::Query, .min = 21, .max = 21, .format = Format::Uuid});
  CHECK(ep("POST /api/v1/system/user/update").rights == Names{"modifyallprofiles"});
  CHECK(ep("POST /api/v1/system/profile/update").rights == Names{"modifyallprofiles"});
}

TEST_CASE("catalog: POST /auth/unlock and the SSO service", "[catalog][spec]") {
  const auto& e = ep("POST /auth/unlock");
  CHECK(e.component == Component::Omnipass);
  CHECK(e.style() == Style::Sso);
  CHECK(e.access == Access::Write);
  CHECK(e.rate_limited);
  CHECK(e.auth == Auth::Public);
  CHECK(names(e) == Names{"password"});
  check(e, "password", {.required = true, .min = 16, .max = 16, .format = Format::Password, .secret = true});

  const auto& t = ep("POST /auth/token");
  check(t, "grant_type", {.required = true, .min = 13, .max = 18});
  CHECK(param(t, "grant_type").accepted == Names{"authorization_code", "refresh_token"});
  check(t, "client_id", {.required = true, .min = 8, .max = 8});
  check(t, "client_secret", {.min = 32, .max = 32, .secret = true});
  check(t, "code_verifier", {.min = 43, .max = 128, .secret = true});

  const auto& a = ep("GET /auth/authorize");
  check(a, "client_id", {.in = In::Query, .required = true, .min = 8, .max = 8});
  check(a, "redirect_uri", {.in = In::Query, .required = true, .min = 1, .max = 2048});
  CHECK(param(a, "response_type").accepted == Names{"code", "token"});
  CHECK(param(a, "code_challenge_method").accepted == Names{"S256"});
  CHECK(ep("POST /auth/authorize").extension);
  CHECK(param(ep("POST /auth/authorize"), "client_id").in == In::Body);

  CHECK(ep("GET /auth/apps").rights == Names{"systemadmin"});
  CHECK(ep("POST /auth/api/strategies").rights == Names{"systemadmin"});
  CHECK(param(ep("GET /auth/p/{strategy}/callback"), "strategy").accepted ==
        Names{"facebook", "google", "linkedin"});
}

TEST_CASE("catalog: the tenant API", "[catalog][spec]") {
  std::vector<std::string> keys;
  for (const auto& e : all())
    if (e.component == Component::Tenant) keys.push_back(e.key());
  CHECK(keys == std::vector<std::string>{
                    "PATCH /tenant/business-user/{businessUserId}",
                    "POST /onchain-preauth/{invoiceId}/cancel",
                    "GET /tenant/customer/balance",
                    "PATCH /cards/block-unblock",
                    "POST /cards/report/lost",
                    "POST /cards/report/stolen",
                    "POST /cards/request-card",
                    "POST /consent/accept-consent",
                    "POST /digital-wallet/deposit",
                    "POST /transaction/add-fund",
                });

  const auto& b = ep("GET /tenant/customer/balance");
  CHECK(b.style() == Style::Tenant);
  CHECK(b.access == Access::Read);
  CHECK(b.summary == "Get customer balance and pending settlements");
  CHECK(names(b) == Names{"identifierType", "identifierValue"});
  check(b, "identifierType", {.in = In::Query, .required = true});
  CHECK(param(b, "identifierType").accepted == Names{"namespace", "customNamespace", "accountAddress"});
  check(b, "identifierValue", {.in = In::Query, .required = true});

  const auto& u = ep("PATCH /tenant/business-user/{businessUserId}");
  check(u, "businessUserId", {.in = In::Path, .required = true});
  check(u, "incorporationDocs", {.type = Type::Object});
  check(u, "otherDocs", {.type = Type::Array});
  CHECK(u.param("incorporationDocs.documentType") == nullptr);
  for (const auto& p : u.params) CHECK((p.in == In::Path || !p.required));

  const auto& lost = ep("POST /cards/report/lost");
  check(lost, "cardId", {});
  check(lost, "reportDate", {.format = Format::Date});
  check(ep("PATCH /cards/block-unblock"), "block", {.type = Type::Boolean, .required = true});
  CHECK(param(ep("POST /consent/accept-consent"), "type").accepted ==
        Names{"ACH", "Credit Card", "Debit Card", "Digital Payment", "KYB Partner"});
  check(ep("POST /digital-wallet/deposit"), "amount", {.type = Type::Number, .required = true});
  check(ep("POST /transaction/add-fund"), "successUrl", {.format = Format::Url});
}

TEST_CASE("catalog: the typo path is kept working", "[catalog][spec]") {
  const auto& main = ep("POST /api/v1/currency/address/create");
  const auto& alt = ep("POST /api/v1/currency/profileaddress/create");
  CHECK(alt.notes.find("alternate") != std::string_view::npos);
  CHECK(names(main) == names(alt));
  CHECK(names(main) == Names{"bridgename"});
  check(alt, "bridgename", {.required = true, .min = 2, .max = 15});
  CHECK(main.rights == alt.rights);
}

TEST_CASE("catalog: ids in paths carry their format", "[catalog][spec]") {
  check(ep("GET /api/v1/wallet/transaction/{txid}"), "txid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Txid});
  check(ep("GET /api/v1/payment/{prid}"), "prid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Prid});
  check(ep("DELETE /api/v1/profile/{upid}/apikey/{akid}"), "akid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Akid});
  check(ep("GET /api/v1/wallet/{waid}/transactionlist"), "waid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Waid});
  check(ep("DELETE /api/v1/system/fee/schedule/{fsid}"), "fsid",
        {.in = In::Path, .required = true, .min = 21, .max = 21, .format = Format::Fsid});
}

TEST_CASE("catalog: an owner rule names a parameter of its entry and rights that exist; the entry's rights "
          "each open one of its tiers", "[catalog][ownership]") {
  using namespace og::catalog;
  int declared = 0;
  for (const auto& ep : all()) {
    const Owner& o = ep.owner;
    if (o.object == Object::None) continue;
    ++declared;
    INFO(ep.key());
    const Param* p = ep.param(o.param);
    const Format expected = o.object == Object::Profile      ? Format::Upid
                            : o.object == Object::Wallet     ? Format::Waid
                            : o.object == Object::TeamMember ? Format::Uuid
                            : o.object == Object::ApiKey     ? Format::Akid
                                                             : Format::Txid;
    // An entry without the parameter acts on the caller's own profile or default wallet.
    if (!o.checked_by.empty()) REQUIRE(p != nullptr);  // named somehow (a credential, say)
    else if (p) CHECK(p->format == expected);
    else CHECK((o.object == Object::Profile || o.object == Object::Wallet));
    // A team member or a key lives in a profile: the entry may name it by upid.
    if (o.object == Object::TeamMember || o.object == Object::ApiKey)
      if (const Param* u = ep.param("upid")) CHECK(u->format == Format::Upid);
    std::set<std::string_view> tiers;
    for (const auto* list : {&o.own, &o.child, &o.all})
      for (auto r : *list) {
        CHECK(og::rbac::find_right(r) != nullptr);
        tiers.insert(r);
      }
    // The rights are declared once: whatever admits a call to the entry opens some tier.
    for (auto r : ep.rights) CHECK(tiers.count(r) == 1);
  }
  CHECK(declared >= 28);
}
