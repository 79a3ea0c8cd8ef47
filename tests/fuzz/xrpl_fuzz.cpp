// og::xrpl (daemon/bridges/xrpl/): every parser of untrusted input, on the same bytes as
// text and as a binary blob: base58, classic addresses, X-addresses, seeds, node and
// account public keys, hex, issued values, drops, the binary transaction codec, and
// signature verification with an arbitrary key and signature.
// Invariants: nothing crashes or throws anything but og::xrpl::Error; what decodes encodes
// back to the very same text or bytes (every text format here has one canonical spelling;
// a binary transaction does too, whenever our encoder accepts what it decodes to); issued
// values format and parse back to themselves; drops print back as given.

#include <algorithm>
#include <cctype>
#include <string>

#include "common/json.h"
#include "daemon/bridges/xrpl/base58.h"
#include "daemon/bridges/xrpl/codec.h"
#include "daemon/bridges/xrpl/keys.h"
#include "tests/fuzz/fuzz_support.h"

namespace x = og::xrpl;

namespace {

void check_base58(std::string_view s) {
  if (auto b = x::base58_decode(s)) FUZZ_CHECK_MSG(x::base58_encode(*b) == s, std::string(s));
  if (auto id = x::decode_classic_address(s)) {
    FUZZ_CHECK(x::encode_classic_address(*id) == s);
    FUZZ_CHECK(x::account_id_from_address(s) == id);
  }
  if (auto xa = x::decode_x_address(s)) {
    FUZZ_CHECK_MSG(x::encode_x_address(xa->account_id, xa->tag, xa->test_net) == s, std::string(s));
    FUZZ_CHECK(x::account_id_from_address(s) == xa->account_id);
  }
  if (!x::decode_classic_address(s) && !x::decode_x_address(s)) FUZZ_CHECK(!x::account_id_from_address(s));
  if (auto seed = x::decode_seed(s)) {
    FUZZ_CHECK(x::encode_seed(*seed) == s);
    const x::KeyPair kp = x::derive_keypair(*seed);
    FUZZ_CHECK(kp.public_key.size() == 33 && x::public_key_type(kp.public_key) == kp.type);
    FUZZ_CHECK(kp.type == seed->type);
  }
  if (auto k = x::decode_node_public(s)) FUZZ_CHECK(x::encode_node_public(*k) == s);
  if (auto k = x::decode_account_public(s)) FUZZ_CHECK(x::encode_account_public(*k) == s);
}

void check_hex(std::string_view s) {
  auto b = x::from_hex(s);
  if (!b) return;
  FUZZ_CHECK(b->size() * 2 == s.size());
  std::string upper(s);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  FUZZ_CHECK(x::to_hex(*b) == upper);
}

void check_values(std::string_view s) {
  try {
    const x::IouValue v = x::parse_iou_value(s);
    if (v.mantissa != 0) {
      FUZZ_CHECK(v.mantissa >= 1'000'000'000'000'000ULL && v.mantissa <= 9'999'999'999'999'999ULL);
      FUZZ_CHECK(v.exponent >= -96 && v.exponent <= 80);
    }
    const std::string text = x::format_iou_value(v);
    const x::IouValue again = x::parse_iou_value(text);
    FUZZ_CHECK_MSG(again.mantissa == v.mantissa && again.exponent == v.exponent &&
                       (v.mantissa == 0 || again.negative == v.negative),
                   text);
    FUZZ_CHECK(x::format_iou_value(again) == text);
  } catch (const x::Error&) {
  }
  try {
    const std::uint64_t d = x::parse_drops(s);
    FUZZ_CHECK(d <= 100'000'000'000'000'000ULL);
    FUZZ_CHECK(std::to_string(d) == s);
  } catch (const x::Error&) {
  }
}

void check_blob(const x::Bytes& blob) {
  og::Json tx;
  try {
    tx = x::decode(blob);
  } catch (const x::Error&) {
    return;
  }
  (void)x::verify_transaction(blob);
  x::Bytes again;
  try {
    again = x::encode(tx);
  } catch (const x::Error&) {
    return;  // decodes to something we do not sign (negative XRP, issuer zero, ...)
  }
  FUZZ_CHECK_MSG(again == blob, tx.dump());
  FUZZ_CHECK(x::decode(again) == tx);
  try {
    (void)x::signing_data(tx);
  } catch (const x::Error&) {
  }
}

// A transaction as JSON (what the bridge hands to encode): whatever encodes decodes, and
// the decoded form (canonical spelling of values, hex and addresses) encodes to the same
// bytes; the signing form is the same minus TxnSignature.
void check_json(std::string_view s) {
  if (s.empty() || s.front() != '{') return;
  og::Json tx = og::Json::parse(s, nullptr, false);
  if (tx.is_discarded()) return;
  x::Bytes blob;
  try {
    blob = x::encode(tx);
  } catch (const x::Error&) {
    return;
  }
  og::Json back;
  try {
    back = x::decode(blob);
  } catch (const x::Error& e) {
    FUZZ_CHECK_MSG(false, std::string("encoded but does not decode: ") + e.what());
  }
  FUZZ_CHECK_MSG(x::encode(back) == blob, back.dump());
  og::Json unsigned_tx = back;
  unsigned_tx.erase("TxnSignature");
  FUZZ_CHECK(x::encode(tx, true) == x::encode(unsigned_tx, true));
}

// An arbitrary public key and signature over the rest: false or true, never a crash.
void check_signature(const std::uint8_t* data, std::size_t size) {
  if (size < 34) return;
  const x::Bytes pub(data, data + 33);
  const std::size_t sig_len = std::min<std::size_t>(data[33], size - 34);
  const x::Bytes sig(data + 34, data + 34 + sig_len);
  const x::Bytes msg(data + 34 + sig_len, data + size);
  (void)x::public_key_type(pub);
  (void)x::verify_message(pub, msg, sig);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view s = og::fuzz::as_text(data, size);
  check_base58(s);
  check_hex(s);
  check_values(s);
  check_json(s);
  const x::Bytes blob(data, data + size);
  check_blob(blob);
  // Hex text of a blob (the corpus holds some: the form rippled's JSON carries).
  if (auto b = x::from_hex(s)) check_blob(*b);
  check_signature(data, size);
  return 0;
}
