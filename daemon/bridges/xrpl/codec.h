#pragma once
// The XRP Ledger's canonical binary format for the transactions omnid signs (Payment,
// TrustSet, AccountSet), transaction signing and transaction ids.
// https://xrpl.org/docs/references/protocol/binary-format
// https://xrpl.org/docs/concepts/transactions/transaction-signing (not in this file's scope:
// submission)
//
// The fields supported are compiled in (codec.cpp, kFields, from ripple-binary-codec's
// definitions.json); any other field, transaction type, malformed value or amount that
// cannot be represented exactly throws og::xrpl::Error: nothing is rounded, nothing is
// guessed.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/json.h"
#include "daemon/bridges/xrpl/base58.h"
#include "daemon/bridges/xrpl/keys.h"

namespace og::xrpl {

// The canonical binary form of a transaction (a JSON object as rippled's tx_json, with
// string amounts and classic addresses). for_signing leaves out the fields that are not
// signed (TxnSignature). Throws Error.
Bytes encode(const Json& tx, bool for_signing = false);
std::string encode_hex(const Json& tx, bool for_signing = false);  // uppercase
// What a single signature covers: 0x53545800 ("STX\0") || encode(tx, true).
Bytes signing_data(const Json& tx);
std::string signing_hex(const Json& tx);

// The JSON of a binary transaction (fields of kFields only; canonical order required).
// Throws Error on malformed or unsupported input; never crashes on arbitrary bytes.
Json decode(const Bytes& blob);

struct Signed {
  std::string blob_hex;  // uppercase
  std::string hash;      // transaction id, 64 uppercase hex
  Json tx;               // the input with SigningPubKey and TxnSignature set
};
// Sets SigningPubKey (uppercase hex) and TxnSignature, and checks the signature before it
// returns. `tx` must have TransactionType, Account, Fee and Sequence. Throws Error.
Signed sign(Json tx, const KeyPair& key);
// SHA-512Half(0x54584E00 ("TXN\0") || blob), 64 uppercase hex.
std::string transaction_hash(const Bytes& signed_blob);
// True when the blob decodes and its TxnSignature verifies with its SigningPubKey.
bool verify_transaction(const Bytes& signed_blob);

// Issued-currency value: zero, or +/- mantissa * 10^exponent with mantissa in
// [10^15, 10^16) and exponent in [-96, 80].
struct IouValue {
  bool negative = false;
  std::uint64_t mantissa = 0;  // 0: the value zero
  int exponent = 0;
};
// "1.5", "-0.25", "1e-3", "12E+2": at most 16 significant digits, exactly representable;
// throws Error otherwise (never rounds).
IouValue parse_iou_value(std::string_view text);
// Plain decimal text ("0.001", "-25", "1000"), as ripple-binary-codec's decode writes it.
std::string format_iou_value(const IouValue& v);
// XRP in drops: decimal digits only, at most 10^17. Throws Error.
std::uint64_t parse_drops(std::string_view text);

}  // namespace og::xrpl
