#include "common/crypto.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <stdexcept>

namespace og::crypto {

namespace {
// Bumped in the child of every fork(): a buffer filled before it is never used after.
std::atomic<unsigned> g_fork_generation{0};
void after_fork_in_child() { g_fork_generation.fetch_add(1, std::memory_order_relaxed); }
const bool g_atfork_registered = [] { return pthread_atfork(nullptr, nullptr, after_fork_in_child) == 0; }();

struct IdentifierPool {
  unsigned char bytes[512];
  std::size_t used = sizeof bytes;  // empty
  unsigned generation = 0;
};
}  // namespace

void identifier_random(unsigned char* out, std::size_t n) {
  thread_local IdentifierPool pool;
  unsigned generation = g_fork_generation.load(std::memory_order_relaxed);
  if (!g_atfork_registered || generation != pool.generation) {
    pool.used = sizeof pool.bytes;
    pool.generation = generation;
  }
  while (n > 0) {
    if (pool.used == sizeof pool.bytes) {
      if (RAND_bytes(pool.bytes, sizeof pool.bytes) != 1)
        throw std::runtime_error("the system's random generator failed (RAND_bytes)");
      pool.used = 0;
    }
    std::size_t take = std::min(n, sizeof pool.bytes - pool.used);
    std::memcpy(out, pool.bytes + pool.used, take);
    OPENSSL_cleanse(pool.bytes + pool.used, take);  // each byte is handed out once
    pool.used += take;
    out += take;
    n -= take;
  }
}

std::string identifier_hex(std::size_t n_bytes) {
  std::vector<unsigned char> bytes(n_bytes);
  identifier_random(bytes.data(), n_bytes);
  return hex_encode(bytes.data(), bytes.size(), /*upper=*/true);
}

std::vector<unsigned char> random_bytes(std::size_t n) {
  std::vector<unsigned char> out(n);
  if (n > 0 && RAND_bytes(out.data(), static_cast<int>(n)) != 1)
    throw std::runtime_error("the system's random generator failed (RAND_bytes)");
  return out;
}

std::string random_hex(std::size_t n_bytes) {
  auto bytes = random_bytes(n_bytes);
  return hex_encode(bytes.data(), bytes.size(), /*upper=*/true);
}

namespace {
// OpenSSL 3 looks up the provider's implementation of EVP_sha256() on every use (a
// locked store lookup); a digest fetched once is used directly. Never freed: it lives as
// long as the process.
const EVP_MD* sha256_md() {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
  static const EVP_MD* md = [] {
    const EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return fetched ? fetched : EVP_sha256();
  }();
  return md;
#else
  return EVP_sha256();
#endif
}
}  // namespace

Sha256 sha256(std::string_view data) {
  // One context per thread, reset for each digest: EVP_Digest would allocate and free one
  // per call, which costs as much as hashing a short input.
  struct Ctx {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
  };
  thread_local Ctx t;
  Sha256 out{};
  unsigned int len = 0;
  if (!t.ctx || EVP_DigestInit_ex(t.ctx, sha256_md(), nullptr) != 1 ||
      EVP_DigestUpdate(t.ctx, data.data(), data.size()) != 1 || EVP_DigestFinal_ex(t.ctx, out.data(), &len) != 1)
    throw std::runtime_error("SHA-256 failed");
  return out;
}

std::string sha256_hex(std::string_view data) {
  auto d = sha256(data);
  return hex_encode(d.data(), d.size());
}

std::string hex_encode(const unsigned char* data, std::size_t n, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xF];
  }
  return out;
}

std::string hex_encode(std::string_view bytes, bool upper) {
  return hex_encode(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), upper);
}

namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> hex_decode(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out(hex.size() / 2, '\0');
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(hex[2 * i]), lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return out;
}

std::string base64_encode(std::string_view bytes) {
  std::string out = base64url_encode(bytes);
  for (auto& c : out) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (out.size() % 4) out += '=';
  return out;
}

std::string base64url_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  for (; i + 2 < bytes.size(); i += 3) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (bytes.size() - i == 1) {
    unsigned v = byte(i) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (bytes.size() - i == 2) {
    unsigned v = (byte(i) << 16) | (byte(i + 1) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-') return 62;
    if (c == '_') return 63;
    return -1;
  };
  if (text.size() % 4 == 1) return std::nullopt;
  std::string out;
  out.reserve(text.size() * 3 / 4);
  unsigned acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  // Unused low bits must be zero (canonical encoding).
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace og::crypto
