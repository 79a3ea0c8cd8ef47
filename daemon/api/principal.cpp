#include "daemon/api/principal.h"

#include <algorithm>
#include <cctype>

#include "common/crypto.h"

namespace og::api {

bool looks_like_api_key(std::string_view key) {
  return key.size() == 32 &&
         std::all_of(key.begin(), key.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

std::string api_key_hash_hex(std::string_view key) {
  std::string upper(key);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  return crypto::sha256_hex(upper);
}

}  // namespace og::api
