#include "cli/builtin_commands.h"

#include "cli/options.h"

namespace og::cli {

namespace {

using enum ValueKind;

FlagInfo switch_flag(std::string_view name, std::string_view summary) {
  return {.name = name, .summary = summary, .kind = None};
}

// The global options are parsed from cli/options.cpp's table; this adds what completion
// and the manual need beyond it (accepted values, file names) and --help.
std::vector<FlagInfo> make_global_table() {
  std::vector<FlagInfo> flags;
  for (const GlobalOptionInfo& o : global_option_table()) {
    FlagInfo f{.name = std::string_view(o.name).substr(2), .value_name = o.value, .summary = o.help};
    if (std::string_view(o.alias).size() == 2) f.short_name = o.alias[1];
    if (f.value_name.empty()) f.kind = None;
    else if (f.value_name == "FILE") f.kind = File;
    else if (f.value_name == "DIR") f.kind = Directory;
    if (f.name == "output") f.values = {"table", "json"};
    flags.push_back(std::move(f));
  }
  flags.push_back({.name = "help", .short_name = 'h', .summary = "Print help and exit", .kind = None});
  return flags;
}

const std::vector<FlagInfo>& global_table() {
  static const std::vector<FlagInfo> flags = make_global_table();
  return flags;
}

const std::vector<BuiltinCommand>& builtin_table() {
  static const std::vector<BuiltinCommand> commands = {
      {.name = "api",
       .summary = "Send any request to the API (the escape hatch)",
       .args = {{.name = "METHOD", .summary = "HTTP method", .values = {"GET", "POST", "PUT", "PATCH", "DELETE"}},
                {.name = "PATH", .summary = "Path, e.g. /api/v1/system/health or system/health"}},
       .flags = {{.name = "data",
                  .short_name = 'd',
                  .value_name = "JSON",
                  .summary = "JSON body: the text itself, @FILE, or - for standard input"}}},
      {.name = "login",
       .summary = "Log in with e-mail and password; the token is cached for the context",
       .flags = {{.name = "email", .value_name = "EMAIL", .summary = "E-mail address of the user"},
                 switch_flag("password-stdin", "Read the password from standard input"),
                 {.name = "password-file", .value_name = "FILE", .summary = "Read the password from a file", .kind = File},
                 {.name = "mfacode", .value_name = "CODE", .summary = "MFA code (prompted when needed and not given)"}}},
      {.name = "logout", .summary = "Forget the cached token of the context"},
      {.name = "whoami", .summary = "Show who the current credential belongs to"},
      {.name = "status",
       .summary = "Health and lock state of every component (exit 0 all up, 2 one locked)"},
      {.name = "completion",
       .summary = "Print the shell completion script",
       .args = {{.name = "SHELL", .summary = "Shell to complete for", .values = {"bash", "zsh", "fish"}}}},
      {.name = "unlock",
       .summary = "Unlock a component (or all) with the application password",
       .args = {{.name = "COMPONENT",
                 .summary = "Component to unlock",
                 .required = false,
                 .values = {"omnipass", "omnibridge", "omnipay"}}},
       .flags = {switch_flag("all", "Unlock every component"),
                 switch_flag("password-stdin", "Read the application password from standard input"),
                 {.name = "password-file", .value_name = "FILE", .summary = "Read the application password from a file", .kind = File}}},
      {.name = "install",
       .summary = "Run the installation wizard (interactive, or unattended with --answers)",
       .flags = {{.name = "answers", .value_name = "FILE", .summary = "Answers file (TOML) for an unattended run", .kind = File},
                 switch_flag("yes", "Do not ask for confirmation"),
                 {.name = "root", .value_name = "DIR", .summary = "Install under this directory prefix", .kind = Directory},
                 switch_flag("no-start", "Do not start or enable services"),
                 switch_flag("reconfigure", "Change an existing installation"),
                 {.name = "details-file", .value_name = "FILE", .summary = "Also write the installation details to this 0600 file", .kind = File}}},
      {.name = "install certificate",
       .summary = "Install the certificate signed for the CSR made by the wizard",
       .flags = {{.name = "cert", .value_name = "FILE", .summary = "Signed certificate (PEM)", .kind = File},
                 {.name = "chain", .value_name = "FILE", .summary = "Chain of intermediate certificates (PEM)", .kind = File}}},
      {.name = "config get-contexts", .summary = "List the contexts of the configuration file"},
      {.name = "config current-context", .summary = "Print the name of the current context"},
      {.name = "config use-context",
       .summary = "Make a context the current one",
       .args = {{.name = "NAME", .summary = "Context name"}}},
      {.name = "config set-context",
       .summary = "Create or change a context",
       .args = {{.name = "NAME", .summary = "Context name"}},
       .flags = {{.name = "url", .value_name = "URL", .summary = "Base URL of omnid"},
                 {.name = "cacert", .value_name = "FILE", .summary = "PEM file of the CA to trust", .kind = File},
                 switch_flag("apikey-stdin", "Read the API key from standard input"),
                 {.name = "apikey-file", .value_name = "FILE", .summary = "Read the API key from a file", .kind = File},
                 switch_flag("token-stdin", "Read a bearer token from standard input"),
                 {.name = "token-file", .value_name = "FILE", .summary = "Read a bearer token from a file", .kind = File},
                 switch_flag("use", "Also make it the current context")}},
      {.name = "config delete-context",
       .summary = "Delete a context",
       .args = {{.name = "NAME", .summary = "Context name"}}},
  };
  return commands;
}

}  // namespace

std::span<const FlagInfo> global_flags() { return global_table(); }

std::span<const BuiltinCommand> builtin_commands() { return builtin_table(); }

}  // namespace og::cli
