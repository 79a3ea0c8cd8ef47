#pragma once
// `omnictl unlock [COMPONENT|--all] [--password-stdin|--password-file FILE]`: unlocks
// omnipass, omnibridge and/or omnipay with the application password (docs/unlock.md).
// The password is prompted without echo when standard input is a terminal, read from
// standard input or a file otherwise, and never taken from the command line. Without a
// terminal and without --password-stdin/--password-file it fails at once (exit 1), so that
// an operator's unlock automation never hangs on a prompt.

#include <CLI/CLI.hpp>
#include <string>

#include "cli/api_command.h"

namespace og::cli {

struct UnlockOptions {
  std::string component;  // "" with --all
  bool all = false;
  bool password_stdin = false;
  std::string password_file;
};

// Adds the `unlock` subcommand to `app`, filling `opt` when parsed.
CLI::App* add_unlock_command(CLI::App& app, UnlockOptions& opt);

// Runs it: exit codes as cli/exit_codes.h (a wrong password: 4, like other refused credentials).
int run_unlock(const UnlockOptions& opt, const Connection& conn);

}  // namespace og::cli
