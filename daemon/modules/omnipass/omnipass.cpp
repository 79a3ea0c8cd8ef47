#include "daemon/modules/omnipass/omnipass.h"

namespace og::omnipass {

void register_rolelist(Registry& r);
void register_profiles(Registry& r);
void register_team(Registry& r);
void register_users(Registry& r);
void register_sso(Registry& r);

void register_handlers(Registry& r) {
  register_rolelist(r);
  register_profiles(r);
  register_team(r);
  register_users(r);
  register_sso(r);
}

}  // namespace og::omnipass
