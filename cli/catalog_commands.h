#pragma once
// `omnictl GROUP ACTION [ARGS] [--param VALUE ...]`: one command per catalog entry (entries
// that differ only by a leading path parameter share one). Flags are named exactly as the
// API parameters; path parameters are positionals; --data gives a JSON body that flags
// override. Input is validated against the catalog before anything is sent.

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "cli/options.h"
#include "cli/request.h"
#include "common/catalog/catalog.h"

namespace og::cli {

// A usage error: exit 1, nothing sent.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Where secrets come from; injectable for tests.
struct SecretIo {
  std::function<std::string()> read_stdin;
  std::function<std::string(const std::string& path)> read_file;
  // Prompts without echo; nullopt when there is no terminal.
  std::function<std::optional<std::string>(const std::string& label)> prompt;
  // --data: text, @file or - (stdin).
  std::function<std::string(const std::string& arg)> read_data;
};
SecretIo process_secret_io();

struct Invocation {
  const catalog::Endpoint* endpoint = nullptr;  // null when help was asked
  std::string command;                          // "wallet transfer"
  Request request;                              // method, path, body (masked copies too)
  std::string masked_path;                      // the path with secret path parameters masked
  std::string help;                             // --help: the text to print
};

// The groups (first words of catalog commands), sorted.
std::vector<std::string> catalog_groups();
bool is_catalog_group(std::string_view word);
// One line describing a group (for omnictl --help).
std::string group_summary(std::string_view group);

// Parses args (args[0] is the group). Throws UsageError.
Invocation parse_catalog_command(const std::vector<std::string>& args, const SecretIo& io);

// Help for a command path ("wallet", "wallet transfer").
std::string catalog_help(const std::vector<std::string>& words);

// Runs a catalog command: parse, resolve the connection, send with retries, present.
int run_catalog_command(const std::vector<std::string>& args, const GlobalOptions& opts);

// Percent-encodes all but RFC 3986 unreserved characters.
std::string url_encode(std::string_view s);

}  // namespace og::cli
