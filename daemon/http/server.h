#pragma once
// The HTTP transport: Boost.Beast over Asio, HTTPS (OpenSSL) and optionally plain HTTP on
// loopback. Keep-alive, header and body limits, read/idle/write timeouts, several I/O
// threads, graceful shutdown with a deadline. It knows nothing of the API: every request
// goes to a RequestHandler, and framing errors (body too large, ...) are turned into
// responses by the handler too.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace og::http {

namespace bhttp = boost::beast::http;
using Request = bhttp::request<bhttp::string_body>;
using Response = bhttp::response<bhttp::string_body>;

// Beast (Boost 1.74) has its own string_view type.
inline std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

struct RequestInfo {
  std::string remote_address;  // "127.0.0.1"
  bool tls = false;
};

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
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds read_timeout{30};   // a request, once started, must arrive within this
  std::chrono::seconds idle_timeout{60};   // keep-alive: time allowed between requests
  std::chrono::seconds write_timeout{30};
  std::size_t max_connections = 4096;
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

// Builds a TLS server context from PEM files (TLS 1.2+). Throws with the file name.
std::shared_ptr<boost::asio::ssl::context> make_tls_context(const std::string& cert_file,
                                                            const std::string& key_file);

// Parses "host:port", "[v6]:port" or ":port" (all interfaces). Throws std::invalid_argument.
boost::asio::ip::tcp::endpoint parse_endpoint(const std::string& text);

}  // namespace og::http
