#pragma once
// Owning pointers for OpenSSL objects, and the one way we report an OpenSSL failure: its
// reason (never key material), with the thread's error queue left empty.

#include <openssl/err.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace og::ossl {

template <class T, void (*F)(T*)>
struct Deleter {
  void operator()(T* p) const { F(p); }
};

template <class E = std::runtime_error>
[[noreturn]] void fail(const std::string& what) {
  unsigned long e = ERR_get_error();
  char buf[256] = {0};
  if (e) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  throw E(what + (e ? std::string(": ") + buf : std::string()));
}

}  // namespace og::ossl
