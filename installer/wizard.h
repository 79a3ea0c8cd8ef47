#pragma once
// The installation wizard's steps (the spec's "Get started" section), independent of any
// terminal: `omnictl install` drives them at a TTY or from an answers file, and a browser
// front end can drive the same steps later.
//
// Every answer has a key "section.name" (the answers file's [section] name = ...). A step
// groups the answers the spec asks together; each answer has a prompt, an explanation, a
// default, a validator and a secret flag. Some steps then check the answers as a whole
// (the remote database connection, a test message through the SMTP server).

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace og::installer {

// The answers given so far (or read from a file): "section.name" -> text.
using Answers = std::map<std::string, std::string>;

// The environment steps may look at (so tests can replace the system's files).
struct Environment {
  std::filesystem::path zoneinfo = "/usr/share/zoneinfo";  // tzdata: iso3166.tab, zone.tab
  std::string hostname;                                    // empty: the machine's name
};

struct Field {
  std::string key;          // "locale.country"
  std::string prompt;       // "Country"
  std::string explanation;  // one or two sentences
  // The default shown in brackets (may depend on earlier answers); empty: no default.
  std::function<std::string(const Answers&)> default_value;
  // nullopt when the value is acceptable, else the reason (never echoing a secret).
  std::function<std::optional<std::string>(const std::string& value, const Answers&)> validate;
  bool secret = false;               // never echoed, never logged, asked twice at a terminal
  bool optional = false;             // an empty answer is accepted
  std::vector<std::string> choices;  // shown with the prompt (validation is in validate)
  // Whether the field is asked at all, given the earlier answers (e.g. remote database only).
  std::function<bool(const Answers&)> applies;
};

enum class Phase { BeforeApply, AfterApply };

struct Step {
  std::string name;   // "database"; used in every error message
  std::string title;  // "Database location"
  std::string explanation;
  std::vector<Field> fields;
  // Checks the step's answers together once each field is valid (connection test, test
  // e-mail); nullopt when fine. Run once per attempt: an interactive front end asks the
  // step again when it fails.
  std::function<std::optional<std::string>(const Answers&)> check;
  Phase phase = Phase::BeforeApply;
  // What the check does with these answers ("Sending a test message to ..."); "" when it
  // has nothing to do (a front end then says nothing).
  std::function<std::string(const Answers&)> check_label;
};

// The wizard's steps, in the spec's order. `env` is captured by reference: keep it alive.
// with_checks = false leaves out the step checks that reach the network (unit tests).
std::vector<Step> wizard_steps(const Environment& env, bool with_checks = true);

// Whether the field is asked given the answers so far.
bool applies(const Field& f, const Answers& answers);

// The value of a field given an answer ("" = take the default).
std::string value_or_default(const Field& f, const std::string& answer, const Answers& answers);

// The stored form of a valid answer ("production" -> "Production", "y" -> "yes").
std::string normalise_answer(const std::string& key, const std::string& value);

// A failure of an unattended run: the step and the answer at fault.
struct AnswerError {
  std::string step;
  std::string key;  // "" when the step's check failed as a whole
  std::string reason;
  std::string message() const;  // step "locale" (locale.timezone): reason
};

// Fills in defaults and validates every answer of the phase's steps in order, then (with
// `checks`) runs the step checks in order, so that a bad answer is reported before any
// check reaches the network. Returns the first error; `answers` then holds the values
// accepted so far. Unknown keys are refused (a typo must not pass silently).
std::optional<AnswerError> resolve_answers(const std::vector<Step>& steps, Answers& answers,
                                           Phase phase, bool checks = true);
// The step checks of the phase, in order.
std::optional<AnswerError> run_checks(const std::vector<Step>& steps, const Answers& answers,
                                      Phase phase);

// --reconfigure: the steps an installed host can change, in the wizard's order (locale,
// environment, certificate, licence, notification, smtp), then "server" (the HTTPS
// address, server.listen, as a step of its own). eula, database, database-password,
// administrator and issuer cannot change.
std::vector<Step> reconfigurable_steps(const Environment& env, bool with_checks = true);

// An operator's choice among `steps`: step names or numbers (1 = the first of `steps`)
// separated by commas and/or spaces, e.g. "2, smtp". `chosen` gets the chosen names in the
// order of `steps`, each once; blank text chooses nothing. Returns the reason when a word
// is neither a name nor a number of `steps` (`chosen` is then empty).
std::optional<std::string> parse_step_choice(std::string_view text, const std::vector<Step>& steps,
                                             std::vector<std::string>& chosen);

// Keys that are not steps' answers but options of the installation itself.
// (server.listen: the HTTPS address omnid listens on.)
std::vector<Field> option_fields();

// Reads an answers file (TOML; see packaging/omnigate-answers.example.toml): every
// [section] key = value becomes "section.key"; strings, integers and booleans are
// accepted. Throws std::runtime_error with the file, line and key on a bad file.
Answers read_answers_file(const std::filesystem::path& file);
Answers parse_answers(std::string_view toml_text, const std::string& origin);

// The summary of the answers for the confirmation step: one line per applicable field,
// secrets shown as "(set)".
std::string summary(const std::vector<Step>& steps, const Answers& answers);

// Small validators, exposed for tests.
bool is_country_code(const Environment& env, std::string_view code);  // ISO 3166 alpha-2 in tzdata
std::string country_name(const Environment& env, std::string_view code);
std::vector<std::string> zones_of_country(const Environment& env, std::string_view code);
bool is_zone(const Environment& env, std::string_view zone);
bool is_host_name(std::string_view name);  // a DNS name or an IP address
std::string system_hostname();
// The normalised environment name: "production" -> "Production", custom names unchanged;
// nullopt when not acceptable (1 to 32 letters, digits, spaces, '-', '_').
std::optional<std::string> normalise_environment(std::string_view name);
// yes/no answers: yes, y, true, 1, accept / no, n, false, 0.
std::optional<bool> parse_yes_no(std::string_view text);

}  // namespace og::installer
