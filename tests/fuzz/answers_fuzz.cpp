// The installer's answers file (`omnictl install --answers FILE.toml`): parse_answers,
// then resolve_answers over the wizard's steps (both phases, without the step checks,
// which reach the network), then the confirmation summary. Also parse_step_choice
// (--reconfigure's "which steps" answer) on the raw text.
// Invariants: parse_answers throws std::runtime_error only; resolving never throws; what
// it accepts holds only known keys; the summary never shows a secret answer.

#include <stdexcept>
#include <string>

#include "installer/wizard.h"
#include "tests/fuzz/fuzz_support.h"

namespace inst = og::installer;

namespace {

const inst::Environment& env() {
  static const inst::Environment e{.zoneinfo = "/usr/share/zoneinfo", .hostname = "omnigate.example.com"};
  return e;
}

const std::vector<inst::Step>& steps() {
  static const std::vector<inst::Step> s = inst::wizard_steps(env(), /*with_checks=*/false);
  return s;
}

const std::vector<inst::Step>& reconfigurable() {
  static const std::vector<inst::Step> s = inst::reconfigurable_steps(env(), /*with_checks=*/false);
  return s;
}

bool known_key(const std::string& key) {
  for (const auto& s : steps())
    for (const auto& f : s.fields)
      if (f.key == key) return true;
  for (const auto& f : inst::option_fields())
    if (f.key == key) return true;
  return false;
}

// The summary must not show a secret: with the secret replaced by another value, the
// summary is the same text.
void check_summary(const inst::Answers& answers) {
  const std::string shown = inst::summary(steps(), answers);
  for (const auto& s : steps())
    for (const auto& f : s.fields) {
      auto it = answers.find(f.key);
      if (!f.secret || it == answers.end() || it->second.empty()) continue;
      inst::Answers other = answers;
      other[f.key] = it->second == "x" ? "y" : "x";
      FUZZ_CHECK_MSG(inst::summary(steps(), other) == shown, f.key);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text = og::fuzz::as_text(data, size);

  std::vector<std::string> chosen;
  if (!inst::parse_step_choice(text, reconfigurable(), chosen))
    for (const auto& name : chosen) {
      bool found = false;
      for (const auto& s : reconfigurable()) found = found || s.name == name;
      FUZZ_CHECK_MSG(found, name);
    }
  else
    FUZZ_CHECK(chosen.empty());

  inst::Answers answers;
  try {
    answers = inst::parse_answers(text, "fuzz.toml");
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(std::string_view(e.what()).starts_with("fuzz.toml"));
    return 0;
  }
  for (const auto& [key, value] : answers) FUZZ_CHECK(key.find('.') != std::string::npos);

  (void)inst::summary(steps(), answers);
  for (inst::Phase phase : {inst::Phase::BeforeApply, inst::Phase::AfterApply}) {
    auto error = inst::resolve_answers(steps(), answers, phase, /*checks=*/false);
    if (error) {
      (void)error->message();
      return 0;
    }
    for (const auto& [key, value] : answers) FUZZ_CHECK_MSG(known_key(key), key);
    check_summary(answers);
  }
  return 0;
}
