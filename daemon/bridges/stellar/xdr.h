#pragma once
// The XDR (RFC 4506: big-endian, 4-byte padding) of the transactions a bridge sends, the
// network-passphrase signature base, the transaction hash and signing; amounts in stroops.
// Subset: TransactionEnvelope ENVELOPE_TYPE_TX (v1); PRECOND_NONE / PRECOND_TIME; memos
// NONE, TEXT (<= 28 bytes), ID, HASH; operations CREATE_ACCOUNT, PAYMENT, CHANGE_TRUST and
// MANAGE_DATA; assets native,
// credit alphanum4 and alphanum12. Anything else is refused (Error), never dropped.
// decode_envelope() is strict: encode_envelope(decode_envelope(b)) == b for every b it accepts.

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "daemon/bridges/stellar/keys.h"
#include "daemon/bridges/stellar/strkey.h"

namespace og::stellar {

inline constexpr std::string_view kTestNetPassphrase = "Test SDF Network ; September 2015";
inline constexpr std::string_view kPublicNetPassphrase = "Public Global Stellar Network ; September 2015";

// code empty: native (XLM). Otherwise 1-4 characters: CREDIT_ALPHANUM4, 5-12:
// CREDIT_ALPHANUM12; characters [A-Za-z0-9]; the issuer's account id.
struct Asset {
  std::string code;
  PublicKey issuer{};
  bool native() const { return code.empty(); }
  bool operator==(const Asset&) const = default;
};

struct Payment {
  MuxedAccount destination;
  Asset asset;
  std::int64_t amount = 0;  // stroops, > 0
  bool operator==(const Payment&) const = default;
};
struct ChangeTrust {
  Asset line;               // a credit asset
  std::int64_t limit = 0;   // stroops, >= 0 (0 removes the trust line)
  bool operator==(const ChangeTrust&) const = default;
};
// Creates `destination` with a starting balance of native XLM (a payment to an account that
// does not exist fails: op_no_destination).
struct CreateAccount {
  PublicKey destination{};
  std::int64_t starting_balance = 0;  // stroops, > 0
  bool operator==(const CreateAccount&) const = default;
};
// Sets (value present) or removes (nullopt) a data entry of the source account (SEP-29's
// config.memo_required). name: 1 to 64 bytes; value: at most 64 bytes.
struct ManageData {
  std::string name;
  std::optional<Bytes> value;
  bool operator==(const ManageData&) const = default;
};
struct Operation {
  std::optional<MuxedAccount> source;
  std::variant<Payment, ChangeTrust, CreateAccount, ManageData> body;
  bool operator==(const Operation&) const = default;
};

struct TimeBounds {
  std::uint64_t min_time = 0, max_time = 0;  // max_time 0: none
  bool operator==(const TimeBounds&) const = default;
};

struct Memo {
  enum class Type { none = 0, text = 1, id = 2, hash = 3 };
  Type type = Type::none;
  std::string text;      // Type::text, at most 28 bytes
  std::uint64_t id = 0;  // Type::id
  Hash hash{};           // Type::hash
  // Only the field of its type counts.
  bool operator==(const Memo& o) const {
    if (type != o.type) return false;
    switch (type) {
      case Type::text: return text == o.text;
      case Type::id: return id == o.id;
      case Type::hash: return hash == o.hash;
      default: return true;
    }
  }
};

struct Transaction {
  MuxedAccount source;
  std::uint32_t fee = 0;
  std::int64_t seq_num = 0;
  std::optional<TimeBounds> time_bounds;  // nullopt: PRECOND_NONE
  Memo memo;
  std::vector<Operation> operations;      // 1..100
  bool operator==(const Transaction&) const = default;
};

struct DecoratedSignature {
  std::array<std::uint8_t, 4> hint{};  // the last 4 bytes of the signer's public key
  Bytes signature;                     // at most 64 bytes
  bool operator==(const DecoratedSignature&) const = default;
};

struct Envelope {
  Transaction tx;
  std::vector<DecoratedSignature> signatures;  // at most 20
  bool operator==(const Envelope&) const = default;
};

Bytes encode_transaction(const Transaction& tx);
Bytes encode_envelope(const Envelope& envelope);
Envelope decode_envelope(const Bytes& xdr);  // throws Error

Hash sha256(const std::uint8_t* data, std::size_t size);
// SHA-256(passphrase).
Hash network_id(std::string_view passphrase);
// network id || ENVELOPE_TYPE_TX (int32 2) || Transaction XDR.
Bytes signature_base(const Transaction& tx, std::string_view passphrase);
// SHA-256(signature base): what is signed, and the transaction's id on Horizon.
Hash transaction_hash(const Transaction& tx, std::string_view passphrase);
DecoratedSignature sign(const Transaction& tx, std::string_view passphrase, const KeyPair& key);
// The envelope with one signature by `key`.
Envelope sign_envelope(const Transaction& tx, std::string_view passphrase, const KeyPair& key);
// Checks the signature against `key` (hint and ed25519 over the hash).
bool verify_signature(const Transaction& tx, std::string_view passphrase, const PublicKey& key,
                      const DecoratedSignature& sig);

// Base64 (RFC 4648, padded), what Horizon's POST /transactions takes as `tx`.
std::string base64_encode(const Bytes& b);
std::optional<Bytes> base64_decode(std::string_view text);  // canonical only
std::string envelope_base64(const Envelope& envelope);
Envelope envelope_from_base64(std::string_view text);  // throws Error

std::string to_hex(const std::uint8_t* data, std::size_t size);

// Amounts: 7 decimals, 1 unit = 10,000,000 stroops. "12.3456789" -> 123456789. Digits, an
// optional '.' followed by 1 to 7 digits; no sign, exponent, spaces; at most INT64_MAX
// stroops. Throws Error otherwise. No floating point.
inline constexpr std::int64_t kStroopsPerUnit = 10'000'000;
std::int64_t parse_amount(std::string_view text);
// Always 7 decimals, as Horizon writes amounts: 123456789 -> "12.3456789". Negative: Error.
std::string format_amount(std::int64_t stroops);

}  // namespace og::stellar
