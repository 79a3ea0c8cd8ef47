#pragma once
// Reading a call's validated parameters (Call::params, typed by common/validation.h). The
// pipeline has checked presence, types and lengths against the catalog, so these only
// answer "what was given", with the documented fallback when it was not.

#include <string>
#include <vector>

#include "daemon/modules/module.h"

namespace og {

// A string parameter; "" when absent (or not a string).
std::string param(const Call& call, const char* name);
// A boolean parameter; `fallback` when absent.
bool flag(const Call& call, const char* name, bool fallback = false);
// The strings of an array parameter; empty when absent.
std::vector<std::string> strings(const Call& call, const char* name);

}  // namespace og
