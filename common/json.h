#pragma once
// One JSON type for the whole project: insertion-ordered, so that answers read in the
// order the spec shows them ("resultcode" and "resultmessage" first).

#include <nlohmann/json.hpp>

namespace og {
using Json = nlohmann::ordered_json;
}  // namespace og
