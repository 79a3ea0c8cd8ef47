#include "daemon/http/router.h"

#include <algorithm>

#include "common/validation.h"

namespace og::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (!path.empty() && path.front() == '/') path.remove_prefix(1);
  std::size_t start = 0;
  while (start <= path.size()) {
    auto slash = path.find('/', start);
    out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return out;
}

Router::Segment parse_segment(std::string_view seg) {
  Router::Segment s;
  std::size_t i = 0;
  while (i < seg.size()) {
    if (seg[i] == '{') {
      auto close = seg.find('}', i);
      s.tokens.push_back({true, std::string(seg.substr(i + 1, close - i - 1))});
      i = close + 1;
    } else {
      auto open = seg.find('{', i);
      s.tokens.push_back({false, std::string(seg.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i))});
      i = open == std::string_view::npos ? seg.size() : open;
    }
  }
  return s;
}

// Matches one decoded segment against its template, appending parameter values.
// A parameter takes the shortest text up to the next literal (the whole rest if last).
bool match_segment(const Router::Segment& tmpl, std::string_view text, std::map<std::string, std::string>& params) {
  std::size_t pos = 0;
  for (std::size_t t = 0; t < tmpl.tokens.size(); ++t) {
    const auto& tok = tmpl.tokens[t];
    if (!tok.param) {
      if (text.substr(pos, tok.text.size()) != tok.text) return false;
      pos += tok.text.size();
      continue;
    }
    std::size_t end = text.size();
    if (t + 1 < tmpl.tokens.size()) {
      end = text.find(tmpl.tokens[t + 1].text, pos + 1);
      if (end == std::string_view::npos) return false;
    }
    if (end <= pos) return false;  // parameters are never empty
    params[tok.text] = std::string(text.substr(pos, end - pos));
    pos = end;
  }
  return pos == text.size();
}

bool formats_accept(const catalog::Endpoint& ep, const std::map<std::string, std::string>& params) {
  for (const auto& [name, value] : params) {
    const catalog::Param* p = ep.param(name);
    if (!p || p->format == catalog::Format::None) continue;
    if (validation::check_value(*p, Json(value))) return false;
  }
  return true;
}

}  // namespace

int Router::Segment::specificity() const {
  bool any_param = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) { return t.param; });
  bool any_literal = std::any_of(tokens.begin(), tokens.end(), [](const Token& t) { return !t.param; });
  return any_param ? (any_literal ? 1 : 0) : 2;
}

Router::Router(std::span<const catalog::Endpoint> endpoints) {
  for (const auto& ep : endpoints) {
    Route r{&ep, {}};
    for (auto seg : split_path(ep.path)) r.segments.push_back(parse_segment(seg));
    for (const auto& seg : r.segments) r.rank.push_back(seg.specificity());
    if (std::all_of(r.rank.begin(), r.rank.end(), [](int rank) { return rank == 2; })) {
      std::string key(catalog::to_string(ep.method));
      for (const auto& seg : r.segments) {
        key += '/';
        for (const auto& t : seg.tokens) key += t.text;
      }
      literal_.emplace(std::move(key), &ep);
    }
    routes_.push_back(std::move(r));
  }
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  auto raw_segments = split_path(path);
  if (path.find('%') == std::string_view::npos) {  // no decoding needed: try the literal routes
    std::string key(method);
    for (auto raw : raw_segments) {
      key += '/';
      key += raw;
    }
    if (auto it = literal_.find(key); it != literal_.end()) {
      result.kind = RouteMatch::Kind::Found;
      result.endpoint = it->second;
      return result;
    }
  }
  std::vector<std::string> segments;
  segments.reserve(raw_segments.size());
  for (auto raw : raw_segments) {
    auto decoded = percent_decode(raw);
    if (!decoded) return result;  // NoPath
    segments.push_back(std::move(*decoded));
  }

  struct Candidate {
    const Route* route;
    std::map<std::string, std::string> params;
    std::vector<int> rank;
  };
  std::vector<Candidate> candidates;
  for (const auto& route : routes_) {
    if (route.segments.size() != segments.size()) continue;
    // Cheap rejection first: a literal segment must equal the path's segment.
    bool ok = true;
    for (std::size_t i = 0; i < segments.size() && ok; ++i)
      if (route.rank[i] == 2) ok = route.segments[i].tokens.front().text == segments[i];
    if (!ok) continue;
    Candidate c{&route, {}, route.rank};
    for (std::size_t i = 0; i < segments.size() && ok; ++i) ok = match_segment(route.segments[i], segments[i], c.params);
    if (ok) candidates.push_back(std::move(c));
  }
  if (candidates.empty()) return result;

  // Only the most specific templates count: GET /wallet/transfer is "POST only", not a
  // wallet ID named "transfer".
  std::vector<int> top;
  for (const auto& c : candidates) top = std::max(top, c.rank);
  auto mname = std::string(method);
  std::vector<const Candidate*> same_method;
  for (const auto& c : candidates)
    if (c.rank == top && catalog::to_string(c.route->endpoint->method) == mname) same_method.push_back(&c);
  if (same_method.empty()) {
    result.kind = RouteMatch::Kind::WrongMethod;
    for (const auto& c : candidates) {
      if (c.rank != top) continue;
      std::string m(catalog::to_string(c.route->endpoint->method));
      if (std::find(result.allowed_methods.begin(), result.allowed_methods.end(), m) == result.allowed_methods.end())
        result.allowed_methods.push_back(m);
    }
    return result;
  }
  // Most specific first (lexicographic on per-segment specificity), stable on catalog order.
  std::stable_sort(same_method.begin(), same_method.end(),
                   [](const Candidate* a, const Candidate* b) { return a->rank > b->rank; });
  const Candidate* best = same_method.front();
  for (const Candidate* c : same_method) {
    if (c->rank != best->rank) break;
    if (formats_accept(*c->route->endpoint, c->params)) {
      best = c;
      break;
    }
  }
  result.kind = RouteMatch::Kind::Found;
  result.endpoint = best->route->endpoint;
  result.path_params = best->params;
  return result;
}

}  // namespace og::http
