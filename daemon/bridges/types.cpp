// The names of the bridge types: which run in this build, which the specification names
// but are not built yet. Apart from registry.cpp (which knows how to run them) so that
// omnid.toml's parser, and its fuzzer, need nothing of the bridges themselves.
#include <array>
#include <set>
#include <string>

#include "daemon/bridges/registry.h"

namespace og::bridges {

namespace {

const std::array<const char*, 4> kBuilt{"generic", "ripple", "bitcoin", "stellar"};
// Networks the specification names whose bridges are not built yet.
const std::set<std::string> kPlanned{"bank"};

}  // namespace

TypeState type_state(const std::string& type) {
  for (const char* b : kBuilt)
    if (type == b) return TypeState::Built;
  return kPlanned.count(type) ? TypeState::Planned : TypeState::Unknown;
}

std::vector<std::string> built_types() { return {kBuilt.begin(), kBuilt.end()}; }

}  // namespace og::bridges
