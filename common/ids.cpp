#include "common/ids.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <stdexcept>

#include "common/crypto.h"

namespace og {

namespace {

constexpr std::size_t kPrefixLength = 4;
constexpr std::size_t kDigitCount = 16;
static_assert(kPrefixLength + 1 + kDigitCount == kIdLength);

constexpr std::uint64_t kIdSpace = 10'000'000'000'000'000ULL;  // 10^16
// The largest multiple of 10^16 that fits below 2^64: draws at or above it would make the
// low numbers slightly likelier (modulo bias), so they are redrawn (p ~ 0.04%).
constexpr std::uint64_t kRejectFrom =
    std::numeric_limits<std::uint64_t>::max() / kIdSpace * kIdSpace;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string_view prefix(IdKind k) {
  switch (k) {
    case IdKind::Upid:
      return "upid";
    case IdKind::Uuid:
      return "uuid";
    case IdKind::Waid:
      return "waid";
    case IdKind::Txid:
      return "txid";
    case IdKind::Akid:
      return "akid";
    case IdKind::Prid:
      return "prid";
    case IdKind::Ntid:
      return "ntid";
    case IdKind::Fsid:
      return "fsid";
  }
  // Impossible: IdKind is closed, and an id with an empty prefix must never be minted.
  std::abort();
}

namespace ids_detail {
std::optional<std::uint64_t> id_number_from_draw(std::uint64_t draw) {
  if (draw >= kRejectFrom) return std::nullopt;
  return draw % kIdSpace;
}
}  // namespace ids_detail

std::string new_id(IdKind k) {
  std::optional<std::uint64_t> number;
  while (!number) {
    unsigned char bytes[8];
    crypto::identifier_random(bytes, sizeof bytes);
    std::uint64_t draw = 0;
    for (unsigned char b : bytes) draw = (draw << 8) | b;
    number = ids_detail::id_number_from_draw(draw);
  }

  return format_id(k, *number);
}

std::string format_id(IdKind k, std::uint64_t number) {
  if (number >= kIdSpace) throw std::out_of_range("identifier number out of range");
  std::string id(prefix(k));
  id += '_';
  id.append(kDigitCount, '0');  // zero-padded
  for (std::size_t i = id.size(); number != 0; number /= 10) id[--i] = static_cast<char>('0' + number % 10);
  return id;
}

std::optional<std::uint64_t> id_number(IdKind k, std::string_view s) {
  if (!is_valid_id(k, s)) return std::nullopt;
  std::uint64_t n = 0;
  for (char c : s.substr(kPrefixLength + 1)) n = n * 10 + static_cast<std::uint64_t>(c - '0');
  return n;
}

bool is_valid_id(IdKind k, std::string_view s) {
  if (s.size() != kIdLength) return false;
  if (s.substr(0, kPrefixLength) != prefix(k)) return false;
  if (s[kPrefixLength] != '_') return false;
  const std::string_view digits = s.substr(kPrefixLength + 1);
  return std::all_of(digits.begin(), digits.end(), is_digit);
}

std::optional<IdKind> id_kind_of(std::string_view s) {
  for (IdKind k : kAllIdKinds) {
    if (is_valid_id(k, s)) return k;
  }
  return std::nullopt;
}

}  // namespace og
