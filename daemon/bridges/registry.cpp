#include "daemon/bridges/registry.h"

#include <algorithm>
#include <array>
#include <stdexcept>

#include "daemon/bridges/bitcoin/bitcoin.h"
#include "daemon/bridges/generic.h"
#include "daemon/bridges/horizon/stellar.h"
#include "daemon/bridges/ripple/ripple.h"

namespace og::bridges {

const Attribute* AccountSchema::find(const std::string& name) const {
  for (const auto& a : attributes)
    if (a.name == name) return &a;
  return nullptr;
}

std::string Bridge::description() const {
  return settings_.description.empty() ? default_description() : settings_.description;
}

Submission Bridge::submit(const Withdrawal&) {
  throw std::logic_error("bridge " + key() + " does not submit withdrawals (an adapter fetches them)");
}
Submission Bridge::find(const Withdrawal&) {
  throw std::logic_error("bridge " + key() + " does not submit withdrawals (an adapter fetches them)");
}
Settlement Bridge::settlement(const Withdrawal&, const std::string&) {
  throw std::logic_error("bridge " + key() + " does not follow withdrawals (an adapter reports them)");
}

namespace {

struct Type {
  const char* name;
  const AccountSchema& (*schema)();
  std::unique_ptr<Bridge> (*make)(InstanceSettings);
};

// How to run each built type (types.cpp names them): a new bridge is its file, its name in
// types.cpp, and one line here (unit test bridges_types checks the two agree).
const std::array kTypes{
    Type{"generic", generic_schema, make_generic},
    Type{"ripple", ripple_schema, make_ripple},
    Type{"bitcoin", bitcoin_schema, make_bitcoin},
    Type{"stellar", stellar_schema, make_stellar},
};

const Type* type_of(const std::string& name) {
  for (const auto& t : kTypes)
    if (name == t.name) return &t;
  return nullptr;
}

}  // namespace

const AccountSchema* schema_of(const std::string& type) {
  const Type* t = type_of(type);
  return t ? &t->schema() : nullptr;
}

std::vector<std::string> runnable_types() {
  std::vector<std::string> out;
  for (const auto& t : kTypes) out.emplace_back(t.name);
  return out;
}

Bridges::Bridges(std::vector<InstanceSettings> configured) {
  const bool generic_configured = std::any_of(configured.begin(), configured.end(),
                                              [](const InstanceSettings& s) { return s.type == "generic"; });
  if (!generic_configured)
    configured.insert(configured.begin(),
                      InstanceSettings{.type = "generic", .instance = 1, .description = "", .enabled = true});
  for (auto& s : configured) {
    const Type* t = type_of(s.type);
    if (!t) throw std::invalid_argument("bridge type " + s.type + " is not built into this omnid");
    if (find(s.type, s.instance))
      throw std::invalid_argument("bridge " + s.type + "-" + std::to_string(s.instance) + " is configured twice");
    bridges_.push_back(t->make(std::move(s)));
  }
}

Bridge* Bridges::find(const std::string& type, int instance) const {
  for (const auto& b : bridges_)
    if (b->type() == type && b->instance() == instance) return b.get();
  return nullptr;
}

Bridge* Bridges::by_ledger_name(const std::string& name) const {
  for (const auto& b : bridges_)
    if (b->ledger_name() == name) return b.get();
  return nullptr;
}

}  // namespace og::bridges
