#include "installer/checks.h"

#include <pqxx/pqxx>

#include "daemon/store/local_cluster.h"

namespace og::installer {

namespace {
std::string get(const Answers& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

// libpq's messages hold no password; keep only their first line.
std::string first_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}
}  // namespace

std::string remote_conninfo(const Answers& a) {
  using store::conninfo_quote;
  std::string out = "host=" + conninfo_quote(get(a, "database.host")) +
                    " port=" + conninfo_quote(get(a, "database.port")) +
                    " dbname=" + conninfo_quote(get(a, "database.name")) +
                    " user=" + conninfo_quote(get(a, "database.user")) +
                    " sslmode=" + conninfo_quote(get(a, "database.sslmode"));
  if (!get(a, "database.password").empty())
    out += " password=" + conninfo_quote(get(a, "database.password"));
  return out;
}

std::optional<std::string> check_remote_database(const Answers& a) {
  try {
    pqxx::connection conn(remote_conninfo(a) + " connect_timeout=10");
    if (conn.server_version() < 130000)
      return "the server runs PostgreSQL " + std::to_string(conn.server_version() / 10000) +
             "; 13 or later is needed";
    pqxx::read_transaction tx(conn);
    // Installed: a keyring or an administrator. (The schema alone may be left by an
    // installation that failed later: the migrations are kept, the rest is redone.)
    bool installed = false;
    if (!tx.exec("SELECT to_regclass('keyring')")[0][0].is_null())
      installed = tx.exec("SELECT count(*) FROM keyring")[0][0].as<long>() > 0;
    if (!installed && !tx.exec("SELECT to_regclass('users')")[0][0].is_null())
      installed =
          !tx.exec("SELECT 1 FROM users WHERE lower(email) = 'admin@omnigate.local'").empty();
    if (installed)
      return "the database " + get(a, "database.name") +
             " holds an Omnigate installation already; give an empty database";
  } catch (const std::exception& e) {
    return "cannot connect to the database: " + first_line(e.what());
  }
  return std::nullopt;
}

mail::SmtpSettings smtp_settings(const Answers& a) {
  mail::SmtpSettings s;
  s.host = get(a, "smtp.host");
  s.port = std::stoi(get(a, "smtp.port"));
  s.tls = mail::parse_tls(get(a, "smtp.tls")).value_or(mail::SmtpSettings::Tls::StartTls);
  s.username = get(a, "smtp.username");
  s.password = get(a, "smtp.password");
  s.from = get(a, "smtp.from");
  s.cacert = get(a, "smtp.cacert");
  return s;
}

std::optional<std::string> send_test_mail(const Answers& a) {
  try {
    auto mailer = mail::smtp_mailer(smtp_settings(a));
    mailer->send({get(a, "notification.email"), "Omnigate OS installation: SMTP test",
                  "This message was sent by the Omnigate OS installation wizard to check the SMTP "
                  "settings.\n"
                  "Nothing else is needed: the settings work.\n"});
  } catch (const std::exception& e) {
    return "the test message to " + get(a, "notification.email") +
           " could not be sent: " + e.what();
  }
  return std::nullopt;
}

}  // namespace og::installer
