#pragma once
// The wizard's certificate step: a Certificate Signing Request for a key, and the checks
// that a certificate (with its chain) belongs to a key and a host name.

#include <optional>
#include <string>

namespace og::installer {

// A PEM CSR (SHA-256) for the key in `key_pem`: subject CN=hostname (O=organization and
// C=country when given), subjectAltName DNS:hostname (IP: for an address). Throws
// std::runtime_error with OpenSSL's reason.
std::string make_csr(const std::string& key_pem, const std::string& hostname,
                     const std::string& organization = {}, const std::string& country = {});

// nullopt when `cert_file` (PEM: the server certificate, optionally followed by its chain)
// and the optional `chain_file` are usable with the private key in `key_file` for
// `hostname`: the certificate parses, is valid now, its public key is the key's, it names
// the host (subjectAltName or CN, as X509_check_host/X509_check_ip_asc), and each chain
// certificate issued the one before it. Else the first problem found (no key material).
std::optional<std::string> check_certificate_files(const std::string& cert_file,
                                                   const std::string& chain_file,
                                                   const std::string& key_file,
                                                   const std::string& hostname);

// The whole content of a file; throws std::runtime_error("cannot read FILE").
std::string read_text_file(const std::string& file);

}  // namespace og::installer
