// Identifier formats and the other text formats a request's values are checked against:
// ids (common/ids.h), the API key shape (daemon/http/auth.h), validation's format checks
// (common/validation.h) through check_value for every catalog::Format, and the password
// policy. Invariants: an id that is valid is of exactly its kind and formats back to
// itself; an API key's hash ignores case; UTF-8 length never exceeds the byte length.

#include <algorithm>
#include <cctype>
#include <cstring>
#include <stdexcept>

#include "common/catalog/catalog.h"
#include "common/ids.h"
#include "common/json.h"
#include "common/password.h"
#include "common/validation.h"
#include "daemon/http/auth.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

constexpr std::uint64_t kIdSpace = 10'000'000'000'000'000ULL;

void check_ids(std::string_view s) {
  auto kind = og::id_kind_of(s);
  int valid_kinds = 0;
  for (og::IdKind k : og::kAllIdKinds) {
    const bool valid = og::is_valid_id(k, s);
    auto number = og::id_number(k, s);
    FUZZ_CHECK(valid == number.has_value());
    if (!valid) continue;
    ++valid_kinds;
    FUZZ_CHECK(kind && *kind == k);
    FUZZ_CHECK(s.size() == og::kIdLength && s.substr(0, 4) == og::prefix(k));
    FUZZ_CHECK(*number < kIdSpace);
    FUZZ_CHECK(og::format_id(k, *number) == s);
  }
  FUZZ_CHECK(valid_kinds == (kind ? 1 : 0));
}

void check_numbers(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return;
  std::uint64_t n = 0;
  std::memcpy(&n, data, 8);
  for (og::IdKind k : og::kAllIdKinds) {
    if (n < kIdSpace) {
      std::string id = og::format_id(k, n);
      FUZZ_CHECK(og::is_valid_id(k, id) && og::id_number(k, id) == n && og::id_kind_of(id) == k);
    } else {
      bool threw = false;
      try {
        (void)og::format_id(k, n);
      } catch (const std::out_of_range&) {
        threw = true;
      }
      FUZZ_CHECK(threw);
    }
  }
  auto drawn = og::ids_detail::id_number_from_draw(n);
  if (drawn) FUZZ_CHECK(*drawn < kIdSpace && *drawn == n % kIdSpace);
}

void check_api_key(std::string_view s) {
  const bool shape = s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
                       return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                     });
  FUZZ_CHECK(og::http::looks_like_api_key(s) == shape);
  if (shape) {
    std::string upper(s), lower(s);
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string h = og::http::api_key_hash_hex(s);
    FUZZ_CHECK(h.size() == 64 && h == og::http::api_key_hash_hex(upper) && h == og::http::api_key_hash_hex(lower));
  }
}

void check_formats(std::string_view s) {
  using og::catalog::Format;
  const std::string text(s);
  const bool utf8 = og::validation::is_valid_utf8(s);
  if (utf8) FUZZ_CHECK(og::validation::utf8_length(s) <= s.size());
  if (og::validation::is_date(s)) FUZZ_CHECK(s.size() == 10);
  if (og::validation::is_email(s)) FUZZ_CHECK(s.find('@') != std::string_view::npos && utf8);
  if (og::validation::is_url(s)) FUZZ_CHECK(s.starts_with("http://") || s.starts_with("https://"));
  if (og::validation::is_currency(s)) FUZZ_CHECK(s.size() >= 3);
  (void)og::validation::is_timezone(s);

  // Every format, as a string parameter with and without length bounds (check_value
  // assumes the JSON type is already the parameter's: strings for string parameters).
  static constexpr Format kFormats[] = {
      Format::None, Format::Upid, Format::Uuid, Format::Waid, Format::Txid, Format::Akid,
      Format::Prid, Format::Ntid, Format::Fsid, Format::Email, Format::Url, Format::Amount,
      Format::Date, Format::Language, Format::Country, Format::Timezone, Format::CurrencyCode,
      Format::Currency, Format::Digits, Format::Hex32, Format::Jwt, Format::Password};
  for (Format f : kFormats) {
    og::catalog::Param p = og::catalog::P("fuzzed").fmt(f);
    auto e1 = og::validation::check_value(p, og::Json(text));
    og::catalog::Param bounded = og::catalog::P("fuzzed").len(1, 64).fmt(f);
    auto e2 = og::validation::check_value(bounded, og::Json(text));
    if (!utf8) FUZZ_CHECK(e1 && e2);  // never accepted as text
    if (!e2) FUZZ_CHECK(!e1);         // bounds only add refusals
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view s = og::fuzz::as_text(data, size);
  check_ids(s);
  check_numbers(data, size);
  check_api_key(s);
  check_formats(s);
  (void)og::password::policy_violation(s);
  (void)og::password::needs_rehash(s);
  return 0;
}
