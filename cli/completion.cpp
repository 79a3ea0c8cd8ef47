#include "cli/completion.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace og::cli::docs {

namespace cat = og::catalog;

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    else if (c == '-') c = '_';
  }
  return out;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    auto j = s.find(' ', i);
    if (j == std::string_view::npos) j = s.size();
    if (j > i) words.emplace_back(s.substr(i, j - i));
    i = j + 1;
  }
  return words;
}

std::vector<std::string> to_strings(const std::vector<std::string_view>& v) { return {v.begin(), v.end()}; }

// One line: newlines and tabs become spaces.
std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\n' || c == '\t' || c == '\r') c = ' ';
  return out;
}

FlagDoc from_info(const FlagInfo& f) {
  return {.name = std::string(f.name),
          .short_name = f.short_name,
          .value_name = std::string(f.value_name),
          .summary = std::string(f.summary),
          .kind = f.kind,
          .values = to_strings(f.values)};
}

// Path parameters of an endpoint in the order they appear in its path template.
std::vector<const cat::Param*> path_params(const cat::Endpoint& ep) {
  std::vector<std::pair<std::size_t, const cat::Param*>> found;
  for (const cat::Param& p : ep.params) {
    if (p.in != cat::In::Path) continue;
    auto at = ep.path.find("{" + std::string(p.name) + "}");
    found.emplace_back(at, &p);
  }
  std::stable_sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const cat::Param*> out;
  for (const auto& [at, p] : found) out.push_back(p);
  return out;
}

std::vector<CommandDoc> build_commands() {
  std::vector<CommandDoc> out;
  std::map<std::string, std::size_t> index;
  for (const cat::Endpoint& ep : cat::all()) {
    if (ep.command.empty()) continue;
    std::string name(ep.command);
    auto [it, inserted] = index.try_emplace(name, out.size());
    if (inserted) {
      out.push_back({.name = name, .words = split_words(name), .summary = one_line(ep.summary)});
    }
    CommandDoc& cmd = out[it->second];
    FormDoc form{.endpoint = &ep};
    for (const cat::Param* p : path_params(ep)) {
      if (p->secret) continue;  // a secret path parameter comes from --NAME-stdin / --NAME-file
      form.args.push_back({.name = upper(p->name),
                           .summary = one_line(p->description),
                           .required = true,
                           .values = to_strings(p->accepted),
                           .param = p});
    }
    cmd.forms.push_back(std::move(form));
    // Every parameter is also a flag: path parameters may be given as --NAME VALUE too.
    for (const cat::Param& p : ep.params) {
      for (FlagDoc& f : flags_for_param(p)) {
        bool known = std::any_of(cmd.flags.begin(), cmd.flags.end(), [&](const FlagDoc& g) { return g.name == f.name; });
        if (!known) cmd.flags.push_back(std::move(f));
      }
    }
  }
  // --data for every command that may send a body, --idempotency-key for financial ones
  // (as cli/catalog_commands.cpp parses them).
  for (CommandDoc& cmd : out) {
    const bool body = std::any_of(cmd.forms.begin(), cmd.forms.end(),
                                  [](const FormDoc& f) { return f.endpoint->method != cat::Method::Get; });
    if (body)
      cmd.flags.push_back({.name = "data",
                           .value_name = "JSON",
                           .summary = "JSON body: the text itself, @FILE, or - for standard input; flags override its fields"});
    if (cmd.forms.front().endpoint->financial)
      cmd.flags.push_back({.name = "idempotency-key",
                           .value_name = "KEY",
                           .summary = "Idempotency-Key to send (default: a new random one); reuse it to retry safely"});
  }
  for (const BuiltinCommand& b : builtin_commands()) {
    CommandDoc cmd{.name = std::string(b.name), .words = split_words(b.name), .summary = one_line(b.summary), .builtin = true};
    FormDoc form;
    for (const ArgInfo& a : b.args)
      form.args.push_back({.name = std::string(a.name),
                           .summary = std::string(a.summary),
                           .required = a.required,
                           .kind = a.kind,
                           .values = to_strings(a.values)});
    cmd.forms.push_back(std::move(form));
    for (const FlagInfo& f : b.flags) cmd.flags.push_back(from_info(f));
    out.push_back(std::move(cmd));
  }
  std::stable_sort(out.begin(), out.end(), [](const CommandDoc& a, const CommandDoc& b) { return a.words < b.words; });
  return out;
}

// --- shell script helpers -------------------------------------------------------------

std::string join(const std::vector<std::string>& v, std::string_view sep = " ") {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

// Completion treats a flag with an optional value (--trading[=true|false]) as a switch.
bool takes_no_word(const FlagDoc& f) { return f.value_name.empty() || f.optional_value; }

// "--name" and, when there is one, "-o".
std::vector<std::string> spellings(const FlagDoc& f) {
  std::vector<std::string> s{"--" + f.name};
  if (f.short_name) s.push_back(std::string("-") + f.short_name);
  return s;
}

std::vector<std::string> flag_words(const std::vector<FlagDoc>& flags) {
  std::vector<std::string> out;
  for (const FlagDoc& f : flags)
    for (std::string& s : spellings(f)) out.push_back(std::move(s));
  return out;
}

// A list of values for the shell scripts: separated by spaces, a space inside a value
// ("Credit Card") escaped as "\ " for bash and zsh, the value in double quotes for fish.
std::string sh_words(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) {
    std::string w;
    for (char c : v) w += c == ' ' ? std::string("\\ ") : std::string(1, c);
    out.push_back(w);
  }
  return join(out);
}

std::string fish_words(const std::vector<std::string>& values) {
  std::vector<std::string> out;
  for (const std::string& v : values) out.push_back(v.find(' ') == std::string::npos ? v : "\"" + v + "\"");
  return join(out);
}

// What completion offers for a value: its words, or @file / @dir.
std::string value_words(ValueKind kind, const std::vector<std::string>& values) {
  if (!values.empty()) return sh_words(values);
  if (kind == ValueKind::File) return "@file";
  if (kind == ValueKind::Directory) return "@dir";
  return "";
}

// The values offered for the n-th positional argument of a command (union of its forms).
std::vector<std::string> arg_values(const CommandDoc& cmd, std::size_t n, ValueKind* kind) {
  std::vector<std::string> values;
  *kind = ValueKind::Text;
  for (const FormDoc& f : cmd.forms) {
    if (n >= f.args.size()) continue;
    if (f.args[n].kind != ValueKind::Text) *kind = f.args[n].kind;
    for (const std::string& v : f.args[n].values)
      if (std::find(values.begin(), values.end(), v) == values.end()) values.push_back(v);
  }
  return values;
}

std::size_t max_args(const CommandDoc& cmd) {
  std::size_t n = 0;
  for (const FormDoc& f : cmd.forms) n = std::max(n, f.args.size());
  return n;
}

// Every command-word prefix that has children, "" first.
std::vector<std::string> interior_nodes() {
  std::set<std::string> nodes{""};
  for (const CommandDoc& c : commands()) {
    std::string prefix;
    for (std::size_t i = 0; i + 1 < c.words.size(); ++i) {
      prefix += (i ? " " : "") + c.words[i];
      nodes.insert(prefix);
    }
  }
  return {nodes.begin(), nodes.end()};
}

const CommandDoc* find_command(std::string_view name) {
  for (const CommandDoc& c : commands())
    if (c.name == name) return &c;
  return nullptr;
}

// A short description of a child word of `prefix` (the command's summary, or for a group
// of commands the list of what it holds).
std::string child_summary(const std::string& prefix, const std::string& word) {
  std::string full = prefix.empty() ? word : prefix + " " + word;
  if (const CommandDoc* c = find_command(full)) return c->summary;
  return join(children(full), ", ");
}

// The switch spellings (flags that take no value) shared by every command, and per command.
std::vector<std::string> global_switches() {
  std::vector<std::string> out;
  for (const FlagDoc& f : global_flags())
    if (takes_no_word(f))
      for (std::string& s : spellings(f)) out.push_back(std::move(s));
  return out;
}

std::string case_pattern(std::string_view s) { return sh_single_quote(s); }

// The data functions shared by bash and zsh (they read the same case syntax).
void write_sh_data(std::ostringstream& o) {
  o << "# Words that may follow the command words $1 (\"\" at the top).\n"
       "_omnictl_children() {\n"
       "    case \"$1\" in\n";
  for (const std::string& node : interior_nodes())
    o << "        " << case_pattern(node) << ") echo " << sh_single_quote(join(children(node))) << " ;;\n";
  o << "    esac\n}\n\n";

  o << "# Flags of the command $1: its own, then the global ones.\n"
       "_omnictl_flags() {\n"
       "    case \"$1\" in\n";
  for (const CommandDoc& c : commands())
    if (!c.flags.empty())
      o << "        " << case_pattern(c.name) << ") echo " << sh_single_quote(join(flag_words(c.flags))) << " ;;\n";
  o << "    esac\n"
       "    echo "
    << sh_single_quote(join(flag_words(global_flags()))) << "\n}\n\n";

  o << "# Succeeds when the flag $2 of the command $1 takes no value.\n"
       "_omnictl_is_switch() {\n"
       "    case \"$2\" in\n"
       "        "
    << join(global_switches(), "|") << ") return 0 ;;\n"
       "    esac\n"
       "    case \"$1 $2\" in\n";
  std::vector<std::string> switches;
  for (const CommandDoc& c : commands())
    for (const FlagDoc& f : c.flags)
      if (takes_no_word(f))
        for (const std::string& s : spellings(f)) switches.push_back(case_pattern(c.name + " " + s));
  if (!switches.empty()) o << "        " << join(switches, "|") << ") return 0 ;;\n";
  o << "    esac\n"
       "    return 1\n}\n\n";

  o << "# Values of the flag $2 of the command $1: words, @file or @dir.\n"
       "_omnictl_flag_values() {\n"
       "    case \"$2\" in\n";
  for (const FlagDoc& f : global_flags()) {
    std::string words = value_words(f.kind, f.values);
    if (!words.empty()) o << "        " << join(spellings(f), "|") << ") echo " << sh_single_quote(words) << "; return ;;\n";
  }
  o << "    esac\n"
       "    case \"$1 $2\" in\n";
  for (const CommandDoc& c : commands())
    for (const FlagDoc& f : c.flags) {
      std::string words = value_words(f.kind, f.values);
      if (words.empty()) continue;
      std::vector<std::string> pats;
      for (const std::string& s : spellings(f)) pats.push_back(case_pattern(c.name + " " + s));
      o << "        " << join(pats, "|") << ") echo " << sh_single_quote(words) << " ;;\n";
    }
  o << "    esac\n}\n\n";

  o << "# Values of the positional argument $2 (0 for the first) of the command $1.\n"
       "_omnictl_arg_values() {\n"
       "    case \"$1 $2\" in\n";
  for (const CommandDoc& c : commands())
    for (std::size_t n = 0; n < max_args(c); ++n) {
      ValueKind kind;
      std::vector<std::string> values = arg_values(c, n, &kind);
      std::string words = value_words(kind, values);
      if (!words.empty())
        o << "        " << case_pattern(c.name + " " + std::to_string(n)) << ") echo " << sh_single_quote(words)
          << " ;;\n";
    }
  o << "    esac\n}\n\n";

  o << "# Succeeds when $2 is a word that may follow the command words $1.\n"
       "_omnictl_has_child() {\n"
       "    case \" $(_omnictl_children \"$1\") \" in\n"
       "        *\" $2 \"*) return 0 ;;\n"
       "    esac\n"
       "    return 1\n}\n\n";
}

constexpr std::string_view kHeaderLines =
    "DO NOT EDIT: generated by `omnictl __generate completion-SHELL` from the endpoint\n"
    "catalog and cli/builtin_commands.cpp. Regenerate with scripts/regen-docs.sh.\n";

std::string header(std::string_view shell, std::string_view comment = "# ") {
  std::string text(kHeaderLines);
  text.replace(text.find("SHELL"), 5, shell);
  std::string out;
  for (const std::string& line : [&] {
         std::vector<std::string> lines;
         std::istringstream in(text);
         for (std::string l; std::getline(in, l);) lines.push_back(l);
         return lines;
       }())
    out += std::string(comment) + line + "\n";
  return out;
}

// The walk over the words already typed, shared by bash and zsh: sets cmd (the command
// words), npos (positional arguments seen), want_value/flag (the last flag awaits a value).
constexpr std::string_view kShWalk = R"(        if [ -n "$want_value" ]; then
            [ "$w" = "=" ] || want_value=""
        elif [ "$w" = "=" ] || [ "$w" = "--" ]; then
            :
        elif [[ $w == -* ]]; then
            if [[ $w != *=* && ( $w == --* || ${#w} -eq 2 ) ]] && ! _omnictl_is_switch "$cmd" "$w"; then
                want_value=1
                flag="$w"
            fi
        elif [ "$npos" -eq 0 ] && _omnictl_has_child "$cmd" "$w"; then
            cmd="${cmd:+$cmd }$w"
        else
            npos=$((npos + 1))
        fi
)";

}  // namespace

const std::vector<CommandDoc>& commands() {
  static const std::vector<CommandDoc> all = build_commands();
  return all;
}

const std::vector<FlagDoc>& global_flags() {
  static const std::vector<FlagDoc> all = [] {
    std::vector<FlagDoc> out;
    for (const FlagInfo& f : og::cli::global_flags()) out.push_back(from_info(f));
    return out;
  }();
  return all;
}

std::vector<std::string> groups() {
  std::set<std::string> out;
  for (const CommandDoc& c : commands())
    if (!c.builtin) out.insert(c.words.front());
  return {out.begin(), out.end()};
}

std::vector<std::string> children(std::string_view prefix) {
  std::set<std::string> out;
  for (const CommandDoc& c : commands()) {
    std::string_view name = c.name;
    std::size_t start = 0;
    if (!prefix.empty()) {
      if (!(name.size() > prefix.size() && name.starts_with(prefix) && name[prefix.size()] == ' ')) continue;
      start = prefix.size() + 1;
    }
    auto end = name.find(' ', start);
    out.insert(std::string(name.substr(start, end == std::string_view::npos ? name.size() - start : end - start)));
  }
  return {out.begin(), out.end()};
}

std::string value_name(const cat::Param& p) {
  switch (p.type) {
    case cat::Type::Boolean: return "true|false";
    case cat::Type::Number: return "N";
    case cat::Type::Array:
    case cat::Type::Object: return "JSON";
    case cat::Type::String: break;
  }
  switch (p.format) {
    case cat::Format::Upid: return "UPID";
    case cat::Format::Uuid: return "UUID";
    case cat::Format::Waid: return "WAID";
    case cat::Format::Txid: return "TXID";
    case cat::Format::Akid: return "AKID";
    case cat::Format::Prid: return "PRID";
    case cat::Format::Ntid: return "NTID";
    case cat::Format::Fsid: return "FSID";
    case cat::Format::Email: return "EMAIL";
    case cat::Format::Url: return "URL";
    case cat::Format::Amount: return "AMOUNT";
    case cat::Format::Date: return "YYYY-MM-DD";
    default: return upper(p.name);
  }
}

std::vector<FlagDoc> flags_for_param(const cat::Param& p) {
  std::string summary = one_line(p.description.empty() ? p.name : p.description);
  if (p.secret) {
    return {{.name = std::string(p.name) + std::string(kSecretStdinSuffix),
             .summary = "Read " + summary + " from standard input (a secret: never on the command line)",
             .kind = ValueKind::None,
             .param = &p},
            {.name = std::string(p.name) + std::string(kSecretFileSuffix),
             .value_name = "FILE",
             .summary = "Read " + summary + " from FILE",
             .kind = ValueKind::File,
             .param = &p}};
  }
  FlagDoc f{.name = std::string(p.name), .value_name = value_name(p), .summary = summary, .param = &p};
  f.values = to_strings(p.accepted);
  if (p.type == cat::Type::Boolean) {
    f.optional_value = true;  // --NAME alone means true
    f.kind = ValueKind::None;
  }
  return {f};
}

std::string sh_single_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::string fish_quote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string bash_completion() {
  std::ostringstream o;
  o << "# bash completion for omnictl\n" << header("bash") << "# shellcheck shell=bash\n\n";
  write_sh_data(o);
  o << R"(# COMPREPLY from the words $1 (or files for @file, directories for @dir) matching $2.
_omnictl_reply() {
    local w words
    COMPREPLY=()
    case "$1" in
        @file)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -f -- "$2") ;;
        @dir)
            compopt -o filenames 2>/dev/null
            mapfile -t COMPREPLY < <(compgen -d -- "$2") ;;
        *)
            # read without -r: "\ " keeps a value with a space (Credit\ Card) one word.
            # shellcheck disable=SC2162
            read -a words <<<"$1"
            for w in "${words[@]}"; do
                printf -v w '%q' "$w"
                if [[ $w == "$2"* ]]; then COMPREPLY+=("$w"); fi
            done ;;
    esac
}

)"
       "_omnictl() {\n"
       "    local cur w cmd=\"\" flag=\"\" want_value=\"\" values i=1 npos=0\n"
       "    cur=\"${COMP_WORDS[COMP_CWORD]}\"\n"
       "    COMPREPLY=()\n"
       "    while [ \"$i\" -lt \"$COMP_CWORD\" ]; do\n"
       "        w=\"${COMP_WORDS[i]}\"\n"
    << kShWalk
    << "        i=$((i + 1))\n"
       "    done\n"
       "    if [ -n \"$want_value\" ]; then\n"
       "        [ \"$cur\" = \"=\" ] && return 0\n"
       "        _omnictl_reply \"$(_omnictl_flag_values \"$cmd\" \"$flag\")\" \"$cur\"\n"
       "    elif [[ $cur == -* ]]; then\n"
       "        _omnictl_reply \"$(_omnictl_flags \"$cmd\")\" \"$cur\"\n"
       "    else\n"
       "        values=\"$(_omnictl_arg_values \"$cmd\" \"$npos\")\"\n"
       "        if [ \"$npos\" -eq 0 ]; then\n"
       "            values=\"$(_omnictl_children \"$cmd\") $values\"\n"
       "        fi\n"
       "        _omnictl_reply \"$values\" \"$cur\"\n"
       "    fi\n"
       "    return 0\n"
       "}\n\n"
       "complete -F _omnictl omnictl\n";
  return o.str();
}

std::string zsh_completion() {
  std::ostringstream o;
  o << "#compdef omnictl\n# zsh completion for omnictl\n" << header("zsh") << "\n";
  write_sh_data(o);
  // Descriptions for zsh's menu: "word:summary" lines.
  o << "# Lines \"word:summary\" for the words that may follow the command words $1.\n"
       "_omnictl_described_children() {\n"
       "    case \"$1\" in\n";
  for (const std::string& node : interior_nodes()) {
    std::vector<std::string> lines;
    for (const std::string& w : children(node)) lines.push_back(w + ":" + child_summary(node, w));
    o << "        " << case_pattern(node) << ") printf '%s\\n' " << [&] {
      std::vector<std::string> q;
      for (const std::string& l : lines) q.push_back(sh_single_quote(l));
      return join(q);
    }() << " ;;\n";
  }
  o << "    esac\n}\n\n";
  o << "_omnictl() {\n"
       "    local cur w cmd=\"\" flag=\"\" want_value=\"\" values\n"
       "    local -i i=2 npos=0\n"
       "    local -a described\n"
       "    cur=\"${words[CURRENT]}\"\n"
       "    while (( i < CURRENT )); do\n"
       "        w=\"${words[i]}\"\n"
    << kShWalk
    << "        i=$((i + 1))\n"
       "    done\n"
       "    if [[ -n $want_value ]]; then\n"
       "        values=\"$(_omnictl_flag_values \"$cmd\" \"$flag\")\"\n"
       "    elif [[ $cur == -* ]]; then\n"
       "        values=\"$(_omnictl_flags \"$cmd\")\"\n"
       "    else\n"
       "        values=\"$(_omnictl_arg_values \"$cmd\" \"$npos\")\"\n"
       "        if (( npos == 0 )); then\n"
       "            described=(\"${(@f)$(_omnictl_described_children \"$cmd\")}\")\n"
       "            if [[ -n ${described[1]} ]]; then\n"
       "                _describe -t commands 'omnictl command' described\n"
       "            fi\n"
       "        fi\n"
       "    fi\n"
       "    case \"$values\" in\n"
       "        @file) _files ;;\n"
       "        @dir) _files -/ ;;\n"
       "        ?*) compadd -- ${(Q)${(z)values}} ;;\n"
       "    esac\n"
       "}\n\n"
       "if [[ ${funcstack[1]} == _omnictl ]]; then\n"
       "    _omnictl \"$@\"\n"
       "else\n"
       "    compdef _omnictl omnictl\n"
       "fi\n";
  return o.str();
}

std::string fish_completion() {
  std::ostringstream o;
  o << "# fish completion for omnictl\n" << header("fish") << "\n";
  // Data: children, switches.
  o << "# Words that may follow the command words $argv[1], one per line.\n"
       "function __omnictl_children\n"
       "    switch \"$argv[1]\"\n";
  for (const std::string& node : interior_nodes()) {
    o << "        case " << fish_quote(node) << "\n"
      << "            printf '%s\\n' " << join(children(node)) << "\n";
  }
  o << "    end\nend\n\n";
  o << "# Succeeds when the flag $argv[2] of the command $argv[1] takes no value.\n"
       "function __omnictl_is_switch\n"
       "    switch \"$argv[2]\"\n"
       "        case "
    << join(global_switches()) << "\n"
    << "            return 0\n"
       "    end\n"
       "    switch \"$argv[1] $argv[2]\"\n";
  {
    std::vector<std::string> switches;
    for (const CommandDoc& c : commands())
      for (const FlagDoc& f : c.flags)
        if (takes_no_word(f))
          for (const std::string& s : spellings(f)) switches.push_back(fish_quote(c.name + " " + s));
    if (!switches.empty()) o << "        case " << join(switches) << "\n            return 0\n";
  }
  o << "    end\n    return 1\nend\n\n";
  o << R"(# Prints the command words typed so far, the number of positional arguments, and 1 when
# the last flag awaits its value (else 0).
function __omnictl_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmd ''
    set -l npos 0
    set -l want 0
    for w in $tokens
        if test $want -eq 1
            set want 0
        else if test "$w" = --
            continue
        else if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w
                and begin; string match -q -- '--*' $w; or test (string length -- $w) -eq 2; end
                and not __omnictl_is_switch "$cmd" $w
                set want 1
            end
        else if test $npos -eq 0; and contains -- $w (__omnictl_children "$cmd")
            if test -z "$cmd"
                set cmd $w
            else
                set cmd "$cmd $w"
            end
        else
            set npos (math $npos + 1)
        end
    end
    printf '%s\n' "$cmd" $npos $want
end

# Succeeds when the command words typed so far are exactly $argv[1].
function __omnictl_cmd_is
    set -l state (__omnictl_state)
    test "$state[1]" = "$argv[1]"
end

# Succeeds when the command is $argv[1], $argv[2] positional arguments were typed and no
# flag awaits its value.
function __omnictl_arg_is
    set -l state (__omnictl_state)
    test "$state[1]" = "$argv[1]"; and test "$state[2]" = "$argv[2]"; and test "$state[3]" = 0
end

complete -c omnictl -f
)";
  auto flag_line = [&](const FlagDoc& f, const std::string& condition) {
    o << "complete -c omnictl";
    if (!condition.empty()) o << " -n " << fish_quote(condition);
    if (f.short_name) o << " -s " << f.short_name;
    o << " -l " << f.name;
    if (!takes_no_word(f)) {
      if (!f.values.empty()) o << " -x -a " << fish_quote(fish_words(f.values));
      else if (f.kind == ValueKind::File) o << " -r -F";
      else if (f.kind == ValueKind::Directory) o << " -x -a '(__fish_complete_directories)'";
      else o << " -x";
    }
    if (!f.summary.empty()) o << " -d " << fish_quote(f.summary);
    o << "\n";
  };
  o << "\n# Global flags.\n";
  for (const FlagDoc& f : global_flags()) flag_line(f, "");
  o << "\n# Commands.\n";
  for (const std::string& node : interior_nodes()) {
    std::string condition = "__omnictl_arg_is " + fish_quote(node) + " 0";
    for (const std::string& w : children(node))
      o << "complete -c omnictl -n " << fish_quote(condition) << " -a " << w << " -d "
        << fish_quote(child_summary(node, w)) << "\n";
  }
  o << "\n# Flags and arguments of each command.\n";
  for (const CommandDoc& c : commands()) {
    std::string condition = "__omnictl_cmd_is " + fish_quote(c.name);
    for (const FlagDoc& f : c.flags) flag_line(f, condition);
    for (std::size_t n = 0; n < max_args(c); ++n) {
      ValueKind kind;
      std::vector<std::string> values = arg_values(c, n, &kind);
      std::string arg_condition = "__omnictl_arg_is " + fish_quote(c.name) + " " + std::to_string(n);
      if (!values.empty())
        o << "complete -c omnictl -n " << fish_quote(arg_condition) << " -a " << fish_quote(fish_words(values)) << "\n";
      else if (kind == ValueKind::File)
        o << "complete -c omnictl -n " << fish_quote(arg_condition) << " -F\n";
    }
  }
  return o.str();
}

std::string completion_script(std::string_view shell) {
  if (shell == "bash") return bash_completion();
  if (shell == "zsh") return zsh_completion();
  if (shell == "fish") return fish_completion();
  throw std::invalid_argument("unknown shell \"" + std::string(shell) + "\": bash, zsh or fish");
}

}  // namespace og::cli::docs
