#include "cli/session_commands.h"

#include <ctime>
#include <iostream>

#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/present.h"
#include "cli/request.h"
#include "cli/secrets.h"
#include "common/result_codes.h"

namespace og::cli {

namespace {

long long now_unix() { return static_cast<long long>(std::time(nullptr)); }

std::filesystem::path config_path(const GlobalOptions& opts) {
  return opts.config ? std::filesystem::path(*opts.config) : default_config_path(process_env());
}

std::string utc_time(long long t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

RetryPolicy policy_from(const GlobalOptions& opts) {
  RetryPolicy p;
  if (opts.retries) p.retries = *opts.retries;
  p.delay_s = opts.retry_delay_s;
  return p;
}

ApiOutcome send(const GlobalOptions& opts, Connection conn, const std::string& method, const std::string& path,
                const std::string& body, RetryPolicy policy) {
  conn.timeout_ms = static_cast<long>((opts.timeout_s ? *opts.timeout_s : 5.0) * 1000);
  net::Client client;
  Request req{method, path, body, "", ""};
  return send_request(client, conn, req, policy, sleep_seconds, std::cerr);
}

std::optional<int> rc_of(const ApiOutcome& out) {
  if (!out.json || !out.json->is_object() || !out.json->contains("resultcode") ||
      !(*out.json)["resultcode"].is_number_integer())
    return std::nullopt;
  return (*out.json)["resultcode"].get<int>();
}

// Shows a local answer (not the server's) through the usual output modes.
int show(const GlobalOptions& opts, Json answer) {
  ApiOutcome synthetic;
  synthetic.exit_code = kExitOk;
  synthetic.json = std::move(answer);
  return present(opts, synthetic, std::cout, std::cerr);
}

}  // namespace

std::optional<Resolved> resolve_or_report(const GlobalOptions& opts, int* failed, bool need_url) {
  try {
    Resolved r = resolve_connection(opts, process_env(), now_unix());
    if (need_url && r.conn.url.empty()) {
      *failed = local_error(opts, kExitUsage,
                            "no server: set OMNICTL_URL, pass --url, or configure a context (omnictl config)",
                            std::cout, std::cerr);
      return std::nullopt;
    }
    return r;
  } catch (const std::exception& e) {
    *failed = local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
    return std::nullopt;
  }
}

int run_login(const GlobalOptions& opts, const LoginArgs& args) {
  int failed = 0;
  auto r = resolve_or_report(opts, &failed);
  if (!r) return failed;
  std::string email = args.email;
  try {
    if (email.empty()) {
      auto typed = prompt("E-mail", /*secret=*/false);
      if (!typed) return local_error(opts, kExitUsage, "--email is required (no terminal to ask on)", std::cout, std::cerr);
      email = *typed;
    }
    std::string password;
    if (args.password_stdin) password = read_secret_stdin();
    else if (!args.password_file.empty()) password = read_secret_file(args.password_file);
    else {
      auto typed = prompt("Password for " + email, /*secret=*/true);
      if (!typed)
        return local_error(opts, kExitUsage, "no terminal to ask for the password: use --password-stdin or --password-file FILE",
                           std::cout, std::cerr);
      password = *typed;
    }
    if (password.empty()) return local_error(opts, kExitUsage, "the password is empty", std::cout, std::cerr);

    Connection conn = r->conn;
    conn.apikey.clear();
    conn.token.clear();
    std::string mfacode = args.mfacode;
    ApiOutcome out;
    for (int round = 0; round < 2; ++round) {
      Json body{{"email", email}, {"password", password}};
      if (!mfacode.empty()) body["mfacode"] = mfacode;
      out = send(opts, conn, "POST", "/api/v1/user/login", body.dump(), policy_from(opts));
      if (rc_of(out) != code(Rc::MfaRequired) || !mfacode.empty()) break;
      auto typed = prompt("MFA code", /*secret=*/false);
      if (!typed)
        return local_error(opts, kExitAuth, "this account uses MFA: pass --mfacode CODE", std::cout, std::cerr);
      mfacode = *typed;
    }
    if (out.exit_code != kExitOk || !out.json || !out.json->contains("token") || !(*out.json)["token"].is_string()) {
      if (out.exit_code == kExitOk) out.message = "the answer holds no token";
      if (out.exit_code == kExitOk) out.exit_code = kExitNetwork;
      if (out.json) (*out.json).erase("token");
      return present(opts, out, std::cout, std::cerr);
    }
    CachedToken t;
    t.url = r->conn.url;
    t.email = email;
    t.token = (*out.json)["token"].get<std::string>();
    t.expires = jwt_expiry(t.token);
    save_cached_token(r->cache_dir, r->context, t);
    Json shown = *out.json;
    shown["token"] = std::string(kMask);
    shown["context"] = r->context;
    if (t.expires) shown["expires"] = utc_time(t.expires);
    if (opts.output == OutputFormat::Table && !opts.field) {
      std::cout << "Logged in as " << email << " (context " << r->context << ", profile "
                << shown.value("upid", "") << ")";
      if (t.expires) std::cout << "; the token is valid until " << utc_time(t.expires);
      std::cout << ".\n";
      return kExitOk;
    }
    return show(opts, shown);
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
}

int run_logout(const GlobalOptions& opts) {
  int failed = 0;
  auto r = resolve_or_report(opts, &failed, /*need_url=*/false);
  if (!r) return failed;
  bool removed = remove_cached_token(r->cache_dir, r->context);
  if (opts.output == OutputFormat::Json)
    return show(opts, Json{{"context", r->context}, {"loggedout", removed}});
  std::cout << (removed ? "Logged out of context " : "No login token cached for context ") << r->context << ".\n";
  return kExitOk;
}

int run_whoami(const GlobalOptions& opts) {
  int failed = 0;
  auto r = resolve_or_report(opts, &failed);
  if (!r) return failed;
  if (r->token_expired)
    return local_error(opts, kExitAuth,
                       "the login token of context \"" + r->context + "\" expired at " + utc_time(r->token_expires) +
                           ": run omnictl login",
                       std::cout, std::cerr);
  if (r->conn.apikey.empty() && r->conn.token.empty())
    return local_error(opts, kExitAuth, "not logged in: run omnictl login, or set OMNICTL_APIKEY", std::cout, std::cerr);
  ApiOutcome out = send(opts, r->conn, "GET", "/api/v1/profile", "", policy_from(opts));
  if (out.exit_code != kExitOk) return present(opts, out, std::cout, std::cerr);
  Json who{{"context", r->context}, {"url", r->conn.url}, {"credential", r->auth_source}};
  if (r->auth_source == "login token" && r->token_expires) who["expires"] = utc_time(r->token_expires);
  Json profile = *out.json;
  profile.erase("resultcode");
  profile.erase("resultmessage");
  who["profile"] = profile;
  return show(opts, who);
}

int run_status(const GlobalOptions& opts) {
  int failed = 0;
  auto r = resolve_or_report(opts, &failed);
  if (!r) return failed;
  ApiOutcome out = send(opts, r->conn, "GET", "/api/v1/system/health", "", policy_from(opts));
  if (out.exit_code == kExitNetwork) return present(opts, out, std::cout, std::cerr);
  if (out.exit_code != kExitOk) {
    present(opts, out, std::cout, std::cerr);
    return kExitUsage;  // documented: 1 on error
  }
  std::vector<std::string> locked;
  if (out.json->contains("components") && (*out.json)["components"].is_object())
    for (auto it = (*out.json)["components"].begin(); it != (*out.json)["components"].end(); ++it)
      if (it.value().is_object() && it.value().value("locked", false)) locked.push_back(it.key());
  int rc = present(opts, out, std::cout, std::cerr);
  if (rc != kExitOk) return rc;
  if (!locked.empty()) {
    std::string names;
    for (const auto& n : locked) names += (names.empty() ? "" : ", ") + n;
    std::cerr << "omnictl: locked: " << names << " (omnictl unlock)\n";
    return kExitApiError;
  }
  return kExitOk;
}

int run_config_set_context(const GlobalOptions& opts, const SetContextArgs& args) {
  try {
    auto path = config_path(opts);
    ConfigFile cfg = load_config(path);
    if (args.name.empty() || args.name.size() > 64 ||
        args.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
            std::string::npos)
      return local_error(opts, kExitUsage, "a context name is 1-64 letters, digits, '-', '_' or '.'", std::cout,
                         std::cerr);
    Context& c = cfg.contexts[args.name];
    if (opts.url) c.url = *opts.url;
    if (opts.cacert) c.cacert = *opts.cacert;
    if (args.apikey_stdin && args.token_stdin)
      return local_error(opts, kExitUsage, "only one of --apikey-stdin and --token-stdin", std::cout, std::cerr);
    if (args.apikey_stdin) c.apikey = read_secret_stdin();
    else if (!args.apikey_file.empty()) c.apikey = read_secret_file(args.apikey_file);
    if (args.token_stdin) c.token = read_secret_stdin();
    else if (!args.token_file.empty()) c.token = read_secret_file(args.token_file);
    if ((args.apikey_stdin || !args.apikey_file.empty()) && c.apikey.empty())
      return local_error(opts, kExitUsage, "the API key is empty", std::cout, std::cerr);
    if (args.use || cfg.current_context.empty()) cfg.current_context = args.name;
    save_config(cfg);
    std::cout << "Context " << args.name << " saved in " << path.string()
              << (cfg.current_context == args.name ? " (current)" : "") << ".\n";
    return kExitOk;
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
}

int run_config_use_context(const GlobalOptions& opts, const std::string& name) {
  try {
    auto path = config_path(opts);
    ConfigFile cfg = load_config(path);
    if (!cfg.contexts.contains(name))
      return local_error(opts, kExitUsage, "no context \"" + name + "\" in " + path.string(), std::cout, std::cerr);
    cfg.current_context = name;
    save_config(cfg);
    std::cout << "Switched to context " << name << ".\n";
    return kExitOk;
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
}

int run_config_delete_context(const GlobalOptions& opts, const std::string& name) {
  try {
    auto path = config_path(opts);
    ConfigFile cfg = load_config(path);
    if (!cfg.contexts.erase(name))
      return local_error(opts, kExitUsage, "no context \"" + name + "\" in " + path.string(), std::cout, std::cerr);
    if (cfg.current_context == name) cfg.current_context.clear();
    save_config(cfg);
    remove_cached_token(token_cache_dir(process_env()), name);
    std::cout << "Deleted context " << name << ".\n";
    return kExitOk;
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
}

int run_config_get_contexts(const GlobalOptions& opts) {
  try {
    auto path = config_path(opts);
    ConfigFile cfg = load_config(path);
    Json list = Json::array();
    for (const auto& [name, c] : cfg.contexts) {
      std::string auth = !c.apikey.empty() ? "apikey" : !c.token.empty() ? "token" : "login";
      list.push_back(Json{{"current", name == cfg.current_context ? "*" : ""},
                          {"name", name},
                          {"url", c.url},
                          {"credential", auth},
                          {"cacert", c.cacert}});
    }
    if (opts.output == OutputFormat::Json || opts.field) return show(opts, Json{{"currentcontext", cfg.current_context}, {"contexts", list}});
    if (list.empty()) std::cout << "No contexts in " << path.string() << " (omnictl config set-context NAME --url URL).\n";
    else std::cout << render_table(list, use_color(opts.no_color));
    return kExitOk;
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
}

int run_config_current_context(const GlobalOptions& opts) {
  try {
    auto path = config_path(opts);
    ConfigFile cfg = load_config(path);
    if (cfg.current_context.empty()) return local_error(opts, kExitUsage, "no current context", std::cout, std::cerr);
    std::cout << cfg.current_context << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
}

void renew_login_token_if_due(Resolved& r, long long now_unix) {
  if (r.auth_source != "login token" || r.conn.token.empty()) return;
  const long long exp = jwt_expiry(r.conn.token), iat = jwt_number_claim(r.conn.token, "iat");
  if (exp == 0 || iat == 0 || exp <= now_unix || now_unix < iat + (exp - iat) / 2) return;
  auto cached = load_cached_token(r.cache_dir, r.context);
  if (!cached || cached->token != r.conn.token) return;
  Connection conn = r.conn;
  conn.apikey.clear();
  net::Client client;
  ApiOutcome out = call_api(client, conn, "POST", "/api/v1/user/token/renew", "{}");
  if (out.exit_code != kExitOk || !out.json || !out.json->contains("token") || !(*out.json)["token"].is_string())
    return;  // e.g. the session is over: the current token serves until it expires
  cached->token = (*out.json)["token"].get<std::string>();
  cached->expires = jwt_expiry(cached->token);
  try {
    save_cached_token(r.cache_dir, r.context, *cached);
  } catch (const std::exception&) {
    // An unwritable cache: use the new token for this command only.
  }
  r.conn.token = cached->token;
  r.token_expires = cached->expires;
}

}  // namespace og::cli
