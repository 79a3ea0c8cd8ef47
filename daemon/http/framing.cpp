#include "daemon/http/framing.h"

#include <boost/beast/http/field.hpp>

namespace og::http {

namespace {

bool ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && ows(s.back())) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// Calls f(element) for each element of a comma-separated list (RFC 9110 §5.6.1), empty
// elements included (the caller decides whether they are acceptable).
template <class F>
void for_each_element(std::string_view list, F&& f) {
  for (;;) {
    auto comma = list.find(',');
    f(trim(list.substr(0, comma)));
    if (comma == std::string_view::npos) return;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

std::optional<std::string> obs_fold_problem(std::string_view s) {
  if (!s.empty() && ows(s.front())) return "whitespace before the request line";
  for (std::size_t i = s.find('\n'); i != std::string_view::npos && i + 1 < s.size(); i = s.find('\n', i + 1)) {
    if (ows(s[i + 1])) return "obsolete line folding (a header line begins with a space or tab)";
  }
  return std::nullopt;
}

std::optional<std::string> framing_problem(const boost::beast::http::request_header<>& h) {
  namespace bhttp = boost::beast::http;
  std::size_t te_fields = 0, codings = 0, chunked = 0;
  bool chunked_last = false, empty_coding = false;
  bool has_cl = false;
  // Every field is visited: Beast's equal_range spans from the first to the last field of
  // a name in arrival order, other fields in between included.
  for (const auto& f : h) {
    if (f.name() == bhttp::field::content_length) has_cl = true;
    if (f.name() != bhttp::field::transfer_encoding) continue;
    ++te_fields;
    for_each_element(std::string_view(f.value().data(), f.value().size()), [&](std::string_view coding) {
      // "chunked;x=1" is not "chunked": transfer-coding parameters are refused with it.
      if (coding.empty()) {
        empty_coding = true;
        return;
      }
      ++codings;
      chunked_last = iequals(coding, "chunked");
      if (chunked_last) ++chunked;
    });
  }
  if (te_fields > 0) {
    if (h.version() < 11) return "Transfer-Encoding in an HTTP/1.0 request";
    if (has_cl) return "both Transfer-Encoding and Content-Length";
    if (empty_coding || codings != 1 || chunked != 1 || !chunked_last)
      return "unsupported Transfer-Encoding (only \"chunked\" alone is accepted)";
  }
  if (has_cl) {
    std::optional<std::string_view> first;
    std::optional<std::string> problem;
    for (const auto& f : h) {
      if (f.name() != bhttp::field::content_length) continue;
      for_each_element(std::string_view(f.value().data(), f.value().size()), [&](std::string_view v) {
        if (problem) return;
        if (v.empty() || v.size() > 19 || v.find_first_not_of("0123456789") != std::string_view::npos) {
          problem = "Content-Length is not a decimal number";
          return;
        }
        while (v.size() > 1 && v.front() == '0') v.remove_prefix(1);
        if (!first) first = v;
        else if (*first != v) problem = "several Content-Length values that differ";
      });
    }
    if (problem) return problem;
  }
  return std::nullopt;
}

}  // namespace og::http
