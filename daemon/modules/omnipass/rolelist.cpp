// GET /api/v1/static/rolelist: the spec's roles, each with its rights and descriptions.
#include "common/rbac.h"
#include "daemon/modules/omnipass/omnipass.h"

namespace og::omnipass {

namespace {

const Json& rolelist() {
  static const Json list = [] {
    Json roles = Json::array();
    for (const auto& role : rbac::roles()) {
      Json rights = Json::array();
      for (auto id : role.rights) {
        const rbac::Right* right = rbac::find_right(id);
        rights.push_back(Json{{"rightid", id}, {"description", right ? right->description : ""}});
      }
      roles.push_back(Json{{"roleid", role.id}, {"description", role.description}, {"rightlist", rights}});
    }
    return roles;
  }();
  return list;
}

}  // namespace

void register_handlers(Registry& r) {
  r.bind("GET /api/v1/static/rolelist", blocking([](App&, Call&) { return Reply::ok(Json{{"rolelist", rolelist()}}); }));
}

}  // namespace og::omnipass
