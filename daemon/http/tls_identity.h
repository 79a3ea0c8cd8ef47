#pragma once
// The HTTPS listener's certificate chain and private key, replaceable while omnid serves:
// on SIGHUP (systemctl reload omnid) the files of [tls] are read again; handshakes after
// that present the new pair, connections already open keep theirs. A pair that cannot be
// read, or whose key does not match its certificate, is refused and the current one stays.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace og::http {

class TlsIdentity {
 public:
  // Reads and checks the pair; throws std::runtime_error naming the file and the problem.
  TlsIdentity(std::filesystem::path cert_file, std::filesystem::path key_file);
  ~TlsIdentity();
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;

  // Makes every handshake on ctx present the current pair. The TlsIdentity must outlive
  // every connection made with ctx.
  void attach(boost::asio::ssl::context& ctx);

  // Reads the files again. Throws (and keeps the current pair) when they are not a valid
  // certificate chain with its private key.
  void reload();

  // The SHA-256 fingerprint of the current certificate, hex (for the log).
  std::string fingerprint() const;

  struct Pair;

 private:
  static std::shared_ptr<const Pair> load(const std::filesystem::path& cert_file,
                                          const std::filesystem::path& key_file);
  static int on_handshake(SSL* ssl, void* self);
  std::shared_ptr<const Pair> current() const;

  std::filesystem::path cert_file_, key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<const Pair> current_;
};

}  // namespace og::http
