#include "cli/secrets.h"

#include <fcntl.h>
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

std::optional<std::string> prompt(const std::string& label, bool secret) {
  if (!stdin_is_tty()) return std::nullopt;
  int fd = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text = label + ": ";
  if (::write(fd, text.data(), text.size()) < 0) {
    ::close(fd);
    throw std::runtime_error("cannot write to the terminal");
  }
  termios old{};
  bool restore = false;
  if (secret && ::tcgetattr(fd, &old) == 0) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    restore = ::tcsetattr(fd, TCSAFLUSH, &quiet) == 0;
  }
  std::string line;
  char c = 0;
  ssize_t n = 0;
  while ((n = ::read(fd, &c, 1)) == 1 && c != '\n') line.push_back(c);
  if (restore) ::tcsetattr(fd, TCSAFLUSH, &old);
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
