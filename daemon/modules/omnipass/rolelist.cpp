// GET /api/v1/static/rolelist: the spec's roles, each with its rights and descriptions.
#include "common/rbac.h"
#include "daemon/modules/omnipass/omnipass.h"

namespace og::omnipass {

namespace {

// Serialized once: the list never changes while omnid runs.
const std::shared_ptr<const std::string>& rolelist() {
  static const auto text = std::make_shared<const std::string>([] {
    Json roles = Json::array();
    for (const auto& role : rbac::roles()) {
      Json rights = Json::array();
      for (auto id : role.rights) {
        const rbac::Right* right = rbac::find_right(id);
        rights.push_back(Json{{"rightid", id}, {"description", right ? right->description : ""}});
      }
      roles.push_back(Json{{"roleid", role.id}, {"description", role.description}, {"rightlist", rights}});
    }
    return Json{{"rolelist", roles}}.dump();
  }());
  return text;
}

}  // namespace

void register_rolelist(Registry& r) {
  r.bind("GET /api/v1/static/rolelist", blocking([](App&, Call&) {
           Reply reply;
           reply.body_text = rolelist();
           return reply;
         }),
         Blocks::No);
}

}  // namespace og::omnipass
