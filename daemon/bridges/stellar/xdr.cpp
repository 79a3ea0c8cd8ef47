#include "daemon/bridges/stellar/xdr.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <limits>

namespace og::stellar {

namespace {

constexpr std::int32_t kEnvelopeTypeTx = 2;
constexpr std::int32_t kKeyTypeEd25519 = 0, kKeyTypeMuxedEd25519 = 0x100;
constexpr std::int32_t kPrecondNone = 0, kPrecondTime = 1;
constexpr std::int32_t kOpCreateAccount = 0, kOpPayment = 1, kOpChangeTrust = 6, kOpManageData = 10;
constexpr std::size_t kMaxDataName = 64, kMaxDataValue = 64;
constexpr std::int32_t kAssetNative = 0, kAsset4 = 1, kAsset12 = 2;
constexpr std::size_t kMaxOperations = 100, kMaxSignatures = 20, kMaxMemoText = 28;

bool alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

void check_asset(const Asset& a) {
  if (a.code.size() > 12) throw Error("stellar: asset code longer than 12 characters");
  for (char c : a.code)
    if (!alnum(c)) throw Error("stellar: asset code with a character outside [A-Za-z0-9]");
}

void check(const Transaction& tx) {
  if (tx.operations.empty() || tx.operations.size() > kMaxOperations)
    throw Error("stellar: a transaction has 1 to 100 operations");
  if (tx.seq_num < 0) throw Error("stellar: negative sequence number");
  if (tx.memo.type == Memo::Type::text && tx.memo.text.size() > kMaxMemoText)
    throw Error("stellar: MEMO_TEXT longer than 28 bytes");
  for (const auto& op : tx.operations) {
    if (const auto* p = std::get_if<Payment>(&op.body)) {
      check_asset(p->asset);
      if (p->amount <= 0) throw Error("stellar: a payment's amount must be positive");
    } else if (const auto* c = std::get_if<ChangeTrust>(&op.body)) {
      check_asset(c->line);
      if (c->line.native()) throw Error("stellar: no trust line to the native asset");
      if (c->limit < 0) throw Error("stellar: negative trust line limit");
    } else if (const auto* a = std::get_if<CreateAccount>(&op.body)) {
      if (a->starting_balance <= 0) throw Error("stellar: a created account's starting balance must be positive");
    } else {
      const auto& d = std::get<ManageData>(op.body);
      if (d.name.empty() || d.name.size() > kMaxDataName) throw Error("stellar: a data entry's name has 1 to 64 bytes");
      if (d.value && d.value->size() > kMaxDataValue) throw Error("stellar: a data entry's value has at most 64 bytes");
    }
  }
}

class Writer {
 public:
  void u32(std::uint32_t v) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void u64(std::uint64_t v) {
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void fixed(const std::uint8_t* d, std::size_t n) {
    out.insert(out.end(), d, d + n);
    while (out.size() % 4) out.push_back(0);
  }
  void var(const std::uint8_t* d, std::size_t n) {
    u32(static_cast<std::uint32_t>(n));
    fixed(d, n);
  }
  void account_id(const PublicKey& k) {
    i32(kKeyTypeEd25519);
    fixed(k.data(), k.size());
  }
  void muxed(const MuxedAccount& m) {
    if (m.id) {
      i32(kKeyTypeMuxedEd25519);
      u64(*m.id);
    } else {
      i32(kKeyTypeEd25519);
    }
    fixed(m.key.data(), m.key.size());
  }
  void asset(const Asset& a) {
    if (a.native()) return i32(kAssetNative);
    const bool four = a.code.size() <= 4;
    i32(four ? kAsset4 : kAsset12);
    std::array<std::uint8_t, 12> code{};
    std::copy(a.code.begin(), a.code.end(), code.begin());
    fixed(code.data(), four ? 4 : 12);
    account_id(a.issuer);
  }
  void transaction(const Transaction& tx) {
    check(tx);
    muxed(tx.source);
    u32(tx.fee);
    i64(tx.seq_num);
    if (tx.time_bounds) {
      i32(kPrecondTime);
      u64(tx.time_bounds->min_time);
      u64(tx.time_bounds->max_time);
    } else {
      i32(kPrecondNone);
    }
    i32(static_cast<std::int32_t>(tx.memo.type));
    switch (tx.memo.type) {
      case Memo::Type::none: break;
      case Memo::Type::text: var(reinterpret_cast<const std::uint8_t*>(tx.memo.text.data()), tx.memo.text.size()); break;
      case Memo::Type::id: u64(tx.memo.id); break;
      case Memo::Type::hash: fixed(tx.memo.hash.data(), tx.memo.hash.size()); break;
    }
    u32(static_cast<std::uint32_t>(tx.operations.size()));
    for (const auto& op : tx.operations) {
      u32(op.source ? 1 : 0);
      if (op.source) muxed(*op.source);
      if (const auto* p = std::get_if<Payment>(&op.body)) {
        i32(kOpPayment);
        muxed(p->destination);
        asset(p->asset);
        i64(p->amount);
      } else if (const auto* c = std::get_if<ChangeTrust>(&op.body)) {
        i32(kOpChangeTrust);
        asset(c->line);
        i64(c->limit);
      } else if (const auto* a = std::get_if<CreateAccount>(&op.body)) {
        i32(kOpCreateAccount);
        account_id(a->destination);
        i64(a->starting_balance);
      } else {
        const auto& d = std::get<ManageData>(op.body);
        i32(kOpManageData);
        var(reinterpret_cast<const std::uint8_t*>(d.name.data()), d.name.size());
        u32(d.value ? 1 : 0);
        if (d.value) var(d.value->data(), d.value->size());
      }
    }
    i32(0);  // ext v0
  }
  Bytes out;
};

class Reader {
 public:
  explicit Reader(const Bytes& b) : b_(b) {}
  void need(std::size_t n) const {
    if (b_.size() - pos_ < n) throw Error("stellar: XDR ends early");
  }
  std::uint32_t u32() {
    need(4);
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | b_[pos_++];
    return v;
  }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  std::uint64_t u64() {
    const std::uint64_t hi = u32();
    return (hi << 32) | u32();
  }
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  void fixed(std::uint8_t* d, std::size_t n) {
    const std::size_t padded = (n + 3) / 4 * 4;
    need(padded);
    std::copy(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n), d);
    for (std::size_t i = n; i < padded; ++i)
      if (b_[pos_ + i] != 0) throw Error("stellar: XDR padding that is not zero");
    pos_ += padded;
  }
  Bytes var(std::size_t max) {
    const std::uint32_t n = u32();
    if (n > max) throw Error("stellar: XDR variable-length field too long");
    Bytes d(n);
    fixed(d.data(), n);
    return d;
  }
  PublicKey account_id() {
    if (i32() != kKeyTypeEd25519) throw Error("stellar: unsupported public key type");
    PublicKey k{};
    fixed(k.data(), k.size());
    return k;
  }
  MuxedAccount muxed() {
    MuxedAccount m;
    const std::int32_t t = i32();
    if (t == kKeyTypeMuxedEd25519) m.id = u64();
    else if (t != kKeyTypeEd25519) throw Error("stellar: unsupported muxed account type");
    fixed(m.key.data(), m.key.size());
    return m;
  }
  Asset asset() {
    const std::int32_t t = i32();
    Asset a;
    if (t == kAssetNative) return a;
    if (t != kAsset4 && t != kAsset12) throw Error("stellar: unsupported asset type");
    std::array<std::uint8_t, 12> code{};
    const std::size_t n = t == kAsset4 ? 4 : 12;
    fixed(code.data(), n);
    std::size_t len = 0;
    while (len < n && code[len] != 0) ++len;
    for (std::size_t i = len; i < n; ++i)
      if (code[i] != 0) throw Error("stellar: asset code with a zero byte inside");
    if (t == kAsset4 ? len < 1 : len < 5) throw Error("stellar: asset code too short for its type");
    a.code.assign(code.begin(), code.begin() + static_cast<std::ptrdiff_t>(len));
    a.issuer = account_id();
    check_asset(a);
    return a;
  }
  Transaction transaction() {
    Transaction tx;
    tx.source = muxed();
    tx.fee = u32();
    tx.seq_num = i64();
    const std::int32_t cond = i32();
    if (cond == kPrecondTime) tx.time_bounds = TimeBounds{u64(), 0};
    if (cond == kPrecondTime) tx.time_bounds->max_time = u64();
    else if (cond != kPrecondNone) throw Error("stellar: unsupported preconditions");
    const std::int32_t memo = i32();
    if (memo < 0 || memo > 3) throw Error("stellar: unsupported memo type");
    tx.memo.type = static_cast<Memo::Type>(memo);
    switch (tx.memo.type) {
      case Memo::Type::none: break;
      case Memo::Type::text: {
        Bytes t = var(kMaxMemoText);
        tx.memo.text.assign(t.begin(), t.end());
        break;
      }
      case Memo::Type::id: tx.memo.id = u64(); break;
      case Memo::Type::hash: fixed(tx.memo.hash.data(), tx.memo.hash.size()); break;
    }
    const std::uint32_t n = u32();
    if (n == 0 || n > kMaxOperations) throw Error("stellar: a transaction has 1 to 100 operations");
    for (std::uint32_t i = 0; i < n; ++i) {
      Operation op;
      const std::uint32_t present = u32();
      if (present > 1) throw Error("stellar: XDR optional flag that is not 0 or 1");
      if (present) op.source = muxed();
      const std::int32_t type = i32();
      if (type == kOpPayment) {
        Payment p;
        p.destination = muxed();
        p.asset = asset();
        p.amount = i64();
        op.body = p;
      } else if (type == kOpChangeTrust) {
        ChangeTrust c;
        c.line = asset();
        c.limit = i64();
        op.body = c;
      } else if (type == kOpCreateAccount) {
        CreateAccount a;
        a.destination = account_id();
        a.starting_balance = i64();
        op.body = a;
      } else if (type == kOpManageData) {
        ManageData d;
        Bytes name = var(kMaxDataName);
        d.name.assign(name.begin(), name.end());
        const std::uint32_t has_value = u32();
        if (has_value > 1) throw Error("stellar: XDR optional flag that is not 0 or 1");
        if (has_value) d.value = var(kMaxDataValue);
        op.body = std::move(d);
      } else {
        throw Error("stellar: unsupported operation type " + std::to_string(type));
      }
      tx.operations.push_back(std::move(op));
    }
    if (i32() != 0) throw Error("stellar: unsupported transaction ext");
    check(tx);
    return tx;
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  const Bytes& b_;
  std::size_t pos_ = 0;
};

}  // namespace

Bytes encode_transaction(const Transaction& tx) {
  Writer w;
  w.transaction(tx);
  return std::move(w.out);
}

Bytes encode_envelope(const Envelope& e) {
  if (e.signatures.size() > kMaxSignatures) throw Error("stellar: more than 20 signatures");
  Writer w;
  w.i32(kEnvelopeTypeTx);
  w.transaction(e.tx);
  w.u32(static_cast<std::uint32_t>(e.signatures.size()));
  for (const auto& s : e.signatures) {
    if (s.signature.size() > 64) throw Error("stellar: a signature longer than 64 bytes");
    w.fixed(s.hint.data(), s.hint.size());
    w.var(s.signature.data(), s.signature.size());
  }
  return std::move(w.out);
}

Envelope decode_envelope(const Bytes& xdr) {
  Reader r(xdr);
  if (r.i32() != kEnvelopeTypeTx) throw Error("stellar: not an ENVELOPE_TYPE_TX envelope");
  Envelope e;
  e.tx = r.transaction();
  const std::uint32_t n = r.u32();
  if (n > kMaxSignatures) throw Error("stellar: more than 20 signatures");
  for (std::uint32_t i = 0; i < n; ++i) {
    DecoratedSignature s;
    r.fixed(s.hint.data(), s.hint.size());
    s.signature = r.var(64);
    e.signatures.push_back(std::move(s));
  }
  if (!r.done()) throw Error("stellar: bytes after the envelope");
  return e;
}

Hash sha256(const std::uint8_t* data, std::size_t size) {
  Hash h{};
  SHA256(data, size, h.data());
  return h;
}

Hash network_id(std::string_view passphrase) {
  return sha256(reinterpret_cast<const std::uint8_t*>(passphrase.data()), passphrase.size());
}

Bytes signature_base(const Transaction& tx, std::string_view passphrase) {
  const Hash id = network_id(passphrase);
  Writer w;
  w.out.assign(id.begin(), id.end());
  w.i32(kEnvelopeTypeTx);
  w.transaction(tx);
  return std::move(w.out);
}

Hash transaction_hash(const Transaction& tx, std::string_view passphrase) {
  const Bytes base = signature_base(tx, passphrase);
  return sha256(base.data(), base.size());
}

DecoratedSignature sign(const Transaction& tx, std::string_view passphrase, const KeyPair& key) {
  const Hash h = transaction_hash(tx, passphrase);
  const Signature sig = key.sign(h.data(), h.size());
  DecoratedSignature d;
  std::copy(key.public_key().end() - 4, key.public_key().end(), d.hint.begin());
  d.signature.assign(sig.begin(), sig.end());
  return d;
}

Envelope sign_envelope(const Transaction& tx, std::string_view passphrase, const KeyPair& key) {
  return Envelope{tx, {sign(tx, passphrase, key)}};
}

bool verify_signature(const Transaction& tx, std::string_view passphrase, const PublicKey& key,
                      const DecoratedSignature& sig) {
  if (!std::equal(sig.hint.begin(), sig.hint.end(), key.end() - 4)) return false;
  const Hash h = transaction_hash(tx, passphrase);
  return verify(key, h.data(), h.size(), sig.signature.data(), sig.signature.size());
}

std::string base64_encode(const Bytes& b) {
  std::string out(4 * ((b.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), b.data(), static_cast<int>(b.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0 || text.size() > (1u << 24)) return std::nullopt;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const bool ok = alnum(c) || c == '+' || c == '/' || (c == '=' && i + 2 >= text.size());
    if (!ok) return std::nullopt;
  }
  Bytes out(text.size() / 4 * 3);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  if (!text.empty() && text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  if (pad == 1 && text.size() > 1 && text[text.size() - 2] == '=') return std::nullopt;
  out.resize(static_cast<std::size_t>(n) - pad);
  if (base64_encode(out) != text) return std::nullopt;  // canonical only (padding bits zero)
  return out;
}

std::string envelope_base64(const Envelope& e) { return base64_encode(encode_envelope(e)); }

Envelope envelope_from_base64(std::string_view text) {
  auto b = base64_decode(text);
  if (!b) throw Error("stellar: envelope is not canonical base64");
  return decode_envelope(*b);
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < size; ++i) {
    s.push_back(kHex[data[i] >> 4]);
    s.push_back(kHex[data[i] & 15]);
  }
  return s;
}

std::int64_t parse_amount(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 19) throw Error("stellar: not an amount");
  if (dot != std::string_view::npos && (frac.empty() || frac.size() > 7))
    throw Error("stellar: an amount has 1 to 7 decimals after its point");
  constexpr std::uint64_t kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  std::uint64_t v = 0;
  for (char c : whole) {
    if (c < '0' || c > '9') throw Error("stellar: not an amount");
    v = v * 10 + static_cast<std::uint64_t>(c - '0');  // 19 digits fit in uint64
  }
  if (v > kMax / kStroopsPerUnit) throw Error("stellar: amount too large");
  v *= kStroopsPerUnit;
  std::uint64_t f = 0;
  for (std::size_t i = 0; i < 7; ++i) {
    char c = i < frac.size() ? frac[i] : '0';
    if (c < '0' || c > '9') throw Error("stellar: not an amount");
    f = f * 10 + static_cast<std::uint64_t>(c - '0');
  }
  if (v > kMax - f) throw Error("stellar: amount too large");
  return static_cast<std::int64_t>(v + f);
}

std::string format_amount(std::int64_t stroops) {
  if (stroops < 0) throw Error("stellar: negative amount");
  const auto u = static_cast<std::uint64_t>(stroops);
  std::string frac = std::to_string(u % kStroopsPerUnit);
  return std::to_string(u / kStroopsPerUnit) + "." + std::string(7 - frac.size(), '0') + frac;
}

}  // namespace og::stellar
