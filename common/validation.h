#pragma once
// Request validation from the catalog, shared by omnid (the pipeline) and omnictl (a bad
// flag is caught before anything is sent). Checks, per parameter and in this order:
// present if required -> JSON type -> length bounds -> accepted values -> format.
// Unknown parameters are refused. Each failure is one result code naming the parameter.

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "common/catalog/catalog.h"
#include "common/json.h"
#include "common/result_codes.h"

namespace og::validation {

struct Error {
  Rc rc;
  std::string param;   // the parameter at fault ("" for the body as a whole)
  std::string detail;  // "amount must be 1 to 12 characters long, got 0" (never a value of a secret)
};

// A request's raw inputs, split by where they travel.
struct Inputs {
  const Json* body = nullptr;                      // a JSON object, or nullptr when no body
  std::map<std::string, std::string> query;        // decoded query string
  std::map<std::string, std::string> path;         // values of {name} segments
};

// Validates and normalizes: on success returns nullopt and fills `out` with one JSON
// object holding every supplied parameter, converted to its catalog type (query and path
// strings become booleans/numbers; lenient forms such as "true" for a Boolean in a body
// are converted too).
// With ignore_unknown (OAuth 2.0 endpoints), parameters the endpoint does not take are
// dropped instead of refused.
std::optional<Error> validate(const catalog::Endpoint& ep, const Inputs& in, Json& out, bool ignore_unknown = false);

// Checks one value already of the right JSON type against length/accepted/format.
std::optional<Error> check_value(const catalog::Param& p, const Json& value);

// Format checks, exposed for handlers and tests.
bool is_email(std::string_view s);
bool is_url(std::string_view s);
bool is_date(std::string_view s);
bool is_timezone(std::string_view s);
bool is_currency(std::string_view s);
bool is_valid_utf8(std::string_view s);
std::size_t utf8_length(std::string_view s);  // code points; assumes valid UTF-8

}  // namespace og::validation
