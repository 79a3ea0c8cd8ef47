#include "daemon/bridges/stellar/strkey.h"

#include <openssl/crypto.h>

namespace og::stellar {

namespace {
constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

int base32_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}
}  // namespace

std::string base32_encode(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve((size * 8 + 4) / 5);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    buffer = (buffer << 8) | data[i];
    bits += 8;
    while (bits >= 5) {
      out.push_back(kBase32[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
    buffer &= (1u << bits) - 1;
  }
  if (bits > 0) out.push_back(kBase32[(buffer << (5 - bits)) & 31]);
  return out;
}

std::optional<Bytes> base32_decode(std::string_view text) {
  switch (text.size() % 8) {
    case 1: case 3: case 6: return std::nullopt;  // not a whole number of bytes
    default: break;
  }
  Bytes out;
  out.reserve(text.size() * 5 / 8);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const int v = base32_value(c);
    if (v < 0) return std::nullopt;
    buffer = (buffer << 5) | static_cast<std::uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<std::uint8_t>(buffer >> (bits - 8)));
      bits -= 8;
      buffer &= (1u << bits) - 1;
    }
  }
  if (buffer != 0) return std::nullopt;  // unused trailing bits must be zero
  return out;
}

std::uint16_t crc16_xmodem(const std::uint8_t* data, std::size_t size) {
  std::uint16_t crc = 0;
  for (std::size_t i = 0; i < size; ++i) {
    crc = static_cast<std::uint16_t>(crc ^ (static_cast<std::uint16_t>(data[i]) << 8));
    for (int b = 0; b < 8; ++b)
      crc = (crc & 0x8000) ? static_cast<std::uint16_t>((crc << 1) ^ 0x1021) : static_cast<std::uint16_t>(crc << 1);
  }
  return crc;
}

std::string strkey_encode(std::uint8_t version, const std::uint8_t* payload, std::size_t size) {
  Bytes raw;
  raw.reserve(size + 3);
  raw.push_back(version);
  raw.insert(raw.end(), payload, payload + size);
  const std::uint16_t crc = crc16_xmodem(raw.data(), raw.size());
  raw.push_back(static_cast<std::uint8_t>(crc & 0xff));
  raw.push_back(static_cast<std::uint8_t>(crc >> 8));
  std::string out = base32_encode(raw);
  OPENSSL_cleanse(raw.data(), raw.size());  // it may hold a seed
  return out;
}

std::optional<Bytes> strkey_decode(std::string_view text, std::uint8_t version, std::size_t payload_size) {
  if (text.size() > kMaxStrkeyLength) return std::nullopt;
  auto raw = base32_decode(text);
  if (!raw) return std::nullopt;
  std::optional<Bytes> result;
  if (raw->size() == payload_size + 3 && (*raw)[0] == version) {
    const std::uint16_t crc = crc16_xmodem(raw->data(), raw->size() - 2);
    const std::uint16_t stored =
        static_cast<std::uint16_t>((*raw)[raw->size() - 2] | ((*raw)[raw->size() - 1] << 8));
    if (crc == stored) result = Bytes(raw->begin() + 1, raw->end() - 2);
  }
  OPENSSL_cleanse(raw->data(), raw->size());
  return result;
}

std::string encode_account_id(const PublicKey& key) { return strkey_encode(kVersionAccountId, key.data(), key.size()); }

std::optional<PublicKey> decode_account_id(std::string_view text) {
  auto b = strkey_decode(text, kVersionAccountId, 32);
  if (!b) return std::nullopt;
  PublicKey k{};
  std::copy(b->begin(), b->end(), k.begin());
  return k;
}

std::string encode_seed(const Seed& seed) { return strkey_encode(kVersionSeed, seed.data(), seed.size()); }

std::optional<Seed> decode_seed(std::string_view text) {
  auto b = strkey_decode(text, kVersionSeed, 32);
  if (!b) return std::nullopt;
  Seed s{};
  std::copy(b->begin(), b->end(), s.begin());
  OPENSSL_cleanse(b->data(), b->size());
  return s;
}

std::string encode_muxed_account(const MuxedAccount& account) {
  if (!account.id) return encode_account_id(account.key);
  std::array<std::uint8_t, 40> payload{};
  std::copy(account.key.begin(), account.key.end(), payload.begin());
  for (int i = 0; i < 8; ++i) payload[32 + i] = static_cast<std::uint8_t>(*account.id >> (56 - 8 * i));
  return strkey_encode(kVersionMuxed, payload.data(), payload.size());
}

std::optional<MuxedAccount> decode_muxed_account(std::string_view text) {
  if (auto k = decode_account_id(text)) return MuxedAccount{*k, std::nullopt};
  auto b = strkey_decode(text, kVersionMuxed, 40);
  if (!b) return std::nullopt;
  MuxedAccount m;
  std::copy(b->begin(), b->begin() + 32, m.key.begin());
  std::uint64_t id = 0;
  for (int i = 0; i < 8; ++i) id = (id << 8) | (*b)[32 + i];
  m.id = id;
  return m;
}

}  // namespace og::stellar
