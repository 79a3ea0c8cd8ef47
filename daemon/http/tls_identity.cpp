#include "daemon/http/tls_identity.h"

#include "common/openssl_util.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <stdexcept>

namespace og::http {

namespace fs = std::filesystem;

struct TlsIdentity::Pair {
  X509* cert = nullptr;
  STACK_OF(X509)* chain = nullptr;  // the certificates after the first in cert_file
  EVP_PKEY* key = nullptr;
  Pair() = default;
  Pair(const Pair&) = delete;
  Pair& operator=(const Pair&) = delete;
  ~Pair() {
    X509_free(cert);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
  }
};

namespace {

std::string openssl_reason() {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "not a PEM file of the expected kind";
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return buf;
}

using ossl::BioPtr;

BioPtr open_file(const fs::path& path, const char* what) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    throw std::runtime_error(std::string("cannot read TLS ") + what + " " + path.string());
  }
  return bio;
}

}  // namespace

std::shared_ptr<const TlsIdentity::Pair> TlsIdentity::load(const fs::path& cert_file, const fs::path& key_file) {
  ERR_clear_error();
  auto pair = std::make_shared<Pair>();
  {
    BioPtr bio = open_file(cert_file, "certificate");
    pair->cert = PEM_read_bio_X509_AUX(bio.get(), nullptr, nullptr, nullptr);
    if (!pair->cert)
      throw std::runtime_error("cannot load TLS certificate " + cert_file.string() + ": " + openssl_reason());
    pair->chain = sk_X509_new_null();
    if (!pair->chain) throw std::bad_alloc();
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      if (sk_X509_push(pair->chain, extra) == 0) {
        X509_free(extra);
        throw std::bad_alloc();
      }
    }
    ERR_clear_error();  // the end of the file
  }
  {
    BioPtr bio = open_file(key_file, "key");
    // No passphrase callback: an encrypted key is refused rather than prompted for.
    pair->key = PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, const_cast<char*>(""));
    if (!pair->key) throw std::runtime_error("cannot load TLS key " + key_file.string() + ": " + openssl_reason());
  }
  if (X509_check_private_key(pair->cert, pair->key) != 1) {
    ERR_clear_error();
    throw std::runtime_error("TLS key " + key_file.string() + " does not match certificate " + cert_file.string());
  }
  return pair;
}

TlsIdentity::TlsIdentity(fs::path cert_file, fs::path key_file)
    : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)), current_(load(cert_file_, key_file_)) {}

TlsIdentity::~TlsIdentity() = default;

std::shared_ptr<const TlsIdentity::Pair> TlsIdentity::current() const {
  std::lock_guard lock(mu_);
  return current_;
}

void TlsIdentity::attach(boost::asio::ssl::context& ctx) {
  SSL_CTX_set_cert_cb(ctx.native_handle(), &TlsIdentity::on_handshake, this);
}

int TlsIdentity::on_handshake(SSL* ssl, void* self) {
  auto pair = static_cast<TlsIdentity*>(self)->current();
  // The SSL takes its own references: the pair may be replaced during the handshake.
  return SSL_use_cert_and_key(ssl, pair->cert, pair->key, pair->chain, 1) == 1 ? 1 : 0;
}

void TlsIdentity::reload() {
  auto fresh = load(cert_file_, key_file_);
  std::lock_guard lock(mu_);
  current_ = std::move(fresh);
}

std::string TlsIdentity::fingerprint() const {
  auto pair = current();
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(pair->cert, EVP_sha256(), md, &len) != 1) return "";
  std::string hex;
  char byte[4];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(byte, sizeof byte, "%s%02X", i == 0 ? "" : ":", md[i]);
    hex += byte;
  }
  return hex;
}

}  // namespace og::http
