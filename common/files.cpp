#include "common/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace og::files {

void write_atomic(const std::filesystem::path& file, std::string_view content, mode_t mode, bool exclusive) {
  // The pid keeps two processes writing the same file from sharing a temporary name.
  const std::string tmp = file.string() + ".tmp" + std::to_string(::getpid());
  auto fail = [&](const std::string& what) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw std::runtime_error(what + " " + file.string() + ": " + std::strerror(err));
  };
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) {
    int err = errno;
    throw std::runtime_error("cannot write " + file.string() + ": " + std::strerror(err));
  }
  if (::fchmod(fd, mode) != 0) {  // the umask does not decide
    ::close(fd);
    fail("cannot write");
  }
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = EIO;
      ::close(fd);
      fail("cannot write");
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    fail("cannot write");
  }
  ::close(fd);
  if (exclusive) {
    if (::link(tmp.c_str(), file.c_str()) != 0) fail("cannot create");  // the name was taken
    ::unlink(tmp.c_str());
    return;
  }
  if (::rename(tmp.c_str(), file.c_str()) != 0) fail("cannot write");
}

}  // namespace og::files
