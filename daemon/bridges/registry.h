#pragma once
// The bridges of this node: the types omnid knows how to run, and the instances omnid.toml
// configures ([[bridge]]). Adding a bridge type is its file (its Bridge subclass and
// schema), its name in types.cpp and one line in the table of types in registry.cpp
// (docs/bridges.md).

#include <memory>
#include <string>
#include <vector>

#include "daemon/bridges/bridge.h"

namespace og::bridges {

// What omnid knows of a type's name.
enum class TypeState {
  Built,    // runs here (generic, ripple)
  Planned,  // a network the spec names that is not built yet (bitcoin, stellar, bank): 10130
  Unknown,  // no such bridge
};
TypeState type_state(const std::string& type);
// Built types, in the table's order (types.cpp).
std::vector<std::string> built_types();
// The external account attributes of a built type; nullptr otherwise (registry.cpp).
const AccountSchema* schema_of(const std::string& type);
// The types registry.cpp knows how to run: the same as built_types().
std::vector<std::string> runnable_types();

class Bridges {
 public:
  // The configured instances; instance 1 of the generic bridge is there unless omnid.toml
  // configures the generic bridge itself (as it always was, before bridges had instances).
  // Throws std::invalid_argument for a type that is not built or an instance given twice.
  explicit Bridges(std::vector<InstanceSettings> configured);

  Bridge* find(const std::string& type, int instance) const;
  // The instance that records its ledger transactions under `name` ("generic", "ripple-2").
  Bridge* by_ledger_name(const std::string& name) const;
  const std::vector<std::unique_ptr<Bridge>>& all() const { return bridges_; }
  // The first enabled instance of a type: what the spec's network and bridge names
  // ("ripple") mean. nullptr when none runs here.
  Bridge* first_enabled(const std::string& type) const {
    for (const auto& b : bridges_)
      if (b->type() == type && b->enabled()) return b.get();
    return nullptr;
  }

 private:
  std::vector<std::unique_ptr<Bridge>> bridges_;
};

}  // namespace og::bridges
