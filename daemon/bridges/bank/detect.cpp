// Which parser reads a file, from its content alone.

#include "daemon/bridges/bank/statement.h"
#include "daemon/bridges/bank/util.h"

namespace og::bridges::bank {

namespace {
bool contains(std::string_view s, std::string_view what) { return s.find(what) != std::string_view::npos; }
}  // namespace

Format detect(std::string_view bytes) {
  // A UTF-8 byte order mark and leading blanks say nothing.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  const std::string_view t = detail::trim(bytes);
  const std::string_view head = t.substr(0, 4096);
  if (head.rfind("OFXHEADER:", 0) == 0) return Format::Ofx1;
  if (head.rfind("<", 0) == 0) {
    if (contains(head, "<?OFX") || contains(head, "<OFX>")) return Format::Ofx2;
    if (contains(head, "urn:iso:std:iso:20022:tech:xsd:camt.053.")) return Format::Camt053;
    if (contains(head, "urn:iso:std:iso:20022:tech:xsd:camt.054.")) return Format::Camt054;
    return Format::Unknown;
  }
  if (t.rfind("01,", 0) == 0) return Format::Bai2;
  if (contains(head, ":20:") && (contains(t, ":60F:") || contains(t, ":60M:"))) return Format::Mt940;
  return Format::Unknown;
}

ParseResult parse_statements(std::string_view bytes) {
  try {
    switch (detect(bytes)) {
      case Format::Camt053:
      case Format::Camt054:
        return parse_camt(bytes);
      case Format::Mt940:
        return parse_mt940(bytes);
      case Format::Bai2:
        return parse_bai2(bytes);
      case Format::Ofx1:
      case Format::Ofx2:
        return parse_ofx(bytes);
      case Format::Unknown:
        break;
    }
    return {{}, bytes.empty() ? "empty file" : "unknown format (not camt.053/054, MT940, BAI2 or OFX)"};
  } catch (const std::exception& e) {  // a parser's bug (bad_alloc, ...): still an error, never a throw
    return {{}, std::string("internal error: ") + e.what()};
  }
}

}  // namespace og::bridges::bank
