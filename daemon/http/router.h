#pragma once
// Maps METHOD + path to a catalog endpoint and its path parameters. Built once from the
// catalog. Segments are literal ("wallet"), a parameter ("{waid}") or a mix
// ("name_{walletname}", "{bridgename}-{instanceid}"). When several templates match a
// path, the most specific wins (literal > mixed > parameter, segment by segment); among
// equally specific ones (GET /profile/{upid} vs /profile/{apikey}) the first whose
// parameter formats accept the values wins.

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/catalog/catalog.h"
#include "daemon/api/form.h"

namespace og::http {

struct RouteMatch {
  enum class Kind { Found, NoPath, WrongMethod } kind = Kind::NoPath;
  const catalog::Endpoint* endpoint = nullptr;
  std::map<std::string, std::string> path_params;  // decoded
  std::vector<std::string> allowed_methods;        // for WrongMethod
};

class Router {
 public:
  explicit Router(std::span<const catalog::Endpoint> endpoints);
  // `path` without the query string, still percent-encoded.
  RouteMatch match(std::string_view method, std::string_view path) const;

  struct Token {
    bool param;
    std::string text;  // literal text or parameter name
  };
  struct Segment {
    std::vector<Token> tokens;
    int specificity() const;  // 2 literal, 1 mixed, 0 parameter
  };
  struct Route {
    const catalog::Endpoint* endpoint;
    std::vector<Segment> segments;
    std::vector<int> rank;  // specificity of each segment, computed once
  };

 private:
  std::vector<Route> routes_;
  // Routes without parameters by "METHOD/seg/seg" (the first in catalog order): the common
  // case answered by one hash lookup. It is what the full match finds too, since a route
  // without parameters is the most specific one a path can have.
  std::unordered_map<std::string, const catalog::Endpoint*> literal_;
};

using api::parse_query;
using api::percent_decode;

}  // namespace og::http
