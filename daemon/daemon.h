#pragma once
// omnid's life: configuration -> database (local cluster or remote) -> migrations ->
// HTTP server -> READY=1 -> wait for SIGTERM/SIGINT -> graceful shutdown.

#include <filesystem>
#include <optional>
#include <string>

namespace og {

struct DaemonOptions {
  std::filesystem::path config_file = "/etc/omnigate/omnid.toml";
  bool dev = false;
  std::optional<std::filesystem::path> data_dir;  // --dev: keep data here (else a temp dir, removed on exit)
  int port = 8443;                                // --dev: HTTPS port on 127.0.0.1 (0: any free port)
  bool check_config = false;                      // parse, print problems, exit
};

// Runs until a termination signal; returns the process exit code.
int run_daemon(const DaemonOptions& options);

}  // namespace og
