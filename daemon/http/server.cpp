#include "daemon/http/server.h"

#include <openssl/ssl.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <vector>

#include "daemon/http/framing.h"
#include "daemon/log.h"

namespace og::http {

namespace net = boost::asio;
namespace beast = boost::beast;
using tcp = net::ip::tcp;

class SessionBase {
 public:
  virtual ~SessionBase() = default;
  // Both are safe to call from any thread: they post onto the session's strand.
  virtual void close_if_idle() = 0;
  virtual void force_close() = 0;
};

struct Server::Impl {
  ServerOptions opt;
  RequestHandler& handler;

  // Declared before the io_context: sessions destroyed with it still use these.
  mutable std::mutex mu;
  std::condition_variable cv;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  // Open connections per client address (accepted and not yet destroyed), under mu.
  std::unordered_map<std::string, std::size_t> per_address;
  std::atomic<bool> stopping{false};
  bool shut_down = false;

  // Refused connections since the last "connections refused" line, under mu.
  struct Refusals {
    std::size_t global = 0;       // max_connections reached
    std::size_t per_address = 0;  // max_connections_per_address reached
    std::unordered_map<std::string, std::size_t> by_address;
    std::size_t other_addresses = 0;  // refusals not counted by address (the map is bounded)
    std::chrono::steady_clock::time_point first{};
    std::chrono::steady_clock::time_point last_line{};
    bool armed = false;  // a summary is due (the timer runs)
  } refusals;

  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<tcp::acceptor> https_acceptor;
  std::unique_ptr<tcp::acceptor> http_acceptor;
  net::steady_timer refusal_timer{ioc};  // after ioc: destroyed before it
  std::vector<std::thread> threads;

  Impl(ServerOptions o, RequestHandler& h) : opt(std::move(o)), handler(h), ioc(std::max(1, opt.io_threads)) {}

  void add(SessionBase* raw, std::weak_ptr<SessionBase> weak) {
    std::lock_guard lock(mu);
    sessions.emplace(raw, std::move(weak));
  }
  void remove(SessionBase* raw, const std::string& address) {
    std::lock_guard lock(mu);
    sessions.erase(raw);
    if (auto it = per_address.find(address); it != per_address.end() && --it->second == 0) per_address.erase(it);
    cv.notify_all();
  }
  std::size_t count() const {
    std::lock_guard lock(mu);
    return sessions.size();
  }
  std::vector<std::shared_ptr<SessionBase>> live() {
    std::lock_guard lock(mu);
    std::vector<std::shared_ptr<SessionBase>> out;
    for (auto& [_, w] : sessions)
      if (auto s = w.lock()) out.push_back(std::move(s));
    return out;
  }

  void accept(tcp::acceptor& acceptor, bool tls);
  void start_session(tcp::socket socket, bool tls);
  // With mu held: counts a refusal and makes sure a summary line is due.
  void note_refusal(bool global, const std::string& address);
  // Writes the summary of the refusals counted so far, if any.
  void log_refusals();
};

namespace {

// The client's address as text, an IPv4-mapped IPv6 address as IPv4 ("::ffff:10.0.0.1"
// is 10.0.0.1: one client, one count, one rate-limit key). Empty when the peer is gone.
std::string remote_of(const tcp::socket& s) {
  beast::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return {};
  auto a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return a.to_v6().to_v4().to_string();
  return a.to_string();
}

std::string_view text_of(const beast::flat_buffer& b) {
  auto d = b.data();
  return {static_cast<const char*>(d.data()), d.size()};
}

// One connection. Stream is beast::tcp_stream (plain) or beast::ssl_stream<tcp_stream>.
template <class Stream>
class Session : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  // `address`: the client's (remote_of), already counted in srv.per_address; the session
  // gives its count back when it is destroyed.
  template <class... Args>
  Session(Server::Impl& srv, tcp::socket socket, std::string address, Args&&... args)
      : srv_(srv), stream_(std::move(socket), std::forward<Args>(args)...) {
    info_.remote_address = std::move(address);
    info_.tls = kTls;
  }
  ~Session() override { srv_.remove(this, info_.remote_address); }

  void run() {
    srv_.add(this, this->weak_from_this());
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] { self->begin(); });
  }

  void close_if_idle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (!self->busy_) self->close_socket();
    });
  }
  void force_close() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->close_socket(); });
  }

 private:
  void begin() {
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(srv_.opt.handshake_timeout);
      stream_.async_handshake(net::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return self->close_socket();
                                self->do_read();
                              });
    } else {
      do_read();
    }
  }

  void do_read() {
    if (srv_.stopping) return shutdown_stream();
    parser_.emplace();
    parser_->body_limit(srv_.opt.max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(srv_.opt.max_header_bytes));
    scanned_ = 0;
    started_ = false;
    if (first_) {
      // The first request starts at once (after accept or the TLS handshake): a client
      // that connects and sends nothing, or drips, is cut after the header timeout.
      start_request();
    } else {
      beast::get_lowest_layer(stream_).expires_after(srv_.opt.idle_timeout);
    }
    first_ = false;
    read_header();
  }

  // The request's clock: its header section within header_timeout (at most read_timeout),
  // all of it within read_timeout.
  void start_request() {
    started_ = true;
    request_start_ = std::chrono::steady_clock::now();
    beast::get_lowest_layer(stream_).expires_at(request_start_ + std::min(srv_.opt.header_timeout, srv_.opt.read_timeout));
  }

  // Reads until the buffer holds a whole header section (up to the first CRLF CRLF), at
  // most max_header_bytes, without parsing anything yet.
  void read_header() {
    const std::string_view data = text_of(buffer_);
    if (!started_ && !data.empty()) start_request();
    const std::size_t limit = srv_.opt.max_header_bytes;
    const std::string_view window = data.substr(0, std::min(data.size(), limit));
    auto end = window.find("\r\n\r\n", scanned_ >= 3 ? scanned_ - 3 : 0);
    if (end != std::string_view::npos) return on_header_section(end + 4);
    scanned_ = window.size();
    if (data.size() >= limit) return refuse(TransportError::HeadersTooLarge, nullptr, "header section over the limit");
    stream_.async_read_some(buffer_.prepare(16 * 1024),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->on_read(ec);
                              self->buffer_.commit(n);
                              self->read_header();
                            });
  }

  // The buffer starts with a whole header section of `n` bytes: check it, let Beast parse
  // exactly those bytes, check the framing, then read the body (if any).
  void on_header_section(std::size_t n) {
    const std::string_view section = text_of(buffer_).substr(0, n);
    if (auto why = obs_fold_problem(section)) return refuse(TransportError::BadRequest, nullptr, *why);
    beast::error_code perr;
    std::size_t used = parser_->put(net::buffer(section.data(), section.size()), perr);
    if (!perr && (used != n || !parser_->is_header_done())) perr = bhttp::error::bad_field;  // cannot happen
    if (perr) return on_read(perr);
    buffer_.consume(used);
    if (auto why = framing_problem(parser_->get())) return refuse(TransportError::BadRequest, &parser_->get(), *why);
    if (parser_->is_done()) return on_read({});
    beast::get_lowest_layer(stream_).expires_at(request_start_ + srv_.opt.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == beast::error::timeout || ec == net::error::eof || ec == net::ssl::error::stream_truncated) {
      return close_socket();
    }
    if (ec) {
      TransportError kind = TransportError::BadRequest;
      if (ec == bhttp::error::body_limit) kind = TransportError::BodyTooLarge;
      else if (ec == bhttp::error::header_limit) kind = TransportError::HeadersTooLarge;
      else if (ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category())
        return close_socket();  // a network error: nobody to answer
      const Request* partial = parser_ && parser_->is_header_done() ? &parser_->get() : nullptr;
      return refuse(kind, partial, ec.message());
    }
    busy_ = true;
    Request req = parser_->release();
    keep_alive_ = req.keep_alive();
    // Refresh the deadline while the handler works: the write timeout starts at send().
    beast::get_lowest_layer(stream_).expires_never();
    // The callback holds the session alive until the handler answers.
    auto self = this->shared_from_this();
    auto executor = stream_.get_executor();
    srv_.handler.handle(std::move(req), info_, [self, executor](Response res) {
      net::post(executor, [self, res = std::move(res)]() mutable { self->send(std::move(res)); });
    });
  }

  // A request that cannot be read or must not be: the handler's answer, then the
  // connection is closed. Whatever the client sent after it is discarded unread (lingering
  // close: the client may still be sending the body we refused, and should see the answer
  // rather than a reset), never parsed as another request.
  void refuse(TransportError kind, const Request* partial, const std::string& why) {
    log::debug("request refused by the HTTP transport", {{"remote", info_.remote_address}, {"reason", why}});
    Response res = srv_.handler.transport_error(kind, partial);
    keep_alive_ = false;
    linger_ = true;
    busy_ = true;
    beast::get_lowest_layer(stream_).expires_never();
    send(std::move(res));
  }

  void send(Response res) {
    if (closed_) return;
    bool keep = keep_alive_ && !srv_.stopping;
    res.keep_alive(keep);
    res.prepare_payload();
    response_ = std::make_shared<Response>(std::move(res));
    beast::get_lowest_layer(stream_).expires_after(srv_.opt.write_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = this->shared_from_this(), keep](beast::error_code ec, std::size_t) {
                         self->busy_ = false;
                         self->response_.reset();
                         if (ec) return self->close_socket();
                         if (!keep && self->linger_) return self->linger(std::chrono::steady_clock::now() + std::chrono::seconds(5));
                         if (!keep) return self->shutdown_stream();
                         self->do_read();
                       });
  }

  // Lingering close: discard what the peer still sends, for at most 5 s and 64 MiB. Over
  // plain TCP our side is shut down first, so that the client sees the end of the answer
  // at once (over TLS the client closes when it reads Connection: close).
  void linger(std::chrono::steady_clock::time_point deadline) {
    if (closed_ || drained_ > (64u << 20)) return close_socket();
    if constexpr (!kTls) {
      if (drained_ == 0 && drain_.empty()) {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      }
    }
    beast::get_lowest_layer(stream_).expires_at(deadline);
    drain_.resize(64 * 1024);
    stream_.async_read_some(net::buffer(drain_), [self = this->shared_from_this(), deadline](beast::error_code ec, std::size_t n) {
      if (ec) return self->close_socket();
      self->drained_ += n;
      self->linger(deadline);
    });
  }

  void shutdown_stream() {
    if (closed_) return;
    if constexpr (kTls) {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->close_socket(); });
    } else {
      beast::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      close_socket();
    }
  }

  void close_socket() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ec;
    beast::get_lowest_layer(stream_).socket().shutdown(tcp::socket::shutdown_both, ec);
    beast::get_lowest_layer(stream_).close();
  }

  Server::Impl& srv_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::shared_ptr<Response> response_;
  RequestInfo info_;
  std::size_t scanned_ = 0;  // bytes of buffer_ already searched for the end of the header section
  bool started_ = false;     // the current request has started (its clock runs)
  std::chrono::steady_clock::time_point request_start_{};
  bool first_ = true;
  bool busy_ = false;
  bool keep_alive_ = true;
  bool closed_ = false;
  bool linger_ = false;
  std::size_t drained_ = 0;
  std::vector<char> drain_;
};

}  // namespace

void Server::Impl::start_session(tcp::socket socket, bool tls) {
  std::string address = remote_of(socket);
  beast::error_code ec;
  if (address.empty()) {  // reset before we got to it
    socket.close(ec);
    return;
  }
  {
    std::lock_guard lock(mu);
    bool global = sessions.size() >= opt.max_connections;
    auto& mine = per_address[address];
    if (global || (opt.max_connections_per_address > 0 && mine >= opt.max_connections_per_address)) {
      if (mine == 0) per_address.erase(address);
      note_refusal(global, address);
      socket.close(ec);
      return;
    }
    ++mine;  // given back by the session's destructor
  }
  if (tls) {
    std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(socket), std::move(address), *opt.tls)->run();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(*this, std::move(socket), std::move(address))->run();
  }
}

void Server::Impl::note_refusal(bool global, const std::string& address) {
  auto& r = refusals;
  auto now = std::chrono::steady_clock::now();
  if (r.global + r.per_address == 0) r.first = now;
  (global ? r.global : r.per_address) += 1;
  // Bounded: a flood from many addresses must not grow the map without end.
  if (auto it = r.by_address.find(address); it != r.by_address.end()) ++it->second;
  else if (r.by_address.size() < 4096) r.by_address.emplace(address, 1);
  else ++r.other_addresses;
  if (r.armed || stopping) return;
  // The first refusal after a quiet while is reported soon (a burst is one line); then at
  // most one line per interval.
  r.armed = true;
  auto soon = std::min(opt.refusal_log_interval, std::chrono::milliseconds(1000));
  auto when = std::max(now + soon, r.last_line + opt.refusal_log_interval);
  refusal_timer.expires_at(when);
  refusal_timer.async_wait([this](beast::error_code ec) {
    if (!ec) log_refusals();
  });
}

void Server::Impl::log_refusals() {
  Json fields;
  {
    std::lock_guard lock(mu);
    auto& r = refusals;
    r.armed = false;
    if (r.global + r.per_address == 0) return;
    auto now = std::chrono::steady_clock::now();
    std::string top;
    std::size_t top_count = 0;
    for (const auto& [a, n] : r.by_address)
      if (n > top_count || (n == top_count && a < top)) top = a, top_count = n;
    fields = Json{{"refused", r.global + r.per_address},
                  {"max_connections_reached", r.global},
                  {"max_connections_per_address_reached", r.per_address},
                  {"addresses", r.by_address.size() + (r.other_addresses ? 1 : 0)},
                  {"top_address", top},
                  {"top_address_refused", top_count},
                  {"seconds", std::chrono::duration_cast<std::chrono::milliseconds>(now - r.first).count() / 1000.0},
                  {"max_connections", opt.max_connections},
                  {"max_connections_per_address", opt.max_connections_per_address},
                  {"open_connections", sessions.size()}};
    r.global = r.per_address = r.other_addresses = 0;
    r.by_address.clear();
    r.last_line = now;
  }
  log::warn("connections refused", std::move(fields));
}

void Server::Impl::accept(tcp::acceptor& acceptor, bool tls) {
  acceptor.async_accept(net::make_strand(ioc), [this, &acceptor, tls](beast::error_code ec, tcp::socket socket) {
    if (stopping || ec == net::error::operation_aborted) return;
    if (!ec) {
      socket.set_option(tcp::no_delay(true), ec);
      start_session(std::move(socket), tls);
    } else if (ec == net::error::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
               ec == net::error::no_buffer_space || ec == net::error::no_memory) {
      // Out of file descriptors (or memory): accepting again at once would spin. Pause.
      auto pause = std::make_shared<net::steady_timer>(ioc, std::chrono::milliseconds(50));
      pause->async_wait([this, &acceptor, tls, pause](beast::error_code) {
        if (!stopping) accept(acceptor, tls);
      });
      return;
    }
    accept(acceptor, tls);
  });
}

Server::Server(ServerOptions options, RequestHandler& handler)
    : impl_(std::make_unique<Impl>(std::move(options), handler)) {}

Server::~Server() {
  if (impl_ && !impl_->shut_down) shutdown(std::chrono::milliseconds(0));
}

namespace {
std::unique_ptr<tcp::acceptor> listen_on(net::io_context& ioc, const tcp::endpoint& ep) {
  auto acc = std::make_unique<tcp::acceptor>(ioc);
  try {
    acc->open(ep.protocol());
    acc->set_option(net::socket_base::reuse_address(true));
    if (ep.address().is_v6()) acc->set_option(net::ip::v6_only(false));
    acc->bind(ep);
    acc->listen(net::socket_base::max_listen_connections);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot listen on " + ep.address().to_string() + ":" + std::to_string(ep.port()) +
                             ": " + e.code().message());
  }
  return acc;
}
}  // namespace

void Server::start() {
  auto& d = *impl_;
  if (d.opt.https) {
    if (!d.opt.tls) throw std::invalid_argument("HTTPS listener without a TLS context");
    d.https_acceptor = listen_on(d.ioc, *d.opt.https);
    d.accept(*d.https_acceptor, true);
  }
  if (d.opt.http) {
    d.http_acceptor = listen_on(d.ioc, *d.opt.http);
    d.accept(*d.http_acceptor, false);
  }
  d.work.emplace(d.ioc.get_executor());
  for (int i = 0; i < std::max(1, d.opt.io_threads); ++i) d.threads.emplace_back([&d] { d.ioc.run(); });
}

unsigned short Server::https_port() const {
  return impl_->https_acceptor ? impl_->https_acceptor->local_endpoint().port() : 0;
}
unsigned short Server::http_port() const {
  return impl_->http_acceptor ? impl_->http_acceptor->local_endpoint().port() : 0;
}
std::size_t Server::open_connections() const { return impl_->count(); }
void Server::post(std::function<void()> f) { net::post(impl_->ioc, std::move(f)); }

void Server::shutdown(std::chrono::milliseconds grace) {
  auto& d = *impl_;
  if (d.shut_down) return;
  d.shut_down = true;
  d.stopping = true;
  net::post(d.ioc, [&d] {
    std::lock_guard lock(d.mu);
    d.refusal_timer.cancel();
  });
  for (auto* acc : {d.https_acceptor.get(), d.http_acceptor.get()}) {
    if (!acc) continue;
    net::post(d.ioc, [acc] {
      beast::error_code ec;
      acc->close(ec);
    });
  }
  for (auto& s : d.live()) s->close_if_idle();
  {
    std::unique_lock lock(d.mu);
    d.cv.wait_for(lock, grace, [&] { return d.sessions.empty(); });
  }
  for (auto& s : d.live()) s->force_close();
  {
    std::unique_lock lock(d.mu);
    d.cv.wait_for(lock, std::chrono::seconds(2), [&] { return d.sessions.empty(); });
  }
  d.work.reset();
  d.ioc.stop();
  for (auto& t : d.threads)
    if (t.joinable()) t.join();
  d.threads.clear();
  d.log_refusals();  // what was counted since the last line
}

namespace {

// "a:b, c" -> {"a", "b", "c"}: the separators OpenSSL accepts in a cipher list.
std::vector<std::string> cipher_list_elements(std::string_view list, std::string_view separators) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i <= list.size()) {
    auto j = list.find_first_of(separators, i);
    if (j == std::string_view::npos) j = list.size();
    if (j > i) out.emplace_back(list.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

void apply_tls_policy(net::ssl::context& ctx, const TlsPolicy& policy) {
  SSL_CTX* native = ctx.native_handle();
  int min_version = 0;
  if (policy.min_version == "1.2") min_version = TLS1_2_VERSION;
  else if (policy.min_version == "1.3") min_version = TLS1_3_VERSION;
  else throw TlsPolicyError("min_version", "must be \"1.2\" or \"1.3\", got \"" + policy.min_version + "\"");
  if (SSL_CTX_set_min_proto_version(native, min_version) != 1)
    throw TlsPolicyError("min_version", "OpenSSL refuses TLS " + policy.min_version);

  // OpenSSL ignores the names it does not know as long as one element matches: check each
  // element alone, so that a typo is an error rather than a cipher silently missing.
  {
    std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> probe(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
    if (!probe) throw std::runtime_error("cannot create an OpenSSL context");
    auto elements = cipher_list_elements(policy.ciphers, ": ,;");
    if (elements.empty()) throw TlsPolicyError("ciphers", "must name at least one TLS 1.2 cipher");
    for (std::string e : elements) {
      if (e.front() == '@') continue;  // @STRENGTH, @SECLEVEL=n
      if (e.front() == '!' || e.front() == '-' || e.front() == '+') e.erase(0, 1);
      if (e.empty() || SSL_CTX_set_cipher_list(probe.get(), e.c_str()) != 1)
        throw TlsPolicyError("ciphers", "\"" + e + "\" names no cipher OpenSSL knows");
    }
    elements = cipher_list_elements(policy.ciphersuites, ":");
    if (elements.empty()) throw TlsPolicyError("ciphersuites", "must name at least one TLS 1.3 suite");
    for (const std::string& e : elements)
      if (SSL_CTX_set_ciphersuites(probe.get(), e.c_str()) != 1)
        throw TlsPolicyError("ciphersuites", "\"" + e + "\" is not a TLS 1.3 suite OpenSSL knows");
  }
  if (SSL_CTX_set_cipher_list(native, policy.ciphers.c_str()) != 1)
    throw TlsPolicyError("ciphers", "OpenSSL refuses \"" + policy.ciphers + "\"");
  // (The context's list holds the TLS 1.3 suites too.)
  bool any_tls12 = false;
  if (STACK_OF(SSL_CIPHER)* list = SSL_CTX_get_ciphers(native))
    for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i)
      if (std::string_view(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(list, i))) != "TLSv1.3") any_tls12 = true;
  if (!any_tls12 && min_version == TLS1_2_VERSION) throw TlsPolicyError("ciphers", "leaves no TLS 1.2 cipher to offer");
  if (SSL_CTX_set_ciphersuites(native, policy.ciphersuites.c_str()) != 1)
    throw TlsPolicyError("ciphersuites", "OpenSSL refuses \"" + policy.ciphersuites + "\"");
}

void check_tls_policy(const TlsPolicy& policy) {
  net::ssl::context ctx(net::ssl::context::tls_server);
  apply_tls_policy(ctx, policy);
}

std::shared_ptr<net::ssl::context> make_tls_context(const std::string& cert_file, const std::string& key_file,
                                                    const TlsPolicy& policy) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                   net::ssl::context::single_dh_use);
  // No renegotiation: a client could make the server redo the expensive half of a
  // handshake over and over on one connection.
  SSL_CTX_set_options(ctx->native_handle(), SSL_OP_NO_RENEGOTIATION);
  apply_tls_policy(*ctx, policy);
  try {
    ctx->use_certificate_chain_file(cert_file);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot load TLS certificate " + cert_file + ": " + e.code().message());
  }
  try {
    ctx->use_private_key_file(key_file, net::ssl::context::pem);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("cannot load TLS key " + key_file + ": " + e.code().message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
    throw std::runtime_error("TLS key " + key_file + " does not match certificate " + cert_file);
  return ctx;
}

tcp::endpoint parse_endpoint(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument("expected host:port, got \"" + text + "\"");
  std::string host = text.substr(0, colon), port_text = text.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  if (host.empty() || host == "*") host = "0.0.0.0";
  if (port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    throw std::invalid_argument("bad port in \"" + text + "\"");
  int port = std::stoi(port_text);
  if (port > 65535) throw std::invalid_argument("bad port in \"" + text + "\"");
  if (host == "localhost") host = "127.0.0.1";
  boost::system::error_code ec;
  auto addr = net::ip::make_address(host, ec);
  if (ec) throw std::invalid_argument("bad address \"" + host + "\" (use an IP address)");
  return {addr, static_cast<unsigned short>(port)};
}

}  // namespace og::http
