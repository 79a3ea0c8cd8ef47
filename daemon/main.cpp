// omnid: the Omnigate OS daemon.
#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/daemon.h"

#if defined(__SANITIZE_ADDRESS__)
// Sanitizer builds only (scripts/test.sh): libpqxx 6.4 (Debian 12) leaks a little when a
// connection breaks, which the database outage and cluster restart tests make happen.
// Not ours to fix; the test binaries carry the same suppression (tests/support/test_cluster.cpp).
extern "C" const char* __lsan_default_suppressions() { return "leak:libpqxx-6.4.so\n"; }
#endif

int main(int argc, char** argv) {
  og::DaemonOptions opt;
  std::string data_dir;
  CLI::App app{"omnid: the Omnigate OS daemon. Serves the Omnigate API over HTTPS and owns the ledger.\n"
               "See omnid(8) and omnid.toml(5)."};
  app.set_version_flag("--version", "omnid 0.1.0");
  app.add_option("-c,--config", opt.config_file, "Configuration file")
      ->default_str("/etc/omnigate/omnid.toml")
      ->check(CLI::ExistingFile);
  app.add_flag("--dev", opt.dev,
               "Development mode: zero configuration, a local PostgreSQL and a self-signed certificate under the "
               "data directory, HTTPS on 127.0.0.1 only, an administrator API key printed once");
  app.add_option("--data-dir", data_dir, "With --dev: keep data in this directory (default: a temporary one, removed on exit)");
  app.add_option("--port", opt.port, "With --dev: HTTPS port on 127.0.0.1 (0 picks a free port)")
      ->default_val(8443)
      ->check(CLI::Range(0, 65535));
  app.add_flag("--check-config", opt.check_config, "Check the configuration file and exit");
  CLI11_PARSE(app, argc, argv);
  if (!data_dir.empty()) {
    if (!opt.dev) {
      std::cerr << "omnid: --data-dir is only used with --dev (set database.local.dir in omnid.toml)\n";
      return 2;
    }
    opt.data_dir = data_dir;
  }
  if (!opt.dev && app.count("--port")) {
    std::cerr << "omnid: --port is only used with --dev (set server.listen in omnid.toml)\n";
    return 2;
  }
  return og::run_daemon(opt);
}
