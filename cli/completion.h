#pragma once
// omnictl's command line as documentation sees it (every command, its positional arguments
// and flags, from the endpoint catalog and cli/builtin_commands.h), and the shell
// completion scripts generated from it (`omnictl completion bash|zsh|fish`,
// completions/ in the source tree). cli/manpages.* renders the same model as man pages.

#include <string>
#include <string_view>
#include <vector>

#include "cli/builtin_commands.h"
#include "common/catalog/catalog.h"

namespace og::cli::docs {

struct FlagDoc {
  std::string name;           // without the dashes: "sourcewaid"
  char short_name = 0;        // 'o' for -o
  std::string value_name;     // "WAID"; empty for a switch
  bool optional_value = false;  // --NAME alone or --NAME=VALUE (booleans: true|false)
  std::string summary;
  ValueKind kind = ValueKind::Text;
  std::vector<std::string> values;         // the only accepted values (empty: any)
  const catalog::Param* param = nullptr;   // the catalog parameter it sets, if any
};

struct ArgDoc {
  std::string name;  // "WAID"
  std::string summary;
  bool required = true;
  ValueKind kind = ValueKind::Text;
  std::vector<std::string> values;
  const catalog::Param* param = nullptr;
};

// One way to call a command: its positional arguments, and for a catalog command the
// endpoint this form sends to (commands with an optional leading path parameter have
// one form per endpoint).
struct FormDoc {
  std::vector<ArgDoc> args;
  const catalog::Endpoint* endpoint = nullptr;
};

struct CommandDoc {
  std::string name;                // "wallet transfer", "config set-context"
  std::vector<std::string> words;  // {"wallet", "transfer"}
  std::string summary;
  std::vector<FormDoc> forms;      // at least one
  std::vector<FlagDoc> flags;      // the command's own flags (global flags come on top)
  bool builtin = false;
};

// Every command: the catalog's and the built-in ones, sorted by name.
const std::vector<CommandDoc>& commands();

// The global flags (cli/builtin_commands.h) as FlagDocs.
const std::vector<FlagDoc>& global_flags();

// The groups (first words) of catalog commands, sorted.
std::vector<std::string> groups();

// The words that may follow `prefix` (command words joined by spaces; "" for the top).
std::vector<std::string> children(std::string_view prefix);

// The flags a catalog parameter gives its command: --NAME VALUE, or for a secret one
// --NAME-stdin and --NAME-file FILE (secrets are never taken from argv).
std::vector<FlagDoc> flags_for_param(const catalog::Param& p);

// The placeholder shown for a parameter's value: "AMOUNT", "WAID", "true|false", "JSON".
std::string value_name(const catalog::Param& p);

// Completion scripts. shell is "bash", "zsh" or "fish"; anything else throws
// std::invalid_argument.
std::string completion_script(std::string_view shell);
std::string bash_completion();
std::string zsh_completion();
std::string fish_completion();

// Quotes s for a POSIX shell (and zsh) in single quotes; for fish, fish's own rules.
std::string sh_single_quote(std::string_view s);
std::string fish_quote(std::string_view s);

}  // namespace og::cli::docs
