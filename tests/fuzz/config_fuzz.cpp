// omnid.toml (daemon/config.h): parse_config(text, origin), which ends with check_config.
// Invariants: it returns a Config or throws ConfigError, nothing else; what it accepts is
// what the file says (every integer key holds the file's value, not a wrapped one; rates
// are finite positive numbers; ports fit 1-65535); a config that parses passes
// check_config again.

#include <toml++/toml.h>

#include <cmath>
#include <functional>
#include <string>

#include "daemon/config.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

struct IntKey {
  const char* section;
  const char* key;
  std::function<long double(const og::Config&)> get;
};

const std::vector<IntKey>& int_keys() {
  using C = og::Config;
  static const std::vector<IntKey> k = {
      {"server", "io_threads", [](const C& c) { return c.server.io_threads; }},
      {"server", "worker_threads", [](const C& c) { return c.server.worker_threads; }},
      {"server", "max_body_bytes", [](const C& c) { return c.server.max_body_bytes; }},
      {"server", "max_header_bytes", [](const C& c) { return c.server.max_header_bytes; }},
      {"server", "read_timeout_seconds", [](const C& c) { return c.server.read_timeout_seconds; }},
      {"server", "idle_timeout_seconds", [](const C& c) { return c.server.idle_timeout_seconds; }},
      {"server", "write_timeout_seconds", [](const C& c) { return c.server.write_timeout_seconds; }},
      {"server", "shutdown_grace_seconds", [](const C& c) { return c.server.shutdown_grace_seconds; }},
      {"server", "max_connections", [](const C& c) { return c.server.max_connections; }},
      {"database", "pool_size", [](const C& c) { return c.database.pool_size; }},
      {"auth", "apikey_cache_seconds", [](const C& c) { return c.auth.apikey_cache_seconds; }},
      {"auth", "failure_burst", [](const C& c) { return c.auth.failure_burst; }},
      {"ledger", "committers", [](const C& c) { return c.ledger.committers; }},
      {"ledger", "max_batch", [](const C& c) { return c.ledger.max_batch; }},
      {"ledger", "balance_cache", [](const C& c) { return c.ledger.balance_cache; }},
      {"ledger", "batch_wait_us", [](const C& c) { return c.ledger.batch_wait_us; }},
      {"ledger", "idempotency_retention_hours", [](const C& c) { return c.ledger.idempotency_retention_hours; }},
      {"omnipass", "token_lifetime_seconds", [](const C& c) { return c.omnipass.token_lifetime_seconds; }},
      {"omnipass", "signing_key_rotation_seconds", [](const C& c) { return c.omnipass.signing_key_rotation_seconds; }},
      {"omnipass", "session_max_seconds", [](const C& c) { return c.omnipass.session_max_seconds; }},
      {"mail", "smtp_port", [](const C& c) { return c.mail.smtp_port; }},
  };
  return k;
}

void check_accepted(const og::Config& c, std::string_view text) {
  // The file as toml++ reads it (it parsed once, so it parses again).
  toml::table root = toml::parse(text, std::string_view("fuzz.toml"));
  for (const IntKey& k : int_keys()) {
    const toml::node* n = root.at_path(std::string(k.section) + "." + k.key).node();
    if (!n || !n->is_integer()) continue;
    const long double given = static_cast<long double>(n->as_integer()->get());
    FUZZ_CHECK_MSG(k.get(c) == given, std::string(k.section) + "." + k.key + " = " + std::to_string(n->as_integer()->get()));
  }
  // Fixed bugs (corpus/config/regression-*): nan and inf passed `out <= 0`; smtp_port had
  // no upper bound.
  auto rate_ok = [](double v) { return std::isfinite(v) && v > 0; };
  FUZZ_CHECK_MSG(rate_ok(c.rate_limit.requests_per_second),
                 "rate_limit.requests_per_second = " + std::to_string(c.rate_limit.requests_per_second));
  FUZZ_CHECK_MSG(rate_ok(c.rate_limit.burst), "rate_limit.burst = " + std::to_string(c.rate_limit.burst));
  FUZZ_CHECK_MSG(rate_ok(c.auth.failures_per_second),
                 "auth.failures_per_second = " + std::to_string(c.auth.failures_per_second));
  FUZZ_CHECK_MSG(c.mail.smtp_port >= 1 && c.mail.smtp_port <= 65535, "mail.smtp_port = " + std::to_string(c.mail.smtp_port));
  og::check_config(c, "fuzz.toml");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = og::fuzz::as_text(data, size);
  og::Config c;
  try {
    c = og::parse_config(text, "fuzz.toml");
  } catch (const og::ConfigError& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz.toml"));
    return 0;
  }
  check_accepted(c, text);
  return 0;
}
