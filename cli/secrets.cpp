#include "cli/secrets.h"

#include <fcntl.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <fstream>
#include <iostream>
#include <iterator>
#include <stdexcept>

namespace og::cli {

bool stdin_is_tty() { return ::isatty(STDIN_FILENO) == 1; }

std::string chomp(std::string s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

namespace {

// While a secret is typed with echo off, Ctrl-C (or a kill) must not leave the terminal
// silent: the handler restores it and lets the signal do what it would have done.
int g_tty_fd = -1;
termios g_tty_saved{};

extern "C" void restore_tty_and_reraise(int sig) {
  if (g_tty_fd >= 0) ::tcsetattr(g_tty_fd, TCSANOW, &g_tty_saved);
  ::signal(sig, SIG_DFL);
  ::raise(sig);
}

}  // namespace

std::optional<std::string> prompt(const std::string& label, bool secret) {
  if (!stdin_is_tty()) return std::nullopt;
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  // Echo goes off before the prompt is shown, so nothing typed in answer to it is ever
  // echoed (or discarded by the change of mode).
  termios old{};
  bool restore = false;
  struct sigaction previous[3] = {};
  const int signals[3] = {SIGINT, SIGTERM, SIGHUP};
  if (secret && ::tcgetattr(fd, &old) == 0) {
    g_tty_fd = fd;
    g_tty_saved = old;
    struct sigaction sa {};
    sa.sa_handler = restore_tty_and_reraise;
    sigemptyset(&sa.sa_mask);
    for (int i = 0; i < 3; ++i) ::sigaction(signals[i], &sa, &previous[i]);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    restore = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  auto put_back = [&] {
    if (!secret || g_tty_fd != fd) return;
    if (restore) ::tcsetattr(fd, TCSANOW, &old);
    for (int i = 0; i < 3; ++i) ::sigaction(signals[i], &previous[i], nullptr);
    g_tty_fd = -1;
  };
  std::string text = label + ": ";
  if (::write(fd, text.data(), text.size()) < 0) {
    put_back();
    ::close(fd);
    throw std::runtime_error("cannot write to the terminal");
  }
  std::string line;
  char c = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, &c, 1)) == 1 && c != '\n') line.push_back(c);
  put_back();
  ::close(fd);
  if (n < 0) throw std::runtime_error("cannot read from the terminal");
  return chomp(line);
}

std::string read_secret_stdin() {
  std::string text(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>{});
  return chomp(std::move(text));
}

std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::string text(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>{});
  return chomp(std::move(text));
}

}  // namespace og::cli
