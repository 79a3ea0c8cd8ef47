#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdlib>
#include <iostream>

#include "cli/api_command.h"
#include "cli/catalog_commands.h"
#include "cli/completion.h"
#include "cli/exit_codes.h"
#include "cli/install_command.h"
#include "cli/manpages.h"
#include "cli/options.h"
#include "cli/present.h"
#include "cli/request.h"
#include "cli/session_commands.h"
#include "cli/unlock_command.h"
#include "common/result_codes.h"

namespace og::cli {

int run(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  // Global options may come anywhere: take them out first.
  GlobalOptions g;
  if (auto problem = take_global_options(args, g)) {
    std::cerr << "omnictl: " << *problem << "\n";
    return kExitUsage;
  }
  // Commands generated from the endpoint catalog (flags named as the API parameters).
  if (!args.empty() && is_catalog_group(args[0])) return run_catalog_command(args, g);

  CLI::App app{"omnictl: the Omnigate OS operator CLI.\n"
               "  omnictl GROUP ACTION [ARGS] [--PARAM VALUE ...]   one command per API endpoint\n"
               "Connection: flags, then the environment (OMNICTL_URL, OMNICTL_APIKEY, OMNICTL_TOKEN,\n"
               "OMNICTL_CACERT, OMNICTL_CONTEXT), then the context of ~/.config/omnictl/config.toml.\n"
               "Keep secrets out of the command line: export OMNICTL_APIKEY, use a context, or omnictl login.\n"
               "Exit status: 0 Ok, 1 usage or local error, 2 the API answered an error, 3 network/TLS/\n"
               "timeout/not JSON, 4 not authenticated or forbidden.",
               "omnictl"};
  app.set_version_flag("--version", "omnictl 0.1.0");
  app.require_subcommand(1);
  app.footer("Global flags (anywhere on the line):\n" + global_options_help() +
             "\nRun omnictl GROUP --help for a group's actions, omnictl GROUP ACTION --help for its flags.");

  // omnictl api METHOD PATH [--data ...]
  std::string method, path, data;
  auto* api = app.add_subcommand("api", "Send any request: omnictl api METHOD PATH [--data JSON|@FILE|-]");
  api->add_option("method", method, "GET, POST, PUT, PATCH or DELETE")
      ->required()
      ->transform(CLI::IsMember({"GET", "POST", "PUT", "PATCH", "DELETE"}, CLI::ignore_case));
  api->add_option("path", path, "Path, e.g. /api/v1/system/health or system/health")->required();
  api->add_option("--data,-d", data, "JSON body: the text itself, @FILE, or - for standard input");

  LoginArgs login_args;
  auto* login = app.add_subcommand("login", "Log in with e-mail and password; the token is cached for the context");
  login->add_option("--email", login_args.email, "E-mail address of the user (prompted when left out)");
  login->add_flag("--password-stdin", login_args.password_stdin, "Read the password from standard input");
  login->add_option("--password-file", login_args.password_file, "Read the password from a file");
  login->add_option("--mfacode", login_args.mfacode, "MFA code (prompted on a terminal when the server asks)");
  auto* logout = app.add_subcommand("logout", "Forget the cached login token of the context");
  auto* whoami = app.add_subcommand("whoami", "Show the context, the credential and the profile it belongs to");
  auto* status = app.add_subcommand(
      "status", "Health and component lock states: exit 0 all up and unlocked, 2 a component locked, 1 error");

  auto* config = app.add_subcommand("config", "Contexts of the configuration file (like kubectl config)");
  config->require_subcommand(1);
  SetContextArgs set_args;
  auto* set_ctx = config->add_subcommand(
      "set-context", "Create or change a context: omnictl config set-context NAME --url URL [--cacert FILE]\n"
                     "[--apikey-stdin | --apikey-file FILE] [--use]");
  set_ctx->add_option("name", set_args.name, "Context name")->required();
  set_ctx->add_flag("--apikey-stdin", set_args.apikey_stdin, "Read the context's API key from standard input");
  set_ctx->add_option("--apikey-file", set_args.apikey_file, "Read the context's API key from a file");
  set_ctx->add_flag("--token-stdin", set_args.token_stdin, "Read a bearer token from standard input");
  set_ctx->add_option("--token-file", set_args.token_file, "Read a bearer token from a file");
  set_ctx->add_flag("--use", set_args.use, "Also make it the current context");
  std::string ctx_name;
  auto* use_ctx = config->add_subcommand("use-context", "Make a context the current one");
  use_ctx->add_option("name", ctx_name, "Context name")->required();
  auto* get_ctx = config->add_subcommand("get-contexts", "List the contexts");
  auto* cur_ctx = config->add_subcommand("current-context", "Print the name of the current context");
  auto* del_ctx = config->add_subcommand("delete-context", "Delete a context (and its cached login token)");
  del_ctx->add_option("name", ctx_name, "Context name")->required();

  UnlockOptions unlock_opt;
  auto* unlock = add_unlock_command(app, unlock_opt);
  InstallOptions install_opt;
  InstallCommands install = add_install_command(app, install_opt);

  // The generated commands, listed for --help (they are parsed before CLI11 sees them).
  for (const auto& group : catalog_groups())
    app.add_subcommand(group, "API: " + group_summary(group))->group("API commands");

  // Generators for files derived from the project's tables (used by the build and CI).
  std::string what;
  auto* gen = app.add_subcommand("__generate", "");
  gen->group("");  // hidden
  std::vector<std::string> targets = docs::generate_targets();
  targets.emplace_back("result-codes");
  std::string gen_arg;
  gen->add_option("what", what)->required()->check(CLI::IsMember(targets));
  gen->add_option("arg", gen_arg, "man: the page; docs: the directory");

  // omnictl completion bash|zsh|fish (cli/completion.*)
  std::string shell;
  auto* completion = app.add_subcommand("completion", "Print the shell completion script (bash, zsh or fish)");
  completion->add_option("shell", shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));

  try {
    std::vector<std::string> reversed(args.rbegin(), args.rend());
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitUsage;
  }

  if (*gen) {
    if (what != "result-codes") return docs::run_generate(what, gen_arg, std::cout, std::cerr);
    std::cout << result_codes_markdown();
    return kExitOk;
  }
  if (*completion) {
    std::cout << docs::completion_script(shell);
    return kExitOk;
  }
  if (*install.certificate) return run_install_certificate(install_opt);
  if (*install.install) return run_install(install_opt);  // needs no server
  if (*login) return run_login(g, login_args);
  if (*logout) return run_logout(g);
  if (*whoami) return run_whoami(g);
  if (*status) return run_status(g);
  if (*set_ctx) return run_config_set_context(g, set_args);
  if (*use_ctx) return run_config_use_context(g, ctx_name);
  if (*get_ctx) return run_config_get_contexts(g);
  if (*cur_ctx) return run_config_current_context(g);
  if (*del_ctx) return run_config_delete_context(g, ctx_name);

  int failed = 0;
  auto resolved = resolve_or_report(g, &failed);
  if (!resolved) return failed;
  Connection conn = resolved->conn;
  conn.timeout_ms = static_cast<long>((g.timeout_s ? *g.timeout_s : 5.0) * 1000);

  if (*unlock) return run_unlock(unlock_opt, conn);
  if (*api) {
    std::string body;
    if (!data.empty()) {
      try {
        body = read_data_argument(data);
      } catch (const std::exception& e) {
        return local_error(g, kExitUsage, e.what(), std::cout, std::cerr);
      }
    }
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::toupper(c); });
    Request req{method, path, body, "", ""};
    if (g.curl) {
      std::cout << render_curl(conn, req, g.show_secrets) << "\n";
      return kExitOk;
    }
    // The escape hatch knows nothing of the endpoint: no retries unless asked for.
    RetryPolicy policy;
    policy.retries = g.retries ? *g.retries : 0;
    policy.delay_s = g.retry_delay_s;
    net::Client client;
    ApiOutcome out = send_request(client, conn, req, policy, sleep_seconds, std::cerr);
    return present(g, out, std::cout, std::cerr, /*default_json=*/true);
  }
  return kExitUsage;
}

}  // namespace og::cli
