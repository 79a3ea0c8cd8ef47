// Roles and rights, transcribed from the spec's "Roles and Rights List": the "Right
// Description" table, the "System Roles" table and "System Roles and rights mapping".
#include "common/rbac.h"

#include <string>
#include <unordered_map>

namespace og::rbac {

namespace {

// The "Right Description" table, in order, descriptions verbatim. The last entry is not
// in the table: the mapping gives it to system-rw (see docs/catalog-decisions.md).
const std::vector<Right>& right_table() {
  static const std::vector<Right> t = {
      {"superuser", "Can do anything!"},
      {"systemadmin", "Can start and stop nodes, change node roles, etc..."},
      {"readsystemdata", "Can access system private data (roles and rights list for example)"},
      {"internalapp", "Represent an internal application"},
      {"createusernoemailvalidation", "Can create a new user without the need of doing the email validation"},
      {"approvekyc", "Can approve KYC submission"},
      {"viewkyc", "Can view all kyc submission."},
      {"documentread", "Can read information about documents"},
      {"kycdocumentupload", "Can upload document for KYC process"},
      {"documentwrite", "Can modify information about a document"},
      {"createagent", "Can create new agents"},
      {"modifyagent", "Can modify agents"},
      {"createmerchants", "Can create merchant profiles, can add merchant-admin rights to a user"},
      {"createchildextendedcurrency", "Can create a child extended currency"},
      {"manualdeposit", "Can do a manual deposit (adapters). Only possible for internalapp roles."},
      {"closewithdraw", "Can finalize a withdraw (adapters). Only possible for internalapp roles."},
      {"negativewallet", "Can set the balance of a wallet in the negative"},
      {"addemptyprofile", "Can register an empty profile under some circumstances"},
      {"createstandaloneprofile", "Can create a standalone profile"},
      {"readallprofiles", "Can read all profiles in the system"},
      {"modifyallprofiles", "Can modify all profiles in the system"},
      {"readallwallets", "Can access all wallets"},
      {"listallwallettx", "Can list all wallet transactions in the system"},
      {"readallbalances", "Can read all wallet balances"},
      {"createuser", "Can create users"},
      {"resetpassword", "Can reset my password"},
      {"resetchildpassword", "Can reset child password"},
      {"modifyusermfa", "Can manage user MFA"},
      {"modifyuserpassword", "Can change user password"},
      {"managemerchants", "Can manage merchant profiles"},
      {"readmyprofile", "Can read own profile."},
      {"modifymyprofile", "Can modify own profile."},
      {"createchildprofile", "Can create child profile"},
      {"readchildprofile", "Can read child profiles."},
      {"modifychildprofile", "Can modify child profiles."},
      {"createprofileapikey", "Can create an APIKey for profile"},
      {"changeprofiletier", "Can update a profiles tier"},
      {"createchildprofileapikey", "Can create an APIKey for child"},
      {"requestread", "Can read information about tier change requests"},
      {"requestwrite", "Can write and update information about a tier change request"},
      {"tiermanagement", "Can create tiers"},
      {"createpaymentrequest", "Can create payment request"},
      {"managepaymentrequest", "Can manage payments request"},
      {"getpaymentlist", "Can view list of all payments"},
      {"initiatetransfer", "Can initiate a transfer"},
      {"initiatewithdraw", "Can initiate a withdraw"},
      {"sendpaymentmessage", "Can send payment message"},
      {"listmyswallettx", "Can list my wallet transactions"},
      {"readwalletbalances", "Can get my wallet's balances"},
      {"createreceivingaddress", "Can create a receiving address for a wallet"},
      {"chargechildprofile", "Can pay using a child's wallet"},
      {"listchildswallettx", "Can list my child's wallet transactions"},
      {"readchildwalletbalances", "Can get my child wallet's balances"},
      {"createchildreceivingaddress", "Can create a receiving address for a child's wallet"},
      {"createcurrency", "Can create currency"},
      {"createparentcurrency", "Can create extended currency with parent currency relation"},
      {"createextendedcurrency", "Can create extended currency"},
      {"listmycurrencies", "Can list extended currency associated with the current profile/issuer"},
      {"manageteam", "Can view team members"},
      {"createorders", "Can create trading orders"},
      {"monitororders", "Can monitor own trading orders"},
      {"createcheckout", "Can create a checkout"},
      {"getcheckout", "Can get a checkout"},
      // Named by the mapping (system-rw) but missing from the rights table.
      {"systeminstall", "Can run the installation and configuration steps"},
  };
  return t;
}

// The "System Roles" table, in order, descriptions verbatim; rights from "System Roles
// and rights mapping", verbatim and in the mapping's order.
const std::vector<Role>& role_table() {
  static const std::vector<Role> t = {
      {"system-admin", "All rights to configure the platform, including adding currencies", {"superuser"}},
      {"system-rw", "Can perform system maintenance operation",
       {"readsystemdata", "listallwallettx", "readallprofiles", "modifyallprofiles", "approvekyc", "systemadmin",
        "systeminstall"}},
      {"system-ro", "Can read system wide data", {"readsystemdata", "listallwallettx", "readallprofiles"}},
      {"registration-rw", "Can register a new user", {"createstandaloneprofile", "createuser"}},
      {"internalapp-rw", "Internal application write right",
       {"internalapp", "readallprofiles", "modifyallprofiles", "createusernoemailvalidation", "readallwallets"}},
      {"internalapp-ro", "Internal application read right", {"internalapp", "readallprofiles", "readallwallets"}},
      {"adapter-admin", "Can interact with the generic bridge",
       {"manualdeposit", "closewithdraw", "negativewallet", "readallwallets"}},
      {"agent-admin", "Can add new agents",
       {"readallprofiles", "modifyallprofiles", "approvekyc", "createmerchants", "managemerchants",
        "listallwallettx", "createstandaloneprofile", "changeprofiletier", "readallwallets"}},
      {"agent-rw", "Can approve profiles and support tasks on profiles",
       {"readallprofiles", "modifyallprofiles", "approvekyc", "createmerchants", "managemerchants",
        "listallwallettx", "documentread", "requestread", "requestwrite", "documentwrite",
        "createstandaloneprofile", "changeprofiletier", "readallwallets"}},
      {"agent-ro", "Can read limited profile data",
       {"readallprofiles", "listallwallettx", "documentread", "requestread", "readallwallets"}},
      {"gateway-admin", "Can select which networks and currencies can be emitted and other platform gateway settings",
       {}},
      {"issuer-admin", "Can create currencies", {"createcurrency"}},
      {"issuer-rw", "Can create currencies", {"createcurrency"}},
      {"merchant-admin",
       "Can configure merchant settings, supported payment methods and manage team members and employee roles (per "
       "merchant)",
       {"createpaymentrequest", "managepaymentrequest", "createcurrency", "manageteam", "createcheckout",
        "getcheckout"}},
      {"merchant-rw", "All payment functions, including charging child profile wallets",
       {"createpaymentrequest", "managepaymentrequest", "createcheckout", "getcheckout"}},
      {"merchant-ro", "Read only, can access list and GET operations including payments function",
       {"managepaymentrequest", "getcheckout"}},
      {"trader-admin", "Trader admin", {"createorders", "monitororders"}},
      {"trader-rw", "Active trader", {"createorders", "monitororders"}},
      {"trader-ro", "Can monitor orders", {"monitororders"}},
      {"profile-admin",
       "Can configure profile settings. Can create child profile, manage roles mapping according to own profile.",
       {"readmyprofile", "listmyswallettx", "readwalletbalances", "modifymyprofile", "initiatewithdraw",
        "initiatetransfer", "manageteam", "createuser"}},
      {"profile-rw", "All operations on this profile ID (UPID)",
       {"readmyprofile", "listmyswallettx", "readwalletbalances", "modifymyprofile", "initiatewithdraw",
        "initiatetransfer"}},
      {"profile-ro", "Read operations on this profile ID (UPID)",
       {"readmyprofile", "listmyswallettx", "readwalletbalances"}},
      {"ewallet-rw", "Can access write, create and POST operations on child profiles and ewallets",
       {"readmyprofile", "modifymyprofile", "listmyswallettx", "readwalletbalances", "modifyusermfa",
        "modifyuserpassword", "initiatewithdraw", "initiatetransfer"}},
      {"ewallet-admin",
       "Can configure ewallet permissions including supported currencies, deposit and withdrawal methods for all "
       "childs, and add team members",
       {"readmyprofile", "modifymyprofile", "listmyswallettx", "readwalletbalances", "readchildwalletbalances",
        "listchildswallettx", "readchildprofile", "modifychildprofile", "createchildprofile", "createuser",
        "modifyusermfa", "modifyuserpassword", "createprofileapikey", "createchildprofileapikey",
        "chargechildprofile", "initiatewithdraw", "initiatetransfer", "manageteam"}},
      {"ewallet-ro", "Can access list and GET operations on child profiles and ewallets",
       {"readmyprofile", "listmyswallettx", "readwalletbalances"}},
  };
  return t;
}

struct Index {
  std::unordered_map<std::string_view, std::size_t> right;  // name -> position in rights()
  std::unordered_map<std::string_view, const Role*> role;
  std::size_t superuser = 0;

  Index() {
    const auto& rs = right_table();
    for (std::size_t i = 0; i < rs.size(); ++i) right.emplace(rs[i].id, i);
    for (const auto& r : role_table()) role.emplace(r.id, &r);
    superuser = right.at("superuser");
  }
};

const Index& index() {
  static const Index i;
  return i;
}

}  // namespace

std::span<const Right> rights() { return right_table(); }
std::span<const Role> roles() { return role_table(); }

const Role* find_role(std::string_view id) {
  const auto& m = index().role;
  auto it = m.find(id);
  return it == m.end() ? nullptr : it->second;
}

const Right* find_right(std::string_view id) {
  const auto& m = index().right;
  auto it = m.find(id);
  return it == m.end() ? nullptr : &right_table()[it->second];
}

RightSet RightSet::of_roles(std::span<const std::string> roles) {
  RightSet s;
  for (const auto& r : roles) s.add_role(r);
  return s;
}

RightSet RightSet::of_roles(std::span<const std::string_view> roles) {
  RightSet s;
  for (auto r : roles) s.add_role(r);
  return s;
}

void RightSet::add_role(std::string_view role) {
  if (const Role* r = find_role(role))
    for (auto right : r->rights) add_right(right);
}

void RightSet::add_right(std::string_view right) {
  const auto& m = index().right;
  if (auto it = m.find(right); it != m.end() && it->second < kMaxRights) bits_.set(it->second);
}

bool RightSet::superuser() const { return bits_.test(index().superuser); }

bool RightSet::has(std::string_view right) const { return superuser() || granted(right); }

bool RightSet::granted(std::string_view right) const {
  const auto& m = index().right;
  auto it = m.find(right);
  return it != m.end() && it->second < kMaxRights && bits_.test(it->second);
}

bool RightSet::has_any(std::span<const std::string_view> rights) const {
  if (rights.empty()) return true;
  for (auto r : rights)
    if (has(r)) return true;
  return false;
}

std::vector<std::string_view> RightSet::list() const {
  std::vector<std::string_view> out;
  const auto& rs = right_table();
  for (std::size_t i = 0; i < rs.size() && i < kMaxRights; ++i)
    if (bits_.test(i)) out.push_back(rs[i].id);
  return out;
}

}  // namespace og::rbac
