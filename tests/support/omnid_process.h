#pragma once
// Boots a real omnid for integration tests: `omnid --dev` (its own PostgreSQL, its own
// certificate, an administrator key), or omnid with a configuration file written by the
// test. Requests go over real HTTPS (libcurl) and are verified against omnid's own
// certificate. The process is stopped (SIGTERM) when the object goes away.

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/http_client.h"
#include "common/json.h"

namespace og::test {

struct OmnidOptions {
  bool dev = true;
  bool dev_data_dir = true;  // dev: pass --data-dir (else omnid makes and removes a temporary one)
  // Non-dev: omnid.toml is generated (listen on 127.0.0.1:0, a generated certificate, a
  // local cluster under the test's directory unless database_url is set); these
  // "section.key" -> TOML value entries are added or override, e.g.
  // {"rate_limit.burst", "3"}, {"server.http_listen", "\"127.0.0.1:0\""}.
  std::map<std::string, std::string> config;
  std::string extra_toml;  // non-dev: appended to omnid.toml as it is ([[bridge]] tables, ...)
  std::string database_url;  // non-dev: database.mode = "remote" with this URL
  std::vector<std::string> extra_args;
  std::map<std::string, std::string> env;  // added to omnid's environment
  bool wait_ready = true;
};

struct Answer {
  long status = 0;
  Json json;         // discarded() when the body is not JSON
  std::string body;
  net::HttpResponse raw;
  net::Failure failure = net::Failure::None;
  std::string error;
  int resultcode() const { return json.is_object() && json.contains("resultcode") ? json["resultcode"].get<int>() : 0; }
  std::string message() const {
    return json.is_object() && json.contains("resultmessage") ? json["resultmessage"].get<std::string>() : "";
  }
};

class Omnid {
 public:
  explicit Omnid(OmnidOptions options = {});
  ~Omnid();
  Omnid(const Omnid&) = delete;
  Omnid& operator=(const Omnid&) = delete;

  // Sends a request with the administrator key (dev) unless `apikey` is given ("" = none).
  Answer call(const std::string& method, const std::string& path, const std::string& body = {},
              std::optional<std::string> apikey = std::nullopt,
              std::vector<std::pair<std::string, std::string>> headers = {});
  Answer call_json(const std::string& method, const std::string& path, const Json& body,
                   std::optional<std::string> apikey = std::nullopt);

  // Creates an API key with these roles directly in omnid's database; returns the key.
  // (Each call makes a new profile for it.)
  std::string create_api_key(const std::vector<std::string>& roles);

  // A profile (a child of `parent_upid` when given) with an API key carrying `roles`.
  struct Credential {
    std::string upid;
    std::string apikey;
  };
  Credential create_profile_with_key(const std::vector<std::string>& roles, const std::string& parent_upid = "");
  // Another key for an existing profile.
  std::string create_api_key_for(const std::string& upid, const std::vector<std::string>& roles);

  // SIGTERM (or another signal) and wait; returns the exit status (or -signal).
  int stop(int signal = 15, std::chrono::seconds timeout = std::chrono::seconds(60));
  bool running();
  // Waits until the log contains `needle` (false on timeout or exit).
  bool wait_for_log(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(90));

  std::string log() const;  // everything omnid wrote to stderr
  std::string out() const;  // everything omnid wrote to stdout
  std::vector<Json> log_lines() const;

  const std::string& url() const { return url_; }
  const std::string& apikey() const { return apikey_; }
  const std::string& cacert() const { return cacert_; }
  const std::filesystem::path& dir() const { return dir_; }
  pid_t pid() const { return pid_; }
  // libpq conninfo of omnid's own local cluster.
  std::string db_conninfo() const;
  // Waits until omnid's outbox has nothing pending (mail is delivered after the request's
  // commit, by a job); false on timeout.
  bool wait_for_outbox(std::chrono::seconds timeout = std::chrono::seconds(20));
  // dev: the data directory (from the banner when omnid chose it).
  std::filesystem::path data_dir() const;

  // Waits for "omnid ready" (done by the constructor unless options.wait_ready is false).
  void wait_ready();

 private:
  OmnidOptions options_;
  std::filesystem::path dir_;
  std::string url_, apikey_, cacert_;
  pid_t pid_ = -1;
  int status_ = 0;
  bool exited_ = false;
  net::Client client_;
};

// Runs a program to completion, capturing its output (stdout and stderr separately).
struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& stdin_text = {},
                          const std::map<std::string, std::string>& env = {},
                          std::chrono::seconds timeout = std::chrono::seconds(120));

// A temporary directory removed on destruction (mode 0711 so the cluster user can traverse).
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "og");
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

std::string read_file(const std::filesystem::path& p);

}  // namespace og::test
