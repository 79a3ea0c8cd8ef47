// parse_exact (common/json_exact.h), the reader of servers that write amounts as JSON
// numbers (Bitcoin Core), on any bytes.
// Invariants: it never throws; it accepts exactly what nlohmann's own parser accepts
// (within the depth limit); what it reads is nlohmann's document with every fractional
// number replaced by its source text, which parses back to the same double.

#include <cstdlib>
#include <string>

#include "common/json_exact.h"
#include "tests/fuzz/fuzz_support.h"

namespace {

std::size_t depth(const og::Json& j) {
  if (!j.is_structured()) return 0;
  std::size_t d = 0;
  for (const auto& v : j) d = std::max(d, depth(v));
  return d + 1;
}

// `exact` is `plain` with fractional numbers as text.
void same(const og::Json& plain, const og::Json& exact) {
  if (plain.is_number_float()) {
    FUZZ_CHECK(exact.is_string());
    const std::string& text = exact.get_ref<const std::string&>();
    FUZZ_CHECK_MSG(std::strtod(text.c_str(), nullptr) == plain.get<double>() ||
                       (plain.get<double>() != plain.get<double>()),
                   text);
    return;
  }
  FUZZ_CHECK(plain.type() == exact.type());
  if (plain.is_object()) {
    FUZZ_CHECK(plain.size() == exact.size());
    auto e = exact.begin();
    for (auto p = plain.begin(); p != plain.end(); ++p, ++e) {
      FUZZ_CHECK(p.key() == e.key());
      same(p.value(), e.value());
    }
  } else if (plain.is_array()) {
    FUZZ_CHECK(plain.size() == exact.size());
    for (std::size_t i = 0; i < plain.size(); ++i) same(plain[i], exact[i]);
  } else {
    FUZZ_CHECK(plain == exact);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::optional<og::Json> exact;
  try {
    exact = og::parse_exact(text, 64);
  } catch (...) {
    FUZZ_CHECK(!"parse_exact threw");
  }
  og::Json plain = og::Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (plain.is_discarded()) {
    FUZZ_CHECK(!exact);
    return 0;
  }
  if (depth(plain) > 64) {
    FUZZ_CHECK(!exact);
    return 0;
  }
  FUZZ_CHECK(exact);
  same(plain, *exact);
  return 0;
}
