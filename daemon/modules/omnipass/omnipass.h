#pragma once
#include "daemon/modules/module.h"

namespace og::omnipass {
// GET /api/v1/static/rolelist
void register_handlers(Registry& r);
}  // namespace og::omnipass
