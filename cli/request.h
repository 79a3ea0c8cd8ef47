#pragma once
// Sending a request the safe way (the spec's "Result code" table): non-financial calls
// are retried on 10001-10004, timeouts and non-JSON answers; financial calls carry an
// Idempotency-Key so that a retry cannot move money twice. And --curl.

#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>

#include "cli/api_command.h"

namespace og::cli {

struct Request {
  std::string method;           // "POST"
  std::string path;             // "/api/v1/wallet/transfer?x=y"
  std::string body;             // JSON text, or empty
  std::string masked_body;      // the body with secret parameters masked (for --curl)
  std::string idempotency_key;  // set for financial endpoints
};

struct RetryPolicy {
  int retries = 2;
  std::optional<double> delay_s;  // overrides the table's 10 s / 5 s
  bool financial = false;         // retried only with its Idempotency-Key
};

// Seconds to wait before the next attempt, or nullopt when this outcome is final.
std::optional<double> retry_delay(const ApiOutcome& out, const RetryPolicy& policy);

// True when a financial call's outcome is unknown (the money may or may not have moved).
bool outcome_unknown(const ApiOutcome& out);

using Sleeper = std::function<void(double seconds)>;
void sleep_seconds(double seconds);

// Sends with retries; notes each retry on `notes` (stderr). attempts is set to the number
// of requests sent.
ApiOutcome send_request(net::Client& client, const Connection& conn, const Request& req, const RetryPolicy& policy,
                        const Sleeper& sleeper, std::ostream& notes, int* attempts = nullptr);

// A random Idempotency-Key: "omnictl-" + 32 hex characters.
std::string new_idempotency_key();

// The equivalent curl command (one line); secrets masked unless show_secrets.
std::string render_curl(const Connection& conn, const Request& req, bool show_secrets);

// Quotes for a POSIX shell.
std::string shell_quote(std::string_view s);

// "****" followed by nothing of the secret.
inline constexpr const char* kMask = "****";

}  // namespace og::cli
