#pragma once
// omnictl's configuration file (named contexts, like kubectl) and the login token cache,
// and how a connection is resolved from flags, the environment and the file:
// flags beat the environment, the environment beats the file.

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>

#include "cli/api_command.h"
#include "cli/options.h"

namespace og::cli {

struct Context {
  std::string url;
  std::string apikey;  // secret
  std::string token;   // secret
  std::string cacert;
};

struct ConfigFile {
  std::filesystem::path path;
  std::string current_context;
  std::map<std::string, Context> contexts;
};

// Looks up an environment variable; empty values count as unset. Injectable for tests.
using EnvLookup = std::function<std::optional<std::string>(const char*)>;
EnvLookup process_env();

// $XDG_CONFIG_HOME/omnictl/config.toml, else ~/.config/omnictl/config.toml.
std::filesystem::path default_config_path(const EnvLookup& env);
// $XDG_CACHE_HOME/omnictl/tokens, else ~/.cache/omnictl/tokens.
std::filesystem::path token_cache_dir(const EnvLookup& env);

// A missing file is an empty configuration. Throws std::runtime_error on a bad file.
ConfigFile load_config(const std::filesystem::path& path);
// Writes atomically with mode 0600 (the file may hold an API key).
void save_config(const ConfigFile& config);

// The login token cached for a context.
struct CachedToken {
  std::string url;
  std::string token;  // secret
  std::string email;
  long long expires = 0;  // Unix seconds, from the token's "exp"; 0 unknown
};
std::optional<CachedToken> load_cached_token(const std::filesystem::path& dir, const std::string& context);
void save_cached_token(const std::filesystem::path& dir, const std::string& context, const CachedToken& t);
bool remove_cached_token(const std::filesystem::path& dir, const std::string& context);
// "exp" of a JWT (no signature check: the server checks); 0 when absent.
long long jwt_expiry(const std::string& token);
// Any numeric claim of a JWT ("iat", "auth_time"); 0 when absent.
long long jwt_number_claim(const std::string& token, const char* name);

// Where each setting came from, for whoami and tests.
struct Resolved {
  Connection conn;
  std::string context;       // "" when no context applies
  std::string url_source;    // "flag", "env", "context", ""
  std::string auth_source;   // "env OMNICTL_APIKEY", "context apikey", "login token", ""
  bool token_expired = false;  // the cached login token has expired (not used)
  long long token_expires = 0;
  std::filesystem::path config_path;
  std::filesystem::path cache_dir;
};

// Resolves the connection. Throws std::runtime_error for an unknown context or a bad file.
Resolved resolve_connection(const GlobalOptions& opts, const EnvLookup& env, long long now_unix);

// The context name used for the token cache when no context is configured.
inline constexpr const char* kDefaultContext = "default";

}  // namespace og::cli
