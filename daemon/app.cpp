#include "daemon/app.h"

namespace og {

bool ComponentLocks::locked(catalog::Component c) const {
  switch (c) {
    case catalog::Component::Omnipass: return locked_[Omnipass];
    case catalog::Component::Omnibridge: return locked_[Omnibridge];
    case catalog::Component::Omnipay: return locked_[Omnipay];
    default: return false;
  }
}

bool ComponentLocks::blocks(const catalog::Endpoint& ep) const {
  return locked(ep.component) && !ep.path.ends_with("/unlock");
}

}  // namespace og
