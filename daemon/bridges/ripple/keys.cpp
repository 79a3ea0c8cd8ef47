#include "daemon/bridges/ripple/keys.h"

#include <cctype>
#include <stdexcept>

#include "daemon/bridges/xrpl/base58.h"
#include "daemon/bridges/xrpl/codec.h"
#include "daemon/bridges/xrpl/keys.h"

namespace og::bridges::ripple {

std::optional<Destination> parse_destination(std::string_view text, bool test_network, std::string& why) {
  if (text.empty()) {
    why = "empty";
    return std::nullopt;
  }
  if (text[0] == 'X' || text[0] == 'T') {
    auto x = xrpl::decode_x_address(text);
    if (!x) {
      why = "not a valid X-address (bad characters or checksum)";
      return std::nullopt;
    }
    if (x->test_net != test_network) {
      why = std::string("an X-address of the ") + (x->test_net ? "test" : "main") + " network; this bridge is on the " +
            (test_network ? "test" : "main") + " network";
      return std::nullopt;
    }
    return Destination{xrpl::encode_classic_address(x->account_id), x->tag};
  }
  std::string_view account = text;
  std::optional<std::uint32_t> tag;
  if (auto dash = text.find('-'); dash != std::string_view::npos) {
    account = text.substr(0, dash);
    std::string_view t = text.substr(dash + 1);
    if (t.empty() || t.size() > 10) {
      why = "the destination tag after '-' must be a number from 0 to 4294967295";
      return std::nullopt;
    }
    unsigned long long v = 0;
    for (char c : t) {
      if (!std::isdigit(static_cast<unsigned char>(c))) {
        why = "the destination tag after '-' must be a number from 0 to 4294967295";
        return std::nullopt;
      }
      v = v * 10 + static_cast<unsigned long long>(c - '0');
    }
    if (v > 4294967295ull) {
      why = "the destination tag after '-' must be a number from 0 to 4294967295";
      return std::nullopt;
    }
    tag = static_cast<std::uint32_t>(v);
  }
  if (!xrpl::decode_classic_address(account)) {
    why = "not a classic XRP Ledger address (r..., with a valid checksum) or an X-address";
    return std::nullopt;
  }
  return Destination{std::string(account), tag};
}

bool valid_classic_address(std::string_view address) { return xrpl::decode_classic_address(address).has_value(); }

std::optional<std::string> address_of_seed(std::string_view seed) {
  auto s = xrpl::decode_seed(seed);
  if (!s) return std::nullopt;
  return xrpl::classic_address(xrpl::derive_keypair(*s).public_key);
}

SignedTx sign(const Json& tx, std::string_view seed) {
  auto s = xrpl::decode_seed(seed);
  if (!s) throw std::runtime_error("the hot wallet's seed is not a family seed");
  const xrpl::KeyPair key = xrpl::derive_keypair(*s);
  if (tx.contains("Account") && xrpl::classic_address(key.public_key) != tx["Account"].get<std::string>())
    throw std::runtime_error("the seed is not the key of the sending account");
  xrpl::Signed signed_tx = xrpl::sign(tx, key);
  return SignedTx{signed_tx.blob_hex, signed_tx.hash};
}

}  // namespace og::bridges::ripple
