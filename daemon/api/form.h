#pragma once
// URL encoding of paths, query strings and form bodies (application/x-www-form-urlencoded):
// used by the router and by handlers that read a form (the OAuth endpoints).

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace og::api {

// Percent-decoding of one path segment or query component; nullopt if malformed.
// In query components '+' means space.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = false);

// Splits "a=1&b=2" (decoding both sides). nullopt if malformed or a name repeats.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

}  // namespace og::api
