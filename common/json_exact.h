#pragma once
// JSON whose fractional numbers keep their text. nlohmann's parser turns 0.10000000 into
// the double nearest to it; money must never pass through a double. Some servers write
// amounts as JSON numbers (Bitcoin Core: "amount": 0.10000000, "fee": -0.00000141), so
// their answers are read with parse_exact: a number with a fraction or an exponent becomes
// a string holding exactly the characters the server wrote ("0.10000000", "1e-8");
// integers stay integers (confirmations, heights). Everything else is as nlohmann reads it.

#include <optional>
#include <string_view>

#include "common/json.h"

namespace og {

// The document, or nullopt if `text` is not one JSON value (nothing thrown). Nesting deeper
// than `max_depth` is refused too (a hostile server cannot exhaust the stack).
std::optional<Json> parse_exact(std::string_view text, std::size_t max_depth = 512);

}  // namespace og
