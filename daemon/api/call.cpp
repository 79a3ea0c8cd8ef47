#include "daemon/api/call.h"

#include <stdexcept>

namespace og {

const Target& target_of(const Call& call) {
  if (!call.target) throw std::logic_error(call.endpoint.key() + ": the handler wants a target the pipeline did not resolve");
  return *call.target;
}

}  // namespace og
