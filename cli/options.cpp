#include "cli/options.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace og::cli {

const std::vector<GlobalOptionInfo>& global_option_table() {
  static const std::vector<GlobalOptionInfo> table = {
      {"--url", "", "URL", "Base URL of omnid, e.g. https://127.0.0.1:8443 (env OMNICTL_URL)"},
      {"--cacert", "", "FILE", "PEM file of the CA to trust (env OMNICTL_CACERT)"},
      {"--context", "", "NAME", "Context of the configuration file to use (env OMNICTL_CONTEXT)"},
      {"--config", "", "FILE", "Configuration file (default $XDG_CONFIG_HOME/omnictl/config.toml)"},
      {"--output", "-o", "FORMAT", "table (default) or json: the server's JSON; errors are JSON too"},
      {"--field", "", "NAME", "Print one value of the answer (dotted path, e.g. wallets.0.waid)"},
      {"--timeout", "", "SECONDS", "Seconds to wait for an answer (default: the endpoint's, 5 or 15)"},
      {"--retries", "", "N", "Retries on 10001-10004, timeouts and non-JSON answers (default 2)"},
      {"--retry-delay", "", "SECONDS", "Seconds between retries (default 10; 5 after 10004)"},
      {"--curl", "", "", "Print the equivalent curl command and send nothing"},
      {"--show-secrets", "", "", "With --curl: do not mask the API key, token and secret parameters"},
      {"--no-color", "", "", "No colour (also when NO_COLOR is set or stdout is not a terminal)"},
  };
  return table;
}

namespace {

std::optional<double> parse_seconds(const std::string& s) {
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || v < 0 || v > 86400) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::string> take_global_options(std::vector<std::string>& args, GlobalOptions& opts) {
  std::vector<std::string> rest;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      rest.insert(rest.end(), args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
      break;
    }
    std::string name = a, value;
    bool inline_value = false;
    if (a.starts_with("--")) {
      auto eq = a.find('=');
      if (eq != std::string::npos) {
        name = a.substr(0, eq);
        value = a.substr(eq + 1);
        inline_value = true;
      }
    } else if (a.starts_with("-o") && a.size() > 2) {
      name = "-o";
      value = a.substr(2);
      inline_value = true;
    }
    const GlobalOptionInfo* info = nullptr;
    for (const auto& o : global_option_table())
      if (name == o.name || (*o.alias && name == o.alias)) info = &o;
    if (!info) {
      rest.push_back(a);
      continue;
    }
    const std::string canonical = info->name;
    if (!*info->value) {
      if (inline_value) return canonical + " takes no value";
      if (canonical == "--curl") opts.curl = true;
      else if (canonical == "--show-secrets") opts.show_secrets = true;
      else if (canonical == "--no-color") opts.no_color = true;
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) return canonical + " needs a value (" + info->value + ")";
      value = args[++i];
    }
    if (canonical == "--url") opts.url = value;
    else if (canonical == "--cacert") opts.cacert = value;
    else if (canonical == "--context") {
      if (value.empty()) return "--context needs a name";
      opts.context = value;
    } else if (canonical == "--config") opts.config = value;
    else if (canonical == "--field") {
      if (value.empty()) return "--field needs a name";
      opts.field = value;
    } else if (canonical == "--output") {
      opts.output_given = true;
      if (value == "json") opts.output = OutputFormat::Json;
      else if (value == "table") opts.output = OutputFormat::Table;
      else return "--output must be table or json, not \"" + value + "\"";
    } else if (canonical == "--timeout") {
      auto s = parse_seconds(value);
      if (!s || *s <= 0) return "--timeout must be a positive number of seconds";
      opts.timeout_s = s;
    } else if (canonical == "--retry-delay") {
      auto s = parse_seconds(value);
      if (!s) return "--retry-delay must be a number of seconds (0 or more)";
      opts.retry_delay_s = s;
    } else if (canonical == "--retries") {
      int n = -1;
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || p != value.data() + value.size() || n < 0 || n > 100)
        return "--retries must be a whole number from 0 to 100";
      opts.retries = n;
    }
  }
  args = std::move(rest);
  return std::nullopt;
}

std::string global_options_help() {
  std::ostringstream out;
  for (const auto& o : global_option_table()) {
    std::string left = std::string(*o.alias ? std::string(o.alias) + ", " : "") + o.name;
    if (*o.value) left += std::string(" ") + o.value;
    out << "  " << left;
    out << std::string(left.size() < 26 ? 26 - left.size() : 1, ' ') << o.help << "\n";
  }
  return out.str();
}

}  // namespace og::cli
