#include "cli/unlock_command.h"

#include <openssl/crypto.h>

#include <iostream>

#include "cli/exit_codes.h"
#include "cli/secrets.h"
#include "common/result_codes.h"

namespace og::cli {

namespace {

constexpr const char* kComponents[] = {"omnipass", "omnibridge", "omnipay"};

// Wipes a password when it goes out of scope.
struct Secret {
  std::string value;
  ~Secret() { OPENSSL_cleanse(value.data(), value.size()); }
};

// Reads the password: from a file, from standard input, or from the terminal without echo.
// Throws std::runtime_error with a message for the user (never containing the password).
void read_password(const UnlockOptions& opt, Secret& out) {
  if (!opt.password_file.empty()) {
    out.value = read_secret_file(opt.password_file);
    return;
  }
  if (opt.password_stdin) {
    out.value = read_secret_stdin();
    if (out.value.empty()) throw std::runtime_error("--password-stdin: standard input is empty");
    return;
  }
  std::optional<std::string> typed =
      stdin_is_tty() ? prompt("Application password", /*secret=*/true) : std::nullopt;
  if (!typed)
    throw std::runtime_error(
        "standard input is not a terminal: give the application password with --password-stdin or "
        "--password-file FILE");
  out.value = std::move(*typed);
}

}  // namespace

CLI::App* add_unlock_command(CLI::App& app, UnlockOptions& opt) {
  auto* cmd = app.add_subcommand(
      "unlock",
      "Unlock a component (or all) with the application password.\n"
      "The password is prompted without echo on a terminal; otherwise use --password-stdin or\n"
      "--password-file FILE (it is never accepted on the command line).");
  cmd->add_option("component", opt.component, "Component to unlock")
      ->check(CLI::IsMember({"omnipass", "omnibridge", "omnipay"}));
  cmd->add_flag("--all", opt.all, "Unlock every component");
  auto* in = cmd->add_flag("--password-stdin", opt.password_stdin,
                           "Read the application password from standard input");
  auto* file = cmd->add_option("--password-file", opt.password_file,
                               "Read the application password from a file");
  in->excludes(file);
  return cmd;
}

int run_unlock(const UnlockOptions& opt, const Connection& conn) {
  if (opt.all == !opt.component.empty()) {
    std::cerr << "omnictl unlock: name one component (omnipass, omnibridge, omnipay) or --all\n";
    return kExitUsage;
  }
  Secret password;
  try {
    read_password(opt, password);
  } catch (const std::exception& e) {
    std::cerr << "omnictl unlock: " << e.what() << "\n";
    return kExitUsage;
  }
  if (password.value.size() != 16) {
    std::cerr << "omnictl unlock: an application password is 16 characters (got "
              << password.value.size() << ")\n";
    return kExitUsage;
  }
  std::vector<std::string> which;
  if (opt.all)
    which.assign(std::begin(kComponents), std::end(kComponents));
  else
    which.push_back(opt.component);

  Secret body;
  body.value = Json{{"password", password.value}}.dump();
  net::Client client;
  for (const auto& c : which) {
    ApiOutcome out = call_api(client, conn, "POST", "/api/v1/system/" + c + "/unlock", body.value);
    if (out.exit_code != kExitOk) {
      int rc = out.json && out.json->is_object() && out.json->contains("resultcode") &&
                       (*out.json)["resultcode"].is_number_integer()
                   ? (*out.json)["resultcode"].get<int>()
                   : 0;
      std::cerr << "omnictl unlock: " << c << ": " << out.message << "\n";
      // Stop at the first refusal: a wrong password would only count more failures.
      return rc == code(Rc::WrongApplicationPassword) ? kExitAuth : out.exit_code;
    }
    std::cout << c << ": unlocked\n";
  }
  return kExitOk;
}

}  // namespace og::cli
