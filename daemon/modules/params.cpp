#include "daemon/modules/params.h"

namespace og {

std::string param(const Call& call, const char* name) {
  auto it = call.params.find(name);
  return it != call.params.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool flag(const Call& call, const char* name, bool fallback) {
  auto it = call.params.find(name);
  return it != call.params.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

std::vector<std::string> strings(const Call& call, const char* name) {
  std::vector<std::string> out;
  auto it = call.params.find(name);
  if (it != call.params.end() && it->is_array())
    for (const auto& v : *it)
      if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

}  // namespace og
