// Samples for the cross-check of og::xrpl against the XRP Ledger's own libraries
// (tests/unit/xrpl_crosscheck/crosscheck.js, ctest unit.xrpl_crosscheck).
//
//   xrpl_samples [N]      N (default 400) signed transactions, one JSON line each:
//                         {"tx_json", "decoded", "blob", "hash", "signing_data", "seed",
//                          "entropy", "key_type", "address", "x_address", ...}
//                         from a fixed PRNG seed: the same transactions, keys and ed25519
//                         signatures on every run and machine (secp256k1 signatures, and so
//                         those blobs and ids, differ: OpenSSL signs with random nonces).
//   xrpl_samples --decode reads JSON lines {"blob", "tx_json"} (crosscheck.js --emit N:
//                         blobs that ripple-binary-codec encoded) and checks that our
//                         decode gives tx_json and our encode gives the blob back.
//   xrpl_samples --decode --refusals-ok
//                         the same, where a blob we refuse is counted, not a failure
//                         (crosscheck.js --emit-dir: the fuzz corpus); lines {"json",
//                         "ripple_blob"} (--emit-json, and JSON in the corpus): where we
//                         encode the JSON, ripple-binary-codec must have, to the same bytes.
//                         What we refuse and it takes is listed on stderr.
//   xrpl_samples --texts  reads crosscheck.js --emit-texts: our text decoders against
//                         ripple-address-codec's and ripple-binary-codec's verdicts.
//   xrpl_samples --sigs   reads crosscheck.js --emit-sigs: verify_message against
//                         ripple-keypairs' verify, on valid and malformed signatures.
//
// Exit status 0 when every sample was produced (or every blob checked), 1 otherwise.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "daemon/bridges/xrpl/base58.h"
#include "daemon/bridges/xrpl/codec.h"
#include "daemon/bridges/xrpl/keys.h"

using namespace og::xrpl;
using og::Json;

namespace {

// splitmix64: fully specified, so the samples are the same everywhere (std:: distributions
// are not).
struct Rng {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }
  std::int64_t range(std::int64_t lo, std::int64_t hi) {  // inclusive
    return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo + 1)));
  }
  Bytes bytes(std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(next());
    return b;
  }
};

std::string hex_of(const Bytes& b) { return to_hex(b); }

std::string random_address(Rng& r) {
  AccountId id{};
  do {
    const Bytes b = r.bytes(20);
    std::copy(b.begin(), b.end(), id.begin());
  } while (std::all_of(id.begin(), id.end(), [](std::uint8_t x) { return x == 0; }));
  return encode_classic_address(id);
}

std::string drops(Rng& r) {
  switch (r.below(8)) {
    case 0: return "1";
    case 1: return "100000000000000000";  // 10^17, the most there can be
    case 2: return "0";
    case 3: return "99999999999999999";
    case 4: return std::to_string(r.range(1, 1000));
    case 5: return std::to_string(r.below(100'000'000'000'000'000ULL) + 1);
    default: return std::to_string(r.range(1'000'000, 100'000'000'000LL));
  }
}

std::string currency(Rng& r) {
  static constexpr std::string_view kIso[] = {"USD", "EUR", "BTC", "JPY", "CNY", "usd", "a1B", "$$$", "?!@",
                                              "{|}", "[*]", "ZZZ", "000", "x^%", "(&)"};
  switch (r.below(4)) {
    case 0: {
      // 40 hex: a non-standard code (first byte non-zero, as rippled requires of them).
      Bytes b = r.bytes(20);
      if (b[0] == 0) b[0] = 0x01;
      return hex_of(b);
    }
    case 1: {
      // 40 hex that look like a standard code with a character outside ISO_REGEX, or
      // an ascii "XRP" in a non-standard position.
      Bytes b(20, 0);
      b[12] = 'U';
      b[13] = static_cast<std::uint8_t>(r.chance(50) ? '-' : '~');
      b[14] = 'D';
      if (r.chance(30)) b[19] = 0x01;
      return hex_of(b);
    }
    default:
      return std::string(kIso[r.below(std::size(kIso))]);
  }
}

// An exactly representable issued value, in one of several spellings; `canonical` gets the
// plain decimal ripple-binary-codec's decode writes.
std::string iou_value(Rng& r) {
  switch (r.below(16)) {
    case 0: return "0";
    case 1: return "1000000000000000e-96";               // the smallest positive value
    case 2: return "9999999999999999e80";                // the largest
    case 3: return "-9999999999999999e80";
    case 4: return "0.000000000000000000000000000000000000000000000000000000000000000000000000000000001";  // 1e-81
    case 5: return "1234567890123456";
    case 6: return "0.1234567890123456";
    case 7: return "-0.00000000000000001";
    default: break;
  }
  // A mantissa of 1..16 significant digits and an exponent keeping it in range.
  const int digits = static_cast<int>(r.range(1, 16));
  std::string m;
  m.push_back(static_cast<char>('1' + r.below(9)));
  for (int i = 1; i < digits; ++i) m.push_back(static_cast<char>('0' + r.below(10)));
  // value = m * 10^e; normalized exponent = e + digits - 16 in [-96, 80].
  const int lo = -96 - digits + 16;
  const int hi = 80 - digits + 16;
  int e = r.chance(60) ? static_cast<int>(r.range(-20, 20)) : static_cast<int>(r.range(lo, hi));
  if (e < lo) e = lo;
  if (e > hi) e = hi;
  const std::string sign = r.chance(20) ? "-" : (r.chance(5) ? "+" : "");
  switch (r.below(4)) {
    case 0:
      return sign + m + (r.chance(50) ? "e" : "E") + std::to_string(e);
    case 1: {
      // d.ddd e x
      const std::string mant = m.size() > 1 ? m.substr(0, 1) + "." + m.substr(1) : m;
      return sign + mant + "e" + (e + digits - 1 >= 0 && r.chance(50) ? "+" : "") + std::to_string(e + digits - 1);
    }
    default: {
      // Plain decimal, when not absurdly long; trailing/leading zeros sometimes.
      if (e > 30 || e < -40) return sign + m + "e" + std::to_string(e);
      std::string out;
      if (e >= 0) {
        out = m + std::string(static_cast<std::size_t>(e), '0');
        if (r.chance(20)) out += ".000";
      } else {
        const int point = static_cast<int>(m.size()) + e;  // digits before the point
        out = point > 0 ? m.substr(0, static_cast<std::size_t>(point)) + "." + m.substr(static_cast<std::size_t>(point))
                        : "0." + std::string(static_cast<std::size_t>(-point), '0') + m;
        if (r.chance(20)) out += "00";
      }
      if (r.chance(10)) out = "00" + out;
      return sign + out;
    }
  }
}

Json iou(Rng& r) { return Json{{"currency", currency(r)}, {"issuer", random_address(r)}, {"value", iou_value(r)}}; }

Json amount(Rng& r) { return r.chance(45) ? Json(drops(r)) : iou(r); }

std::string hash256(Rng& r) { return hex_of(r.bytes(32)); }

Json memos(Rng& r) {
  Json arr = Json::array();
  const int n = static_cast<int>(r.range(1, 3));
  for (int i = 0; i < n; ++i) {
    Json memo = Json::object();
    auto blob = [&]() {
      // Lengths on both sides of the one- and two-byte length prefixes (192, 12480).
      std::size_t len;
      switch (r.below(10)) {
        case 0: len = 192; break;
        case 1: len = 193; break;
        case 2: len = 12480; break;
        case 3: len = 12481 + r.below(300); break;
        case 4: len = 0; break;
        default: len = r.below(400); break;
      }
      return hex_of(r.bytes(len));
    };
    if (r.chance(70)) memo["MemoType"] = hex_of(Bytes{'t', 'e', 'x', 't', '/', 'p', 'l', 'a', 'i', 'n'});
    if (r.chance(80) || memo.empty()) memo["MemoData"] = blob();
    if (r.chance(30)) memo["MemoFormat"] = blob();
    arr.push_back(Json{{"Memo", memo}});
  }
  return arr;
}

Json payment(Rng& r) {
  Json tx = Json::object();
  tx["TransactionType"] = "Payment";
  tx["Destination"] = random_address(r);
  tx["Amount"] = amount(r);
  std::uint32_t flags = 0;
  if (r.chance(30)) flags |= 0x00020000;  // tfPartialPayment
  if (r.chance(10)) flags |= 0x00010000;  // tfNoRippleDirect
  if (r.chance(10)) flags |= 0x00040000;  // tfLimitQuality
  if (r.chance(5)) flags |= 0x80000000;   // tfFullyCanonicalSig
  if (flags || r.chance(30)) tx["Flags"] = flags;
  if (r.chance(40)) tx["DestinationTag"] = r.chance(10) ? 0xFFFFFFFFULL : r.below(1ULL << 32);
  if (r.chance(30)) tx["SourceTag"] = r.below(1ULL << 32);
  if (r.chance(20)) tx["InvoiceID"] = hash256(r);
  if (r.chance(25)) tx["Memos"] = memos(r);
  if (r.chance(30)) tx["SendMax"] = amount(r);
  if (r.chance(20)) tx["DeliverMin"] = amount(r);
  if (r.chance(50)) tx["LastLedgerSequence"] = r.range(1, 4'000'000'000LL);
  return tx;
}

Json trust_set(Rng& r) {
  Json tx = Json::object();
  tx["TransactionType"] = "TrustSet";
  tx["LimitAmount"] = iou(r);
  if (r.chance(40)) tx["QualityIn"] = r.chance(20) ? 0 : r.range(1, 4'000'000'000LL);
  if (r.chance(40)) tx["QualityOut"] = r.chance(20) ? 1'000'000'000 : r.range(1, 4'000'000'000LL);
  static constexpr std::uint32_t kFlags[] = {0x00010000, 0x00020000, 0x00040000, 0x00100000, 0x00200000, 0x80000000};
  std::uint32_t flags = 0;
  for (std::uint32_t f : kFlags)
    if (r.chance(15)) flags |= f;
  if (flags || r.chance(30)) tx["Flags"] = flags;
  if (r.chance(30)) tx["LastLedgerSequence"] = r.range(1, 4'000'000'000LL);
  if (r.chance(10)) tx["Memos"] = memos(r);
  return tx;
}

Json account_set(Rng& r) {
  Json tx = Json::object();
  tx["TransactionType"] = "AccountSet";
  if (r.chance(50)) tx["SetFlag"] = r.range(1, 16);
  if (r.chance(30)) tx["ClearFlag"] = r.range(1, 16);
  if (r.chance(40)) {
    static constexpr std::string_view kDomains[] = {"example.com", "omnigate.local", "xrpl.org", ""};
    std::string d(kDomains[r.below(std::size(kDomains))]);
    tx["Domain"] = hex_of(Bytes(d.begin(), d.end()));
  }
  if (r.chance(40)) tx["TransferRate"] = r.chance(20) ? 0 : r.range(1'000'000'000LL, 2'000'000'000LL);
  if (r.chance(10)) tx["EmailHash"] = hex_of(r.bytes(16));
  if (r.chance(10)) tx["TickSize"] = r.chance(30) ? 0 : r.range(3, 15);
  if (r.chance(10)) tx["MessageKey"] = hex_of(r.bytes(33));
  if (r.chance(20)) tx["Flags"] = r.chance(50) ? 0 : 0x80000000ULL;
  if (r.chance(30)) tx["LastLedgerSequence"] = r.range(1, 4'000'000'000LL);
  return tx;
}

int emit(int count) {
  Rng r{0x0A11'CE5E'ED00'0001ULL};
  int failures = 0;
  // A few signers reused, many fresh: ~ one key pair per two samples.
  for (int i = 0; i < count; ++i) {
    const KeyType type = i % 2 == 0 ? KeyType::secp256k1 : KeyType::ed25519;
    std::array<std::uint8_t, 16> entropy{};
    const Bytes eb = r.bytes(16);
    std::copy(eb.begin(), eb.end(), entropy.begin());
    if (i == 0) entropy.fill(0);      // all zero
    if (i == 1) entropy.fill(0xFF);   // all ones
    const Seed seed(type, entropy);
    const std::string seed_text = encode_seed(seed);
    Json tx;
    switch (r.below(3)) {
      case 0: tx = payment(r); break;
      case 1: tx = trust_set(r); break;
      default: tx = account_set(r); break;
    }
    if (i % 3 == 0) tx = payment(r);  // Payments the most
    try {
      const KeyPair kp = derive_keypair(seed);
      const std::string address = classic_address(kp.public_key);
      tx["Account"] = address;
      tx["Fee"] = r.chance(80) ? std::to_string(r.range(10, 5000)) : drops(r);
      tx["Sequence"] = r.chance(10) ? 0 : r.range(1, 4'000'000'000LL);
      if (r.chance(5)) tx["TicketSequence"] = r.range(1, 100000);
      if (r.chance(5)) tx["NetworkID"] = r.range(1025, 100000);
      if (r.chance(5)) tx["AccountTxnID"] = hash256(r);
      const Signed s = sign(tx, kp);
      const Bytes blob = *from_hex(s.blob_hex);
      const AccountId id = *decode_classic_address(address);
      const std::uint32_t tag = static_cast<std::uint32_t>(r.next());
      const bool test_net = r.chance(50);
      Json line = Json::object();
      line["tx_json"] = s.tx;
      line["decoded"] = decode(blob);
      line["blob"] = s.blob_hex;
      line["hash"] = s.hash;
      line["signing_data"] = signing_hex(s.tx);
      line["seed"] = seed_text;
      line["entropy"] = to_hex(entropy.data(), entropy.size());
      line["key_type"] = type == KeyType::ed25519 ? "ed25519" : "secp256k1";
      line["public_key"] = to_hex(kp.public_key);
      line["address"] = address;
      line["x_address"] = encode_x_address(id, std::nullopt, false);
      line["x_address_tag"] = encode_x_address(id, tag, test_net);
      line["tag"] = tag;
      line["test_net"] = test_net;
      line["verified"] = verify_transaction(blob);
      if (type == KeyType::secp256k1) {
        // The root ("validator") key pair and its node public key (n...).
        const KeyPair root = derive_root_keypair(seed);
        line["root_public_key"] = to_hex(root.public_key);
        line["node_public"] = encode_node_public(root.public_key);
        line["account_public"] = encode_account_public(kp.public_key);
      }
      std::cout << line.dump() << '\n';
    } catch (const std::exception& e) {
      std::cerr << "sample " << i << ": " << e.what() << " in " << tx.dump().substr(0, 2000) << '\n';
      ++failures;
    }
  }
  std::cout.flush();
  return failures == 0 ? 0 : 1;
}

bool same_json(const Json& a, const Json& b) { return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump()); }

// --texts: our text decoders against ripple-address-codec's and ripple-binary-codec's
// verdicts (crosscheck.js --emit-texts). Where we accept, they must accept and agree; where
// only they accept, it is one of the places we are stricter (listed, not a failure): X-
// addresses of another length or with reserved bytes set, issued values like ".5" or with
// more than 200 characters, currency codes outside ISO_REGEX.
int check_texts() {
  std::string line;
  int n = 0, failures = 0, stricter = 0;
  const std::string issuer = "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh";
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    ++n;
    const Json in = Json::parse(line);
    const std::string text = in.at("text").get<std::string>();
    auto compare = [&](const char* what, const Json& ours, bool lenient_ok) {
      const Json& theirs = in.at(what);
      if (ours == theirs) return;
      if (ours.is_null() && lenient_ok) {
        if (++stricter <= 25) std::cout << "NOTE only theirs accepts " << what << " " << Json(text).dump() << "\n";
        return;
      }
      ++failures;
      std::cout << "FAIL " << what << " " << Json(text).dump() << ": ours " << ours.dump() << ", theirs " << theirs.dump() << "\n";
    };
    auto id = decode_classic_address(text);
    compare("classic", id ? Json(to_hex(id->data(), id->size())) : Json(), false);
    auto x = decode_x_address(text);
    Json xj;
    if (x) xj = Json{{"account", to_hex(x->account_id.data(), x->account_id.size())}, {"tag", x->tag ? Json(*x->tag) : Json()}, {"test", x->test_net}};
    compare("x", xj, true);
    auto seed = decode_seed(text);
    Json sj;
    if (seed) sj = Json{{"type", seed->type == KeyType::ed25519 ? "ed25519" : "secp256k1"}, {"entropy", to_hex(seed->bytes.data(), seed->bytes.size())}};
    compare("seed", sj, false);
    auto node = decode_node_public(text);
    compare("node_public", node ? Json(to_hex(*node)) : Json(), false);
    auto acct = decode_account_public(text);
    compare("account_public", acct ? Json(to_hex(*acct)) : Json(), false);
    auto encoded = [&](const Json& amount) -> Json {
      try {
        return encode_hex(Json{{"TransactionType", "Payment"}, {"Amount", amount}});
      } catch (const Error&) {
        return Json();
      }
    };
    compare("iou", encoded(Json{{"currency", "USD"}, {"issuer", issuer}, {"value", text}}), true);
    compare("drops", encoded(Json(text)), true);
  }
  std::cout << "xrpl_samples --texts: " << n << " texts, " << failures << " disagreements, " << stricter
            << " refused by us only (stricter, see NOTE lines)\n";
  return failures == 0 && n > 0 ? 0 : 1;
}

// --sigs: verify_message against ripple-keypairs' verify (crosscheck.js --emit-sigs), on its
// signatures and malformed variants of them: the verdicts must be the same.
int check_sigs() {
  std::string line;
  int n = 0, failures = 0, accepted = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty()) continue;
    ++n;
    const Json in = Json::parse(line);
    auto pub = from_hex(in.at("public_key").get<std::string>());
    auto msg = from_hex(in.at("message").get<std::string>());
    auto sig = from_hex(in.at("signature").get<std::string>());
    const bool ours = pub && msg && sig && verify_message(*pub, *msg, *sig);
    accepted += ours;
    if (ours != in.at("verifies").get<bool>()) {
      ++failures;
      std::cout << "FAIL " << in["algorithm"].get<std::string>() << " " << in["what"].get<std::string>() << ": ours "
                << ours << ", ripple-keypairs " << !ours << " " << line.substr(0, 600) << "\n";
    }
  }
  std::cout << "xrpl_samples --sigs: " << n << " signatures (" << accepted << " valid), " << failures << " disagreements\n";
  return failures == 0 && n > 0 ? 0 : 1;
}

int check_decode(bool refusals_ok) {
  std::string text;
  int n = 0, failures = 0, refused = 0;
  while (std::getline(std::cin, text)) {
    if (text.empty()) continue;
    ++n;
    auto fail = [&](const std::string& what) {
      ++failures;
      std::cerr << "blob " << n << ": " << what << '\n';
    };
    try {
      const Json in = Json::parse(text);
      if (in.contains("json")) {
        // A transaction as JSON and ripple-binary-codec's encoding of it (or null).
        Bytes ours;
        try {
          ours = encode(in["json"]);
        } catch (const Error& e) {
          if (!in["ripple_blob"].is_null()) {
            ++refused;
            std::cerr << "refused (ripple-binary-codec encodes it): " << e.what() << '\n';
          }
          continue;
        }
        if (in["ripple_blob"].is_null()) fail("we encode what ripple-binary-codec refuses: " + in["json"].dump().substr(0, 2000));
        else if (to_hex(ours) != in["ripple_blob"].get<std::string>())
          fail("encode differs: ours " + to_hex(ours) + " theirs " + in["ripple_blob"].get<std::string>() + " of " + in["json"].dump().substr(0, 2000));
        continue;
      }
      const auto blob = from_hex(in.at("blob").get<std::string>());
      if (!blob) {
        fail("not hex");
        continue;
      }
      const Json ours = decode(*blob);
      if (in.contains("tx_json") && !same_json(ours, in["tx_json"]))
        fail("decode differs: ours " + ours.dump() + " theirs " + in["tx_json"].dump());
      const std::string again = encode_hex(ours);
      if (again != to_hex(*blob)) fail("decode+encode differs: " + again + " vs " + to_hex(*blob));
      if (in.contains("tx_json") && encode_hex(in["tx_json"]) != to_hex(*blob)) fail("encode(tx_json) differs");
    } catch (const std::exception& e) {
      if (refusals_ok) {
        ++refused;  // stricter than ripple-binary-codec (e.g. no end marker at the end)
        std::cerr << "refused (ripple-binary-codec decodes it): " << e.what() << '\n';
        continue;
      }
      fail(std::string("threw: ") + e.what() + " on " + text.substr(0, 2000));
    }
  }
  if (refusals_ok) std::cout << "xrpl_samples --decode: " << refused << " blobs refused by us only (stricter)\n";
  if (failures == 0) std::cout << "xrpl_samples --decode: " << n << " blobs decoded and re-encoded identically\n";
  else std::cout << "xrpl_samples --decode: " << failures << " failures in " << n << " blobs\n";
  return failures == 0 && n > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--decode")
    return check_decode(argc > 2 && std::string_view(argv[2]) == "--refusals-ok");
  if (argc > 1 && std::string_view(argv[1]) == "--texts") return check_texts();
  if (argc > 1 && std::string_view(argv[1]) == "--sigs") return check_sigs();
  int count = 400;
  if (argc > 1) count = std::atoi(argv[1]);
  return emit(count);
}
