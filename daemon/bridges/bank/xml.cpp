#include "daemon/bridges/bank/xml.h"

#include <cstring>

#include "daemon/bridges/bank/util.h"

namespace og::bridges::bank::detail {

namespace {

bool has_doctype(std::string_view bytes) {
  static constexpr std::string_view kDoctype = "<!DOCTYPE";
  for (std::size_t i = bytes.find("<!"); i != std::string_view::npos; i = bytes.find("<!", i + 1)) {
    if (bytes.size() - i < kDoctype.size()) return false;
    bool same = true;
    for (std::size_t k = 2; k < kDoctype.size() && same; ++k)
      same = (bytes[i + k] & ~0x20) == kDoctype[k];
    if (same) return true;
  }
  return false;
}

// libxml2's own errors go to its last-error slot, not stderr.
void quiet(void*, const char*, ...) {}

}  // namespace

XmlDoc read_xml(std::string_view bytes, const std::string& what) {
  if (bytes.size() > 512u * 1024 * 1024) refuse(what + ": the file is too large");
  if (has_doctype(bytes)) refuse(what + ": a DOCTYPE is refused (bank files have none)");
  xmlSetGenericErrorFunc(nullptr, quiet);
  xmlResetLastError();
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA;
  XmlDoc doc(xmlReadMemory(bytes.data(), static_cast<int>(bytes.size()), nullptr, nullptr, options));
  if (!doc) {
    const xmlError* err = xmlGetLastError();
    std::string msg = what + ": not well-formed XML";
    if (err) {
      msg += " (line " + std::to_string(err->line) + ")";
      if (err->message) msg += ": " + clean_text(err->message);
    }
    refuse(msg);
  }
  if (doc->intSubset || doc->extSubset) refuse(what + ": a DOCTYPE is refused (bank files have none)");
  if (!xmlDocGetRootElement(doc.get())) refuse(what + ": no root element");
  return doc;
}

std::string name_of(const xmlNode* n) { return n && n->name ? reinterpret_cast<const char*>(n->name) : ""; }

std::string namespace_of(const xmlNode* n) {
  return n && n->ns && n->ns->href ? reinterpret_cast<const char*>(n->ns->href) : "";
}

const xmlNode* child(const xmlNode* parent, const char* name) {
  if (!parent) return nullptr;
  for (const xmlNode* c = parent->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(c->name), name) == 0) return c;
  return nullptr;
}

std::vector<const xmlNode*> children(const xmlNode* parent, const char* name) {
  std::vector<const xmlNode*> out;
  if (!parent) return out;
  for (const xmlNode* c = parent->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && std::strcmp(reinterpret_cast<const char*>(c->name), name) == 0)
      out.push_back(c);
  return out;
}

std::string text_of(const xmlNode* n) {
  if (!n) return "";
  xmlChar* content = xmlNodeGetContent(n);
  if (!content) return "";
  std::string t(reinterpret_cast<const char*>(content));
  xmlFree(content);
  return clean_text(t);
}

std::string attr_of(const xmlNode* n, const char* name) {
  if (!n) return "";
  xmlChar* v = xmlGetProp(n, reinterpret_cast<const xmlChar*>(name));
  if (!v) return "";
  std::string t(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return clean_text(t);
}

std::string path_of(const xmlNode* n) {
  std::string path;
  const long line = n ? xmlGetLineNo(n) : -1;
  for (const xmlNode* cur = n; cur && cur->type == XML_ELEMENT_NODE; cur = cur->parent) {
    std::string step = name_of(cur);
    if (cur->parent && cur->parent->type == XML_ELEMENT_NODE) {
      std::size_t index = 0, total = 0;
      for (const xmlNode* s = cur->parent->children; s; s = s->next)
        if (s->type == XML_ELEMENT_NODE && name_of(s) == step) {
          ++total;
          if (s == cur) index = total;
        }
      if (total > 1) step += "[" + std::to_string(index) + "]";
    }
    path = path.empty() ? step : step + "/" + path;
  }
  if (line > 0) path += " (line " + std::to_string(line) + ")";
  return path;
}

}  // namespace og::bridges::bank::detail
