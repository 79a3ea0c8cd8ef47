// OFX 1.x (SGML: a header of KEY:VALUE lines, then tags that leaves may leave unclosed) and
// OFX 2.x (XML, <?OFX ...?>), both read with one small tolerant tokenizer: no libxml2, no
// DTD, no entities but the five predefined ones and numeric references.

#include "daemon/bridges/bank/util.h"

namespace og::bridges::bank {

using namespace detail;

namespace {

struct Node {
  std::string name;
  std::string value;  // a leaf's text
  std::vector<Node> children;
  int line = 0;
  bool leaf = false;  // got text or its close tag while empty: not an aggregate
};

constexpr std::size_t kMaxDepth = 64;

std::string at(int line) { return "ofx: line " + std::to_string(line); }

std::string decode_entities(std::string_view s, int line) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    const std::size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 10) {
      out += '&';  // SGML files carry bare '&' in names
      continue;
    }
    const std::string_view ent = s.substr(i + 1, semi - i - 1);
    if (ent == "amp") out += '&';
    else if (ent == "lt") out += '<';
    else if (ent == "gt") out += '>';
    else if (ent == "quot") out += '"';
    else if (ent == "apos") out += '\'';
    else if (ent.size() > 1 && ent[0] == '#' && is_digits(ent.substr(1)) && ent.size() <= 8) {
      const int cp = digits_value(ent.substr(1));
      if (cp <= 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) refuse(at(line) + ": bad character reference");
      if (cp < 0x80) out += static_cast<char>(cp);
      else if (cp < 0x800) out += static_cast<char>(0xC0 | (cp >> 6)), out += static_cast<char>(0x80 | (cp & 0x3F));
      else if (cp < 0x10000)
        out += static_cast<char>(0xE0 | (cp >> 12)), out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)),
            out += static_cast<char>(0x80 | (cp & 0x3F));
      else
        out += static_cast<char>(0xF0 | (cp >> 18)), out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F)),
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F)), out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      refuse(at(line) + ": unknown entity &" + clean_text(ent) + ";");
    }
    i = semi;
  }
  return out;
}

// The tag tree of the body (from the first '<' that opens OFX). Aggregates must be closed;
// a leaf is a tag followed by text, closed or not.
Node tree_of(std::string_view body, int first_line) {
  Node root;
  root.name = "#root";
  std::vector<Node*> stack{&root};
  int line = first_line;
  std::size_t pos = 0;
  Node* open_leaf = nullptr;  // a leaf whose close tag may follow
  while (pos < body.size()) {
    const std::size_t lt = body.find('<', pos);
    const std::string_view text = body.substr(pos, (lt == std::string_view::npos ? body.size() : lt) - pos);
    for (char c : text) line += c == '\n';
    const std::string_view t = trim(text);
    if (!t.empty()) {
      Node* top = stack.back();
      if (top->children.empty() || !top->children.back().children.empty() || top->children.back().leaf)
        refuse(at(line) + ": text outside a tag");
      top->children.back().value = clean_text(decode_entities(t, line));
      top->children.back().leaf = true;
      open_leaf = &top->children.back();
    }
    if (lt == std::string_view::npos) break;
    if (body.compare(lt, 4, "<!--") == 0) {
      const std::size_t end = body.find("-->", lt);
      if (end == std::string_view::npos) refuse(at(line) + ": unterminated comment");
      for (std::size_t i = lt; i < end; ++i) line += body[i] == '\n';
      pos = end + 3;
      continue;
    }
    const std::size_t gt = body.find('>', lt);
    if (gt == std::string_view::npos) refuse(at(line) + ": unterminated tag");
    std::string_view tag = body.substr(lt + 1, gt - lt - 1);
    for (char c : tag) line += c == '\n';
    pos = gt + 1;
    if (!tag.empty() && (tag[0] == '?' || tag[0] == '!')) {
      if (tag.size() >= 8 && tag.substr(0, 8) == "!DOCTYPE") refuse(at(line) + ": a DOCTYPE is refused");
      continue;  // processing instruction
    }
    const bool closing = !tag.empty() && tag[0] == '/';
    if (closing) tag.remove_prefix(1);
    const bool empty_element = !tag.empty() && tag.back() == '/';
    if (empty_element) tag.remove_suffix(1);
    const std::string name(trim(tag.substr(0, tag.find(' '))));
    if (name.empty()) refuse(at(line) + ": empty tag");
    if (closing) {
      if (open_leaf && open_leaf->name == name) {
        open_leaf->leaf = true;
        open_leaf = nullptr;
        continue;
      }
      open_leaf = nullptr;
      // Close the aggregate, and any leaves left open inside it.
      std::size_t i = stack.size();
      while (i > 1 && stack[i - 1]->name != name) --i;
      if (i <= 1) refuse(at(line) + ": </" + clean_text(name) + "> closes nothing");
      stack.resize(i - 1);
      continue;
    }
    Node* top = stack.back();
    // The previous sibling had no text, no children and no close tag: an aggregate, opened.
    if (!top->children.empty() && !top->children.back().leaf && top->children.back().children.empty()) {
      if (stack.size() > kMaxDepth) refuse(at(line) + ": nested too deep");
      stack.push_back(&top->children.back());
      top = stack.back();
    }
    top->children.push_back(Node{name, "", {}, line, empty_element});
    open_leaf = &top->children.back();
  }
  return root;
}

const Node* find(const Node& n, std::string_view name) {
  for (const Node& c : n.children)
    if (c.name == name) return &c;
  return nullptr;
}
std::string value_of(const Node* n, std::string_view name) {
  if (!n) return "";
  const Node* c = find(*n, name);
  return c ? c->value : "";
}
void find_all(const Node& n, std::string_view name, std::vector<const Node*>& out, std::size_t depth = 0) {
  if (depth > kMaxDepth) return;
  for (const Node& c : n.children) {
    if (c.name == name) out.push_back(&c);
    find_all(c, name, out, depth + 1);
  }
}

// 20261201120000[-5:EST] -> 2026-12-01
std::string date_of(const std::string& s, int line) {
  if (s.size() < 8 || !is_digits(s.substr(0, 8))) refuse(at(line) + ": date '" + clean_text(s) + "' is not YYYYMMDD...");
  return make_date(digits_value(s.substr(0, 4)), digits_value(s.substr(4, 2)), digits_value(s.substr(6, 2)),
                   at(line));
}

// "-12.50", "+3", ".5", "12,50" (some banks) as a signed Amount.
og::Amount ofx_amount(std::string s, const std::string& currency, int line) {
  if (!s.empty() && s[0] == '+') s.erase(0, 1);
  if (s.find('.') == std::string::npos) {
    const std::size_t comma = s.find(',');
    if (comma != std::string::npos) s[comma] = '.';
  }
  const bool negative = !s.empty() && s[0] == '-';
  const std::size_t digits = negative ? 1 : 0;
  if (digits < s.size() && s[digits] == '.') s.insert(digits, "0");
  return parse_signed(s, currency, at(line));
}

const Node& need(const Node& n, std::string_view name) {
  const Node* c = find(n, name);
  if (!c) refuse(at(n.line) + ": <" + n.name + "> without <" + std::string(name) + ">");
  return *c;
}

Entry entry_of(const Node& t, const std::string& currency) {
  Entry e;
  const Node& amt = need(t, "TRNAMT");
  const og::Amount a = ofx_amount(amt.value, currency, amt.line);
  e.side = a.is_negative() ? Side::Debit : Side::Credit;
  e.amount = (a.is_negative() ? *a.negated() : a).to_string();
  e.booking_date = date_of(need(t, "DTPOSTED").value, t.line);
  const std::string avail = value_of(&t, "DTAVAIL");
  e.value_date = avail.empty() ? e.booking_date : date_of(avail, t.line);
  e.bank_ref = need(t, "FITID").value;
  if (e.bank_ref.empty()) refuse(at(t.line) + ": empty <FITID>");
  e.bank_tx_code = value_of(&t, "TRNTYPE");
  e.customer_ref = value_of(&t, "REFNUM");
  if (e.customer_ref.empty()) e.customer_ref = value_of(&t, "CHECKNUM");
  e.counterparty_name = value_of(&t, "NAME");
  if (e.counterparty_name.empty()) e.counterparty_name = value_of(find(t, "PAYEE"), "NAME");
  e.remittance = value_of(&t, "MEMO");
  return e;
}

std::optional<Balance> balance_of(const Node* b, const std::string& currency, BalanceKind kind) {
  if (!b) return std::nullopt;
  const Node& amt = need(*b, "BALAMT");
  return Balance{ofx_amount(amt.value, currency, amt.line).to_string(), date_of(need(*b, "DTASOF").value, b->line),
                 kind};
}

Statement statement_of(const Node& rs, const std::string& format, const std::string& trnuid) {
  Statement st;
  st.format = format;
  st.message_id = trnuid;
  st.currency = need(rs, "CURDEF").value;
  (void)minor_units(st.currency);
  const Node* from = find(rs, "BANKACCTFROM");
  if (!from) from = find(rs, "CCACCTFROM");
  if (!from) refuse(at(rs.line) + ": <" + rs.name + "> without <BANKACCTFROM> or <CCACCTFROM>");
  st.account = need(*from, "ACCTID").value;
  st.bank_id = value_of(from, "BANKID");
  if (const Node* list = find(rs, "BANKTRANLIST")) {
    st.statement_id = value_of(list, "DTEND");
    for (const Node& c : list->children)
      if (c.name == "STMTTRN") st.entries.push_back(entry_of(c, st.currency));
  }
  st.closing = balance_of(find(rs, "LEDGERBAL"), st.currency, BalanceKind::Booked);
  st.available = balance_of(find(rs, "AVAILBAL"), st.currency, BalanceKind::Available);
  return st;  // OFX gives no opening balance: nothing to check the entries against
}

}  // namespace

ParseResult parse_ofx(std::string_view bytes) {
  ParseResult result;
  try {
    const std::size_t start = bytes.find("<OFX>");
    if (start == std::string_view::npos) refuse("ofx: no <OFX> element");
    const std::string_view header = bytes.substr(0, start);
    const bool sgml = header.find("OFXHEADER:100") != std::string_view::npos;
    const bool cp1252 = header.find("CHARSET:1252") != std::string_view::npos ||
                        header.find("CHARSET:ISO-8859-1") != std::string_view::npos;
    if (header.find("<!DOCTYPE") != std::string_view::npos) refuse("ofx: a DOCTYPE is refused");
    int line = 1;
    for (char c : header) line += c == '\n';
    // A 1252 file is converted whatever its bytes; else only when it is not UTF-8 already.
    std::string body;
    if (cp1252) {
      for (char c : bytes.substr(start)) body += (static_cast<unsigned char>(c) < 0x80 ? std::string(1, c) : to_utf8(std::string(1, c)));
    } else {
      body = to_utf8(bytes.substr(start));
    }
    const Node root = tree_of(body, line);
    const std::string format = sgml ? "ofx1" : "ofx2";
    for (const char* rs_name : {"STMTRS", "CCSTMTRS"}) {
      std::vector<const Node*> wrappers;
      find_all(root, rs_name == std::string("STMTRS") ? "STMTTRNRS" : "CCSTMTTRNRS", wrappers);
      for (const Node* w : wrappers)
        if (const Node* rs = find(*w, rs_name)) result.statements.push_back(statement_of(*rs, format, value_of(w, "TRNUID")));
    }
    if (result.statements.empty()) refuse("ofx: no <STMTRS> or <CCSTMTRS> in a <STMTTRNRS>");
  } catch (const std::exception& e) {
    return {{}, e.what()};
  }
  return result;
}

}  // namespace og::bridges::bank
