#pragma once
// omnictl's built-in commands (the ones not generated from the endpoint catalog), declared
// once, and omnictl's global flags (taken from cli/options.cpp's table, which parses them).
// The shell completions (cli/completion.*) and the man pages (cli/manpages.*) are generated
// from these plus the catalog: when a built-in command is added or changed in cli/, change it
// here too, then run scripts/regen-docs.sh (a test fails while the committed files differ).

#include <span>
#include <string_view>
#include <vector>

namespace og::cli {

// What a flag's or argument's value is, so completion can offer the right words.
enum class ValueKind {
  None,       // a switch: the flag takes no value
  Text,       // free text
  File,       // a file name (completion offers files)
  Directory,  // a directory name
};

struct FlagInfo {
  std::string_view name;       // long name without the dashes: "output"
  char short_name = 0;         // 'o' for -o; 0: none
  std::string_view value_name; // "FORMAT"; empty for a switch (kind None)
  std::string_view summary;    // one line, no secrets, no example secret values
  ValueKind kind = ValueKind::Text;
  std::vector<std::string_view> values;  // the only accepted values (empty: any)
};

struct ArgInfo {
  std::string_view name;     // "COMPONENT"
  std::string_view summary;
  bool required = true;
  ValueKind kind = ValueKind::Text;
  std::vector<std::string_view> values;  // the only accepted values (empty: any)
};

struct BuiltinCommand {
  std::string_view name;     // "login", "config set-context" (words separated by one space)
  std::string_view summary;  // one line
  std::vector<ArgInfo> args;
  std::vector<FlagInfo> flags;  // the command's own flags (global flags apply too)
};

// Flags accepted by every command (before or after the command words).
std::span<const FlagInfo> global_flags();

// Built-in commands, in the order the manual lists them.
std::span<const BuiltinCommand> builtin_commands();

// Secret catalog parameters (Param::secret: passwords, client secrets, codes) are never
// taken from argv. For such a parameter NAME, omnictl accepts --NAME-stdin (read one line
// from standard input) and --NAME-file FILE, and prompts without echo on a TTY.
inline constexpr std::string_view kSecretStdinSuffix = "-stdin";
inline constexpr std::string_view kSecretFileSuffix = "-file";

}  // namespace og::cli
