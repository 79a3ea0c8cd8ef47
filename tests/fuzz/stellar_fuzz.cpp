// og::stellar (daemon/bridges/stellar/): every parser of untrusted input, on the same bytes
// as text and as binary: strkeys (G, S, M), base32, base64, amounts, the XDR envelope
// decoder, and signature verification with an arbitrary key and signature.
// Invariants: nothing crashes or throws anything but og::stellar::Error; what decodes
// encodes back to the very same text or bytes (strkeys, base32 and base64 have one
// canonical spelling; the XDR decoder accepts only what the encoder writes); amounts
// format and parse back to themselves.

#include <string>

#include "daemon/bridges/stellar/keys.h"
#include "daemon/bridges/stellar/strkey.h"
#include "daemon/bridges/stellar/xdr.h"
#include "tests/fuzz/fuzz_support.h"

namespace s = og::stellar;

namespace {

void check_text(std::string_view t) {
  if (auto b = s::base32_decode(t)) FUZZ_CHECK_MSG(s::base32_encode(*b) == t, std::string(t));
  if (auto k = s::decode_account_id(t)) FUZZ_CHECK(s::encode_account_id(*k) == t);
  if (auto m = s::decode_muxed_account(t)) FUZZ_CHECK(s::encode_muxed_account(*m) == t);
  if (auto seed = s::decode_seed(t)) {
    FUZZ_CHECK(s::encode_seed(*seed) == t);
    const s::KeyPair kp = s::KeyPair::from_seed(*seed);
    FUZZ_CHECK(s::decode_account_id(kp.account_id()) == kp.public_key());
  }
  try {
    const std::int64_t v = s::parse_amount(t);
    FUZZ_CHECK(v >= 0);
    FUZZ_CHECK(s::parse_amount(s::format_amount(v)) == v);
  } catch (const s::Error&) {
  }
  if (auto b = s::base64_decode(t)) {
    FUZZ_CHECK(s::base64_encode(*b) == t);
  }
}

void check_xdr(const s::Bytes& b) {
  s::Envelope e;
  try {
    e = s::decode_envelope(b);
  } catch (const s::Error&) {
    return;
  }
  s::Bytes again;
  try {
    again = s::encode_envelope(e);
  } catch (const s::Error& err) {
    FUZZ_CHECK_MSG(false, std::string("decoded but does not encode: ") + err.what());
  }
  FUZZ_CHECK(again == b);
  (void)s::transaction_hash(e.tx, s::kTestNetPassphrase);
  for (const auto& sig : e.signatures) (void)s::verify_signature(e.tx, s::kTestNetPassphrase, e.tx.source.key, sig);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view t = og::fuzz::as_text(data, size);
  check_text(t);
  check_xdr(s::Bytes(data, data + size));
  if (auto b = s::base64_decode(t)) check_xdr(*b);
  if (size >= 32) {
    s::PublicKey k{};
    std::copy(data, data + 32, k.begin());
    (void)s::verify(k, data + 32, size - 32, data + 32, std::min<std::size_t>(64, size - 32));
  }
  return 0;
}
