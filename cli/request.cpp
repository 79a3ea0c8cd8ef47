#include "cli/request.h"

#include <chrono>
#include <ostream>
#include <thread>

#include "cli/exit_codes.h"
#include "common/crypto.h"
#include "common/result_codes.h"

namespace og::cli {

namespace {

std::optional<int> result_code(const ApiOutcome& out) {
  if (!out.json || !out.json->is_object() || !out.json->contains("resultcode") ||
      !(*out.json)["resultcode"].is_number_integer())
    return std::nullopt;
  return (*out.json)["resultcode"].get<int>();
}

}  // namespace

std::optional<double> retry_delay(const ApiOutcome& out, const RetryPolicy& policy) {
  std::optional<double> base;
  if (out.exit_code == kExitNetwork) {
    if (!out.http.ok()) {
      if (out.http.failure == net::Failure::Timeout) base = 10;
      // A dropped connection or an empty reply: the request may have been served. Safe to
      // resend only with the Idempotency-Key.
      else if ((out.http.failure == net::Failure::Connect || out.http.failure == net::Failure::Other) &&
               policy.financial)
        base = 10;
    } else if (!out.json) {
      base = 10;  // an answer that is not JSON (a proxy's error page)
    }  // else: a JSON answer that exits 3 (a reconciliation run that could not reach a network): served
  } else if (auto rc = result_code(out)) {
    if (*rc == code(Rc::Maintenance) || *rc == code(Rc::TooBusy) || *rc == code(Rc::SystemError)) base = 10;
    else if (*rc == code(Rc::TooFast)) base = 5;
    else if (*rc == code(Rc::IdempotencyInProgress) && policy.financial) base = 5;
  }
  if (!base) return std::nullopt;
  return policy.delay_s ? *policy.delay_s : *base;
}

bool outcome_unknown(const ApiOutcome& out) {
  if (out.exit_code == kExitNetwork) return !out.json;  // a JSON answer was served
  auto rc = result_code(out);
  return rc && (*rc == code(Rc::Maintenance) || *rc == code(Rc::TooBusy) || *rc == code(Rc::SystemError) ||
                *rc == code(Rc::IdempotencyInProgress));
}

void sleep_seconds(double seconds) {
  if (seconds > 0) std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
}

ApiOutcome send_request(net::Client& client, const Connection& conn, const Request& req, const RetryPolicy& policy,
                        const Sleeper& sleeper, std::ostream& notes, int* attempts) {
  std::vector<std::pair<std::string, std::string>> headers;
  if (!req.idempotency_key.empty()) headers.emplace_back("Idempotency-Key", req.idempotency_key);
  int sent = 0;
  ApiOutcome out;
  for (;;) {
    out = call_api(client, conn, req.method, req.path, req.body, headers);
    ++sent;
    auto delay = retry_delay(out, policy);
    if (!delay || sent > policy.retries) break;
    notes << "omnictl: " << out.message << "; retry " << sent << " of " << policy.retries << " in " << *delay
          << " s" << (req.idempotency_key.empty() ? "" : " with the same Idempotency-Key") << "\n";
    sleeper(*delay);
  }
  if (attempts) *attempts = sent;
  return out;
}

std::string new_idempotency_key() { return "omnictl-" + crypto::random_hex(16); }

std::string shell_quote(std::string_view s) {
  bool plain = !s.empty();
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || std::string_view("@%+=:,./_-").find(c) != std::string_view::npos))
      plain = false;
  if (plain) return std::string(s);
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string render_curl(const Connection& conn, const Request& req, bool show_secrets) {
  std::string base = conn.url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  std::string cmd = "curl -sS";
  if (req.method != "GET") cmd += " -X " + req.method;
  if (!conn.cacert.empty()) cmd += " --cacert " + shell_quote(conn.cacert);
  cmd += " -H " + shell_quote("Accept: application/json");
  if (!conn.apikey.empty()) cmd += " -H " + shell_quote("X-APIKey: " + (show_secrets ? conn.apikey : std::string(kMask)));
  else if (!conn.token.empty())
    cmd += " -H " + shell_quote("Authorization: Bearer " + (show_secrets ? conn.token : std::string(kMask)));
  if (!req.idempotency_key.empty()) cmd += " -H " + shell_quote("Idempotency-Key: " + req.idempotency_key);
  if (!req.body.empty()) {
    cmd += " -H " + shell_quote("Content-Type: application/json");
    cmd += " --data " + shell_quote(show_secrets || req.masked_body.empty() ? req.body : req.masked_body);
  }
  cmd += " " + shell_quote(base + normalize_path(req.path));
  return cmd;
}

}  // namespace og::cli
