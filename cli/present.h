#pragma once
// Shows an outcome the way the global options ask (table, JSON, one field) and returns
// omnictl's exit code. Errors always reach stderr; with -o json they are JSON on stdout too.

#include <iosfwd>
#include <string>

#include "cli/api_command.h"
#include "cli/options.h"

namespace og::cli {

// Prints the answer (or the error) and returns the exit code. default_json: the output
// when -o was not given is JSON (omnictl api).
int present(const GlobalOptions& opts, const ApiOutcome& out, std::ostream& o, std::ostream& e,
            bool default_json = false);

// A local error (usage, unreadable file): message to stderr, and as JSON on stdout with -o json.
int local_error(const GlobalOptions& opts, int exit_code, const std::string& message, std::ostream& o,
                std::ostream& e);

}  // namespace og::cli
