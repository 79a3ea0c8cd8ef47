#pragma once
// The request as the transport read it (Boost.Beast's message type) and where it came from:
// what daemon/http/ hands to a handler through api::Call.

#include <boost/beast/http.hpp>
#include <string>
#include <string_view>

namespace og::api {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// Beast (Boost 1.74) has its own string_view type.
inline std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

struct RequestInfo {
  std::string remote_address;  // "127.0.0.1"
  bool tls = false;
};

}  // namespace og::api
