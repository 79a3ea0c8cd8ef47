// Roles and rights against the spec's "Roles and Rights List", and RightSet behaviour.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/rbac.h"

using namespace og::rbac;
using Names = std::vector<std::string_view>;

namespace {

const Role& role(std::string_view id) {
  const Role* r = find_role(id);
  INFO(id);
  REQUIRE(r != nullptr);
  return *r;
}

RightSet of(std::initializer_list<std::string_view> roles) {
  std::vector<std::string_view> v(roles);
  return RightSet::of_roles(std::span<const std::string_view>(v));
}

}  // namespace

TEST_CASE("rbac: the rights table", "[rbac]") {
  // 63 rows in the spec's table, plus systeminstall (named by system-rw's mapping only).
  REQUIRE(rights().size() == 64);
  REQUIRE(rights().size() <= kMaxRights);
  CHECK(rights().front().id == "superuser");
  CHECK(rights().front().description == "Can do anything!");
  CHECK(rights()[1].id == "systemadmin");
  CHECK(rights()[62].id == "getcheckout");
  CHECK(rights().back().id == "systeminstall");
  CHECK(rights().back().description == "Can run the installation and configuration steps");

  std::set<std::string_view> ids;
  for (const auto& r : rights()) {
    INFO(r.id);
    CHECK(ids.insert(r.id).second);
    CHECK(!r.description.empty());
    CHECK(find_right(r.id) == &r);
  }
  REQUIRE(find_right("readsystemdata") != nullptr);
  CHECK(find_right("readsystemdata")->description ==
        "Can access system private data (roles and rights list for example)");
  CHECK(find_right("viewkyc")->description == "Can view all kyc submission.");
  CHECK(find_right("manageteam")->description == "Can view team members");
  CHECK(find_right("nosuchright") == nullptr);
}

TEST_CASE("rbac: the roles table", "[rbac]") {
  REQUIRE(roles().size() == 25);
  Names order;
  for (const auto& r : roles()) order.push_back(r.id);
  CHECK(order == Names{"system-admin",  "system-rw",      "system-ro",     "registration-rw", "internalapp-rw",
                       "internalapp-ro", "adapter-admin", "agent-admin",   "agent-rw",        "agent-ro",
                       "gateway-admin", "issuer-admin",   "issuer-rw",     "merchant-admin",  "merchant-rw",
                       "merchant-ro",   "trader-admin",   "trader-rw",     "trader-ro",       "profile-admin",
                       "profile-rw",    "profile-ro",     "ewallet-rw",    "ewallet-admin",   "ewallet-ro"});
  for (const auto& r : roles()) {
    INFO(r.id);
    CHECK(find_role(r.id) == &r);
    CHECK(!r.description.empty());
    std::set<std::string_view> seen;
    for (auto right : r.rights) {
      INFO(right);
      CHECK(find_right(right) != nullptr);  // every mapped right is in rights()
      CHECK(seen.insert(right).second);
    }
  }
  CHECK(find_role("nosuchrole") == nullptr);
  CHECK(role("agent-ro").description == "Can read limited profile data");
  CHECK(role("merchant-admin").description ==
        "Can configure merchant settings, supported payment methods and manage team members and employee roles "
        "(per merchant)");
  // The spec's mapping has no row for gateway-admin.
  CHECK(role("gateway-admin").rights.empty());
}

TEST_CASE("rbac: exact right lists of some roles", "[rbac]") {
  CHECK(role("system-admin").rights == Names{"superuser"});
  CHECK(role("system-rw").rights == Names{"readsystemdata", "listallwallettx", "readallprofiles", "modifyallprofiles",
                                          "approvekyc", "systemadmin", "systeminstall"});
  CHECK(role("profile-admin").rights == Names{"readmyprofile", "listmyswallettx", "readwalletbalances",
                                              "modifymyprofile", "initiatewithdraw", "initiatetransfer",
                                              "manageteam", "createuser"});
  CHECK(role("adapter-admin").rights == Names{"manualdeposit", "closewithdraw", "negativewallet", "readallwallets"});
  CHECK(role("ewallet-admin").rights ==
        Names{"readmyprofile", "modifymyprofile", "listmyswallettx", "readwalletbalances", "readchildwalletbalances",
              "listchildswallettx", "readchildprofile", "modifychildprofile", "createchildprofile", "createuser",
              "modifyusermfa", "modifyuserpassword", "createprofileapikey", "createchildprofileapikey",
              "chargechildprofile", "initiatewithdraw", "initiatetransfer", "manageteam"});
  CHECK(role("merchant-ro").rights == Names{"managepaymentrequest", "getcheckout"});
  CHECK(role("agent-rw").rights.size() == 13);
}

TEST_CASE("rbac: RightSet", "[rbac]") {
  SECTION("empty set holds nothing") {
    RightSet s;
    CHECK_FALSE(s.superuser());
    CHECK_FALSE(s.has("readmyprofile"));
    CHECK(s.list().empty());
    Names none;
    CHECK(s.has_any(none));  // no right asked: any caller
    Names one{"readmyprofile"};
    CHECK_FALSE(s.has_any(one));
  }
  SECTION("superuser has everything") {
    RightSet s = of({"system-admin"});
    CHECK(s.superuser());
    for (const auto& r : rights()) CHECK(s.has(r.id));
    Names any{"createcheckout", "initiatewithdraw"};
    CHECK(s.has_any(any));
    CHECK(s.list() == Names{"superuser"});
  }
  SECTION("unknown roles and rights grant nothing") {
    RightSet s = of({"no-such-role", "profile-ro"});
    CHECK_FALSE(s.superuser());
    CHECK(s.list() == Names{"readmyprofile", "listmyswallettx", "readwalletbalances"});
    s.add_right("not-a-right");
    CHECK(s.list().size() == 3);
    CHECK_FALSE(s.has("not-a-right"));
    RightSet u = of({"root", "admin"});
    CHECK(u.list().empty());
    CHECK_FALSE(u.has("readmyprofile"));
  }
  SECTION("a set of roles is the union of their rights") {
    RightSet s = of({"profile-ro", "adapter-admin"});
    CHECK(s.has("readmyprofile"));
    CHECK(s.has("manualdeposit"));
    CHECK(s.has("readallwallets"));
    CHECK_FALSE(s.has("initiatetransfer"));
    CHECK_FALSE(s.has("superuser"));
    // list() is in spec order, without duplicates.
    CHECK(s.list() == Names{"manualdeposit", "closewithdraw", "negativewallet", "readallwallets", "readmyprofile",
                            "listmyswallettx", "readwalletbalances"});
    Names want{"initiatetransfer", "closewithdraw"};
    CHECK(s.has_any(want));
    Names nope{"initiatetransfer", "systemadmin"};
    CHECK_FALSE(s.has_any(nope));
  }
  SECTION("of_roles from std::string") {
    std::vector<std::string> rs{"merchant-rw", "trader-ro"};
    RightSet s = RightSet::of_roles(std::span<const std::string>(rs));
    CHECK(s.has("createpaymentrequest"));
    CHECK(s.has("monitororders"));
    CHECK_FALSE(s.has("createorders"));
  }
  SECTION("add_right and add_role") {
    RightSet s;
    s.add_right("systeminstall");
    CHECK(s.has("systeminstall"));
    CHECK_FALSE(s.has("systemadmin"));
    s.add_role("system-rw");
    CHECK(s.has("systemadmin"));
    s.add_right("superuser");
    CHECK(s.superuser());
    CHECK(s.has("getcheckout"));
  }
  SECTION("copies are independent") {
    RightSet a = of({"profile-ro"});
    RightSet b = a;
    b.add_role("system-admin");
    CHECK(b.superuser());
    CHECK_FALSE(a.superuser());
  }
}
