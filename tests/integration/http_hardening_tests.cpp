// The HTTP transport under attack, against a real omnid on a private PostgreSQL (issue 16):
// request smuggling (ambiguous framing is answered 400 and nothing after it runs), one
// address holding many connections (a per-address limit keeps everybody else served),
// slow clients (handshake and header deadlines), the summarised refusal log, and the
// [server]/[tls] configuration keys. Raw bytes over plain HTTP on loopback.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "daemon/config.h"
#include "daemon/http/framing.h"
#include "daemon/http/server.h"
#include "tests/support/omnid_process.h"
#include "tests/support/test_cluster.h"

using og::Json;
using og::test::Omnid;
using og::test::OmnidOptions;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// A socket that closes itself.
struct Conn {
  int fd = -1;
  Conn() = default;
  explicit Conn(int f) : fd(f) {}
  Conn(Conn&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Conn& operator=(Conn&& o) noexcept {
    std::swap(fd, o.fd);
    return *this;
  }
  ~Conn() {
    if (fd >= 0) ::close(fd);
  }
};

// Connects to 127.0.0.1:port from `source` (e.g. "127.0.0.2"; every 127/8 address is
// this host's), so that one test process can be several clients.
Conn connect_from(const char* source, int port) {
  Conn c(::socket(AF_INET, SOCK_STREAM, 0));
  REQUIRE(c.fd >= 0);
  sockaddr_in from{};
  from.sin_family = AF_INET;
  REQUIRE(::inet_pton(AF_INET, source, &from.sin_addr) == 1);
  REQUIRE(::bind(c.fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(c.fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  return c;
}

void send_all(const Conn& c, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(c.fd, data.data(), data.size(), MSG_NOSIGNAL);
    REQUIRE(n > 0);
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Reads until the peer closes (or resets) or `timeout` passes.
struct Received {
  std::string bytes;
  bool closed = false;
};
Received read_until_closed(const Conn& c, std::chrono::milliseconds timeout) {
  Received r;
  auto deadline = Clock::now() + timeout;
  char buf[16384];
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return r;
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) return r;
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) {
      r.closed = true;
      return r;
    }
    r.bytes.append(buf, static_cast<std::size_t>(n));
  }
}

// True when the peer has closed the connection within `timeout` (bytes it sent first are
// discarded).
bool closed_within(const Conn& c, std::chrono::milliseconds timeout) { return read_until_closed(c, timeout).closed; }

// How many of `conns` the peer closes within `timeout` (waiting for all at once); stops
// early once `enough` are closed.
std::size_t count_closed(const std::vector<Conn>& conns, std::chrono::milliseconds timeout, std::size_t enough) {
  std::vector<bool> closed(conns.size(), false);
  std::size_t n = 0;
  auto deadline = Clock::now() + timeout;
  while (n < enough) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    std::vector<pollfd> fds;
    std::vector<std::size_t> which;
    for (std::size_t i = 0; i < conns.size(); ++i)
      if (!closed[i]) fds.push_back({conns[i].fd, POLLIN, 0}), which.push_back(i);
    if (fds.empty() || ::poll(fds.data(), fds.size(), static_cast<int>(left)) <= 0) break;
    for (std::size_t k = 0; k < fds.size(); ++k) {
      if (!fds[k].revents) continue;
      char buf[512];
      if (::recv(fds[k].fd, buf, sizeof buf, MSG_DONTWAIT) <= 0) closed[which[k]] = true, ++n;
    }
  }
  return n;
}

// Waits until omnid's log has a line for which pred is true.
template <class Pred>
std::optional<Json> wait_for_line(const Omnid& o, Pred pred, std::chrono::seconds timeout) {
  auto deadline = Clock::now() + timeout;
  do {
    for (const auto& line : o.log_lines())
      if (pred(line)) return line;
    std::this_thread::sleep_for(100ms);
  } while (Clock::now() < deadline);
  return std::nullopt;
}

// Reads one HTTP response with a Content-Length body (omnid always sends one).
std::string read_response(const Conn& c, std::chrono::milliseconds timeout = 10000ms) {
  std::string got;
  auto deadline = Clock::now() + timeout;
  char buf[16384];
  while (Clock::now() < deadline) {
    auto end = got.find("\r\n\r\n");
    if (end != std::string::npos) {
      auto cl = got.find("Content-Length: ");
      if (cl == std::string::npos) cl = got.find("content-length: ");
      std::size_t len = cl != std::string::npos && cl < end ? std::stoul(got.substr(cl + 16)) : 0;
      if (got.size() >= end + 4 + len) return got.substr(0, end + 4 + len);
    }
    pollfd p{c.fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    got.append(buf, static_cast<std::size_t>(n));
  }
  return got;
}

// How many HTTP responses a byte stream holds.
int responses_in(const std::string& bytes) {
  int n = 0;
  for (auto at = bytes.find("HTTP/1."); at != std::string::npos; at = bytes.find("HTTP/1.", at + 1))
    if (at == 0 || bytes.compare(at - 2, 2, "\r\n") == 0 || bytes[at - 1] == '}') ++n;
  return n;
}

int port_of(const std::string& host_port) { return std::stoi(host_port.substr(host_port.rfind(':') + 1)); }

int http_port(const Omnid& o) {
  for (const auto& line : o.log_lines())
    if (line.value("msg", "") == "omnid ready") return port_of(line["listening"]["http"].get<std::string>());
  FAIL("no ready line");
  return 0;
}

// omnid with plain HTTP on loopback and nothing else changed: the framing tests use only
// keys that existed before issue 16, so that they show the old behaviour too.
Omnid& plain() {
  static Omnid omnid([] {
    OmnidOptions o;
    o.dev = false;
    o.database_url = og::test::fresh_database("hardening");
    o.config = {{"server.http_listen", "\"127.0.0.1:0\""}, {"rate_limit.enabled", "false"}};
    return o;
  }());
  return omnid;
}

// omnid with small connection limits and short deadlines.
Omnid& limited() {
  static Omnid omnid([] {
    OmnidOptions o;
    o.dev = false;
    o.database_url = og::test::fresh_database("hardening_limits");
    o.config = {{"server.http_listen", "\"127.0.0.1:0\""},
                {"rate_limit.enabled", "false"},
                {"server.max_connections", "50"},
                {"server.max_connections_per_address", "20"},
                {"server.handshake_timeout_seconds", "2"},
                {"server.header_timeout_seconds", "5"}};
    return o;
  }());
  return omnid;
}

std::string health_request(const std::string& request_id, bool close = false) {
  return "GET /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nX-Request-Id: " + request_id + "\r\n" +
         (close ? "Connection: close\r\n" : "") + "\r\n";
}

// One request from 127.0.0.1 on a new connection: its round trip, and whether it was Ok.
struct Trip {
  bool ok = false;
  std::chrono::milliseconds took{};
};
Trip round_trip(int port, const std::string& request_id) {
  auto start = Clock::now();
  Conn c = connect_from("127.0.0.1", port);
  send_all(c, health_request(request_id, true));
  std::string got = read_response(c, 5000ms);
  Trip t;
  t.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  t.ok = got.rfind("HTTP/1.1 200", 0) == 0 && got.find("\"resultcode\":10000") != std::string::npos;
  return t;
}

// No request line in omnid's log carries this request id (after a later request's line has
// been written, so that the log is flushed up to it).
bool never_ran(Omnid& o, int port, const std::string& request_id) {
  std::string marker = request_id + "-marker";
  REQUIRE(round_trip(port, marker).ok);
  REQUIRE(o.wait_for_log("\"request_id\":\"" + marker + "\"", 10s));
  for (const auto& line : o.log_lines())
    if (line.value("request_id", "") == request_id) return false;
  return true;
}

}  // namespace

TEST_CASE("request smuggling: ambiguous framing is answered 400, the connection closed, the rest never runs",
          "[hardening][framing]") {
  Omnid& o = plain();
  const int port = http_port(o);
  struct Attack {
    const char* name;
    std::string fields;  // framing fields of the outer request
    bool with_length;    // add a Content-Length that covers the smuggled request
  };
  const std::vector<Attack> attacks{
      {"te-xchunked", "Transfer-Encoding: xchunked\r\n", false},
      {"te-xchunked-then-cl", "Transfer-Encoding: xchunked\r\n", true},
      {"te-gzip-chunked-list", "Transfer-Encoding: gzip, chunked\r\n", false},
      {"te-chunked-gzip", "Transfer-Encoding: chunked, gzip\r\n", false},
      {"te-two-fields", "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n", false},
      {"te-identity", "Transfer-Encoding: identity\r\n", false},
      {"te-empty", "Transfer-Encoding: \r\n", false},
      {"te-chunked-param", "Transfer-Encoding: chunked;x=1\r\n", false},
  };
  for (const auto& a : attacks) {
    DYNAMIC_SECTION(a.name) {
      const std::string smuggled_id = std::string("smuggled-") + a.name;
      const std::string inner = health_request(smuggled_id);
      std::string outer = "GET /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nX-Request-Id: outer-" +
                          std::string(a.name) + "\r\n" + a.fields;
      if (a.with_length) outer += "Content-Length: " + std::to_string(inner.size()) + "\r\n";
      outer += "\r\n" + inner;
      Conn c = connect_from("127.0.0.1", port);
      send_all(c, outer);
      Received r = read_until_closed(c, 3000ms);
      INFO(r.bytes);
      CHECK(r.closed);
      CHECK(responses_in(r.bytes) == 1);
      CHECK_THAT(r.bytes, Catch::StartsWith("HTTP/1.1 400"));
      CHECK_THAT(r.bytes, Catch::Contains("\"resultcode\":10106"));
      CHECK_THAT(r.bytes, Catch::Contains("Connection: close"));
      CHECK(never_ran(o, port, smuggled_id));
    }
  }
  SECTION("Content-Length before Transfer-Encoding") {
    const std::string inner = health_request("smuggled-cl-then-te");
    std::string outer = "POST /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nContent-Length: " +
                        std::to_string(inner.size()) + "\r\nTransfer-Encoding: xchunked\r\n\r\n" + inner;
    Conn c = connect_from("127.0.0.1", port);
    send_all(c, outer);
    Received r = read_until_closed(c, 3000ms);
    INFO(r.bytes);
    CHECK(r.closed);
    CHECK(responses_in(r.bytes) == 1);
    CHECK_THAT(r.bytes, Catch::StartsWith("HTTP/1.1 400"));
    CHECK(never_ran(o, port, "smuggled-cl-then-te"));
  }
  SECTION("chunked together with Content-Length, in either order") {
    for (std::string fields : {"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                               "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"}) {
      Conn c = connect_from("127.0.0.1", port);
      send_all(c, "POST /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\n" + fields + "\r\n0\r\n\r\n" +
                      health_request("smuggled-te-cl"));
      Received r = read_until_closed(c, 3000ms);
      INFO(fields << r.bytes);
      CHECK(r.closed);
      CHECK(responses_in(r.bytes) == 1);
      CHECK_THAT(r.bytes, Catch::StartsWith("HTTP/1.1 400"));
    }
    CHECK(never_ran(o, port, "smuggled-te-cl"));
  }
  SECTION("several Content-Length values that differ") {
    for (std::string fields : {"Content-Length: 0\r\nContent-Length: 5\r\n", "Content-Length: 0, 5\r\n"}) {
      Conn c = connect_from("127.0.0.1", port);
      send_all(c, "POST /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\n" + fields + "\r\nhello" +
                      health_request("smuggled-cl-cl"));
      Received r = read_until_closed(c, 3000ms);
      INFO(fields << r.bytes);
      CHECK(r.closed);
      CHECK(responses_in(r.bytes) == 1);
      CHECK_THAT(r.bytes, Catch::StartsWith("HTTP/1.1 400"));
    }
    CHECK(never_ran(o, port, "smuggled-cl-cl"));
  }
  SECTION("Transfer-Encoding in an HTTP/1.0 request") {
    Conn c = connect_from("127.0.0.1", port);
    send_all(c, "POST /api/v1/system/health HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" +
                    health_request("smuggled-http10"));
    Received r = read_until_closed(c, 3000ms);
    INFO(r.bytes);
    CHECK(r.closed);
    CHECK(responses_in(r.bytes) == 1);
    CHECK_THAT(r.bytes, Catch::StartsWith("HTTP/1.0 400"));
    CHECK(never_ran(o, port, "smuggled-http10"));
  }
  SECTION("obsolete line folding") {
    for (std::string fold : {"X-Folded: a\r\n b\r\n", "X-Folded: a\r\n\tb\r\n",
                             "X-Hidden: x\r\n Transfer-Encoding: chunked\r\n"}) {
      Conn c = connect_from("127.0.0.1", port);
      send_all(c, "GET /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nX-Request-Id: folded\r\n" + fold + "\r\n" +
                      health_request("smuggled-fold"));
      Received r = read_until_closed(c, 3000ms);
      INFO(fold << r.bytes);
      CHECK(r.closed);
      CHECK(responses_in(r.bytes) == 1);
      CHECK_THAT(r.bytes, Catch::StartsWith("HTTP/1.1 400"));
    }
    CHECK(never_ran(o, port, "folded"));
    CHECK(never_ran(o, port, "smuggled-fold"));
  }
}

TEST_CASE("framing that is fine still works: chunked bodies, pipelining, keep-alive", "[hardening][framing]") {
  Omnid& o = plain();
  const int port = http_port(o);
  SECTION("chunked (any case) and identical Content-Length repeats, pipelined on one connection") {
    Conn c = connect_from("127.0.0.1", port);
    std::string three =
        "POST /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nX-Request-Id: ok-chunked\r\n"
        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        "POST /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nX-Request-Id: ok-chunked-upper\r\n"
        "Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n"
        "POST /api/v1/system/health HTTP/1.1\r\nHost: omnid\r\nX-Request-Id: ok-cl-twice\r\n"
        "Content-Length: 2\r\nContent-Length: 2\r\n\r\nhi" +
        health_request("ok-last", true);
    send_all(c, three);
    Received r = read_until_closed(c, 10000ms);
    INFO(r.bytes);
    CHECK(r.closed);
    CHECK(responses_in(r.bytes) == 4);
    CHECK(r.bytes.find("HTTP/1.1 400") == std::string::npos);
    for (const char* id : {"ok-chunked", "ok-chunked-upper", "ok-cl-twice", "ok-last"})
      CHECK(r.bytes.find(std::string("X-Request-Id: ") + id) != std::string::npos);
    REQUIRE(o.wait_for_log("\"request_id\":\"ok-last\"", 10s));
  }
  SECTION("a kept-alive connection may wait longer than a header deadline between requests") {
    Conn c = connect_from("127.0.0.1", port);
    send_all(c, health_request("keep-1"));
    CHECK_THAT(read_response(c), Catch::StartsWith("HTTP/1.1 200"));
    send_all(c, health_request("keep-2"));
    CHECK_THAT(read_response(c), Catch::StartsWith("HTTP/1.1 200"));
  }
}

TEST_CASE("one address holding more connections than its limit does not lock anyone else out",
          "[hardening][connections]") {
  Omnid& o = limited();
  const int port = http_port(o);
  REQUIRE(round_trip(port, "warm-up").ok);

  // 60 idle connections from 127.0.0.2 (they send nothing): 20 are kept, 40 closed at once.
  // (All of this happens well within header_timeout_seconds, 5, which would cut the 20.)
  std::vector<Conn> held;
  auto opened = Clock::now();
  for (int i = 0; i < 60; ++i) held.push_back(connect_from("127.0.0.2", port));
  CHECK(count_closed(held, 2000ms, 40) == 40);
  CHECK(Clock::now() - opened < 2500ms);

  // 127.0.0.1 is served, quickly, while 127.0.0.2 holds its 20.
  for (int i = 0; i < 3; ++i) {
    Trip t = round_trip(port, "while-held-" + std::to_string(i));
    CHECK(t.ok);
    CHECK(t.took < 500ms);
  }
  // A new connection from 127.0.0.2 is still refused; the 20 it holds are still open.
  Conn again = connect_from("127.0.0.2", port);
  CHECK(closed_within(again, 1000ms));
  CHECK(count_closed(held, 0ms, 60) == 0);
  CHECK(Clock::now() - opened < 4s);  // (else the header deadline may have closed them)

  // 41 refusals, one summary line.
  REQUIRE(o.wait_for_log("\"msg\":\"connections refused\"", 10s));
  std::this_thread::sleep_for(300ms);
  std::vector<Json> lines;
  for (const auto& line : o.log_lines())
    if (line.value("msg", "") == "connections refused") lines.push_back(line);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["refused"] == 41);
  CHECK(lines[0]["max_connections_per_address_reached"] == 41);
  CHECK(lines[0]["max_connections_reached"] == 0);
  CHECK(lines[0]["top_address"] == "127.0.0.2");
  CHECK(lines[0]["top_address_refused"] == 41);
  CHECK(lines[0]["level"] == "warn");
  held.clear();
}

TEST_CASE("the global connection limit still holds across addresses", "[hardening][connections]") {
  Omnid& o = limited();
  const int port = http_port(o);
  // 20 + 20 + 10 from three addresses fill max_connections (50).
  std::vector<Conn> held;
  auto fill = [&](const char* from, int n) {
    for (int i = 0; i < n; ++i) held.push_back(connect_from(from, port));
  };
  fill("127.0.0.3", 20);
  fill("127.0.0.4", 20);
  fill("127.0.0.5", 10);
  std::this_thread::sleep_for(1000ms);  // omnid has accepted them (a loaded CI machine is slow)
  CHECK(count_closed(held, 0ms, 50) == 0);
  Conn c = connect_from("127.0.0.1", port);
  CHECK(closed_within(c, 3000ms));
  Conn d = connect_from("127.0.0.6", port);
  CHECK(closed_within(d, 3000ms));
  // Room again: 127.0.0.1 is served.
  held.clear();
  bool served = false;
  for (int i = 0; i < 40 && !served; ++i) {
    served = round_trip(port, "after-global-" + std::to_string(i)).ok;
    if (!served) std::this_thread::sleep_for(50ms);
  }
  CHECK(served);
  // The next summary line (at most one per 10 s) counts them under the global limit.
  auto line = wait_for_line(
      o,
      [](const Json& l) { return l.value("msg", "") == "connections refused" && l.value("max_connections_reached", 0) > 0; },
      25s);
  REQUIRE(line);
  INFO(line->dump());
  CHECK((*line)["max_connections_reached"].get<int>() >= 2);  // 127.0.0.1 and .6 (and retries)
  CHECK((*line)["max_connections_per_address_reached"] == 0);
  CHECK((*line)["addresses"].get<int>() >= 2);
}

TEST_CASE("slow clients are cut: TLS handshake and header deadlines", "[hardening][timeouts]") {
  Omnid& o = limited();
  const int port = http_port(o);
  const int https = port_of(o.url());
  SECTION("a TLS connection that never starts its handshake is closed after handshake_timeout_seconds") {
    auto start = Clock::now();
    Conn c = connect_from("127.0.0.7", https);
    CHECK(closed_within(c, 10000ms));
    auto took = Clock::now() - start;
    CHECK(took >= 1500ms);
    CHECK(took < 4500ms);
  }
  SECTION("a plain connection that sends nothing is closed after header_timeout_seconds") {
    auto start = Clock::now();
    Conn c = connect_from("127.0.0.7", port);
    CHECK(closed_within(c, 15000ms));
    auto took = Clock::now() - start;
    CHECK(took >= 4500ms);
    CHECK(took < 7500ms);
  }
  SECTION("a client dripping its headers is cut at the header deadline, without an answer") {
    auto start = Clock::now();
    Conn c = connect_from("127.0.0.7", port);
    std::string drip = "GET /api/v1/system/health HTTP/1.1\r\nX-Slow: " + std::string(200, 'a');
    bool cut = false;
    std::string answer;
    for (char ch : drip) {
      if (::send(c.fd, &ch, 1, MSG_NOSIGNAL) != 1) {
        cut = true;
        break;
      }
      Received r = read_until_closed(c, 100ms);
      answer += r.bytes;
      if (r.closed) {
        cut = true;
        break;
      }
    }
    auto took = Clock::now() - start;
    CHECK(cut);
    CHECK(took >= 4500ms);
    CHECK(took < 7500ms);
    CHECK(answer.empty());
  }
  SECTION("between requests the idle timeout applies, not the header deadline") {
    Conn c = connect_from("127.0.0.7", port);
    send_all(c, health_request("idle-1"));
    CHECK_THAT(read_response(c), Catch::StartsWith("HTTP/1.1 200"));
    std::this_thread::sleep_for(6s);  // longer than header_timeout_seconds (5)
    send_all(c, health_request("idle-2"));
    CHECK_THAT(read_response(c), Catch::StartsWith("HTTP/1.1 200"));
  }
}

TEST_CASE("[server] and [tls] hardening keys: defaults, limits and errors name the key", "[hardening][config]") {
  auto error_of = [](const std::string& text) -> std::string {
    try {
      og::parse_config(text, "omnid.toml");
    } catch (const og::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  og::Config d = og::parse_config("", "omnid.toml");
  CHECK(d.server.max_connections_per_address == 1024);
  CHECK(d.server.handshake_timeout_seconds == 5);
  CHECK(d.server.header_timeout_seconds == 10);
  CHECK(d.tls.min_version == "1.2");
  og::http::TlsPolicy policy;
  CHECK(d.tls.ciphers == policy.ciphers);
  CHECK(d.tls.ciphersuites == policy.ciphersuites);
  CHECK(d.tls.ciphers.find("CBC") == std::string::npos);

  og::Config c = og::parse_config(
      "[server]\nmax_connections_per_address = 0\nhandshake_timeout_seconds = 3\nheader_timeout_seconds = 4\n"
      "[tls]\nciphers = \"ECDHE+AESGCM:!aNULL\"\nciphersuites = \"TLS_AES_256_GCM_SHA384\"\nmin_version = \"1.3\"\n",
      "omnid.toml");
  CHECK(c.server.max_connections_per_address == 0);
  CHECK(c.server.handshake_timeout_seconds == 3);
  CHECK(c.server.header_timeout_seconds == 4);
  CHECK(c.tls.ciphers == "ECDHE+AESGCM:!aNULL");
  CHECK(c.tls.min_version == "1.3");

  CHECK_THAT(error_of("[server]\nheader_timeout_seconds = 0\n"), Catch::Contains("server.header_timeout_seconds"));
  CHECK_THAT(error_of("[server]\nhandshake_timeout_seconds = 0\n"), Catch::Contains("server.handshake_timeout_seconds"));
  CHECK_THAT(error_of("[server]\nmax_connections_per_address = -1\n"),
             Catch::Contains("server.max_connections_per_address"));
  std::string e = error_of("[tls]\nciphers = \"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA257\"\n");
  CHECK_THAT(e, Catch::Contains("omnid.toml:2: tls.ciphers"));
  CHECK_THAT(e, Catch::Contains("ECDHE-RSA-AES128-GCM-SHA257"));
  CHECK_THAT(error_of("[tls]\nciphers = \"\"\n"), Catch::Contains("tls.ciphers"));
  CHECK_THAT(error_of("[tls]\nciphers = \"!ALL\"\n"), Catch::Contains("tls.ciphers"));
  CHECK_THAT(error_of("[tls]\nciphersuites = \"TLS_AES_128_GCM_SHA256:TLS_BOGUS\"\n"),
             Catch::Contains("omnid.toml:2: tls.ciphersuites"));
  CHECK_THAT(error_of("[tls]\nciphersuites = \"\"\n"), Catch::Contains("tls.ciphersuites"));
  CHECK_THAT(error_of("[tls]\nmin_version = \"1.1\"\n"), Catch::Contains("omnid.toml:2: tls.min_version"));
  CHECK_THAT(error_of("[tls]\nmin_version = 1.2\n"), Catch::Contains("tls.min_version: must be a string"));
  CHECK_THAT(error_of("[tls]\nprotocols = \"1.2\"\n"), Catch::Contains("unknown key"));
}

namespace {

// Parses a header section with Beast as the server does; nullopt when Beast refuses it.
std::optional<og::http::Request> parsed(const std::string& section) {
  boost::beast::http::request_parser<boost::beast::http::string_body> p;
  boost::beast::error_code ec;
  p.put(boost::asio::buffer(section), ec);
  if (ec || !p.is_header_done()) return std::nullopt;
  return p.release();
}

}  // namespace

TEST_CASE("framing.h: obs_fold_problem and framing_problem", "[hardening][framing][unit]") {
  using og::http::framing_problem;
  using og::http::obs_fold_problem;
  CHECK_FALSE(obs_fold_problem("GET / HTTP/1.1\r\nHost: a\r\nX: b c\r\n\r\n"));
  CHECK_FALSE(obs_fold_problem(""));
  CHECK(obs_fold_problem("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"));
  CHECK(obs_fold_problem("GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n"));
  CHECK(obs_fold_problem("GET / HTTP/1.1\r\n Host: a\r\n\r\n"));  // whitespace before the first field
  CHECK(obs_fold_problem("GET / HTTP/1.1\nX: a\n b\n\n"));          // bare LF
  CHECK(obs_fold_problem(" GET / HTTP/1.1\r\n\r\n"));

  auto problem = [](const std::string& fields, const char* version = "HTTP/1.1") -> std::optional<std::string> {
    auto req = parsed(std::string("POST / ") + version + "\r\nHost: a\r\n" + fields + "\r\n");
    if (!req) return std::string("refused by Beast");
    return framing_problem(*req);
  };
  CHECK_FALSE(problem(""));
  CHECK_FALSE(problem("Content-Length: 5\r\n"));
  CHECK_FALSE(problem("Content-Length: 5\r\nContent-Length: 5\r\n"));
  CHECK_FALSE(problem("Content-Length: 5, 05\r\n"));
  CHECK_FALSE(problem("Transfer-Encoding: chunked\r\n"));
  CHECK_FALSE(problem("Transfer-Encoding: Chunked\r\n"));
  CHECK_FALSE(problem("transfer-encoding:  chunked \r\n"));
  CHECK(problem("Transfer-Encoding: xchunked\r\n"));
  CHECK(problem("Transfer-Encoding: gzip, chunked\r\n"));
  CHECK(problem("Transfer-Encoding: chunked, gzip\r\n"));
  CHECK(problem("Transfer-Encoding: chunked, chunked\r\n"));
  CHECK(problem("Transfer-Encoding: gzip\r\nX: y\r\nTransfer-Encoding: chunked\r\n"));
  CHECK(problem("Transfer-Encoding: ,chunked\r\n"));
  CHECK(problem("Transfer-Encoding:\r\n"));
  CHECK(problem("Transfer-Encoding: xchunked\r\nContent-Length: 5\r\n"));
  CHECK(problem("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"));
  CHECK(problem("Transfer-Encoding: chunked\r\n", "HTTP/1.0"));
  CHECK(problem("Content-Length: 5\r\nContent-Length: 6\r\n"));
  CHECK(problem("Content-Length: 5, 6\r\n"));
  // A request object built by hand (not by Beast's parser) is checked the same way.
  og::http::Request built;
  built.version(11);
  built.insert(boost::beast::http::field::content_length, "5");
  built.insert("X-Between", "1");
  built.insert(boost::beast::http::field::content_length, "7");
  CHECK(framing_problem(built));
  og::http::Request te;
  te.version(11);
  te.insert(boost::beast::http::field::transfer_encoding, "chunked");
  CHECK_FALSE(framing_problem(te));
  te.insert(boost::beast::http::field::content_length, "+5");
  CHECK(framing_problem(te));
}
