#pragma once
// omnictl's documented exit codes (omnictl(1), EXIT STATUS).
namespace og::cli {
enum ExitCode : int {
  kExitOk = 0,          // the API answered 10000 Ok
  kExitUsage = 1,       // usage or local error (bad flag, unreadable file, bad JSON)
  kExitApiError = 2,    // the API answered a result code other than Ok
  kExitNetwork = 3,     // network or TLS failure, timeout, or an answer that is not JSON
  kExitAuth = 4,        // not authenticated or forbidden (10120, 10121, 10122)
};
}  // namespace og::cli
