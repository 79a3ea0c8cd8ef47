#pragma once
// `omnictl install`: the installation wizard (docs/install.md), at a terminal or from an
// answers file, and `omnictl install certificate` to install the signed certificate of a
// CSR made by the wizard. The steps themselves live in installer/.

#include <CLI/CLI.hpp>
#include <string>

namespace og::cli {

struct InstallOptions {
  std::string answers_file;  // unattended when set
  bool yes = false;          // confirm the summary without asking
  std::string root = "/";    // prefix for every file written
  bool no_start = false;     // no systemctl at the end (kickstart %post)
  bool reconfigure = false;  // change an installed host: only what the answers file says
  std::string details_file;  // also write the installation details there (0600, new file)
  std::string service_user = "omnigate";  // omnid.service's User= (packaging/sysusers.d)
  // install certificate
  std::string cert_file, chain_file;
};

// Adds `install` (and `install certificate`) to `app`; *install is true when parsed and
// *certificate when the certificate subcommand was given.
struct InstallCommands {
  CLI::App* install = nullptr;
  CLI::App* certificate = nullptr;
};
InstallCommands add_install_command(CLI::App& app, InstallOptions& opt);

// Runs the wizard. Exit 0 when installed; 1 for a bad or missing answer (nothing written),
// a refused re-run, or a failed step.
int run_install(const InstallOptions& opt);

// Checks the signed certificate (+ chain) against the key and host name of the
// installation and installs it. Exit 0 or 1.
int run_install_certificate(const InstallOptions& opt);

}  // namespace og::cli
