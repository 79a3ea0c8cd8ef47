#pragma once
// Internal to the catalog: each file appends the entries of one spec section, in the
// order the spec gives them.

#include <vector>

#include "common/catalog/catalog.h"

namespace og::catalog::entries {

void profile(std::vector<Endpoint>& out);        // profile.cpp: /profile...
void notifications(std::vector<Endpoint>& out);  // notifications.cpp
void user(std::vector<Endpoint>& out);           // user.cpp: /user..., /system/user...
void wallet(std::vector<Endpoint>& out);         // wallet.cpp
void payment(std::vector<Endpoint>& out);        // payment.cpp
void currency(std::vector<Endpoint>& out);       // currency.cpp: /currency..., /system/currency...
void system(std::vector<Endpoint>& out);         // system.cpp: /system/... (bridge, tiers, components, health)
void statics(std::vector<Endpoint>& out);        // static.cpp: /static/...
void auth(std::vector<Endpoint>& out);           // auth.cpp: the SSO service, /auth/...
void tenant(std::vector<Endpoint>& out);         // tenant.cpp: the tenant API v4.4.0

}  // namespace og::catalog::entries
