// The installation wizard's step engine (installer/): answers files, defaults, every
// validator naming its step, the summary hiding secrets, certificates (CSR, key/host/chain
// checks) and the file helpers. The network checks (remote database, SMTP) and applying
// an installation are covered by tests/e2e/install_test.sh.

#include <sys/stat.h>
#include <toml++/toml.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "common/tls_cert.h"
#include "installer/apply.h"
#include "installer/certificates.h"
#include "installer/wizard.h"
#include "tests/support/omnid_process.h"

using namespace og::installer;
namespace fs = std::filesystem;

namespace {

Answers valid_answers() {
  return {
      {"eula.accept", "yes"},
      {"locale.country", "CA"},
      {"locale.timezone", "America/Toronto"},
      {"environment.name", "staging"},
      {"certificate.mode", "self-signed"},
      {"certificate.hostname", "omnigate.example.com"},
      {"licence.name", "Ada Lovelace"},
      {"licence.organization", "ACME corp."},
      {"licence.email", "ada@example.com"},
      {"database.mode", "local"},
      {"database.admin_password", "correct horse battery"},
      {"smtp.host", "mail.example.com"},
      {"smtp.tls", "none"},
      {"administrator.password", "Admin$pass1"},
      {"issuer.name", "acme"},
  };
}

std::optional<AnswerError> resolve_all(Answers& a) {
  Environment env;
  auto steps = wizard_steps(env, /*with_checks=*/false);
  if (auto e = resolve_answers(steps, a, Phase::BeforeApply)) return e;
  return resolve_answers(steps, a, Phase::AfterApply);
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

}  // namespace

TEST_CASE("answers files: [section] key = value, strings, integers and booleans", "[installer]") {
  Answers a = parse_answers(
      "[eula]\naccept = true\n[smtp]\nport = 2525\nhost = \"mail.example.com\"\n", "t.toml");
  CHECK(a.at("eula.accept") == "yes");
  CHECK(a.at("smtp.port") == "2525");
  CHECK(a.at("smtp.host") == "mail.example.com");
  CHECK_THROWS_WITH(parse_answers("accept = true\n", "t.toml"),
                    Catch::Contains("t.toml:1") && Catch::Contains("[section]"));
  CHECK_THROWS_WITH(parse_answers("[smtp]\nhost = [1, 2]\n", "t.toml"),
                    Catch::Contains("smtp.host"));
  CHECK_THROWS_WITH(parse_answers("[smtp\n", "t.toml"), Catch::Contains("t.toml:1"));
  CHECK_THROWS_WITH(read_answers_file("/nonexistent/answers.toml"), Catch::Contains("cannot read"));
}

TEST_CASE("a complete set of answers resolves, with defaults filled in and names normalised",
          "[installer]") {
  Answers a = valid_answers();
  auto e = resolve_all(a);
  INFO((e ? e->message() : ""));
  REQUIRE_FALSE(e);
  CHECK(a.at("environment.name") == "Staging");
  CHECK(a.at("smtp.port") == "587");
  CHECK(a.at("smtp.from") == "Omnigate <noreply@omnigate.local>");
  CHECK(a.at("notification.email") == "ada@example.com");  // defaults to the licence's address
  CHECK(a.at("server.listen") == "0.0.0.0:8443");
  CHECK(a.count("database.host") == 0);  // remote-only answers do not apply
  CHECK(a.count("smtp.password") == 0);  // no user name: no password

  Answers tls = valid_answers();
  tls["smtp.tls"] = "tls";
  REQUIRE_FALSE(resolve_all(tls));
  CHECK(tls.at("smtp.port") == "465");

  Answers tz = valid_answers();
  tz.erase("locale.timezone");
  tz["locale.country"] = "FR";
  REQUIRE_FALSE(resolve_all(tz));
  CHECK(tz.at("locale.timezone") == "Europe/Paris");

  Answers custom = valid_answers();
  custom["environment.name"] = "QA lab-2";
  REQUIRE_FALSE(resolve_all(custom));
  CHECK(custom.at("environment.name") == "QA lab-2");
}

TEST_CASE("each bad or missing answer fails naming its step and key", "[installer]") {
  struct Case {
    std::string key, value, step;  // value "" = the answer is left out
  };
  std::vector<Case> cases = {
      {"eula.accept", "no", "eula"},
      {"eula.accept", "maybe", "eula"},
      {"eula.accept", "", "eula"},
      {"locale.country", "XX", "locale"},
      {"locale.country", "ca", "locale"},
      {"locale.timezone", "Mars/Olympus_Mons", "locale"},
      {"locale.timezone", "../../etc/passwd", "locale"},
      {"environment.name", "bad/name", "environment"},
      {"environment.name", std::string(33, 'x'), "environment"},
      {"certificate.mode", "letsencrypt", "certificate"},
      {"certificate.hostname", "bad host", "certificate"},
      {"licence.name", "", "licence"},
      {"licence.email", "not-an-address", "licence"},
      {"database.mode", "cloud", "database"},
      {"smtp.host", "", "smtp"},
      {"smtp.tls", "ssl", "smtp"},
      {"smtp.port", "70000", "smtp"},
      {"smtp.from", "no address here", "smtp"},
      {"database.admin_password", "short", "database-password"},
      {"database.admin_password", "", "database-password"},
      {"administrator.password", "weakpassword", "administrator"},
      {"administrator.password", "", "administrator"},
      {"issuer.name", "ACME", "issuer"},
      {"issuer.name", "waytoolongissuer", "issuer"},
      {"issuer.name", "", "issuer"},
      {"server.listen", "localhost:8443", "options"},
  };
  for (const auto& c : cases) {
    Answers a = valid_answers();
    if (c.value.empty())
      a.erase(c.key);
    else
      a[c.key] = c.value;
    auto e = resolve_all(a);
    INFO(c.key << " = \"" << c.value << "\"");
    REQUIRE(e);
    CHECK(e->step == c.step);
    CHECK(e->key == c.key);
    CHECK_THAT(e->message(), Catch::StartsWith("step \"" + c.step + "\" (" + c.key + "): "));
  }
}

TEST_CASE("remote database answers and existing certificates are asked only when chosen",
          "[installer]") {
  Answers a = valid_answers();
  a["database.mode"] = "remote";
  auto e = resolve_all(a);
  REQUIRE(e);
  CHECK(e->step == "database");
  CHECK(e->key == "database.host");
  a["database.host"] = "db.example.com";
  a["database.password"] = "secret";
  REQUIRE_FALSE(resolve_all(a));
  CHECK(a.at("database.port") == "5432");
  CHECK(a.at("database.sslmode") == "require");
  CHECK(a.count("database.admin_password") == 0);  // only for a local database

  Answers c = valid_answers();
  c["certificate.mode"] = "existing";
  e = resolve_all(c);
  REQUIRE(e);
  CHECK(e->key == "certificate.cert_file");
  c["certificate.cert_file"] = "/nonexistent/cert.pem";
  e = resolve_all(c);
  REQUIRE(e);
  CHECK_THAT(e->reason, Catch::Contains("no such file"));
}

TEST_CASE("unknown answers are refused (a typo must not pass silently)", "[installer]") {
  Answers a = valid_answers();
  a["smtp.hots"] = "mail.example.com";
  auto e = resolve_all(a);
  REQUIRE(e);
  CHECK(e->key == "smtp.hots");
  CHECK_THAT(e->reason, Catch::Contains("unknown answer"));
}

TEST_CASE("validators: host names, environments, yes/no, tzdata countries and zones",
          "[installer]") {
  Environment env;
  CHECK(is_host_name("omnigate.example.com"));
  CHECK(is_host_name("localhost"));
  CHECK(is_host_name("192.0.2.10"));
  CHECK(is_host_name("2001:db8::1"));
  CHECK_FALSE(is_host_name("-bad.example.com"));
  CHECK_FALSE(is_host_name("a..b"));
  CHECK_FALSE(is_host_name(""));
  CHECK(normalise_environment("WORKSTATION") == "Workstation");
  CHECK_FALSE(normalise_environment(" padded"));
  CHECK(parse_yes_no("Y") == true);
  CHECK(parse_yes_no("no") == false);
  CHECK_FALSE(parse_yes_no("perhaps"));
  CHECK(is_country_code(env, "CA"));
  CHECK(country_name(env, "CA") == "Canada");
  CHECK_FALSE(is_country_code(env, "ZZ"));
  CHECK(is_zone(env, "UTC"));
  CHECK_FALSE(is_zone(env, "America"));  // a directory, not a zone
  auto zones = zones_of_country(env, "CA");
  CHECK(std::find(zones.begin(), zones.end(), "America/Toronto") != zones.end());
}

TEST_CASE("the summary shows every answer but no secret", "[installer]") {
  Answers a = valid_answers();
  a["smtp.username"] = "mailer";
  a["smtp.password"] = "Smtp-secret-42";
  REQUIRE_FALSE(resolve_all(a));
  Environment env;
  std::string s = summary(wizard_steps(env, false), a);
  CHECK_THAT(s, Catch::Contains("omnigate.example.com"));
  CHECK_THAT(s, Catch::Contains("smtp.password: (set)"));
  CHECK_THAT(s, Catch::Contains("administrator.password: (set)"));
  for (const char* secret : {"Smtp-secret-42", "Admin$pass1", "correct horse battery"})
    CHECK(s.find(secret) == std::string::npos);
}

TEST_CASE("certificates: a CSR for the key; the signed certificate must match key, host and chain",
          "[installer]") {
  og::test::TempDir dir("installer");
  const fs::path d = dir.path();
  og::tls::SelfSignedOptions o;
  o.common_name = "omnigate.example.com";
  o.dns_names = {"omnigate.example.com"};
  o.ip_addresses = {};
  auto pair = og::tls::make_self_signed(o);
  og::tls::write_pem_pair(pair, d / "cert.pem", d / "key.pem");

  std::string csr = make_csr(pair.key_pem, "omnigate.example.com", "ACME corp.", "CA");
  CHECK_THAT(csr, Catch::StartsWith("-----BEGIN CERTIFICATE REQUEST-----"));
  write(d / "req.csr", csr);
  auto verify = og::test::run_process({"/usr/bin/openssl", "req", "-in", (d / "req.csr").string(),
                                       "-noout", "-verify", "-subject"});
  CHECK(verify.exit_code == 0);
  CHECK_THAT(verify.out + verify.err,
             Catch::Contains("CN = omnigate.example.com") && Catch::Contains("O = ACME corp."));
  auto pub_csr = og::test::run_process(
      {"/usr/bin/openssl", "req", "-in", (d / "req.csr").string(), "-noout", "-pubkey"});
  auto pub_key = og::test::run_process(
      {"/usr/bin/openssl", "pkey", "-in", (d / "key.pem").string(), "-pubout"});
  CHECK_THAT(pub_key.out, Catch::StartsWith("-----BEGIN PUBLIC KEY-----"));
  CHECK(pub_csr.out == pub_key.out);  // the CSR is for the wizard's key

  CHECK_FALSE(check_certificate_files((d / "cert.pem").string(), "", (d / "key.pem").string(),
                                      "omnigate.example.com"));
  auto wrong_host = check_certificate_files((d / "cert.pem").string(), "", (d / "key.pem").string(),
                                            "other.example.com");
  REQUIRE(wrong_host);
  CHECK_THAT(*wrong_host, Catch::Contains("not for the host name other.example.com"));

  auto other = og::tls::make_self_signed(o);
  og::tls::write_pem_pair(other, d / "other.pem", d / "otherkey.pem");
  auto mismatch = check_certificate_files((d / "other.pem").string(), "", (d / "key.pem").string(),
                                          "omnigate.example.com");
  REQUIRE(mismatch);
  CHECK_THAT(*mismatch, Catch::Contains("does not belong to the private key"));
  // A chain whose certificate did not issue the server's.
  auto bad_chain = check_certificate_files((d / "cert.pem").string(), (d / "other.pem").string(),
                                           (d / "key.pem").string(), "omnigate.example.com");
  REQUIRE(bad_chain);
  CHECK_THAT(*bad_chain, Catch::Contains("out of order"));
  write(d / "empty.pem", "nothing here\n");
  auto empty = check_certificate_files((d / "empty.pem").string(), "", (d / "key.pem").string(),
                                       "omnigate.example.com");
  REQUIRE(empty);
  CHECK_THAT(*empty, Catch::Contains("no PEM certificate"));
  // Error texts never carry key material.
  for (const auto& e : {*wrong_host, *mismatch, *bad_chain, *empty})
    CHECK(e.find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("files: TOML quoting round-trips, exclusive writes never replace a file", "[installer]") {
  for (std::string v :
       {std::string("plain"), std::string("quote \" and \\ back"), std::string("tab\tnew\nline"),
        std::string("caf\xc3\xa9"), std::string("bell\x07")}) {
    auto t = toml::parse("k = " + toml_quote(v));
    CHECK(t["k"].value<std::string>() == v);
  }
  og::test::TempDir dir("installer");
  fs::path f = dir.path() / "details.txt";
  write_file(f, "first\n", 0600, /*exclusive=*/true);
  struct stat st {};
  REQUIRE(::stat(f.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_THROWS_WITH(write_file(f, "second\n", 0600, true), Catch::Contains("exists already"));
  CHECK(og::test::read_file(f) == "first\n");
}

TEST_CASE("the layout puts every file under the root prefix", "[installer]") {
  Layout l("/tmp/og-root");
  CHECK(l.config_file == "/tmp/og-root/etc/omnigate/omnid.toml");
  CHECK(l.log_file == "/tmp/og-root/var/log/omnigate/install.log");
  CHECK(l.cluster_dir == "/tmp/og-root/var/lib/omnigate/postgres");
  CHECK(l.cert_file == "/tmp/og-root/etc/omnigate/tls/omnid.crt");
  CHECK_FALSE(installed(l));
}

TEST_CASE("the example answers file in packaging/ is complete and valid", "[installer]") {
  Answers a = read_answers_file(std::string(OMNIGATE_SOURCE_DIR) +
                                "/packaging/omnigate-answers.example.toml");
  auto e = resolve_all(a);
  INFO((e ? e->message() : ""));
  CHECK_FALSE(e);
}

TEST_CASE("--reconfigure: the changeable steps, in the wizard's order, then the HTTPS address",
          "[installer]") {
  Environment env;
  auto steps = reconfigurable_steps(env, false);
  std::vector<std::string> names;
  for (const auto& s : steps) names.push_back(s.name);
  CHECK(names == std::vector<std::string>{"locale", "environment", "certificate", "licence",
                                          "notification", "smtp", "server"});
  CHECK(steps.back().title == "HTTPS address");
  REQUIRE(steps.back().fields.size() == 1);
  CHECK(steps.back().fields[0].key == "server.listen");
  CHECK(steps[1].title == "Environment name");
  CHECK(steps[5].check == nullptr);  // with_checks = false: no test message
  CHECK(reconfigurable_steps(env, true)[5].check != nullptr);
}

TEST_CASE("--reconfigure at a terminal: sections chosen by name or number", "[installer]") {
  Environment env;
  auto steps = reconfigurable_steps(env, false);
  std::vector<std::string> chosen;
  CHECK_FALSE(parse_step_choice("smtp, 2", steps, chosen));
  CHECK(chosen == std::vector<std::string>{"environment", "smtp"});  // in the steps' order
  CHECK_FALSE(parse_step_choice("  7 ,,SMTP 6 server\t", steps, chosen));
  CHECK(chosen == std::vector<std::string>{"smtp", "server"});  // each once, any case
  CHECK_FALSE(parse_step_choice("", steps, chosen));
  CHECK(chosen.empty());
  CHECK_FALSE(parse_step_choice(" , ", steps, chosen));
  CHECK(chosen.empty());
  for (const char* bad : {"8", "0", "database", "smtp eula", "1-3", "99999999999999999999"}) {
    INFO(bad);
    auto why = parse_step_choice(bad, steps, chosen);
    REQUIRE(why);
    CHECK_THAT(*why, Catch::Contains("nor one of locale, environment"));
    CHECK(chosen.empty());
  }
  auto why = parse_step_choice("2 database", steps, chosen);
  REQUIRE(why);
  CHECK_THAT(*why, Catch::StartsWith("\"database\" is neither a number from 1 to 7"));
}

TEST_CASE("--reconfigure: the recorded answers are the defaults; the changes hide secrets",
          "[installer]") {
  og::test::TempDir dir("installer");
  Layout l(dir.path());
  fs::create_directories(l.etc_dir);
  write(l.record_file,
        "[record]\nwritten_at = \"2024-01-01T00:00:00Z\"\n"
        "[locale]\ncountry = \"CA\"\ntimezone = \"America/Toronto\"\n"
        "[environment]\nname = \"Production\"\n"
        "[certificate]\nmode = \"self-signed\"\nhostname = \"localhost\"\n"
        "[licence]\nname = \"Ada Lovelace\"\norganization = \"ACME corp.\"\n"
        "email = \"ada@example.com\"\n"
        "[notification]\nemail = \"ops@example.com\"\n"
        "[database]\nmode = \"local\"\n"
        "[smtp]\nhost = \"mail.example.com\"\ntls = \"none\"\nport = \"2525\"\n"
        "username = \"mailer\"\nfrom = \"Omnigate <noreply@example.com>\"\n"
        "[server]\nlisten = \"127.0.0.1:8443\"\n");
  write(l.config_file,
        "[mail]\nsmtp_host = \"mail.example.com\"\nsmtp_password = \"Smtp-secret-42\"\n");
  Answers current = recorded_answers(l);
  CHECK(current.at("environment.name") == "Production");
  CHECK(current.at("smtp.port") == "2525");
  CHECK(current.at("server.listen") == "127.0.0.1:8443");
  CHECK(current.at("smtp.password") == "Smtp-secret-42");  // from omnid.toml
  CHECK(current.count("record.written_at") == 0);

  Environment env;
  auto wizard = wizard_steps(env, false);
  auto steps = reconfigurable_steps(env, false);
  // Nothing changed: no lines.
  Answers merged;
  REQUIRE_FALSE(
      prepare_reconfiguration(l, wizard, {{"environment.name", "Production"}}, merged, false));
  CHECK(reconfiguration_changes(steps, {"environment"}, current, merged).empty());

  // A new environment and a new SMTP password: the password only as "(changed)".
  REQUIRE_FALSE(prepare_reconfiguration(l, wizard,
                                        {{"environment.name", "staging"},
                                         {"smtp.host", "mail.example.com"},
                                         {"smtp.password", "Other-secret-7"}},
                                        merged, /*checks=*/false));
  CHECK(merged.at("environment.name") == "Staging");
  CHECK(merged.at("smtp.from") == "Omnigate <noreply@example.com>");  // kept from the record
  auto lines = reconfiguration_changes(steps, {"environment", "smtp"}, current, merged);
  CHECK(lines == std::vector<std::string>{"environment.name: Production -> Staging",
                                          "smtp.password: (changed)"});
  // Sections not chosen are not listed even if their answers differ.
  CHECK(reconfiguration_changes(steps, {"smtp"}, current, merged) ==
        std::vector<std::string>{"smtp.password: (changed)"});

  // No user name any more: the password goes, the cleared name shows as (none).
  REQUIRE_FALSE(prepare_reconfiguration(l, wizard, {{"smtp.username", ""}}, merged, false));
  CHECK(merged.count("smtp.password") == 0);
  lines = reconfiguration_changes(steps, {"smtp"}, current, merged);
  CHECK(lines ==
        std::vector<std::string>{"smtp.username: mailer -> (none)", "smtp.password: (removed)"});
  for (const auto& line : lines) CHECK(line.find("Smtp-secret-42") == std::string::npos);

  // A certificate section always makes a new key, even with the same answers.
  REQUIRE_FALSE(prepare_reconfiguration(l, wizard, {{"certificate.mode", "csr"}}, merged, false));
  lines = reconfiguration_changes(steps, {"certificate"}, current, merged);
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == "certificate.mode: self-signed -> csr");
  CHECK_THAT(lines[1], Catch::Contains("a new key") && Catch::Contains("signing request"));
  REQUIRE_FALSE(
      prepare_reconfiguration(l, wizard, {{"certificate.mode", "self-signed"}}, merged, false));
  CHECK(reconfiguration_changes(steps, {"certificate"}, current, merged) ==
        std::vector<std::string>{
            "certificate: a new key and self-signed certificate for localhost are made"});

  // A bad answer is still refused without the checks; a missing record names the file.
  auto e = prepare_reconfiguration(l, wizard, {{"server.listen", "everywhere"}}, merged, false);
  REQUIRE(e);
  CHECK(e->key == "server.listen");
  fs::remove(l.config_file);
  CHECK_THROWS_WITH(recorded_answers(l), Catch::Contains("omnid.toml"));
}
