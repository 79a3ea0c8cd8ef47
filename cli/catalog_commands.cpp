#include "cli/catalog_commands.h"

#include <algorithm>
#include <ctime>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "cli/config.h"
#include "cli/exit_codes.h"
#include "cli/present.h"
#include "cli/secrets.h"
#include "cli/session_commands.h"
#include "common/json.h"
#include "common/validation.h"

namespace og::cli {

using catalog::Endpoint;
using catalog::In;
using catalog::Param;
using catalog::Type;

namespace {

// The command tree: "system bridge generic close" -> system / bridge / generic / close.
struct Node {
  std::map<std::string, Node> children;
  std::vector<const Endpoint*> endpoints;  // variants of this command, in catalog order
};

const Node& tree() {
  static const Node root = [] {
    Node r;
    for (const auto& ep : catalog::all()) {
      if (ep.command.empty()) continue;
      Node* n = &r;
      std::istringstream words{std::string(ep.command)};
      std::string w;
      while (words >> w) n = &n->children[w];
      n->endpoints.push_back(&ep);
    }
    return r;
  }();
  return root;
}

std::string upper(std::string_view s) {
  std::string u(s);
  std::transform(u.begin(), u.end(), u.begin(), [](unsigned char c) { return std::toupper(c); });
  return u;
}

std::vector<const Param*> path_params(const Endpoint& ep) {
  std::vector<const Param*> out;
  for (const auto& p : ep.params)
    if (p.in == In::Path) out.push_back(&p);
  return out;
}

// Non-path parameters of all variants, by name (first declaration wins).
std::map<std::string, const Param*> flag_params(const std::vector<const Endpoint*>& variants) {
  std::map<std::string, const Param*> out;
  for (const auto* ep : variants)
    for (const auto& p : ep->params)
      if (p.in != In::Path) out.emplace(std::string(p.name), &p);
  return out;
}

std::map<std::string, const Param*> all_params(const std::vector<const Endpoint*>& variants) {
  std::map<std::string, const Param*> out;
  for (const auto* ep : variants)
    for (const auto& p : ep->params) out.emplace(std::string(p.name), &p);
  return out;
}

std::string limits(const Param& p) {
  std::string unit = p.type == Type::String   ? "characters"
                     : p.type == Type::Number ? "digits"
                     : p.type == Type::Array  ? "elements"
                     : p.type == Type::Object ? "bytes of JSON"
                                              : "";
  if (p.min_len < 0 && p.max_len < 0) return "";
  if (p.min_len == p.max_len) return std::to_string(p.max_len) + " " + unit;
  if (p.min_len < 0) return "at most " + std::to_string(p.max_len) + " " + unit;
  if (p.max_len < 0) return "at least " + std::to_string(p.min_len) + " " + unit;
  return std::to_string(p.min_len) + "-" + std::to_string(p.max_len) + " " + unit;
}

std::string param_help(const Param& p) {
  std::string h;
  if (p.required && p.in != In::Path) h += "(required) ";
  if (p.secret) h += "(secret) ";
  h += std::string(p.description);
  std::vector<std::string> notes;
  if (p.type != Type::String) notes.emplace_back(catalog::to_string(p.type));
  if (auto l = limits(p); !l.empty()) notes.push_back(l);
  if (auto f = catalog::to_string(p.format); !f.empty()) notes.emplace_back(f);
  if (!p.accepted.empty()) {
    std::string one_of = "one of: ";
    for (std::size_t i = 0; i < p.accepted.size(); ++i) one_of += (i ? ", " : "") + std::string(p.accepted[i]);
    notes.push_back(one_of);
  }
  if (p.in == In::Query) notes.emplace_back("query string");
  if (!notes.empty()) {
    h += " [";
    for (std::size_t i = 0; i < notes.size(); ++i) h += (i ? "; " : "") + notes[i];
    h += "]";
  }
  return h;
}

std::string flag_left(const Param& p) {
  if (p.secret) return "--" + std::string(p.name) + "-stdin | --" + std::string(p.name) + "-file FILE";
  switch (p.type) {
    case Type::Boolean: return "--" + std::string(p.name) + "[=true|false]";
    case Type::Number: return "--" + std::string(p.name) + " NUMBER";
    case Type::Array: return "--" + std::string(p.name) + " JSON|A,B";
    case Type::Object: return "--" + std::string(p.name) + " JSON";
    case Type::String: break;
  }
  return "--" + std::string(p.name) + " VALUE";
}

void row(std::ostringstream& out, const std::string& left, const std::string& right) {
  out << "  " << left;
  if (left.size() < 30) out << std::string(30 - left.size(), ' ');
  else out << "\n" << std::string(32, ' ');
  out << right << "\n";
}

std::string usage_form(const std::string& command, const Endpoint& ep) {
  std::string u = "omnictl " + command;
  for (const Param* p : path_params(ep)) {
    if (p->secret) {
      u.append(" --").append(p->name).append("-stdin|--").append(p->name).append("-file FILE");
    } else {
      u.append(" ").append(upper(p->name));
    }
  }
  bool flags = std::any_of(ep.params.begin(), ep.params.end(), [](const Param& p) { return p.in != In::Path; });
  if (flags) u += " [flags]";
  return u;
}

std::string node_help(const std::vector<std::string>& words, const Node& node) {
  std::ostringstream out;
  std::string command;
  for (const auto& w : words) command += (command.empty() ? "" : " ") + w;
  if (!node.endpoints.empty()) {
    const auto& variants = node.endpoints;
    out << "Usage:";
    std::set<std::string> seen;
    for (std::size_t i = 0; i < variants.size(); ++i) {
      std::string form = usage_form(command, *variants[i]);
      if (!seen.insert(form).second) continue;
      out << (i ? "\n   or: " : " ") << form;
    }
    out << "\n\n" << variants.front()->summary << ".\n\nRequests:\n";
    for (const auto* ep : variants) {
      std::string what = std::string(catalog::to_string(ep->method)) + " " + std::string(ep->path);
      std::string notes = "timeout " + std::to_string(ep->timeout_seconds) + " s";
      if (ep->financial) notes += "; financial: sends an Idempotency-Key, retried only with it";
      if (ep->auth == catalog::Auth::Public) notes += "; no credential needed";
      row(out, what, notes);
    }
    std::map<std::string, const Param*> positional;
    for (const auto* ep : variants)
      for (const Param* p : path_params(*ep))
        if (!p->secret) positional.emplace(std::string(p->name), p);
    if (!positional.empty()) {
      out << "\nArguments:\n";
      for (const auto& [name, p] : positional) row(out, upper(name), param_help(*p) + " (or --" + name + " VALUE)");
    }
    auto all = all_params(variants);
    bool any_flag = std::any_of(all.begin(), all.end(), [](const auto& kv) { return kv.second->in != In::Path || kv.second->secret; });
    out << "\nFlags:\n";
    if (any_flag) {
      for (const auto* ep : variants)
        for (const auto& p : ep->params) {
          if (p.in == In::Path && !p.secret) continue;
          if (all.at(std::string(p.name)) != &p) continue;  // shown once
          row(out, flag_left(p), param_help(p));
        }
    }
    bool has_body = std::any_of(variants.begin(), variants.end(), [](const Endpoint* ep) {
      return ep->method != catalog::Method::Get;
    });
    if (has_body) row(out, "--data JSON|@FILE|-", "The JSON body; flags override its fields");
    if (variants.front()->financial)
      row(out, "--idempotency-key KEY", "Idempotency-Key to send (default: a new random key); reuse one to retry");
    out << "\nSecret parameters are never taken from the command line: --NAME-stdin reads standard input,\n"
           "--NAME-file reads a file, and a required one left out is prompted for (no echo) on a terminal.\n"
           "Global flags (-o json, --field, --curl, --context, ...): omnictl --help.\n";
  } else {
    out << "Usage: omnictl " << command << " ACTION [flags]\n\nActions:\n";
    for (const auto& [name, child] : node.children) {
      std::string text;
      if (!child.endpoints.empty()) text = std::string(child.endpoints.front()->summary);
      else {
        for (const auto& [sub, unused] : child.children) text += (text.empty() ? "" : ", ") + sub;
        text = "(" + text + ")";
      }
      row(out, name, text);
    }
    out << "\nRun omnictl " << command << " ACTION --help for an action's arguments and flags.\n";
  }
  return out.str();
}

// "010.50", "10.5" and "1.05e1" are the same decimal.
std::string normal_decimal(std::string s) {
  bool negative = !s.empty() && s.front() == '-';
  if (negative) s.erase(0, 1);
  if (auto e = s.find_first_of("eE"); e != std::string::npos) {
    int exp = 0;
    try {
      exp = std::stoi(s.substr(e + 1));
    } catch (const std::exception&) {
      return s;
    }
    if (exp > 400 || exp < -400) return s;
    std::string mantissa = s.substr(0, e);
    auto dot = mantissa.find('.');
    long point = static_cast<long>(dot == std::string::npos ? mantissa.size() : dot) + exp;
    std::string digits = mantissa;
    if (dot != std::string::npos) digits.erase(dot, 1);
    if (point <= 0) {
      digits = std::string(static_cast<std::size_t>(-point) + 1, '0') + digits;
      point = 1;
    }
    if (point > static_cast<long>(digits.size())) digits += std::string(static_cast<std::size_t>(point) - digits.size(), '0');
    s = digits.substr(0, static_cast<std::size_t>(point)) + "." + digits.substr(static_cast<std::size_t>(point));
  }
  auto dot = s.find('.');
  std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  while (!frac.empty() && frac.back() == '0') frac.pop_back();
  while (whole.size() > 1 && whole.front() == '0') whole.erase(0, 1);
  std::string out = whole + (frac.empty() ? "" : "." + frac);
  return negative && out != "0" ? "-" + out : out;
}

bool same_decimal(const std::string& a, const std::string& b) { return normal_decimal(a) == normal_decimal(b); }

// A flag's text converted to the parameter's JSON type.
Json convert(const Param& p, const std::string& text) {
  const std::string flag = "--" + std::string(p.name);
  switch (p.type) {
    case Type::String: return text;
    case Type::Boolean:
      if (text == "true") return true;
      if (text == "false") return false;
      throw UsageError(flag + " must be true or false");
    case Type::Number: {
      Json v = Json::parse(text, nullptr, false);
      if (v.is_discarded() || !v.is_number()) throw UsageError(flag + " must be a number");
      // Money is exact: refuse a number that a JSON double would change (17+ digits).
      if (!same_decimal(text, v.dump()))
        throw UsageError(flag + " " + text + " cannot be sent exactly as a JSON number");
      return v;
    }
    case Type::Array: {
      Json v = Json::parse(text, nullptr, false);
      if (!v.is_discarded() && v.is_array()) return v;
      if (!v.is_discarded() && !v.is_string()) throw UsageError(flag + " must be a JSON array or comma-separated words");
      Json arr = Json::array();
      std::string item;
      std::istringstream in(text);
      while (std::getline(in, item, ','))
        if (!item.empty()) arr.push_back(item);
      return arr;
    }
    case Type::Object: {
      Json v = Json::parse(text, nullptr, false);
      if (v.is_discarded() || !v.is_object()) throw UsageError(flag + " must be a JSON object");
      return v;
    }
  }
  return text;
}

std::string substitute(std::string_view tmpl, const std::map<std::string, std::string>& values, bool mask,
                       const Endpoint& ep) {
  std::string out;
  std::size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] == '{') {
      auto close = tmpl.find('}', i);
      std::string name(tmpl.substr(i + 1, close - i - 1));
      const Param* p = ep.param(name);
      auto it = values.find(name);
      std::string v = it == values.end() ? "" : it->second;
      out += mask && p && p->secret ? std::string(kMask) : url_encode(v);
      i = close + 1;
    } else {
      out += tmpl[i++];
    }
  }
  return out;
}

}  // namespace

std::string url_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
    else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

SecretIo process_secret_io() {
  SecretIo io;
  io.read_stdin = read_secret_stdin;
  io.read_file = read_secret_file;
  io.prompt = [](const std::string& label) { return prompt(label, /*secret=*/true); };
  io.read_data = read_data_argument;
  return io;
}

std::vector<std::string> catalog_groups() {
  std::vector<std::string> out;
  for (const auto& [name, unused] : tree().children) out.push_back(name);
  return out;
}

bool is_catalog_group(std::string_view word) { return tree().children.contains(std::string(word)); }

std::string group_summary(std::string_view group) {
  auto it = tree().children.find(std::string(group));
  if (it == tree().children.end()) return "";
  std::string text;
  for (const auto& [name, unused] : it->second.children) text += (text.empty() ? "" : ", ") + name;
  return text;
}

std::string catalog_help(const std::vector<std::string>& words) {
  const Node* n = &tree();
  for (const auto& w : words) {
    auto it = n->children.find(w);
    if (it == n->children.end()) return "";
    n = &it->second;
  }
  return node_help(words, *n);
}

Invocation parse_catalog_command(const std::vector<std::string>& args, const SecretIo& io) {
  Invocation inv;
  const Node* node = &tree();
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < args.size() && !args[i].starts_with("-")) {
    auto it = node->children.find(args[i]);
    if (it == node->children.end()) break;
    node = &it->second;
    words.push_back(args[i]);
    ++i;
  }
  std::string command;
  for (const auto& w : words) command += (command.empty() ? "" : " ") + w;
  inv.command = command;
  bool help = std::any_of(args.begin() + static_cast<std::ptrdiff_t>(i), args.end(),
                          [](const std::string& a) { return a == "--help" || a == "-h"; });
  if (help) {
    inv.help = node_help(words, *node);
    return inv;
  }
  if (node->endpoints.empty()) {
    if (i < args.size() && !args[i].starts_with("-"))
      throw UsageError("unknown command \"" + args[i] + "\" for omnictl " + command + " (omnictl " + command +
                       " --help)");
    throw UsageError("omnictl " + command + " needs an action (omnictl " + command + " --help)");
  }
  const auto& variants = node->endpoints;
  auto flags = flag_params(variants);
  auto all = all_params(variants);

  std::vector<std::string> positional;
  std::map<std::string, std::string> values;      // non-secret flags (text)
  std::map<std::string, std::string> named_path;  // --waid X
  std::map<std::string, std::string> secret_src;  // name -> "stdin" or "file:PATH"
  std::optional<std::string> data_arg;
  std::optional<std::string> idempotency_key;
  bool rest_positional = false;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (rest_positional || !a.starts_with("-") || a == "-") {
      positional.push_back(a);
      continue;
    }
    if (a == "--") {
      rest_positional = true;
      continue;
    }
    if (!a.starts_with("--")) throw UsageError("unknown flag " + a + " for omnictl " + command + " (--help)");
    std::string name = a.substr(2), value;
    bool has_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      has_value = true;
    }
    auto take_value = [&](const std::string& flag) {
      if (has_value) return value;
      if (i + 1 >= args.size()) throw UsageError("--" + flag + " needs a value");
      return args[++i];
    };
    if (name == "data") {
      if (data_arg) throw UsageError("--data is given twice");
      data_arg = take_value(name);
      continue;
    }
    if (name == "idempotency-key") {
      if (!variants.front()->financial)
        throw UsageError("--idempotency-key is for financial commands; omnictl " + command + " is not one");
      idempotency_key = take_value(name);
      if (idempotency_key->empty() || idempotency_key->size() > 200)
        throw UsageError("--idempotency-key must be 1 to 200 characters");
      continue;
    }
    auto secret_base = [&](std::string_view suffix) -> const Param* {
      if (!name.ends_with(suffix)) return nullptr;
      auto it = all.find(name.substr(0, name.size() - suffix.size()));
      return it != all.end() && it->second->secret ? it->second : nullptr;
    };
    if (const Param* p = secret_base("-stdin")) {
      if (has_value) throw UsageError("--" + name + " takes no value: it reads standard input");
      secret_src[std::string(p->name)] = "stdin";
      continue;
    }
    if (const Param* p = secret_base("-file")) {
      secret_src[std::string(p->name)] = "file:" + take_value(name);
      continue;
    }
    auto it = all.find(name);
    if (it == all.end()) throw UsageError("unknown flag --" + name + " for omnictl " + command + " (--help)");
    const Param& p = *it->second;
    if (p.secret)
      throw UsageError("--" + name + " is a secret and is not taken from the command line: use --" + name +
                       "-stdin, --" + name + "-file FILE, or leave it out to be prompted");
    if (values.contains(name) || named_path.contains(name)) throw UsageError("--" + name + " is given twice");
    if (p.type == Type::Boolean && !has_value) {
      if (i + 1 < args.size() && (args[i + 1] == "true" || args[i + 1] == "false")) value = args[++i];
      else value = "true";
    } else {
      value = take_value(name);
    }
    if (p.in == In::Path) named_path[name] = value;
    else values[name] = value;
  }

  int stdin_readers = 0;
  for (const auto& [name, src] : secret_src) stdin_readers += src == "stdin";
  if (data_arg && *data_arg == "-") ++stdin_readers;
  if (stdin_readers > 1) throw UsageError("only one of --NAME-stdin and --data - can read standard input");

  // Choose the variant: the number of positionals, then the formats of the path values.
  const Endpoint* chosen = nullptr;
  std::map<std::string, std::string> path_values;
  std::optional<std::string> first_problem;
  bool count_matched = false;
  for (const Endpoint* ep : variants) {
    auto pp = path_params(*ep);
    std::vector<const Param*> from_positional;
    bool fits = true;
    for (const Param* p : pp) {
      std::string n(p->name);
      if (p->secret) {
        if (!secret_src.contains(n)) fits = false;
      } else if (!named_path.contains(n)) {
        from_positional.push_back(p);
      }
    }
    for (const auto& [n, v] : named_path)
      if (!ep->param(n) || ep->param(n)->in != In::Path) fits = false;
    for (const auto& [n, src] : secret_src)
      if (!ep->param(n)) fits = false;
    for (const auto& [n, v] : values)
      if (!ep->param(n)) fits = false;
    if (!fits || from_positional.size() != positional.size()) continue;
    count_matched = true;
    std::map<std::string, std::string> pv = named_path;
    for (std::size_t k = 0; k < from_positional.size(); ++k) pv[std::string(from_positional[k]->name)] = positional[k];
    std::optional<std::string> problem;
    for (const auto& [n, v] : pv)
      if (auto e = validation::check_value(*ep->param(n), Json(v))) {
        problem = e->detail.empty() ? n + ": " + std::string(info(e->rc).message) : e->detail;
        break;
      }
    if (problem) {
      if (!first_problem) first_problem = problem;
      continue;
    }
    chosen = ep;
    path_values = std::move(pv);
    break;
  }
  if (!chosen) {
    if (count_matched && first_problem) throw UsageError("invalid input, nothing sent: " + *first_problem);
    std::string forms;
    std::size_t most = 0;
    for (const auto* ep : variants) {
      forms += "\n  " + usage_form(command, *ep);
      most = std::max(most, path_params(*ep).size());
    }
    if (positional.size() > most)
      throw UsageError("unexpected argument \"" + positional[most] + "\" for omnictl " + command + "; usage:" + forms);
    throw UsageError("wrong arguments for omnictl " + command + "; usage:" + forms);
  }
  inv.endpoint = chosen;

  // Secrets: from stdin, a file, or a prompt.
  std::map<std::string, std::string> secrets;
  for (const auto& [name, src] : secret_src) {
    if (src == "stdin") secrets[name] = io.read_stdin();
    else secrets[name] = io.read_file(src.substr(5));
    if (secrets[name].empty()) throw UsageError(name + " is empty");
  }

  Json body = Json::object();
  if (data_arg) {
    try {
      body = Json::parse(io.read_data(*data_arg));
    } catch (const std::exception& e) {
      throw UsageError(e.what());
    }
  }
  std::map<std::string, std::string> query;
  for (const auto& [name, text] : values) {
    const Param& p = *chosen->param(name);
    if (p.in == In::Query) query[name] = text;
    else body[name] = convert(p, text);
  }
  for (const auto& p : chosen->params) {
    std::string n(p.name);
    if (!p.secret || p.in == In::Path) continue;
    bool given = secrets.contains(n) || (p.in == In::Body && body.contains(n));
    if (!given && p.required) {
      auto answer = io.prompt(std::string(p.description.empty() ? p.name : p.description) + " (" + n + ")");
      if (!answer)
        throw UsageError(n + " is required: pass --" + n + "-stdin or --" + n +
                         "-file FILE (a secret is never taken from the command line)");
      secrets[n] = *answer;
    }
    if (!secrets.contains(n)) continue;
    if (p.in == In::Query) query[n] = secrets[n];
    else body[n] = p.type == Type::String ? Json(secrets[n]) : convert(p, secrets[n]);
  }
  for (const auto& p : chosen->params)
    if (p.in == In::Path && p.secret) path_values[std::string(p.name)] = secrets[std::string(p.name)];

  const bool sends_body = chosen->method != catalog::Method::Get &&
                          (chosen->method != catalog::Method::Delete || !body.empty());
  if (!sends_body && !body.empty()) throw UsageError("omnictl " + command + " sends no body: --data is not used");

  validation::Inputs in;
  in.body = sends_body ? &body : nullptr;
  in.query = query;
  in.path = path_values;
  Json normalized;
  if (auto e = validation::validate(*chosen, in, normalized)) {
    std::string detail = e->detail.empty() ? std::string(info(e->rc).message) : e->detail;
    if (!e->param.empty() && detail.find(e->param) == std::string::npos) detail = e->param + ": " + detail;
    throw UsageError("invalid input, nothing sent: " + detail + " (" + std::to_string(code(e->rc)) + " " +
                     std::string(info(e->rc).message) + ")");
  }

  std::string qs;
  for (const auto& [k, v] : query) qs += (qs.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
  std::string masked_qs;
  for (const auto& [k, v] : query) {
    const Param* p = chosen->param(k);
    masked_qs += (masked_qs.empty() ? "?" : "&") + url_encode(k) + "=" + (p && p->secret ? kMask : url_encode(v));
  }
  inv.request.method = std::string(catalog::to_string(chosen->method));
  inv.request.path = substitute(chosen->path, path_values, false, *chosen) + qs;
  inv.masked_path = substitute(chosen->path, path_values, true, *chosen) + masked_qs;
  if (sends_body) {
    inv.request.body = body.dump();
    Json masked = body;
    for (const auto& p : chosen->params)
      if (p.secret && masked.contains(std::string(p.name))) masked[std::string(p.name)] = kMask;
    inv.request.masked_body = masked.dump();
  }
  if (chosen->financial) inv.request.idempotency_key = idempotency_key ? *idempotency_key : new_idempotency_key();
  return inv;
}

int run_catalog_command(const std::vector<std::string>& args, const GlobalOptions& opts) {
  Invocation inv;
  try {
    inv = parse_catalog_command(args, process_secret_io());
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
  if (!inv.help.empty()) {
    std::cout << inv.help;
    return kExitOk;
  }
  const Endpoint& ep = *inv.endpoint;
  Resolved r;
  try {
    r = resolve_connection(opts, process_env(), static_cast<long long>(std::time(nullptr)));
  } catch (const std::exception& e) {
    return local_error(opts, kExitUsage, e.what(), std::cout, std::cerr);
  }
  if (r.conn.url.empty())
    return local_error(opts, kExitUsage, "no server: set OMNICTL_URL, pass --url, or configure a context (omnictl config)",
                       std::cout, std::cerr);
  r.conn.timeout_ms = static_cast<long>((opts.timeout_s ? *opts.timeout_s : ep.timeout_seconds) * 1000);
  if (opts.curl) {
    Request shown = inv.request;
    if (!opts.show_secrets) shown.path = inv.masked_path;
    std::cout << render_curl(r.conn, shown, opts.show_secrets) << "\n";
    return kExitOk;
  }
  if (r.token_expired && ep.auth == catalog::Auth::Credential)
    return local_error(opts, kExitAuth,
                       "the login token of context \"" + r.context + "\" has expired: run omnictl login", std::cout,
                       std::cerr);
  if (ep.key() != "POST /api/v1/user/token/renew")
    renew_login_token_if_due(r, static_cast<long long>(std::time(nullptr)));
  RetryPolicy policy;
  policy.financial = ep.financial;
  if (opts.retries) policy.retries = *opts.retries;
  policy.delay_s = opts.retry_delay_s;
  net::Client client;
  ApiOutcome out = send_request(client, r.conn, inv.request, policy, sleep_seconds, std::cerr);
  int rc = present(opts, out, std::cout, std::cerr);
  if (ep.financial && outcome_unknown(out)) {
    std::cerr << "omnictl: the outcome of this " << inv.command << " is unknown (money may or may not have moved).\n"
              << "omnictl: Idempotency-Key: " << inv.request.idempotency_key << "\n"
              << "omnictl: run the same command again with --idempotency-key " << inv.request.idempotency_key
              << ": the server answers the first result and moves no money twice;\n"
              << "omnictl: or look for the transaction: omnictl wallet transactionlist\n";
  }
  return rc;
}

}  // namespace og::cli
