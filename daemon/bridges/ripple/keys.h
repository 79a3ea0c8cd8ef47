#pragma once
// What the Ripple bridge needs of the XRP Ledger's keys and addresses, over the codec in
// daemon/bridges/xrpl/ (docs/xrpl.md): destinations in the forms the API accepts, seeds,
// and signing.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"

namespace og::bridges::ripple {

struct Destination {
  std::string account;            // classic address
  std::optional<std::uint32_t> tag;
};

// A destination as callers write it: a classic address ("r..."), a classic address with a
// destination tag ("r...-12345678", the form wallet/depositaddress gives), or an X-address
// (which carries the tag) of the configured network. nullopt, with `why`, otherwise.
std::optional<Destination> parse_destination(std::string_view text, bool test_network, std::string& why);
// A classic address with a valid checksum.
bool valid_classic_address(std::string_view address);
// The classic address of a family seed's account key (secp256k1 "s..." or ed25519 "sEd...");
// nullopt when it is not a seed. The seed never appears in any message.
std::optional<std::string> address_of_seed(std::string_view seed);

struct SignedTx {
  std::string blob;  // hex of the signed transaction
  std::string hash;  // its id: 64 upper-case hex digits
};
// Signs `tx` (rippled's JSON form) with the seed's account key. Throws std::runtime_error
// (no secret in the message) for a transaction the codec cannot encode exactly.
SignedTx sign(const Json& tx, std::string_view seed);

}  // namespace og::bridges::ripple
