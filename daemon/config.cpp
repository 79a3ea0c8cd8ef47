#include "daemon/config.h"

#include "daemon/mail/mailer.h"

#include <toml++/toml.h>

#include <cmath>
#include <fstream>
#include <functional>
#include <sstream>
#include <map>
#include <limits>
#include <set>

#include "daemon/bridges/registry.h"
#include "daemon/http/server.h"

namespace og {
namespace {

struct Reader {
  const toml::table& root;
  std::string origin;

  [[noreturn]] void fail(const toml::node* node, const std::string& key, const std::string& problem) const {
    std::string where = origin;
    if (node && node->source().begin.line > 0) where += ":" + std::to_string(node->source().begin.line);
    throw ConfigError(where + ": " + key + ": " + problem);
  }

  const toml::table* table(const std::string& name) const {
    const toml::node* n = root.get(name);
    if (!n) return nullptr;
    if (!n->is_table()) fail(n, name, "must be a table ([" + name + "])");
    return n->as_table();
  }

  // Numbers must be positive; with zero_ok, integers may also be 0 (a documented "off").
  template <class T>
  void get(const toml::table* t, const std::string& section, const std::string& key, T& out,
           bool zero_ok = false) const {
    if (!t) return;
    const toml::node* n = t->get(key);
    if (!n) return;
    const std::string full = section + "." + key;
    if constexpr (std::is_same_v<T, std::string>) {
      if (!n->is_string()) fail(n, full, "must be a string");
      out = n->as_string()->get();
    } else if constexpr (std::is_same_v<T, std::filesystem::path>) {
      if (!n->is_string()) fail(n, full, "must be a string (a path)");
      out = n->as_string()->get();
    } else if constexpr (std::is_same_v<T, bool>) {
      if (!n->is_boolean()) fail(n, full, "must be true or false");
      out = n->as_boolean()->get();
    } else if constexpr (std::is_same_v<T, double>) {
      if (n->is_integer()) out = static_cast<double>(n->as_integer()->get());
      else if (n->is_floating_point()) out = n->as_floating_point()->get();
      else fail(n, full, "must be a number");
      if (!std::isfinite(out) || out <= 0) fail(n, full, "must be positive");  // nan would pass "<= 0"
    } else {
      if (!n->is_integer()) fail(n, full, "must be an integer");
      auto v = n->as_integer()->get();
      if (v < 0 || (v == 0 && !zero_ok)) fail(n, full, zero_ok ? "must be 0 or positive" : "must be positive");
      // Never wrapped into the field (io_threads = 4294967298 would run 2 threads).
      if (static_cast<unsigned long long>(v) > static_cast<unsigned long long>(std::numeric_limits<T>::max()))
        fail(n, full, "must be at most " + std::to_string(std::numeric_limits<T>::max()));
      out = static_cast<T>(v);
    }
  }

  void only(const toml::table* t, const std::string& section, std::set<std::string> keys) const {
    if (!t) return;
    for (const auto& [k, v] : *t) {
      std::string key(k.str());
      if (!keys.count(key)) fail(&v, section + "." + key, "unknown key (see omnid.toml(5))");
    }
  }
};

bool is_loopback(const boost::asio::ip::address& a) { return a.is_loopback(); }

}  // namespace

Config parse_config(std::string_view text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw ConfigError(origin + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  Reader r{root, origin};
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    static const std::set<std::string> kSections{"server", "tls", "database", "rate_limit", "auth", "ledger", "omnipass", "mail", "jobs", "outbox", "bridge", "log"};
    if (!kSections.count(key)) r.fail(&v, key, "unknown section (see omnid.toml(5))");
  }

  Config c;
  const auto* server = r.table("server");
  r.only(server, "server",
         {"listen", "http_listen", "io_threads", "worker_threads", "max_body_bytes", "max_header_bytes",
          "handshake_timeout_seconds", "header_timeout_seconds", "read_timeout_seconds", "idle_timeout_seconds",
          "write_timeout_seconds", "shutdown_grace_seconds", "max_connections", "max_connections_per_address"});
  r.get(server, "server", "listen", c.server.listen);
  r.get(server, "server", "http_listen", c.server.http_listen);
  r.get(server, "server", "io_threads", c.server.io_threads);
  r.get(server, "server", "worker_threads", c.server.worker_threads);
  r.get(server, "server", "max_body_bytes", c.server.max_body_bytes);
  r.get(server, "server", "max_header_bytes", c.server.max_header_bytes);
  r.get(server, "server", "handshake_timeout_seconds", c.server.handshake_timeout_seconds);
  r.get(server, "server", "header_timeout_seconds", c.server.header_timeout_seconds);
  r.get(server, "server", "read_timeout_seconds", c.server.read_timeout_seconds);
  r.get(server, "server", "idle_timeout_seconds", c.server.idle_timeout_seconds);
  r.get(server, "server", "write_timeout_seconds", c.server.write_timeout_seconds);
  r.get(server, "server", "shutdown_grace_seconds", c.server.shutdown_grace_seconds);
  r.get(server, "server", "max_connections", c.server.max_connections);
  r.get(server, "server", "max_connections_per_address", c.server.max_connections_per_address, /*zero_ok=*/true);
  if (c.server.handshake_timeout_seconds > 300)
    r.fail(server ? server->get("handshake_timeout_seconds") : nullptr, "server.handshake_timeout_seconds",
           "must be at most 300");
  if (c.server.header_timeout_seconds > 3600)
    r.fail(server ? server->get("header_timeout_seconds") : nullptr, "server.header_timeout_seconds",
           "must be at most 3600");

  const auto* tls = r.table("tls");
  r.only(tls, "tls", {"cert_file", "key_file", "ciphers", "ciphersuites", "min_version"});
  r.get(tls, "tls", "cert_file", c.tls.cert_file);
  r.get(tls, "tls", "key_file", c.tls.key_file);
  r.get(tls, "tls", "ciphers", c.tls.ciphers);
  r.get(tls, "tls", "ciphersuites", c.tls.ciphersuites);
  r.get(tls, "tls", "min_version", c.tls.min_version);
  try {
    http::check_tls_policy(tls_policy(c));
  } catch (const http::TlsPolicyError& e) {
    r.fail(tls ? tls->get(e.key) : nullptr, "tls." + e.key, e.what());
  }

  const auto* db = r.table("database");
  r.only(db, "database", {"mode", "url", "pool_size", "local"});
  r.get(db, "database", "mode", c.database.mode);
  r.get(db, "database", "url", c.database.url);
  r.get(db, "database", "pool_size", c.database.pool_size);
  if (db) {
    if (const toml::node* n = db->get("local")) {
      if (!n->is_table()) r.fail(n, "database.local", "must be a table ([database.local])");
      const auto* local = n->as_table();
      r.only(local, "database.local", {"dir", "run_as", "bindir"});
      r.get(local, "database.local", "dir", c.database.local_dir);
      r.get(local, "database.local", "run_as", c.database.local_run_as);
      r.get(local, "database.local", "bindir", c.database.local_bindir);
    }
  }
  if (c.database.mode != "local" && c.database.mode != "remote")
    r.fail(db ? db->get("mode") : nullptr, "database.mode", "must be \"local\" or \"remote\"");
  if (c.database.mode == "remote" && c.database.url.empty())
    r.fail(db ? db->get("mode") : nullptr, "database.url", "required when database.mode is \"remote\"");

  const auto* rl = r.table("rate_limit");
  r.only(rl, "rate_limit", {"enabled", "requests_per_second", "burst"});
  r.get(rl, "rate_limit", "enabled", c.rate_limit.enabled);
  r.get(rl, "rate_limit", "requests_per_second", c.rate_limit.requests_per_second);
  r.get(rl, "rate_limit", "burst", c.rate_limit.burst);

  const auto* auth = r.table("auth");
  r.only(auth, "auth", {"apikey_cache_seconds", "failure_burst", "failures_per_second"});
  r.get(auth, "auth", "apikey_cache_seconds", c.auth.apikey_cache_seconds);
  r.get(auth, "auth", "failure_burst", c.auth.failure_burst, /*zero_ok=*/true);
  r.get(auth, "auth", "failures_per_second", c.auth.failures_per_second);

  const auto* led = r.table("ledger");
  r.only(led, "ledger", {"committers", "max_batch", "balance_cache", "batch_wait_us", "idempotency_retention_hours"});
  r.get(led, "ledger", "committers", c.ledger.committers);
  r.get(led, "ledger", "max_batch", c.ledger.max_batch);
  r.get(led, "ledger", "balance_cache", c.ledger.balance_cache, /*zero_ok=*/true);
  r.get(led, "ledger", "batch_wait_us", c.ledger.batch_wait_us, /*zero_ok=*/true);
  r.get(led, "ledger", "idempotency_retention_hours", c.ledger.idempotency_retention_hours);
  if (c.ledger.idempotency_retention_hours < 24)
    r.fail(led ? led->get("idempotency_retention_hours") : nullptr, "ledger.idempotency_retention_hours",
           "must be at least 24 (clients may retry a financial call for a day)");
  if (c.ledger.committers > 64) r.fail(led ? led->get("committers") : nullptr, "ledger.committers", "must be at most 64");
  if (c.ledger.max_batch > 10000) r.fail(led ? led->get("max_batch") : nullptr, "ledger.max_batch", "must be at most 10000");
  if (c.ledger.balance_cache > 10000000)
    r.fail(led ? led->get("balance_cache") : nullptr, "ledger.balance_cache", "must be at most 10000000");
  if (c.ledger.batch_wait_us > 100000)
    r.fail(led ? led->get("batch_wait_us") : nullptr, "ledger.batch_wait_us", "must be at most 100000 (0.1 s)");

  const auto* op = r.table("omnipass");
  r.only(op, "omnipass", {"public_registration", "token_lifetime_seconds", "signing_key_rotation_seconds",
                          "session_max_seconds", "issuer"});
  r.get(op, "omnipass", "public_registration", c.omnipass.public_registration);
  r.get(op, "omnipass", "token_lifetime_seconds", c.omnipass.token_lifetime_seconds);
  r.get(op, "omnipass", "issuer", c.omnipass.issuer);
  r.get(op, "omnipass", "signing_key_rotation_seconds", c.omnipass.signing_key_rotation_seconds, /*zero_ok=*/true);
  r.get(op, "omnipass", "session_max_seconds", c.omnipass.session_max_seconds);
  if (c.omnipass.session_max_seconds < 60 || c.omnipass.session_max_seconds > 30 * 24 * 3600)
    r.fail(op ? op->get("session_max_seconds") : nullptr, "omnipass.session_max_seconds",
           "must be between 60 and 2592000");
  if (c.omnipass.token_lifetime_seconds < 60 || c.omnipass.token_lifetime_seconds > 86400)
    r.fail(op ? op->get("token_lifetime_seconds") : nullptr, "omnipass.token_lifetime_seconds",
           "must be between 60 and 86400");
  if (c.omnipass.signing_key_rotation_seconds < 0)
    r.fail(op ? op->get("signing_key_rotation_seconds") : nullptr, "omnipass.signing_key_rotation_seconds",
           "must be 0 (never) or a number of seconds");

  const auto* mail = r.table("mail");
  r.only(mail, "mail", {"transport", "from", "directory", "smtp_host", "smtp_port", "smtp_tls", "smtp_username",
                        "smtp_password", "smtp_cacert", "notify"});
  r.get(mail, "mail", "transport", c.mail.transport);
  r.get(mail, "mail", "from", c.mail.from);
  r.get(mail, "mail", "directory", c.mail.directory);
  r.get(mail, "mail", "smtp_host", c.mail.smtp_host);
  r.get(mail, "mail", "smtp_port", c.mail.smtp_port);
  if (c.mail.smtp_port > 65535) r.fail(mail ? mail->get("smtp_port") : nullptr, "mail.smtp_port", "must be at most 65535");
  r.get(mail, "mail", "smtp_tls", c.mail.smtp_tls);
  r.get(mail, "mail", "smtp_username", c.mail.smtp_username);
  r.get(mail, "mail", "smtp_password", c.mail.smtp_password);
  r.get(mail, "mail", "smtp_cacert", c.mail.smtp_cacert);
  r.get(mail, "mail", "notify", c.mail.notify);
  if (!c.mail.notify.empty() && !mail::valid_address(c.mail.notify))
    r.fail(mail ? mail->get("notify") : nullptr, "mail.notify", "must be one e-mail address");
  if (c.mail.transport != "smtp" && c.mail.transport != "directory" && c.mail.transport != "none")
    r.fail(mail ? mail->get("transport") : nullptr, "mail.transport", "must be smtp, directory or none");
  if (c.mail.transport == "smtp" && c.mail.smtp_host.empty())
    r.fail(mail ? mail->get("transport") : nullptr, "mail.smtp_host", "required when mail.transport is \"smtp\"");
  if (c.mail.transport == "directory" && c.mail.directory.empty())
    r.fail(mail ? mail->get("transport") : nullptr, "mail.directory", "required when mail.transport is \"directory\"");
  if (c.mail.smtp_tls != "none" && c.mail.smtp_tls != "starttls" && c.mail.smtp_tls != "tls")
    r.fail(mail ? mail->get("smtp_tls") : nullptr, "mail.smtp_tls", "must be none, starttls or tls");

  const auto* jobs = r.table("jobs");
  r.only(jobs, "jobs", {"node", "lease_seconds", "maintenance_interval_seconds"});
  r.get(jobs, "jobs", "node", c.jobs.node);
  r.get(jobs, "jobs", "lease_seconds", c.jobs.lease_seconds);
  r.get(jobs, "jobs", "maintenance_interval_seconds", c.jobs.maintenance_interval_seconds);
  if (c.jobs.node.size() > 100 || c.jobs.node.find_first_of(std::string("\0\r\n", 3)) != std::string::npos)
    r.fail(jobs ? jobs->get("node") : nullptr, "jobs.node", "must be at most 100 characters on one line");
  if (c.jobs.lease_seconds < 1 || c.jobs.lease_seconds > 3600)
    r.fail(jobs ? jobs->get("lease_seconds") : nullptr, "jobs.lease_seconds", "must be between 1 and 3600");
  if (c.jobs.maintenance_interval_seconds > 86400)
    r.fail(jobs ? jobs->get("maintenance_interval_seconds") : nullptr, "jobs.maintenance_interval_seconds",
           "must be at most 86400");

  const auto* ob = r.table("outbox");
  r.only(ob, "outbox", {"max_age_hours", "retry_initial_seconds", "retry_max_seconds", "keep_sent_hours"});
  r.get(ob, "outbox", "max_age_hours", c.outbox.max_age_hours);
  r.get(ob, "outbox", "retry_initial_seconds", c.outbox.retry_initial_seconds);
  r.get(ob, "outbox", "retry_max_seconds", c.outbox.retry_max_seconds);
  r.get(ob, "outbox", "keep_sent_hours", c.outbox.keep_sent_hours);
  if (c.outbox.max_age_hours > 24 * 365)
    r.fail(ob ? ob->get("max_age_hours") : nullptr, "outbox.max_age_hours", "must be at most 8760");
  if (c.outbox.retry_max_seconds > 86400)
    r.fail(ob ? ob->get("retry_max_seconds") : nullptr, "outbox.retry_max_seconds", "must be at most 86400");
  if (c.outbox.retry_initial_seconds > c.outbox.retry_max_seconds)
    r.fail(ob ? ob->get("retry_initial_seconds") : nullptr, "outbox.retry_initial_seconds",
           "must be at most outbox.retry_max_seconds");
  if (c.outbox.keep_sent_hours > 24 * 365)
    r.fail(ob ? ob->get("keep_sent_hours") : nullptr, "outbox.keep_sent_hours", "must be at most 8760");

  if (const toml::node* n = root.get("bridge")) {
    if (!n->is_array_of_tables()) r.fail(n, "bridge", "must be tables ([[bridge]], one per bridge instance)");
    for (const auto& element : *n->as_array()) {
      const auto* b = element.as_table();
      bridges::InstanceSettings s;
      r.get(b, "bridge", "name", s.type);
      // Network bridges talk to a server: its URL and how to use it.
      const bool network = s.type == "ripple" || s.type == "bitcoin" || s.type == "stellar";
      if (s.type == "ripple")
        r.only(b, "bridge", {"name", "instance", "description", "enabled", "url", "timeout_seconds", "poll_seconds",
                             "ledger_window", "max_fee_drops", "network"});
      else if (s.type == "bitcoin")
        r.only(b, "bridge", {"name", "instance", "description", "enabled", "url", "timeout_seconds", "poll_seconds",
                             "wallet", "cookie_file", "confirmations", "max_fee_rate", "fee_target_blocks"});
      else if (s.type == "stellar")
        r.only(b, "bridge", {"name", "instance", "description", "enabled", "url", "timeout_seconds", "poll_seconds",
                             "network_passphrase", "max_fee_stroops", "tx_timeout_seconds"});
      else
        r.only(b, "bridge", {"name", "instance", "description", "enabled"});
      r.get(b, "bridge", "instance", s.instance);
      r.get(b, "bridge", "description", s.description);
      r.get(b, "bridge", "enabled", s.enabled);
      if (network) {
        r.get(b, "bridge", "url", s.url);
        r.get(b, "bridge", "timeout_seconds", s.timeout_seconds);
        r.get(b, "bridge", "poll_seconds", s.poll_seconds);
        r.get(b, "bridge", "ledger_window", s.ledger_window);
        r.get(b, "bridge", "max_fee_drops", s.max_fee_drops);
        r.get(b, "bridge", "network", s.network);
        r.get(b, "bridge", "wallet", s.wallet);
        r.get(b, "bridge", "cookie_file", s.cookie_file);
        r.get(b, "bridge", "confirmations", s.confirmations);
        r.get(b, "bridge", "max_fee_rate", s.max_fee_rate);
        r.get(b, "bridge", "fee_target_blocks", s.fee_target_blocks);
        r.get(b, "bridge", "network_passphrase", s.network_passphrase);
        r.get(b, "bridge", "max_fee_stroops", s.max_fee_stroops);
        r.get(b, "bridge", "tx_timeout_seconds", s.tx_timeout_seconds);
        if (s.type == "stellar") {
          if (s.network_passphrase.empty() || s.network_passphrase.size() > 200 ||
              s.network_passphrase.find_first_of(std::string("\0\r\n", 3)) != std::string::npos)
            r.fail(b->get("network_passphrase") ? b->get("network_passphrase") : &element, "bridge.network_passphrase",
                   s.network_passphrase.empty()
                       ? std::string("required: the network's passphrase (\"Public Global Stellar Network ; September 2015\")")
                       : std::string("must be at most 200 characters on one line"));
          if (s.max_fee_stroops < 100 || s.max_fee_stroops > 10000000)
            r.fail(b->get("max_fee_stroops"), "bridge.max_fee_stroops", "must be between 100 and 10000000 (1 XLM)");
          if (s.tx_timeout_seconds < 10 || s.tx_timeout_seconds > 3600)
            r.fail(b->get("tx_timeout_seconds"), "bridge.tx_timeout_seconds", "must be between 10 and 3600");
        }
        if (s.wallet.size() > 100 || s.wallet.find_first_of(std::string("\0\r\n/", 4)) != std::string::npos)
          r.fail(b->get("wallet"), "bridge.wallet", "must be a wallet name of at most 100 characters on one line, without /");
        if (!s.cookie_file.empty() && s.cookie_file.front() != '/')
          r.fail(b->get("cookie_file"), "bridge.cookie_file", "must be an absolute path (bitcoind's .cookie)");
        if (s.confirmations < 1 || s.confirmations > 100)
          r.fail(b->get("confirmations"), "bridge.confirmations", "must be between 1 and 100 (never 0: unconfirmed money can vanish)");
        if (s.max_fee_rate < 1 || s.max_fee_rate > 10000)
          r.fail(b->get("max_fee_rate"), "bridge.max_fee_rate", "must be between 1 and 10000 (sat/vB)");
        if (s.fee_target_blocks < 1 || s.fee_target_blocks > 1008)
          r.fail(b->get("fee_target_blocks"), "bridge.fee_target_blocks", "must be between 1 and 1008");
        if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0)
          r.fail(b->get("url") ? b->get("url") : &element, "bridge.url",
                 s.url.empty() ? std::string(s.type == "stellar" ? "required: the Horizon server's URL (http://host:port/)"
                                                                    : "required: the server's JSON-RPC URL (http://host:port/)")
                               : std::string("must start with http:// or https://"));
        if (s.timeout_seconds < 1 || s.timeout_seconds > 300)
          r.fail(b->get("timeout_seconds"), "bridge.timeout_seconds", "must be between 1 and 300");
        if (s.poll_seconds < 1 || s.poll_seconds > 3600)
          r.fail(b->get("poll_seconds"), "bridge.poll_seconds", "must be between 1 and 3600");
        if (s.ledger_window < 3 || s.ledger_window > 1000)
          r.fail(b->get("ledger_window"), "bridge.ledger_window", "must be between 3 and 1000");
        if (s.max_fee_drops < 10 || s.max_fee_drops > 100000000)
          r.fail(b->get("max_fee_drops"), "bridge.max_fee_drops", "must be between 10 and 100000000 (100 XRP)");
        if (s.network != "main" && s.network != "test")
          r.fail(b->get("network"), "bridge.network", "must be main or test");
      }
      switch (bridges::type_state(s.type)) {
        case bridges::TypeState::Built: break;
        case bridges::TypeState::Planned:
          r.fail(b->get("name"), "bridge.name", "the " + s.type + " bridge is not built into this omnid yet");
        case bridges::TypeState::Unknown:
          r.fail(b->get("name") ? b->get("name") : &element, "bridge.name",
                 s.type.empty() ? std::string("required") : "no bridge named \"" + s.type + "\"");
      }
      if (s.instance > 99) r.fail(b->get("instance"), "bridge.instance", "must be between 1 and 99");
      if (s.description.size() > 100 || s.description.find_first_of(std::string("\0\r\n", 3)) != std::string::npos)
        r.fail(b->get("description"), "bridge.description", "must be at most 100 characters on one line");
      for (const auto& other : c.bridges)
        if (other.type == s.type && other.instance == s.instance)
          r.fail(&element, "bridge", s.type + "-" + std::to_string(s.instance) + " is configured twice");
      c.bridges.push_back(std::move(s));
    }
  }

  const auto* lg = r.table("log");
  r.only(lg, "log", {"level", "requests"});
  r.get(lg, "log", "level", c.log.level);
  r.get(lg, "log", "requests", c.log.requests);
  if (c.log.level != "debug" && c.log.level != "info" && c.log.level != "warn" && c.log.level != "error")
    r.fail(lg ? lg->get("level") : nullptr, "log.level", "must be debug, info, warn or error");

  check_config(c, origin);
  return c;
}

void check_config(const Config& c, const std::string& origin) {
  auto bad = [&](const std::string& key, const std::string& problem) { throw ConfigError(origin + ": " + key + ": " + problem); };
  try {
    if (!c.server.listen.empty()) http::parse_endpoint(c.server.listen);
  } catch (const std::exception& e) {
    bad("server.listen", e.what());
  }
  if (!c.server.http_listen.empty()) {
    try {
      auto ep = http::parse_endpoint(c.server.http_listen);
      if (!is_loopback(ep.address()))
        bad("server.http_listen", "plain HTTP is only served on a loopback address (127.0.0.1 or ::1)");
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception& e) {
      bad("server.http_listen", e.what());
    }
  }
  if (c.server.listen.empty() && c.server.http_listen.empty()) bad("server.listen", "no listener configured");
  if (c.server.max_header_bytes < 1024) bad("server.max_header_bytes", "must be at least 1024");
  if (c.server.io_threads > 256 || c.server.worker_threads > 1024) bad("server", "too many threads");
  if (c.database.pool_size > 1000) bad("database.pool_size", "must be at most 1000");
}

http::TlsPolicy tls_policy(const Config& c) {
  http::TlsPolicy p;
  p.ciphers = c.tls.ciphers;
  p.ciphersuites = c.tls.ciphersuites;
  p.min_version = c.tls.min_version;
  return p;
}

Config load_config(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw ConfigError(file.string() + ": cannot read the configuration file");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_config(ss.str(), file.string());
}

Config dev_config(const std::filesystem::path& data_dir, int port) {
  Config c;
  c.dev = true;
  c.data_dir = data_dir;
  c.server.listen = "127.0.0.1:" + std::to_string(port);
  c.server.http_listen.clear();
  c.tls.cert_file = data_dir / "tls" / "cert.pem";
  c.tls.key_file = data_dir / "tls" / "key.pem";
  c.database.mode = "local";
  c.database.local_dir = data_dir / "postgres";
  c.database.pool_size = 8;
  c.rate_limit.requests_per_second = 100;
  c.rate_limit.burst = 200;
  c.auth.failure_burst = 200;  // a developer's scripts get keys wrong too
  c.auth.failures_per_second = 10;
  // Mail lands in files a developer can read; anyone may register.
  c.mail.transport = "directory";
  c.mail.directory = data_dir / "mail";
  c.omnipass.public_registration = true;
  return c;
}

}  // namespace og
