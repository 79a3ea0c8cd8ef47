#pragma once
// How omnictl shows an answer: a table (objects as key/value rows, arrays of objects as
// columns), the server's JSON, or one field.

#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace og::cli {

// True when stdout is a terminal, NO_COLOR is unset and --no-color was not given.
bool use_color(bool no_color_flag);

// The answer as a readable table; resultcode and resultmessage are left out (an answer
// with nothing else shows its resultmessage).
std::string render_table(const Json& answer, bool color);

// One value by dotted path ("wallets.0.waid"); nullopt when absent.
std::optional<Json> find_field(const Json& answer, std::string_view dotted);

// A value as text: strings raw, null empty, others as compact JSON.
std::string scalar_text(const Json& value);

}  // namespace og::cli
