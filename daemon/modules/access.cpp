#include "daemon/modules/access.h"

#include "common/rbac.h"

namespace og {

namespace {
bool any(const api::Principal& p, const std::vector<std::string_view>& rights) {
  for (auto r : rights)
    if (p.rights.has(r)) return true;
  return false;
}
}  // namespace

bool allowed(const api::Principal& p, const catalog::Owner& r, const std::string& upid,
             const std::string& parent) {
  if (p.rights.superuser() || any(p, r.all)) return true;
  if (!upid.empty() && upid == p.upid && any(p, r.own)) return true;
  return !parent.empty() && parent == p.upid && any(p, r.child);
}

bool may_know_of(const api::Principal& p, const std::string& upid, const std::string& parent) {
  return (!upid.empty() && upid == p.upid) || (!parent.empty() && parent == p.upid);
}

bool may_grant(const api::Principal& p, const std::vector<std::string>& roles, std::string* refused) {
  for (const auto& role : roles) {
    const rbac::Role* r = rbac::find_role(role);
    if (!r) {
      if (refused) *refused = role + " is not a role";
      return false;
    }
    if (p.rights.superuser()) continue;
    for (auto right : r->rights)
      if (!p.rights.has(right)) {
        if (refused) *refused = "you cannot grant " + role + ": it carries " + std::string(right) + ", which you do not hold";
        return false;
      }
  }
  return true;
}

}  // namespace og
