#include "daemon/http/body.h"

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/http/router.h"

namespace og::http {

// Depth of JSON nesting, ignoring brackets inside strings. Stops counting past `limit`.
std::size_t json_depth(std::string_view text, std::size_t limit) {
  std::size_t depth = 0, max = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      max = std::max(max, ++depth);
      if (max > limit) return max;
    } else if ((c == '}' || c == ']') && depth > 0) --depth;
  }
  return max;
}

ParsedBody parse_json_body(std::string_view body, std::size_t max_depth) {
  if (json_depth(body, max_depth) > max_depth)
    return {std::nullopt, validation::Error{Rc::MalformedJson, "", "nested deeper than " + std::to_string(max_depth) + " levels"}};
  std::vector<std::vector<std::string>> keys;
  bool duplicate = false;
  std::string duplicate_key;
  auto cb = [&](int, Json::parse_event_t ev, Json& parsed) {
    switch (ev) {
      case Json::parse_event_t::object_start: keys.emplace_back(); break;
      case Json::parse_event_t::object_end:
        if (!keys.empty()) keys.pop_back();
        break;
      case Json::parse_event_t::key: {
        auto k = parsed.get<std::string>();
        auto& top = keys.back();
        if (std::find(top.begin(), top.end(), k) != top.end()) {
          duplicate = true;
          duplicate_key = k;
        } else {
          top.push_back(std::move(k));
        }
        break;
      }
      default: break;
    }
    return true;
  };
  try {
    Json j = Json::parse(body, cb);
    if (duplicate)
      return {std::nullopt, validation::Error{Rc::MalformedJson, duplicate_key, "the key \"" + duplicate_key + "\" appears twice"}};
    if (!j.is_object()) return {std::nullopt, validation::Error{Rc::MalformedJson, "", "the body must be a JSON object"}};
    return {std::move(j), std::nullopt};
  } catch (const Json::parse_error& e) {
    // The position only: the parser's own message can quote the body (and so a secret).
    return {std::nullopt, validation::Error{Rc::MalformedJson, "", "invalid JSON at byte " + std::to_string(e.byte)}};
  } catch (const Json::out_of_range&) {
    // A number beyond a double ("amount": 1e400; found by fuzz_json_body). Amounts travel
    // as strings; a number that cannot be held is malformed input, not a system error.
    return {std::nullopt, validation::Error{Rc::MalformedJson, "", "a number in the body is out of range"}};
  }
}

// application/x-www-form-urlencoded (OAuth2 clients send it to /auth/token).
ParsedBody parse_form_body(std::string_view body) {
  auto fields = parse_query(body);
  if (!fields) return {std::nullopt, validation::Error{Rc::MalformedJson, "", "malformed form body"}};
  Json j = Json::object();
  for (auto& [k, v] : *fields) j[k] = v;
  return {std::move(j), std::nullopt};
}

}  // namespace og::http
