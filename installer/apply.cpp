#include "installer/apply.h"

#include "common/files.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <pqxx/pqxx>
#include <sstream>
#include <stdexcept>

#include "common/password.h"
#include "common/tls_cert.h"
#include "daemon/modules/omnipass/accounts.h"
#include "daemon/secrets/keyring.h"
#include "daemon/store/local_cluster.h"
#include "daemon/store/migrations.h"
#include "installer/certificates.h"
#include "installer/checks.h"

extern char** environ;

namespace og::installer {

namespace fs = std::filesystem;

namespace {

std::string get(const Answers& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

std::string now_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void make_dir(const fs::path& dir, mode_t mode) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create " + dir.string() + ": " + ec.message());
  ::chmod(dir.c_str(), mode);
}

void chown_path(const fs::path& p, uid_t uid, gid_t gid) {
  if (::lchown(p.c_str(), uid, gid) != 0)
    throw std::runtime_error("cannot give " + p.string() +
                             " to the service user: " + std::strerror(errno));
}

std::string listen_port(const std::string& listen) {
  return listen.substr(listen.rfind(':') + 1);
}

// The SCRAM-SHA-256 verifier of a password, computed by libpq on the client: the
// password itself never travels to the server or into its logs.
std::string scram_verifier(const std::string& conninfo, const std::string& user,
                           const std::string& password) {
  PGconn* pg = PQconnectdb(conninfo.c_str());
  if (!pg || PQstatus(pg) != CONNECTION_OK) {
    std::string why = pg ? PQerrorMessage(pg) : "out of memory";
    if (pg) PQfinish(pg);
    throw std::runtime_error("cannot connect to the local cluster: " + why);
  }
  char* v = PQencryptPasswordConn(pg, password.c_str(), user.c_str(), "scram-sha-256");
  if (!v) {
    std::string why = PQerrorMessage(pg);
    PQfinish(pg);
    throw std::runtime_error("cannot compute the password verifier: " + why);
  }
  std::string out(v);
  PQfreemem(v);
  PQfinish(pg);
  return out;
}

}  // namespace

std::string toml_quote(const std::string& value) {
  std::string out = "\"";
  for (unsigned char c : value) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

void write_file(const fs::path& file, const std::string& content, mode_t mode, bool exclusive) {
  if (exclusive) {
    std::error_code ec;
    if (fs::exists(file, ec)) throw std::runtime_error(file.string() + " exists already");
  }
  files::write_atomic(file, content, mode, exclusive);
}

Layout::Layout(const fs::path& r) : root(fs::absolute(r)) {
  etc_dir = root / "etc/omnigate";
  tls_dir = etc_dir / "tls";
  config_file = etc_dir / "omnid.toml";
  record_file = etc_dir / "installation.toml";
  cert_file = tls_dir / "omnid.crt";
  key_file = tls_dir / "omnid.key";
  csr_file = tls_dir / "omnid.csr";
  log_dir = root / "var/log/omnigate";
  log_file = log_dir / "install.log";
  data_dir = root / "var/lib/omnigate";
  cluster_dir = data_dir / "postgres";
}

bool installed(const Layout& layout) {
  std::error_code ec;
  return fs::exists(layout.record_file, ec);
}

std::string InstallationDetails::text() const {
  std::ostringstream out;
  out << "Omnigate OS installation details\n"
      << "Keep them in a safe place: they are shown only this once and the application password\n"
      << "cannot be recovered.\n\n"
      << "  URL:                   " << url << "\n"
      << "  Administrator:         " << administrator << " (with the password you chose)\n"
      << "  Application password:  " << application_password << "\n"
      << "                         (unlocks omnipass, omnibridge and omnipay after every start of "
         "omnid:\n"
      << "                         omnictl unlock --all)\n"
      << "  Environment:           " << environment << "\n"
      << "  Configuration:         " << config_file << "\n"
      << "  Certificate:           " << cert_file << " (" << cert_mode << ")\n";
  if (!csr_file.empty())
    out << "  Request to have signed: " << csr_file << "\n"
        << "                         then: omnictl install certificate --cert SIGNED.crt --chain "
           "CHAIN.crt\n";
  out << "  Database:              " << database << "\n";
  if (!issuer.empty()) out << "  Issuer name:           " << issuer << "\n";
  return out.str();
}

InstallLog::InstallLog(const fs::path& file) {
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0)
    throw std::runtime_error("cannot open " + file.string() + ": " + std::strerror(errno));
  ::close(fd);
  out_.open(file, std::ios::app);
  if (!out_) throw std::runtime_error("cannot open " + file.string());
}

void InstallLog::write(const std::string& step, const std::string& message) {
  out_ << now_utc() << " " << step << ": " << message << "\n";
  out_.flush();
}

Installation::Installation(Answers answers, ApplyOptions options,
                           std::function<void(const std::string&)> progress)
    : answers_(std::move(answers)),
      options_(std::move(options)),
      layout_(options_.root),
      progress_(std::move(progress)) {
  as_root_ = ::geteuid() == 0;
  if (as_root_) {
    if (const passwd* pw = ::getpwnam(options_.service_user.c_str())) {
      have_service_user_ = true;
      uid_ = pw->pw_uid;
      gid_ = pw->pw_gid;
    }
  }
}

Installation::~Installation() {
  try {
    finish();
  } catch (...) {
  }
}

void Installation::step(const std::string& name, const std::string& message) {
  if (log_) log_->write(name, message);
  if (progress_) progress_(name + ": " + message);
}

InstallationDetails Installation::apply() {
  InstallationDetails d;
  make_directories();
  log_ = std::make_unique<InstallLog>(layout_.log_file);
  step("install",
       "started by uid " + std::to_string(::geteuid()) + " under " + layout_.root.string());
  // The answers without their secrets (summary() shows secrets as "(set)").
  const Environment env;
  std::istringstream lines(summary(wizard_steps(env, false), answers_));
  for (std::string line; std::getline(lines, line);) log_->write("answers", line);

  // What this run creates is removed again if a step fails, so that the run can be repeated.
  std::vector<fs::path> created;
  for (const auto& p : {layout_.key_file, layout_.cert_file, layout_.csr_file, layout_.config_file,
                        layout_.record_file, layout_.cluster_dir}) {
    std::error_code ec;
    if (!fs::exists(p, ec)) created.push_back(p);
  }
  std::string current = "certificate";
  try {
    write_certificates(d);
    current = "database";
    set_up_database(d);
    current = "configuration";
    write_configuration();
    write_record();
    if (as_root_ && have_service_user_) hand_over_ownership();
  } catch (const std::exception& e) {
    log_->write(current, std::string("failed: ") + e.what());
    try {
      finish();
    } catch (...) {
    }
    std::string removed;
    for (const auto& p : created) {
      std::error_code ec;
      if (fs::exists(p, ec) && fs::remove_all(p, ec) > 0 && !ec)
        removed += (removed.empty() ? "" : ", ") + p.string();
    }
    if (!removed.empty()) log_->write(current, "removed what this run had created: " + removed);
    throw std::runtime_error("step \"" + current + "\" failed: " + e.what());
  }
  d.url = "https://" + get(answers_, "certificate.hostname") + ":" +
          listen_port(get(answers_, "server.listen"));
  d.administrator = kAdministratorEmail;
  d.environment = get(answers_, "environment.name");
  d.config_file = layout_.config_file.string();
  d.cert_file = layout_.cert_file.string();
  d.cert_mode = get(answers_, "certificate.mode");
  d.issuer = get(answers_, "issuer.name");
  step("install", "complete; the installation details were shown to the operator");
  return d;
}

void Installation::make_directories() {
  make_dir(layout_.etc_dir, 0750);
  make_dir(layout_.tls_dir, 0750);
  make_dir(layout_.log_dir, 0750);
  make_dir(layout_.data_dir, 0750);
  // The local cluster runs as the service user (or postgres when there is none yet): it
  // must be able to enter its directory.
  if (as_root_ && get(answers_, "database.mode") == "local") {
    const std::string user = have_service_user_ ? options_.service_user : "postgres";
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) throw std::runtime_error("no user " + user + " to run the local PostgreSQL cluster");
    chown_path(layout_.data_dir, pw->pw_uid, pw->pw_gid);
  }
}

void Installation::write_certificates(InstallationDetails& d) {
  const std::string mode = get(answers_, "certificate.mode");
  const std::string host = get(answers_, "certificate.hostname");
  if (mode == "existing") {
    std::string cert = read_text_file(get(answers_, "certificate.cert_file"));
    std::string key = read_text_file(get(answers_, "certificate.key_file"));
    write_file(layout_.key_file, key, 0600);
    write_file(layout_.cert_file, cert, 0644);
    step("certificate", "copied " + get(answers_, "certificate.cert_file") + " and its key to " +
                            layout_.tls_dir.string());
    return;
  }
  tls::SelfSignedOptions o;
  o.common_name = host;
  o.dns_names.clear();
  o.ip_addresses.clear();
  if (is_host_name(host) && host.find_first_not_of("0123456789.") != std::string::npos &&
      host.find(':') == std::string::npos)
    o.dns_names.push_back(host);
  else
    o.ip_addresses.push_back(host);
  if (host != "localhost") o.dns_names.push_back("localhost");
  o.ip_addresses.push_back("127.0.0.1");
  tls::PemPair pair = tls::make_self_signed(o);
  tls::write_pem_pair(pair, layout_.cert_file, layout_.key_file);
  step("certificate", "generated a key and a self-signed certificate for " + host + " in " +
                          layout_.tls_dir.string());
  if (mode == "csr") {
    write_file(layout_.csr_file,
               make_csr(pair.key_pem, host, get(answers_, "licence.organization"),
                        get(answers_, "locale.country")),
               0644);
    d.csr_file = layout_.csr_file.string();
    step("certificate",
         "wrote the certificate signing request " + layout_.csr_file.string() +
             " (the self-signed certificate serves until the signed one is installed)");
  }
}

void Installation::set_up_database(InstallationDetails& d) {
  if (get(answers_, "database.mode") == "local") {
    store::LocalClusterOptions lo;
    lo.dir = layout_.cluster_dir;
    if (as_root_) lo.run_as = have_service_user_ ? options_.service_user : "postgres";
    step("database",
         "initialising the local PostgreSQL cluster in " + layout_.cluster_dir.string());
    cluster_ = std::make_unique<store::LocalCluster>(lo);
    cluster_->start();
    // The administrator's password of the wizard replaces the one generated at initdb.
    const std::string password = get(answers_, "database.admin_password");
    std::string verifier = scram_verifier(cluster_->conninfo(), lo.superuser, password);
    {
      pqxx::connection conn(cluster_->conninfo());
      pqxx::nontransaction tx(conn);
      tx.exec("ALTER ROLE " + tx.quote_name(lo.superuser) + " PASSWORD " + tx.quote(verifier));
    }
    write_file(layout_.cluster_dir / "password", password + "\n", 0600);
    conninfo_ = "host=" + store::conninfo_quote((layout_.cluster_dir / "run").string()) +
                " port=" + std::to_string(lo.port) +
                " dbname=" + store::conninfo_quote(lo.database) +
                " user=" + store::conninfo_quote(lo.superuser) +
                " password=" + store::conninfo_quote(password);
    step("database", "local cluster ready; the database administrator password is set");
    d.database = "local, " + layout_.cluster_dir.string();
  } else {
    conninfo_ = remote_conninfo(answers_);
    d.database = "remote, " + get(answers_, "database.user") + "@" +
                 get(answers_, "database.host") + ":" + get(answers_, "database.port") + "/" +
                 get(answers_, "database.name") + " (sslmode " + get(answers_, "database.sslmode") +
                 ")";
    step("database", "using the remote database " + d.database.substr(8));
  }

  pqxx::connection conn(conninfo_);
  int version = store::migrate(conn);
  step("database", "schema at version " + std::to_string(version));

  d.application_password = secrets::generate_application_password();
  pqxx::work tx(conn);
  if (omnipass::find_user_by_email(tx, kAdministratorEmail))
    throw std::runtime_error(std::string("the database has a user ") + kAdministratorEmail +
                             " already");
  omnipass::Profile p;
  p.type = "organization";
  p.is_system = true;
  p.attributes = Json{{"email", kAdministratorEmail},
                      {"organizationname", get(answers_, "licence.organization")},
                      {"adminfirstname", "Platform"},
                      {"adminlastname", "Administrator"}};
  std::string upid = omnipass::insert_profile(tx, p);
  omnipass::User u;
  u.email = kAdministratorEmail;
  u.password_hash = password::hash(get(answers_, "administrator.password"));
  u.language = "en";
  u.timezone = get(answers_, "locale.timezone");
  u.status = "active";
  u.default_upid = upid;
  std::string uuid = omnipass::insert_user(tx, u);
  omnipass::set_membership(
      tx, omnipass::Membership{uuid, upid, kAdministratorEmail, {"system-admin"}, true});
  tx.exec_params("UPDATE profiles SET master_uuid = $2 WHERE upid = $1", upid, uuid);
  secrets::create_keyring(tx, d.application_password);
  tx.commit();
  step("administrator", std::string("created ") + kAdministratorEmail +
                            " (role system-admin on the system profile " + upid + ")");
  step("keyring", "created the keyring; the application password was generated and is not stored");
  if (!get(answers_, "issuer.name").empty()) set_issuer(get(answers_, "issuer.name"));
}

void Installation::set_issuer(const std::string& name) {
  if (conninfo_.empty()) throw std::runtime_error("the database is not set up yet");
  pqxx::connection conn(conninfo_);
  pqxx::work tx(conn);
  auto r = tx.exec_params(
      "SELECT p.upid, coalesce(p.extended->>'issuername', '') FROM profiles p JOIN users u ON "
      "u.default_upid = p.upid "
      "WHERE lower(u.email) = lower($1) FOR UPDATE OF p",
      std::string(kAdministratorEmail));
  if (r.empty()) throw std::runtime_error("the system profile is missing");
  const std::string current = r[0][1].as<std::string>();
  if (!current.empty() && current != name)
    throw std::runtime_error("the issuer name is " + current + " already and cannot change");
  auto taken =
      tx.exec_params("SELECT 1 FROM profiles WHERE extended->>'issuername' = $1 AND upid <> $2",
                     name, r[0][0].as<std::string>());
  if (!taken.empty())
    throw std::runtime_error("the issuer name " + name + " belongs to another profile");
  tx.exec_params(
      "UPDATE profiles SET extended = jsonb_set(extended, '{issuername}', to_jsonb($2::text)), "
      "version = version + 1, "
      "updated_at = now() WHERE upid = $1",
      r[0][0].as<std::string>(), name);
  tx.commit();
  answers_["issuer.name"] = name;
  write_record();
  step("issuer", "the platform's issuer name is " + name);
}

void Installation::write_configuration() {
  std::ostringstream c;
  c << "# omnid configuration, written by `omnictl install` on " << now_utc() << ".\n"
    << "# Every key is described in omnid.toml(5). It holds passwords: keep it 0640, root:"
    << options_.service_user << ".\n\n"
    << "[server]\nlisten = " << toml_quote(get(answers_, "server.listen")) << "\n\n"
    << "[tls]\ncert_file = " << toml_quote(layout_.cert_file.string())
    << "\nkey_file = " << toml_quote(layout_.key_file.string()) << "\n\n";
  if (get(answers_, "database.mode") == "local") {
    c << "[database]\nmode = \"local\"\n\n[database.local]\ndir = "
      << toml_quote(layout_.cluster_dir.string()) << "\n";
    if (as_root_)
      c << "run_as = " << toml_quote(have_service_user_ ? options_.service_user : "postgres")
        << "\n";
    c << "\n";
  } else {
    c << "[database]\nmode = \"remote\"\nurl = " << toml_quote(remote_conninfo(answers_)) << "\n\n";
  }
  c << "[mail]\ntransport = \"smtp\"\nfrom = " << toml_quote(get(answers_, "smtp.from"))
    << "\nsmtp_host = " << toml_quote(get(answers_, "smtp.host"))
    << "\nsmtp_port = " << get(answers_, "smtp.port")
    << "\nsmtp_tls = " << toml_quote(get(answers_, "smtp.tls")) << "\n";
  if (!get(answers_, "smtp.username").empty())
    c << "smtp_username = " << toml_quote(get(answers_, "smtp.username"))
      << "\nsmtp_password = " << toml_quote(get(answers_, "smtp.password")) << "\n";
  if (!get(answers_, "smtp.cacert").empty())
    c << "smtp_cacert = " << toml_quote(get(answers_, "smtp.cacert")) << "\n";
  if (!get(answers_, "notification.email").empty())
    c << "notify = " << toml_quote(get(answers_, "notification.email")) << "\n";
  write_file(layout_.config_file, c.str(), 0640);
  step("configuration", "wrote " + layout_.config_file.string() + " (mode 0640)");
}

void Installation::write_record() {
  // Everything the wizard was told except secrets: what --reconfigure starts from.
  std::ostringstream r;
  r << "# The installation's record, written by `omnictl install`. No secrets. Its presence marks\n"
    << "# this host as installed: `omnictl install` refuses to run again without --reconfigure.\n"
    << "[record]\nwritten_at = " << toml_quote(now_utc()) << "\n";
  std::string section;
  const Environment env;
  for (const auto& s : wizard_steps(env, false))
    for (const auto& f : s.fields) {
      if (f.secret || !answers_.count(f.key)) continue;
      std::string sec = f.key.substr(0, f.key.find('.'));
      if (sec != section) r << "\n[" << sec << "]\n";
      section = sec;
      r << f.key.substr(f.key.find('.') + 1) << " = " << toml_quote(answers_.at(f.key)) << "\n";
    }
  r << "\n[server]\nlisten = " << toml_quote(get(answers_, "server.listen")) << "\n";
  write_file(layout_.record_file, r.str(), 0640);
  if (as_root_ && have_service_user_) chown_path(layout_.record_file, 0, gid_);
}

void Installation::hand_over_ownership() {
  // Configuration readable by the service's group; the key and omnid's data its own.
  chown_path(layout_.etc_dir, 0, gid_);
  chown_path(layout_.tls_dir, 0, gid_);
  chown_path(layout_.config_file, 0, gid_);
  chown_path(layout_.key_file, uid_, gid_);
  chown_path(layout_.data_dir, uid_, gid_);
  chown_path(layout_.log_dir, uid_, gid_);  // omnid may log there too
  step("configuration", "files handed to the service user " + options_.service_user);
}

void Installation::finish() {
  if (cluster_) {
    cluster_->stop();
    cluster_.reset();
    if (as_root_ && have_service_user_) {
      std::error_code ec;
      for (const auto& e : fs::recursive_directory_iterator(layout_.cluster_dir, ec))
        ::lchown(e.path().c_str(), uid_, gid_);
      ::lchown(layout_.cluster_dir.c_str(), uid_, gid_);
    }
  }
}

void Installation::start_service() {
  finish();  // omnid runs the local cluster itself from now on
  std::vector<std::string> args{"systemctl", "enable", "--now", "omnid.service"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  if (::posix_spawnp(&pid, "systemctl", nullptr, nullptr, argv.data(), environ) != 0)
    throw std::runtime_error("cannot run systemctl");
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    throw std::runtime_error(
        "systemctl enable --now omnid.service failed; see journalctl -u omnid");
  step("service", "omnid.service enabled and started");
}

}  // namespace og::installer

namespace og::installer {

namespace {

toml::table parse_toml_file(const fs::path& file) {
  try {
    return toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(file.string() + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
  }
}

std::string section_of(const std::string& key) {
  return key.substr(0, key.find('.'));
}

}  // namespace

Answers recorded_answers(const Layout& layout) {
  Answers out;
  toml::table record = parse_toml_file(layout.record_file);
  for (const auto& [section, node] : record) {
    if (!node.is_table() || section.str() == "record") continue;
    for (const auto& [key, value] : *node.as_table())
      if (value.is_string())
        out[std::string(section.str()) + "." + std::string(key.str())] = value.as_string()->get();
  }
  toml::table config = parse_toml_file(layout.config_file);
  if (auto pw = config["mail"]["smtp_password"].value<std::string>()) out["smtp.password"] = *pw;
  return out;
}

std::optional<AnswerError> prepare_reconfiguration(const Layout& layout,
                                                   const std::vector<Step>& steps,
                                                   const Answers& given, Answers& merged,
                                                   bool checks) {
  merged.clear();
  try {
    merged = recorded_answers(layout);
  } catch (const std::exception& e) {
    return AnswerError{"reconfigure", "", e.what()};
  }
  std::set<std::string> sections;
  for (const auto& [key, value] : given) {
    sections.insert(section_of(key));
    merged[key] = value;
  }
  if (sections.count("smtp") && given.count("smtp.username") && given.at("smtp.username").empty())
    merged.erase("smtp.password");
  std::vector<Step> touched;
  for (const auto& s : steps)
    if (sections.count(s.name)) touched.push_back(s);
  return resolve_answers(touched, merged, Phase::BeforeApply, checks);
}

std::vector<std::string> reconfiguration_changes(const std::vector<Step>& steps,
                                                 const std::set<std::string>& sections,
                                                 const Answers& before, const Answers& after) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& step : steps) {
    if (!sections.count(step.name)) continue;
    for (const auto& f : step.fields) {
      if (!seen.insert(f.key).second) continue;
      const std::string b = get(before, f.key), a = get(after, f.key);
      if (a == b) continue;
      if (f.secret)
        out.push_back(f.key + ": " + (b.empty() ? "(set)" : a.empty() ? "(removed)" : "(changed)"));
      else
        out.push_back(f.key + ": " + (b.empty() ? "(none)" : b) + " -> " +
                      (a.empty() ? "(none)" : a));
    }
  }
  if (sections.count("certificate")) {
    const std::string mode = get(after, "certificate.mode");
    const std::string host = get(after, "certificate.hostname");
    if (mode == "existing")
      out.push_back("certificate: " + get(after, "certificate.cert_file") + " and " +
                    get(after, "certificate.key_file") + " are copied in anew");
    else if (mode == "csr")
      out.push_back(
          "certificate: a new key, a self-signed certificate and a signing request "
          "(omnid.csr) for " +
          host + " are made");
    else
      out.push_back("certificate: a new key and self-signed certificate for " + host + " are made");
  }
  return out;
}

void Installation::reconfigure(const std::set<std::string>& sections) {
  log_ = std::make_unique<InstallLog>(layout_.log_file);
  std::string list;
  for (const auto& s : sections) list += (list.empty() ? "" : ", ") + s;
  step("reconfigure", "started by uid " + std::to_string(::geteuid()) + " for: " + list);
  std::string current = "reconfigure";
  try {
    if (sections.count("certificate")) {
      current = "certificate";
      InstallationDetails d;
      write_certificates(d);
      if (as_root_ && have_service_user_) chown_path(layout_.key_file, uid_, gid_);
    }
    if (sections.count("smtp") || sections.count("server")) {
      current = "configuration";
      toml::table config = parse_toml_file(layout_.config_file);
      if (sections.count("server")) {
        if (!config["server"].is_table()) config.insert_or_assign("server", toml::table{});
        config["server"].as_table()->insert_or_assign("listen", get(answers_, "server.listen"));
      }
      if (sections.count("smtp")) {
        if (!config["mail"].is_table()) config.insert_or_assign("mail", toml::table{});
        toml::table& m = *config["mail"].as_table();
        m.insert_or_assign("transport", "smtp");
        m.insert_or_assign("from", get(answers_, "smtp.from"));
        m.insert_or_assign("smtp_host", get(answers_, "smtp.host"));
        m.insert_or_assign("smtp_port",
                           static_cast<int64_t>(std::stoi(get(answers_, "smtp.port"))));
        m.insert_or_assign("smtp_tls", get(answers_, "smtp.tls"));
        for (const char* k : {"smtp_username", "smtp_password", "smtp_cacert"}) m.erase(k);
        if (!get(answers_, "smtp.username").empty()) {
          m.insert_or_assign("smtp_username", get(answers_, "smtp.username"));
          m.insert_or_assign("smtp_password", get(answers_, "smtp.password"));
        }
        if (!get(answers_, "smtp.cacert").empty())
          m.insert_or_assign("smtp_cacert", get(answers_, "smtp.cacert"));
      }
      std::ostringstream out;
      out << "# omnid configuration (see omnid.toml(5)); last changed by `omnictl install "
             "--reconfigure` on "
          << now_utc() << ".\n# It holds passwords: keep it 0640.\n\n"
          << config << "\n";
      write_file(layout_.config_file, out.str(), 0640);
      if (as_root_ && have_service_user_) chown_path(layout_.config_file, 0, gid_);
      step("configuration", "updated " + layout_.config_file.string());
    }
    current = "record";
    write_record();
  } catch (const std::exception& e) {
    log_->write(current, std::string("failed: ") + e.what());
    throw std::runtime_error("step \"" + current + "\" failed: " + e.what());
  }
  step("reconfigure", "complete");
}

void install_signed_certificate(const Layout& layout, const std::string& cert_file,
                                const std::string& chain_file) {
  toml::table record = parse_toml_file(layout.record_file);
  const std::string host = record["certificate"]["hostname"].value_or(std::string());
  if (host.empty())
    throw std::runtime_error(layout.record_file.string() + " names no certificate.hostname");
  if (auto why = check_certificate_files(cert_file, chain_file, layout.key_file.string(), host))
    throw std::runtime_error(*why);
  std::string pem = read_text_file(cert_file);
  if (!chain_file.empty()) {
    if (!pem.empty() && pem.back() != '\n') pem += "\n";
    pem += read_text_file(chain_file);
  }
  write_file(layout.cert_file, pem, 0644);
  InstallLog log(layout.log_file);
  log.write("certificate",
            "installed the signed certificate from " + cert_file +
                (chain_file.empty() ? std::string() : " with the chain " + chain_file) + " for " +
                host);
}

}  // namespace og::installer
