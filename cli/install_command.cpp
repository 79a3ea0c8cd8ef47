#include "cli/install_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <set>
#include <vector>

#include "cli/exit_codes.h"
#include "cli/secrets.h"
#include "daemon/log.h"
#include "installer/apply.h"
#include "installer/certificates.h"
#include "installer/wizard.h"

namespace og::cli {

namespace fs = std::filesystem;
using installer::Answers;
using installer::Phase;
using installer::Step;

namespace {

constexpr int kMaxAttempts = 10;  // wrong answers in a row before giving up (e.g. input closed)

int fail(const std::string& message) {
  std::cerr << "omnictl install: " << message << "\n";
  return kExitUsage;
}

struct Abort : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string ask(const std::string& label, bool secret) {
  auto v = prompt(label, secret);
  if (!v) throw Abort("standard input is not a terminal");
  return *v;
}

// One field at the terminal: prompt with its default, re-ask on a bad answer, a secret
// twice and never echoed. `installed` (--reconfigure: the recorded answers) lets an empty
// answer keep the installed secret, which is never shown. An optional field with a
// default is cleared with "-".
std::string ask_field(const installer::Field& f, const Answers& answers, const Answers* installed) {
  std::string def;
  if (!f.secret) {
    auto it = answers.find(f.key);
    def = it != answers.end() ? it->second : installer::value_or_default(f, "", answers);
  }
  std::string kept;  // the installed secret an empty answer keeps
  if (f.secret && installed) {
    auto it = installed->find(f.key);
    if (it != installed->end()) kept = it->second;
  }
  if (!f.explanation.empty()) std::cout << "  " << f.explanation << "\n" << std::flush;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    std::string label = "  " + f.prompt;
    if (!f.choices.empty() && f.prompt.find('(') == std::string::npos) {
      std::string list;
      for (const auto& c : f.choices) list += (list.empty() ? "" : "/") + c;
      label += " (" + list + ")";
    }
    if (!def.empty()) label += " [" + def + "]";
    if (!def.empty() && f.optional) label += " (\"-\": none)";
    if (!kept.empty()) label += " [keep current]";
    std::string v = ask(label, f.secret);
    if (v.empty() && !kept.empty()) return kept;
    if (v.empty()) v = def;
    if (v == "-" && f.optional && !def.empty()) v.clear();
    if (v.empty() && !f.optional) {
      std::cout << "  An answer is needed.\n" << std::flush;
      continue;
    }
    if (!v.empty() && f.validate)
      if (auto why = f.validate(v, answers)) {
        std::cout << "  Not accepted: " << *why << ". Try again.\n" << std::flush;
        continue;
      }
    if (f.secret) {
      if (ask("  Again, to confirm", true) != v) {
        std::cout << "  The two entries differ. Try again.\n" << std::flush;
        continue;
      }
    }
    return installer::normalise_answer(f.key, v);
  }
  throw Abort("too many unaccepted answers for " + f.key);
}

void ask_step(const Step& step, int number, Answers& answers, const Answers* installed = nullptr) {
  std::cout << "\n"
            << number << ". " << step.title << "\n"
            << step.explanation << "\n"
            << std::flush;
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    for (const auto& f : step.fields) {
      if (!installer::applies(f, answers)) {
        answers.erase(f.key);
        continue;
      }
      answers[f.key] = ask_field(f, answers, installed);
    }
    if (!step.check) return;
    const std::string label = step.check_label ? step.check_label(answers) : std::string();
    if (!label.empty()) std::cout << "  " << label << "\n" << std::flush;
    auto why = step.check(answers);
    if (!why) {
      if (!label.empty()) std::cout << "  OK.\n" << std::flush;
      return;
    }
    std::cout << "  " << *why << "\n  Correct the answers of this step.\n" << std::flush;
  }
  throw Abort("step " + step.name + " failed too many times");
}

bool confirm(const std::string& question) {
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto yes = installer::parse_yes_no(ask(question + " (yes/no)", false));
    if (yes) return *yes;
  }
  throw Abort("no answer");
}

// The details file must be new, in an existing directory: checked before anything else.
std::optional<std::string> check_details_file(const std::string& file) {
  if (file.empty()) return std::nullopt;
  std::error_code ec;
  if (fs::exists(file, ec))
    return "--details-file " + file + " exists already (it is never overwritten)";
  fs::path parent = fs::absolute(file).parent_path();
  if (!fs::is_directory(parent, ec)) return "--details-file: no directory " + parent.string();
  return std::nullopt;
}

// Applies the merged answers of `sections` (both front ends of --reconfigure).
int apply_reconfiguration(const InstallOptions& opt, Answers merged,
                          const std::set<std::string>& sections) {
  installer::ApplyOptions ao;
  ao.root = opt.root;
  ao.service_user = opt.service_user;
  installer::Installation inst(std::move(merged), ao, [](const std::string& line) {
    std::cout << "  " << line << "\n" << std::flush;
  });
  try {
    inst.reconfigure(sections);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  std::cout << "Reconfigured: ";
  bool first = true;
  for (const auto& s : sections) std::cout << (first ? "" : ", ") << s, first = false;
  std::cout << ". Restart omnid to use the new settings (systemctl restart omnid).\n";
  return kExitOk;
}

// --reconfigure at a terminal: which sections, then their steps with the installed values
// as defaults, the changes, a confirmation.
int reconfigure_at_terminal(const InstallOptions& opt, const installer::Layout& layout,
                            const installer::Environment& env) {
  Answers current;
  try {
    current = installer::recorded_answers(layout);
  } catch (const std::exception& e) {
    return fail(std::string(e.what()) + "; nothing was changed");
  }
  const auto choices = installer::reconfigurable_steps(env);
  Answers merged;
  std::set<std::string> sections;
  try {
    std::cout << "Reconfiguring the Omnigate OS installation under " << layout.root.string()
              << ".\nSections that can change:\n";
    for (std::size_t i = 0; i < choices.size(); ++i) {
      std::string name = choices[i].name;
      name.resize(std::max<std::size_t>(name.size(), 13), ' ');
      std::cout << "  " << i + 1 << ". " << name << choices[i].title << "\n";
    }
    std::cout << std::flush;
    std::vector<std::string> chosen;
    for (int attempt = 0;; ++attempt) {
      if (attempt >= kMaxAttempts) throw Abort("too many unaccepted answers");
      auto why = installer::parse_step_choice(
          ask("Sections to change (numbers or names, e.g. 2 smtp; Enter: none)", false), choices,
          chosen);
      if (!why) break;
      std::cout << "  Not accepted: " << *why << ". Try again.\n" << std::flush;
    }
    if (chosen.empty()) {
      std::cout << "Nothing to change; nothing was written.\n";
      return kExitOk;
    }
    sections.insert(chosen.begin(), chosen.end());
    std::cout << "Press Enter to keep the current value in [brackets].\n" << std::flush;
    Answers answers = current;
    int number = 0;
    for (const auto& step : choices)
      if (sections.count(step.name)) ask_step(step, ++number, answers, &current);
    // The chosen steps' answers go the answers file's way (their checks ran while asking).
    Answers given;
    for (const auto& step : choices)
      if (sections.count(step.name))
        for (const auto& f : step.fields)
          if (auto it = answers.find(f.key); it != answers.end()) given[f.key] = it->second;
    if (auto e = installer::prepare_reconfiguration(layout, installer::wizard_steps(env), given,
                                                    merged, /*checks=*/false))
      return fail(e->message() + "; nothing was changed");
    // Only the sections whose answers differ are applied: omnid.toml is not rewritten (its
    // comments lost) for a section left as it was.
    std::vector<std::string> changes;
    std::string unchanged;
    for (const auto& name : chosen) {
      auto lines = installer::reconfiguration_changes(choices, {name}, current, merged);
      if (lines.empty()) {
        sections.erase(name);
        unchanged += (unchanged.empty() ? "" : ", ") + name;
      }
      changes.insert(changes.end(), lines.begin(), lines.end());
    }
    if (changes.empty()) {
      std::cout << "\nNothing changes: every answer is the installed one; nothing was written.\n";
      return kExitOk;
    }
    std::cout << "\nChanges\n";
    for (const auto& line : changes) std::cout << "  " << line << "\n";
    if (!unchanged.empty()) std::cout << "(unchanged, left as they are: " << unchanged << ")\n";
    std::cout << std::flush;
    if (!opt.yes && !confirm("Reconfigure with these changes?"))
      return fail("not confirmed; nothing was written");
  } catch (const std::exception& e) {  // Abort included: nothing was asked to change yet
    return fail(std::string(e.what()) + "; nothing was written");
  }
  return apply_reconfiguration(opt, std::move(merged), sections);
}

int reconfigure(const InstallOptions& opt, const installer::Layout& layout,
                const installer::Environment& env) {
  if (opt.answers_file.empty()) {
    if (!stdin_is_tty())
      return fail(
          "standard input is not a terminal: --reconfigure takes the settings to change from "
          "--answers FILE --yes (only the sections it holds change); nothing was changed");
    return reconfigure_at_terminal(opt, layout, env);
  }
  Answers given;
  try {
    given = installer::read_answers_file(opt.answers_file);
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  auto steps = installer::wizard_steps(env);
  std::set<std::string> sections;
  for (const auto& [key, value] : given) sections.insert(key.substr(0, key.find('.')));
  std::set<std::string> changeable;
  std::string changeable_list;
  for (const auto& s : installer::reconfigurable_steps(env, /*with_checks=*/false)) {
    changeable.insert(s.name);
    changeable_list += (changeable_list.empty() ? "" : ", ") + s.name;
  }
  for (const auto& s : sections)
    if (!changeable.count(s))
      return fail("step \"" + s +
                  "\": cannot be changed by --reconfigure (changeable: " + changeable_list + ")");
  if (!opt.yes) return fail("--reconfigure needs --yes");
  Answers merged;
  if (auto e = installer::prepare_reconfiguration(layout, steps, given, merged))
    return fail(e->message() + "; nothing was changed");
  return apply_reconfiguration(opt, std::move(merged), sections);
}

}  // namespace

InstallCommands add_install_command(CLI::App& app, InstallOptions& opt) {
  InstallCommands c;
  c.install = app.add_subcommand(
      "install",
      "The installation wizard: prompts for every step at a terminal, or reads --answers FILE "
      "--yes\n"
      "(unattended, e.g. a kickstart %post with --no-start). See docs/install.md.");
  c.install
      ->add_option("--answers", opt.answers_file,
                   "Answers file (TOML; see omnigate-answers.example.toml)")
      ->type_name("FILE");
  c.install->add_flag(
      "--yes", opt.yes,
      "Confirm the summary without asking (required with --answers and no terminal)");
  c.install
      ->add_option("--root", opt.root,
                   "Install under this prefix instead of / (tests, image builds)")
      ->type_name("DIR");
  c.install->add_flag("--no-start", opt.no_start,
                      "Do not enable and start omnid.service at the end (no systemctl)");
  c.install->add_flag("--reconfigure", opt.reconfigure,
                      "Change an installed host: at a terminal, asks which sections to change "
                      "(current values as defaults); with --answers FILE --yes, only the sections "
                      "of FILE (smtp, certificate, ...)");
  c.install
      ->add_option("--details-file", opt.details_file,
                   "Also write the installation details to this new file (mode 0600)")
      ->type_name("FILE");
  c.install->require_subcommand(0, 1);
  c.certificate = c.install->add_subcommand("certificate",
                                            "Install the signed certificate for the key and CSR "
                                            "the wizard made (checks key and host name)");
  c.certificate->add_option("--cert", opt.cert_file, "The signed certificate (PEM)")
      ->required()
      ->type_name("FILE");
  c.certificate->add_option("--chain", opt.chain_file, "The issuing CA's chain (PEM), optional")
      ->type_name("FILE");
  c.certificate->fallthrough();  // install's --root applies to it too
  return c;
}

int run_install(const InstallOptions& opt) {
  og::log::set_level(
      og::log::Level::Warn);  // the mailer's and cluster's routine lines are not for the operator
  const installer::Layout layout(opt.root);
  const installer::Environment env;
  const bool unattended = !opt.answers_file.empty();

  if (opt.root == "/" && ::geteuid() != 0)
    return fail("run it as root (or install under a prefix with --root DIR)");
  if (opt.reconfigure) {
    if (!installer::installed(layout))
      return fail("nothing to reconfigure: no installation under " + layout.root.string() + " (" +
                  layout.record_file.string() + " is missing)");
    return reconfigure(opt, layout, env);
  }
  if (installer::installed(layout))
    return fail(
        "Omnigate OS is installed already (" + layout.record_file.string() +
        "); to change settings use --reconfigure (at a terminal, or with --answers FILE --yes)");
  if (auto why = check_details_file(opt.details_file)) return fail(*why);
  if (!unattended && !stdin_is_tty())
    return fail("standard input is not a terminal: give the answers with --answers FILE --yes");
  if (unattended && !opt.yes && !stdin_is_tty())
    return fail("--answers without a terminal needs --yes (nobody can confirm the summary)");

  auto steps = installer::wizard_steps(env);
  Answers answers;
  try {
    if (unattended) {
      answers = installer::read_answers_file(opt.answers_file);
      struct stat st {};
      if (::stat(opt.answers_file.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        std::cerr << "omnictl install: warning: " << opt.answers_file
                  << " can be read by other users and holds passwords: chmod 600 it, and delete it "
                     "after the "
                     "installation\n";
      // Every answer first (both phases), then the checks that reach the network.
      auto e = installer::resolve_answers(steps, answers, Phase::BeforeApply, /*checks=*/false);
      if (!e) e = installer::resolve_answers(steps, answers, Phase::AfterApply, /*checks=*/false);
      if (!e) e = installer::run_checks(steps, answers, Phase::BeforeApply);
      if (e) return fail(e->message() + "; nothing was written");
    } else {
      std::cout << "Omnigate OS installation wizard. Press Enter to take the [default].\n";
      int number = 0;
      for (const auto& step : steps)
        if (step.phase == Phase::BeforeApply) ask_step(step, ++number, answers);
      // Options keep their defaults at the terminal.
      if (auto e = installer::resolve_answers({}, answers, Phase::BeforeApply))
        return fail(e->message());
    }
    std::cout << "\nSummary\n" << installer::summary(steps, answers) << std::flush;
    if (!opt.yes && !confirm("Install Omnigate OS with these settings?"))
      return fail("not confirmed; nothing was written");
  } catch (const Abort& e) {
    return fail(std::string(e.what()) + "; nothing was written");
  } catch (const std::exception& e) {
    return fail(e.what());
  }

  installer::ApplyOptions ao;
  ao.root = opt.root;
  ao.service_user = opt.service_user;
  std::cout << "\nInstalling\n" << std::flush;
  installer::Installation inst(answers, ao, [](const std::string& line) {
    std::cout << "  " << line << "\n" << std::flush;
  });
  installer::InstallationDetails details;
  try {
    details = inst.apply();
  } catch (const std::exception& e) {
    return fail(std::string(e.what()) + "\n(see " + layout.log_file.string() + ")");
  }
  std::cout << "\n" << details.text() << std::flush;
  if (!opt.details_file.empty()) {
    try {
      installer::write_file(opt.details_file, details.text(), 0600, /*exclusive=*/true);
      std::cout << "  (also written to " << opt.details_file << ", mode 0600)\n";
    } catch (const std::exception& e) {
      std::cerr << "omnictl install: " << e.what() << "\n";
    }
  }

  if (!answers.count("issuer.name")) {
    const Step* issuer = nullptr;
    for (const auto& s : steps)
      if (s.phase == Phase::AfterApply) issuer = &s;
    try {
      std::cout << "\nOmnigate configuration\n";
      for (int attempt = 0;; ++attempt) {
        Answers after = answers;
        ask_step(*issuer, 1, after);
        try {
          inst.set_issuer(after.at("issuer.name"));
          break;
        } catch (const std::exception& e) {
          if (attempt + 1 >= kMaxAttempts) throw;
          std::cout << "  " << e.what() << ". Try again.\n";
        }
      }
    } catch (const std::exception& e) {
      return fail(std::string("the issuer name is not set: ") + e.what() +
                  " (the installation itself is complete)");
    }
  }

  inst.finish();
  if (opt.no_start || layout.root != fs::path("/")) {
    std::cout << "\nOmnigate OS is installed. Start it with: systemctl enable --now omnid\n";
    return kExitOk;
  }
  try {
    inst.start_service();
  } catch (const std::exception& e) {
    return fail(std::string("installed, but omnid did not start: ") + e.what());
  }
  std::cout << "\nOmnigate OS is installed and omnid is running. Unlock it: omnictl unlock --all\n";
  return kExitOk;
}

int run_install_certificate(const InstallOptions& opt) {
  const installer::Layout layout(opt.root);
  if (!installer::installed(layout))
    return fail("no installation under " + layout.root.string() + " (" +
                layout.record_file.string() + " is missing)");
  try {
    installer::install_signed_certificate(layout, opt.cert_file, opt.chain_file);
  } catch (const std::exception& e) {
    return fail(std::string(e.what()) + "; nothing was changed");
  }
  std::cout << "Installed the signed certificate as " << layout.cert_file.string()
            << ". Restart omnid to serve it (systemctl restart omnid).\n";
  return kExitOk;
}

}  // namespace og::cli
