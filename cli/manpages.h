#pragma once
// omnictl's man pages, generated from the endpoint catalog, cli/builtin_commands.* and the
// hand-written sections in cli/manpages.cpp: omnictl(1) and one omnictl-GROUP(1) per
// group of catalog commands. Also the `omnictl __generate` targets for every generated
// file (completions/ and man/ in the source tree; scripts/regen-docs.sh writes them).

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace og::cli::docs {

struct GeneratedFile {
  std::string path;  // relative to the source tree: "man/omnictl-wallet.1"
  std::string text;
};

// omnictl.1, then omnictl-GROUP.1 for each group (paths under man/).
std::vector<GeneratedFile> man_pages();

// Every generated documentation file: the man pages and completions/{omnictl.bash,
// _omnictl, omnictl.fish}.
std::vector<GeneratedFile> generated_files();

// One-line description of a catalog group ("wallet"); empty when none is written.
std::string_view group_description(std::string_view group);

// Text for a roff text line or macro argument: backslashes as \e; with `code`, hyphens as
// \- (flags, commands, paths). A line starting with . or ' gets \& in front (see roff_lines).
std::string roff_escape(std::string_view text, bool code = false);

// Prose as roff text lines of at most `width` characters (escaped; no line starts with a
// control character).
std::string roff_lines(std::string_view text, std::size_t width = 72);

// The `omnictl __generate` targets this file handles (besides result-codes):
//   completion-bash | completion-zsh | completion-fish   the script on standard output
//   man PAGE                                             one page ("omnictl-wallet.1" or "omnictl-wallet")
//   man-list                                             the names of the pages
//   docs DIR                                             every file under DIR (completions/, man/)
std::vector<std::string> generate_targets();
int run_generate(const std::string& what, const std::string& arg, std::ostream& out, std::ostream& err);

}  // namespace og::cli::docs
