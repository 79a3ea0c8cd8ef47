// Identifier formats and the other text formats a request's values are checked against:
// ids (common/ids.h), the API key shape (daemon/http/auth.h), validation's format checks
// (common/validation.h) through check_value for every catalog::Format, the password
// policy, OAuth redirect URIs (daemon/modules/omnipass/oauth.h), and e-mail addresses and
// messages (daemon/mail/mailer.h: the input's lines as recipient, subject, sender, text).
// Invariants: an id that is valid is of exactly its kind and formats back to itself; an
// API key's hash ignores case; UTF-8 length never exceeds the byte length; an http(s)
// redirect URI accepted is a URL accepted; a message that formats has only its own header
// lines (no injection) and CRLF line ends only.

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
#include "daemon/mail/mailer.h"
#include "daemon/modules/omnipass/oauth.h"
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

void check_urls(std::string_view s) {
  namespace oauth = og::omnipass::oauth;
  std::string why;
  const bool redirect = oauth::valid_redirect_uri(s, &why);
  FUZZ_CHECK(redirect == why.empty());
  const bool http = oauth::valid_http_url(s);
  if (http) FUZZ_CHECK(og::validation::is_url(s));
  if (redirect && (s.starts_with("http:") || s.starts_with("https:"))) FUZZ_CHECK(http);
}

void check_mail(std::string_view input) {
  namespace mail = og::mail;
  std::string_view rest = input;
  mail::Message m;
  m.to = std::string(og::fuzz::take_line(rest));
  m.subject = std::string(og::fuzz::take_line(rest));
  std::string from(og::fuzz::take_line(rest));
  m.text = std::string(rest);
  if (mail::valid_address(m.to)) FUZZ_CHECK(m.to.find_first_of("\r\n <>\"") == std::string::npos);
  for (const std::string& sender : {std::string("Omnigate <noreply@omnigate.local>"), from}) {
    std::string out;
    try {
      out = mail::format_message(m, sender);
    } catch (const mail::MailError& e) {
      FUZZ_CHECK(e.kind() == mail::MailError::Kind::Invalid);
      continue;
    }
    FUZZ_CHECK(mail::valid_address(m.to));
    // CRLF only, and the message ends with one.
    FUZZ_CHECK(out.size() >= 2 && out.ends_with("\r\n"));
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out[i] == '\n') FUZZ_CHECK_MSG(i > 0 && out[i - 1] == '\r', out);
      if (out[i] == '\r') FUZZ_CHECK_MSG(i + 1 < out.size() && out[i + 1] == '\n', out);
    }
    // The header section: its own fields, each once, and folded lines; nothing else.
    const std::size_t end = out.find("\r\n\r\n");
    FUZZ_CHECK(end != std::string::npos);
    static constexpr std::string_view kFields[] = {"Date: ", "From: ", "To: ", "Subject: ", "Message-ID: ",
                                                   "Auto-Submitted: ", "MIME-Version: ", "Content-Type: ",
                                                   "Content-Transfer-Encoding: "};
    std::size_t fields = 0;
    std::string_view header(out.data(), end + 2);
    while (!header.empty()) {
      std::size_t eol = header.find("\r\n");
      std::string_view line = header.substr(0, eol);
      header.remove_prefix(eol + 2);
      if (!line.empty() && (line.front() == ' ' || line.front() == '\t')) continue;  // folded
      FUZZ_CHECK_MSG(fields < std::size(kFields) && line.starts_with(kFields[fields]), std::string(line));
      ++fields;
    }
    FUZZ_CHECK(fields == std::size(kFields));
    FUZZ_CHECK(out.find("\r\nTo: " + m.to + "\r\n") != std::string::npos);
    // The body is quoted-printable: lines of at most 76 characters.
    std::string_view body(out.data() + end + 4, out.size() - end - 4);
    while (!body.empty()) {
      std::size_t eol = body.find("\r\n");
      FUZZ_CHECK(eol <= 76);
      body.remove_prefix(eol + 2);
    }
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
  check_urls(s);
  check_mail(s);
  return 0;
}
