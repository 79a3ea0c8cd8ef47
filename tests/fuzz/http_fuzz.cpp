// HTTP request framing and headers as omnid reads them (daemon/http/server.cpp): a
// Boost.Beast request_parser<string_body> with omnid's limits (ServerOptions defaults:
// max_body_bytes, max_header_bytes), fed the input as the bytes of one connection; after
// a request, the next one is read from what is left (keep-alive, pipelining), as the
// session does with its one flat_buffer. Then the framing checks of daemon/http/framing.h
// (obs-fold in the raw header section; Content-Length / Transfer-Encoding / Host rules)
// run on what was read.
//
// Invariants: the requests read do not depend on how the bytes were split into reads
// (all at once vs. small pieces: a streaming parser must give the same answer); a body
// never exceeds the limit; a request that passes the framing checks, written out again
// by Beast and read back, is the same request.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/http/server.h"
#include "daemon/http/framing.h"
#include "tests/fuzz/fuzz_support.h"

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;

namespace {

// A connection's bytes, handed out `chunk` at a time (0: as much as is asked for).
class ChunkStream {
 public:
  ChunkStream(std::string_view data, std::size_t chunk) : data_(data), chunk_(chunk) {}

  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers, beast::error_code& ec) {
    ec = {};
    if (pos_ == data_.size()) {
      ec = net::error::eof;
      return 0;
    }
    std::size_t n = data_.size() - pos_;
    if (chunk_) n = std::min(n, chunk_);
    n = net::buffer_copy(buffers, net::buffer(data_.data() + pos_, n));
    pos_ += n;
    return n;
  }
  template <class MutableBufferSequence>
  std::size_t read_some(const MutableBufferSequence& buffers) {
    beast::error_code ec;
    std::size_t n = read_some(buffers, ec);
    if (ec) throw beast::system_error(ec);
    return n;
  }
  std::size_t consumed() const { return pos_; }

 private:
  std::string_view data_;
  std::size_t chunk_;
  std::size_t pos_ = 0;
};

struct Outcome {
  std::vector<std::string> requests;  // each request as Beast holds it
  // How the connection ended: "" (Connection: close, or 16 requests), "end of stream"
  // (nothing more was sent), else the read error. Only whether it was an error is
  // compared: Beast reports a malformed start line at once when it is whole in the
  // buffer, and a "partial message" at the end when it came in pieces.
  std::string error;
  bool failed() const { return !error.empty() && error != "end of stream"; }
  bool operator==(const Outcome& o) const { return requests == o.requests && failed() == o.failed(); }
};

std::string describe(const bhttp::request<bhttp::string_body>& req) {
  std::string s = std::string(og::http::sv(req.method_string())) + ' ' + std::string(og::http::sv(req.target())) +
                  " HTTP/" + std::to_string(req.version()) + '\n';
  for (const auto& f : req) s += std::string(og::http::sv(f.name_string())) + ": " + std::string(og::http::sv(f.value())) + '\n';
  s += "body " + std::to_string(req.body().size()) + ": " + req.body();
  return s;
}

// Runs the framing checks of daemon/http/framing.h on a request read from `connection`
// starting at `start`; true when they accept it.
bool framing_ok(std::string_view connection, std::size_t start, const bhttp::request_header<>& h) {
  // The raw header section of this request: from its first byte to the blank line.
  std::string_view from = connection.substr(std::min(start, connection.size()));
  auto end = from.find("\r\n\r\n");
  std::string_view section = end == std::string_view::npos ? from : from.substr(0, end + 4);
  const bool fold = og::http::obs_fold_problem(section).has_value();
  const bool framing = og::http::framing_problem(h).has_value();
  return !fold && !framing;
}

// Writes the request out with Beast and reads it back: the same request.
void check_round_trip(const bhttp::request<bhttp::string_body>& req, const og::http::ServerOptions& opt) {
  std::string wire;
  {
    bhttp::request<bhttp::string_body> copy = req;
    bhttp::serializer<true, bhttp::string_body> sr(copy);
    beast::error_code ec;
    while (!sr.is_done()) {
      sr.next(ec, [&](beast::error_code&, const auto& buffers) {
        std::size_t n = 0;
        for (auto b : beast::buffers_range_ref(buffers)) {
          wire.append(static_cast<const char*>(b.data()), b.size());
          n += b.size();
        }
        sr.consume(n);
      });
      FUZZ_CHECK(!ec);
    }
  }
  ChunkStream s(wire, 0);
  beast::flat_buffer buffer;
  bhttp::request_parser<bhttp::string_body> p;
  p.body_limit(opt.max_body_bytes);
  p.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes + 1024));  // the same header, maybe longer
  beast::error_code ec;
  bhttp::read(s, buffer, p, ec);
  FUZZ_CHECK_MSG(!ec, ec.message() + "\n" + wire);
  FUZZ_CHECK_MSG(describe(p.get()) == describe(req), wire);
}

Outcome read_connection(std::string_view bytes, std::size_t chunk, bool check) {
  const og::http::ServerOptions opt;  // omnid's defaults
  Outcome out;
  ChunkStream stream(bytes, chunk);
  beast::flat_buffer buffer;  // one per session, kept across requests
  for (int i = 0; i < 16; ++i) {
    const std::size_t start = stream.consumed() - buffer.size();
    bhttp::request_parser<bhttp::string_body> parser;
    parser.body_limit(opt.max_body_bytes);
    parser.header_limit(static_cast<std::uint32_t>(opt.max_header_bytes));
    beast::error_code ec;
    bhttp::read(stream, buffer, parser, ec);
    if (ec) {
      // omnid answers a framing error (body or header too large, a bad request) to a
      // request whose header was read, and closes the connection.
      out.error = ec == bhttp::error::end_of_stream ? "end of stream" : ec.message();
      if (check && parser.is_header_done()) (void)framing_ok(bytes, start, parser.get().base());
      break;
    }
    const auto& req = parser.get();
    FUZZ_CHECK(parser.is_done());
    FUZZ_CHECK(req.body().size() <= opt.max_body_bytes);
    out.requests.push_back(describe(req));
    if (check && framing_ok(bytes, start, req.base())) check_round_trip(req, opt);
    if (!req.keep_alive()) break;
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes = og::fuzz::as_text(data, size);
  Outcome whole = read_connection(bytes, 0, true);
  // The same bytes in small reads (a piece size that depends on the input).
  const std::size_t chunk = 1 + size % 7;
  Outcome pieces = read_connection(bytes, chunk, false);
  FUZZ_CHECK_MSG(whole == pieces, "whole: " + whole.error + " pieces (" + std::to_string(chunk) + "): " + pieces.error);

  // The obs-fold check must take any text.
  (void)og::http::obs_fold_problem(bytes);
  return 0;
}
