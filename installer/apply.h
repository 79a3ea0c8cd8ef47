#pragma once
// Applying the wizard's answers: configuration, certificates, the database (a local
// cluster or a remote one), its schema, the platform administrator, the keyring and its
// application password, then the issuer name. Every step is logged to install.log without
// secrets.

#include <sys/types.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "installer/wizard.h"

namespace og::store {
class LocalCluster;
}

namespace og::installer {

inline constexpr const char* kAdministratorEmail = "admin@omnigate.local";

// Where an installation's files go under a root prefix ("/" on a real host). The paths in
// omnid.toml are these very paths (with the prefix): --root is a prefix, not a chroot.
struct Layout {
  explicit Layout(const std::filesystem::path& root = "/");
  std::filesystem::path root, etc_dir, tls_dir, config_file, record_file, cert_file, key_file,
      csr_file, log_dir, log_file, data_dir, cluster_dir;
};

// An installation exists under the layout (its record /etc/omnigate/installation.toml).
bool installed(const Layout& layout);

struct ApplyOptions {
  std::filesystem::path root = "/";
  std::string service_user = "omnigate";  // owns the files when run as root (if the user exists)
};

struct InstallationDetails {
  std::string url, administrator, application_password, environment, config_file, cert_file,
      cert_mode, csr_file, database, issuer;
  // The text shown once at the end (holds the application password).
  std::string text() const;
};

// Appends "TIMESTAMP step: message" lines (file mode 0640). Callers never pass secrets.
class InstallLog {
 public:
  explicit InstallLog(const std::filesystem::path& file);
  void write(const std::string& step, const std::string& message);

 private:
  std::ofstream out_;
};

class Installation {
 public:
  // `answers` must have passed resolve_answers() for Phase::BeforeApply. `progress` gets a
  // line per step (no secrets) for the terminal.
  Installation(Answers answers, ApplyOptions options,
               std::function<void(const std::string&)> progress = {});
  ~Installation();
  Installation(const Installation&) = delete;
  Installation& operator=(const Installation&) = delete;

  // Writes everything and returns the installation details. Throws std::runtime_error
  // naming the step that failed.
  InstallationDetails apply();
  // The configuration step (after apply): the system profile's write-once issuer name.
  void set_issuer(const std::string& name);
  // Stops the local cluster (if any) and gives its files to the service user.
  void finish();
  // finish(), then systemctl enable --now omnid.service. Throws when systemctl fails.
  void start_service();
  // --reconfigure: applies the answers (as merged by prepare_reconfiguration) of these
  // sections only: certificate files, the keys of omnid.toml they set (other keys and
  // hand edits stay), the record. Throws std::runtime_error naming the step.
  void reconfigure(const std::set<std::string>& sections);

  const Layout& layout() const { return layout_; }

 private:
  void make_directories();
  void write_certificates(InstallationDetails& d);
  void set_up_database(InstallationDetails& d);
  void write_configuration();
  void write_record();
  void hand_over_ownership();
  void step(const std::string& name, const std::string& message);

  Answers answers_;
  ApplyOptions options_;
  Layout layout_;
  std::function<void(const std::string&)> progress_;
  std::unique_ptr<InstallLog> log_;
  std::unique_ptr<store::LocalCluster> cluster_;
  std::string conninfo_;  // holds a password: never logged
  bool as_root_ = false;
  uid_t uid_ = 0;
  gid_t gid_ = 0;
  bool have_service_user_ = false;
};

// The installation's recorded answers: installation.toml (every answer but the secrets)
// plus the SMTP password kept in omnid.toml. What --reconfigure starts from, and the
// current values a front end offers as defaults. Throws std::runtime_error naming the
// file when one cannot be read or parsed.
Answers recorded_answers(const Layout& layout);

// --reconfigure: the recorded answers with `given` laid over them, validated for the steps
// of the sections in `given`; with `checks` their checks run too (SMTP test message,
// certificate files: a front end that has run them while asking passes false). Returns
// the first error; `merged` is complete when nullopt.
std::optional<AnswerError> prepare_reconfiguration(const Layout& layout,
                                                   const std::vector<Step>& steps,
                                                   const Answers& given, Answers& merged,
                                                   bool checks = true);

// What a reconfiguration of `sections` changes, for the confirmation: one line per answer
// of those steps (of `steps`) whose value differs between `before` (recorded_answers) and
// `after` (as merged), "key: old -> new" with "(none)" for no value; a secret only as
// "(set)", "(changed)" or "(removed)". A certificate section adds what is made or copied
// anew (a new key even when its answers are unchanged). Empty when nothing changes.
std::vector<std::string> reconfiguration_changes(const std::vector<Step>& steps,
                                                 const std::set<std::string>& sections,
                                                 const Answers& before, const Answers& after);

// `omnictl install certificate`: checks the signed certificate (and chain) against the
// installation's key and host name, then replaces the served certificate with it (chain
// appended). Throws std::runtime_error with the reason; nothing changes then.
void install_signed_certificate(const Layout& layout, const std::string& cert_file,
                                const std::string& chain_file);

// The value of a TOML basic string, quotes included.
std::string toml_quote(const std::string& value);

// Writes a file atomically (temporary file + rename) with the given mode; O_EXCL
// semantics when `exclusive` (refuses to replace an existing file).
void write_file(const std::filesystem::path& file, const std::string& content, mode_t mode,
                bool exclusive = false);

}  // namespace og::installer
