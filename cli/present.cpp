#include "cli/present.h"

#include <ostream>

#include "cli/exit_codes.h"
#include "cli/output.h"

namespace og::cli {

int present(const GlobalOptions& opts, const ApiOutcome& out, std::ostream& o, std::ostream& e, bool default_json) {
  bool json = opts.output == OutputFormat::Json || (default_json && !opts.output_given);
  // An answer of 10000 whose outcome still sets the exit code (a reconciliation run that
  // found discrepancies) is shown as any answer, and its outcome said on standard error.
  const bool answered = out.json && out.json->is_object() && out.json->contains("resultcode") &&
                        (*out.json)["resultcode"] == 10000;
  if ((out.exit_code == kExitOk || answered) && out.json) {
    if (opts.field) {
      auto v = find_field(*out.json, *opts.field);
      if (!v) return local_error(opts, kExitUsage, "no field \"" + *opts.field + "\" in the answer", o, e);
      o << scalar_text(*v) << "\n";
    } else if (json) {
      o << out.json->dump(2) << "\n";
    } else {
      o << render_table(*out.json, use_color(opts.no_color));
    }
    if (out.exit_code != kExitOk) e << "omnictl: " << out.message << "\n";
    return out.exit_code;
  }
  e << "omnictl: " << out.message << "\n";
  if (json) {
    if (out.json) o << out.json->dump(2) << "\n";
    else o << Json{{"error", out.message}, {"exitcode", out.exit_code}}.dump(2) << "\n";
  }
  return out.exit_code;
}

int local_error(const GlobalOptions& opts, int exit_code, const std::string& message, std::ostream& o,
                std::ostream& e) {
  e << "omnictl: " << message << "\n";
  if (opts.output == OutputFormat::Json) o << Json{{"error", message}, {"exitcode", exit_code}}.dump(2) << "\n";
  return exit_code;
}

}  // namespace og::cli
