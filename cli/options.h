#pragma once
// omnictl's global options: accepted anywhere on the command line (before or after the
// command), taken out of the arguments before the command itself is parsed.

#include <optional>
#include <string>
#include <vector>

namespace og::cli {

enum class OutputFormat { Table, Json };

struct GlobalOptions {
  std::optional<std::string> url;
  std::optional<std::string> cacert;
  std::optional<std::string> context;
  std::optional<std::string> config;  // config.toml path
  OutputFormat output = OutputFormat::Table;
  bool output_given = false;  // -o was given (omnictl api prints JSON unless told otherwise)
  std::optional<std::string> field;  // --field NAME: print one value (dotted path)
  std::optional<double> timeout_s;
  std::optional<int> retries;
  std::optional<double> retry_delay_s;
  bool curl = false;          // print the equivalent curl command, send nothing
  bool show_secrets = false;  // --curl: do not mask secrets
  bool no_color = false;
};

// One row of the table of global options (for --help, the man page and completions).
struct GlobalOptionInfo {
  const char* name;      // "--url"
  const char* alias;     // "-o" or ""
  const char* value;     // "URL", or "" for a flag
  const char* help;
};
const std::vector<GlobalOptionInfo>& global_option_table();

// Takes the global options out of args (stopping at "--"), filling opts. Returns an error
// message for a bad or missing value.
std::optional<std::string> take_global_options(std::vector<std::string>& args, GlobalOptions& opts);

// The global options as help text (one line each).
std::string global_options_help();

}  // namespace og::cli
