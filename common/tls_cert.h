#pragma once
// Certificates: a self-signed certificate for `omnid --dev` (and later the installer's
// "generate a self-signed certificate" step), written as PEM.

#include <filesystem>
#include <string>
#include <vector>

namespace og::tls {

struct SelfSignedOptions {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names{"localhost"};
  std::vector<std::string> ip_addresses{"127.0.0.1", "::1"};
  int days = 825;
};

struct PemPair {
  std::string cert_pem;
  std::string key_pem;  // secret
};

// A fresh ECDSA P-256 key and a self-signed X.509 v3 certificate (SHA-256) with the
// names as subjectAltName, CA:FALSE... usable both as server certificate and as the
// client's trust anchor (--cacert). Throws std::runtime_error with OpenSSL's reason.
PemPair make_self_signed(const SelfSignedOptions& options);

// Writes both files; the key is created 0600 and never readable by others.
void write_pem_pair(const PemPair& pair, const std::filesystem::path& cert_file,
                    const std::filesystem::path& key_file);

}  // namespace og::tls
