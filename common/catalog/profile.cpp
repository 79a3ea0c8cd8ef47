// Spec section: profiles (/profile...): create, get, update, team members, API keys,
// extended attributes.
#include "common/catalog/entries.h"

namespace og::catalog::entries {

namespace {

// The profile address attributes shared by POST /profile and POST /profile/update.
void address_params(std::vector<Param>& ps) {
  ps.push_back(P("phone").len(7, 20).desc("Phone number"));
  ps.push_back(P("address1").len(1, 40).desc("Address"));
  ps.push_back(P("address2").len(1, 40).desc("Address"));
  ps.push_back(P("city").len(1, 30).desc("City"));
  ps.push_back(P("region").len(1, 30).desc("Region"));
  ps.push_back(P("country").len(2, 2).fmt(Format::Country).desc("Country code"));
  ps.push_back(P("postalcode").len(1, 15).desc("Postal code"));
}

// Functions rather than globals: the catalog may be built during another file's static
// initialization.
std::vector<std::string_view> read_profile() { return {"readmyprofile", "readchildprofile", "readallprofiles"}; }
std::vector<std::string_view> modify_profile() {
  return {"modifymyprofile", "modifychildprofile", "modifyallprofiles"};
}
std::vector<std::string_view> apikey_rights() { return {"createprofileapikey", "createchildprofileapikey"}; }

// The same rights by tier, for the pipeline's ownership check (Endpoint::owner).
Owner read_owner() { return {Object::Profile, "upid", {"readmyprofile"}, {"readchildprofile"}, {"readallprofiles"}, {}}; }
Owner modify_owner() {
  return {Object::Profile, "upid", {"modifymyprofile"}, {"modifychildprofile"}, {"modifyallprofiles"}, {}};
}
Owner team_owner(Object o = Object::Profile) {
  return {o, o == Object::Profile ? "upid" : "uuid", {"manageteam"}, {"manageteam"}, {}, {}};
}
Owner apikey_owner(Object o = Object::Profile) {
  return {o, o == Object::Profile ? "upid" : "akid", {"createprofileapikey"}, {"createchildprofileapikey"}, {}, {}};
}
// GET /profile/{usertoken} and /profile/{apikey}: the profile is named by a credential, not
// an id, and is found by the handler (a hash lookup, or the token's claims).
constexpr std::string_view kByCredential =
    "the handler: the profile is named by a credential (an API key's hash, a token's claims), not by an id; "
    "the same tiers, and a refusal answers like no match";

}  // namespace

void profile(std::vector<Endpoint>& out) {
  {
    std::vector<Param> ps = {
        P("type").req().len(10, 12).one_of({"individual", "organization"}).desc("Profile type"),
        P("email").req().len(6, 60).fmt(Format::Email).desc("Email address linked to the profile"),
        Bool("registeruser").desc("If true, will register a new user with the same email for the profile"),
        Bool("subprofile").desc("If true will create the new profile as subprofile of the current one"),
        Bool("system").desc("If true will create the new profile as a system profile (superuser only)"),
        P("callbackurl").len(10, 100).fmt(Format::Url).desc("Required if \"registeruser\" is true"),
        P("password").len(8, 16).fmt(Format::Password)
            .desc("Password for the new user, ignored if \"registeruser\" is false"),
        P("language").len(2, 2).fmt(Format::Language)
            .desc("Language for the new user, ignored if \"registeruser\" is false"),
        P("timezone").len(10, 30).fmt(Format::Timezone)
            .desc("IANA time zone of the new user, ignored if \"registeruser\" is false"),
        Bool("emailvalidation")
            .desc("If false, the email address is not validated (defaults to true; internalapp-* roles only)"),
    };
    address_params(ps);
    ps.push_back(Obj("extended").len(2, 20000).desc("Any valid extended attributes"));
    // Individual profile type attributes.
    ps.push_back(P("firstname").len(1, 30).desc("First name (required for an individual profile)"));
    ps.push_back(P("lastname").len(1, 30).desc("Last name (required for an individual profile)"));
    ps.push_back(P("birthday").len(10, 10).fmt(Format::Date).desc("Birthday (YYYY-MM-DD)"));
    // Organization profile type attributes.
    ps.push_back(P("organizationname").len(1, 30).desc("Organization name (required for an organization profile)"));
    ps.push_back(P("adminfirstname").len(1, 30)
                     .desc("Administrator first name (required for an organization profile)"));
    ps.push_back(P("adminlastname").len(1, 30)
                     .desc("Administrator last name (required for an organization profile)"));
    ps.push_back(P("industry").len(1, 25).desc("Industry"));
    ps.push_back(P("registrationid").len(1, 30).desc("Registration ID"));
    out.push_back({
        .method = Method::Post,
        .path = "/api/v1/profile",
        .summary = "Create a new profile",
        .component = Component::Omnipass,
        .access = Access::Write,
        .auth = Auth::Optional,
        .rights = {},
        .params = std::move(ps),
        .command = "profile create",
        .notes = "Auth optional: public registration may be allowed; the handler checks the caller's rights "
                 "(subprofile, system) and the type-specific required attributes.",
    });
  }

  // GET /profile and its three "by identifier" forms: one entry each, told apart by format.
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile",
      .summary = "Get the profile associated with the access token or API key which made the request",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_profile(),
      .command = "profile get",
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/{upid}",
      .summary = "Get a profile by profile ID",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_profile(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID"))},
      .command = "profile get",
      .owner = read_owner(),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/{usertoken}",
      .summary = "Get the profile of a user token",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_profile(),
      .params = {path(P("usertoken").fmt(Format::Jwt).hidden().desc("User token"))},
      .command = "profile get",
      .owner = Owner{Object::Profile, "usertoken", {"readmyprofile"}, {"readchildprofile"}, {"readallprofiles"}, kByCredential},
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/{apikey}",
      .summary = "Get the profile of an API key",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = read_profile(),
      .params = {path(P("apikey").len(32, 32).fmt(Format::Hex32).hidden().desc("API key"))},
      .command = "profile get",
      .owner = Owner{Object::Profile, "apikey", {"readmyprofile"}, {"readchildprofile"}, {"readallprofiles"}, kByCredential},
  });

  {
    std::vector<Param> ps = {P("upid").req().len(21, 21).fmt(Format::Upid).desc("Profile ID")};
    address_params(ps);
    ps.push_back(Obj("extended").len(2, 20000).desc("Any valid extended attributes"));
    ps.push_back(P("firstname").len(1, 30).desc("First name (individual)"));
    ps.push_back(P("lastname").len(1, 30).desc("Last name (individual)"));
    ps.push_back(P("email").len(6, 60).fmt(Format::Email).desc("Email address (individual)"));
    ps.push_back(P("birthday").len(10, 10).fmt(Format::Date).desc("Birthday (YYYY-MM-DD) (individual)"));
    ps.push_back(P("organizationname").len(1, 30).desc("Organization name (organization)"));
    ps.push_back(P("adminfirstname").len(1, 30).desc("Administrator first name (organization)"));
    ps.push_back(P("adminlastname").len(1, 30).desc("Administrator last name (organization)"));
    ps.push_back(P("adminemail").len(6, 60).fmt(Format::Email).desc("Administrator email address (organization)"));
    ps.push_back(P("industry").len(1, 25).desc("Industry (organization)"));
    ps.push_back(P("registrationid").len(1, 30).desc("Registration ID (organization)"));
    out.push_back({
        .method = Method::Post,
        .path = "/api/v1/profile/update",
        .summary = "Update a profile",
        .component = Component::Omnipass,
        .access = Access::Write,
        .rights = modify_profile(),
        .params = std::move(ps),
        .command = "profile update",
        .owner = modify_owner(),
    });
  }

  // Team members.
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/profile/team/user",
      .summary = "Add team member to default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"manageteam"},
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address of the user"),
                 Arr("roles").req().len(1, 20).desc("Roles assigned to the user"),
                 P("callbackurl").req().len(10, 100).fmt(Format::Url).desc("Redirection url to the set password page"),
                 P("upid").len(21, 21).fmt(Format::Upid)
                     .desc("If present will create a user and a mapping for child profile"),
                 P("language").len(2, 2).fmt(Format::Language).desc("Language for the new user")},
      .command = "profile team add",
      .owner = team_owner(),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/team",
      .summary = "Get team members for default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {"manageteam"},
      .command = "profile team list",
      .owner = team_owner(),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/{upid}/team",
      .summary = "Get team members for default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {"manageteam"},
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID"))},
      .command = "profile team list",
      .owner = team_owner(),
  });
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/profile/team/user/update",
      .summary = "Update team members from default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"manageteam"},
      .params = {P("email").req().len(6, 60).fmt(Format::Email).desc("Email address of the user"),
                 Arr("roles").req().len(1, 20).desc("Roles assigned to the user"),
                 P("upid").len(21, 21).fmt(Format::Upid).desc("If present will check child profile's user mapping")},
      .command = "profile team update",
      .owner = team_owner(),
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/profile/team/{uuid}",
      .summary = "Delete a team user from default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"manageteam"},
      .params = {path(P("uuid").len(21, 21).fmt(Format::Uuid).desc("User ID"))},
      .command = "profile team delete",
      .owner = team_owner(Object::TeamMember),
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/profile/{upid}/team/{uuid}",
      .summary = "Delete a team user from default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = {"manageteam"},
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID")),
                 path(P("uuid").len(21, 21).fmt(Format::Uuid).desc("User ID"))},
      .command = "profile team delete",
      .owner = team_owner(Object::TeamMember),
  });

  // API keys.
  out.push_back({
      .method = Method::Post,
      .path = "/api/v1/profile/apikey",
      .summary = "Generate a new API key for default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = apikey_rights(),
      .params = {P("description").req().len(2, 40).desc("Description of the API key"),
                 Arr("roles").req().len(1, 20).desc("Collection of roles associated with the API key"),
                 P("upid").len(21, 21).fmt(Format::Upid)
                     .desc("If present will create a API key mapping for child profile")},
      .command = "profile apikey create",
      .owner = apikey_owner(),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/apikey",
      .summary = "Get the list of API keys for default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = apikey_rights(),
      .command = "profile apikey list",
      .owner = apikey_owner(),
  });
  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/{upid}/apikey",
      .summary = "Get the list of API keys for default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = apikey_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID"))},
      .command = "profile apikey list",
      .owner = apikey_owner(),
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/profile/apikey/{akid}",
      .summary = "Delete API key from default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = apikey_rights(),
      .params = {path(P("akid").len(21, 21).fmt(Format::Akid).desc("API key ID"))},
      .command = "profile apikey delete",
      .owner = apikey_owner(Object::ApiKey),
  });
  out.push_back({
      .method = Method::Delete,
      .path = "/api/v1/profile/{upid}/apikey/{akid}",
      .summary = "Delete API key from default (or specific) profile",
      .component = Component::Omnipass,
      .access = Access::Write,
      .rights = apikey_rights(),
      .params = {path(P("upid").len(21, 21).fmt(Format::Upid).desc("Profile ID")),
                 path(P("akid").len(21, 21).fmt(Format::Akid).desc("API key ID"))},
      .command = "profile apikey delete",
      .owner = apikey_owner(Object::ApiKey),
  });

  out.push_back({
      .method = Method::Get,
      .path = "/api/v1/profile/extendedattributelist",
      .summary = "Get a list of profile extended attributes",
      .component = Component::Omnipass,
      .access = Access::Read,
      .rights = {},
      .command = "profile extendedattributelist",
      .notes = "Any authenticated caller: the list describes attributes, it holds no profile data.",
  });
}

}  // namespace og::catalog::entries
