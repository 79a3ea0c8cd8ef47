#include "daemon/bridges/xrpl/base58.h"

#include <openssl/evp.h>

#include <algorithm>

namespace og::xrpl {

namespace {

const Bytes kAccountIdVersion = {0x00};
const Bytes kNodePublicVersion = {0x1C};
const Bytes kAccountPublicVersion = {0x23};
const Bytes kXMain = {0x05, 0x44};
const Bytes kXTest = {0x04, 0x93};

// Value of each ASCII character in the alphabet, -1 when it is not in it.
std::array<int, 256> make_index() {
  std::array<int, 256> index{};
  index.fill(-1);
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) index[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return index;
}

std::array<std::uint8_t, 4> checksum(const Bytes& data) {
  unsigned char first[EVP_MAX_MD_SIZE];
  unsigned char second[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), first, &n, EVP_sha256(), nullptr) != 1 ||
      EVP_Digest(first, n, second, &n, EVP_sha256(), nullptr) != 1)
    throw Error("xrpl: SHA-256 failed");
  return {second[0], second[1], second[2], second[3]};
}

}  // namespace

std::string base58_encode(const Bytes& bytes) {
  std::size_t zeros = 0;
  while (zeros < bytes.size() && bytes[zeros] == 0) ++zeros;
  // Big-endian base-58 digits of the number the bytes spell, built by repeated
  // multiply-and-add (log(256)/log(58) < 1.37 digits per byte).
  std::vector<std::uint8_t> digits((bytes.size() - zeros) * 138 / 100 + 1, 0);
  std::size_t used = 0;
  for (std::size_t i = zeros; i < bytes.size(); ++i) {
    unsigned carry = bytes[i];
    std::size_t j = 0;
    for (auto it = digits.rbegin(); (carry != 0 || j < used) && it != digits.rend(); ++it, ++j) {
      carry += 256U * *it;
      *it = static_cast<std::uint8_t>(carry % 58);
      carry /= 58;
    }
    used = j;
  }
  auto it = std::find_if(digits.begin(), digits.end(), [](std::uint8_t d) { return d != 0; });
  std::string out(zeros, kAlphabet[0]);
  for (; it != digits.end(); ++it) out.push_back(kAlphabet[*it]);
  return out;
}

std::optional<Bytes> base58_decode(std::string_view text) {
  static const std::array<int, 256> index = make_index();
  if (text.size() > kMaxBase58Length) return std::nullopt;
  std::size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == kAlphabet[0]) ++zeros;
  std::vector<std::uint8_t> bytes((text.size() - zeros) * 733 / 1000 + 1, 0);  // log(58)/log(256)
  std::size_t used = 0;
  for (std::size_t i = zeros; i < text.size(); ++i) {
    int v = index[static_cast<unsigned char>(text[i])];
    if (v < 0) return std::nullopt;
    unsigned carry = static_cast<unsigned>(v);
    std::size_t j = 0;
    for (auto it = bytes.rbegin(); (carry != 0 || j < used) && it != bytes.rend(); ++it, ++j) {
      carry += 58U * *it;
      *it = static_cast<std::uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
    if (carry != 0) return std::nullopt;  // cannot happen with the size above; kept as a guard
    used = j;
  }
  auto it = std::find_if(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b != 0; });
  Bytes out(zeros, 0);
  out.insert(out.end(), it, bytes.end());
  return out;
}

std::string base58check_encode(const Bytes& version, const Bytes& payload) {
  Bytes data = version;
  data.insert(data.end(), payload.begin(), payload.end());
  auto sum = checksum(data);
  data.insert(data.end(), sum.begin(), sum.end());
  return base58_encode(data);
}

std::optional<Bytes> base58check_decode(std::string_view text, const Bytes& version, std::size_t payload_size) {
  auto data = base58_decode(text);
  if (!data || data->size() != version.size() + payload_size + 4) return std::nullopt;
  if (!std::equal(version.begin(), version.end(), data->begin())) return std::nullopt;
  Bytes body(data->begin(), data->end() - 4);
  auto sum = checksum(body);
  if (!std::equal(sum.begin(), sum.end(), data->end() - 4)) return std::nullopt;
  return Bytes(body.begin() + static_cast<std::ptrdiff_t>(version.size()), body.end());
}

std::string encode_classic_address(const AccountId& id) {
  return base58check_encode(kAccountIdVersion, Bytes(id.begin(), id.end()));
}

std::optional<AccountId> decode_classic_address(std::string_view address) {
  auto payload = base58check_decode(address, kAccountIdVersion, 20);
  if (!payload) return std::nullopt;
  AccountId id{};
  std::copy(payload->begin(), payload->end(), id.begin());
  return id;
}

std::string encode_x_address(const AccountId& id, std::optional<std::uint32_t> tag, bool test_net) {
  Bytes payload(id.begin(), id.end());
  const std::uint32_t t = tag.value_or(0);
  payload.push_back(tag ? 1 : 0);
  for (int shift = 0; shift < 32; shift += 8) payload.push_back(static_cast<std::uint8_t>((t >> shift) & 0xFF));
  payload.insert(payload.end(), 4, 0);  // reserved for 64-bit tags
  return base58check_encode(test_net ? kXTest : kXMain, payload);
}

std::optional<XAddress> decode_x_address(std::string_view address) {
  XAddress out;
  auto payload = base58check_decode(address, kXMain, 29);
  if (!payload) {
    payload = base58check_decode(address, kXTest, 29);
    if (!payload) return std::nullopt;
    out.test_net = true;
  }
  const Bytes& p = *payload;
  std::copy(p.begin(), p.begin() + 20, out.account_id.begin());
  const std::uint8_t flag = p[20];
  const std::uint32_t tag = static_cast<std::uint32_t>(p[21]) | static_cast<std::uint32_t>(p[22]) << 8 |
                            static_cast<std::uint32_t>(p[23]) << 16 | static_cast<std::uint32_t>(p[24]) << 24;
  // The 4 reserved bytes must be zero (no 64-bit tags), and without the flag so must the tag.
  if (p[25] != 0 || p[26] != 0 || p[27] != 0 || p[28] != 0) return std::nullopt;
  if (flag == 1) {
    out.tag = tag;
  } else if (flag != 0 || tag != 0) {
    return std::nullopt;
  }
  return out;
}

std::optional<AccountId> account_id_from_address(std::string_view address) {
  if (auto id = decode_classic_address(address)) return id;
  if (auto x = decode_x_address(address)) return x->account_id;
  return std::nullopt;
}

std::string encode_node_public(const Bytes& public_key) { return base58check_encode(kNodePublicVersion, public_key); }
std::optional<Bytes> decode_node_public(std::string_view text) { return base58check_decode(text, kNodePublicVersion, 33); }
std::string encode_account_public(const Bytes& public_key) {
  return base58check_encode(kAccountPublicVersion, public_key);
}
std::optional<Bytes> decode_account_public(std::string_view text) {
  return base58check_decode(text, kAccountPublicVersion, 33);
}

}  // namespace og::xrpl
