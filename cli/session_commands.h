#pragma once
// Built-in commands around a session: login, logout, whoami, status, and config
// (contexts, like kubectl config).

#include <optional>
#include <string>

#include "cli/config.h"
#include "cli/options.h"

namespace og::cli {

struct LoginArgs {
  std::string email;
  bool password_stdin = false;
  std::string password_file;
  std::string mfacode;  // not a lasting secret: a 6-digit code valid for 30 seconds
};
int run_login(const GlobalOptions& opts, const LoginArgs& args);
int run_logout(const GlobalOptions& opts);
int run_whoami(const GlobalOptions& opts);
// GET /api/v1/system/health: 0 all up and unlocked, 2 a component locked, 1 error, 3 network.
int run_status(const GlobalOptions& opts);

struct SetContextArgs {
  std::string name;
  bool apikey_stdin = false;
  std::string apikey_file;
  bool token_stdin = false;
  std::string token_file;
  bool use = false;  // also make it the current context
};
int run_config_set_context(const GlobalOptions& opts, const SetContextArgs& args);
int run_config_use_context(const GlobalOptions& opts, const std::string& name);
int run_config_get_contexts(const GlobalOptions& opts);
int run_config_current_context(const GlobalOptions& opts);
int run_config_delete_context(const GlobalOptions& opts, const std::string& name);

// A cached login token past half its life is renewed (POST /api/v1/user/token/renew), the
// cache updated and r.conn given the new token; on any failure the current one is kept.
void renew_login_token_if_due(Resolved& r, long long now_unix);

// Resolves the connection or prints why not (exit code in *failed).
std::optional<Resolved> resolve_or_report(const GlobalOptions& opts, int* failed, bool need_url = true);

}  // namespace og::cli
