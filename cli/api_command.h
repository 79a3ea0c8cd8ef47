#pragma once
// `omnictl api METHOD PATH [--data JSON|@file|-]`: the escape hatch that sends any request.

#include <string>
#include <utility>
#include <vector>

#include "common/json.h"
#include "common/http_client.h"

namespace og::cli {

struct Connection {
  std::string url;     // https://host:port
  std::string apikey;  // secret
  std::string token;   // secret (Bearer)
  std::string cacert;
  long timeout_ms = 5000;
};

struct ApiOutcome {
  int exit_code = 0;
  net::HttpResult http;
  std::optional<Json> json;  // the answer, when it is JSON
  std::string message;       // for stderr when not Ok
};

// Sends one request; classifies the answer into an exit code.
// extra_headers are sent as given (e.g. Idempotency-Key).
ApiOutcome call_api(net::Client& client, const Connection& conn, const std::string& method, const std::string& path,
                    const std::string& body,
                    const std::vector<std::pair<std::string, std::string>>& extra_headers = {});

// "system/health" -> "/api/v1/system/health"; absolute paths are kept.
std::string normalize_path(const std::string& path);

// --data: a JSON text, @file, or - (stdin). Throws std::runtime_error naming the problem.
std::string read_data_argument(const std::string& arg);

int exit_code_for(const Json& answer, long http_status);

}  // namespace og::cli
