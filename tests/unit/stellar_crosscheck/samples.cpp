// Samples for the cross-check of og::stellar against the Stellar SDK
// (tests/unit/stellar_crosscheck/crosscheck.js, ctest unit.stellar_crosscheck and
// unit.stellar_crosscheck_decode).
//
//   stellar_samples [N]      N (default 500) signed v1 transaction envelopes, one JSON line
//                            each: {"seed", "seed_hex", "account_id", "public_key_hex",
//                            "passphrase", "envelope" (base64), "hash" (hex), "signature"
//                            (hex), "tx" (the fields we encoded, in the shape of fields()
//                            below), "muxed" [{"strkey", "key_hex", "id"}]} from a fixed PRNG
//                            seed: the same keys, transactions and (Ed25519, deterministic)
//                            signatures on every run and machine. The seeds are test keys
//                            made up here, nothing else.
//   stellar_samples --decode reads JSON lines {"envelope", "passphrase", "hash", "signer",
//                            "tx"} (crosscheck.js --emit N: envelopes the SDK built and
//                            signed) and checks that decode_envelope gives those fields, that
//                            encode_envelope gives the same bytes back, that our hash is the
//                            SDK's and that the signature verifies with our verify_signature.
//
// Exit status 0 when every sample was produced (or every envelope checked), 1 otherwise.

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "common/json.h"
#include "daemon/bridges/stellar/keys.h"
#include "daemon/bridges/stellar/strkey.h"
#include "daemon/bridges/stellar/xdr.h"

using namespace og::stellar;
using og::Json;

namespace {

// splitmix64: fully specified, so the samples are the same everywhere.
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
  template <std::size_t N>
  std::array<std::uint8_t, N> array() {
    std::array<std::uint8_t, N> a{};
    for (auto& x : a) x = static_cast<std::uint8_t>(next());
    return a;
  }
};

constexpr std::int64_t kMaxI64 = std::numeric_limits<std::int64_t>::max();
constexpr std::uint64_t kMaxU64 = std::numeric_limits<std::uint64_t>::max();

std::string hex(const std::uint8_t* d, std::size_t n) { return to_hex(d, n); }
template <class C>
std::string hex(const C& c) {
  return to_hex(c.data(), c.size());
}

// ---- The shared shape of a transaction's fields (crosscheck.js fieldsOf() writes the same
// from the SDK's Transaction object). 64-bit numbers as decimal strings.
Json asset_json(const Asset& a) {
  if (a.native()) return Json{{"type", "native"}};
  return Json{{"type", a.code.size() <= 4 ? "credit_alphanum4" : "credit_alphanum12"},
              {"code", a.code},
              {"issuer", encode_account_id(a.issuer)}};
}

Json fields(const Transaction& tx) {
  Json j;
  j["source"] = encode_muxed_account(tx.source);
  j["fee"] = std::to_string(tx.fee);
  j["seq"] = std::to_string(tx.seq_num);
  j["time_bounds"] = tx.time_bounds ? Json{{"min", std::to_string(tx.time_bounds->min_time)},
                                           {"max", std::to_string(tx.time_bounds->max_time)}}
                                    : Json();
  Json memo;
  switch (tx.memo.type) {
    case Memo::Type::none: memo = Json{{"type", "none"}}; break;
    case Memo::Type::text:
      memo = Json{{"type", "text"}, {"hex", hex(reinterpret_cast<const std::uint8_t*>(tx.memo.text.data()), tx.memo.text.size())}};
      break;
    case Memo::Type::id: memo = Json{{"type", "id"}, {"id", std::to_string(tx.memo.id)}}; break;
    case Memo::Type::hash: memo = Json{{"type", "hash"}, {"hex", hex(tx.memo.hash)}}; break;
  }
  j["memo"] = memo;
  Json ops = Json::array();
  for (const auto& op : tx.operations) {
    Json o;
    o["source"] = op.source ? Json(encode_muxed_account(*op.source)) : Json();
    if (const auto* p = std::get_if<Payment>(&op.body)) {
      o["type"] = "payment";
      o["destination"] = encode_muxed_account(p->destination);
      o["asset"] = asset_json(p->asset);
      o["amount"] = format_amount(p->amount);
    } else if (const auto* c = std::get_if<ChangeTrust>(&op.body)) {
      o["type"] = "change_trust";
      o["asset"] = asset_json(c->line);
      o["limit"] = format_amount(c->limit);
    } else if (const auto* a = std::get_if<CreateAccount>(&op.body)) {
      o["type"] = "create_account";
      o["destination"] = encode_account_id(a->destination);
      o["starting_balance"] = format_amount(a->starting_balance);
    } else {
      const auto& d = std::get<ManageData>(op.body);
      o["type"] = "manage_data";
      o["name"] = d.name;
      o["value_hex"] = d.value ? Json(hex(*d.value)) : Json();
    }
    ops.push_back(o);
  }
  j["operations"] = ops;
  return j;
}

// ---- Random transactions
const char kCodeChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

Asset random_credit(Rng& r) {
  Asset a;
  std::size_t len;
  switch (r.below(6)) {
    case 0: len = 1; break;
    case 1: len = 4; break;
    case 2: len = 5; break;
    case 3: len = 12; break;
    default: len = 1 + r.below(12); break;
  }
  for (std::size_t i = 0; i < len; ++i) a.code.push_back(kCodeChars[r.below(sizeof kCodeChars - 1)]);
  if (len <= 4 && r.chance(20)) a.code = "USD";
  a.issuer = r.array<32>();
  return a;
}

std::int64_t random_amount(Rng& r, bool allow_zero) {
  switch (r.below(10)) {
    case 0: return allow_zero ? 0 : 1;
    case 1: return 1;                    // 0.0000001
    case 2: return kMaxI64;              // 922337203685.4775807
    case 3: return kMaxI64 - 1;
    case 4: return kStroopsPerUnit;      // 1.0000000
    case 5: return static_cast<std::int64_t>(1 + r.below(1000)) * kStroopsPerUnit;
    case 6: return static_cast<std::int64_t>(1 + r.below(100000000));
    default: return static_cast<std::int64_t>(1 + (r.next() >> 1) % static_cast<std::uint64_t>(kMaxI64));
  }
}

MuxedAccount random_muxed(Rng& r, const PublicKey* key = nullptr) {
  MuxedAccount m;
  m.key = key ? *key : r.array<32>();
  if (r.chance(30)) {
    switch (r.below(4)) {
      case 0: m.id = 0; break;
      case 1: m.id = kMaxU64; break;
      default: m.id = r.next(); break;
    }
  }
  return m;
}

Transaction random_transaction(Rng& r, const PublicKey& source) {
  Transaction tx;
  tx.source = random_muxed(r, &source);
  switch (r.below(6)) {
    case 0: tx.fee = 100; break;
    case 1: tx.fee = 0; break;
    case 2: tx.fee = std::numeric_limits<std::uint32_t>::max(); break;
    default: tx.fee = static_cast<std::uint32_t>(r.next()); break;
  }
  switch (r.below(6)) {
    case 0: tx.seq_num = 1; break;
    case 1: tx.seq_num = kMaxI64; break;
    case 2: tx.seq_num = 0; break;
    case 3: tx.seq_num = static_cast<std::int64_t>(r.below(1u << 20)) << 32 | static_cast<std::int64_t>(r.below(1000)); break;
    default: tx.seq_num = static_cast<std::int64_t>(r.next() >> 1); break;
  }
  switch (r.below(5)) {
    case 0: break;  // PRECOND_NONE
    case 1: tx.time_bounds = TimeBounds{0, 0}; break;
    case 2: tx.time_bounds = TimeBounds{0, kMaxU64}; break;
    case 3: tx.time_bounds = TimeBounds{r.next(), r.next()}; break;
    default: {
      const std::uint64_t now = 1'700'000'000 + r.below(100'000'000);
      tx.time_bounds = TimeBounds{r.chance(50) ? 0 : now - 60, now + r.below(3600)};
    }
  }
  switch (r.below(5)) {
    case 0: break;
    case 1: {
      tx.memo.type = Memo::Type::text;
      const std::size_t len = r.chance(20) ? (r.chance(50) ? 0 : 28) : r.below(29);
      for (std::size_t i = 0; i < len; ++i) {
        // Printable ASCII mostly; sometimes any byte (Stellar's memo text is bytes).
        tx.memo.text.push_back(static_cast<char>(r.chance(90) ? 0x20 + r.below(95) : r.below(256)));
      }
      break;
    }
    case 2:
      tx.memo.type = Memo::Type::id;
      tx.memo.id = r.chance(20) ? (r.chance(50) ? 0 : kMaxU64) : r.next();
      break;
    case 3:
      tx.memo.type = Memo::Type::hash;
      tx.memo.hash = r.array<32>();
      break;
    default:
      tx.memo.type = Memo::Type::id;
      tx.memo.id = r.below(1'000'000);
  }
  std::size_t nops = r.chance(5) ? 100 : 1 + r.below(r.chance(70) ? 2 : 10);
  for (std::size_t i = 0; i < nops; ++i) {
    Operation op;
    if (r.chance(15)) op.source = random_muxed(r);
    const auto kind = r.below(10);
    if (kind == 8) {
      op.body = CreateAccount{r.array<32>(), random_amount(r, false)};
    } else if (kind == 9) {
      static const char kName[] = "abcdefghijklmnopqrstuvwxyz0123456789._-";
      ManageData d;
      const std::size_t len = 1 + r.below(64);
      for (std::size_t k = 0; k < len; ++k) d.name.push_back(kName[r.below(sizeof kName - 1)]);
      if (!r.chance(20)) {
        Bytes v(r.below(65));
        for (auto& b : v) b = static_cast<std::uint8_t>(r.next());
        d.value = std::move(v);
      }
      op.body = std::move(d);
    } else if (kind < 6) {
      Payment p;
      p.destination = random_muxed(r);
      if (!r.chance(40)) p.asset = random_credit(r);
      p.amount = random_amount(r, false);
      op.body = p;
    } else {
      ChangeTrust c;
      c.line = random_credit(r);
      c.limit = random_amount(r, true);
      op.body = c;
    }
    tx.operations.push_back(op);
  }
  return tx;
}

void collect_muxed(const MuxedAccount& m, Json& out) {
  if (!m.id) return;
  out.push_back(Json{{"strkey", encode_muxed_account(m)}, {"key_hex", hex(m.key)}, {"id", std::to_string(*m.id)}});
}

int emit(int count) {
  Rng r{0x5354454C4C4152ULL};  // "STELLAR"
  for (int i = 0; i < count; ++i) {
    Seed seed{};
    switch (i) {
      case 0: break;                                   // all zero
      case 1: seed.fill(0xFF); break;                  // all ones
      default: seed = r.array<32>();
    }
    const KeyPair kp = KeyPair::from_seed(seed);
    std::string passphrase;
    switch (r.below(4)) {
      case 0: passphrase = std::string(kPublicNetPassphrase); break;
      case 1: passphrase = "Omnigate cross-check ; " + std::to_string(r.below(1000)); break;
      default: passphrase = std::string(kTestNetPassphrase);
    }
    const Transaction tx = random_transaction(r, kp.public_key());
    const Envelope env = sign_envelope(tx, passphrase, kp);
    const Hash h = transaction_hash(tx, passphrase);
    Json muxed = Json::array();
    collect_muxed(tx.source, muxed);
    for (const auto& op : tx.operations) {
      if (op.source) collect_muxed(*op.source, muxed);
      if (const auto* p = std::get_if<Payment>(&op.body)) collect_muxed(p->destination, muxed);
    }
    Json line{{"seed", kp.secret()},
              {"seed_hex", hex(seed)},
              {"account_id", kp.account_id()},
              {"public_key_hex", hex(kp.public_key())},
              {"passphrase", passphrase},
              {"envelope", envelope_base64(env)},
              {"hash", hex(h)},
              {"signature", hex(env.signatures.at(0).signature)},
              {"hint", hex(env.signatures.at(0).hint)},
              {"tx", fields(tx)},
              {"muxed", muxed}};
    std::cout << line.dump() << "\n";
  }
  std::cout.flush();
  return 0;
}

bool same_json(const Json& a, const Json& b) { return nlohmann::json::parse(a.dump()) == nlohmann::json::parse(b.dump()); }

int check_decode() {
  std::string text;
  int n = 0, failures = 0;
  while (std::getline(std::cin, text)) {
    if (text.empty()) continue;
    ++n;
    auto fail = [&](const std::string& what) {
      ++failures;
      std::cout << "FAIL line " << n << ": " << what << "\n";
    };
    try {
      const Json in = Json::parse(text);
      const std::string b64 = in.at("envelope").get<std::string>();
      const std::string passphrase = in.at("passphrase").get<std::string>();
      const auto bytes = base64_decode(b64);
      if (!bytes) {
        fail("base64_decode refused the SDK's envelope");
        continue;
      }
      const Envelope env = decode_envelope(*bytes);
      if (encode_envelope(env) != *bytes) fail("re-encoding does not give the SDK's bytes back");
      if (envelope_base64(env) != b64) fail("envelope_base64 differs from the SDK's base64");
      const Json ours = fields(env.tx);
      if (!same_json(ours, in.at("tx"))) fail("fields: ours " + ours.dump() + ", SDK " + in.at("tx").dump());
      const Hash h = transaction_hash(env.tx, passphrase);
      if (hex(h) != in.at("hash").get<std::string>()) fail("hash: ours " + hex(h) + ", SDK " + in.at("hash").get<std::string>());
      const auto signer = decode_account_id(in.at("signer").get<std::string>());
      if (!signer) {
        fail("signer does not decode");
        continue;
      }
      if (env.signatures.size() != 1) {
        fail("expected one signature, got " + std::to_string(env.signatures.size()));
        continue;
      }
      if (!verify_signature(env.tx, passphrase, *signer, env.signatures[0]))
        fail("the SDK's signature does not verify with verify_signature");
      // And a signature for another network must not.
      if (verify_signature(env.tx, std::string(passphrase) + "x", *signer, env.signatures[0]))
        fail("the signature verifies under another passphrase");
    } catch (const std::exception& e) {
      fail(std::string("exception: ") + e.what());
    }
  }
  std::cout << "stellar_samples --decode: " << n << " SDK envelopes, " << failures << " failures\n";
  return failures == 0 && n > 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--decode") return check_decode();
  int count = 500;
  if (argc > 1) count = std::atoi(argv[1]);
  return emit(count);
}
