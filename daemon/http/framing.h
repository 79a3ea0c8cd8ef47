#pragma once
// Checks of a request's message framing that Boost.Beast (1.74) does not make, so that no
// two parsers (a proxy in front of omnid and omnid) can disagree about where a request
// ends (request smuggling, RFC 9112 §6.1 and §6.3). Pure functions: no I/O, no state,
// no allocation beyond the returned message; safe on any input (the fuzz harness in
// tests/fuzz calls them with arbitrary bytes).
//
// The server (daemon/http/server.cpp) reads a request's header section itself, up to and
// including the first CRLF CRLF and at most [server] max_header_bytes, and then:
//   1. obs_fold_problem(section)            before Beast parses it (Beast unfolds obsolete
//                                           line folding silently, so it cannot be seen
//                                           after parsing);
//   2. a bhttp::request_parser parses exactly those bytes (header_limit and body_limit as
//      configured);
//   3. framing_problem(parser.get())        on the parsed header, before any body byte is
//                                           read.
// Any problem is answered 400 (TransportError::BadRequest) with Connection: close, and
// nothing after the header section is ever parsed as a request.

#include <boost/beast/http/message.hpp>
#include <optional>
#include <string>
#include <string_view>

namespace og::http {

// `header_section`: the bytes of a request from its first byte up to and including the
// CRLF CRLF that ends its header section (a shorter or longer prefix is fine too: every
// byte given is checked). Returns why it is refused, or nothing:
//   - a line that begins with SP or HTAB after a line break (obsolete line folding,
//     RFC 9112 §5.2, or whitespace between the request line and the first field, §2.2),
//     whether the break is CRLF or a bare LF;
//   - whitespace before the request line.
std::optional<std::string> obs_fold_problem(std::string_view header_section);

// `h`: a parsed request header. Returns why its framing is refused, or nothing:
//   - Transfer-Encoding, in one or several fields, that is anything but exactly one
//     coding, `chunked` (case-insensitive): omnid decodes no other coding, and a coding
//     list not ending in chunked would leave the body's length undefined (RFC 9112 §6.1);
//   - Transfer-Encoding in an HTTP/1.0 request (§6.1);
//   - Transfer-Encoding together with Content-Length, in either order (§6.1, §6.3);
//   - Content-Length that is not a decimal number, or several Content-Length values
//     (in one field or several) that differ (§6.3; identical repeats are accepted).
std::optional<std::string> framing_problem(const boost::beast::http::request_header<>& h);

}  // namespace og::http
