// og::stellar (daemon/bridges/stellar/): strkeys, ed25519 keys, the XDR of the
// transactions we send, the signature base and hash, amounts. Sources of the vectors:
// - SEP-23 (github.com/stellar/stellar-protocol, ecosystem/sep-0023.md, "Test Cases"):
//   valid G/M strkeys with their bytes, and its list of invalid strkeys.
// - js-stellar-base test/unit/keypair_test.js and py-stellar-base tests/test_keypair.py:
//   SD7X7LEH... -> GDFQVQCY...
// - py-stellar-base (github.com/StellarCN/py-stellar-base) tests/test_transaction_envelope.py,
//   test_to_xdr_v1: a signed v1 envelope (public network) from seed SCCS5ZBI...
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "daemon/bridges/stellar/keys.h"
#include "daemon/bridges/stellar/strkey.h"
#include "daemon/bridges/stellar/xdr.h"

using namespace og::stellar;

namespace {
std::string hex(const PublicKey& k) { return to_hex(k.data(), k.size()); }
}  // namespace

TEST_CASE("base32 and CRC16-XModem", "[stellar]") {
  const std::string s = "foobar";
  // RFC 4648 section 10 (without padding).
  CHECK(base32_encode(Bytes(s.begin(), s.end())) == "MZXW6YTBOI");
  CHECK(base32_encode(Bytes(s.begin(), s.begin() + 1)) == "MY");
  CHECK(base32_decode("MZXW6YTBOI") == Bytes(s.begin(), s.end()));
  CHECK_FALSE(base32_decode("MZXW6YTBOI======"));
  CHECK_FALSE(base32_decode("mzxw6ytboi"));
  CHECK_FALSE(base32_decode("MZ"));  // unused bits not zero
  // CRC-16/XMODEM check value of "123456789".
  const std::string c = "123456789";
  CHECK(crc16_xmodem(reinterpret_cast<const std::uint8_t*>(c.data()), c.size()) == 0x31C3);
}

TEST_CASE("SEP-23 valid strkeys", "[stellar]") {
  const std::string g = "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZ";
  auto k = decode_account_id(g);
  REQUIRE(k);
  CHECK(hex(*k) == "3f0c34bf93ad0d9971d04ccc90f705511c838aad9734a4a2fb0d7a03fc7fe89a");
  CHECK(encode_account_id(*k) == g);

  const std::string m0 = "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ";
  auto a = decode_muxed_account(m0);
  REQUIRE(a);
  CHECK(a->key == *k);
  CHECK(a->id == std::optional<std::uint64_t>(0));
  CHECK(encode_muxed_account(*a) == m0);

  const std::string m63 = "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLK";
  auto b = decode_muxed_account(m63);
  REQUIRE(b);
  CHECK(b->key == *k);
  CHECK(b->id == std::optional<std::uint64_t>(9223372036854775808ULL));
  CHECK(encode_muxed_account(*b) == m63);
  // The binary MuxedAccount of SEP-23's example.
  Transaction tx;
  tx.source = *b;
  tx.operations.push_back({std::nullopt, Payment{*b, {}, 1}});
  const Bytes x = encode_transaction(tx);
  CHECK(to_hex(x.data(), 44) ==
        "0000010080000000000000003f0c34bf93ad0d9971d04ccc90f705511c838aad9734a4a2fb0d7a03fc7fe89a");

  auto g_as_muxed = decode_muxed_account(g);
  REQUIRE(g_as_muxed);
  CHECK_FALSE(g_as_muxed->id);
  CHECK(encode_muxed_account(*g_as_muxed) == g);
  CHECK_FALSE(decode_account_id(m0));
  CHECK_FALSE(decode_seed(g));
}

TEST_CASE("SEP-23 invalid strkeys", "[stellar]") {
  // SEP-23's array of invalid strkeys (the G, M, P and B ones: none decodes as anything).
  const std::vector<std::string> invalid = {
      "GAAAAAAAACGC6",
      "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUR",
      "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVSGZA",
      "GA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUACUSI",
      "G47QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVP2I",
      "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAJLKA",
      "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJVAAAAAAAAAAAAAAV75I",
      "M47QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUQ",
      "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUK===",
      "MA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAAAAAAAACJUO",
      "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAQACAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DUPB6IAAAAAAAAPM",
      "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAOQCAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4Z2PQ",
      "PA7QYNF7SOWQ3GLR2BGMZEHXAVIRZA4KVWLTJJFC7MGXUA74P7UJUAAAAAOQCAQDAQCQMBYIBEFAWDANBYHRAEISCMKBKFQXDAMRUGY4DXFH6",
      "BAAD6DBUX6J22DMZOHIEZTEQ64CVCHEDRKWZONFEUL5Q26QD7R76RGR4TV",
      "BAAT6DBUX6J22DMZOHIEZTEQ64CVCHEDRKWZONFEUL5Q26QD7R76RGXACA",
  };
  for (const auto& s : invalid) {
    INFO(s);
    CHECK_FALSE(decode_account_id(s));
    CHECK_FALSE(decode_muxed_account(s));
    CHECK_FALSE(decode_seed(s));
  }
  // Lowercase of a valid key.
  CHECK_FALSE(decode_account_id("ga7qynf7sowq3glr2bgmzehxavirza4kvwltjjfc7mgxua74p7ujvsgz"));
}

TEST_CASE("seeds and key pairs", "[stellar]") {
  // js-stellar-base keypair_test.js, py-stellar-base test_keypair.py.
  const KeyPair kp = KeyPair::from_secret("SD7X7LEHBNMUIKQGKPARG5TDJNBHKC346OUARHGZL5ITC6IJPXHILY36");
  CHECK(kp.account_id() == "GDFQVQCYYB7GKCGSCUSIQYXTPLV5YJ3XWDMWGQMDNM4EAXAL7LITIBQ7");
  CHECK(kp.secret() == "SD7X7LEHBNMUIKQGKPARG5TDJNBHKC346OUARHGZL5ITC6IJPXHILY36");
  // py-stellar-base test_transaction_envelope.py.
  CHECK(KeyPair::from_secret("SCCS5ZBI7WVIJ4SW36WGOQQIWJYCL3VOAULSXX3FB57USIO25EDOYQHH").account_id() ==
        "GDF5O4OWEMVBY5FLDHWA5RZTYSV2U276XGKZZ6VSHDDR3THSQ6OQS7UM");
  CHECK_THROWS_AS(KeyPair::from_secret("GDFQVQCYYB7GKCGSCUSIQYXTPLV5YJ3XWDMWGQMDNM4EAXAL7LITIBQ7"), Error);
  try {
    KeyPair::from_secret("SD7X7LEHBNMUIKQGKPARG5TDJNBHKC346OUARHGZL5ITC6IJPXHILY37");
    FAIL("a bad checksum decoded");
  } catch (const Error& e) {
    CHECK(std::string(e.what()).find("SD7X") == std::string::npos);  // no secret in messages
  }

  const KeyPair r = KeyPair::random();
  const KeyPair r2 = KeyPair::from_secret(r.secret());
  CHECK(r2.public_key() == r.public_key());
  CHECK(r.account_id() != KeyPair::random().account_id());
  const std::string msg = "test post please ignore";
  const auto* m = reinterpret_cast<const std::uint8_t*>(msg.data());
  const Signature sig = r.sign(m, msg.size());
  CHECK(verify(r.public_key(), m, msg.size(), sig.data(), sig.size()));
  CHECK(sig == r2.sign(m, msg.size()));  // deterministic
  Signature bad = sig;
  bad[0] ^= 1;
  CHECK_FALSE(verify(r.public_key(), m, msg.size(), bad.data(), bad.size()));
  CHECK_FALSE(verify(kp.public_key(), m, msg.size(), sig.data(), sig.size()));
}

TEST_CASE("a signed v1 envelope byte for byte (py-stellar-base test_to_xdr_v1)", "[stellar]") {
  const KeyPair source = KeyPair::from_secret("SCCS5ZBI7WVIJ4SW36WGOQQIWJYCL3VOAULSXX3FB57USIO25EDOYQHH");
  Transaction tx;
  tx.source = {source.public_key(), std::nullopt};
  tx.fee = 200;
  tx.seq_num = 1;
  tx.time_bounds = TimeBounds{12345, 56789};
  tx.memo.type = Memo::Type::id;
  tx.memo.id = 100;
  auto dest = decode_muxed_account("GDJJRRMBK4IWLEPJGIE6SXD2LP7REGZODU7WDC3I2D6MR37F4XSHBKX2");
  REQUIRE(dest);
  tx.operations.push_back({std::nullopt, Payment{*dest, {}, parse_amount("1000.0")}});
  const std::string expected =
      "AAAAAgAAAADL13HWIyocdKsZ7A7HM8Srqmv+uZWc+rI4xx3M8oedCQAAAMgAAAAAAAAAAQAAAAEAAAAAAAAwOQAAAAAAAN3VAAAAAgAAAAAAAABkAAAAAQ"
      "AAAAAAAAABAAAAANKYxYFXEWWR6TIJ6Vx6W/8SGy4dP2GLaND8yO/l5eRwAAAAAAAAAAJUC+QAAAAAAAAAAAHyh50JAAAAQCXOQnmno3he687bKRtD"
      "c6+BXRUf8t+RnTuHy+sKf35UjfFiQbIge+txehmg0N61JsFWfwbL0JtgOjzyeZw5JAs=";
  const Envelope env = sign_envelope(tx, kPublicNetPassphrase, source);
  // Ed25519 is deterministic: the same signature means the same hash was signed.
  CHECK(envelope_base64(env) == expected);
  const Envelope back = envelope_from_base64(expected);
  CHECK(back == env);
  CHECK(envelope_base64(back) == expected);
  CHECK(verify_signature(back.tx, kPublicNetPassphrase, source.public_key(), back.signatures.at(0)));
  CHECK_FALSE(verify_signature(back.tx, kTestNetPassphrase, source.public_key(), back.signatures.at(0)));
  const Bytes base = signature_base(tx, kPublicNetPassphrase);
  const Hash nid = network_id(kPublicNetPassphrase);
  CHECK(Bytes(base.begin(), base.begin() + 32) == Bytes(nid.begin(), nid.end()));
  const Hash h = transaction_hash(tx, kPublicNetPassphrase);
  CHECK(h == sha256(base.data(), base.size()));
}

TEST_CASE("network ids", "[stellar]") {
  // The well-known network ids (SHA-256 of the passphrases).
  const Hash t = network_id(kTestNetPassphrase);
  CHECK(to_hex(t.data(), t.size()) == "cee0302d59844d32bdca915c8203dd44b33fbb7edc19051ea37abedf28ecd472");
  const Hash p = network_id(kPublicNetPassphrase);
  CHECK(to_hex(p.data(), p.size()) == "7ac33997544e3175d266bd022439b22cdb16508c01163f26e5cb2a3e1045a979");
}

TEST_CASE("ChangeTrust, credit assets, memos, muxed sources round trip", "[stellar]") {
  const KeyPair k = KeyPair::from_secret("SD7X7LEHBNMUIKQGKPARG5TDJNBHKC346OUARHGZL5ITC6IJPXHILY36");
  const KeyPair issuer = KeyPair::from_secret("SCCS5ZBI7WVIJ4SW36WGOQQIWJYCL3VOAULSXX3FB57USIO25EDOYQHH");
  Transaction tx;
  tx.source = {k.public_key(), 42};
  tx.fee = 300;
  tx.seq_num = 123456789012345;
  tx.memo.type = Memo::Type::text;
  tx.memo.text = std::string(28, 'x');
  tx.operations.push_back({std::nullopt, ChangeTrust{Asset{"USD", issuer.public_key()}, parse_amount("922337203685.4775807")}});
  tx.operations.push_back({MuxedAccount{k.public_key(), std::nullopt}, Payment{{issuer.public_key(), 7}, Asset{"LONGASSET12", issuer.public_key()}, 1}});
  tx.operations.push_back({std::nullopt, Payment{{issuer.public_key(), {}}, Asset{"ABCD", issuer.public_key()}, 5}});
  const Envelope env = sign_envelope(tx, kTestNetPassphrase, k);
  const Bytes xdr = encode_envelope(env);
  CHECK(xdr.size() % 4 == 0);
  CHECK(decode_envelope(xdr) == env);
  CHECK(encode_envelope(decode_envelope(xdr)) == xdr);
  CHECK(verify_signature(tx, kTestNetPassphrase, k.public_key(), env.signatures[0]));

  tx.memo = Memo{};  // the fields of the other memo types stay at their defaults
  tx.memo.type = Memo::Type::hash;
  tx.memo.hash.fill(0xab);
  tx.time_bounds = TimeBounds{0, 0};
  const Envelope e2{tx, {}};
  CHECK(decode_envelope(encode_envelope(e2)) == e2);

  SECTION("refused") {
    Transaction bad = tx;
    bad.memo.type = Memo::Type::text;
    bad.memo.text = std::string(29, 'x');
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations.clear();
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations[0].body = ChangeTrust{Asset{}, 1};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations[0].body = Payment{{issuer.public_key(), {}}, Asset{"US$", issuer.public_key()}, 1};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations[0].body = Payment{{issuer.public_key(), {}}, Asset{}, 0};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    Bytes x = encode_envelope(e2);
    x.push_back(0);
    CHECK_THROWS_AS(decode_envelope(x), Error);
    x = encode_envelope(e2);
    x.pop_back();
    CHECK_THROWS_AS(decode_envelope(x), Error);
    x = encode_envelope(e2);
    x[3] = 0;  // ENVELOPE_TYPE_TX_V0
    CHECK_THROWS_AS(decode_envelope(x), Error);
  }
}

// The vector: @stellar/stellar-sdk 13.3.0 (tests/doubles/node_modules), TransactionBuilder with
// fee "100" per operation, Memo.id(2^64-1), timebounds {0, 1700000000},
// Operation.createAccount({destination, startingBalance: "1.5"}),
// Operation.manageData({name: "config.memo_required", value: "1"}),
// Operation.manageData({name: "x", value: null}), signed with SD7X7LEH... for TESTNET.
TEST_CASE("CreateAccount and ManageData, byte for byte against the Stellar SDK", "[stellar]") {
  const KeyPair k = KeyPair::from_secret("SD7X7LEHBNMUIKQGKPARG5TDJNBHKC346OUARHGZL5ITC6IJPXHILY36");
  const auto dest = decode_account_id("GDF5O4OWEMVBY5FLDHWA5RZTYSV2U276XGKZZ6VSHDDR3THSQ6OQS7UM");
  REQUIRE(dest);
  Transaction tx;
  tx.source = {k.public_key(), std::nullopt};
  tx.fee = 300;
  tx.seq_num = 123456789012345;
  tx.time_bounds = TimeBounds{0, 1700000000};
  tx.memo.type = Memo::Type::id;
  tx.memo.id = 18446744073709551615ULL;
  tx.operations.push_back({std::nullopt, CreateAccount{*dest, parse_amount("1.5")}});
  const std::string one = "1";
  tx.operations.push_back({std::nullopt, ManageData{"config.memo_required", Bytes(one.begin(), one.end())}});
  tx.operations.push_back({std::nullopt, ManageData{"x", std::nullopt}});
  const Envelope env = sign_envelope(tx, kTestNetPassphrase, k);
  const std::string sdk =
      "AAAAAgAAAADLCsBYwH5lCNIVJIhi83rr3Cd3sNljQYNrOEBcC/rRNAAAASwAAHBIhg3feQAAAAEAAAAAAAAAAAAAAABlU/EAAAAAAv//////////"
      "AAAAAwAAAAAAAAAAAAAAAMvXcdYjKhx0qxnsDsczxKuqa/65lZz6sjjHHczyh50JAAAAAADk4cAAAAAAAAAACgAAABRjb25maWcubWVtb19yZXF1"
      "aXJlZAAAAAEAAAABMQAAAAAAAAAAAAAKAAAAAXgAAAAAAAAAAAAAAAAAAAEL+tE0AAAAQHloB1NEVbOTy/gCjNzsOw2qzjfmW+kOHGQ72T5P2g6K"
      "9lZydvDmcEW1vvToCda1gwER8P3fOQ8t43kwQsfIRwQ=";
  CHECK(envelope_base64(env) == sdk);
  const Hash h = transaction_hash(tx, kTestNetPassphrase);
  CHECK(to_hex(h.data(), h.size()) == "27a11a73eaa0f19708dfe2cfbb7b5d20faad5df79b4f3ed6b59fac7462a8034f");
  CHECK(envelope_from_base64(sdk) == env);

  SECTION("refused") {
    Transaction bad = tx;
    bad.operations[0].body = CreateAccount{*dest, 0};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations[1].body = ManageData{"", std::nullopt};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations[1].body = ManageData{std::string(65, 'n'), std::nullopt};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    bad = tx;
    bad.operations[1].body = ManageData{"n", Bytes(65, 1)};
    CHECK_THROWS_AS(encode_transaction(bad), Error);
    CHECK_NOTHROW(encode_transaction(Transaction{tx.source, 100, 1, std::nullopt, Memo{},
                                                 {{std::nullopt, ManageData{std::string(64, 'n'), Bytes(64, 1)}}}}));
  }
}

TEST_CASE("amounts: exact decimal text and stroops", "[stellar]") {
  CHECK(parse_amount("1") == 10'000'000);
  CHECK(parse_amount("0.0000001") == 1);
  CHECK(parse_amount("12.3456789") == 123'456'789);
  CHECK(parse_amount("1000.0") == 10'000'000'000);
  CHECK(parse_amount("922337203685.4775807") == INT64_MAX);
  CHECK(format_amount(INT64_MAX) == "922337203685.4775807");
  CHECK(format_amount(0) == "0.0000000");
  CHECK(format_amount(123'456'789) == "12.3456789");
  for (const char* s : {"", ".5", "1.", "-1", "+1", "1.00000001", "922337203685.4775808", "1e7", " 1", "1,5",
                        "99999999999999999999", "1.2.3", "0x10"}) {
    INFO(s);
    CHECK_THROWS_AS(parse_amount(s), Error);
  }
  CHECK_THROWS_AS(format_amount(-1), Error);
}

TEST_CASE("base64 is canonical", "[stellar]") {
  CHECK(base64_encode(Bytes{'f', 'o', 'o', 'b'}) == "Zm9vYg==");
  CHECK(base64_decode("Zm9vYg==") == Bytes{'f', 'o', 'o', 'b'});
  CHECK_FALSE(base64_decode("Zm9vYh=="));  // non-zero padding bits
  CHECK_FALSE(base64_decode("Zm9vYg"));
  CHECK_FALSE(base64_decode("Zm9v\nYg=="));
  CHECK_FALSE(base64_decode("Zm=vYg=="));
  CHECK_THROWS_AS(envelope_from_base64("not base64!"), Error);
}
