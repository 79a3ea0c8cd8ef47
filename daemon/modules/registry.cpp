// Binds every module's handlers to their catalog entries. An entry without a handler
// answers 10130 NOT_IMPLEMENTED (README lists them).
#include "daemon/modules/module.h"
#include "daemon/modules/omnibridge/omnibridge.h"
#include "daemon/modules/omnipass/omnipass.h"
#include "daemon/modules/system/system.h"

namespace og {

void register_all(Registry& r) {
  system_module::register_handlers(r);
  omnipass::register_handlers(r);
  omnibridge::register_handlers(r);
}

}  // namespace og
