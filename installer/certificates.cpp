#include "installer/certificates.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "common/openssl_util.h"
namespace og::installer {

namespace {

using ossl::PkeyPtr;
using ossl::X509Ptr;
using ossl::ReqPtr;
using ossl::BioPtr;

using ossl::fail;

bool is_ip(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

BioPtr mem_bio(const std::string& text) {
  BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) fail("cannot allocate a buffer");
  return bio;
}

PkeyPtr parse_key(const std::string& pem) {
  auto bio = mem_bio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return key;
}

std::vector<X509Ptr> parse_certs(const std::string& pem) {
  std::vector<X509Ptr> out;
  auto bio = mem_bio(pem);
  while (X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(c);
  ERR_clear_error();  // the end of the file reads as an error
  return out;
}

void add_name(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) return;
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1)
    fail(std::string("cannot set the subject's ") + field);
}

}  // namespace

std::string read_text_file(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string make_csr(const std::string& key_pem, const std::string& hostname,
                     const std::string& organization, const std::string& country) {
  PkeyPtr key = parse_key(key_pem);
  if (!key) fail("cannot read the private key");
  ReqPtr req(X509_REQ_new());
  if (!req) fail("cannot allocate a CSR");
  if (X509_REQ_set_version(req.get(), 0) != 1) fail("cannot set the CSR version");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  add_name(name, "C", country);
  add_name(name, "O", organization);
  add_name(name, "CN", hostname);
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1) fail("cannot set the CSR's public key");

  std::string san = (is_ip(hostname) ? "IP:" : "DNS:") + hostname;
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, san.c_str());
  if (!ext) fail("cannot build the subjectAltName");
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(exts, ext);
  int ok = X509_REQ_add_extensions(req.get(), exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  if (ok != 1) fail("cannot add the CSR's extensions");

  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign the CSR");
  BioPtr out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509_REQ(out.get(), req.get()) != 1) fail("cannot encode the CSR");
  char* data = nullptr;
  long n = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

std::optional<std::string> check_certificate_files(const std::string& cert_file,
                                                   const std::string& chain_file,
                                                   const std::string& key_file,
                                                   const std::string& hostname) {
  std::string cert_text, chain_text, key_text;
  try {
    cert_text = read_text_file(cert_file);
    if (!chain_file.empty()) chain_text = read_text_file(chain_file);
    key_text = read_text_file(key_file);
  } catch (const std::exception& e) {
    return e.what();
  }
  auto certs = parse_certs(cert_text);
  if (certs.empty()) return cert_file + " holds no PEM certificate";
  if (!chain_file.empty()) {
    auto chain = parse_certs(chain_text);
    if (chain.empty()) return chain_file + " holds no PEM certificate";
    for (auto& c : chain) certs.push_back(std::move(c));
  }
  PkeyPtr key = parse_key(key_text);
  if (!key) return key_file + " holds no PEM private key (or it is encrypted)";

  X509* leaf = certs.front().get();
  if (X509_check_private_key(leaf, key.get()) != 1) {
    ERR_clear_error();
    return "the certificate in " + cert_file + " does not belong to the private key in " + key_file;
  }
  if (X509_cmp_current_time(X509_get0_notAfter(leaf)) <= 0)
    return "the certificate in " + cert_file + " has expired";
  if (X509_cmp_current_time(X509_get0_notBefore(leaf)) >= 0)
    return "the certificate in " + cert_file + " is not valid yet";
  int named = is_ip(hostname)
                  ? X509_check_ip_asc(leaf, hostname.c_str(), 0)
                  : X509_check_host(leaf, hostname.c_str(), hostname.size(), 0, nullptr);
  if (named != 1)
    return "the certificate in " + cert_file + " is not for the host name " + hostname;
  for (std::size_t i = 1; i < certs.size(); ++i) {
    if (X509_check_issued(certs[i].get(), certs[i - 1].get()) != X509_V_OK)
      return "the chain is out of order: certificate " + std::to_string(i + 1) +
             " did not issue certificate " + std::to_string(i);
    if (X509_cmp_current_time(X509_get0_notAfter(certs[i].get())) <= 0)
      return "certificate " + std::to_string(i + 1) + " of the chain has expired";
  }
  return std::nullopt;
}

}  // namespace og::installer
