#include "cli/config.h"

#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <toml++/toml.h>

#include "common/crypto.h"
#include "common/json.h"

namespace og::cli {

namespace fs = std::filesystem;

EnvLookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    if (!v || !*v) return std::nullopt;
    return std::string(v);
  };
}

namespace {

fs::path home_dir(const EnvLookup& env) {
  if (auto h = env("HOME")) return *h;
  return fs::path("/");
}

// Writes `text` to `path` atomically with mode 0600, making the directory (0700).
void write_private(const fs::path& path, const std::string& text) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec) throw std::runtime_error("cannot create " + path.parent_path().string() + ": " + ec.message());
  files::write_atomic(path, text, 0600);
}

bool valid_context_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  return name != "." && name != "..";
}

}  // namespace

fs::path default_config_path(const EnvLookup& env) {
  if (auto x = env("XDG_CONFIG_HOME")) return fs::path(*x) / "omnictl" / "config.toml";
  return home_dir(env) / ".config" / "omnictl" / "config.toml";
}

fs::path token_cache_dir(const EnvLookup& env) {
  if (auto x = env("XDG_CACHE_HOME")) return fs::path(*x) / "omnictl" / "tokens";
  return home_dir(env) / ".cache" / "omnictl" / "tokens";
}

ConfigFile load_config(const fs::path& path) {
  ConfigFile cfg;
  cfg.path = path;
  std::error_code ec;
  if (!fs::exists(path, ec)) return cfg;
  toml::table root;
  try {
    root = toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path.string() << ":" << e.source().begin.line << ": " << e.description();
    throw std::runtime_error(msg.str());
  }
  for (auto&& [k, v] : root) {
    std::string key(k.str());
    if (key == "current-context") {
      auto s = v.value<std::string>();
      if (!s) throw std::runtime_error(path.string() + ": current-context must be a string");
      cfg.current_context = *s;
    } else if (key == "contexts") {
      const toml::table* contexts = v.as_table();
      if (!contexts) throw std::runtime_error(path.string() + ": contexts must be a table");
      for (auto&& [name, node] : *contexts) {
        const toml::table* t = node.as_table();
        std::string n(name.str());
        if (!t) throw std::runtime_error(path.string() + ": contexts." + n + " must be a table");
        Context c;
        for (auto&& [fk, fv] : *t) {
          std::string field(fk.str());
          auto s = fv.value<std::string>();
          if (!s) throw std::runtime_error(path.string() + ": contexts." + n + "." + field + " must be a string");
          if (field == "url") c.url = *s;
          else if (field == "apikey") c.apikey = *s;
          else if (field == "token") c.token = *s;
          else if (field == "cacert") c.cacert = *s;
          else throw std::runtime_error(path.string() + ": contexts." + n + ": unknown key " + field +
                                        " (url, apikey, token, cacert)");
        }
        cfg.contexts[n] = c;
      }
    } else {
      throw std::runtime_error(path.string() + ": unknown key " + key + " (current-context, contexts)");
    }
  }
  return cfg;
}

void save_config(const ConfigFile& config) {
  toml::table root;
  if (!config.current_context.empty()) root.insert("current-context", config.current_context);
  toml::table contexts;
  for (const auto& [name, c] : config.contexts) {
    toml::table t;
    if (!c.url.empty()) t.insert("url", c.url);
    if (!c.cacert.empty()) t.insert("cacert", c.cacert);
    if (!c.apikey.empty()) t.insert("apikey", c.apikey);
    if (!c.token.empty()) t.insert("token", c.token);
    contexts.insert(name, std::move(t));
  }
  root.insert("contexts", std::move(contexts));
  std::ostringstream out;
  out << "# omnictl configuration (omnictl config ...). Mode 0600: it may hold API keys.\n" << root << "\n";
  write_private(config.path, out.str());
}

long long jwt_expiry(const std::string& token) { return jwt_number_claim(token, "exp"); }

long long jwt_number_claim(const std::string& token, const char* name) {
  auto a = token.find('.');
  auto b = a == std::string::npos ? a : token.find('.', a + 1);
  if (b == std::string::npos) return 0;
  auto payload = crypto::base64url_decode(std::string_view(token).substr(a + 1, b - a - 1));
  if (!payload) return 0;
  Json claims = Json::parse(*payload, nullptr, false);
  if (!claims.is_object() || !claims.contains(name) || !claims[name].is_number()) return 0;
  return claims[name].get<long long>();
}

std::optional<CachedToken> load_cached_token(const fs::path& dir, const std::string& context) {
  if (!valid_context_name(context)) return std::nullopt;
  std::ifstream in(dir / (context + ".json"));
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Json j = Json::parse(text, nullptr, false);
  if (!j.is_object() || !j.contains("token") || !j["token"].is_string()) return std::nullopt;
  CachedToken t;
  t.token = j["token"].get<std::string>();
  t.url = j.value("url", "");
  t.email = j.value("email", "");
  t.expires = j.value("expires", 0LL);
  return t;
}

void save_cached_token(const fs::path& dir, const std::string& context, const CachedToken& t) {
  if (!valid_context_name(context)) throw std::runtime_error("bad context name: " + context);
  Json j{{"url", t.url}, {"email", t.email}, {"expires", t.expires}, {"token", t.token}};
  std::error_code ec;
  fs::create_directories(dir, ec);
  ::chmod(dir.c_str(), 0700);
  write_private(dir / (context + ".json"), j.dump() + "\n");
}

bool remove_cached_token(const fs::path& dir, const std::string& context) {
  if (!valid_context_name(context)) return false;
  std::error_code ec;
  return fs::remove(dir / (context + ".json"), ec);
}

Resolved resolve_connection(const GlobalOptions& opts, const EnvLookup& env, long long now_unix) {
  Resolved r;
  r.config_path = opts.config ? fs::path(*opts.config) : default_config_path(env);
  r.cache_dir = token_cache_dir(env);
  if (opts.config && !fs::exists(r.config_path))
    throw std::runtime_error("configuration file " + r.config_path.string() + " does not exist");
  ConfigFile cfg = load_config(r.config_path);

  std::string ctx_name;
  bool named = false;
  if (opts.context) {
    ctx_name = *opts.context;
    named = true;
  } else if (auto e = env("OMNICTL_CONTEXT")) {
    ctx_name = *e;
    named = true;
  } else {
    ctx_name = cfg.current_context;
  }
  const Context* ctx = nullptr;
  if (!ctx_name.empty()) {
    auto it = cfg.contexts.find(ctx_name);
    if (it == cfg.contexts.end()) {
      if (named || !cfg.current_context.empty())
        throw std::runtime_error("no context \"" + ctx_name + "\" in " + r.config_path.string() +
                                 " (omnictl config get-contexts)");
    } else {
      ctx = &it->second;
    }
  }
  r.context = ctx_name.empty() ? kDefaultContext : ctx_name;

  if (opts.url) {
    r.conn.url = *opts.url;
    r.url_source = "flag";
  } else if (auto e = env("OMNICTL_URL")) {
    r.conn.url = *e;
    r.url_source = "env";
  } else if (ctx && !ctx->url.empty()) {
    r.conn.url = ctx->url;
    r.url_source = "context";
  }

  if (opts.cacert) r.conn.cacert = *opts.cacert;
  else if (auto e = env("OMNICTL_CACERT")) r.conn.cacert = *e;
  else if (ctx) r.conn.cacert = ctx->cacert;

  // The credential is one setting: the first level that gives one wins.
  if (auto k = env("OMNICTL_APIKEY")) {
    r.conn.apikey = *k;
    r.auth_source = "env OMNICTL_APIKEY";
  } else if (auto t = env("OMNICTL_TOKEN")) {
    r.conn.token = *t;
    r.auth_source = "env OMNICTL_TOKEN";
  } else if (ctx && !ctx->apikey.empty()) {
    r.conn.apikey = ctx->apikey;
    r.auth_source = "context apikey";
  } else if (ctx && !ctx->token.empty()) {
    r.conn.token = ctx->token;
    r.auth_source = "context token";
  } else if (auto cached = load_cached_token(r.cache_dir, r.context)) {
    // A token cached for another server is not sent.
    if (cached->url == r.conn.url) {
      r.token_expires = cached->expires;
      if (cached->expires != 0 && cached->expires <= now_unix) {
        r.token_expired = true;
      } else {
        r.conn.token = cached->token;
        r.auth_source = "login token";
      }
    }
  }
  return r;
}

}  // namespace og::cli
