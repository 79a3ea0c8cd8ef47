#include "installer/wizard.h"

#include <arpa/inet.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

#include "common/password.h"
#include "common/validation.h"
#include "daemon/mail/mailer.h"
#include "installer/certificates.h"
#include "installer/checks.h"

namespace og::installer {

namespace fs = std::filesystem;

namespace {

using Validator = std::function<std::optional<std::string>(const std::string&, const Answers&)>;

std::string get(const Answers& a, const std::string& key) {
  auto it = a.find(key);
  return it == a.end() ? std::string() : it->second;
}

std::function<std::string(const Answers&)> fixed(std::string value) {
  return [value = std::move(value)](const Answers&) { return value; };
}

std::function<bool(const Answers&)> when(std::string key, std::string value) {
  return [key = std::move(key), value = std::move(value)](const Answers& a) {
    return get(a, key) == value;
  };
}

Validator one_of(std::vector<std::string> values) {
  return [values = std::move(values)](const std::string& v,
                                      const Answers&) -> std::optional<std::string> {
    if (std::find(values.begin(), values.end(), v) != values.end()) return std::nullopt;
    std::string list;
    for (const auto& x : values) list += (list.empty() ? "" : ", ") + x;
    return "must be one of " + list;
  };
}

bool printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// Free text: 1 to max code points of UTF-8 without control characters.
Validator text(std::size_t max) {
  return [max](const std::string& v, const Answers&) -> std::optional<std::string> {
    if (!validation::is_valid_utf8(v)) return "must be UTF-8 text";
    if (std::any_of(v.begin(), v.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }))
      return "must not contain control characters";
    if (validation::utf8_length(v) > max)
      return "must be at most " + std::to_string(max) + " characters long";
    return std::nullopt;
  };
}

Validator email() {
  return [](const std::string& v, const Answers&) -> std::optional<std::string> {
    if (!mail::valid_address(v)) return "is not an e-mail address (local@domain.tld)";
    return std::nullopt;
  };
}

Validator port() {
  return [](const std::string& v, const Answers&) -> std::optional<std::string> {
    if (v.empty() || v.size() > 5 || !std::all_of(v.begin(), v.end(), ::isdigit) ||
        std::stoi(v) < 1 || std::stoi(v) > 65535)
      return "must be a port number from 1 to 65535";
    return std::nullopt;
  };
}

Validator readable_file() {
  return [](const std::string& v, const Answers&) -> std::optional<std::string> {
    std::error_code ec;
    if (!fs::is_regular_file(v, ec)) return "no such file: " + v;
    if (::access(v.c_str(), R_OK) != 0) return "cannot read " + v;
    return std::nullopt;
  };
}

// PostgreSQL identifiers as the installer accepts them for a database or user name.
Validator identifier() {
  return [](const std::string& v, const Answers&) -> std::optional<std::string> {
    if (v.empty() || v.size() > 63) return "must be 1 to 63 characters long";
    if (!std::all_of(v.begin(), v.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        }))
      return "must hold only letters, digits, '_' and '-'";
    return std::nullopt;
  };
}

std::string read_link_zone() {
  std::error_code ec;
  fs::path target = fs::read_symlink("/etc/localtime", ec);
  if (ec) return {};
  std::string t = target.string();
  auto pos = t.find("zoneinfo/");
  return pos == std::string::npos ? std::string() : t.substr(pos + 9);
}

// Lines of a tzdata .tab file, comments skipped, split at tabs.
std::vector<std::vector<std::string>> read_tab(const fs::path& file) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    rows.push_back(std::move(cols));
  }
  return rows;
}

}  // namespace

std::string AnswerError::message() const {
  return "step \"" + step + "\"" + (key.empty() ? std::string() : " (" + key + ")") + ": " + reason;
}

bool applies(const Field& f, const Answers& answers) {
  return !f.applies || f.applies(answers);
}

std::string value_or_default(const Field& f, const std::string& answer, const Answers& answers) {
  if (!answer.empty() || !f.default_value) return answer;
  return f.default_value(answers);
}

std::string normalise_answer(const std::string& key, const std::string& value) {
  if (key == "environment.name") return normalise_environment(value).value_or(value);
  if (key == "eula.accept") {
    auto yes = parse_yes_no(value);
    return yes ? (*yes ? "yes" : "no") : value;
  }
  return value;
}

std::optional<bool> parse_yes_no(std::string_view text) {
  std::string t(text);
  std::transform(t.begin(), t.end(), t.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (t == "yes" || t == "y" || t == "true" || t == "1" || t == "accept") return true;
  if (t == "no" || t == "n" || t == "false" || t == "0") return false;
  return std::nullopt;
}

bool is_country_code(const Environment& env, std::string_view code) {
  return code.size() == 2 && !country_name(env, code).empty();
}

std::string country_name(const Environment& env, std::string_view code) {
  for (const auto& row : read_tab(env.zoneinfo / "iso3166.tab"))
    if (row.size() >= 2 && row[0] == code) return row[1];
  return {};
}

std::vector<std::string> zones_of_country(const Environment& env, std::string_view code) {
  std::vector<std::string> zones;
  for (const auto& row : read_tab(env.zoneinfo / "zone.tab"))
    if (row.size() >= 3 && row[0] == code) zones.push_back(row[2]);
  return zones;
}

bool is_zone(const Environment& env, std::string_view zone) {
  if (zone.empty() || zone.front() == '/' || zone.find("..") != std::string_view::npos)
    return false;
  if (!std::all_of(zone.begin(), zone.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' ||
               c == '+';
      }))
    return false;
  std::error_code ec;
  return fs::is_regular_file(env.zoneinfo / std::string(zone), ec);
}

bool is_host_name(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::string s(name);
  unsigned char buf[16];
  if (inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1)
    return true;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t dot = s.find('.', start);
    std::string label = s.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return false;
    if (!std::all_of(label.begin(), label.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
        }))
      return false;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return true;
}

std::string system_hostname() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0 || !buf[0]) return "localhost";
  return buf;
}

std::optional<std::string> normalise_environment(std::string_view name) {
  static const std::vector<std::string> kNamed{"Production", "Staging", "Development",
                                               "Workstation"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& n : kNamed) {
    std::string l = n;
    std::transform(l.begin(), l.end(), l.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (l == lower) return n;
  }
  if (name.empty() || name.size() > 32 || name.front() == ' ' || name.back() == ' ')
    return std::nullopt;
  if (!std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == ' ' || c == '-' || c == '_';
      }))
    return std::nullopt;
  return std::string(name);
}

std::vector<Field> option_fields() {
  std::vector<Field> out;
  out.push_back(Field{
      .key = "server.listen",
      .prompt = "HTTPS address",
      .explanation = "The address and port omnid serves HTTPS on.",
      .default_value = fixed("0.0.0.0:8443"),
      .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
        auto colon = v.rfind(':');
        if (colon == std::string::npos || colon == 0)
          return "must be ADDRESS:PORT, e.g. 0.0.0.0:8443";
        std::string host = v.substr(0, colon), p = v.substr(colon + 1);
        if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
        unsigned char buf[16];
        if (inet_pton(AF_INET, host.c_str(), buf) != 1 &&
            inet_pton(AF_INET6, host.c_str(), buf) != 1)
          return "the address must be an IP address, e.g. 0.0.0.0:8443";
        if (p.empty() || p.size() > 5 || !std::all_of(p.begin(), p.end(), ::isdigit) ||
            std::stoi(p) > 65535)
          return "the port must be a number from 0 to 65535";
        return std::nullopt;
      },
  });
  return out;
}

std::vector<Step> wizard_steps(const Environment& env, bool with_checks) {
  std::vector<Step> steps;
  const Environment* e = &env;
  auto hostname = [e]() { return e->hostname.empty() ? system_hostname() : e->hostname; };

  steps.push_back(Step{
      .name = "eula",
      .title = "End User License Agreement",
      .explanation =
          "Omnigate OS is licensed to you under the Omnigate OS End User License Agreement\n"
          "(/usr/share/licenses/omnigate/EULA when installed from the package). Read it and "
          "accept\n"
          "it to continue; the installation stops here otherwise.",
      .fields = {Field{
          .key = "eula.accept",
          .prompt = "Do you accept the End User License Agreement? (yes/no)",
          .explanation = "Answer yes to accept the agreement.",
          .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
            auto yes = parse_yes_no(v);
            if (!yes) return "answer yes or no";
            if (!*yes)
              return "the End User License Agreement must be accepted to install Omnigate OS";
            return std::nullopt;
          },
      }},
  });

  steps.push_back(Step{
      .name = "locale",
      .title = "Country and timezone",
      .explanation = "Your preferred country and timezone for this Omnigate OS installation.",
      .fields =
          {Field{
               .key = "locale.country",
               .prompt = "Country (ISO 3166 code, e.g. CA, US, FR)",
               .explanation = "Two letters, as in the system's tzdata (" +
                              (env.zoneinfo / "iso3166.tab").string() + ").",
               .default_value =
                   [e](const Answers&) {
                     std::string zone = read_link_zone();
                     for (const auto& row : read_tab(e->zoneinfo / "zone.tab"))
                       if (row.size() >= 3 && row[2] == zone) return row[0];
                     return std::string("CA");
                   },
               .validate = [e](const std::string& v, const Answers&) -> std::optional<std::string> {
                 if (!is_country_code(*e, v))
                   return "\"" + v +
                          "\" is not an ISO 3166 country code (two capital letters, e.g. CA)";
                 return std::nullopt;
               },
           },
           Field{
               .key = "locale.timezone",
               .prompt = "Timezone (e.g. America/Toronto, UTC)",
               .explanation = "A zone of the system's tzdata (" + env.zoneinfo.string() + ").",
               .default_value =
                   [e](const Answers& a) {
                     auto zones = zones_of_country(*e, get(a, "locale.country"));
                     std::string sys = read_link_zone();
                     if (std::find(zones.begin(), zones.end(), sys) != zones.end()) return sys;
                     return zones.empty() ? std::string("UTC") : zones.front();
                   },
               .validate = [e](const std::string& v, const Answers&) -> std::optional<std::string> {
                 if (!is_zone(*e, v))
                   return "\"" + v + "\" is not a timezone of the system's tzdata";
                 return std::nullopt;
               },
           }},
  });

  steps.push_back(Step{
      .name = "environment",
      .title = "Environment name",
      .explanation =
          "An internal name for this installation: Production, Staging, Development, Workstation,\n"
          "or a name of your own.",
      .fields = {Field{
          .key = "environment.name",
          .prompt = "Environment",
          .explanation = "Production, Staging, Development, Workstation, or 1 to 32 letters, "
                         "digits, spaces, '-' or '_'.",
          .default_value = fixed("Production"),
          .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
            if (!normalise_environment(v))
              return "must be Production, Staging, Development, Workstation or 1 to 32 letters, "
                     "digits, spaces, '-' "
                     "or '_'";
            return std::nullopt;
          },
          .choices = {"Production", "Staging", "Development", "Workstation"},
      }},
  });

  steps.push_back(Step{
      .name = "certificate",
      .title = "SSL certificate",
      .explanation = "The certificate omnid serves HTTPS with:\n"
                     "  self-signed  generate a key and a self-signed certificate now\n"
                     "  csr          generate a key and a Certificate Signing Request to have "
                     "signed; until you\n"
                     "               install the signed certificate (omnictl install certificate "
                     "--cert F --chain F)\n"
                     "               omnid serves a self-signed one made with the same key\n"
                     "  existing     use a certificate and key you already have (PEM files)",
      .fields = {Field{.key = "certificate.mode",
                       .prompt = "Certificate",
                       .explanation = "self-signed, csr or existing.",
                       .default_value = fixed("self-signed"),
                       .validate = one_of({"self-signed", "csr", "existing"}),
                       .choices = {"self-signed", "csr", "existing"}},
                 Field{.key = "certificate.hostname",
                       .prompt = "Host name clients use to reach this machine",
                       .explanation = "The DNS name (or IP address) the certificate is for.",
                       .default_value = [hostname](const Answers&) { return hostname(); },
                       .validate = [](const std::string& v,
                                      const Answers&) -> std::optional<std::string> {
                         if (!is_host_name(v))
                           return "\"" + v + "\" is not a host name or IP address";
                         return std::nullopt;
                       }},
                 Field{.key = "certificate.cert_file",
                       .prompt =
                           "Certificate file (PEM, the server certificate first, then its chain)",
                       .explanation = "",
                       .validate = readable_file(),
                       .applies = when("certificate.mode", "existing")},
                 Field{.key = "certificate.key_file",
                       .prompt = "Private key file (PEM)",
                       .explanation = "",
                       .validate = readable_file(),
                       .applies = when("certificate.mode", "existing")}},
      .check = [](const Answers& a) -> std::optional<std::string> {
        if (get(a, "certificate.mode") != "existing") return std::nullopt;
        return check_certificate_files(get(a, "certificate.cert_file"), "",
                                       get(a, "certificate.key_file"),
                                       get(a, "certificate.hostname"));
      },
      .check_label =
          [](const Answers& a) {
            return get(a, "certificate.mode") == "existing"
                       ? std::string("Checking the certificate against the key and host name...")
                       : std::string();
          },
  });

  steps.push_back(Step{
      .name = "licence",
      .title = "Evaluation licence",
      .explanation = "Who the evaluation licence is for.",
      .fields = {Field{.key = "licence.name",
                       .prompt = "Your full name",
                       .explanation = "",
                       .validate = text(100)},
                 Field{.key = "licence.organization",
                       .prompt = "Organization",
                       .explanation = "",
                       .validate = text(100)},
                 Field{.key = "licence.email",
                       .prompt = "E-mail address",
                       .explanation = "",
                       .validate = email()}},
  });

  steps.push_back(Step{
      .name = "notification",
      .title = "Notification e-mail",
      .explanation =
          "Where Omnigate OS sends you notifications (the SMTP test message goes there too).",
      .fields = {Field{.key = "notification.email",
                       .prompt = "Notification e-mail address",
                       .explanation = "",
                       .default_value = [](const Answers& a) { return get(a, "licence.email"); },
                       .validate = email()}},
  });

  auto remote = when("database.mode", "remote");
  steps.push_back(Step{
      .name = "database",
      .title = "Database location",
      .explanation =
          "  local   the database runs on this machine: omnid runs its own PostgreSQL cluster\n"
          "  remote  your database is hosted elsewhere (PostgreSQL 13 or later); the connection\n"
          "          is tested before going on",
      .fields =
          {Field{.key = "database.mode",
                 .prompt = "Database location",
                 .explanation = "local or remote.",
                 .default_value = fixed("local"),
                 .validate = one_of({"local", "remote"}),
                 .choices = {"local", "remote"}},
           Field{
               .key = "database.host",
               .prompt = "Database host",
               .explanation = "Host name or IP address of the PostgreSQL server.",
               .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
                 if (!is_host_name(v) && !(v.front() == '/' && printable_ascii(v)))
                   return "\"" + v + "\" is not a host name, IP address or socket directory";
                 return std::nullopt;
               },
               .applies = remote},
           Field{.key = "database.port",
                 .prompt = "Database port",
                 .explanation = "",
                 .default_value = fixed("5432"),
                 .validate = port(),
                 .applies = remote},
           Field{.key = "database.name",
                 .prompt = "Database name",
                 .explanation = "An existing, empty database.",
                 .default_value = fixed("omnigate"),
                 .validate = identifier(),
                 .applies = remote},
           Field{.key = "database.user",
                 .prompt = "Database user",
                 .explanation = "The user owns the database (omnid creates its tables).",
                 .default_value = fixed("omnigate"),
                 .validate = identifier(),
                 .applies = remote},
           Field{
               .key = "database.password",
               .prompt = "Database password",
               .explanation = "",
               .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
                 if (v.size() > 256 || !printable_ascii(v))
                   return "must be at most 256 printable ASCII characters";
                 return std::nullopt;
               },
               .secret = true,
               .applies = remote},
           Field{.key = "database.sslmode",
                 .prompt = "TLS mode",
                 .explanation =
                     "libpq sslmode: verify-full checks the server's certificate and name (put the "
                     "CA in\n"
                     "~/.postgresql/root.crt of omnid's user); require encrypts without checking.",
                 .default_value = fixed("require"),
                 .validate =
                     one_of({"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}),
                 .choices = {"disable", "prefer", "require", "verify-ca", "verify-full"},
                 .applies = remote}},
      .check = with_checks ? std::function<std::optional<std::string>(const Answers&)>(
                                 [](const Answers& a) {
                                   return a.at("database.mode") == "remote"
                                              ? check_remote_database(a)
                                              : std::nullopt;
                                 })
                           : nullptr,
      .check_label =
          [](const Answers& a) {
            return get(a, "database.mode") == "remote"
                       ? "Connecting to " + get(a, "database.user") + "@" +
                             get(a, "database.host") + "..."
                       : std::string();
          },
  });

  steps.push_back(Step{
      .name = "smtp",
      .title = "SMTP settings",
      .explanation =
          "The mail server Omnigate OS sends e-mail through (notifications, account activation,\n"
          "password reset). A test message is sent to the notification address before going on.",
      .fields =
          {Field{
               .key = "smtp.host",
               .prompt = "SMTP server",
               .explanation = "",
               .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
                 if (!is_host_name(v)) return "\"" + v + "\" is not a host name or IP address";
                 return std::nullopt;
               }},
           Field{.key = "smtp.tls",
                 .prompt = "TLS",
                 .explanation =
                     "starttls (port 587), tls (implicit TLS, port 465) or none (unencrypted).",
                 .default_value = fixed("starttls"),
                 .validate = one_of({"none", "starttls", "tls"}),
                 .choices = {"none", "starttls", "tls"}},
           Field{.key = "smtp.port",
                 .prompt = "SMTP port",
                 .explanation = "",
                 .default_value =
                     [](const Answers& a) {
                       return get(a, "smtp.tls") == "tls" ? std::string("465") : std::string("587");
                     },
                 .validate = port()},
           Field{.key = "smtp.cacert",
                 .prompt = "CA file to trust for the SMTP server (empty: the system's CAs)",
                 .explanation = "",
                 .validate = readable_file(),
                 .optional = true,
                 .applies = [](const Answers& a) { return get(a, "smtp.tls") != "none"; }},
           Field{.key = "smtp.username",
                 .prompt = "SMTP user name (empty: no authentication)",
                 .explanation = "",
                 .validate = text(256),
                 .optional = true},
           Field{.key = "smtp.password",
                 .prompt = "SMTP password",
                 .explanation = "",
                 .validate = text(256),
                 .secret = true,
                 .applies = [](const Answers& a) { return !get(a, "smtp.username").empty(); }},
           Field{
               .key = "smtp.from",
               .prompt = "Sender (From)",
               .explanation =
                   "An address, or a name and an address: Omnigate <noreply@example.com>.",
               .default_value = fixed("Omnigate <noreply@omnigate.local>"),
               .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
                 try {
                   mail::format_message({"test@example.com", "x", "x"}, v);
                 } catch (const std::exception&) {
                   return "is not an address or \"Name <address>\"";
                 }
                 return std::nullopt;
               }}},
      .check = with_checks ? std::function<std::optional<std::string>(const Answers&)>(
                                 [](const Answers& a) { return send_test_mail(a); })
                           : nullptr,
      .check_label =
          [](const Answers& a) {
            return "Sending a test message to " + get(a, "notification.email") + "...";
          },
  });

  steps.push_back(Step{
      .name = "database-password",
      .title = "Database administrator password",
      .explanation = "The password of the local PostgreSQL cluster's administrator (user "
                     "omnigate). omnid keeps\n"
                     "it in its data directory (readable by omnid's user only).",
      .fields = {Field{
          .key = "database.admin_password",
          .prompt = "Database administrator password",
          .explanation = "12 to 128 printable ASCII characters.",
          .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
            if (v.size() < 12 || v.size() > 128 || !printable_ascii(v))
              return "must be 12 to 128 printable ASCII characters";
            return std::nullopt;
          },
          .secret = true,
          .applies = when("database.mode", "local"),
      }},
  });

  steps.push_back(Step{
      .name = "administrator",
      .title = "Platform administrator",
      .explanation = "The password of the platform administrator, admin@omnigate.local.",
      .fields = {Field{
          .key = "administrator.password",
          .prompt = "Administrator password",
          .explanation = "8 to 16 characters with a lowercase letter, an uppercase letter, a digit "
                         "and a symbol.",
          .validate = [](const std::string& v,
                         const Answers&) { return password::policy_violation(v); },
          .secret = true,
      }},
  });

  steps.push_back(Step{
      .name = "issuer",
      .title = "Omnigate configuration: issuer name",
      .explanation =
          "The platform's issuer name, appended to the currencies it creates (ZZZ.issuername).\n"
          "It cannot be changed later.",
      .fields = {Field{
          .key = "issuer.name",
          .prompt = "Issuer name",
          .explanation = "1 to 12 lowercase letters or digits.",
          .validate = [](const std::string& v, const Answers&) -> std::optional<std::string> {
            if (v.empty() || v.size() > 12 || !std::all_of(v.begin(), v.end(), [](char c) {
                  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
                }))
              return "must be 1 to 12 lowercase letters or digits";
            return std::nullopt;
          },
      }},
      .phase = Phase::AfterApply,
  });
  return steps;
}

std::vector<Step> reconfigurable_steps(const Environment& env, bool with_checks) {
  static const std::vector<std::string> kNames{"locale",  "environment",  "certificate",
                                               "licence", "notification", "smtp"};
  std::vector<Step> out;
  for (auto& s : wizard_steps(env, with_checks))
    if (std::find(kNames.begin(), kNames.end(), s.name) != kNames.end())
      out.push_back(std::move(s));
  out.push_back(Step{
      .name = "server",
      .title = "HTTPS address",
      .explanation = "Where omnid listens ([server] listen of omnid.toml).",
      .fields = option_fields(),
  });
  return out;
}

std::optional<std::string> parse_step_choice(std::string_view text, const std::vector<Step>& steps,
                                             std::vector<std::string>& chosen) {
  chosen.clear();
  std::set<std::string> picked;
  std::string word;
  auto take = [&]() -> std::optional<std::string> {
    if (word.empty()) return std::nullopt;
    const Step* found = nullptr;
    if (std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c) != 0; })) {
      if (word.size() <= 3) {
        std::size_t n = std::stoul(word);
        if (n >= 1 && n <= steps.size()) found = &steps[n - 1];
      }
    } else {
      std::string lower = word;
      std::transform(lower.begin(), lower.end(), lower.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      for (const auto& s : steps)
        if (s.name == lower) found = &s;
    }
    if (!found) {
      std::string names;
      for (const auto& s : steps) names += (names.empty() ? "" : ", ") + s.name;
      return "\"" + word + "\" is neither a number from 1 to " + std::to_string(steps.size()) +
             " nor one of " + names;
    }
    picked.insert(found->name);
    word.clear();
    return std::nullopt;
  };
  for (char c : text) {
    if (c == ',' || c == ' ' || c == '\t') {
      if (auto why = take()) return why;
    } else {
      word.push_back(c);
    }
  }
  if (auto why = take()) return why;
  for (const auto& s : steps)
    if (picked.count(s.name)) chosen.push_back(s.name);
  return std::nullopt;
}

std::optional<AnswerError> resolve_answers(const std::vector<Step>& steps, Answers& answers,
                                           Phase phase, bool checks) {
  std::set<std::string> known;
  const Environment env;
  for (const auto& s : wizard_steps(env, false))
    for (const auto& f : s.fields) known.insert(f.key);
  for (const auto& f : option_fields()) known.insert(f.key);
  for (const auto& [key, value] : answers)
    if (!known.count(key)) {
      std::string section = key.substr(0, key.find('.'));
      return AnswerError{section, key,
                         "unknown answer (see packaging/omnigate-answers.example.toml)"};
    }

  if (phase == Phase::BeforeApply) {
    for (const auto& f : option_fields()) {
      std::string v = value_or_default(f, answers.count(f.key) ? answers[f.key] : "", answers);
      if (auto why = f.validate(v, answers)) return AnswerError{"options", f.key, *why};
      answers[f.key] = v;
    }
  }
  for (const auto& step : steps) {
    if (step.phase != phase) continue;
    for (const auto& f : step.fields) {
      if (!applies(f, answers)) {
        answers.erase(f.key);
        continue;
      }
      std::string v = value_or_default(f, answers.count(f.key) ? answers[f.key] : "", answers);
      if (v.empty() && !f.optional) return AnswerError{step.name, f.key, "missing answer"};
      if (!v.empty() && f.validate)
        if (auto why = f.validate(v, answers)) return AnswerError{step.name, f.key, *why};
      answers[f.key] = normalise_answer(f.key, v);
    }
  }
  return checks ? run_checks(steps, answers, phase) : std::nullopt;
}

std::optional<AnswerError> run_checks(const std::vector<Step>& steps, const Answers& answers,
                                      Phase phase) {
  for (const auto& step : steps)
    if (step.phase == phase && step.check)
      if (auto why = step.check(answers)) return AnswerError{step.name, "", *why};
  return std::nullopt;
}

Answers parse_answers(std::string_view toml_text, const std::string& origin) {
  toml::table root;
  try {
    root = toml::parse(toml_text, origin);
  } catch (const toml::parse_error& e) {
    throw std::runtime_error(origin + ":" + std::to_string(e.source().begin.line) + ": " +
                             std::string(e.description()));
  }
  Answers out;
  auto where = [&](const toml::node& n) {
    return origin + (n.source().begin.line > 0 ? ":" + std::to_string(n.source().begin.line)
                                               : std::string());
  };
  for (const auto& [section, node] : root) {
    if (!node.is_table())
      throw std::runtime_error(where(node) + ": " + std::string(section.str()) +
                               ": answers belong in a [section] (see the example file)");
    for (const auto& [key, value] : *node.as_table()) {
      std::string full = std::string(section.str()) + "." + std::string(key.str());
      if (value.is_string())
        out[full] = value.as_string()->get();
      else if (value.is_integer())
        out[full] = std::to_string(value.as_integer()->get());
      else if (value.is_boolean())
        out[full] = value.as_boolean()->get() ? "yes" : "no";
      else
        throw std::runtime_error(where(value) + ": " + full +
                                 ": must be a string, an integer or true/false");
    }
  }
  return out;
}

Answers read_answers_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + file.string());
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_answers(ss.str(), file.string());
}

std::string summary(const std::vector<Step>& steps, const Answers& answers) {
  std::ostringstream out;
  for (const auto& step : steps) {
    bool header = false;
    for (const auto& f : step.fields) {
      auto it = answers.find(f.key);
      if (it == answers.end() || !applies(f, answers)) continue;
      if (!header) out << step.title << "\n";
      header = true;
      out << "  " << f.key << ": "
          << (f.secret             ? std::string("(set)")
              : it->second.empty() ? "(none)"
                                   : it->second)
          << "\n";
    }
  }
  auto listen = answers.find("server.listen");
  if (listen != answers.end()) out << "Options\n  server.listen: " << listen->second << "\n";
  return out.str();
}

}  // namespace og::installer
