#pragma once
#include "daemon/modules/module.h"

namespace og::system_module {
// GET /api/v1/system/health
void register_handlers(Registry& r);
}  // namespace og::system_module
