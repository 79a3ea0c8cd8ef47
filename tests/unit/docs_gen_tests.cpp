// omnictl's generated documentation: the command model (every catalog command, built-in
// commands as the real command line has them), the completion scripts and the man pages
// (escaping, every command and flag present, secrets only as -stdin/-file flags).
#include <catch2/catch.hpp>
#include <iostream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "cli/builtin_commands.h"
#include "cli/cli.h"
#include "cli/completion.h"
#include "cli/manpages.h"
#include "common/catalog/catalog.h"

using namespace og;
using namespace og::cli;

namespace {

// Runs omnictl with args; returns what it printed on standard output.
std::string run_omnictl(const std::vector<std::string>& args, int* rc = nullptr) {
  std::vector<std::string> storage{"omnictl"};
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  int code = og::cli::run(static_cast<int>(storage.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  if (rc) *rc = code;
  return out.str();
}

std::vector<std::string> words_of(std::string_view name) {
  std::vector<std::string> w;
  std::istringstream in{std::string(name)};
  for (std::string s; in >> s;) w.push_back(s);
  return w;
}

// The long flags an option list of CLI11's --help shows ("  -d,--data TEXT ...").
std::set<std::string> help_flags(const std::string& help) {
  std::set<std::string> out;
  static const std::regex line(R"(^\s+(?:-\w,)?--([a-z0-9][a-z0-9-]*))");
  std::istringstream in(help);
  for (std::string l; std::getline(in, l);) {
    std::smatch m;
    if (std::regex_search(l, m, line)) out.insert(m[1]);
  }
  return out;
}

// The subcommands the top-level --help lists under "Subcommands:".
std::set<std::string> help_subcommands(const std::string& help) {
  std::set<std::string> out;
  std::istringstream in(help);
  bool in_section = false;
  static const std::regex entry(R"(^\s+([a-z][a-z0-9_-]*)\b)");
  for (std::string l; std::getline(in, l);) {
    if (l.starts_with("Subcommands:")) {
      in_section = true;
      continue;
    }
    if (in_section && l.empty()) break;
    std::smatch m;
    if (in_section && std::regex_search(l, m, entry)) out.insert(m[1]);
  }
  return out;
}

const docs::GeneratedFile& page(const std::string& path) {
  static const std::vector<docs::GeneratedFile> pages = docs::man_pages();
  for (const auto& p : pages)
    if (p.path == path) return p;
  FAIL("no generated page " << path);
  return pages.front();
}

bool contains(const std::string& text, const std::string& what) { return text.find(what) != std::string::npos; }

}  // namespace

TEST_CASE("every catalog command is in the command model, the completions and its group's page") {
  const std::string bash = docs::bash_completion();
  const std::string zsh = docs::zsh_completion();
  const std::string fish = docs::fish_completion();
  std::set<std::string> names;
  for (const auto& c : docs::commands()) names.insert(c.name);
  std::size_t checked = 0;
  for (const catalog::Endpoint& ep : catalog::all()) {
    if (ep.command.empty()) continue;
    std::string name(ep.command);
    INFO(name);
    CHECK(names.contains(name));
    std::vector<std::string> w = words_of(name);
    // The last word is offered after the others, in every shell.
    std::string prefix;
    for (std::size_t i = 0; i + 1 < w.size(); ++i) prefix += (i ? " " : "") + w[i];
    auto kids = docs::children(prefix);
    CHECK(std::find(kids.begin(), kids.end(), w.back()) != kids.end());
    CHECK(contains(bash, "'" + prefix + "') echo '"));
    CHECK(contains(fish, "-a " + w.back() + " -d "));
    CHECK(contains(zsh, "'" + w.back() + ":"));
    const auto& group_page = page("man/omnictl-" + w.front() + ".1");
    CHECK(contains(group_page.text, ".SS " + docs::roff_escape(name, true) + "\n"));
    CHECK(contains(group_page.text, std::string(catalog::to_string(ep.method)) + " " +
                                        docs::roff_escape(std::string(ep.path), false)));
    ++checked;
  }
  CHECK(checked > 100);
}

TEST_CASE("flags of catalog commands: named as the parameters, secrets only as -stdin/-file") {
  const std::string bash = docs::bash_completion();
  for (const auto& c : docs::commands()) {
    if (c.builtin) continue;
    INFO(c.name);
    const std::string& group_page = page("man/omnictl-" + c.words.front() + ".1").text;
    for (const auto& form : c.forms)
      for (const catalog::Param& p : form.endpoint->params) {
        INFO(p.name);
        bool has_plain = false, has_stdin = false, has_file = false;
        for (const auto& f : c.flags) {
          has_plain = has_plain || f.name == p.name;
          has_stdin = has_stdin || f.name == std::string(p.name) + "-stdin";
          has_file = has_file || f.name == std::string(p.name) + "-file";
        }
        if (p.secret) {
          CHECK_FALSE(has_plain);
          CHECK(has_stdin);
          CHECK(has_file);
          CHECK(contains(group_page, docs::roff_escape("--" + std::string(p.name) + "-stdin", true)));
        } else {
          CHECK(has_plain);
          CHECK((contains(group_page, docs::roff_escape("--" + std::string(p.name), true)) ||
                 contains(group_page, docs::roff_escape(docs::value_name(p), true))));
          CHECK(contains(bash, "--" + std::string(p.name)));
        }
        for (auto v : p.accepted) CHECK(contains(group_page, std::string(v)));
      }
    const bool financial = c.forms.front().endpoint->financial;
    bool idem = std::any_of(c.flags.begin(), c.flags.end(), [](const auto& f) { return f.name == "idempotency-key"; });
    CHECK(idem == financial);
  }
}

TEST_CASE("enumerated values are completed for flags and path arguments") {
  const std::string bash = docs::bash_completion();
  // wallet withdraw --method: one_of in the catalog
  CHECK(contains(bash, "'wallet withdraw --method') echo 'bank iban ripple bitcoin stellar generic'"));
  // a path parameter with accepted values (auth strategy)
  bool found = false;
  for (const auto& c : docs::commands())
    for (const auto& f : c.forms)
      for (std::size_t n = 0; n < f.args.size(); ++n)
        if (!f.args[n].values.empty() && !c.builtin) {
          found = true;
          CHECK(contains(bash, "'" + c.name + " " + std::to_string(n) + "') echo '" + f.args[n].values.front()));
        }
  CHECK(found);
  CHECK(contains(bash, "'completion 0') echo 'bash zsh fish'"));
  CHECK(contains(bash, "--output|-o) echo 'table json'"));
  // a value with a space is one word
  CHECK(contains(bash, "'tenant consent accept-consent --type') echo 'ACH Credit\\ Card Debit\\ Card"));
  CHECK(contains(docs::fish_completion(), "-l type -x -a 'ACH \"Credit Card\" \"Debit Card\""));
}

TEST_CASE("command words, flag names and accepted values need no quoting in the scripts") {
  static const std::regex safe(R"(^[A-Za-z0-9._@/+:-]+$)");
  // Values may hold a space ("Credit Card"): the scripts escape it.
  static const std::regex safe_value(R"(^[A-Za-z0-9._@/+:-]+( [A-Za-z0-9._@/+:-]+)*$)");
  for (const auto& c : docs::commands()) {
    INFO(c.name);
    for (const auto& w : c.words) CHECK(std::regex_match(w, safe));
    for (const auto& f : c.flags) {
      CHECK(std::regex_match(f.name, std::regex("^[A-Za-z0-9][A-Za-z0-9_-]*$")));
      for (const auto& v : f.values) CHECK(std::regex_match(v, safe_value));
    }
    for (const auto& form : c.forms)
      for (const auto& a : form.args)
        for (const auto& v : a.values) CHECK(std::regex_match(v, safe_value));
  }
  // no two commands share a name (a built-in must not shadow a catalog command)
  std::set<std::string> names;
  for (const auto& c : docs::commands()) CHECK(names.insert(c.name).second);
}

TEST_CASE("the built-in table matches omnictl's real command line") {
  std::set<std::string> global;
  for (const auto& f : global_flags()) global.insert(std::string(f.name));
  std::set<std::string> top_words;
  for (const auto& b : builtin_commands()) {
    INFO(b.name);
    std::vector<std::string> args = words_of(b.name);
    top_words.insert(args.front());
    args.emplace_back("--help");
    int rc = -1;
    std::string help = run_omnictl(args, &rc);
    REQUIRE(rc == 0);
    std::set<std::string> real = help_flags(help);
    real.erase("help");
    for (const auto& g : global) real.erase(g);  // the help's footer lists the global flags
    std::set<std::string> table;
    for (const auto& f : b.flags) table.insert(std::string(f.name));
    for (const auto& f : real) {
      INFO("flag --" << f << " of omnictl " << b.name << " is missing from cli/builtin_commands.cpp");
      CHECK(table.contains(f));
    }
    for (const auto& f : table) {
      INFO("flag --" << f << " in cli/builtin_commands.cpp is not accepted by omnictl " << b.name);
      CHECK((real.contains(f) || global.contains(f)));
    }
  }
  std::set<std::string> listed = help_subcommands(run_omnictl({"--help"}));
  for (const auto& g : docs::groups()) listed.erase(g);
  for (const auto& w : listed) {
    INFO("omnictl " << w << " is a command but not in cli/builtin_commands.cpp");
    CHECK(top_words.contains(w));
  }
  for (const auto& w : top_words) {
    INFO("cli/builtin_commands.cpp lists " << w << " but omnictl --help does not");
    CHECK(listed.contains(w));
  }
}

TEST_CASE("global flags come from the options table and appear in every script and omnictl(1)") {
  const std::string& main_page = page("man/omnictl.1").text;
  const std::string fish = docs::fish_completion();
  REQUIRE(docs::global_flags().size() >= 10);
  for (const auto& f : docs::global_flags()) {
    INFO(f.name);
    CHECK(contains(main_page, "\\fB" + docs::roff_escape("--" + f.name, true) + "\\fR"));
    CHECK(contains(fish, "-l " + f.name));
  }
}

TEST_CASE("roff escaping") {
  CHECK(docs::roff_escape("a\\b") == "a\\eb");
  CHECK(docs::roff_escape("--amount", true) == "\\-\\-amount");
  CHECK(docs::roff_escape("e-mail") == "e-mail");
  // A text line never starts with a control character.
  CHECK(docs::roff_lines(".hidden 'quoted") == "\\&.hidden 'quoted\n");
  CHECK(docs::roff_lines("'quoted") == "\\&'quoted\n");
  // Flags in prose are escaped, other hyphens are not.
  CHECK(docs::roff_lines("use --field for one e-mail") == "use \\-\\-field for one e-mail\n");
  // Lines are wrapped at the width.
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "word" + std::to_string(i) + " ";
  std::istringstream lines(docs::roff_lines(long_text, 40));
  int n = 0;
  for (std::string l; std::getline(lines, l); ++n) CHECK(l.size() <= 40);
  CHECK(n > 5);
}

TEST_CASE("shell quoting") {
  CHECK(docs::sh_single_quote("plain") == "'plain'");
  CHECK(docs::sh_single_quote("it's") == "'it'\\''s'");
  CHECK(docs::sh_single_quote("") == "''");
  CHECK(docs::fish_quote("it's a \\ test") == "'it\\'s a \\\\ test'");
}

TEST_CASE("man pages: sections, no overlong text lines, no secrets on command lines") {
  auto pages = docs::man_pages();
  REQUIRE(pages.size() == docs::groups().size() + 1);
  const std::string& main_page = page("man/omnictl.1").text;
  for (const char* section : {"NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "GLOBAL OPTIONS", "EXIT STATUS",
                              "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"}) {
    INFO(section);
    CHECK(contains(main_page, std::string(".SH ") + section + "\n"));
  }
  for (const char* env : {"OMNICTL_URL", "OMNICTL_APIKEY", "OMNICTL_TOKEN", "OMNICTL_CACERT", "OMNICTL_CONTEXT",
                          "NO_COLOR", "XDG_CONFIG_HOME"})
    CHECK(contains(main_page, std::string(".B ") + env + "\n"));
  for (const auto& g : docs::groups()) {
    INFO(g);
    CHECK_FALSE(docs::group_description(g).empty());  // write one in cli/manpages.cpp
    CHECK(contains(main_page, ".BR omnictl\\-" + g + " (1)"));
  }
  static const std::regex secret_on_argv(R"(\\-\\-(password|apikey|token|secret|client_secret|mfaseed)[ =])");
  for (const auto& p : pages) {
    INFO(p.path);
    CHECK(p.text.starts_with(".\\\" DO NOT EDIT"));
    CHECK_FALSE(std::regex_search(p.text, secret_on_argv));
    std::istringstream in(p.text);
    for (std::string l; std::getline(in, l);) {
      INFO(l);
      if (l.empty() || l[0] == '.') continue;
      if (!l.starts_with("\\f")) CHECK(l.size() <= 80);  // text lines (tags may be longer)
      CHECK(l.back() != ' ');
    }
  }
}

TEST_CASE("generator targets") {
  CHECK_THROWS_AS(docs::completion_script("tcsh"), std::invalid_argument);
  std::ostringstream out, err;
  CHECK(docs::run_generate("man", "omnictl-nosuchgroup.1", out, err) == 1);
  CHECK(contains(err.str(), "no man page"));
  std::ostringstream list;
  CHECK(docs::run_generate("man-list", "", list, err) == 0);
  CHECK(contains(list.str(), "omnictl.1\n"));
  CHECK(contains(list.str(), "omnictl-wallet.1\n"));
  int rc = -1;
  CHECK(run_omnictl({"completion", "bash"}, &rc) == docs::bash_completion());
  CHECK(rc == 0);
  run_omnictl({"completion", "tcsh"}, &rc);
  CHECK(rc == 1);
  CHECK(run_omnictl({"__generate", "man", "omnictl-wallet.1"}, &rc) == page("man/omnictl-wallet.1").text);
  CHECK(rc == 0);
  CHECK(run_omnictl({"__generate", "man", "omnictl"}, &rc) == page("man/omnictl.1").text);
  CHECK(rc == 0);
  run_omnictl({"__generate", "nonsense"}, &rc);
  CHECK(rc == 1);
}
