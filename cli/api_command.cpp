#include "cli/api_command.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "cli/exit_codes.h"
#include "common/result_codes.h"

namespace og::cli {

std::string normalize_path(const std::string& path) {
  if (path.empty()) return "/api/v1/";
  if (path.front() == '/') return path;
  return "/api/v1/" + path;
}

std::string read_data_argument(const std::string& arg) {
  std::string text;
  if (arg == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else if (!arg.empty() && arg.front() == '@') {
    std::ifstream in(arg.substr(1), std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + arg.substr(1));
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    text = arg;
  }
  Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) throw std::runtime_error("--data is not valid JSON");
  if (!parsed.is_object()) throw std::runtime_error("--data must be a JSON object");
  return parsed.dump();
}

int exit_code_for(const Json& answer, long http_status) {
  if (answer.is_object() && answer.contains("resultcode") && answer["resultcode"].is_number_integer()) {
    int rc = answer["resultcode"].get<int>();
    if (rc == code(Rc::Ok)) {
      // A reconciliation run (omnictl bridge reconcile, for cron): its outcome is the status.
      if (auto s = answer.find("reconcilestatus"); s != answer.end() && s->is_string()) {
        if (*s == "discrepancies") return kExitApiError;
        if (*s == "unreachable") return kExitNetwork;
      }
      return kExitOk;
    }
    if (rc == code(Rc::NotAuthenticated) || rc == code(Rc::InvalidCredentials) || rc == code(Rc::Forbidden))
      return kExitAuth;
    return kExitApiError;
  }
  if (http_status >= 200 && http_status < 300) return kExitOk;
  if (http_status == 401 || http_status == 403) return kExitAuth;
  return kExitApiError;
}

ApiOutcome call_api(net::Client& client, const Connection& conn, const std::string& method, const std::string& path,
                    const std::string& body, const std::vector<std::pair<std::string, std::string>>& extra_headers) {
  ApiOutcome out;
  net::HttpRequest req;
  req.method = method;
  std::string base = conn.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  req.url = base + normalize_path(path);
  req.cacert = conn.cacert;
  req.timeout_ms = conn.timeout_ms;
  req.headers.emplace_back("Accept", "application/json");
  if (!body.empty()) {
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = body;
  }
  if (!conn.apikey.empty()) req.headers.emplace_back("X-APIKey", conn.apikey);
  else if (!conn.token.empty()) req.headers.emplace_back("Authorization", "Bearer " + conn.token);
  for (const auto& h : extra_headers) req.headers.push_back(h);

  out.http = client.perform(req);
  if (!out.http.ok()) {
    out.exit_code = kExitNetwork;
    out.message = (out.http.failure == net::Failure::Timeout ? "timeout: " : out.http.failure == net::Failure::Tls ? "TLS failure: " : "network failure: ") + out.http.error;
    return out;
  }
  Json answer = Json::parse(out.http.response.body, nullptr, /*allow_exceptions=*/false);
  if (answer.is_discarded()) {
    out.exit_code = kExitNetwork;
    out.message = "invalid response: HTTP " + std::to_string(out.http.response.status) + ", not JSON";
    return out;
  }
  out.exit_code = exit_code_for(answer, out.http.response.status);
  if (out.exit_code != kExitOk) {
    if (auto s = answer.is_object() ? answer.find("reconcilestatus") : answer.end();
        answer.is_object() && s != answer.end() && s->is_string()) {
      const std::string run = answer.contains("runid") && answer["runid"].is_string() ? answer["runid"].get<std::string>() : "";
      out.message = "reconciliation run " + run + ": " +
                    (*s == "unreachable" ? std::string("a bridge's network could not be reached")
                                         : std::string("discrepancies found")) +
                    " (omnictl bridge reconcile show " + run + ")";
    } else if (answer.is_object() && answer.contains("resultcode") && answer["resultcode"].is_number_integer()) {
      out.message = std::to_string(answer["resultcode"].get<int>()) + " " +
                    (answer.contains("resultmessage") && answer["resultmessage"].is_string()
                         ? answer["resultmessage"].get<std::string>()
                         : std::string());
    } else {
      out.message = "HTTP " + std::to_string(out.http.response.status);
      // The tenant API's errors: {"errors":[{"type":...,"message":...}]}; OAuth's {"error":...}.
      if (answer.is_object() && answer.contains("errors") && answer["errors"].is_array() &&
          !answer["errors"].empty() && answer["errors"][0].is_object()) {
        const Json& e = answer["errors"][0];
        if (e.contains("type") && e["type"].is_string()) out.message += " " + e["type"].get<std::string>();
        if (e.contains("message") && e["message"].is_string()) out.message += ": " + e["message"].get<std::string>();
      } else if (answer.is_object() && answer.contains("error") && answer["error"].is_string()) {
        out.message += " " + answer["error"].get<std::string>();
      }
    }
  }
  out.json = std::move(answer);
  return out;
}

}  // namespace og::cli
