#pragma once
// The HTTP transport: Boost.Beast over Asio, HTTPS (OpenSSL) and optionally plain HTTP on
// loopback. Keep-alive, header and body limits, handshake/header/read/idle/write timeouts,
// a global and a per-address connection limit, several I/O threads, graceful shutdown with
// a deadline. It knows nothing of the API: every request goes to a RequestHandler, and
// framing errors (body too large, ambiguous framing, ...) are turned into responses by the
// handler too.
//
// Framing (see daemon/http/framing.h): the header section is read by the server itself and
// checked for obsolete line folding before Beast parses it; Transfer-Encoding other than a
// lone `chunked`, Transfer-Encoding with Content-Length, and differing Content-Lengths are
// answered 400 with Connection: close, and nothing after such a header is read as a request.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "daemon/api/request.h"

namespace og::http {

namespace bhttp = api::bhttp;
using api::Request;
using api::RequestInfo;
using api::Response;
using api::sv;

// Called once per response; may be called from any thread.
using Respond = std::function<void(Response)>;

enum class TransportError { BodyTooLarge, HeadersTooLarge, BadRequest };

class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Must call respond exactly once (possibly later, from another thread).
  virtual void handle(Request&& req, const RequestInfo& info, Respond respond) = 0;
  // A response for a request that could not be read. `req` holds what was parsed, if any.
  virtual Response transport_error(TransportError e, const Request* partial) = 0;
};

struct ServerOptions {
  std::optional<boost::asio::ip::tcp::endpoint> https;  // TLS listener
  std::optional<boost::asio::ip::tcp::endpoint> http;   // plain listener (loopback only)
  std::shared_ptr<boost::asio::ssl::context> tls;       // required with https
  int io_threads = 2;
  std::size_t max_body_bytes = 1 << 20;
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::seconds handshake_timeout{5};  // TLS handshake, from accept
  // A request's header section must have arrived this long after the request started (the
  // first request: after accept or the TLS handshake; later ones: their first byte), and at
  // most read_timeout.
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds read_timeout{30};   // a request, once started, must arrive within this
  std::chrono::seconds idle_timeout{60};   // keep-alive: time allowed between requests
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 4096;
  // Open connections from one client address (IPv4-mapped IPv6 counted as IPv4); 0 = no
  // limit. Connections over either limit are closed at once; refusals are summarised in one
  // log line ("connections refused") at most every refusal_log_interval.
  std::size_t max_connections_per_address = 1024;
  std::chrono::milliseconds refusal_log_interval{10000};
};

class Server {
 public:
  Server(ServerOptions options, RequestHandler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listeners (throws std::system_error naming the address on failure) and
  // starts the I/O threads.
  void start();
  // Actual ports (useful with port 0). 0 when the listener is off.
  unsigned short https_port() const;
  unsigned short http_port() const;
  // Stops accepting, closes idle connections, lets requests in flight finish and their
  // responses be written, up to `grace`; then closes everything and joins the threads.
  void shutdown(std::chrono::milliseconds grace);
  std::size_t open_connections() const;
  // Runs f on one of the I/O threads, soon. Safe to call from any thread. Work posted after
  // shutdown() never runs (it is destroyed with the server).
  void post(std::function<void()> f);

  struct Impl;  // public only so that the session templates in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// What the HTTPS listener offers. The defaults: TLS 1.2 and 1.3; for TLS 1.2 only suites
// with forward secrecy (ECDHE) and authenticated encryption (AES-GCM, ChaCha20-Poly1305), no
// CBC, no static RSA key exchange; for TLS 1.3 its AEAD suites.
struct TlsPolicy {
  static constexpr const char* kDefaultCiphers =
      "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
      "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
      "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
  static constexpr const char* kDefaultCiphersuites =
      "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
  std::string ciphers = kDefaultCiphers;            // TLS 1.2, OpenSSL cipher-list syntax
  std::string ciphersuites = kDefaultCiphersuites;  // TLS 1.3, OpenSSL ciphersuites syntax
  std::string min_version = "1.2";                  // "1.2" or "1.3"
};

// A TlsPolicy value OpenSSL cannot use. `key` names it: "ciphers", "ciphersuites" or
// "min_version".
struct TlsPolicyError : std::invalid_argument {
  TlsPolicyError(std::string k, const std::string& problem) : std::invalid_argument(problem), key(std::move(k)) {}
  std::string key;
};

// Applies a policy to a context: protocol versions, TLS 1.2 cipher list, TLS 1.3 suites.
// Throws TlsPolicyError for a value OpenSSL refuses, for a cipher-list element that names
// no cipher (a typo must not pass silently), or for a list that leaves nothing to offer.
void apply_tls_policy(boost::asio::ssl::context& ctx, const TlsPolicy& policy);
// Checks a policy without a certificate (for the configuration check).
void check_tls_policy(const TlsPolicy& policy);

// Builds a TLS server context from PEM files with `policy`. Throws with the file name (or
// TlsPolicyError).
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file,
                                                            const TlsPolicy& policy = {});

// Parses "host:port", "[v6]:port" or ":port" (all interfaces). Throws std::invalid_argument.
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& text);

}  // namespace og::http
