#pragma once
// Request bodies as the pipeline reads them (and the json_body fuzz harness with it): JSON
// with a depth limit, no key given twice, numbers a double can hold and an object at the
// top; or, for the SSO endpoints, application/x-www-form-urlencoded.

#include <cstddef>
#include <optional>
#include <string_view>

#include "common/json.h"
#include "common/validation.h"

namespace og::http {

struct ParsedBody {
  std::optional<Json> json;
  std::optional<validation::Error> error;  // MALFORMED_JSON, with what was wrong
};

// Depth of JSON nesting, ignoring brackets inside strings. Stops counting past `limit`.
std::size_t json_depth(std::string_view text, std::size_t limit);
ParsedBody parse_json_body(std::string_view body, std::size_t max_depth);
ParsedBody parse_form_body(std::string_view body);

}  // namespace og::http
