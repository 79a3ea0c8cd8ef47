#pragma once
// Omnipass: profiles, users, teams, API keys, login, MFA, and the SSO service (/auth/...).
#include "daemon/modules/module.h"

namespace og::omnipass {
void register_handlers(Registry& r);
}  // namespace og::omnipass
