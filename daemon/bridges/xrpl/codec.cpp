#include "daemon/bridges/xrpl/codec.h"

#include <algorithm>
#include <array>
#include <limits>

namespace og::xrpl {

namespace {

enum class Type : int {
  UInt16 = 1,
  UInt32 = 2,
  Hash128 = 4,
  Hash256 = 5,
  Amount = 6,
  Blob = 7,
  AccountID = 8,
  STObject = 14,
  STArray = 15,
  UInt8 = 16,
};

struct Field {
  std::string_view name;
  Type type;
  int nth;
  bool signing;  // isSigningField
};

// From ripple-binary-codec 2.11.0 dist/enums/definitions.json (FIELDS: type, nth,
// isSigningField; every one isSerialized; Blob and AccountID are VL-encoded).
constexpr Field kFields[] = {
    {"TransactionType", Type::UInt16, 2, true},
    {"NetworkID", Type::UInt32, 1, true},
    {"Flags", Type::UInt32, 2, true},
    {"SourceTag", Type::UInt32, 3, true},
    {"Sequence", Type::UInt32, 4, true},
    {"TransferRate", Type::UInt32, 11, true},
    {"DestinationTag", Type::UInt32, 14, true},
    {"QualityIn", Type::UInt32, 20, true},
    {"QualityOut", Type::UInt32, 21, true},
    {"OfferSequence", Type::UInt32, 25, true},
    {"LastLedgerSequence", Type::UInt32, 27, true},
    {"SetFlag", Type::UInt32, 33, true},
    {"ClearFlag", Type::UInt32, 34, true},
    {"TicketSequence", Type::UInt32, 41, true},
    {"EmailHash", Type::Hash128, 1, true},
    {"WalletLocator", Type::Hash256, 7, true},
    {"AccountTxnID", Type::Hash256, 9, true},
    {"InvoiceID", Type::Hash256, 17, true},
    {"Amount", Type::Amount, 1, true},
    {"LimitAmount", Type::Amount, 3, true},
    {"Fee", Type::Amount, 8, true},
    {"SendMax", Type::Amount, 9, true},
    {"DeliverMin", Type::Amount, 10, true},
    {"MessageKey", Type::Blob, 2, true},
    {"SigningPubKey", Type::Blob, 3, true},
    {"TxnSignature", Type::Blob, 4, false},
    {"Domain", Type::Blob, 7, true},
    {"MemoType", Type::Blob, 12, true},
    {"MemoData", Type::Blob, 13, true},
    {"MemoFormat", Type::Blob, 14, true},
    {"Account", Type::AccountID, 1, true},
    {"Destination", Type::AccountID, 3, true},
    {"Memo", Type::STObject, 10, true},
    {"Memos", Type::STArray, 9, true},
    {"TickSize", Type::UInt8, 16, true},
};

// TRANSACTION_TYPES of the same file: the types omnid signs.
struct TxType {
  std::string_view name;
  std::uint16_t code;
};
constexpr TxType kTxTypes[] = {{"Payment", 0}, {"AccountSet", 3}, {"TrustSet", 20}};

constexpr std::uint8_t kObjectEnd = 0xE1;  // ObjectEndMarker (STObject 14, nth 1)
constexpr std::uint8_t kArrayEnd = 0xF1;   // ArrayEndMarker (STArray 15, nth 1)
constexpr int kMaxDepth = 4;               // transaction -> Memos -> Memo: 3 levels
constexpr std::size_t kMaxVl = 918744;     // the largest length a 3-byte prefix can say
constexpr std::uint64_t kMaxDrops = 100'000'000'000'000'000ULL;  // 10^17
constexpr int kMinExponent = -96;
constexpr int kMaxExponent = 80;
constexpr std::uint64_t kMinMantissa = 1'000'000'000'000'000ULL;  // 10^15
constexpr std::uint64_t kMaxMantissa = 9'999'999'999'999'999ULL;  // 10^16 - 1

const Field* field_by_name(std::string_view name) {
  for (const Field& f : kFields)
    if (f.name == name) return &f;
  return nullptr;
}

const Field* field_by_code(int type, int nth) {
  for (const Field& f : kFields)
    if (static_cast<int>(f.type) == type && f.nth == nth) return &f;
  return nullptr;
}

// Canonical order: by type code, then field code.
bool field_less(const Field* a, const Field* b) {
  return static_cast<int>(a->type) != static_cast<int>(b->type) ? static_cast<int>(a->type) < static_cast<int>(b->type)
                                                                 : a->nth < b->nth;
}

[[noreturn]] void bad(std::string_view field, const std::string& why) {
  throw Error("xrpl: " + std::string(field) + ": " + why);
}

// ---- writing

void put_field_id(Bytes& out, const Field& f) {
  const int t = static_cast<int>(f.type);
  const int n = f.nth;
  if (t < 16 && n < 16) {
    out.push_back(static_cast<std::uint8_t>(t << 4 | n));
  } else if (t < 16) {
    out.push_back(static_cast<std::uint8_t>(t << 4));
    out.push_back(static_cast<std::uint8_t>(n));
  } else if (n < 16) {
    out.push_back(static_cast<std::uint8_t>(n));
    out.push_back(static_cast<std::uint8_t>(t));
  } else {
    out.push_back(0);
    out.push_back(static_cast<std::uint8_t>(t));
    out.push_back(static_cast<std::uint8_t>(n));
  }
}

void put_vl(Bytes& out, std::size_t len, std::string_view field) {
  if (len <= 192) {
    out.push_back(static_cast<std::uint8_t>(len));
  } else if (len <= 12480) {
    len -= 193;
    out.push_back(static_cast<std::uint8_t>(193 + (len >> 8)));
    out.push_back(static_cast<std::uint8_t>(len & 0xFF));
  } else if (len <= kMaxVl) {
    len -= 12481;
    out.push_back(static_cast<std::uint8_t>(241 + (len >> 16)));
    out.push_back(static_cast<std::uint8_t>((len >> 8) & 0xFF));
    out.push_back(static_cast<std::uint8_t>(len & 0xFF));
  } else {
    bad(field, "longer than 918744 bytes");
  }
}

void put_uint(Bytes& out, std::uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<std::uint8_t>((v >> (8 * i)) & 0xFF));
}

std::uint64_t json_uint(const Json& v, std::uint64_t max, std::string_view field) {
  if (v.is_number_unsigned()) {
    const auto x = v.get<std::uint64_t>();
    if (x <= max) return x;
  } else if (v.is_number_integer()) {
    const auto x = v.get<std::int64_t>();
    if (x >= 0 && static_cast<std::uint64_t>(x) <= max) return static_cast<std::uint64_t>(x);
  }
  bad(field, "expected an integer from 0 to " + std::to_string(max));
}

const std::string& json_string(const Json& v, std::string_view field) {
  if (!v.is_string()) bad(field, "expected a string");
  return v.get_ref<const std::string&>();
}

AccountId address(const Json& v, std::string_view field) {
  const std::string& s = json_string(v, field);
  if (auto id = decode_classic_address(s)) return *id;
  if (decode_x_address(s)) bad(field, "an X-address; give the classic address (and DestinationTag)");
  bad(field, "not a valid classic address");
}

std::array<std::uint8_t, 20> currency_code(const Json& v, std::string_view field) {
  const std::string& s = json_string(v, field);
  std::array<std::uint8_t, 20> out{};
  if (s.size() == 3) {
    // ripple-binary-codec's ISO_REGEX: letters, digits and ?!@#$%^&*(){}[]|
    static constexpr std::string_view kExtra = "?!@#$%^&*(){}[]|";
    for (char c : s) {
      const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      kExtra.find(c) != std::string_view::npos;
      if (!ok) bad(field, "currency code has a character that is not allowed");
    }
    if (s == "XRP") bad(field, "XRP is not an issued currency (give XRP as a string of drops)");
    std::copy(s.begin(), s.end(), out.begin() + 12);
    return out;
  }
  auto bytes = s.size() == 40 ? from_hex(s) : std::nullopt;
  if (!bytes) bad(field, "currency must be a 3-character code or 40 hex characters");
  std::copy(bytes->begin(), bytes->end(), out.begin());
  if (std::all_of(out.begin(), out.end(), [](std::uint8_t b) { return b == 0; }))
    bad(field, "currency 000...0 is XRP, not an issued currency");
  return out;
}

void put_amount(Bytes& out, const Json& v, std::string_view field) {
  if (v.is_string()) {
    std::uint64_t drops = 0;
    try {
      drops = parse_drops(v.get_ref<const std::string&>());
    } catch (const Error& e) {
      bad(field, e.what());
    }
    put_uint(out, drops | 0x4000000000000000ULL, 8);
    return;
  }
  if (field == "Fee") bad(field, "must be XRP (a string of drops)");
  if (!v.is_object() || v.size() != 3 || !v.contains("currency") || !v.contains("issuer") || !v.contains("value"))
    bad(field, "expected drops as a string or {currency, issuer, value}");
  IouValue iou;
  const std::string& value = json_string(v["value"], field);  // its own message: not re-wrapped
  try {
    iou = parse_iou_value(value);
  } catch (const Error& e) {
    bad(field, e.what());
  }
  const auto currency = currency_code(v["currency"], field);
  const AccountId issuer = address(v["issuer"], field);
  if (std::all_of(issuer.begin(), issuer.end(), [](std::uint8_t b) { return b == 0; }))
    bad(field, "the issuer cannot be account zero");
  std::uint64_t word = 0x8000000000000000ULL;  // not XRP
  if (iou.mantissa != 0) {
    if (!iou.negative) word |= 0x4000000000000000ULL;
    word |= static_cast<std::uint64_t>(iou.exponent + 97) << 54;
    word |= iou.mantissa;
  }
  put_uint(out, word, 8);
  out.insert(out.end(), currency.begin(), currency.end());
  out.insert(out.end(), issuer.begin(), issuer.end());
}

void put_object(Bytes& out, const Json& obj, bool for_signing, int depth);

void put_value(Bytes& out, const Field& f, const Json& v, bool for_signing, int depth) {
  switch (f.type) {
    case Type::UInt8:
      put_uint(out, json_uint(v, 0xFF, f.name), 1);
      return;
    case Type::UInt16: {  // TransactionType only
      const std::string& name = json_string(v, f.name);
      for (const TxType& t : kTxTypes)
        if (t.name == name) return put_uint(out, t.code, 2);
      bad(f.name, "unsupported transaction type '" + name.substr(0, 40) + "' (Payment, TrustSet, AccountSet)");
    }
    case Type::UInt32:
      put_uint(out, json_uint(v, 0xFFFFFFFFULL, f.name), 4);
      return;
    case Type::Hash128:
    case Type::Hash256: {
      const std::size_t n = f.type == Type::Hash128 ? 16 : 32;
      const std::string& s = json_string(v, f.name);
      auto bytes = s.size() == 2 * n ? from_hex(s) : std::nullopt;
      if (!bytes) bad(f.name, "expected " + std::to_string(2 * n) + " hex characters");
      out.insert(out.end(), bytes->begin(), bytes->end());
      return;
    }
    case Type::Amount:
      put_amount(out, v, f.name);
      return;
    case Type::Blob: {
      auto bytes = from_hex(json_string(v, f.name));
      if (!bytes) bad(f.name, "expected hex (an even number of hex characters)");
      put_vl(out, bytes->size(), f.name);
      out.insert(out.end(), bytes->begin(), bytes->end());
      return;
    }
    case Type::AccountID: {
      const AccountId id = address(v, f.name);
      put_vl(out, id.size(), f.name);
      out.insert(out.end(), id.begin(), id.end());
      return;
    }
    case Type::STObject:
      put_object(out, v, for_signing, depth + 1);
      out.push_back(kObjectEnd);
      return;
    case Type::STArray: {
      if (!v.is_array()) bad(f.name, "expected an array");
      for (const Json& element : v) {
        // Each element is {"Memo": {...}}: one key naming an STObject field.
        if (!element.is_object() || element.size() != 1) bad(f.name, "each element must be an object with one key");
        const Field* inner = field_by_name(element.begin().key());
        if (!inner || inner->type != Type::STObject) bad(f.name, "element is not a known object field");
        if (for_signing && !inner->signing) continue;
        put_field_id(out, *inner);
        put_value(out, *inner, element.begin().value(), for_signing, depth + 1);
      }
      out.push_back(kArrayEnd);
      return;
    }
  }
  bad(f.name, "unsupported type");
}

void put_object(Bytes& out, const Json& obj, bool for_signing, int depth) {
  if (depth > kMaxDepth) throw Error("xrpl: objects nested too deeply");
  if (!obj.is_object()) throw Error("xrpl: expected a JSON object");
  std::vector<std::pair<const Field*, const Json*>> fields;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const Field* f = field_by_name(it.key());
    if (!f) throw Error("xrpl: unknown or unsupported field '" + it.key().substr(0, 40) + "'");
    if (for_signing && !f->signing) continue;
    fields.emplace_back(f, &it.value());
  }
  std::sort(fields.begin(), fields.end(), [](const auto& a, const auto& b) { return field_less(a.first, b.first); });
  for (const auto& [f, v] : fields) {
    put_field_id(out, *f);
    put_value(out, *f, *v, for_signing, depth);
  }
}

// ---- reading

class Reader {
 public:
  explicit Reader(const Bytes& b) : b_(b) {}
  bool done() const { return pos_ == b_.size(); }
  std::uint8_t peek() const {
    if (done()) throw Error("xrpl: binary ends early");
    return b_[pos_];
  }
  std::uint8_t byte() {
    const std::uint8_t v = peek();
    ++pos_;
    return v;
  }
  Bytes take(std::size_t n) {
    if (n > b_.size() - pos_) throw Error("xrpl: binary ends early");
    Bytes out(b_.begin() + static_cast<std::ptrdiff_t>(pos_), b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return out;
  }
  std::uint64_t uint(int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i) v = v << 8 | byte();
    return v;
  }
  std::size_t vl() {
    const std::size_t b1 = byte();
    if (b1 <= 192) return b1;
    if (b1 <= 240) return 193 + (b1 - 193) * 256 + byte();
    if (b1 <= 254) {
      const std::size_t b2 = byte();
      return 12481 + (b1 - 241) * 65536 + b2 * 256 + byte();
    }
    throw Error("xrpl: bad length prefix");
  }
  // The type and field codes of a field id.
  std::pair<int, int> field_id() {
    const int b = byte();
    int type = b >> 4;
    int nth = b & 0x0F;
    if (type == 0) {
      type = byte();
      if (type < 16) throw Error("xrpl: non-canonical field id");
    }
    if (nth == 0) {
      nth = byte();
      if (nth < 16) throw Error("xrpl: non-canonical field id");
    }
    return {type, nth};
  }

 private:
  const Bytes& b_;
  std::size_t pos_ = 0;
};

Json read_amount(Reader& r, std::string_view field) {
  const std::uint64_t word = r.uint(8);
  if ((word & 0x8000000000000000ULL) == 0) {
    if (word & 0x2000000000000000ULL) bad(field, "MPT amounts are not supported");
    const std::uint64_t drops = word & 0x3FFFFFFFFFFFFFFFULL;
    if (drops > kMaxDrops) bad(field, "more than 10^17 drops");
    return (word & 0x4000000000000000ULL ? "" : "-") + std::to_string(drops);
  }
  IouValue v;
  if (word != 0x8000000000000000ULL) {
    v.negative = (word & 0x4000000000000000ULL) == 0;
    v.exponent = static_cast<int>((word >> 54) & 0xFF) - 97;
    v.mantissa = word & 0x003FFFFFFFFFFFFFULL;
    if (v.mantissa < kMinMantissa || v.mantissa > kMaxMantissa || v.exponent < kMinExponent || v.exponent > kMaxExponent)
      bad(field, "issued amount not normalized");
  }
  const Bytes currency = r.take(20);
  const Bytes issuer = r.take(20);
  Json out = Json::object();
  out["currency"] = [&]() -> std::string {
    // All zero: the XRP currency code, which ripple-binary-codec (and rippled) print as
    // "XRP" even inside an issued amount (one that encode refuses, as rippled does).
    if (std::all_of(currency.begin(), currency.end(), [](std::uint8_t b) { return b == 0; })) return "XRP";
    // A 3-character code when only bytes 12..14 are set and they are allowed characters.
    const bool standard = std::all_of(currency.begin(), currency.begin() + 12, [](std::uint8_t b) { return b == 0; }) &&
                          std::all_of(currency.begin() + 15, currency.end(), [](std::uint8_t b) { return b == 0; });
    if (standard) {
      std::string iso(currency.begin() + 12, currency.begin() + 15);
      static constexpr std::string_view kExtra = "?!@#$%^&*(){}[]|";
      const bool ok = std::all_of(iso.begin(), iso.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
               kExtra.find(c) != std::string_view::npos;
      });
      if (ok && iso != "XRP") return iso;
    }
    return to_hex(currency);
  }();
  AccountId id{};
  std::copy(issuer.begin(), issuer.end(), id.begin());
  out["issuer"] = encode_classic_address(id);
  out["value"] = format_iou_value(v);
  return out;
}

Json read_object(Reader& r, bool top, int depth);

Json read_value(Reader& r, const Field& f, int depth) {
  switch (f.type) {
    case Type::UInt8:
      return r.uint(1);
    case Type::UInt16: {
      const auto code = static_cast<std::uint16_t>(r.uint(2));
      for (const TxType& t : kTxTypes)
        if (t.code == code) return std::string(t.name);
      bad(f.name, "unsupported transaction type " + std::to_string(code));
    }
    case Type::UInt32:
      return r.uint(4);
    case Type::Hash128:
      return to_hex(r.take(16));
    case Type::Hash256:
      return to_hex(r.take(32));
    case Type::Amount:
      return read_amount(r, f.name);
    case Type::Blob:
      return to_hex(r.take(r.vl()));
    case Type::AccountID: {
      if (r.vl() != 20) bad(f.name, "account id must have 20 bytes");
      const Bytes b = r.take(20);
      AccountId id{};
      std::copy(b.begin(), b.end(), id.begin());
      return encode_classic_address(id);
    }
    case Type::STObject:
      return read_object(r, false, depth + 1);
    case Type::STArray: {
      Json arr = Json::array();
      while (r.peek() != kArrayEnd) {
        auto [type, nth] = r.field_id();
        const Field* inner = field_by_code(type, nth);
        if (!inner || inner->type != Type::STObject) bad(f.name, "element is not a known object field");
        Json element = Json::object();
        element[std::string(inner->name)] = read_value(r, *inner, depth + 1);
        arr.push_back(std::move(element));
      }
      r.byte();
      return arr;
    }
  }
  bad(f.name, "unsupported type");
}

Json read_object(Reader& r, bool top, int depth) {
  if (depth > kMaxDepth) throw Error("xrpl: objects nested too deeply");
  Json obj = Json::object();
  const Field* last = nullptr;
  while (top ? !r.done() : r.peek() != kObjectEnd) {
    auto [type, nth] = r.field_id();
    const Field* f = field_by_code(type, nth);
    if (!f) throw Error("xrpl: unknown field (type " + std::to_string(type) + ", field " + std::to_string(nth) + ")");
    if (last && !field_less(last, f)) throw Error("xrpl: fields not in canonical order");
    last = f;
    obj[std::string(f->name)] = read_value(r, *f, depth);
  }
  if (!top) r.byte();
  return obj;
}

Bytes with_prefix(std::uint32_t prefix, const Bytes& body) {
  Bytes out;
  out.reserve(4 + body.size());
  put_uint(out, prefix, 4);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

constexpr std::uint32_t kSigningPrefix = 0x53545800;  // "STX\0"
constexpr std::uint32_t kTxIdPrefix = 0x54584E00;     // "TXN\0"

}  // namespace

Bytes encode(const Json& tx, bool for_signing) {
  if (!tx.is_object()) throw Error("xrpl: a transaction is a JSON object");
  if (!tx.contains("TransactionType")) throw Error("xrpl: TransactionType is missing");
  Bytes out;
  put_object(out, tx, for_signing, 0);
  return out;
}

std::string encode_hex(const Json& tx, bool for_signing) { return to_hex(encode(tx, for_signing)); }

Bytes signing_data(const Json& tx) { return with_prefix(kSigningPrefix, encode(tx, true)); }
std::string signing_hex(const Json& tx) { return to_hex(signing_data(tx)); }

Json decode(const Bytes& blob) {
  Reader r(blob);
  Json tx = read_object(r, true, 0);
  if (!tx.contains("TransactionType")) throw Error("xrpl: TransactionType is missing");
  return tx;
}

std::string transaction_hash(const Bytes& signed_blob) {
  const Hash256 h = sha512_half(with_prefix(kTxIdPrefix, signed_blob));
  return to_hex(h.data(), h.size());
}

Signed sign(Json tx, const KeyPair& key) {
  if (!tx.is_object()) throw Error("xrpl: a transaction is a JSON object");
  for (const char* required : {"TransactionType", "Account", "Fee", "Sequence"})
    if (!tx.contains(required)) throw Error(std::string("xrpl: ") + required + " is missing");
  tx.erase("TxnSignature");
  tx["SigningPubKey"] = to_hex(key.public_key);
  const Bytes signature = sign_message(key, signing_data(tx));
  // A signature that does not verify is never handed out (a fault here moves no money).
  if (!verify_message(key.public_key, signing_data(tx), signature)) throw Error("xrpl: the signature does not verify");
  tx["TxnSignature"] = to_hex(signature);
  Signed out;
  const Bytes blob = encode(tx, false);
  out.blob_hex = to_hex(blob);
  out.hash = transaction_hash(blob);
  out.tx = std::move(tx);
  return out;
}

bool verify_transaction(const Bytes& signed_blob) {
  try {
    Json tx = decode(signed_blob);
    if (!tx.contains("SigningPubKey") || !tx.contains("TxnSignature")) return false;
    auto pub = from_hex(tx["SigningPubKey"].get<std::string>());
    auto sig = from_hex(tx["TxnSignature"].get<std::string>());
    if (!pub || !sig) return false;
    // The signed form must be the canonical encoding of what it decodes to.
    if (encode(tx, false) != signed_blob) return false;
    return verify_message(*pub, signing_data(tx), *sig);
  } catch (const Error&) {
    return false;
  }
}

std::uint64_t parse_drops(std::string_view text) {
  if (text.empty() || text.size() > 18 || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    throw Error("XRP must be a whole number of drops (digits only, no sign, no fraction)");
  if (text.size() > 1 && text[0] == '0') throw Error("XRP drops with a leading zero");
  std::uint64_t v = 0;
  for (char c : text) v = v * 10 + static_cast<std::uint64_t>(c - '0');  // 18 digits fit
  if (v > kMaxDrops) throw Error("more than 10^17 drops");
  return v;
}

IouValue parse_iou_value(std::string_view text) {
  // [-+]? digits ( . digits )? ( [eE] [-+]? digits )?
  if (text.empty() || text.size() > 200) throw Error("issued value: empty or too long");
  std::size_t i = 0;
  IouValue v;
  if (text[i] == '-' || text[i] == '+') v.negative = text[i++] == '-';
  std::string digits;
  long exp10 = 0;
  auto is_digit = [&](std::size_t k) { return k < text.size() && text[k] >= '0' && text[k] <= '9'; };
  if (!is_digit(i)) throw Error("issued value: not a decimal number");
  while (is_digit(i)) digits.push_back(text[i++]);
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!is_digit(i)) throw Error("issued value: not a decimal number");
    while (is_digit(i)) {
      digits.push_back(text[i++]);
      --exp10;
    }
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool neg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
    if (!is_digit(i)) throw Error("issued value: not a decimal number");
    long e = 0;
    while (is_digit(i)) {
      e = std::min(e * 10 + (text[i++] - '0'), 1'000'000L);  // saturate: far out of range anyway
    }
    exp10 += neg ? -e : e;
  }
  if (i != text.size()) throw Error("issued value: not a decimal number");
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return IouValue{};  // zero (any sign, any exponent)
  digits.erase(0, first);
  while (digits.back() == '0') {
    digits.pop_back();
    ++exp10;
  }
  if (digits.size() > 16) throw Error("issued value has more than 16 significant digits: not exactly representable");
  std::uint64_t m = 0;
  for (char c : digits) m = m * 10 + static_cast<std::uint64_t>(c - '0');
  long e = exp10;
  for (std::size_t k = digits.size(); k < 16; ++k) {
    m *= 10;
    --e;
  }
  if (e < kMinExponent || e > kMaxExponent) throw Error("issued value out of range (exponent beyond -96..80)");
  v.mantissa = m;
  v.exponent = static_cast<int>(e);
  return v;
}

std::string format_iou_value(const IouValue& v) {
  if (v.mantissa == 0) return "0";
  std::string digits = std::to_string(v.mantissa);
  int e = v.exponent;
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++e;
  }
  std::string out = v.negative ? "-" : "";
  const long n = static_cast<long>(digits.size());
  if (e >= 0) {
    out += digits + std::string(static_cast<std::size_t>(e), '0');
  } else if (-e < n) {
    out += digits.substr(0, static_cast<std::size_t>(n + e)) + "." + digits.substr(static_cast<std::size_t>(n + e));
  } else {
    out += "0." + std::string(static_cast<std::size_t>(-e - n), '0') + digits;
  }
  return out;
}

}  // namespace og::xrpl
