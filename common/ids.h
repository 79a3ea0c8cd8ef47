#pragma once
// Identifiers: a 4-letter prefix, '_', 16 decimal digits (21 characters), e.g.
// "waid_4826413786035628". Generated from OpenSSL's CSPRNG (RAND_bytes), unguessable;
// validated on input.

#include <optional>
#include <string>
#include <string_view>

namespace og {

enum class IdKind { Upid, Uuid, Waid, Txid, Akid, Prid, Ntid, Fsid };

constexpr std::size_t kIdLength = 21;

std::string_view prefix(IdKind k);                 // "upid"
std::string new_id(IdKind k);                      // throws std::runtime_error if RAND fails
bool is_valid_id(IdKind k, std::string_view s);    // exact shape and prefix
std::optional<IdKind> id_kind_of(std::string_view s);  // which kind, if any

}  // namespace og
