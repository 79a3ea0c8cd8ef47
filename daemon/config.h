#pragma once
// omnid's configuration: a TOML file (/etc/omnigate/omnid.toml by default, --config FILE).
// Every key is documented in man/omnid.toml.5; unknown keys are refused (a typo must not
// pass silently).

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "daemon/bridges/bridge.h"

namespace og {

namespace http {
struct TlsPolicy;
}

struct Config {
  struct Server {
    std::string listen = "0.0.0.0:8443";  // HTTPS
    std::string http_listen;              // optional plain HTTP, loopback addresses only
    int io_threads = 2;
    int worker_threads = 16;
    std::size_t max_body_bytes = 1 << 20;
    std::size_t max_header_bytes = 16 * 1024;
    int handshake_timeout_seconds = 5;  // TLS handshake
    int header_timeout_seconds = 10;    // a request's header section (at most read_timeout)
    int read_timeout_seconds = 30;
    int idle_timeout_seconds = 60;
    int write_timeout_seconds = 30;
    int shutdown_grace_seconds = 10;
    std::size_t max_connections = 4096;
    std::size_t max_connections_per_address = 1024;  // 0: no per-address limit
  } server;

  struct Tls {
    std::filesystem::path cert_file = "/etc/omnigate/tls/omnid.crt";
    std::filesystem::path key_file = "/etc/omnigate/tls/omnid.key";
    // What the HTTPS listener offers (http::TlsPolicy has the same defaults): for TLS 1.2
    // (OpenSSL cipher-list syntax) only forward-secret AEAD suites, for TLS 1.3 its suites.
    std::string ciphers =
        "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
        "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
        "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
    std::string ciphersuites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
    std::string min_version = "1.2";  // "1.2" or "1.3"
  } tls;

  struct Database {
    std::string mode = "local";  // "local": omnid runs its own cluster; "remote": url
    std::string url;             // libpq connection string or URI (remote)
    int pool_size = 16;
    std::filesystem::path local_dir = "/var/lib/omnigate/postgres";
    std::string local_run_as = "postgres";  // only used when omnid runs as root
    std::string local_bindir;               // empty: discover
  } database;

  struct RateLimit {
    bool enabled = true;
    double requests_per_second = 20;
    double burst = 40;
  } rate_limit;

  struct Auth {
    int apikey_cache_seconds = 5;
    // Failed authentications (an unknown key, a bad token) an address may make in a burst
    // (0: no limit), and how fast that budget comes back; past it, credentials not already
    // known good are refused with 10004 TOO_FAST and Retry-After, unchecked.
    int failure_burst = 20;
    double failures_per_second = 1;
  } auth;

  struct Ledger {
    int committers = 2;   // threads committing batches of financial operations
    int max_batch = 128;  // operations per database transaction (group commit)
    int balance_cache = 100000;  // balances remembered between batches (0: none)
    int batch_wait_us = 500;     // how long an idle committer may wait for its batch to fill (0: never)
    int idempotency_retention_hours = 48;  // at least 24
  } ledger;

  struct Omnipass {
    bool public_registration = false;  // anonymous POST /profile with registeruser
    int token_lifetime_seconds = 3600;
    // The signing key is replaced by a new one when it is this old (0: never); the old
    // public key stays in the JWKS until the tokens it signed have expired.
    long long signing_key_rotation_seconds = 30LL * 24 * 3600;
    // A user's access token can be renewed (user/token/renew) until its session, counted
    // from the login, is this old.
    int session_max_seconds = 12 * 3600;
    std::string issuer;                // "iss" of tokens not issued to an OAuth client
  } omnipass;

  // Outgoing e-mail (activation, password reset, e-mail change confirmation).
  struct Mail {
    std::string transport = "none";    // smtp, directory (one .eml file per message), none
    std::string from = "Omnigate <noreply@omnigate.local>";
    std::filesystem::path directory;   // transport "directory"
    std::string smtp_host;
    int smtp_port = 587;
    std::string smtp_tls = "starttls"; // none, starttls, tls
    std::string smtp_username;
    std::string smtp_password;         // secret: keep the file 0640
    std::filesystem::path smtp_cacert;
    // Where operators are told of what needs them (a reconciliation with discrepancies): the
    // installation's notification address ("" = nobody is told).
    std::string notify;
  } mail;

  // Jobs that run on one node at a time under a lease in the database (daemon/jobs/).
  struct Jobs {
    std::string node;           // this node's id in job_leases ("" = host:pid:random)
    int lease_seconds = 30;     // a dead node's jobs move to another node within this time
    int maintenance_interval_seconds = 600;
  } jobs;

  // The transactional outbox (daemon/outbox/): e-mail now, webhooks and bridge submissions later.
  struct Outbox {
    int max_age_hours = 48;            // a message is retried until this old, then kept as a dead letter
    int retry_initial_seconds = 10;    // the first retry's wait, doubled each time (with jitter)
    int retry_max_seconds = 3600;      // the longest wait between two attempts
    int keep_sent_hours = 168;         // delivered messages are listed this long
  } outbox;

  // Bridge instances ([[bridge]], one table per instance): name (the type), instance,
  // description, enabled. Instance 1 of the generic bridge runs unless it is configured.
  std::vector<bridges::InstanceSettings> bridges;

  struct Log {
    std::string level = "info";
    bool requests = true;
  } log;

  // Set by --dev; not a file key.
  bool dev = false;
  std::filesystem::path data_dir;
};

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads and checks a file. Throws ConfigError("FILE:LINE: key: problem").
Config load_config(const std::filesystem::path& file);
// Parses TOML text (for tests); `origin` names it in errors.
Config parse_config(std::string_view toml_text, const std::string& origin);
// Checks cross-key rules (listen addresses parse, http_listen is loopback, ...).
void check_config(const Config& c, const std::string& origin);

// The [tls] policy of c, for http::make_tls_context.
http::TlsPolicy tls_policy(const Config& c);

// The zero-configuration setup of `omnid --dev`: everything under data_dir, HTTPS on
// 127.0.0.1:port only, a local cluster.
Config dev_config(const std::filesystem::path& data_dir, int port);

}  // namespace og
