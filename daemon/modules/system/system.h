#pragma once
#include "daemon/modules/module.h"

namespace og::system_module {
// GET /api/v1/system/health, and register_components().
void register_handlers(Registry& r);
// Unlock (system/{component}/unlock, /auth/unlock) and component attributes (components.cpp).
void register_components(Registry& r);
// The outbox's dead letters (outbox.cpp).
void register_outbox(Registry& r);
}  // namespace og::system_module
