#include "daemon/api/registry.h"

#include <stdexcept>
#include <string>

namespace og {

void Registry::bind(std::string_view key, Handler h, Blocks blocks) {
  const catalog::Endpoint* ep = catalog::find(key);
  if (!ep) throw std::logic_error("handler bound to an endpoint that is not in the catalog: " + std::string(key));
  if (!handlers_.emplace(ep, Bound{std::move(h), blocks}).second)
    throw std::logic_error("two handlers bound to " + std::string(key));
}

const Registry::Bound* Registry::find(const catalog::Endpoint& ep) const {
  auto it = handlers_.find(&ep);
  return it == handlers_.end() ? nullptr : &it->second;
}

}  // namespace og
