#pragma once
// Whose things a caller may act on, from its rights: its own profile's (readmyprofile,
// readwalletbalances, ...), a child profile's (readchildprofile, ...), or everyone's
// (readallprofiles, ...; superuser). Shared by the modules.

#include <string>
#include <string_view>
#include <vector>

#include "common/catalog/catalog.h"
#include "daemon/api/principal.h"

namespace og {

// May the caller act on something owned by profile `upid` (whose parent is `parent`), by
// the rights of the catalog entry's owner rule (one declaration, catalog::Owner)?
bool allowed(const api::Principal& p, const catalog::Owner& tiers, const std::string& upid,
             const std::string& parent);
// Whether a refusal may say so (10122): only for what belongs to the caller's own profile
// or to one of its child profiles (which it made). Anything else the caller may not act on
// is answered exactly like something that does not exist (10140 with the same message), so
// that no caller learns which identifiers exist by trying them.
bool may_know_of(const api::Principal& p, const std::string& upid, const std::string& parent);

// May the caller hand out these roles (to a team member or an API key)? Only roles that
// exist and whose every right the caller holds itself: nobody grants more than it has.
bool may_grant(const api::Principal& p, const std::vector<std::string>& roles, std::string* refused);

}  // namespace og
