#include "common/tls_cert.h"

#include "common/files.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <stdexcept>

#include "common/openssl_util.h"
namespace og::tls {
namespace {

using ossl::PkeyPtr;
using ossl::PkeyCtxPtr;
using ossl::X509Ptr;
using ossl::BioPtr;

using ossl::fail;

void check(int ok, const char* what) {
  if (ok != 1) fail(what);
}

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (!ext) fail("cannot build certificate extension");
  int ok = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  check(ok, "cannot add certificate extension");
}

}  // namespace

PemPair make_self_signed(const SelfSignedOptions& o) {
  PkeyCtxPtr kctx(EVP_PKEY_CTX_new_id(EVP_PKEY_EC, nullptr));
  if (!kctx) fail("cannot create key context");
  check(EVP_PKEY_keygen_init(kctx.get()), "key generation init failed");
  check(EVP_PKEY_CTX_set_ec_paramgen_curve_nid(kctx.get(), NID_X9_62_prime256v1),
        "cannot select curve P-256");
  EVP_PKEY* raw = nullptr;
  check(EVP_PKEY_keygen(kctx.get(), &raw), "key generation failed");
  PkeyPtr key(raw);

  X509Ptr cert(X509_new());
  if (!cert) fail("cannot allocate certificate");
  check(X509_set_version(cert.get(), 2), "cannot set certificate version");
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial), "random serial failed");
  serial[0] &= 0x7F;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  ASN1_INTEGER* sn = BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  if (!sn) fail("cannot set serial number");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(o.days) * 24 * 3600);
  check(X509_set_pubkey(cert.get(), key.get()), "cannot set public key");

  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Omnigate OS"), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(o.common_name.c_str()), -1,
                             -1, 0);
  check(X509_set_issuer_name(cert.get(), name), "cannot set issuer");

  std::string san;
  for (const auto& d : o.dns_names) san += (san.empty() ? "" : ",") + std::string("DNS:") + d;
  for (const auto& ip : o.ip_addresses) san += (san.empty() ? "" : ",") + std::string("IP:") + ip;
  if (!san.empty()) add_extension(cert.get(), NID_subject_alt_name, san);
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");

  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) fail("cannot sign certificate");

  BioPtr cbio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(cbio.get(), cert.get()), "cannot encode certificate");
  BioPtr kbio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(kbio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
        "cannot encode key");
  return PemPair{bio_string(cbio.get()), bio_string(kbio.get())};
}

namespace {
void write_file(const std::filesystem::path& p, const std::string& data, mode_t mode) {
  files::write_atomic(p, data, mode);
}
}  // namespace

void write_pem_pair(const PemPair& pair, const std::filesystem::path& cert_file,
                    const std::filesystem::path& key_file) {
  write_file(key_file, pair.key_pem, 0600);
  write_file(cert_file, pair.cert_pem, 0644);
}

}  // namespace og::tls
