#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <iostream>

#include "cli/api_command.h"
#include "cli/exit_codes.h"
#include "common/result_codes.h"

namespace og::cli {

namespace {

std::string env_or(const char* name, const std::string& fallback = {}) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"omnictl: the Omnigate OS operator CLI.\n"
               "Connection settings come from flags, then the environment (OMNICTL_URL, OMNICTL_APIKEY,\n"
               "OMNICTL_TOKEN, OMNICTL_CACERT). Keep secrets out of the command line: export OMNICTL_APIKEY\n"
               "(or source the omnictl.env file that omnid --dev writes)."};
  app.set_version_flag("--version", "omnictl 0.1.0");
  app.require_subcommand(1);

  Connection conn;
  std::string url_flag, apikey_flag, cacert_flag;
  double timeout_s = 5;
  app.add_option("--url", url_flag, "Base URL of omnid, e.g. https://127.0.0.1:8443 (env OMNICTL_URL)");
  app.add_option("--apikey", apikey_flag,
                 "API key (env OMNICTL_APIKEY; prefer the environment: a flag is visible to other users in ps)");
  app.add_option("--cacert", cacert_flag, "PEM file of the CA to trust (env OMNICTL_CACERT)");
  app.add_option("--timeout", timeout_s, "Seconds to wait for an answer")->default_val(5)->check(CLI::PositiveNumber);

  // omnictl api METHOD PATH [--data ...]
  std::string method, path, data;
  auto* api = app.add_subcommand("api", "Send any request: omnictl api METHOD PATH [--data JSON|@FILE|-]");
  api->add_option("method", method, "GET, POST, PUT, PATCH or DELETE")
      ->required()
      ->transform(CLI::IsMember({"GET", "POST", "PUT", "PATCH", "DELETE"}, CLI::ignore_case));
  api->add_option("path", path, "Path, e.g. /api/v1/system/health or system/health")->required();
  api->add_option("--data,-d", data, "JSON body: the text itself, @FILE, or - for standard input");

  // Generators for files derived from the project's tables (used by the build and CI).
  std::string what;
  auto* gen = app.add_subcommand("__generate", "");
  gen->group("");  // hidden
  gen->add_option("what", what)->required()->check(CLI::IsMember({"result-codes"}));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  if (*gen) {
    std::cout << result_codes_markdown();
    return kExitOk;
  }

  conn.url = url_flag.empty() ? env_or("OMNICTL_URL") : url_flag;
  conn.apikey = apikey_flag.empty() ? env_or("OMNICTL_APIKEY") : apikey_flag;
  conn.token = env_or("OMNICTL_TOKEN");
  conn.cacert = cacert_flag.empty() ? env_or("OMNICTL_CACERT") : cacert_flag;
  conn.timeout_ms = static_cast<long>(timeout_s * 1000);
  if (conn.url.empty()) {
    std::cerr << "omnictl: no server: set OMNICTL_URL or pass --url\n";
    return kExitUsage;
  }

  if (*api) {
    std::string body;
    if (!data.empty()) {
      try {
        body = read_data_argument(data);
      } catch (const std::exception& e) {
        std::cerr << "omnictl: " << e.what() << "\n";
        return kExitUsage;
      }
    }
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
    net::Client client;
    ApiOutcome out = call_api(client, conn, method, path, body);
    if (out.json) std::cout << out.json->dump(2) << "\n";
    if (out.exit_code != kExitOk) std::cerr << "omnictl: " << out.message << "\n";
    return out.exit_code;
  }
  return kExitUsage;
}

}  // namespace og::cli
