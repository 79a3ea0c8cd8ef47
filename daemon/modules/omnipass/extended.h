#pragma once
// Profile extended attributes: the spec's list (GET /profile/extendedattributelist), with
// their types and flags. "worm": written once, never changed; "mask": shown masked.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"
#include "common/result_codes.h"

namespace og::omnipass {

struct ExtendedAttribute {
  std::string_view name, type, label;  // type: boolean, string, array, object
  bool worm = false;
  bool mask = false;
  int priority = 0;
};

std::span<const ExtendedAttribute> extended_attributes();
const ExtendedAttribute* find_extended(std::string_view name);

struct ExtendedError {
  Rc rc;
  std::string detail;
};
// Merges `changes` into `current` (a profile's extended object), checking names, types
// and write-once attributes. `null` removes an attribute (not a written-once one).
std::optional<ExtendedError> merge_extended(Json& current, const Json& changes);
// The extended object as the caller may see it: masked attributes as "********".
Json masked_extended(const Json& extended);

}  // namespace og::omnipass
