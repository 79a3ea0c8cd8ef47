#pragma once
// Identifiers: a 4-letter prefix, '_', 16 decimal digits (21 characters), e.g.
// "waid_4826413786035628". Generated from OpenSSL's CSPRNG (RAND_bytes), unguessable;
// validated on input.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace og {

enum class IdKind { Upid, Uuid, Waid, Txid, Akid, Prid, Ntid, Fsid };
inline constexpr std::array<IdKind, 8> kAllIdKinds = {IdKind::Upid, IdKind::Uuid, IdKind::Waid,
                                                      IdKind::Txid, IdKind::Akid, IdKind::Prid,
                                                      IdKind::Ntid, IdKind::Fsid};

constexpr std::size_t kIdLength = 21;

std::string_view prefix(IdKind k);                     // "upid"
std::string new_id(IdKind k);                          // throws std::runtime_error if RAND fails
bool is_valid_id(IdKind k, std::string_view s);        // exact shape and prefix (lowercase,
                                                       // ASCII digits only)
std::optional<IdKind> id_kind_of(std::string_view s);  // which kind, if any
// The id with the given number (below 10^16, or std::out_of_range), and the number of an
// id of that kind (nullopt if it is not one): for ids derived from a number (txids).
std::string format_id(IdKind k, std::uint64_t number);
std::optional<std::uint64_t> id_number(IdKind k, std::string_view s);

namespace ids_detail {
// The rejection step of new_id, exposed for tests: a uniform 64-bit draw becomes a uniform
// number below 10^16, or nullopt when it falls in the biased tail and must be redrawn.
std::optional<std::uint64_t> id_number_from_draw(std::uint64_t draw);
}  // namespace ids_detail

}  // namespace og
